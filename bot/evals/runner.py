"""One task, one run: seed the world, ask through the real router and agent, record, check.

Each run gets fresh fakes and a fresh SQLite file in a temporary directory,
so runs share nothing. The question goes through `Router.handle` as a chat
message from a person with the task's role; the agent calls operations
through the executor (reads run against the fake API, changes become approval
rows). Nobody approves, so nothing may change: the fakes' records prove it.
"""

from __future__ import annotations

import asyncio
import dataclasses
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from bot.agent.agent import Agent
from bot.app import App, build_app
from bot.domain.models import IncomingMessage, Principal, Reply
from bot.evals.checks import Check, Observed, check_run
from bot.evals.tasks import Task
from bot.evals.world import World
from bot.settings.config import LoadedConfig, Secrets, parse_settings
from tools.base import Operation, Safety

EVAL_CHANNEL = "C_EVAL"
READ_ONLY_CHANNEL = "C_EVAL_READONLY"
USERS = {
    "admin": Principal("slack", "U_EVAL_ADMIN", "Ada (admin)"),
    "operator": Principal("slack", "U_EVAL_OPERATOR", "Olive (operator)"),
    "viewer": Principal("slack", "U_EVAL_VIEWER", "Vic (viewer)"),
}
# The policy every task runs under: roles by user, a read-only channel, kube-* closed to changes.
EVAL_POLICY: dict[str, Any] = {
    "default_role": "viewer",
    "console_default_role": "viewer",
    "roles": {
        "admin": {"members": ["slack:user:U_EVAL_ADMIN"]},
        "operator": {"members": ["slack:user:U_EVAL_OPERATOR"]},
    },
    "channels": {READ_ONLY_CHANNEL: {"mode": "read-only"}},
    "rules": [
        {"safety": "write", "namespace": "kube-*", "decision": "deny"},
        {"safety": "destructive", "namespace": "kube-*", "decision": "deny"},
    ],
}
OPERATIONS_MARK = "\n\nOperations:\n"  # where the bot's own summary starts after the model's text


@dataclasses.dataclass(frozen=True)
class Endpoint:
    model: str
    base_url: str | None
    timeout_s: float = 60.0
    max_tool_calls: int = 8


@dataclasses.dataclass(frozen=True)
class TaskRun:
    task_id: str
    category: str
    repeat: int
    passed: bool
    checks: tuple[Check, ...]
    tool_calls: int
    model_calls: int
    tokens_in: int
    tokens_out: int
    latency_s: float
    answer: str
    calls: tuple[tuple[str, Mapping[str, Any]], ...]
    summary: tuple[str, ...]  # the bot's line per operation: call → ran / refused / approval requested
    approvals: tuple[tuple[str, Mapping[str, Any]], ...]
    changes: tuple[str, ...]
    error: str | None = None
    judge_score: float | None = None  # 0..1 from the optional grader model; never part of `passed`
    judge_note: str | None = None


def eval_config(base: LoadedConfig, endpoint: Endpoint, database_url: str) -> LoadedConfig:
    """The user's model settings and API key; everything else fixed so runs compare."""
    llm = base.settings.llm.model_dump(mode="json")
    llm.update(
        model=endpoint.model,
        base_url=endpoint.base_url,
        timeout_s=endpoint.timeout_s,
        max_tool_calls=endpoint.max_tool_calls,
    )
    settings = parse_settings(
        {
            "storage": {"url": database_url},
            "llm": llm,
            "policy": EVAL_POLICY,
            "limits": {"messages_per_minute": 100000, "llm_calls_per_minute": 100000},
        }
    )
    secrets = Secrets(openai_api_key=base.secrets.openai_api_key)
    return LoadedConfig(settings=settings, secrets=secrets, source=None)


def eval_operations(world: World, directory: Path) -> list[Operation]:
    from tools.helm import HelmSettings, helm_operations
    from tools.kubernetes import kubernetes_operations
    from tools.minikube import MinikubeSettings, minikube_operations

    (directory / "charts").mkdir(exist_ok=True)
    helm = HelmSettings(
        binary=str(world.helm_binary),
        repositories={"bitnami": "https://charts.bitnami.com/bitnami"},
        chart_dir=directory / "charts",
        home=directory / "helm-home",
        timeout_s=30,
    )
    minikube = MinikubeSettings(
        binary=str(world.minikube_binary), build_dir=directory / "images", timeout_s=30
    )
    return [
        *kubernetes_operations(clusters=world.clusters),
        *helm_operations(settings=helm, clusters=world.clusters),
        *minikube_operations(settings=minikube),
    ]


async def run_task(
    task: Task,
    *,
    base: LoadedConfig,
    endpoint: Endpoint,
    repeat: int = 0,
    build_lock: asyncio.Lock | None = None,
) -> TaskRun:
    """`build_lock`, shared by concurrent runs: Alembic's migration context is process-global."""
    with tempfile.TemporaryDirectory(prefix="chatops-eval-") as tmp:
        directory = Path(tmp)
        world = await World.start(task.seed, directory)
        try:
            config = eval_config(base, endpoint, f"sqlite+aiosqlite:///{directory / 'eval.db'}")
            async with build_lock or asyncio.Lock():
                app = await build_app(
                    config, operations=eval_operations(world, directory), clusters=world.clusters
                )
            try:
                return await _ask(task, app, world, repeat)
            finally:
                await app.close()
        finally:
            await world.stop()


async def _ask(task: Task, app: App, world: World, repeat: int) -> TaskRun:
    agent = app.agent
    if not isinstance(agent, Agent):
        raise RuntimeError("no language model is configured (llm.model)")
    channel = READ_ONLY_CHANNEL if task.channel == "read-only" else EVAL_CHANNEL
    message = IncomingMessage(USERS[task.user], channel, task.question, thread=f"eval-{task.id}-{repeat}")
    world.reset()
    loop = asyncio.get_running_loop()
    started = loop.time()
    replies = await app.router.handle(message)
    latency = loop.time() - started
    turn = agent.last_turn
    rows = await app.store.list_approvals(limit=100)
    changing = frozenset(op.name for op in app.registry if op.safety is not Safety.READ)
    seen = Observed(
        calls=list(turn.calls) if turn else [],
        statuses=[(o.operation or "", o.status.value) for o in turn.outcomes] if turn else [],
        approvals=[(row.operation, dict(row.args)) for row in reversed(rows)],
        changes=world.changes(),
        answer=model_text(replies),
        changing_operations=changing,
    )
    checks = check_run(task.expect, seen)
    registry = app.metrics.registry
    tokens = {
        d: int(registry.get_sample_value("chatops_llm_tokens_total", {"direction": d}) or 0)
        for d in ("input", "output")
    }
    return TaskRun(
        task_id=task.id,
        category=task.category,
        repeat=repeat,
        passed=all(c.passed for c in checks),
        checks=tuple(checks),
        tool_calls=turn.tool_calls if turn else 0,
        model_calls=turn.model_calls if turn else 0,
        tokens_in=tokens["input"],
        tokens_out=tokens["output"],
        latency_s=latency,
        answer=seen.answer,
        calls=tuple(seen.calls),
        summary=tuple(_summary(replies)),
        approvals=tuple(seen.approvals),
        changes=tuple(seen.changes),
    )


def model_text(replies: list[Reply]) -> str:
    """The model's own words: the first reply up to the bot's operations summary."""
    if not replies:
        return ""
    return replies[0].text.split(OPERATIONS_MARK, 1)[0]


def _summary(replies: list[Reply]) -> list[str]:
    if not replies or OPERATIONS_MARK not in replies[0].text:
        return []
    lines = replies[0].text.split(OPERATIONS_MARK, 1)[1].splitlines()
    return [line.removeprefix("• ") for line in lines if line.strip()]


def failed_run(task: Task, repeat: int, error: str) -> TaskRun:
    """A run that could not finish (the harness or the endpoint failed): counted as a failure."""
    check = Check("completed", False, error)
    return TaskRun(
        task.id, task.category, repeat, False, (check,), 0, 0, 0, 0, 0.0, "", (), (), (), (), error
    )
