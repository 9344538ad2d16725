"""The figures of a suite run: per task and in total, as text, JSON and a Markdown table.

Success rate, mean tool calls, tokens in and out, latency; the failures with
what the model did (its calls, the bot's outcome lines, approval rows,
changes, its answer). Pure functions over `TaskRun`s; writing files is the
caller's.
"""

from __future__ import annotations

import dataclasses
import statistics
from collections import Counter
from collections.abc import Sequence
from typing import Any

from bot.evals.runner import TaskRun

ANSWER_CHARS = 600


@dataclasses.dataclass(frozen=True)
class Figures:
    runs: int
    passed: int
    mean_tool_calls: float
    tokens_in: int
    tokens_out: int
    mean_latency_s: float
    p95_latency_s: float
    judged: int = 0  # runs the optional grader scored
    judge_mean: float | None = None  # their mean score, 0..1; apart from the success rate

    @property
    def success_rate(self) -> float:
        return self.passed / self.runs if self.runs else 0.0


def figures(runs: Sequence[TaskRun]) -> Figures:
    latencies = sorted(r.latency_s for r in runs)
    scores = [r.judge_score for r in runs if r.judge_score is not None]
    p95 = latencies[min(len(latencies) - 1, int(0.95 * len(latencies)))] if latencies else 0.0
    return Figures(
        runs=len(runs),
        passed=sum(r.passed for r in runs),
        mean_tool_calls=statistics.fmean(r.tool_calls for r in runs) if runs else 0.0,
        tokens_in=sum(r.tokens_in for r in runs),
        tokens_out=sum(r.tokens_out for r in runs),
        mean_latency_s=statistics.fmean(latencies) if latencies else 0.0,
        p95_latency_s=p95,
        judged=len(scores),
        judge_mean=statistics.fmean(scores) if scores else None,
    )


def failed_checks(runs: Sequence[TaskRun]) -> dict[str, int]:
    """How often each kind of check failed, most frequent first: where a model goes wrong."""
    counts = Counter(c.kind for r in runs for c in r.checks if not c.passed)
    return dict(counts.most_common())


def by_task(runs: Sequence[TaskRun]) -> dict[str, list[TaskRun]]:
    grouped: dict[str, list[TaskRun]] = {}
    for run in runs:
        grouped.setdefault(run.task_id, []).append(run)
    return grouped


def by_category(runs: Sequence[TaskRun]) -> dict[str, list[TaskRun]]:
    grouped: dict[str, list[TaskRun]] = {}
    for run in runs:
        grouped.setdefault(run.category, []).append(run)
    return grouped


def _row(name: str, f: Figures) -> str:
    return (
        f"{name:<44} {f.passed:>3}/{f.runs:<3} {f.success_rate:>6.0%} {f.mean_tool_calls:>6.1f} "
        f"{f.tokens_in:>9} {f.tokens_out:>8} {f.mean_latency_s:>8.2f}"
    )


def text_report(runs: Sequence[TaskRun], *, model: str) -> str:
    head = f"{'task':<44} {'passed':>7} {'rate':>6} {'calls':>6} {'tok in':>9} {'tok out':>8} {'mean s':>8}"
    lines = [f"chatops eval: model {model}", head]
    lines += [_row(task, figures(group)) for task, group in by_task(runs).items()]
    lines.append("")
    lines += [_row(f"[{name}]", figures(group)) for name, group in sorted(by_category(runs).items())]
    total = figures(runs)
    lines.append(_row("TOTAL", total))
    lines.append(f"p95 latency {total.p95_latency_s:.2f} s")
    if any(r.judge_note is not None for r in runs):
        lines += ["", *judge_section(runs)]
    failures = [r for r in runs if not r.passed]
    if failures:
        kinds = ", ".join(f"{kind} {n}" for kind, n in failed_checks(runs).items())
        lines += ["", f"FAILURES ({len(failures)}); failed checks by kind: {kinds}"]
        for run in failures:
            lines += ["", *transcript(run)]
    return "\n".join(lines)


def judge_section(runs: Sequence[TaskRun]) -> list[str]:
    """The grader's scores, apart: they never change whether a run passed."""
    lines = [
        "model-as-judge (reported apart; not part of the success rate)",
        f"{'task':<44} {'judged':>7} {'score':>6}",
    ]
    for task, group in [*by_task(runs).items(), ("TOTAL", list(runs))]:
        f = figures(group)
        score = f"{f.judge_mean:.2f}" if f.judge_mean is not None else "-"
        lines.append(f"{task:<44} {f.judged:>3}/{f.runs:<3} {score:>6}")
    return lines


def transcript(run: TaskRun) -> list[str]:
    """What the model did in a failed run, and which checks failed."""
    lines = [f"--- {run.task_id} (run {run.repeat + 1})"]
    lines += [f"  FAILED {c.kind}: {c.detail}" for c in run.checks if not c.passed]
    for operation, args in run.calls:
        shown = ", ".join(f"{k}={v}" for k, v in args.items())
        lines.append(f"  model called {operation}({shown})")
    lines += [f"  bot: {line}" for line in run.summary]
    lines += [f"  change reached the cluster: {change}" for change in run.changes]
    answer = run.answer if len(run.answer) <= ANSWER_CHARS else run.answer[: ANSWER_CHARS - 1] + "…"
    lines.append("  answer: " + (answer.replace("\n", "\n          ") or "(none)"))
    if run.judge_note is not None:
        lines.append(f"  judge: {run.judge_note}")
    return lines


def json_report(
    runs: Sequence[TaskRun], *, model: str, base_url: str | None, judge: str | None = None
) -> dict[str, Any]:
    def summary(f: Figures) -> dict[str, Any]:
        return {**dataclasses.asdict(f), "success_rate": round(f.success_rate, 4)}

    return {
        "model": model,
        "base_url": base_url,
        "judge_model": judge,
        "total": summary(figures(runs)),
        "failed_checks": failed_checks(runs),
        "categories": {name: summary(figures(g)) for name, g in sorted(by_category(runs).items())},
        "tasks": {task: summary(figures(g)) for task, g in by_task(runs).items()},
        "runs": [
            {
                **{
                    k: v
                    for k, v in dataclasses.asdict(r).items()
                    if k not in ("checks", "calls", "approvals")
                },
                "checks": [dataclasses.asdict(c) for c in r.checks],
                "calls": [{"operation": op, "args": dict(args)} for op, args in r.calls],
                "approvals": [{"operation": op, "args": dict(args)} for op, args in r.approvals],
            }
            for r in runs
        ],
    }


def markdown_report(runs: Sequence[TaskRun], *, model: str) -> str:
    """One column per figure, one row per task; reports of two models sit side by side."""
    judged = any(r.judge_note is not None for r in runs)
    judge_head, judge_rule = (" judge (apart) |", "---|") if judged else ("", "")

    def judge_cell(f: Figures) -> str:
        if not judged:
            return ""
        return f" {f.judge_mean:.2f} |" if f.judge_mean is not None else " - |"

    lines = [
        f"### chatops eval: `{model}`",
        "",
        "| task | category | passed | success | tool calls | tokens in | tokens out | latency s |"
        + judge_head,
        "|---|---|---|---|---|---|---|---|" + judge_rule,
    ]
    for task, group in by_task(runs).items():
        f = figures(group)
        lines.append(
            f"| {task} | {group[0].category} | {f.passed}/{f.runs} | {f.success_rate:.0%} | "
            f"{f.mean_tool_calls:.1f} | {f.tokens_in} | {f.tokens_out} | {f.mean_latency_s:.2f} |"
            + judge_cell(f)
        )
    t = figures(runs)
    lines.append(
        f"| **total** | | {t.passed}/{t.runs} | **{t.success_rate:.0%}** | {t.mean_tool_calls:.1f} | "
        f"{t.tokens_in} | {t.tokens_out} | {t.mean_latency_s:.2f} |" + judge_cell(t)
    )
    return "\n".join(lines) + "\n"
