"""Secrets typed in chat are refused, not echoed (env values, manifests, helm `--set` and values).

A value is secret-looking when it sits under a secret-looking name (`is_secret_key`) and
is not a placeholder, or when redaction would change it (`redact_object` /
`redact_text`: tokens, keys, high-entropy strings). The refusal names where the value
is, never the value, and says what to do instead; argument validators raise it, so the
value never reaches a card, an approval row, the audit trail or the history.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from tools.parsing import ParseRefused, load_yaml_all
from tools.redact import is_secret_key, redact_object, redact_text
from tools.redact.keys import is_harmless_value

_ADVICE = (
    "the bot does not take secret values typed in chat (they would be shown and stored); "
    "put it in a Kubernetes Secret and reference it"
)
_SKIPPED = ("managedFields",)


def refusal(where: str, how: str) -> str:
    return f"{where} looks like a secret value; {_ADVICE} ({how})"


# Keys that name a Secret (the way we ask people to go), not hold a value: `existingSecret: db-auth`.
_REFERENCE_SUFFIXES = ("existingsecret", "secretname", "secretref", "secretkeyref", "existingsecretname")


def is_typed_secret(key: str, value: str) -> bool:
    """A value under `key` that must not be typed in chat."""
    if is_harmless_value(value):
        return False
    if key.lower().replace("_", "").replace("-", "").endswith(_REFERENCE_SUFFIXES):
        return redact_text(value) != value
    return is_secret_key(key) or redact_text(value) != value


def typed_secret_in_env(env: Mapping[str, str]) -> str | None:
    for name, value in env.items():
        if is_typed_secret(name, value):
            return refusal(f"env {name}", "env valueFrom.secretKeyRef")
    return None


def typed_secret_in_set(key: str, value: str) -> str | None:
    last = key.rsplit(".", 1)[-1].split("[", 1)[0]
    if is_typed_secret(last, value):
        return refusal(f"--set {key}", "most charts take an existing Secret's name, e.g. existingSecret")
    return None


def typed_secret_in_values(document: Any) -> str | None:
    """The first secret-looking leaf of a Helm values mapping, as a refusal."""
    path = _first_secret_leaf(document, "")
    if path is None:
        return None
    return refusal(f"values {path}", "most charts take an existing Secret's name, e.g. existingSecret")


def typed_secret_in_manifest(text: str) -> str | None:
    """The first secret-looking value of any document of a YAML manifest, as a refusal."""
    try:
        documents = [d for d in load_yaml_all(text, what="the manifest") if d is not None]
    except ParseRefused:
        return None  # the parser says what is wrong with it (or that it is too large), later
    for index, document in enumerate(documents, start=1):
        if not isinstance(document, Mapping) or document.get("kind") == "Secret":
            continue  # a Secret is refused as a whole, with its own sentence
        # Annotation and label names like `…/auth-secret` name references, not values: pattern checks only.
        body = {k: v for k, v in document.items() if k != "metadata"}
        path = _first_masked(document, redact_object(document), "") or _first_secret_leaf(body, "")
        if path is not None:
            where = f"document {index} ({document.get('kind')}) at {path}"
            return refusal(where, "secretKeyRef, or a volume from a Secret")
    return None


_FENCE = re.compile(r"```[a-zA-Z]*\n?(.*?)```", re.DOTALL)


def mask_typed_secrets(text: str) -> str:
    """`text` with every secret-looking value of its YAML code blocks replaced by a marker.

    For what the bot keeps of a message (history): the request itself is refused, and the
    value it carried must not stay behind in the conversation either.
    """
    found: set[str] = set()
    for block in _FENCE.findall(text):
        try:
            documents = [d for d in load_yaml_all(block, what="the block") if d is not None]
        except ParseRefused:
            continue
        for document in documents:
            _collect(document, redact_object(document), "", found)
    for value in sorted(found, key=len, reverse=True):
        text = text.replace(value, "[REDACTED]")
    return text


def _collect(raw: Any, masked: Any, key: str, found: set[str]) -> None:
    if isinstance(raw, Mapping):
        name = raw.get("name")
        for k, v in raw.items():
            sub_key = name if k == "value" and isinstance(name, str) else str(k)
            _collect(v, masked.get(k) if isinstance(masked, Mapping) else None, sub_key, found)
    elif isinstance(raw, list):
        for index, item in enumerate(raw):
            other = masked[index] if isinstance(masked, list) and index < len(masked) else None
            _collect(item, other, key, found)
    elif isinstance(raw, str) and len(raw) >= 4 and (raw != masked or is_typed_secret(key, raw)):
        found.add(raw)


def _first_masked(raw: Any, masked: Any, path: str) -> str | None:
    """The first path where redaction changed a value (a structural or pattern match)."""
    if isinstance(raw, Mapping) and isinstance(masked, Mapping):
        for key, value in raw.items():
            if key in _SKIPPED:
                continue
            found = _first_masked(value, masked.get(key), f"{path}.{key}" if path else str(key))
            if found:
                return found
        return None
    if isinstance(raw, list) and isinstance(masked, list) and len(raw) == len(masked):
        for index, (a, b) in enumerate(zip(raw, masked, strict=True)):
            name = a.get("name") if isinstance(a, Mapping) else None
            found = _first_masked(a, b, f"{path}[{name if isinstance(name, str) else index}]")
            if found:
                return found
        return None
    if isinstance(raw, str) and raw != masked:
        return path
    return None


def _first_secret_leaf(value: Any, path: str) -> str | None:
    """The first string leaf under a secret-looking key (or env entry name) that is not a placeholder."""
    if isinstance(value, Mapping):
        name = value.get("name")
        for key, item in value.items():
            sub = f"{path}.{key}" if path else str(key)
            if isinstance(item, str):
                key_name = name if key == "value" and isinstance(name, str) else str(key)
                if is_typed_secret(key_name, item):
                    return sub
            else:
                found = _first_secret_leaf(item, sub)
                if found:
                    return found
        return None
    if isinstance(value, list):
        for index, item in enumerate(value):
            found = _first_secret_leaf(item, f"{path}[{index}]")
            if found:
                return found
    return None
