"""The one place in the project that starts subprocesses (helm, minikube).

Commands are argument lists run with `asyncio.create_subprocess_exec`: never a
shell, always a timeout, each in a new session so a timeout kills the whole
process group. Output is captured up to a cap; lines can be streamed to a
callback while the process runs. Failures raise `RunnerError` subclasses whose
`sentence()` is one plain, redacted sentence for the chat.

This module must not know helm or minikube flags beyond masking secret
values, and must never log or return the bot's own secrets: the child gets the
bot's environment minus its own tokens.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import os
import shlex
import shutil
import signal
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from pathlib import Path

from tools.redact import redact_text
from tools.redact.keys import is_secret_key

MAX_OUTPUT_BYTES = 8 * 1024 * 1024
_CHUNK = 64 * 1024
_KILL_GRACE_S = 2.0
# The bot's own settings and tokens never reach a child process.
_BOT_ENV_PREFIXES = ("SLACK_", "DISCORD_", "OPENAI_", "ANTHROPIC_", "LANGCHAIN_", "LANGSMITH_", "CHATOPS_")
# Cloud credential chains used by kubeconfig exec plugins (aws eks get-token, …) must pass through.
_CLOUD_ENV_PREFIXES = ("AWS_", "AZURE_", "GOOGLE_", "GCP_", "CLOUDSDK_", "KUBE")
# Flags whose next value is always a secret, and flags whose `key=value` value may be.
_SECRET_FLAGS = frozenset({"--password", "--kube-token", "--token", "--pass-credentials-value"})
_SET_FLAGS = frozenset({"--set", "--set-string", "--set-json", "--set-literal"})
MASK = "[REDACTED]"

LineFn = Callable[[str], Awaitable[None]]


@dataclasses.dataclass(frozen=True)
class CommandOutcome:
    argv: tuple[str, ...]
    returncode: int
    stdout: str
    stderr: str
    duration_s: float


class RunnerError(Exception):
    """A command could not run or did not succeed."""

    def sentence(self) -> str:
        raise NotImplementedError

    def __str__(self) -> str:
        return self.sentence()


class BinaryNotFound(RunnerError):
    def __init__(self, binary: str, config_key: str) -> None:
        super().__init__(binary, config_key)
        self.binary = binary
        self.config_key = config_key

    def sentence(self) -> str:
        name = Path(self.binary).name
        where = "" if os.sep in self.binary else " on PATH"
        return (
            f"{name} was not found (looked for {self.binary!r}{where}); "
            f"install it or set {self.config_key} in the config"
        )


class CommandTimeout(RunnerError):
    def __init__(self, argv: Sequence[str], timeout_s: float) -> None:
        super().__init__(tuple(argv), timeout_s)
        self.argv = tuple(argv)
        self.timeout_s = timeout_s

    def sentence(self) -> str:
        return (
            f"`{display_argv(self.argv)}` did not finish within {self.timeout_s:g} s and was stopped; "
            "try again later or raise the timeout in the config"
        )


class CommandFailed(RunnerError):
    def __init__(self, argv: Sequence[str], returncode: int, stderr: str) -> None:
        super().__init__(tuple(argv), returncode)
        self.argv = tuple(argv)
        self.returncode = returncode
        self.stderr = stderr

    @property
    def error_line(self) -> str:
        return error_line(self.stderr)

    def sentence(self) -> str:
        detail = self.error_line or "no error message"
        return f"`{display_argv(self.argv)}` failed (exit code {self.returncode}): {detail}"


def error_line(stderr: str) -> str:
    """The tool's own error: the last `Error:` line of stderr, else its last line, redacted and capped."""
    lines = [line.strip() for line in stderr.splitlines() if line.strip()]
    errors = [line for line in lines if line.lower().startswith("error")]
    chosen = errors[-1] if errors else (lines[-1] if lines else "")
    return redact_text(chosen)[:400]


def _mask_pair(pair: str) -> str:
    """Mask the value of every `key=value` piece whose key looks secret."""
    pieces = []
    for piece in pair.split(","):
        key, sep, _ = piece.partition("=")
        pieces.append(f"{key}={MASK}" if sep and is_secret_key(key.split(".")[-1]) else piece)
    return ",".join(pieces)


def display_argv(argv: Sequence[str]) -> str:
    """The command as a shell-quoted line for people, with secret values masked."""
    shown: list[str] = []
    mask_next = mask_pair_next = False
    for arg in argv:
        if mask_next:
            shown.append(MASK)
        elif mask_pair_next:
            shown.append(_mask_pair(arg))
        else:
            flag, sep, value = arg.partition("=")
            if sep and flag in _SECRET_FLAGS:
                arg = f"{flag}={MASK}"
            elif sep and flag in _SET_FLAGS:
                arg = f"{flag}={_mask_pair(value)}"
            shown.append(arg)
        mask_next = arg in _SECRET_FLAGS
        mask_pair_next = arg in _SET_FLAGS
    return redact_text(shlex.join(shown))


def display_command(argv: Sequence[str]) -> str:
    """The command as the approval card shows it: the tool by its name, then every argument, masked."""
    return display_argv([Path(argv[0]).name, *argv[1:]]) if argv else ""


def child_environment(extra: Mapping[str, str] | None) -> dict[str, str]:
    """The bot's environment without its own secrets, plus `extra`."""
    env = {
        name: value
        for name, value in os.environ.items()
        if name.startswith(_CLOUD_ENV_PREFIXES)
        or not (name.startswith(_BOT_ENV_PREFIXES) or is_secret_key(name))
    }
    env.update(extra or {})
    return env


def resolve_binary(binary: str, *, config_key: str, path: str | None) -> str:
    if os.sep in binary:
        candidate = Path(binary).expanduser()
        if candidate.is_file() and os.access(candidate, os.X_OK):
            return str(candidate)
        raise BinaryNotFound(binary, config_key)
    found = shutil.which(binary, path=path)
    if found is None:
        raise BinaryNotFound(binary, config_key)
    return found


async def _pump(stream: asyncio.StreamReader, sink: bytearray, on_line: LineFn | None) -> None:
    """Read a stream to its end, keep at most MAX_OUTPUT_BYTES, hand complete lines to `on_line`."""
    pending = b""
    while chunk := await stream.read(_CHUNK):
        room = MAX_OUTPUT_BYTES - len(sink)
        if room > 0:
            sink.extend(chunk[:room])
        if on_line is None:
            continue
        pending += chunk
        *lines, pending = pending.split(b"\n")
        pending = pending[-_CHUNK:]
        for line in lines:
            text = line.decode("utf-8", "replace").strip()
            if text:
                await on_line(text)
    if on_line is not None and pending.strip():
        await on_line(pending.decode("utf-8", "replace").strip())


def _kill_group(process: asyncio.subprocess.Process, sig: signal.Signals) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, sig)


async def _stop(process: asyncio.subprocess.Process) -> None:
    """TERM the process group, then KILL it if it is still there after a grace period."""
    _kill_group(process, signal.SIGTERM)
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(process.wait(), timeout=_KILL_GRACE_S)
    _kill_group(process, signal.SIGKILL)
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(process.wait(), timeout=_KILL_GRACE_S)


async def run_command(
    argv: Sequence[str],
    *,
    timeout_s: float,
    config_key: str,
    env: Mapping[str, str] | None = None,
    cwd: Path | None = None,
    stdin: bytes | None = None,
    on_line: LineFn | None = None,
    check: bool = True,
) -> CommandOutcome:
    """Run `argv` (a list, never a shell string) and return what it printed.

    Raises BinaryNotFound, CommandTimeout, or (with `check`) CommandFailed.
    """
    if isinstance(argv, str) or not argv:
        raise TypeError("argv must be a non-empty list of arguments, never a shell string")
    argv = tuple(argv)
    child_env = child_environment(env)
    executable = resolve_binary(argv[0], config_key=config_key, path=child_env.get("PATH"))
    started = time.monotonic()
    try:
        process = await asyncio.create_subprocess_exec(
            executable,
            *argv[1:],
            stdin=asyncio.subprocess.PIPE if stdin is not None else asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
            env=child_env,
            cwd=cwd,
            start_new_session=True,
        )
    except (FileNotFoundError, PermissionError) as e:
        raise BinaryNotFound(argv[0], config_key) from e
    out, err = bytearray(), bytearray()
    stdout_pipe, stderr_pipe, stdin_pipe = process.stdout, process.stderr, process.stdin
    if stdout_pipe is None or stderr_pipe is None:
        raise RuntimeError("the subprocess was started without output pipes")

    async def communicate() -> None:
        pumps = asyncio.gather(_pump(stdout_pipe, out, on_line), _pump(stderr_pipe, err, on_line))
        try:
            if stdin is not None and stdin_pipe is not None:
                with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                    stdin_pipe.write(stdin)
                    await stdin_pipe.drain()
                stdin_pipe.close()
            await process.wait()
            # A daemon the tool left behind may hold the pipes open: do not wait for it.
            await asyncio.wait_for(asyncio.shield(pumps), timeout=_KILL_GRACE_S)
        except TimeoutError:
            pumps.cancel()
        finally:
            if not pumps.done():
                pumps.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await pumps

    try:
        await asyncio.wait_for(communicate(), timeout=timeout_s)
    except TimeoutError:
        await _stop(process)
        raise CommandTimeout(argv, timeout_s) from None
    except BaseException:
        await _stop(process)
        raise
    outcome = CommandOutcome(
        argv=argv,
        returncode=process.returncode if process.returncode is not None else -1,
        stdout=out.decode("utf-8", "replace"),
        stderr=err.decode("utf-8", "replace"),
        duration_s=time.monotonic() - started,
    )
    if check and outcome.returncode != 0:
        raise CommandFailed(argv, outcome.returncode, outcome.stderr)
    return outcome


def throttled(progress: LineFn, *, every_s: float = 3.0) -> LineFn:
    """A line callback that passes at most one line every `every_s` seconds to `progress`."""
    last = -every_s

    async def on_line(line: str) -> None:
        nonlocal last
        now = time.monotonic()
        if now - last >= every_s:
            last = now
            await progress(redact_text(line)[:300])

    return on_line
