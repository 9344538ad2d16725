"""The options of `chatops eval` (argparse only, so building the CLI parser stays cheap)."""

from __future__ import annotations

import argparse
from pathlib import Path


def add_eval_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--model", help="model name (default: llm.model of the config)")
    parser.add_argument("--base-url", help="OpenAI-compatible endpoint (default: llm.base_url of the config)")
    parser.add_argument("--tasks", default="*", help="task ids to run: globs, comma-separated (default: all)")
    parser.add_argument("--repeats", type=int, default=1, help="runs per task (default 1)")
    parser.add_argument(
        "--report",
        type=Path,
        default=Path("chatops-eval.json"),
        help="JSON report (default chatops-eval.json)",
    )
    parser.add_argument("--markdown", type=Path, help="also write a Markdown table to this file")
    parser.add_argument("--suite", type=Path, default=None, help="task directory (default: evals/tasks)")
    parser.add_argument(
        "--concurrency", type=int, default=1, help="tasks run at once (default 1; each has its own fakes)"
    )
    parser.add_argument(
        "--judge-model", help="also score each answer with this grader model (reported apart from the checks)"
    )
    parser.add_argument("--judge-base-url", help="the grader's endpoint (default: the one under test)")
    parser.add_argument("--timeout", type=float, default=60.0, help="seconds per model call (default 60)")
    parser.add_argument(
        "--min-success", type=float, default=0.0, help="exit 1 below this success rate (0..1)"
    )
