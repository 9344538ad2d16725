"""Turn helm's output into short, secret-free summaries.

Manifests become objects by kind and name (never their content, so a Secret's
data cannot leak); values are masked structurally (any secret-looking key)
and their secret leaves are remembered so the same strings can be scrubbed
from free text such as release notes. Output is cut to the token budget.
This module never runs helm.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from collections import Counter
from collections.abc import Iterable, Mapping
from typing import Any

import yaml

from tools.parsing import ParseRefused, load_yaml_all
from tools.redact import redact_text
from tools.redact.keys import is_harmless_value, is_secret_key

MASK = "[REDACTED]"
CHARS_PER_TOKEN = 4


@dataclasses.dataclass(frozen=True)
class ManifestObject:
    kind: str
    name: str
    namespace: str | None
    digest: str

    @property
    def label(self) -> str:
        return f"{self.kind}/{self.name}"


def parse_manifest(text: str) -> list[ManifestObject]:
    """The objects of a multi-document YAML manifest; unreadable documents are skipped."""
    objects = []
    try:
        documents = load_yaml_all(text or "", what="the manifest", max_bytes=64 * 1024 * 1024)
    except ParseRefused:
        documents = []
    for document in documents:
        if not isinstance(document, dict) or "kind" not in document:
            continue
        metadata = document.get("metadata") or {}
        canonical = json.dumps(document, sort_keys=True, default=str).encode()
        objects.append(
            ManifestObject(
                kind=str(document["kind"]),
                name=str(metadata.get("name", "?")),
                namespace=metadata.get("namespace"),
                digest=hashlib.sha256(canonical).hexdigest(),
            )
        )
    return objects


def summarise_objects(objects: Iterable[ManifestObject], *, limit_chars: int = 1500) -> str:
    """`3 objects: 1 Deployment (web), 2 Service (web, web-headless)`, cut to `limit_chars`."""
    by_kind: dict[str, list[str]] = {}
    for obj in objects:
        by_kind.setdefault(obj.kind, []).append(obj.name)
    total = sum(len(names) for names in by_kind.values())
    if total == 0:
        return "no objects"
    parts = [f"{len(names)} {kind} ({', '.join(sorted(names))})" for kind, names in sorted(by_kind.items())]
    return truncate(f"{total} objects: " + "; ".join(parts), limit_chars)


def count_kinds(objects: Iterable[ManifestObject]) -> dict[str, int]:
    return dict(sorted(Counter(obj.kind for obj in objects).items()))


@dataclasses.dataclass(frozen=True)
class ObjectChanges:
    created: tuple[str, ...]
    changed: tuple[str, ...]
    deleted: tuple[str, ...]
    unchanged: int

    def describe(self) -> str:
        parts = [
            f"{label}: {', '.join(items[:20])}" + (f" (+{len(items) - 20} more)" if len(items) > 20 else "")
            for label, items in (("create", self.created), ("change", self.changed), ("delete", self.deleted))
            if items
        ]
        if self.unchanged:
            parts.append(f"{self.unchanged} unchanged")
        return "; ".join(parts) or "no object changes"


def diff_objects(before: Iterable[ManifestObject], after: Iterable[ManifestObject]) -> ObjectChanges:
    old = {(o.kind, o.namespace, o.name): o for o in before}
    new = {(o.kind, o.namespace, o.name): o for o in after}
    return ObjectChanges(
        created=tuple(sorted(new[k].label for k in new.keys() - old.keys())),
        changed=tuple(
            sorted(new[k].label for k in new.keys() & old.keys() if new[k].digest != old[k].digest)
        ),
        deleted=tuple(sorted(old[k].label for k in old.keys() - new.keys())),
        unchanged=sum(1 for k in new.keys() & old.keys() if new[k].digest == old[k].digest),
    )


def mask_values(values: Any, *, secrets: set[str] | None = None) -> Any:
    """A copy of `values` with every secret-looking key's value masked; masked strings go to `secrets`."""
    if isinstance(values, Mapping):
        masked: dict[str, Any] = {}
        for key, value in values.items():
            if is_secret_key(str(key)) and not (isinstance(value, str) and is_harmless_value(value)):
                _collect(value, secrets)
                masked[str(key)] = MASK if not isinstance(value, bool | type(None)) else value
            else:
                masked[str(key)] = mask_values(value, secrets=secrets)
        return masked
    if isinstance(values, list):
        return [mask_values(item, secrets=secrets) for item in values]
    if isinstance(values, str):
        return redact_text(values)
    return values


def _collect(value: Any, secrets: set[str] | None) -> None:
    if secrets is None:
        return
    if isinstance(value, Mapping):
        for item in value.values():
            _collect(item, secrets)
    elif isinstance(value, list):
        for item in value:
            _collect(item, secrets)
    elif isinstance(value, str | int | float) and not isinstance(value, bool) and len(str(value)) >= 4:
        secrets.add(str(value))


def scrub(text: str, secrets: Iterable[str]) -> str:
    """Replace every known secret string in `text`, then apply the shared text redaction."""
    for secret in sorted(secrets, key=len, reverse=True):
        text = text.replace(secret, MASK)
    return redact_text(text)


def flatten(values: Any, prefix: str = "") -> dict[str, Any]:
    """`{"a": {"b": 1}}` → `{"a.b": 1}`; lists are leaves."""
    if not isinstance(values, Mapping) or not values:
        return {prefix: values} if prefix else {}
    flat: dict[str, Any] = {}
    for key, value in values.items():
        flat |= flatten(value, f"{prefix}.{key}" if prefix else str(key))
    return flat


def diff_values(before: Any, after: Any) -> str:
    """Which value keys a change adds, changes and removes, one line; secret values are masked."""
    old, new = flatten(before or {}), flatten(after or {})
    parts = []
    for key in sorted(new.keys() | old.keys()):
        secret = any(is_secret_key(part) for part in key.split("."))
        if key not in old:
            parts.append(f"+{key}={_short(new[key], secret=secret)}")
        elif key not in new:
            parts.append(f"-{key}")
        elif old[key] != new[key]:
            parts.append(f"~{key}: {_short(old[key], secret=secret)} → {_short(new[key], secret=secret)}")
    return ", ".join(parts) or "no value changes"


def _short(value: Any, *, secret: bool) -> str:
    if secret:
        return MASK
    text = redact_text(value if isinstance(value, str) else json.dumps(mask_values(value), default=str))
    return text if len(text) <= 40 else text[:37] + "..."


def to_yaml(values: Any) -> str:
    return yaml.safe_dump(values, sort_keys=True, default_flow_style=False, allow_unicode=True)


def budget_chars(budget_tokens: int) -> int:
    return max(400, budget_tokens * CHARS_PER_TOKEN)


def truncate(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    return text[: max(0, limit - 40)].rstrip() + f"\n… ({len(text) - limit + 40} more characters cut)"
