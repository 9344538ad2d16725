"""`chatops eval`: run the task suite against a model, print the figures, write the reports.

Expected failures (no model configured, no task matched, not a source
checkout, a file that cannot be written) become one sentence and exit code 2;
a task that fails to run counts as a failed run with its reason. Exit code 1
when the success rate is under `--min-success`.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import sys
from pathlib import Path
from typing import TextIO

from bot.agent.judge import Grader
from bot.evals.judge import judge_run
from bot.evals.progress import Progress
from bot.evals.report import figures, json_report, markdown_report, text_report
from bot.evals.runner import Endpoint, TaskRun, eval_config, failed_run, run_task
from bot.evals.tasks import DEFAULT_SUITE, Task, TaskError, load_suite
from bot.evals.world import WorldUnavailable, check_available
from bot.settings.config import ConfigError, LoadedConfig

log = logging.getLogger(__name__)


class EvalError(Exception):
    """One sentence for the person; exit code 2."""


def endpoint_for(loaded: LoadedConfig, args: argparse.Namespace) -> Endpoint:
    model = args.model or loaded.settings.llm.model
    if not model:
        raise EvalError("no model to evaluate: pass --model, or set llm.model in the config")
    if args.repeats < 1:
        raise EvalError("--repeats must be 1 or more")
    if args.concurrency < 1:
        raise EvalError("--concurrency must be 1 or more")
    return Endpoint(
        model=model,
        base_url=args.base_url or loaded.settings.llm.base_url,
        timeout_s=args.timeout,
        max_tool_calls=loaded.settings.llm.max_tool_calls,
    )


def select_tasks(args: argparse.Namespace) -> list[Task]:
    patterns = [p.strip() for p in str(args.tasks).split(",") if p.strip()]
    try:
        tasks = load_suite(args.suite or DEFAULT_SUITE, patterns)
    except TaskError as e:
        raise EvalError(str(e)) from e
    if not tasks:
        raise EvalError(f"no task id matches {args.tasks!r}; the ids are in {args.suite or DEFAULT_SUITE}")
    return tasks


async def check_model(loaded: LoadedConfig, endpoint: Endpoint) -> None:
    """Before the suite: the endpoint answers and calls tools, else one sentence (no 40 failed runs)."""
    from bot.agent.probe import probe_model

    ok, text = await probe_model(eval_config(loaded, endpoint, "sqlite+aiosqlite://"))
    if not ok:
        raise EvalError(text)


def grader_for(loaded: LoadedConfig, endpoint: Endpoint, args: argparse.Namespace) -> Grader | None:
    if not args.judge_model:
        return None
    judge = Endpoint(
        model=args.judge_model,
        base_url=args.judge_base_url or endpoint.base_url,
        timeout_s=endpoint.timeout_s,
    )
    try:
        return Grader(eval_config(loaded, judge, "sqlite+aiosqlite://"))
    except ConfigError as e:
        raise EvalError(f"the judge model: {e}") from e


async def run_suite(
    tasks: list[Task],
    *,
    loaded: LoadedConfig,
    endpoint: Endpoint,
    repeats: int,
    progress: Progress,
    concurrency: int = 1,
    grader: Grader | None = None,
) -> list[TaskRun]:
    """Every task `repeats` times, `concurrency` at a time; runs share nothing, results keep task order."""
    slots = asyncio.Semaphore(concurrency)
    build_lock = asyncio.Lock()

    async def one(task: Task, repeat: int) -> TaskRun:
        async with slots:
            try:
                run = await run_task(
                    task, base=loaded, endpoint=endpoint, repeat=repeat, build_lock=build_lock
                )
            except Exception as e:  # one task's failure is a failed run, not the end of the suite
                log.debug("task %s failed to run", task.id, exc_info=True)
                run = failed_run(task, repeat, f"the run failed: {type(e).__name__}: {str(e)[:200]}")
            if grader is not None:
                run = await judge_run(task, run, grader)
            progress.step(task.id, passed=run.passed)
            return run

    return list(await asyncio.gather(*(one(t, r) for r in range(repeats) for t in tasks)))


async def run_eval(
    loaded: LoadedConfig, args: argparse.Namespace, *, out: TextIO | None = None, err: TextIO | None = None
) -> int:
    out, err = out or sys.stdout, err or sys.stderr
    try:
        if args.list:
            for task in select_tasks(args):
                print(f"{task.id:<36} {task.category:<10} {task.user:<9} {task.question}", file=out)
            return 0
        endpoint = endpoint_for(loaded, args)
        tasks = select_tasks(args)
        check_available()
        await check_model(loaded, endpoint)
        grader = grader_for(loaded, endpoint, args)
        progress = Progress(len(tasks) * args.repeats, err)
        runs = await run_suite(
            tasks,
            loaded=loaded,
            endpoint=endpoint,
            repeats=args.repeats,
            progress=progress,
            concurrency=args.concurrency,
            grader=grader,
        )
        _write(
            args.report,
            json.dumps(
                json_report(runs, model=endpoint.model, base_url=endpoint.base_url, judge=args.judge_model),
                indent=2,
            ),
        )
        if args.markdown:
            _write(args.markdown, markdown_report(runs, model=endpoint.model))
    except (EvalError, WorldUnavailable) as e:
        print(f"chatops eval: {e}", file=err)
        return 2
    print(text_report(runs, model=endpoint.model), file=out)
    print(f"report written to {args.report}", file=out)
    return 1 if figures(runs).success_rate < args.min_success else 0


def _write(path: Path, text: str) -> None:
    try:
        path.write_text(text, encoding="utf-8")
    except OSError as e:
        raise EvalError(f"cannot write {path}: {e.strerror or e}") from e
