"""The `fake_discord` fixture: a started `FakeDiscord`, with discord.py pointed at it for the test.

`Route.BASE` and `DiscordWebSocket.DEFAULT_GATEWAY` are class attributes of
discord.py; they are set for the test and restored afterwards, whatever the
test does.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import discord.gateway
import discord.http
import pytest
import yarl

from tests.fake_discord import payloads as p
from tests.fake_discord.server import FakeDiscord

ALICE = p.Person("100000000000000001", "Alice", roles=(p.OPERATOR_ROLE,))
OLGA = p.Person("100000000000000002", "Olga", roles=(p.OPERATOR_ROLE,))
BOB = p.Person("100000000000000003", "Bob", roles=(p.ADMIN_ROLE,))
DANA = p.Person("100000000000000004", "Dana", roles=(p.ADMIN_ROLE,))
VIC = p.Person("100000000000000005", "Victor")  # no role: the default viewer
PEOPLE = (ALICE, OLGA, BOB, DANA, VIC)


@pytest.fixture
async def fake_discord() -> AsyncIterator[FakeDiscord]:
    fake = FakeDiscord(people=PEOPLE)
    await fake.start()
    base = discord.http.Route.BASE
    gateway = discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY
    discord.http.Route.BASE = fake.api_base
    discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(fake.gateway_url)
    try:
        yield fake
    finally:
        discord.http.Route.BASE = base
        discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = gateway
        await fake.close()
