"""The options of `chatops eval` (argparse only, so building the CLI parser stays cheap)."""

from __future__ import annotations

import argparse
from pathlib import Path


def add_eval_arguments(parser: argparse.ArgumentParser) -> None:
    add = parser.add_argument
    add("--model", metavar="M", help="model name (default: llm.model of the config)")
    add("--base-url", metavar="URL", help="OpenAI-compatible endpoint (default: llm.base_url of the config)")
    add(
        "--tasks",
        metavar="PATTERN",
        default="*",
        help="task ids to run: globs, comma-separated (default: all)",
    )
    add("--repeats", metavar="N", type=int, default=1, help="runs per task (default 1)")
    add(
        "--report",
        metavar="FILE.json",
        type=Path,
        default=Path("chatops-eval.json"),
        help="the JSON report (default chatops-eval.json)",
    )
    add("--markdown", metavar="FILE.md", type=Path, help="also write a Markdown table to this file")
    add("--suite", metavar="DIR", type=Path, default=None, help="task directory (default: evals/tasks)")
    add("--concurrency", metavar="N", type=int, default=1, help="tasks at once (default 1; own fakes each)")
    add("--judge-model", metavar="M", help="also score answers with this grader model (reported apart)")
    add("--judge-base-url", metavar="URL", help="the grader's endpoint (default: the one under test)")
    add("--timeout", metavar="S", type=float, default=60.0, help="seconds per model call (default 60)")
    add("--list", action="store_true", help="list the selected tasks (id, category, role, question) and stop")
    add(
        "--min-success", metavar="RATE", type=float, default=0.0, help="exit 1 below this success rate (0..1)"
    )
