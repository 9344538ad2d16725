"""Structural redaction of Kubernetes objects: `redact_object`.

Works on the JSON-like values the Kubernetes client produces
(`ApiClient().sanitize_for_serialization(...)`, camelCase keys) and also on
`to_dict()` output (snake_case keys). Structure first, where the shape says
what is secret: Secret and SecretList values become their sizes, kubeconfig
user credentials and secret-named env values are replaced, `secretKeyRef`s
become readable references and `managedFields` go. Then every remaining
string leaf goes through `redact_text`. The input is never modified.
This module must not call the Kubernetes API or know any token format.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Mapping
from typing import Any

from tools.parsing import ParseRefused, load_json
from tools.redact.keys import is_secret_key
from tools.redact.patterns import redact_text

REDACTED = "[REDACTED]"
LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration"
_KUBECONFIG_USER_SECRETS = frozenset(
    {
        "token",
        "password",
        "client-key-data",
        "client-certificate-data",
        "client_key_data",
        "client_certificate_data",
    }
)
_EXEC_KEEP = frozenset({"command", "apiVersion", "api_version", "interactiveMode", "provideClusterInfo"})


def redact_object(obj: Any) -> Any:
    """Return a redacted deep copy of a JSON-like Kubernetes object, list or scalar."""
    return _walk(obj, secret_list=False)


def _walk(obj: Any, *, secret_list: bool) -> Any:
    if isinstance(obj, str):
        return redact_text(obj)
    if isinstance(obj, Mapping):
        return _redact_mapping(obj, force_secret=secret_list)
    if isinstance(obj, list | tuple):
        return [_walk(item, secret_list=secret_list) for item in obj]
    if obj is None or isinstance(obj, bool | int | float):
        return obj
    to_dict = getattr(obj, "to_dict", None)
    if callable(to_dict):  # a kubernetes client model passed by mistake
        return _walk(to_dict(), secret_list=secret_list)
    return redact_text(str(obj))


def _get(d: Mapping[str, Any], *names: str) -> Any:
    for name in names:
        if name in d:
            return d[name]
    return None


def is_secret_object(d: Mapping[str, Any]) -> bool:
    """A Secret, or a dict shaped like one (`type` beside `data`/`stringData`) without another kind."""
    kind = d.get("kind")
    if kind == "Secret":
        return True
    has_data = isinstance(_get(d, "data", "stringData", "string_data"), Mapping)
    return kind is None and has_data and isinstance(d.get("type"), str)


def is_kubeconfig(d: Mapping[str, Any]) -> bool:
    if d.get("kind") == "Config" and d.get("apiVersion", d.get("api_version")) == "v1":
        return True
    return isinstance(d.get("users"), list) and ("clusters" in d or "contexts" in d)


def _redact_mapping(d: Mapping[str, Any], *, force_secret: bool) -> dict[str, Any]:
    if force_secret or is_secret_object(d):
        return _redact_secret(d)
    if is_kubeconfig(d):
        return _redact_kubeconfig(d)
    secret_list = d.get("kind") == "SecretList"
    out: dict[str, Any] = {}
    for key, value in d.items():
        if key in ("managedFields", "managed_fields"):
            continue
        if key in ("env", "environment") and isinstance(value, list):
            out[key] = [_redact_env_var(item) for item in value]
        elif key == "annotations" and isinstance(value, Mapping):
            out[key] = _redact_annotations(value, secret=False)
        elif key in ("binaryData", "binary_data") and isinstance(value, Mapping):
            out[key] = {k: _size_marker(v, encoded=True) for k, v in value.items()}
        else:
            out[key] = _walk(value, secret_list=secret_list and key == "items")
    return out


def _redact_secret(d: Mapping[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in d.items():
        if key in ("data", "stringData", "string_data") and isinstance(value, Mapping):
            encoded = key == "data"
            out[key] = {k: _size_marker(v, encoded=encoded) for k, v in value.items()}
        elif key == "metadata" and isinstance(value, Mapping):
            out[key] = _redact_metadata(value, secret=True)
        else:
            out[key] = _walk(value, secret_list=False)
    return out


def _redact_metadata(meta: Mapping[str, Any], *, secret: bool) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in meta.items():
        if key in ("managedFields", "managed_fields"):
            continue
        if key == "annotations" and isinstance(value, Mapping):
            out[key] = _redact_annotations(value, secret=secret)
        else:
            out[key] = _walk(value, secret_list=False)
    return out


def _redact_annotations(annotations: Mapping[str, Any], *, secret: bool) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in annotations.items():
        if key == LAST_APPLIED and isinstance(value, str):
            out[key] = REDACTED if secret else _redact_embedded_json(value)
        else:
            out[key] = _walk(value, secret_list=False)
    return out


def _redact_embedded_json(text: str) -> str:
    """A JSON document held in a string (last-applied-configuration): redact it as an object."""
    try:
        parsed = load_json(text, what="the embedded JSON", max_depth=200)
    except ParseRefused:
        return redact_text(text)
    if isinstance(parsed, Mapping) and is_secret_object(parsed):
        return REDACTED
    return json.dumps(redact_object(parsed), separators=(",", ":"), sort_keys=True)


def _size_marker(value: Any, *, encoded: bool) -> str:
    if not isinstance(value, str):
        return REDACTED
    if value.startswith("[REDACTED"):
        return value
    if encoded:
        try:
            return f"[REDACTED: {len(base64.b64decode(value, validate=True))} bytes]"
        except (binascii.Error, ValueError):
            pass
    return f"[REDACTED: {len(value.encode())} bytes]"


def _redact_env_var(item: Any) -> Any:
    if not isinstance(item, Mapping):
        return _walk(item, secret_list=False)
    out: dict[str, Any] = {}
    name = item.get("name")
    for key, value in item.items():
        if key == "value" and isinstance(value, str) and isinstance(name, str) and is_secret_key(name):
            out[key] = REDACTED if value else value
        elif key in ("valueFrom", "value_from") and isinstance(value, Mapping):
            out[key] = _redact_value_from(value)
        else:
            out[key] = _walk(value, secret_list=False)
    return out


def _redact_value_from(value_from: Mapping[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in value_from.items():
        if key in ("secretKeyRef", "secret_key_ref") and isinstance(value, Mapping):
            out[key] = f"secret/{value.get('name', '?')}:{value.get('key', '?')}"
        else:
            out[key] = _walk(value, secret_list=False)
    return out


def _redact_kubeconfig(config: Mapping[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in config.items():
        if key == "users" and isinstance(value, list):
            out[key] = [_redact_kubeconfig_user(item) for item in value]
        else:
            out[key] = _walk(value, secret_list=False)
    return out


def _redact_kubeconfig_user(entry: Any) -> Any:
    if not isinstance(entry, Mapping) or not isinstance(entry.get("user"), Mapping):
        return _walk(entry, secret_list=False)
    user: dict[str, Any] = {}
    for key, value in entry["user"].items():
        if key in _KUBECONFIG_USER_SECRETS or is_secret_key(key):
            user[key] = REDACTED
        elif key == "exec" and isinstance(value, Mapping):
            user[key] = {
                k: (_walk(v, secret_list=False) if k in _EXEC_KEEP else REDACTED) for k, v in value.items()
            }
        elif key in ("auth-provider", "auth_provider") and isinstance(value, Mapping):
            user[key] = {
                k: (REDACTED if k == "config" else _walk(v, secret_list=False)) for k, v in value.items()
            }
        else:
            user[key] = _walk(value, secret_list=False)
    rest = {k: _walk(v, secret_list=False) for k, v in entry.items() if k != "user"}
    return {**rest, "user": user}
