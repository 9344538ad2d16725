"""A CEL policy rule that cannot work stops start-up with one line naming its key path."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.settings.config import ConfigError, load_config


def load(tmp_path: Path, rule: str) -> None:
    path = tmp_path / "config.yaml"
    path.write_text(f"policy:\n  rules:\n    - {{safety: destructive, decision: deny}}\n    - {rule}\n")
    load_config(path, env={})


@pytest.mark.parametrize(
    ("rule", "expected"),
    [
        (
            "{expression: 'object.spec.(', effect: deny, message: m}",
            r"'policy\.rules\.1\.expression': .*not a valid CEL expression",
        ),
        (
            "{expression: 'objekt.spec.replicas == 0', effect: deny, message: m}",
            r"'policy\.rules\.1\.expression': .*unknown name 'objekt'",
        ),
        ("{expression: '', effect: deny, message: m}", r"'policy\.rules\.1\.expression': .*empty"),
        ("{expression: 'true', message: m}", r"'policy\.rules\.1': .*needs an 'effect' and a 'message'"),
        ("{expression: 'true', effect: deny}", r"'policy\.rules\.1': .*needs an 'effect' and a 'message'"),
        ("{expression: 'true', effect: require_role, message: m}", r"'policy\.rules\.1': .*'role'"),
        ("{expression: 'true', effect: require_approvers, message: m}", r"'policy\.rules\.1': .*'approvers'"),
        ("{expression: 'true', effect: deny, decision: deny, message: m}", r"not a 'decision'"),
        ("{namespace: prod}", r"'policy\.rules\.1': .*needs a 'decision'"),
        ("{decision: deny, message: m}", r"belong to rules with an 'expression'"),
    ],
)
def test_a_broken_rule_is_refused_with_its_key_path(tmp_path: Path, rule: str, expected: str) -> None:
    with pytest.raises(ConfigError, match=expected):
        load(tmp_path, rule)


def test_a_good_rule_loads_beside_the_plain_ones(tmp_path: Path) -> None:
    rule = (
        '{expression: "object.spec.template.spec.containers.all(c, has(c.resources))", '
        "effect: require_approvers, approvers: 2, message: m, kinds: [Deployment]}"
    )
    load(tmp_path, rule)
