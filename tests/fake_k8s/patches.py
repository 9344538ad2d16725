"""Patch semantics: JSON merge patch, strategic merge patch, JSON patch.

Strategic merge covers what the tools send: lists of containers, env, ports,
volumes, volumeMounts, conditions merged by their key, `$patch: delete` /
`$patch: replace` directives, `$setElementOrder/...` ignored, `null`
deleting a key. Server-side apply reuses the strategic merge (field ownership
is not modelled). Pure functions; never mutate their inputs.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

from tests.fake_k8s.errors import KubeError, status_body

# List fields merged by a key instead of replaced (the API's patchMergeKey).
MERGE_KEYS: dict[str, str] = {
    "containers": "name",
    "initContainers": "name",
    "ephemeralContainers": "name",
    "env": "name",
    "volumes": "name",
    "volumeMounts": "mountPath",
    "volumeDevices": "devicePath",
    "imagePullSecrets": "name",
    "conditions": "type",
    "hostAliases": "ip",
    "ownerReferences": "uid",
}


def merge_patch(target: Any, patch: Any) -> Any:
    """RFC 7386: objects merge recursively, `null` deletes, anything else replaces."""
    if not isinstance(patch, Mapping):
        return copy.deepcopy(patch)
    result = dict(target) if isinstance(target, Mapping) else {}
    for key, value in patch.items():
        if value is None:
            result.pop(key, None)
        else:
            result[key] = merge_patch(result.get(key), value)
    return result


def strategic_merge_patch(target: Any, patch: Any, *, field: str = "") -> Any:
    if isinstance(patch, Mapping):
        if patch.get("$patch") == "replace":
            return {k: copy.deepcopy(v) for k, v in patch.items() if k != "$patch"}
        result = dict(target) if isinstance(target, Mapping) else {}
        for key, value in patch.items():
            if key.startswith("$setElementOrder/") or key in ("$patch", "$retainKeys"):
                continue
            if value is None:
                result.pop(key, None)
            else:
                result[key] = strategic_merge_patch(result.get(key), value, field=key)
        return result
    if isinstance(patch, list):
        key = _merge_key(field, patch, target)
        if key is None or not isinstance(target, list):
            return [copy.deepcopy(item) for item in patch if not _is_directive(item)]
        return _merge_list(target, patch, key=key)
    return copy.deepcopy(patch)


def _merge_key(field: str, patch: list[Any], target: Any) -> str | None:
    if field == "ports":
        sample = [*patch, *(target if isinstance(target, list) else [])]
        if any(isinstance(i, Mapping) and "containerPort" in i for i in sample):
            return "containerPort"
        return "port"
    return MERGE_KEYS.get(field)


def _is_directive(item: Any) -> bool:
    return isinstance(item, Mapping) and "$patch" in item


def _merge_list(target: list[Any], patch: list[Any], *, key: str) -> list[Any]:
    if any(isinstance(i, Mapping) and i.get("$patch") == "replace" for i in patch):
        return [copy.deepcopy(i) for i in patch if not _is_directive(i)]
    result = list(target)
    for item in patch:
        if not isinstance(item, Mapping) or key not in item:
            result.append(copy.deepcopy(item))
            continue
        index = next(
            (i for i, old in enumerate(result) if isinstance(old, Mapping) and old.get(key) == item[key]),
            None,
        )
        if item.get("$patch") == "delete":
            if index is not None:
                result.pop(index)
        elif index is None:
            result.append(strategic_merge_patch({}, item))
        else:
            result[index] = strategic_merge_patch(result[index], item)
    return result


def json_patch(target: Any, operations: Any) -> Any:
    """RFC 6902 add / remove / replace / move / copy / test."""
    if not isinstance(operations, list):
        raise _patch_error("json patch must be a list of operations")
    document = copy.deepcopy(target)
    for op in operations:
        if not isinstance(op, Mapping) or "op" not in op or "path" not in op:
            raise _patch_error(f"invalid json patch operation: {op!r}")
        kind, path = op["op"], str(op["path"])
        if kind == "test":
            if _get(document, path) != op.get("value"):
                raise _patch_error(f"testing value {path} failed")
        elif kind == "remove":
            _remove(document, path)
        elif kind in ("add", "replace"):
            if kind == "replace":
                _get(document, path)
            document = _add(document, path, copy.deepcopy(op.get("value")), replace=kind == "replace")
        elif kind in ("move", "copy"):
            value = copy.deepcopy(_get(document, str(op.get("from", ""))))
            if kind == "move":
                _remove(document, str(op["from"]))
            document = _add(document, path, value, replace=False)
        else:
            raise _patch_error(f"unexpected json patch operation {kind!r}")
    return document


def _pointer(path: str) -> list[str]:
    if path == "":
        return []
    if not path.startswith("/"):
        raise _patch_error(f"invalid json pointer {path!r}")
    return [p.replace("~1", "/").replace("~0", "~") for p in path[1:].split("/")]


def _get(document: Any, path: str) -> Any:
    return _walk(document, _pointer(path), path=path)


def _walk(document: Any, parts: list[str], *, path: str) -> Any:
    current = document
    for part in parts:
        try:
            current = current[int(part)] if isinstance(current, list) else current[part]
        except (KeyError, IndexError, ValueError, TypeError):
            raise _patch_error(f"missing path: {path}") from None
    return current


def _add(document: Any, path: str, value: Any, *, replace: bool) -> Any:
    parts = _pointer(path)
    if not parts:
        return value
    parent = _walk(document, parts[:-1], path=path)
    last = parts[-1]
    if isinstance(parent, list):
        if last == "-":
            parent.append(value)
        elif replace:
            parent[int(last)] = value
        else:
            parent.insert(int(last), value)
    elif isinstance(parent, dict):
        parent[last] = value
    else:
        raise _patch_error(f"cannot add at {path}")
    return document


def _remove(document: Any, path: str) -> None:
    parts = _pointer(path)
    parent = _walk(document, parts[:-1], path=path)
    try:
        if isinstance(parent, list):
            parent.pop(int(parts[-1]))
        else:
            del parent[parts[-1]]
    except (KeyError, IndexError, ValueError, TypeError):
        raise _patch_error(f"unable to remove nonexistent key: {parts[-1]}") from None


def _patch_error(message: str) -> KubeError:
    return KubeError(422, status_body(code=422, reason="Invalid", message=message))
