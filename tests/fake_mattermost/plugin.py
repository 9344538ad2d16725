"""The `fake_mattermost` fixture: a started `FakeMattermost` with a few people and channels."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from tests.fake_mattermost.server import TEAM_ID, FakeMattermost
from tests.fake_mattermost.wire import Channel, Person

ALICE = Person("alice", nickname="Alice")
OLGA = Person("olga", nickname="Olga", team_roles="team_user team_admin")
BOB = Person("bob", nickname="Bob", roles="system_user system_admin")
OPS = Channel("ops", team_id=TEAM_ID)
ALICE_DM = Channel(f"{ALICE.id}__chatops", type="D")
PEOPLE = (ALICE, OLGA, BOB)
CHANNELS = (OPS, ALICE_DM)


@pytest.fixture
async def fake_mattermost() -> AsyncIterator[FakeMattermost]:
    fake = FakeMattermost(people=PEOPLE, channels=CHANNELS)
    fake.groups = {OLGA.id: ["sre"]}
    await fake.start()
    try:
        yield fake
    finally:
        await fake.close()
