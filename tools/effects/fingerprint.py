"""One digest for the effect a person approved, to compare with the dry run at execution time.

The digest covers each object's action, identity and every changed path with its shown
values (secret values as "changed", so the digest holds nothing secret). Values the API
server allocates anew on every dry run (a Service's cluster IP, node ports) count by
their path only: a fresh allocation is not a different change.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable

from tools.base import ObjectEffect
from tools.effects.diff import object_changes

_ALLOCATED = (".clusterIP", ".clusterIPs", ".nodePort", ".healthCheckNodePort")


def _stable(path: str) -> bool:
    return not any(part in path for part in _ALLOCATED)


def effect_lines(effects: Iterable[ObjectEffect]) -> list[str]:
    lines = []
    for e in effects:
        lines.append(f"{e.action} {e.kind}/{e.namespace or ''}/{e.name}")
        if e.action in ("create", "update"):
            for change in object_changes(e.old, e.new):
                lines.append(f"  {change.line()}" if _stable(change.path) else f"  {change.op} {change.path}")
    return lines


def effects_fingerprint(effects: Iterable[ObjectEffect]) -> str:
    return hashlib.sha256(json.dumps(effect_lines(effects)).encode()).hexdigest()
