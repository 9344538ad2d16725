"""`--judge-model`: a grader scores each answer, reported apart; it never changes pass or fail."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest

from bot.evals.judge import parse_score
from bot.evals.tasks import Task
from bot.runtime.cli import main
from tests.fake_llm import LLMRequest, Say, Step
from tests.fake_llm.server import FakeLLM
from tests.fake_llm.tasks import reference_steps, task_script


@pytest.mark.parametrize(
    ("text", "score"),
    [
        ("Right cause.\nSCORE: 7", 0.7),
        ("SCORE: 3\nno, SCORE: 10", 1.0),
        ("SCORE: 42", 1.0),
        ("looks fine", None),
    ],
)
def test_the_last_score_line_counts(text: str, score: float | None) -> None:
    assert parse_score(text) == score


async def test_the_graders_scores_sit_beside_the_checks(
    suite: dict[str, Task], fake_llm: FakeLLM, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    tasks = suite["diag-oomkilled"], suite["change-scale"]
    play = task_script({tasks[0].question: reference_steps(tasks[0])})  # change-scale: unscripted, fails
    graded: list[LLMRequest] = []

    def script(request: LLMRequest) -> Step:
        if request.body.get("model") != "grader":
            return play(request)
        graded.append(request)
        return Say("Names the cause.\nSCORE: 8" if "OOMKilled" in request.text() else "No answer.")

    fake_llm.script = script
    report, markdown = tmp_path / "r.json", tmp_path / "t.md"
    argv = ["eval", "--model", "m", "--base-url", fake_llm.base_url, "--judge-model", "grader"]
    argv += ["--tasks", "diag-oomkilled,change-scale", "--report", str(report), "--markdown", str(markdown)]
    assert await asyncio.to_thread(main, argv) == 0
    out = capsys.readouterr().out

    assert len(graded) == 2
    sent = next(r for r in graded if "batch-7c4d8" in r.text()).messages
    assert sent[0]["content"].startswith("You grade one answer of a Kubernetes ChatOps assistant")
    assert "Question (admin): batch-7c4d8 in prod keeps restarting." in sent[1]["content"]
    assert (
        "- [read] k8s_diagnose(cluster=fake, kind=pod, name=batch-7c4d8, namespace=prod) → ok"
        in sent[1]["content"]
    )

    section = out[out.index("model-as-judge (reported apart; not part of the success rate)") :]
    assert next(line for line in section.splitlines() if line.startswith("diag-oomkilled")).split()[1:] == [
        "1/1",
        "0.80",
    ]
    assert next(line for line in section.splitlines() if line.startswith("change-scale")).split()[1:] == [
        "0/1",
        "-",
    ]
    assert "judge: not scored: the grader gave no SCORE line" in out
    document = json.loads(report.read_text())
    assert document["judge_model"] == "grader"
    assert document["total"]["passed"] == 1  # the checks alone decide
    assert document["tasks"]["diag-oomkilled"]["judge_mean"] == 0.8
    assert document["tasks"]["change-scale"]["judge_mean"] is None
    assert "| judge (apart) |" in markdown.read_text()
