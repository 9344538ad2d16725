"""Listing that pages through the API and summarises what does not fit.

Items are read a page at a time (`limit` / `continue`) and folded into counts
by status, the unhealthy items (all counted, the first few hundred kept) and
at most `keep` table rows, so memory stays bounded however big the cluster.
A listing that does not fit the budget becomes a summary: counts, every
unhealthy item that fits, "and N more", and how to narrow the query.
"""

from __future__ import annotations

import collections
import dataclasses
import heapq
from collections.abc import Callable
from typing import Any, Literal

from tools.base import OperationResult, Status, Table
from tools.budget import estimate_tokens
from tools.kubernetes.client import KubeClient
from tools.kubernetes.kinds import ResourceKind
from tools.kubernetes.render import COLUMNS, age_seconds, restarts, status_of, unhealthy
from tools.readable import ReadableNamespaces

SortBy = Literal["name", "age", "restarts"]
_UNHEALTHY_KEPT = 500


@dataclasses.dataclass(frozen=True)
class Collected:
    kind: ResourceKind
    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    total: int
    counts: dict[str, int]
    unhealthy: tuple[tuple[str, str], ...]  # (namespace/name, reason)
    unhealthy_total: int
    truncated: bool


def _sort_key(kind: ResourceKind, sort: SortBy, obj: dict[str, Any]) -> float:
    if sort == "restarts" and kind.name == "pod":
        return float(restarts(obj))
    if sort == "age":
        return -age_seconds(obj)  # newest first
    return 0.0


async def collect(
    client: KubeClient,
    kind: ResourceKind,
    namespace: str | None,
    *,
    label_selector: str | None = None,
    field_selector: str | None = None,
    sort: SortBy = "name",
    keep: int = 200,
    page_size: int = 500,
    max_items: int = 200_000,
    readable: ReadableNamespaces | None = None,
    layout: tuple[tuple[str, ...], Callable[[Any], tuple[str, ...]]] | None = None,
) -> Collected:
    columns, row_of = layout or COLUMNS[kind.name]
    with_ns = kind.namespaced and namespace is None
    if with_ns:
        columns = ("NAMESPACE", *columns)
    counts: collections.Counter[str] = collections.Counter()
    kept: list[tuple[float, int, tuple[str, ...]]] = []  # min-heap: keep the `keep` largest keys
    bad: list[tuple[str, str]] = []
    bad_total = total = 0
    token: str | None = None
    while True:
        page = await client.list_page(
            kind,
            namespace,
            label_selector=label_selector,
            field_selector=field_selector,
            limit=page_size,
            continue_token=token,
        )
        for obj in page.get("items") or []:
            meta = obj.get("metadata") or {}
            if with_ns and readable is not None and not readable(str(meta.get("namespace") or "")):
                continue
            total += 1
            label = f"{meta.get('namespace')}/{meta.get('name')}" if with_ns else str(meta.get("name"))
            counts[status_of(kind.name, obj)] += 1
            reason = unhealthy(kind.name, obj)
            if reason:
                bad_total += 1
                if len(bad) < _UNHEALTHY_KEPT:
                    bad.append((label, reason))
            row = row_of(obj)
            entry = (
                _sort_key(kind, sort, obj),
                -total,
                (str(meta.get("namespace")), *row) if with_ns else row,
            )
            if len(kept) < keep:
                heapq.heappush(kept, entry)
            elif sort != "name" and entry > kept[0]:
                heapq.heapreplace(kept, entry)
        token = (page.get("metadata") or {}).get("continue") or None
        if token is None or total >= max_items:
            break
    ordered = sorted(kept, reverse=True)
    if sort == "name":
        ordered = sorted(kept, key=lambda e: e[2])
    return Collected(
        kind=kind,
        columns=columns,
        rows=tuple(e[2] for e in ordered),
        total=total,
        counts=dict(counts),
        unhealthy=tuple(bad),
        unhealthy_total=bad_total,
        truncated=token is not None,
    )


def _table_tokens(columns: tuple[str, ...], rows: tuple[tuple[str, ...], ...]) -> int:
    return estimate_tokens("\n".join(" ".join(r) for r in (columns, *rows)))


def to_result(found: Collected, *, header: str, budget_tokens: int) -> OperationResult:
    plural = found.kind.plural
    if found.total == 0:
        return OperationResult(status=Status.NO_DATA, text=f"{header}\nno {plural} found")
    counts = ", ".join(f"{n} {s}" for s, n in sorted(found.counts.items(), key=lambda kv: -kv[1]))
    data: dict[str, Any] = {
        "total": found.total,
        "counts": found.counts,
        "unhealthy_total": found.unhealthy_total,
        "unhealthy": [name for name, _ in found.unhealthy[:50]],
    }
    first = f"{header}\n{found.total} {plural}" + (f": {counts}" if counts else "")
    if found.total == len(found.rows) and _table_tokens(found.columns, found.rows) + 60 < budget_tokens:
        return OperationResult(
            status=Status.OK, text=first, table=Table(found.columns, found.rows), data=data
        )
    lines = [first + (" (stopped counting at the listing limit)" if found.truncated else "")]
    if found.unhealthy_total:
        lines.append(f"{found.unhealthy_total} need attention:")
        room = budget_tokens * 3 // 4 - estimate_tokens("\n".join(lines))
        shown = 0
        for name, reason in found.unhealthy:
            line = f"- {name}: {reason}"
            room -= estimate_tokens(line) + 1
            if room < 80:
                break
            lines.append(line)
            shown += 1
        if found.unhealthy_total > shown:
            lines.append(f"… and {found.unhealthy_total - shown} more not shown")
    else:
        lines.append(f"all {found.total} look healthy")
    lines.append(
        "Too many to list: narrow with -n <namespace>, --selector app=web or --field-selector "
        "status.phase=Pending, or ask for one by name."
    )
    return OperationResult(status=Status.OK, text="\n".join(lines), data=data)
