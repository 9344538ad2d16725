"""Replies render within Discord's limits with cluster text kept inside code blocks, and shortcut
values become `!` command text that the real parser reads back to the same arguments."""

from __future__ import annotations

import pytest

from bot.adapters.discord.render import MAX_CONTENT, code_block, to_outgoing
from bot.adapters.discord.slash import command_text
from bot.conversation.commands import OperationCall, parse
from bot.domain.models import Button, ButtonAction, Reply, ReplyField, ReplyKind
from tests.core.demo_ops import Backend, demo_operations
from tools.base import Table
from tools.registry import Registry


def test_a_code_block_cannot_be_closed_by_the_text_inside() -> None:
    block = code_block("before ``` <@123> @everyone [x](https://evil) after", limit=2000)
    assert block.startswith("```\n") and block.endswith("\n```")
    assert block.count("```") == 2


def test_a_card_is_an_embed_with_buttons_and_a_bounded_preview() -> None:
    card = Reply(
        "Approval abc123 needed: demo_delete(name=web)\nApprove with `!approve abc123`.",
        kind=ReplyKind.APPROVAL,
        code="x" * 10_000,
        fields=(ReplyField("Operation", "demo_delete(name=web)"), ReplyField("Safety", "DESTRUCTIVE")),
        buttons=(
            Button(ButtonAction.APPROVE, "abc123", "Approve", confirm=True),
            Button(ButtonAction.DENY, "abc123", "Deny"),
        ),
        approval_id="abc123",
    )
    out = to_outgoing(card)
    (embed,) = out.embeds
    assert embed.title == "Approval abc123 needed: demo_delete(name=web)"
    assert embed.description is not None and len(embed.description) <= 4096
    assert len(embed) <= 6000
    assert out.view is not None
    ids = [c["custom_id"] for row in out.view.to_components() for c in row["components"]]
    assert ids == ["chatops:confirm:abc123", "chatops:deny:abc123"]


def test_a_long_table_goes_into_an_attachment() -> None:
    rows = tuple((f"pod-{i}", "Running") for i in range(400))
    out = to_outgoing(Reply("400 pods", kind=ReplyKind.RESULT, table=Table(("NAME", "STATUS"), rows)))
    assert len(out.content) <= MAX_CONTENT and "attached" in out.content
    assert out.attachment is not None and b"pod-399" in out.attachment


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        ({"name": "web", "replicas": 3, "namespace": None}, {"name": "web", "replicas": 3}),
        (
            {"name": "web", "replicas": 0, "namespace": "team-a"},
            {"name": "web", "replicas": 0, "namespace": "team-a"},
        ),
    ],
)
def test_shortcut_values_read_back_through_the_command_parser(
    values: dict[str, object], expected: dict[str, object]
) -> None:
    registry = Registry(demo_operations(Backend()))
    operation = registry.get("demo_scale")
    assert operation is not None
    text = command_text(operation, values)
    parsed = parse(text, registry)
    assert isinstance(parsed, OperationCall) and parsed.operation.name == "demo_scale"
    assert operation.parse_args(parsed.raw_args).model_dump(exclude_none=True) == expected


def test_a_value_with_spaces_or_quotes_stays_one_argument() -> None:
    registry = Registry(demo_operations(Backend()))
    operation = registry.get("demo_get")
    assert operation is not None
    parsed = parse(command_text(operation, {"name": "it's a name; --cluster=x"}), registry)
    assert isinstance(parsed, OperationCall)
    assert parsed.raw_args == {"name": "it's a name; --cluster=x"}
