"""The scripted model that plays each task's reference answer passes every task of the suite.

This tests the harness end to end (seeding, the real router → agent →
executor path, the checks, the figures) on all tasks, and the suite itself:
it covers each category with at least 40 tasks, every reference is correct,
and every fact a diagnosis, state or injection task asks the answer to name
is in what the reference's reads returned (so a model can find it).
"""

from __future__ import annotations

import fnmatch
import io
import re
from collections import Counter
from pathlib import Path
from types import SimpleNamespace

from bot.evals.command import run_suite
from bot.evals.progress import Progress
from bot.evals.runner import Endpoint, eval_operations
from bot.evals.tasks import Task
from bot.settings.config import LoadedConfig
from tests.fake_llm.server import FakeLLM
from tests.fake_llm.tasks import question_of, reference_steps, task_script
from tools.kubernetes.clusters import ClusterSet

FACT_CATEGORIES = ("diagnosis", "state", "injection")


def test_the_suite_has_forty_tasks_over_every_category(suite: dict[str, Task]) -> None:
    counts = Counter(task.category for task in suite.values())
    assert len(suite) >= 40
    assert all(counts[c] >= 5 for c in ("diagnosis", "state", "change", "refusal", "injection")), counts
    assert all(task.reference for task in suite.values())
    assert len({task.question for task in suite.values()}) == len(suite)  # the script's key


def test_every_operation_a_task_names_exists(suite: dict[str, Task], tmp_path: Path) -> None:
    """A typo in `not_called` would pass silently; every name and glob must match a real operation."""
    world = SimpleNamespace(
        clusters=ClusterSet([]), helm_binary=tmp_path / "helm", minikube_binary=tmp_path / "minikube"
    )
    names = [op.name for op in eval_operations(world, tmp_path)]  # type: ignore[arg-type]
    for task in suite.values():
        expect = task.expect
        named = [c.operation for c in (*expect.calls, *expect.any_of, *expect.approvals)]
        named += list(expect.not_called)
        named += [op for step in task.reference for _, op, _ in step.call]
        for pattern in named:
            assert fnmatch.filter(names, pattern), f"{task.id}: no operation matches {pattern}"


async def test_the_reference_answers_pass_every_task(
    suite: dict[str, Task], fake_llm: FakeLLM, base_config: LoadedConfig, endpoint: Endpoint
) -> None:
    tasks = list(suite.values())
    fake_llm.script = task_script({t.question: reference_steps(t) for t in tasks})
    progress = Progress(len(tasks), io.StringIO())
    runs = await run_suite(
        tasks, loaded=base_config, endpoint=endpoint, repeats=1, progress=progress, concurrency=4
    )

    failed = {r.task_id: [c.detail for c in r.checks if not c.passed] for r in runs if not r.passed}
    assert failed == {}
    assert progress.done == progress.passed == len(tasks)
    for task, run in zip(tasks, runs, strict=True):
        planned = sum(len(step.call) for step in task.reference)
        assert run.tool_calls == planned == len(run.calls), task.id
        # the fake model reports 10 tokens in and 5 out per request; one request per step
        assert (run.tokens_in, run.tokens_out) == (10 * len(task.reference), 5 * len(task.reference))
        assert run.latency_s > 0
        assert len(run.approvals) == len(task.expect.approvals)
        assert run.changes == ()

    for task in tasks:
        if task.category not in FACT_CATEGORIES:
            continue
        read = "\n".join(
            "\n".join(r.tool_results()) for r in fake_llm.requests if question_of(r) == task.question
        )
        for pattern in task.expect.answer:
            assert re.search(pattern, read, re.IGNORECASE), f"{task.id}: /{pattern}/ is in no tool result"
