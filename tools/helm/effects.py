"""The objects a Helm change touches: the rendered manifest against the release's current one.

Install: every rendered object is created. Upgrade and rollback: objects matched by
kind, namespace and name are changed or unchanged, new ones created, missing ones deleted
(Helm deletes what a release no longer renders). Uninstall: every object of the current
manifest is deleted. Objects without a namespace take the release's (unless their kind is
cluster-scoped). The objects are Helm's rendering, not the API server's dry-run result;
the server validated that rendering in the dry run. No helm calls here.
"""

from __future__ import annotations

from typing import Any

from tools.base import ObjectEffect
from tools.effects import object_changes
from tools.effects.kinds import is_cluster_scoped
from tools.parsing import ParseRefused, load_yaml_all

Key = tuple[str, str | None, str]


def manifest_documents(text: str, *, namespace: str) -> dict[Key, dict[str, Any]]:
    """Each object of a rendered manifest by (kind, namespace, name); unreadable text gives none."""
    try:
        documents = load_yaml_all(text or "", what="the manifest", max_bytes=64 * 1024 * 1024)
    except ParseRefused:
        return {}
    out: dict[Key, dict[str, Any]] = {}
    for document in documents:
        if not isinstance(document, dict) or "kind" not in document:
            continue
        kind = str(document["kind"])
        metadata = document.get("metadata") if isinstance(document.get("metadata"), dict) else {}
        assert isinstance(metadata, dict)
        ns = None if is_cluster_scoped(kind) else str(metadata.get("namespace") or namespace)
        out[(kind, ns, str(metadata.get("name") or "?"))] = document
    return out


def release_effects(before: str | None, after: str | None, *, namespace: str) -> list[ObjectEffect]:
    """Effects of moving a release from manifest `before` to `after` (None: no release)."""
    old = manifest_documents(before or "", namespace=namespace)
    new = manifest_documents(after or "", namespace=namespace)
    effects = []
    for key in [*new, *(k for k in old if k not in new)]:
        kind, ns, name = key
        a, b = old.get(key), new.get(key)
        if a is None:
            action = "create"
        elif b is None:
            action = "delete"
        else:
            action = "update" if object_changes(a, b) else "unchanged"
        api_version = str((b or a or {}).get("apiVersion") or "")
        effects.append(ObjectEffect(action, api_version, kind, name, ns, old=a, new=b))
    return effects
