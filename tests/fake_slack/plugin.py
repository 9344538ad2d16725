"""The `fake_slack` fixture: a started `FakeSlack` with a few people and one user group."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from tests.fake_slack.server import FakeSlack

PEOPLE = {
    "UALICE": "Alice",  # operator (by user id)
    "UOLGA": "Olga",  # operator (by user id)
    "UBOB": "Bob",  # admin through the S0ADMINS user group
    "UDANA": "Dana",  # admin through the S0ADMINS user group
    "UVIC": "Victor",  # nobody: the default viewer role
}
GROUPS = {"S0ADMINS": ["UBOB", "UDANA"], "S0EMPTY": []}


@pytest.fixture
async def fake_slack() -> AsyncIterator[FakeSlack]:
    fake = FakeSlack(users=PEOPLE, usergroups=GROUPS)
    await fake.start()
    try:
        yield fake
    finally:
        await fake.close()
