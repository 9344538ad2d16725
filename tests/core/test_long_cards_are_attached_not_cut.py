"""A long effect is never cut silently: Slack uploads it, Discord attaches it, the console prints it all."""

from __future__ import annotations

from bot.adapters.discord.render import to_outgoing
from bot.adapters.slack.blocks import render_reply
from bot.domain.models import Button, ButtonAction, Reply, ReplyField, ReplyKind
from bot.domain.outcomes import describe_call
from bot.domain.render import render_text

DIFF = "\n".join(f"    + spec.template.spec.containers[c{i}].env[VAR_{i}].value: v{i}" for i in range(300))
LAST = "    + spec.template.spec.containers[c299].env[VAR_299].value: v299"


def card(*, code: str = DIFF, call: str = "k8s_apply(namespace=prod)") -> Reply:
    return Reply(
        "Approval abc needed: k8s_apply",
        kind=ReplyKind.APPROVAL,
        code=code,
        fields=(ReplyField("Operation", call), ReplyField("Safety", "WRITE")),
        buttons=(Button(ButtonAction.APPROVE, "abc", "Approve"), Button(ButtonAction.DENY, "abc", "Deny")),
        approval_id="abc",
    )


def test_slack_uploads_the_whole_preview() -> None:
    rendered = render_reply(card())
    assert rendered.upload is not None and LAST in rendered.upload.content


def test_discord_attaches_the_whole_card() -> None:
    outgoing = to_outgoing(card())
    assert outgoing.attachment is not None and LAST in outgoing.attachment.decode()
    assert "attached" in outgoing.content


def test_a_short_card_stays_inline() -> None:
    assert to_outgoing(card(code="~ Deployment/web\n    spec.replicas: 2 → 3")).attachment is None
    assert render_reply(card(code="~ Deployment/web\n    spec.replicas: 2 → 3")).upload is None


def test_a_long_call_goes_whole_into_the_file_on_both_platforms() -> None:
    call = describe_call(
        "helm_upgrade", {"name": "web", "set": {f"key{i}": f"value-{i}" for i in range(200)}}
    )
    assert "..." not in call  # nothing cut from the call itself
    assert '"key199":"value-199"' in call
    slack = render_reply(card(code="short", call=call))
    assert slack.upload is not None and '"key199":"value-199"' in slack.upload.content
    discord = to_outgoing(card(code="short", call=call))
    assert discord.attachment is not None and '"key199":"value-199"' in discord.attachment.decode()
    assert LAST in render_text(card())  # the console prints the card whole


def test_a_manifest_argument_is_shown_by_digest_and_documents() -> None:
    manifest = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n---\napiVersion: v1\nkind: Service\nmetadata: {name: b}\n"
    call = describe_call("k8s_apply", {"manifest": manifest, "namespace": "prod"})
    assert call.startswith("k8s_apply(manifest=sha256:")
    assert "(7 lines: ConfigMap/a, Service/b), namespace=prod)" in call
