"""The full effect of a change as card text: one block per object, every changed path.

`describe_effects` never cuts: a long effect is the adapters' business (they attach it
as a file). Objects are named `Kind/name in namespace` (cluster-scoped: `Kind/name`).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from tools.base import ObjectEffect
from tools.effects.diff import object_changes

_SIGN = {"create": "+", "update": "~", "delete": "-", "unchanged": "="}
_WORD = {"create": "created", "update": "changed", "delete": "deleted", "unchanged": "unchanged"}


def effect_label(effect: ObjectEffect) -> str:
    where = f" in {effect.namespace}" if effect.namespace else ""
    return f"{effect.kind}/{effect.name}{where}"


def summarise_effects(effects: Iterable[ObjectEffect]) -> str:
    """`3 object(s): 1 created, 1 changed, 1 unchanged`."""
    items = list(effects)
    counts = Counter(e.action for e in items)
    parts = [f"{counts[a]} {_WORD[a]}" for a in ("create", "update", "delete", "unchanged") if counts[a]]
    return f"{len(items)} object(s): " + (", ".join(parts) if parts else "none")


def describe_effects(effects: Iterable[ObjectEffect]) -> str:
    """Every object and every path that changes; deleted objects by name only."""
    blocks: list[str] = []
    for effect in effects:
        head = f"{_SIGN.get(effect.action, '?')} {effect_label(effect)} ({_WORD.get(effect.action, effect.action)})"
        if effect.action in ("delete", "unchanged"):
            blocks.append(head)
            continue
        lines = [c.line() for c in object_changes(effect.old, effect.new)]
        if effect.action == "update" and not lines:
            lines = ["(no field changes)"]
        blocks.append("\n".join([head, *(f"    {line}" for line in lines)]))
    return "\n".join(blocks)
