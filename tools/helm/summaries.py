"""Turn helm's output into short, secret-free summaries.

Manifests become objects by kind and name (never their content, so a Secret's
data cannot leak); values are redacted by the shared structural redactor
(`tools.redact.redact_object`: secret-named paths, `{name, value}` pairs,
argument lists) and their secret leaves are remembered so the same strings
can be scrubbed from free text such as release notes. Output is cut to the token budget.
This module never runs helm.
"""

from __future__ import annotations

import base64
import binascii
import dataclasses
import hashlib
import json
from collections import Counter
from collections.abc import Iterable, Mapping
from typing import Any

import yaml

from tools.parsing import ParseRefused, load_yaml_all
from tools.redact import redact_object, redact_text
from tools.redact.keys import is_harmless_value, is_secret_path
from tools.redact.objects import secret_leaves

MASK = "[REDACTED]"
# Known secret strings shorter than this are left to the patterns: replacing `app` everywhere mangles text.
MIN_SCRUB_CHARS = 4
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


def manifest_secrets(text: str) -> set[str]:
    """Values a rendered manifest holds secretly (Secret data, decoded too; secret-named leaves).

    A chart may generate a password into a Secret and print it in its NOTES;
    these strings are scrubbed from NOTES, descriptions and errors.
    """
    found: set[str] = set()
    try:
        documents = load_yaml_all(text or "", what="the manifest", max_bytes=64 * 1024 * 1024)
    except ParseRefused:
        return found
    for document in documents:
        if not isinstance(document, dict):
            continue
        found |= secret_leaves(document)
        data = document.get("data") if document.get("kind") == "Secret" else None
        for value in (data or {}).values() if isinstance(data, dict) else ():
            try:
                decoded = base64.b64decode(str(value), validate=True).decode("utf-8").strip()
            except (binascii.Error, ValueError):
                continue
            if len(decoded) >= MIN_SCRUB_CHARS:
                found.add(decoded)
    return found


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
    """A copy of `values` redacted by structure (`tools.redact.redact_object`); masked strings go to `secrets`."""
    if secrets is not None:
        secrets |= secret_leaves(values)
    return redact_object(values)


def scrub(text: str, secrets: Iterable[str]) -> str:
    """Replace every known secret string in `text`, then apply the shared text redaction."""
    for secret in sorted(secrets, key=len, reverse=True):
        if len(secret) >= MIN_SCRUB_CHARS:
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
    """Which value keys a change adds, changes and removes, one line.

    A secret-shaped value, old or new (a secret-named path, a `{name, value}`
    pair, a value the text rules would mask), is never shown: the path says
    `changed` (`+path=[REDACTED]` when added).
    """
    old, new = flatten(before or {}), flatten(after or {})
    parts = []
    for key in sorted(new.keys() | old.keys()):
        secret = is_secret_path(key)
        if key not in old:
            shown = _short(new[key], secret=secret)
            parts.append(f"+{key}={MASK if shown is None else shown}")
        elif key not in new:
            parts.append(f"-{key}")
        elif old[key] != new[key]:
            was, now = _short(old[key], secret=secret), _short(new[key], secret=secret)
            parts.append(f"~{key}: changed" if was is None or now is None else f"~{key}: {was} → {now}")
    return ", ".join(parts) or "no value changes"


def _short(value: Any, *, secret: bool) -> str | None:
    """The value cut to 40 characters, or None when it is secret-shaped and must not be shown."""
    if secret and not (isinstance(value, str) and is_harmless_value(value)) and not isinstance(value, bool):
        return None
    plain = value if isinstance(value, str) else json.dumps(value, default=str, sort_keys=True)
    shown = (
        redact_text(plain)
        if isinstance(value, str)
        else json.dumps(redact_object(value), default=str, sort_keys=True)
    )
    if shown != plain:
        return None
    return shown if len(shown) <= 40 else shown[:37] + "..."


def to_yaml(values: Any) -> str:
    return yaml.safe_dump(values, sort_keys=True, default_flow_style=False, allow_unicode=True)


def budget_chars(budget_tokens: int) -> int:
    return max(400, budget_tokens * CHARS_PER_TOKEN)


def truncate(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    return text[: max(0, limit - 40)].rstrip() + f"\n… ({len(text) - limit + 40} more characters cut)"
