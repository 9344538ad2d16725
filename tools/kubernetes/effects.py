"""The objects a Kubernetes change touches, as `ObjectEffect`s, and the preview that shows them.

Every write preview ends here: it hands over the object as it is (`old`) and as the
server's dry run says it will be (`new`), and gets back a `Preview` whose text is its
one-line summary followed by the full per-object diff. No policy here.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from tools.base import ObjectEffect, Preview
from tools.effects import describe_effects, object_changes
from tools.kubernetes.kinds import ResourceKind


def effect_of(
    kind: ResourceKind,
    name: str,
    namespace: str | None,
    *,
    old: Mapping[str, Any] | None,
    new: Mapping[str, Any] | None,
) -> ObjectEffect:
    if old is None:
        action = "create"
    elif new is None:
        action = "delete"
    else:
        action = "update" if object_changes(old, new) else "unchanged"
    return ObjectEffect(
        action=action,
        api_version=kind.api_version,
        kind=kind.kind,
        name=name,
        namespace=namespace if kind.namespaced else None,
        old=old,
        new=new,
    )


def effect_preview(
    summary: str, effects: Sequence[ObjectEffect], *, binding: Mapping[str, str] | None = None
) -> Preview:
    """The summary line, then every object and every path that changes."""
    return Preview(
        text=f"{summary}\n{describe_effects(effects)}",
        binding=dict(binding or {}),
        effects=tuple(effects),
    )
