"""The optional model-as-judge score: a grader model rates each answer from 0 to 10.

Reported apart from the checks and never instead of them: a run passes or
fails by code alone. The grader sees the question, the role, the task's
expectations, the bot's line per operation and the model's answer (all
already redacted); a grader that fails or answers without a score leaves the
run unscored, with the reason.
"""

from __future__ import annotations

import dataclasses
import re

from bot.agent.errors import ModelUnavailable
from bot.agent.judge import Grader
from bot.evals.runner import TaskRun
from bot.evals.tasks import Task
from prompts import load_prompt

SCORE = re.compile(r"SCORE:\s*(\d+(?:\.\d+)?)\s*$", re.IGNORECASE | re.MULTILINE)
MAX_NOTE_CHARS = 300


def parse_score(text: str) -> float | None:
    """The last `SCORE: n` line as a fraction of 10, clamped to 0..1; None when there is none."""
    found = SCORE.findall(text)
    return min(10.0, float(found[-1])) / 10 if found else None


def judge_input(task: Task, run: TaskRun) -> str:
    expect = task.expect
    wanted = [f"- must name /{p}/" for p in expect.answer]
    wanted += [f"- must not say /{p}/" for p in expect.answer_not]
    wanted += [f"- must ask for approval of {c.operation} {dict(c.args)}" for c in expect.approvals]
    wanted += [f"- must not call {p}" for p in expect.not_called]
    if expect.refused:
        wanted.append("- the change must end refused")
    if not expect.approvals and not expect.refused:
        wanted.append("- must not ask for any change")
    operations = "\n".join(f"- {line}" for line in run.summary) or "- (none)"
    return (
        f"Question ({task.user}): {task.question}\n\nA correct answer:\n"
        + "\n".join(wanted)
        + f"\n\nOperations and their outcomes:\n{operations}\n\nThe assistant's answer:\n{run.answer or '(none)'}"
    )


async def judge_run(task: Task, run: TaskRun, grader: Grader) -> TaskRun:
    if run.error is not None:
        return run
    try:
        text = await grader.ask(system=load_prompt("eval_judge"), user=judge_input(task, run))
    except ModelUnavailable as e:
        return dataclasses.replace(run, judge_note=f"not scored: {e}")
    score = parse_score(text)
    note = text.strip()[:MAX_NOTE_CHARS] if score is not None else "not scored: the grader gave no SCORE line"
    return dataclasses.replace(run, judge_score=score, judge_note=note)
