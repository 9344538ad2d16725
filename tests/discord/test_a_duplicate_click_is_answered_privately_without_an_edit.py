"""Clicks on a card that is already decided are answered privately; the card is not edited again.

Discord drops a click on a button a card no longer has, so duplicates are clicks made on the
card as it was: several people (or one, several times) clicking Approve at once.
"""

from __future__ import annotations

import asyncio

from tests.discord.conftest import DiscordBot
from tests.discord.helpers import approval_id_of, is_ephemeral, request_card
from tests.fake_discord.plugin import ALICE, BOB, OLGA


async def test_duplicate_clicks_get_an_ephemeral_answer_and_no_message_edit(bot: DiscordBot) -> None:
    card = await request_card(bot, ALICE, "!demo scale web --replicas 5")
    approval_id = approval_id_of(card)
    custom_id = f"chatops:approve:{approval_id}"
    clickers = (OLGA, OLGA, ALICE, BOB, OLGA)
    clicks = await asyncio.gather(*(bot.fake.click(person, card["id"], custom_id) for person in clickers))

    def notes() -> list[dict[str, object]]:
        return [
            m for c in clicks for m in bot.fake.replies_to(c) if m["id"] != card["id"] and is_ephemeral(m)
        ]

    private = await bot.fake.wait_for(lambda: len(notes()) == 4 and notes())
    await bot.fake.wait_for(lambda: "succeeded" in str(bot.fake.messages[card["id"]].get("embeds")))
    assert all(approval_id in str(n["content"]) and "already" in str(n["content"]) for n in private), private
    assert all([c["type"] for c in bot.fake.callbacks(click)] == [6] for click in clicks)  # deferred
    edits = [r for r in bot.fake.outgoing() if r.method == "PATCH"]
    assert len(edits) == 1, edits  # only the decision redrew the card
    assert [r for r in bot.backend.runs if r[0] == "scale"] == [
        ("scale", {"cluster": None, "namespace": None, "name": "web", "replicas": 5})
    ]
