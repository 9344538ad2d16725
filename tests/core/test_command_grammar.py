"""The `!` grammar: operations by words, positionals, flags, code blocks, clear errors."""

from __future__ import annotations

import pytest

from bot.conversation.commands import Builtin, CommandError, OperationCall, parse
from tests.core.demo_ops import Backend, demo_operations
from tools.registry import Registry


@pytest.fixture
def registry() -> Registry:
    return Registry(demo_operations(Backend()))


def test_operation_with_positional_and_flags(registry: Registry) -> None:
    parsed = parse("!demo scale web --replicas 3 -n prod", registry)
    assert isinstance(parsed, OperationCall)
    assert parsed.operation.name == "demo_scale"
    assert parsed.raw_args == {"name": "web", "replicas": "3", "namespace": "prod"}


def test_flag_with_equals_and_cluster_alias(registry: Registry) -> None:
    parsed = parse("!demo scale web --replicas=3 -c staging", registry)
    assert isinstance(parsed, OperationCall)
    assert parsed.raw_args == {"name": "web", "replicas": "3", "cluster": "staging"}


def test_builtin_commands(registry: Registry) -> None:
    assert parse("!approve ab12cd34", registry) == Builtin("approve", ("ab12cd34",))
    assert parse("!deny ab12cd34 too risky", registry) == Builtin("deny", ("ab12cd34", "too", "risky"))


def test_unknown_command_suggests_the_closest(registry: Registry) -> None:
    with pytest.raises(CommandError, match=r"Unknown command '!demo scal'. Did you mean: !demo scale"):
        parse("!demo scal web", registry)
    with pytest.raises(CommandError, match=r"Did you mean: !approve"):
        parse("!aprove x", registry)


def test_unknown_option_gives_the_usage_line(registry: Registry) -> None:
    with pytest.raises(CommandError) as info:
        parse("!demo scale web --replica 3", registry)
    assert "Unknown option --replica" in str(info.value)
    assert "Usage: !demo scale <name> --replicas <replicas> [-n <namespace>] [-c <cluster>]" in str(
        info.value
    )


def test_missing_value_and_extra_words(registry: Registry) -> None:
    with pytest.raises(CommandError, match="needs a value"):
        parse("!demo scale web --replicas", registry)
    with pytest.raises(CommandError, match="Unexpected 'extra'"):
        parse("!demo scale web extra", registry)


def test_unbalanced_quotes_are_a_plain_error(registry: Registry) -> None:
    with pytest.raises(CommandError, match="check the quotes"):
        parse('!demo get "web', registry)


def test_code_block_refused_where_not_taken(registry: Registry) -> None:
    with pytest.raises(CommandError, match="takes no code block"):
        parse("!demo get web\n```yaml\na: 1\n```", registry)
