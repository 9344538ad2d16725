"""Integer arguments take ASCII digits only: `--replicas 1_0` is not ten (issue 19, item 8).

Python's int() (and so pydantic's lax mode) reads `1_0` as 10 and `١٠` as 10; a person who
typed either meant something else, so the argument is refused with one sentence and
nothing is filed.
"""

from __future__ import annotations

import pytest

from bot.app import App
from bot.domain.models import IncomingMessage, Principal, ReplyKind
from tests.core.demo_ops import Backend, ScaleArgs
from tests.core.fixtures import Apps
from tools.base import is_plain_integer


@pytest.mark.parametrize("text", ["1_0", "١٠", "１０", "1.0", "1e1", "", "0x10", "²"])
def test_not_plain_digits(text: str) -> None:
    assert not is_plain_integer(text)
    with pytest.raises(ValueError, match="whole number written with the digits 0-9"):
        ScaleArgs.model_validate({"name": "web", "replicas": text})


@pytest.mark.parametrize(("text", "value"), [("10", 10), ("+3", 3), (" 4 ", 4), ("0", 0)])
def test_plain_digits_are_read(text: str, value: int) -> None:
    assert ScaleArgs.model_validate({"name": "web", "replicas": text}).replicas == value


def test_json_numbers_from_the_model_still_pass() -> None:
    assert ScaleArgs.model_validate({"name": "web", "replicas": 7}).replicas == 7


@pytest.mark.parametrize("replicas", ["1_0", "١٠"])
async def test_command_with_underscore_digits_is_refused_and_nothing_filed(
    apps: Apps, database_url: str, backend: Backend, replicas: str
) -> None:
    app = await apps.open(database_url, backend)
    alice = Principal("console", "alice", "Alice")
    replies = await app.router.handle(IncomingMessage(alice, "ops", f"!demo scale web --replicas {replicas}"))
    assert [r.kind for r in replies] == [ReplyKind.ERROR]
    assert "whole number written with the digits 0-9" in replies[0].text
    assert "Traceback" not in replies[0].text
    assert await app.desk.pending_for(alice) == []
    assert backend.replicas["web"] == 2


@pytest.mark.parametrize("count", ["1_0", "²", "٣"])
async def test_builtin_counts_are_plain_digits(app: App, count: str) -> None:
    alice = Principal("console", "alice", "Alice")
    replies = await app.router.handle(IncomingMessage(alice, "ops", f"!history {count}"))
    assert replies[0].kind is ReplyKind.ERROR and replies[0].text.startswith("Usage: !history")
