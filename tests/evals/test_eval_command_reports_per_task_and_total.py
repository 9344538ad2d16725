"""`chatops eval` end to end: options, progress on stderr, figures on stdout, JSON and Markdown files.

The command runs in a worker thread (it owns its event loop, as from a
shell) while the scripted model answers from the test's loop. Expected
failures are one sentence and exit code 2, never a traceback.
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest

from bot.evals.tasks import Task
from bot.runtime.cli import main
from tests.fake_llm.server import FakeLLM
from tests.fake_llm.tasks import reference_steps, task_script

CHOSEN = ("change-scale", "diag-oomkilled", "refusal-viewer-scale")


async def test_eval_prints_figures_and_writes_both_reports(
    suite: dict[str, Task], fake_llm: FakeLLM, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    scripts = {suite[t].question: reference_steps(suite[t]) for t in CHOSEN[:2]}
    fake_llm.script = task_script(scripts)  # refusal-viewer-scale gets no script: it fails
    report, markdown = tmp_path / "report.json", tmp_path / "table.md"
    argv = ["eval", "--model", "fake-model", "--base-url", fake_llm.base_url, "--tasks", ",".join(CHOSEN)]
    argv += ["--repeats", "2", "--report", str(report), "--markdown", str(markdown), "--min-success", "0.5"]
    code = await asyncio.to_thread(main, argv)
    out, err = capsys.readouterr()

    assert code == 0  # 4 of 6 passed, above --min-success 0.5
    assert "[1/6] change-scale ok" in err and "[6/6] refusal-viewer-scale FAIL" in err
    lines = out.splitlines()
    assert lines[0] == "chatops eval: model fake-model"
    assert next(line for line in lines if line.startswith("change-scale")).split()[1:3] == ["2/2", "100%"]
    assert next(line for line in lines if line.startswith("refusal-viewer-scale")).split()[1:3] == [
        "0/2",
        "0%",
    ]
    assert next(line for line in lines if line.startswith("TOTAL")).split()[1:3] == ["4/6", "67%"]
    assert "FAILURES (2); failed checks by kind: answer 2" in out
    assert "FAILED answer: answer does not name" in out

    document = json.loads(report.read_text())
    assert document["model"] == "fake-model" and document["base_url"] == fake_llm.base_url
    assert document["total"]["runs"] == 6 and document["total"]["passed"] == 4
    assert document["failed_checks"] == {"answer": 2}
    assert document["tasks"]["diag-oomkilled"]["mean_tool_calls"] == 1.0
    assert document["categories"]["change"]["success_rate"] == 1.0
    assert {r["task_id"] for r in document["runs"]} == set(CHOSEN)
    scale = next(r for r in document["runs"] if r["task_id"] == "change-scale")
    assert scale["approvals"] == [
        {
            "operation": "k8s_scale_deployment",
            "args": {"cluster": "fake", "namespace": "prod", "name": "web", "replicas": 4},
        }
    ]
    assert scale["tokens_in"] == 20 and scale["tokens_out"] == 10

    table = markdown.read_text().splitlines()
    assert table[0] == "### chatops eval: `fake-model`"
    assert "| change-scale | change | 2/2 | 100% | 1.0 | 40 | 20 |" in "\n".join(table)
    assert table[-1].startswith("| **total** | | 4/6 | **67%** |")


async def test_eval_exits_1_under_the_minimum_success_rate(
    suite: dict[str, Task], fake_llm: FakeLLM, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    fake_llm.script = task_script({})  # answers the probe, then no task
    argv = ["eval", "--model", "m", "--base-url", fake_llm.base_url, "--tasks", "change-scale"]
    code = await asyncio.to_thread(main, [*argv, "--report", str(tmp_path / "r.json"), "--min-success", "1"])
    assert code == 1 and "TOTAL" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--tasks", "no-such-*"], "chatops eval: no task id matches 'no-such-*'"),
        (["--repeats", "0"], "chatops eval: --repeats must be 1 or more"),
        (["--concurrency", "0"], "chatops eval: --concurrency must be 1 or more"),
        (["--suite", "/nonexistent"], "chatops eval: no task directory at /nonexistent"),
        (["--report", "/nonexistent/dir/r.json", "--tasks", "diag-oomkilled"], "chatops eval: cannot write"),
    ],
)
async def test_expected_failures_are_one_sentence_and_exit_2(
    extra: list[str], message: str, fake_llm: FakeLLM, capsys: pytest.CaptureFixture[str]
) -> None:
    fake_llm.script = task_script({})
    code = await asyncio.to_thread(main, ["eval", "--model", "m", "--base-url", fake_llm.base_url, *extra])
    err = capsys.readouterr().err
    assert code == 2
    assert message in err and "Traceback" not in err


def test_a_model_that_cannot_be_reached_stops_before_the_suite(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["eval", "--model", "m", "--base-url", "http://127.0.0.1:9/v1", "--timeout", "1"]
    assert main([*argv, "--report", str(tmp_path / "r.json")]) == 2
    err = capsys.readouterr().err
    assert err.startswith("chatops eval: model m at http://127.0.0.1:9/v1 does not answer: ")
    assert err.count("\n") == 1
    assert not (tmp_path / "r.json").exists()


def test_without_a_model_it_says_how_to_name_one(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["eval"]) == 2
    assert capsys.readouterr().err == (
        "chatops eval: no model to evaluate: pass --model, or set llm.model in the config\n"
    )


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "- {id: x1, category: state, question: hello there, expect: {answer: ['(']}}",
            "task x1: expect.answer",
        ),
        ("- {id: x2, category: nonsense, question: hello there, expect: {}}", "task x2: category"),
        ("- {id: x3, category: state, question: hi there, expect: {}, extra: 1}", "task x3: extra"),
        ("id: x4", "a task file holds a list of tasks"),
    ],
)
def test_a_bad_task_file_names_the_file_and_the_task(
    text: str, message: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "bad.yaml").write_text(text)
    assert main(["eval", "--model", "m", "--suite", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"chatops eval: {tmp_path / 'bad.yaml'}: ") and message in err, err


def test_a_task_file_that_is_not_yaml_names_the_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "bad.yaml").write_text("- id: x5\n  question: [unclosed\n")
    assert main(["eval", "--model", "m", "--suite", str(tmp_path)]) == 2
    assert capsys.readouterr().err == f"chatops eval: {tmp_path / 'bad.yaml'}: not valid YAML at line 3\n"


def test_list_shows_the_selected_tasks_without_a_model(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["eval", "--list", "--tasks", "refusal-viewer-*"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 4 and all(line.split()[1:3] == ["refusal", "viewer"] for line in lines)
    assert lines[0].split(None, 3) == [
        "refusal-viewer-scale",
        "refusal",
        "viewer",
        "Scale web in prod to 6 replicas.",
    ]
