"""Every field path a change alters in one object, with secret-shaped values masked.

The difference comes from `jsonpatch` (python-json-patch, RFC 6902), not from a walk of
our own. Why that library: its output is the language Kubernetes itself speaks for
changes (JSON Patch, JSON Pointer paths), so what the card lists is what a JSON patch of
the object would say; it reports every leaf, inside lists too (containers, env, ports,
tolerations, taints, rules), never a count; it is small, pure Python, maintained, and
already in the dependency tree (langchain-core uses it). deepdiff was the alternative:
more options than this needs, and its list reports are keyed by index only.

Paths are written for people: `spec.template.spec.containers[app].env[LD_PRELOAD].value`
(a list element that has a `name`, `key` or `containerPort` is named by it). Both sides go
through `tools.redact.redact_object` before they are diffed for display; a value that
redaction changed, or one under a secret-looking key, is reported as "changed" with
neither value. A secret value that changed behind an identical mask is still reported
(the raw sides are diffed too, for the paths only). Server-owned fields (`status`,
`managedFields`, `resourceVersion`, …) are left out: the API ignores them on writes.
This module never calls a cluster.
"""

from __future__ import annotations

import copy
import dataclasses
import json
from collections.abc import Mapping
from typing import Any, Literal

import jsonpatch

from tools.redact import is_secret_key, redact_object

_SERVER_META = ("managedFields", "resourceVersion", "uid", "generation", "creationTimestamp", "selfLink")
_NAMING_KEYS = ("name", "key", "containerPort", "port", "ip", "mountPath", "devicePath")
_MARKER = "[REDACTED"

ChangeOp = Literal["add", "remove", "replace"]


@dataclasses.dataclass(frozen=True)
class Change:
    """One leaf that changes: `old`/`new` are display strings, None when absent or masked."""

    op: ChangeOp
    path: str
    old: str | None = None
    new: str | None = None
    secret: bool = False

    def line(self) -> str:
        if self.secret:
            word = {"add": "set", "remove": "removed", "replace": "changed"}[self.op]
            return f"{self.path}: {word} (secret-shaped value, not shown)"
        if self.op == "add":
            return f"+ {self.path}: {self.new}"
        if self.op == "remove":
            return f"- {self.path}: {self.old}"
        return f"{self.path}: {self.old} → {self.new}"


def normalise(obj: Mapping[str, Any] | None) -> dict[str, Any]:
    """The object as a change is judged: no status, no server-owned metadata."""
    if obj is None:
        return {}
    out = {k: copy.deepcopy(v) for k, v in obj.items() if k != "status"}
    metadata = out.get("metadata")
    if isinstance(metadata, dict):
        out["metadata"] = {k: v for k, v in metadata.items() if k not in _SERVER_META}
    return out


def object_changes(old: Mapping[str, Any] | None, new: Mapping[str, Any] | None) -> list[Change]:
    """Every leaf path that differs between `old` and `new` (None: absent), masked for display."""
    raw_old, raw_new = normalise(old), normalise(new)
    shown_old, shown_new = redact_object(raw_old), redact_object(raw_new)
    changes = _leaf_changes(shown_old, shown_new)
    seen = {c.path for c in changes}
    # A secret value changed behind the same mask ("[REDACTED]" → "[REDACTED]"): say so, without values.
    for hidden in _leaf_changes(raw_old, raw_new):
        if not any(_related(hidden.path, path) for path in seen):
            changes.append(Change(hidden.op, hidden.path, secret=True))
            seen.add(hidden.path)
    return changes


def _related(a: str, b: str) -> bool:
    return (
        a == b
        or a.startswith(b + ".")
        or a.startswith(b + "[")
        or b.startswith(a + ".")
        or b.startswith(a + "[")
    )


def _leaf_changes(old: Any, new: Any) -> list[Change]:
    working = copy.deepcopy(old)
    out: list[Change] = []
    for op in jsonpatch.make_patch(old, new).patch:
        kind = str(op["op"])
        parts = _parts(str(op["path"]))
        if kind == "move":
            source = _parts(str(op["from"]))
            value = _resolve(working, source)
            out += _expand("remove", _named(working, source), value, None)
            working = jsonpatch.apply_patch(working, [op])
            out += _expand("add", _named(working, parts), None, value)
            continue
        if kind == "remove":
            out += _expand("remove", _named(working, parts), _resolve(working, parts), None)
        elif kind == "replace":
            before = _resolve(working, parts)
            path = _named(working, parts)
            if isinstance(before, dict | list) or isinstance(op["value"], dict | list):
                out += _expand("remove", path, before, None) + _expand("add", path, None, op["value"])
            else:
                out.append(_scalar("replace", path, before, op["value"]))
        working = jsonpatch.apply_patch(working, [op])
        if kind == "add":
            out += _expand("add", _named(working, parts), None, op["value"])
    return out


def _expand(op: ChangeOp, path: str, old: Any, new: Any) -> list[Change]:
    """A whole mapping or list added or removed, as one change per leaf."""
    value = new if op == "add" else old
    if isinstance(value, dict) and value:
        return [
            c
            for k, v in value.items()
            for c in _expand(
                op, _join(path, str(k)), v if op == "remove" else None, v if op == "add" else None
            )
        ]
    if isinstance(value, list) and value:
        out: list[Change] = []
        for index, item in enumerate(value):
            sub = f"{path}[{_element_name(item, index)}]"
            out += _expand(op, sub, item if op == "remove" else None, item if op == "add" else None)
        return out
    return [_scalar(op, path, old, new)]


def _scalar(op: ChangeOp, path: str, old: Any, new: Any) -> Change:
    last = path.rsplit(".", 1)[-1].split("[", 1)[0]
    secret = is_secret_key(last) or _masked(old) or _masked(new)
    if secret:
        return Change(op, path, secret=True)
    return Change(
        op,
        path,
        old=None if op == "add" else _show(old),
        new=None if op == "remove" else _show(new),
    )


def _masked(value: Any) -> bool:
    return isinstance(value, str) and _MARKER in value


def _show(value: Any) -> str:
    if isinstance(value, str):
        return value if value else '""'
    return json.dumps(value, sort_keys=True, separators=(",", ":"), default=str)


def _parts(pointer: str) -> list[str]:
    if not pointer:
        return []
    return [p.replace("~1", "/").replace("~0", "~") for p in pointer.lstrip("/").split("/")]


def _resolve(doc: Any, parts: list[str]) -> Any:
    for part in parts:
        if isinstance(doc, list):
            doc = doc[int(part)] if part.isdigit() and int(part) < len(doc) else None
        elif isinstance(doc, dict):
            doc = doc.get(part)
        else:
            return None
    return doc


def _named(doc: Any, parts: list[str]) -> str:
    """`spec.containers[app].image` for `/spec/containers/0/image`, read from `doc`."""
    path = ""
    for part in parts:
        if isinstance(doc, list):
            index = int(part) if part.isdigit() else len(doc) - 1
            item = doc[index] if 0 <= index < len(doc) else None
            path += f"[{_element_name(item, index)}]"
            doc = item
        else:
            path = _join(path, part)
            doc = doc.get(part) if isinstance(doc, dict) else None
    return path or "(object)"


def _element_name(item: Any, index: int) -> str:
    if isinstance(item, dict):
        for key in _NAMING_KEYS:
            value = item.get(key)
            if isinstance(value, str | int) and not isinstance(value, bool) and str(value):
                return str(value)
    return str(index)


def _join(path: str, key: str) -> str:
    shown = key if key.replace("-", "").replace("_", "").isalnum() else json.dumps(key)
    return f"{path}.{shown}" if path else shown
