"""Every message the bot sends or edits disables mentions, so cluster or model text cannot ping
anyone; output too long for a message goes into an attachment with a short summary."""

from __future__ import annotations

from tests.discord.conftest import DiscordBot
from tests.discord.helpers import approval_id_of, click_and_wait, request_card
from tests.fake_discord import payloads as p
from tests.fake_discord.plugin import ALICE, OLGA, VIC


async def test_every_outgoing_message_and_edit_disables_all_mentions(bot: DiscordBot) -> None:
    pinged = await bot.fake.slash(ALICE, "k8s", {"command": "demo get @everyone"})
    await bot.fake.wait_for(lambda: any("@everyone" in m["content"] for m in bot.fake.replies_to(pinged)))
    await bot.fake.say(VIC, f"!demo get <@{ALICE.user_id}>", mention_bot=True)
    card = await request_card(bot, ALICE, "!demo scale web --replicas 3")
    await click_and_wait(bot, VIC, card, f"chatops:approve:{approval_id_of(card)}")  # refused, ephemeral
    await click_and_wait(bot, OLGA, card, f"chatops:approve:{approval_id_of(card)}")  # card edited

    outgoing = bot.fake.outgoing()
    paths = {r.path.split("/")[1] for r in outgoing}
    assert paths == {"channels", "webhooks"}
    assert any(r.method == "PATCH" for r in outgoing)
    for request in outgoing:
        mentions = request.message_payload.get("allowed_mentions")  # type: ignore[union-attr]
        assert mentions is not None, request
        assert mentions["parse"] == [] and not mentions.get("users") and not mentions.get("roles")
        assert not mentions.get("replied_user")


async def test_long_output_is_attached_with_a_short_summary(bot: DiscordBot) -> None:
    bot.backend.replicas.update({f"app-{i:03d}": i for i in range(300)})
    interaction = await bot.fake.slash(ALICE, "k8s", {"command": "demo get"})
    (answer,) = await bot.fake.wait_for(
        lambda: [m for m in bot.fake.replies_to(interaction) if m.get("attachments")]
    )
    assert len(answer["content"]) < 500
    assert "303 app(s)" in answer["content"] and "attached" in answer["content"]
    (upload,) = [r for r in bot.fake.requests if r.files]
    ((name, data),) = upload.files
    assert name == "output.txt"
    text = data.decode()
    assert "app-000" in text and "app-299" in text and "web" in text
    assert answer["channel_id"] == p.CHANNEL_ID
