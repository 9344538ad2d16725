"""Structural redaction of Kubernetes objects and Helm values: `redact_object`.

Works on the JSON-like values the Kubernetes client produces
(`ApiClient().sanitize_for_serialization(...)`, camelCase keys), on
`to_dict()` output (snake_case keys) and on Helm values. Structure first,
where the shape says what is secret:
- Secret and SecretList values become their sizes; kubeconfig user
  credentials go; `secretKeyRef`s become readable references; `managedFields` go;
- a secret-named key (`keys.is_secret_key`: ConfigMap data keys, annotation
  keys, Helm values such as `externalDatabase.pass`) loses its scalar value;
- a `{name, value}` pair whose name is secret-named (env, `extraEnvVars`,
  HTTP headers of probes) loses its value;
- `args`/`command` lists are judged as command lines (`commands.redact_argv`).
Then every remaining string leaf goes through `redact_text`. The input is
never modified. This module must not call the Kubernetes API or know any
token format.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from collections.abc import Mapping
from typing import Any

from tools.parsing import ParseRefused, load_json
from tools.redact.commands import redact_argv
from tools.redact.keys import is_harmless_value, is_secret_key
from tools.redact.patterns import redact_text

REDACTED = "[REDACTED]"
MIN_LEAF_CHARS = 4
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
_MARKER_ONLY = re.compile(r"\[REDACTED:[a-z0-9-]{1,40}\]")
_MANAGED = frozenset({"managedFields", "managed_fields"})
_ARGV_KEYS = frozenset({"args", "command", "extraArgs", "extra_args", "containerArgs", "cmd", "entrypoint"})
_SPECIAL_KEYS = (
    _MANAGED
    | _ARGV_KEYS
    | {
        "value",
        "values",
        "valueFrom",
        "value_from",
        "annotations",
        "binaryData",
        "binary_data",
    }
)
# Children of a secret-named mapping that hold its value whatever they are called (`auth: {key: …}`).
_VALUE_CHILDREN = frozenset({"key", "value", "data", "secret", "val"})


def redact_object(obj: Any) -> Any:
    """Return a redacted deep copy of a JSON-like Kubernetes object, Helm values, a list or scalar."""
    return _Walker(None).walk(obj)


def secret_leaves(obj: Any) -> set[str]:
    """The literal values structural redaction masks in `obj` (Helm values, an object).

    For scrubbing free text that repeats them (a chart's NOTES, a history
    description); values shorter than 4 characters are left out, since
    replacing them everywhere would mangle ordinary words.
    """
    found: set[str] = set()
    _Walker(found).walk(obj)
    return {value for value in found if len(value) >= MIN_LEAF_CHARS}


def is_secret_object(d: Mapping[str, Any]) -> bool:
    """A Secret, or a dict shaped like one (`type` beside `data`/`stringData`) without another kind."""
    kind = d.get("kind")
    if kind == "Secret":
        return True
    if kind is not None or "type" not in d:
        return False
    has_data = isinstance(_get(d, "data", "stringData", "string_data"), Mapping)
    return kind is None and has_data and isinstance(d.get("type"), str)


def is_kubeconfig(d: Mapping[str, Any]) -> bool:
    if d.get("kind") == "Config" and d.get("apiVersion", d.get("api_version")) == "v1":
        return True
    return isinstance(d.get("users"), list) and ("clusters" in d or "contexts" in d)


def _get(d: Mapping[str, Any], *names: str) -> Any:
    for name in names:
        if name in d:
            return d[name]
    return None


class _Walker:
    """One redaction pass; `found` (when given) collects the literal values it masked."""

    def __init__(self, found: set[str] | None) -> None:
        self.found = found

    def walk(self, obj: Any, *, secret_list: bool = False) -> Any:
        kind = type(obj)  # exact types first: a listing has hundreds of thousands of leaves
        if kind is str:
            return redact_text(obj)
        if kind is dict:
            return self.mapping(obj, force_secret=secret_list)
        if kind is int or kind is bool or kind is float or obj is None:
            return obj
        if isinstance(obj, str):
            return redact_text(obj)
        if isinstance(obj, Mapping):
            return self.mapping(obj, force_secret=secret_list)
        if isinstance(obj, list | tuple):
            return [self.walk(item, secret_list=secret_list) for item in obj]
        if obj is None or isinstance(obj, bool | int | float):
            return obj
        to_dict = getattr(obj, "to_dict", None)
        if callable(to_dict):  # a kubernetes client model passed by mistake
            return self.walk(to_dict(), secret_list=secret_list)
        return redact_text(str(obj))

    def mask(self, value: Any) -> Any:
        """The masked form of a value under a secret name; harmless values and booleans stay."""
        if value is None or isinstance(value, bool):
            return value
        if isinstance(value, Mapping):
            return self.mapping(value, force_secret=False, secret_context=True)
        if isinstance(value, list | tuple):
            return [self.mask(item) for item in value]
        if isinstance(value, str) and is_harmless_value(value):
            return value
        self._remember(value)
        if isinstance(value, str) and _MARKER_ONLY.fullmatch(shown := redact_text(value.strip())):
            return shown  # a named kind (`[REDACTED:private-key]`) says more than the plain mask
        return REDACTED

    def _remember(self, value: Any) -> None:
        if self.found is None:
            return
        if isinstance(value, Mapping):
            for item in value.values():
                self._remember(item)
        elif isinstance(value, list | tuple):
            for item in value:
                self._remember(item)
        elif isinstance(value, str | int | float) and not isinstance(value, bool):
            self.found.add(str(value).strip())

    def mapping(
        self, d: Mapping[str, Any], *, force_secret: bool, secret_context: bool = False
    ) -> dict[str, Any]:
        if force_secret or is_secret_object(d):
            return self.secret(d)
        if is_kubeconfig(d):
            return self.kubeconfig(d)
        secret_list = d.get("kind") == "SecretList"
        pair_name = _get(d, "name", "key")
        secret_pair = isinstance(pair_name, str) and is_secret_key(pair_name)
        out: dict[str, Any] = {}
        for key, value in d.items():
            name = key if type(key) is str else str(key)
            if name not in _SPECIAL_KEYS and not secret_context:
                # The common case, kept short: an ordinary key, judged by its name alone.
                if is_secret_key(name):
                    out[name] = self.mask(value)
                elif type(value) is str:
                    out[name] = redact_text(value)
                else:
                    out[name] = self.walk(value, secret_list=secret_list and name == "items")
                continue
            if name in _MANAGED:
                continue
            if name in ("value", "values") and secret_pair:
                out[name] = self.mask(value)
            elif name in ("valueFrom", "value_from") and isinstance(value, Mapping):
                out[name] = self.value_from(value)
            elif name == "annotations" and isinstance(value, Mapping):
                out[name] = self.annotations(value, secret=False)
            elif name in ("binaryData", "binary_data") and isinstance(value, Mapping):
                out[name] = {k: _size_marker(v, encoded=True) for k, v in value.items()}
            elif name in _ARGV_KEYS and _is_argv(value):
                out[name] = self._container_argv(d, name)
            elif (secret_context and name in _VALUE_CHILDREN) or is_secret_key(name):
                out[name] = self.mask(value)
            else:
                out[name] = self.walk(value, secret_list=secret_list and name == "items")
        return out

    def _container_argv(self, d: Mapping[str, Any], name: str) -> list[str]:
        """`command` and `args` of a container are one command line: `mysql` in one, `-pX` in the other."""
        command: list[str] = list(d["command"]) if name == "args" and _is_argv(d.get("command")) else []
        args: list[str] = list(d["args"]) if name == "command" and _is_argv(d.get("args")) else []
        own = list(d[name])
        joined = self._argv([*command, *own, *args])
        return [redact_text(item) for item in joined[len(command) : len(command) + len(own)]]

    def _argv(self, argv: list[str]) -> list[str]:
        masked = redact_argv(argv)
        if self.found is not None:
            for before, after in zip(argv, masked, strict=True):
                if before != after:
                    self.found.add(before)
        return masked

    def secret(self, d: Mapping[str, Any]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key, value in d.items():
            if key in ("data", "stringData", "string_data") and isinstance(value, Mapping):
                encoded = key == "data"
                self._remember(value)
                out[key] = {k: _size_marker(v, encoded=encoded) for k, v in value.items()}
            elif key == "metadata" and isinstance(value, Mapping):
                out[key] = self.metadata(value, secret=True)
            else:
                out[key] = self.walk(value)
        return out

    def metadata(self, meta: Mapping[str, Any], *, secret: bool) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key, value in meta.items():
            if key in _MANAGED:
                continue
            if key == "annotations" and isinstance(value, Mapping):
                out[key] = self.annotations(value, secret=secret)
            else:
                out[key] = self.walk(value)
        return out

    def annotations(self, annotations: Mapping[str, Any], *, secret: bool) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key, value in annotations.items():
            if key == LAST_APPLIED and isinstance(value, str):
                out[key] = REDACTED if secret else self.embedded_json(value)
            elif is_secret_key(str(key)):
                out[key] = self.mask(value)
            else:
                out[key] = self.walk(value)
        return out

    def embedded_json(self, text: str) -> str:
        """A JSON document held in a string (last-applied-configuration): redact it as an object."""
        try:
            parsed = load_json(text, what="the embedded JSON", max_depth=200)  # bounded before parsing
        except ParseRefused:
            return redact_text(text)
        if isinstance(parsed, Mapping) and is_secret_object(parsed):
            return REDACTED
        return json.dumps(self.walk(parsed), separators=(",", ":"), sort_keys=True)

    def value_from(self, value_from: Mapping[str, Any]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key, value in value_from.items():
            if key in ("secretKeyRef", "secret_key_ref") and isinstance(value, Mapping):
                out[key] = f"secret/{value.get('name', '?')}:{value.get('key', '?')}"
            else:
                out[key] = self.walk(value)
        return out

    def kubeconfig(self, config: Mapping[str, Any]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key, value in config.items():
            if key == "users" and isinstance(value, list):
                out[key] = [self.kubeconfig_user(item) for item in value]
            else:
                out[key] = self.walk(value)
        return out

    def kubeconfig_user(self, entry: Any) -> Any:
        if not isinstance(entry, Mapping) or not isinstance(entry.get("user"), Mapping):
            return self.walk(entry)
        user: dict[str, Any] = {}
        for key, value in entry["user"].items():
            if key in _KUBECONFIG_USER_SECRETS or is_secret_key(key):
                self._remember(value)
                user[key] = REDACTED
            elif key == "exec" and isinstance(value, Mapping):
                user[key] = {k: (self.walk(v) if k in _EXEC_KEEP else REDACTED) for k, v in value.items()}
            elif key in ("auth-provider", "auth_provider") and isinstance(value, Mapping):
                user[key] = {k: (REDACTED if k == "config" else self.walk(v)) for k, v in value.items()}
            else:
                user[key] = self.walk(value)
        rest = {k: self.walk(v) for k, v in entry.items() if k != "user"}
        return {**rest, "user": user}


def _is_argv(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(v, str) for v in value)


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
