"""What `k8s_get` adds to a plain listing: `-o wide|yaml|json|name` and usage columns.

Wide adds the columns kubectl's `-o wide` adds (pod IP, node addresses, images and
selectors). YAML and JSON show the same cleaned, redacted view `describe` shows (a
Secret as key names and sizes only), at most `MAX_DOCUMENTS` objects, and the gate's
output budget cuts what does not fit. Pods and nodes get CPU and memory columns when
the cluster serves metrics.k8s.io; without it the listing is unchanged. Reads only.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import Any, Literal

import yaml

from tools.base import Table
from tools.kubernetes.client import KubeClient
from tools.kubernetes.errors import KubeError
from tools.kubernetes.health import quantity
from tools.kubernetes.kinds import ResourceKind
from tools.kubernetes.render import COLUMNS

Output = Literal["wide", "yaml", "json", "name"]
Obj = Mapping[str, Any]
Row = Callable[[Obj], tuple[str, ...]]
MAX_DOCUMENTS = 50


def _m(obj: Obj, *keys: str) -> Any:
    value: Any = obj
    for key in keys:
        value = value.get(key) if isinstance(value, Mapping) else None
    return value


def _containers(obj: Obj) -> list[Obj]:
    spec = _m(obj, "spec", "template", "spec") or _m(obj, "spec") or {}
    return list(spec.get("containers") or [])


def _selector(obj: Obj) -> str:
    labels = _m(obj, "spec", "selector", "matchLabels") or _m(obj, "spec", "selector") or {}
    if not isinstance(labels, Mapping):
        return "<none>"
    return ",".join(f"{k}={v}" for k, v in labels.items() if isinstance(v, str)) or "<none>"


def _address(node: Obj, kind: str) -> str:
    for address in _m(node, "status", "addresses") or []:
        if address.get("type") == kind:
            return str(address.get("address"))
    return "<none>"


_WIDE: dict[str, tuple[tuple[str, ...], Row]] = {
    "pod": (("IP",), lambda o: (str(_m(o, "status", "podIP") or "<none>"),)),
    "node": (
        ("INTERNAL-IP", "OS-IMAGE", "KERNEL-VERSION", "CONTAINER-RUNTIME"),
        lambda o: (
            _address(o, "InternalIP"),
            str(_m(o, "status", "nodeInfo", "osImage") or "<unknown>"),
            str(_m(o, "status", "nodeInfo", "kernelVersion") or "<unknown>"),
            str(_m(o, "status", "nodeInfo", "containerRuntimeVersion") or "<unknown>"),
        ),
    ),
    "service": (("SELECTOR",), lambda o: (_selector(o),)),
}
for _kind in ("deployment", "replicaset", "statefulset", "daemonset", "job"):
    _WIDE[_kind] = (
        ("CONTAINERS", "IMAGES", "SELECTOR"),
        lambda o: (
            ",".join(str(c.get("name")) for c in _containers(o)),
            ",".join(str(c.get("image")) for c in _containers(o)),
            _selector(o),
        ),
    )


def columns_for(kind: ResourceKind, output: Output | None) -> tuple[tuple[str, ...], Row]:
    """The table's columns and row function for this kind and output."""
    columns, row = COLUMNS[kind.name]
    if output == "name":
        return ("NAME",), lambda o: (f"{kind.name}/{_m(o, 'metadata', 'name')}",)
    if output != "wide" or kind.name not in _WIDE:
        return columns, row
    extra, extra_row = _WIDE[kind.name]
    return (*columns, *extra), lambda o: (*row(o), *extra_row(o))


def structured(views: list[dict[str, Any]], output: Literal["yaml", "json"], *, single: bool) -> str:
    """One object as itself, several as a List (kubectl's shape)."""
    document: Any = views[0] if single else {"apiVersion": "v1", "kind": "List", "items": views}
    if output == "json":
        return json.dumps(document, indent=2, default=str)
    return yaml.safe_dump(document, sort_keys=False, width=200)


# --- usage columns -----------------------------------------------------------------------------


def cpu_mem(usages: list[Obj]) -> tuple[str, str]:
    cpu = sum(quantity(u.get("cpu")) for u in usages)
    mem = sum(quantity(u.get("memory")) for u in usages)
    return f"{cpu * 1000:.0f}m", f"{mem / 1024**2:.0f}Mi"


async def usage_by_name(
    client: KubeClient, metrics: ResourceKind, namespace: str | None
) -> dict[tuple[str, str], tuple[str, str]] | None:
    """(namespace, name) → (cpu, memory) from metrics.k8s.io, or None when it is not served."""
    try:
        page = await client.list_page(metrics, namespace, limit=2000)
    except KubeError:
        return None
    found: dict[tuple[str, str], tuple[str, str]] = {}
    for item in page.get("items") or []:
        key = (str(_m(item, "metadata", "namespace") or ""), str(_m(item, "metadata", "name")))
        if "containers" in item:
            found[key] = cpu_mem([c.get("usage") or {} for c in item.get("containers") or []])
        else:
            found[key] = cpu_mem([item.get("usage") or {}])
    return found


def with_usage(
    table: Table, usage: Mapping[tuple[str, str], tuple[str, str]], *, namespace: str | None
) -> Table:
    """CPU and MEMORY columns after the existing ones ('-' where a pod has no figures yet)."""
    with_ns = table.columns[:1] == ("NAMESPACE",)
    rows = []
    for row in table.rows:
        key = (row[0], row[1]) if with_ns else (namespace or "", row[0])
        if namespace is None and not with_ns:  # cluster-scoped (nodes)
            key = ("", row[0])
        rows.append((*row, *usage.get(key, ("-", "-"))))
    return Table((*table.columns, "CPU", "MEMORY"), tuple(rows))
