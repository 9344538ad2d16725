"""Label and field selectors as the API server parses them.

Label selectors: `k=v`, `k==v`, `k!=v`, `k in (a,b)`, `k notin (a)`, `k`,
`!k`, comma-separated (commas inside parentheses belong to the set). Field
selectors: `path=v`, `path==v`, `path!=v` over the fields the real server
supports for each kind; anything else is refused with the real 400 message.
Pure functions over object dicts; no state.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

from tests.fake_k8s.errors import bad_request

Matcher = Callable[[Mapping[str, Any]], bool]

_KEY = r"[A-Za-z0-9]([-A-Za-z0-9_./]*[A-Za-z0-9])?"
_SET_RE = re.compile(rf"^\s*({_KEY})\s+(in|notin)\s+\(([^)]*)\)\s*$")
_EQ_RE = re.compile(rf"^\s*({_KEY})\s*(==|!=|=)\s*([-A-Za-z0-9_.]*)\s*$")
_EXISTS_RE = re.compile(rf"^\s*(!?)\s*({_KEY})\s*$")

FIELD_SELECTORS: dict[str, frozenset[str]] = {
    "Pod": frozenset(
        {
            "spec.nodeName",
            "spec.restartPolicy",
            "spec.schedulerName",
            "spec.serviceAccountName",
            "status.phase",
            "status.podIP",
            "status.nominatedNodeName",
        }
    ),
    "Event": frozenset(
        {
            "involvedObject.kind",
            "involvedObject.namespace",
            "involvedObject.name",
            "involvedObject.uid",
            "involvedObject.apiVersion",
            "involvedObject.resourceVersion",
            "involvedObject.fieldPath",
            "reason",
            "reportingComponent",
            "source",
            "type",
        }
    ),
    "Node": frozenset({"spec.unschedulable"}),
    "Secret": frozenset({"type"}),
    "Namespace": frozenset({"status.phase"}),
    "ReplicaSet": frozenset({"status.replicas"}),
    "Job": frozenset({"status.successful"}),
}
_COMMON_FIELDS = frozenset({"metadata.name", "metadata.namespace"})


def _split_requirements(selector: str) -> list[str]:
    parts: list[str] = []
    depth = 0
    current = ""
    for char in selector:
        if char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
        if char == "," and depth == 0:
            parts.append(current)
            current = ""
        else:
            current += char
    parts.append(current)
    return [p for p in parts if p.strip()]


def parse_label_selector(selector: str) -> Matcher:
    """A predicate over an object's labels; raises KubeError(400) on a malformed selector."""
    tests: list[Callable[[Mapping[str, str]], bool]] = []
    for requirement in _split_requirements(selector):
        tests.append(_label_requirement(requirement))

    def matches(obj: Mapping[str, Any]) -> bool:
        labels = (obj.get("metadata") or {}).get("labels") or {}
        return all(test(labels) for test in tests)

    return matches


def _label_requirement(text: str) -> Callable[[Mapping[str, str]], bool]:
    if m := _SET_RE.match(text):
        key, op = m.group(1), m.group(3)
        values = frozenset(v.strip() for v in m.group(4).split(",") if v.strip())
        if op == "in":
            return lambda labels: labels.get(key) in values
        return lambda labels: labels.get(key) not in values
    if m := _EQ_RE.match(text):
        key, op, value = m.group(1), m.group(3), m.group(4)
        if op == "!=":
            return lambda labels: labels.get(key) != value
        return lambda labels: labels.get(key) == value
    if m := _EXISTS_RE.match(text):
        negate, key = m.group(1) == "!", m.group(2)
        return (lambda labels: key not in labels) if negate else (lambda labels: key in labels)
    raise bad_request(f"unable to parse requirement: found '{text.strip()}', expected: in, notin, =, ==, !=")


def parse_field_selector(selector: str, *, kind: str) -> Matcher:
    """A predicate over an object's fields; raises KubeError(400) for fields the kind does not support."""
    allowed = _COMMON_FIELDS | FIELD_SELECTORS.get(kind, frozenset())
    tests: list[Matcher] = []
    for requirement in (p for p in selector.split(",") if p.strip()):
        m = re.match(r"^\s*([A-Za-z.]+)\s*(==|!=|=)\s*(.*?)\s*$", requirement)
        if m is None:
            raise bad_request(f"invalid selector: '{selector}'; can't understand '{requirement}'")
        path, op, value = m.group(1), m.group(2), m.group(3)
        if path not in allowed:
            raise bad_request(f"field label not supported: {path}")
        tests.append(_field_test(path, negate=op == "!=", value=value))
    return lambda obj: all(test(obj) for test in tests)


def field_value(obj: Mapping[str, Any], path: str) -> str:
    if path == "source":
        return str((obj.get("source") or {}).get("component") or "")
    current: Any = obj
    for part in path.split("."):
        current = current.get(part) if isinstance(current, Mapping) else None
    if isinstance(current, bool):
        return "true" if current else "false"
    return "" if current is None else str(current)


def _field_test(path: str, *, negate: bool, value: str) -> Matcher:
    if negate:
        return lambda obj: field_value(obj, path) != value
    return lambda obj: field_value(obj, path) == value
