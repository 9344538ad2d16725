"""Bounded parsing: user text becomes a structure only within limits checked before it is built.

YAML: the text is composed into a node graph first (linear in its size;
aliases are references there, not copies), then the graph is measured as it
would be once expanded (nodes counting every alias again, and depth), with
memoisation, so a 3.7 KB "billion laughs" is refused in microseconds, before
any Python object exists. A recursive alias is refused too. JSON: size and
nesting depth are checked by one scan of the text before `json.loads`.
Each refusal is a `ParseRefused` (a ValueError) whose message is one sentence
for a person. Nothing here knows what the document means.
"""

from __future__ import annotations

import json
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, SequenceNode

MAX_BYTES = 1024 * 1024
MAX_NODES = 100_000
MAX_DEPTH = 64


class ParseRefused(ValueError):
    """The text was not parsed: too big, too deep, too many nodes once expanded, or malformed."""


def _check_size(text: str, *, what: str, max_bytes: int) -> None:
    size = len(text.encode("utf-8", "surrogatepass"))
    if size > max_bytes:
        raise ParseRefused(f"{what} is {size} bytes, more than the {max_bytes} allowed; send less")


def _measure(root: Node, *, what: str, max_nodes: int, max_depth: int) -> int:
    """The expanded node count of a composed YAML graph (depth checked), without expanding it."""
    sizes: dict[int, tuple[int, int]] = {}  # id(node) -> (expanded nodes, height)
    open_nodes: set[int] = set()

    def children(node: Node) -> list[Node]:
        if isinstance(node, SequenceNode):
            return list(node.value)
        if isinstance(node, MappingNode):
            return [part for pair in node.value for part in pair]
        return []

    def visit(node: Node, depth: int) -> tuple[int, int]:
        key = id(node)
        if key in sizes:
            return sizes[key]
        if key in open_nodes:
            raise ParseRefused(f"{what} refers to itself through a YAML alias; write it out without one")
        if depth > max_depth:
            raise ParseRefused(f"{what} is nested more than {max_depth} levels deep; flatten it")
        open_nodes.add(key)
        count, height = 1, 1
        for child in children(node):
            child_count, child_height = visit(child, depth + 1)
            count += child_count
            height = max(height, child_height + 1)
            if count > max_nodes:
                raise ParseRefused(
                    f"{what} would expand to more than {max_nodes} values (YAML aliases repeat "
                    "what they point to); write it without so many aliases"
                )
        open_nodes.discard(key)
        sizes[key] = (count, height)
        return count, height

    return visit(root, 1)[0]


def _yaml_problem(error: yaml.YAMLError, what: str) -> ParseRefused:
    mark = getattr(error, "problem_mark", None)
    where = f" at line {mark.line + 1}" if mark is not None else ""
    return ParseRefused(f"{what} is not valid YAML{where}; fix it and send it again")


def load_yaml_all(
    text: str,
    *,
    what: str = "the text",
    max_bytes: int = MAX_BYTES,
    max_nodes: int = MAX_NODES,
    max_depth: int = MAX_DEPTH,
) -> list[Any]:
    """Every document of `text` (safe types only), refused before building if past a limit.

    The node limit is for all documents together, counted as expanded."""
    _check_size(text, what=what, max_bytes=max_bytes)
    if json_depth(text) > 4 * max_depth:  # flow brackets: refuse before the recursive composer runs
        raise ParseRefused(f"{what} is nested more than {max_depth} levels deep; flatten it")
    loader = yaml.SafeLoader(text)
    documents: list[Any] = []
    left = max_nodes
    try:
        while loader.check_node():
            node = loader.get_node()
            if node is None:
                continue
            left -= _measure(node, what=what, max_nodes=left, max_depth=max_depth)
            documents.append(loader.construct_document(node))
    except yaml.YAMLError as error:
        raise _yaml_problem(error, what) from None
    except RecursionError:
        raise ParseRefused(f"{what} is nested too deeply to read; flatten it") from None
    finally:
        loader.dispose()
    return documents


def load_yaml(text: str, *, what: str = "the text", max_bytes: int = MAX_BYTES) -> Any:
    """One YAML document (None when empty), bounded like `load_yaml_all`."""
    documents = load_yaml_all(text, what=what, max_bytes=max_bytes)
    if len(documents) > 1:
        raise ParseRefused(f"{what} holds {len(documents)} YAML documents; send one")
    return documents[0] if documents else None


def json_depth(text: str) -> int:
    """The deepest nesting of [ and { outside strings (one linear scan)."""
    depth = deepest = 0
    in_string = escaped = False
    for char in text:
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif char in "]}":
            depth -= 1
    return deepest


def load_json(
    text: str | bytes, *, what: str = "the JSON", max_bytes: int = MAX_BYTES, max_depth: int = MAX_DEPTH
) -> Any:
    """`json.loads` after checking size and depth; a ParseRefused names what was wrong."""
    if isinstance(text, bytes):
        if len(text) > max_bytes:
            raise ParseRefused(f"{what} is {len(text)} bytes, more than the {max_bytes} allowed")
        text = text.decode("utf-8", "replace")
    else:
        _check_size(text, what=what, max_bytes=max_bytes)
    if json_depth(text) > max_depth:
        raise ParseRefused(f"{what} is nested more than {max_depth} levels deep")
    try:
        return json.loads(text)
    except (ValueError, RecursionError):
        raise ParseRefused(f"{what} is not valid JSON") from None
