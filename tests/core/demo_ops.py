"""A tiny in-memory backend with read / write / destructive operations, for core tests.

It is a real backend for the operation contract (state, preview with a
binding, resourceVersion precondition, undo), not a mock of the core.
"""

from __future__ import annotations

import asyncio
import dataclasses
from pathlib import Path

from pydantic import Field

from tools.base import (
    CommandSpec,
    NamespacedArgs,
    Operation,
    OperationResult,
    Preview,
    RunContext,
    Safety,
    Status,
    Table,
    UndoPlan,
)


@dataclasses.dataclass
class Backend:
    replicas: dict[str, int] = dataclasses.field(default_factory=lambda: {"web": 2, "api": 1, "db": 1})
    versions: dict[str, int] = dataclasses.field(default_factory=lambda: {"web": 1, "api": 1, "db": 1})
    runs: list[tuple[str, dict[str, object]]] = dataclasses.field(default_factory=list)
    started_flag: Path | None = None  # the slow op writes it when it starts, for crash tests
    slow_seconds: float = 0.0
    scale_started: asyncio.Event = dataclasses.field(default_factory=asyncio.Event)  # a scale began to run
    hold: asyncio.Event | None = None  # a scale, once started, waits for this (a change still running)


class ScaleArgs(NamespacedArgs):
    name: str = Field(max_length=63)
    replicas: int = Field(ge=0, le=1000)


class GetArgs(NamespacedArgs):
    name: str | None = None


class DeleteArgs(NamespacedArgs):
    name: str = Field(max_length=63)


def demo_operations(backend: Backend) -> list[Operation]:
    async def get(args: GetArgs, ctx: RunContext) -> OperationResult:
        backend.runs.append(("get", args.model_dump()))
        rows = tuple((n, str(r)) for n, r in sorted(backend.replicas.items()) if args.name in (None, n))
        if not rows:
            return OperationResult(Status.NO_DATA, f"no app named {args.name}")
        return OperationResult(Status.OK, f"{len(rows)} app(s)", table=Table(("name", "replicas"), rows))

    async def scale_preview(args: ScaleArgs, ctx: RunContext) -> Preview:
        if args.name not in backend.replicas:
            return Preview(text=f"app {args.name} not found", ok=False)
        before = backend.replicas[args.name]
        return Preview(
            text=f"app/{args.name}: replicas {before} → {args.replicas}",
            binding={"resourceVersion": str(backend.versions[args.name])},
        )

    async def scale(args: ScaleArgs, ctx: RunContext) -> OperationResult:
        if ctx.binding.get("resourceVersion") != str(backend.versions.get(args.name)):
            return OperationResult.failure(
                call="demo_scale", message=f"app/{args.name} changed since approval; ask again"
            )
        if backend.started_flag is not None:
            backend.started_flag.write_text("started")
        backend.scale_started.set()
        if backend.hold is not None:
            await backend.hold.wait()
        if backend.slow_seconds:
            await asyncio.sleep(backend.slow_seconds)
        before = backend.replicas[args.name]
        backend.replicas[args.name] = args.replicas
        backend.versions[args.name] = backend.versions.get(args.name, 0) + 1
        backend.runs.append(("scale", args.model_dump()))
        return OperationResult(
            Status.OK,
            f"app/{args.name} scaled {before} → {args.replicas}",
            undo=UndoPlan(
                "demo_scale",
                {"name": args.name, "replicas": before, "namespace": args.namespace},
                f"scale back to {before}",
            ),
        )

    async def delete_preview(args: DeleteArgs, ctx: RunContext) -> Preview:
        if args.name not in backend.replicas:
            return Preview(text=f"app {args.name} not found", ok=False)
        return Preview(
            text=f"app/{args.name} will be deleted",
            binding={"resourceVersion": str(backend.versions[args.name])},
        )

    async def delete(args: DeleteArgs, ctx: RunContext) -> OperationResult:
        backend.replicas.pop(args.name, None)
        backend.versions[args.name] = backend.versions.get(args.name, 0) + 1
        backend.runs.append(("delete", args.model_dump()))
        return OperationResult(Status.OK, f"app/{args.name} deleted")

    return [
        Operation(
            "demo_get",
            "List demo apps.",
            Safety.READ,
            GetArgs,
            get,
            CommandSpec(("demo", "get"), positionals=("name",)),
            kind="app",
        ),
        Operation(
            "demo_scale",
            "Scale a demo app.",
            Safety.WRITE,
            ScaleArgs,
            scale,
            CommandSpec(("demo", "scale"), positionals=("name",)),
            preview=scale_preview,
            kind="app",
            escalate=lambda a: Safety.DESTRUCTIVE if a.replicas == 0 else Safety.WRITE,
        ),
        Operation(
            "demo_delete",
            "Delete a demo app.",
            Safety.DESTRUCTIVE,
            DeleteArgs,
            delete,
            CommandSpec(("demo", "delete"), positionals=("name",)),
            preview=delete_preview,
            kind="app",
        ),
    ]
