"""Typed shortcuts become the same `!` commands; autocomplete suggests names through a cached,
policy-checked read; commands are synced per guild when guilds are configured, else globally."""

from __future__ import annotations

from bot.domain.models import Principal
from tests.discord.conftest import DiscordBot, running_bot
from tests.discord.helpers import is_card, shown
from tests.fake_discord import payloads as p
from tests.fake_discord.plugin import ALICE
from tests.fake_discord.server import FakeDiscord

CORE = {"k8s", "ask", "approvals", "history"}


def names(commands: list[dict[str, object]]) -> set[str]:
    return {str(c["name"]) for c in commands}


async def test_commands_sync_to_the_configured_guild_with_shortcuts_for_registered_operations(
    bot: DiscordBot,
) -> None:
    assert set(bot.fake.synced) == {p.GUILD_ID}
    assert names(bot.fake.synced[p.GUILD_ID]) == CORE | {"get", "scale"}  # no logs/restart/rollback ops


async def test_commands_sync_globally_without_guild_ids(sqlite_url: str, fake_discord: FakeDiscord) -> None:
    async with running_bot(sqlite_url, fake_discord, guild_ids=()):
        assert set(fake_discord.synced) == {"global"}
        assert names(fake_discord.synced["global"]) == CORE | {"get", "scale"}


async def test_the_scale_shortcut_files_the_same_approval_as_the_command(bot: DiscordBot) -> None:
    interaction = await bot.fake.slash(ALICE, "scale", {"deployment": "web", "replicas": 3})
    (card,) = await bot.fake.wait_for(lambda: [m for m in bot.fake.replies_to(interaction) if is_card(m)])
    assert "demo_scale(name=web, replicas=3)" in shown(card)
    assert "replicas 2 → 3" in shown(card)
    assert bot.backend.runs == []


async def test_autocomplete_suggests_names_from_a_cached_read(bot: DiscordBot) -> None:
    first = await bot.fake.slash(ALICE, "scale", {"deployment": "w", "replicas": 1}, focused="deployment")
    (answer,) = await bot.fake.wait_for(lambda: bot.fake.callbacks(first))
    assert answer["type"] == 8
    assert answer["data"]["choices"] == [{"name": "web", "value": "web"}]
    second = await bot.fake.slash(ALICE, "scale", {"deployment": "", "replicas": 1}, focused="deployment")
    (again,) = await bot.fake.wait_for(lambda: bot.fake.callbacks(second))
    assert [c["value"] for c in again["data"]["choices"]] == ["api", "db", "web"]
    assert bot.backend.runs == [("get", {"cluster": None, "namespace": None, "name": None})]  # once


async def test_autocomplete_suggests_nothing_where_reads_need_an_approval(
    sqlite_url: str, fake_discord: FakeDiscord
) -> None:
    policy = {
        "roles": {"operator": {"members": [f"discord:role:{p.OPERATOR_ROLE}"]}},
        "channels": {p.CHANNEL_ID: {"mode": "paranoid"}},
    }
    async with running_bot(sqlite_url, fake_discord, policy=policy) as bot:
        asked = await bot.fake.slash(ALICE, "scale", {"deployment": "w", "replicas": 1}, focused="deployment")
        (answer,) = await bot.fake.wait_for(lambda: bot.fake.callbacks(asked))
        assert answer["data"]["choices"] == []
        assert bot.backend.runs == []
        roles = tuple(f"discord:role:{r}" for r in ALICE.roles)
        alice = Principal("discord", ALICE.user_id, "Alice", memberships=roles, team=p.GUILD_ID)
        assert await bot.app.desk.pending_for(alice) == []
