"""The registry as a few coarse tools the model can see within its token budget.

One tool per operation would cost thousands of prompt tokens, so operations
are grouped by domain (the name's prefix: `k8s`, `helm`, `minikube`, …) and
by whether they only read: `k8s_read`, `k8s_change`, `helm_read`, … Each tool
takes `operation` (an enum of the group's operation names) and `args` (an
object checked against the chosen operation's own pydantic model when it is
called). The grouping is a presentation only: the safety of a call is the
chosen operation's declared safety, applied by the executor. Nothing here
runs anything.
"""

from __future__ import annotations

import dataclasses
import types
import typing
from collections.abc import Iterable
from typing import Any

from tools.base import Operation, Safety

COMMON_ARGS = ("cluster", "namespace")
MAX_LINE_CHARS = 110
_DOMAIN_TITLES = {
    "k8s": "Kubernetes",
    "helm": "Helm",
    "minikube": "Minikube",
    "prom": "Prometheus",
    "am": "Alertmanager",
}


@dataclasses.dataclass(frozen=True)
class ToolGroup:
    name: str
    description: str
    operations: tuple[Operation, ...]
    changes: bool

    def names(self) -> list[str]:
        return [op.name for op in self.operations]

    def get(self, name: str) -> Operation | None:
        return next((op for op in self.operations if op.name == name), None)

    def parameters(self) -> dict[str, Any]:
        """The JSON schema of the tool's arguments, as the model sees it."""
        return {
            "type": "object",
            "properties": {
                "operation": {"type": "string", "enum": self.names()},
                "args": {"type": "object", "description": "the operation's arguments"},
            },
            "required": ["operation"],
            "additionalProperties": False,
        }


def domain_of(operation: Operation) -> str:
    return operation.name.split("_", 1)[0] if "_" in operation.name else "misc"


def _type_hint(annotation: Any) -> str:
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType):
        inner = [a for a in typing.get_args(annotation) if a is not type(None)]
        return _type_hint(inner[0]) if len(inner) == 1 else ""
    if annotation is bool:
        return "bool"
    if annotation is int:
        return "int"
    if origin is typing.Literal:
        return "|".join(str(v) for v in typing.get_args(annotation))
    if origin in (list, tuple) or annotation in (list, tuple):
        return "list"
    if origin is dict or annotation is dict:
        return "map"
    return ""


def signature(operation: Operation, *, typed: bool = False) -> str:
    """`k8s_scale_deployment(name*, replicas*)`: the common cluster/namespace left out."""
    parts = []
    for name, field in operation.args_model.model_fields.items():
        if name in COMMON_ARGS:
            continue
        part = name + ("*" if field.is_required() else "")
        hint = _type_hint(field.annotation) if typed else ""
        parts.append(f"{part}:{hint}" if hint else part)
    return f"{operation.name}({', '.join(parts)})"


def _line(operation: Operation) -> str:
    summary = operation.description.split(". ")[0].rstrip(".")
    line = f"{signature(operation)} {summary}"
    return line if len(line) <= MAX_LINE_CHARS else line[: MAX_LINE_CHARS - 1] + "…"


def _describe(domain: str, changes: bool, operations: Iterable[Operation]) -> str:
    title = _DOMAIN_TITLES.get(domain, domain)
    head = (
        f"{title} changes. A call files an approval request; nothing runs until a person approves."
        if changes
        else f"{title} reads; they run at once."
    )
    return "\n".join([head, *(_line(op) for op in operations)])


def group_operations(operations: Iterable[Operation]) -> list[ToolGroup]:
    """Coarse tools: one per domain and kind (read / change), in registry order."""
    buckets: dict[tuple[str, bool], list[Operation]] = {}
    for operation in operations:
        if not operation.for_agent:
            continue
        key = (domain_of(operation), operation.safety is not Safety.READ)
        buckets.setdefault(key, []).append(operation)
    return [
        ToolGroup(
            name=f"{domain}_{'change' if changes else 'read'}",
            description=_describe(domain, changes, ops),
            operations=tuple(ops),
            changes=changes,
        )
        for (domain, changes), ops in buckets.items()
    ]


def find_group(groups: Iterable[ToolGroup], operation: str) -> ToolGroup | None:
    return next((g for g in groups if g.get(operation) is not None), None)
