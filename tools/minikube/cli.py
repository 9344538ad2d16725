"""How the minikube tools call the minikube CLI: argv, JSON, progress events, errors.

Calls go through `tools.runner.run_command` as argument lists. `start --output=json`
prints one CloudEvent per line (steps, downloads, warnings, errors); `Progress`
turns those into short, throttled progress lines for the chat and keeps the
last error event so a failure names minikube's own reason. This module never
decides what is allowed; the argument models and the operations do.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from tools.base import ProgressFn
from tools.ledger import command_allowed, record_command
from tools.minikube.settings import CONFIG_KEY, MinikubeSettings
from tools.redact import redact_text
from tools.runner import (
    CommandFailed,
    CommandOutcome,
    RunnerError,
    display_argv,
    display_command,
    run_command,
    throttled,
)

PROGRESS_EVERY_S = 3.0
# No emoji, no spinner, no update check: plain lines a bot can read.
_ENV = {"MINIKUBE_IN_STYLE": "false", "MINIKUBE_WANTUPDATENOTIFICATION": "false"}


class MinikubeError(Exception):
    """A minikube call that could not be made or did not succeed; `str()` is one plain sentence."""


# minikube commands that only read; every other command changes something and runs only as approved.
_READS = (("status",), ("profile", "list"), ("addons", "list"), ("image", "ls"), ("version",))


def _mutating(args: Sequence[str]) -> bool:
    return not any(tuple(args[: len(read)]) == read for read in _READS)


def describe_event(line: str) -> tuple[str, bool]:
    """A progress line from one line of `--output=json` (or plain) output, and whether it is an error."""
    try:
        event = json.loads(line)
    except json.JSONDecodeError:
        return line, False
    if not isinstance(event, dict):
        return line, False
    data = event.get("data") or {}
    kind = str(event.get("type", "")).rpartition(".")[2]
    message = str(data.get("message") or "").strip()
    if kind == "step":
        return f"step {data.get('currentstep')}/{data.get('totalsteps')}: {message}", False
    if kind == "progress":
        return f"downloading {data.get('artifact', '')} {data.get('progress', '')}".strip(), False
    if kind == "error":
        return message or str(data.get("name") or "error"), True
    return message or line, False


def failure_detail(stdout: str, stderr: str) -> str:
    """minikube's own reason: the last error event, else the `Exiting due to` line, else the last line."""
    for line in reversed(stdout.splitlines()):
        text, is_error = describe_event(line.strip())
        if is_error:
            return redact_text(text)[:400]
    lines = [line.strip() for line in (stderr + "\n" + stdout).splitlines() if line.strip()]
    exiting = [line for line in lines if "Exiting due to" in line or line.lower().startswith("error")]
    chosen = exiting[-1] if exiting else (lines[-1] if lines else "no error message")
    return redact_text(chosen)[:400]


class Progress:
    """Forwards output lines to the chat, at most one every few seconds."""

    def __init__(self, progress: ProgressFn, *, every_s: float = PROGRESS_EVERY_S) -> None:
        self._send = throttled(progress, every_s=every_s)

    async def __call__(self, line: str) -> None:
        text, _ = describe_event(line)
        if text:
            await self._send(text)


class MinikubeCli:
    def __init__(self, settings: MinikubeSettings) -> None:
        self.settings = settings

    def plan(self, *commands: Sequence[str]) -> str:
        """Record the exact commands a change's run will execute; return the card's line showing them."""
        lines = []
        for args in commands:
            argv = [self.settings.binary, *args]
            record_command(argv)
            lines.append(f"`{display_command(argv)}`")
        return "Runs: " + ", then ".join(lines)

    async def run(
        self,
        args: Sequence[str],
        *,
        timeout_s: float | None = None,
        progress: ProgressFn | None = None,
        check: bool = True,
    ) -> CommandOutcome:
        argv = [self.settings.binary, *args]
        if _mutating(args) and not command_allowed(argv):
            raise MinikubeError(
                f"`{display_command(argv)}` is not the command the approved card showed; it was not run, "
                "and nothing more is; ask again to see the new preview"
            )
        try:
            return await run_command(
                argv,
                timeout_s=timeout_s or self.settings.read_timeout_s,
                config_key=CONFIG_KEY,
                env=_ENV,
                on_line=Progress(progress) if progress is not None else None,
                check=check,
            )
        except CommandFailed as e:
            detail = failure_detail("", e.stderr)
            raise MinikubeError(
                f"`{display_argv(e.argv)}` failed (exit code {e.returncode}): {detail}"
            ) from e
        except RunnerError as e:
            raise MinikubeError(e.sentence()) from e

    async def run_events(
        self, args: Sequence[str], *, timeout_s: float, progress: ProgressFn
    ) -> CommandOutcome:
        """A long command with `--output=json`: progress while it runs, minikube's reason when it fails."""
        outcome = await self.run(
            [*args, "--output=json"], timeout_s=timeout_s, progress=progress, check=False
        )
        if outcome.returncode != 0:
            detail = failure_detail(outcome.stdout, outcome.stderr)
            raise MinikubeError(
                f"`{display_argv(outcome.argv)}` failed (exit code {outcome.returncode}): {detail}"
            )
        return outcome

    async def run_json(self, args: Sequence[str], *, check: bool = True) -> Any:
        outcome = await self.run([*args, "--output=json"], check=check)
        try:
            return json.loads(outcome.stdout)
        except json.JSONDecodeError:
            if outcome.returncode != 0:
                detail = failure_detail(outcome.stdout, outcome.stderr)
                raise MinikubeError(
                    f"`{display_argv(outcome.argv)}` failed (exit code {outcome.returncode}): {detail}"
                ) from None
            raise MinikubeError(f"`{display_argv(outcome.argv)}` printed output that is not JSON") from None
