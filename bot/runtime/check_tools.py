"""`chatops check` for the command-line tools: are helm and minikube installed, and new enough?

Runs `helm version --short` and `minikube version --short` through the one subprocess runner.
A missing tool is reported (with the config key to set) but does not fail the check: the bot
works without it, only its `!helm` / `!minikube` commands do not. A tool older than the bot
supports does fail it.
"""

from __future__ import annotations

import re

from tools.runner import BinaryNotFound, RunnerError, run_command

MINIMUM = {"helm": (3, 8), "minikube": (1, 26)}
_VERSION = re.compile(r"v?(\d+)\.(\d+)(?:\.(\d+))?")


def parse_version(text: str) -> tuple[int, int] | None:
    found = _VERSION.search(text)
    return (int(found.group(1)), int(found.group(2))) if found else None


async def tool_line(name: str, binary: str) -> tuple[bool, str, bool]:
    """(ok, text, counts): `counts` is False when the tool is absent (not a failure of the check)."""
    key = f"{name}.binary"
    try:
        outcome = await run_command([binary, "version", "--short"], timeout_s=20, config_key=key)
    except BinaryNotFound as e:
        return True, f"{e.sentence()} (only !{name} commands need it)", False
    except RunnerError as e:
        return False, f"{binary} does not answer `version --short`: {e.sentence()}", True
    text = outcome.stdout.strip().splitlines()[0] if outcome.stdout.strip() else ""
    version = parse_version(text)
    least = ".".join(map(str, MINIMUM[name]))
    if version is None:
        return False, f"{binary} printed no version ({text[:60]!r}); set {key} to a {name} binary", True
    if version < MINIMUM[name]:
        return (
            False,
            f"{name} {text} is too old: the bot needs {least} or newer; upgrade it or set {key}",
            True,
        )
    return True, f"{name} {text} ({binary})", True
