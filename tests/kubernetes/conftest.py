"""Fixtures for the Kubernetes operations: the real client against the fake API server."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import pytest

from tests.fake_k8s.server import FakeKubernetes
from tools.base import KubeIdentity, Operation, OperationResult, Preview, RunContext
from tools.kubernetes import kubernetes_operations
from tools.kubernetes.clusters import ClusterSet

RunFn = Callable[..., Awaitable[OperationResult]]
PreviewFn = Callable[..., Awaitable[Preview]]


@pytest.fixture
def ops(fake_cluster_set: ClusterSet) -> dict[str, Operation]:
    return {op.name: op for op in kubernetes_operations(clusters=fake_cluster_set, request_timeout_s=5.0)}


def context(
    *, binding: dict[str, str] | None = None, identity: KubeIdentity | None = None, budget: int = 2000
) -> RunContext:
    return RunContext(request_id="test", binding=binding or {}, identity=identity, budget_tokens=budget)


@pytest.fixture
def run(ops: dict[str, Operation]) -> RunFn:
    """`await run("k8s_get", kind="pod", namespace="prod")` through parse_args and run()."""

    async def call(op_name: str, /, *, ctx: RunContext | None = None, **raw: Any) -> OperationResult:
        op = ops[op_name]
        return await op.run(op.parse_args(raw), ctx or context())

    return call


@pytest.fixture
def preview(ops: dict[str, Operation]) -> PreviewFn:
    async def call(op_name: str, /, *, ctx: RunContext | None = None, **raw: Any) -> Preview:
        op = ops[op_name]
        assert op.preview is not None
        return await op.preview(op.parse_args(raw), ctx or context())

    return call


def everything(result: OperationResult) -> str:
    """All text a result carries, for leak and content checks."""
    parts = [result.text, result.code or "", result.error or "", repr(result.data), repr(result.prior_state)]
    if result.table is not None:
        parts += [" ".join(result.table.columns), *(" ".join(row) for row in result.table.rows)]
    if result.undo is not None:
        parts.append(repr(result.undo.args))
    return "\n".join(parts)


__all__ = ["FakeKubernetes", "context", "everything"]
