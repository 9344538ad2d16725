"""Redaction of log records and audit details: `redact_mapping_for_log`.

Details written to logs and to the audit trail are small mappings (operation
arguments, error context). A key named like a secret (`token`, `password`,
`signing_secret`, `X-Api-Key`, …, case-insensitive, also as a suffix) loses its
value whatever its type; nested mappings are treated the same way, Kubernetes
objects get structural redaction and every string goes through `redact_text`.
Numbers, booleans and None pass unchanged; other objects are turned into
redacted strings so nothing unredacted hides in a `repr` later.
This module must not write logs itself.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from typing import Any

from tools.redact.keys import is_secret_key
from tools.redact.objects import redact_object
from tools.redact.patterns import redact_text

REDACTED = "[REDACTED]"
_MAX_DEPTH = 32


def redact_mapping_for_log(d: Mapping[str, Any]) -> dict[str, Any]:
    """Return a copy of `d` safe to log or audit: secret-named keys masked, strings pattern-redacted."""
    return _redact_mapping(d, depth=0)


def _redact_mapping(d: Mapping[Any, Any], *, depth: int) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in d.items():
        name = str(key)
        if isinstance(value, str) and value.startswith("[REDACTED"):
            out[name] = value  # already a marker (a Secret's size from `redact_object`)
        elif is_secret_key(name) and value is not None and not isinstance(value, bool):
            out[name] = REDACTED
        else:
            out[name] = _redact_value(value, depth=depth + 1)
    return out


def _redact_value(value: Any, *, depth: int) -> Any:
    if value is None or isinstance(value, bool | int | float):
        return value
    if isinstance(value, str):
        return redact_text(value)
    if depth > _MAX_DEPTH:
        return "[too deep]"
    if isinstance(value, Mapping):
        if "kind" in value or "metadata" in value or "users" in value:
            redacted = redact_object(value)
            return _redact_mapping(redacted, depth=depth) if isinstance(redacted, Mapping) else redacted
        return _redact_mapping(value, depth=depth)
    if isinstance(value, list | tuple | set | frozenset):
        return [_redact_value(item, depth=depth + 1) for item in value]
    if isinstance(value, enum.Enum):
        return _redact_value(value.value, depth=depth + 1)
    return redact_text(str(value))
