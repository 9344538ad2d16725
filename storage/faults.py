"""A deliberate fault-injection point: stop this process right after a named commit.

`crash_point(name)` is called by the repositories just after a write committed
(`approval.approved`, `approval.executing`, `audit.execution.started`, …). When
the environment variable `CHATOPS_CRASH_AT` names that boundary, the process
kills itself with SIGKILL, exactly as `kill -9` would: no cleanup, no flush;
`NAME@N` waits for the Nth time that boundary is passed.
Crash tests use it to prove that every commit boundary of the approval path
is recoverable. Unset (always, outside those tests), it costs one dict lookup.
It must never be set in production; nothing else in the bot reads it.
"""

from __future__ import annotations

import collections
import os
import signal

CRASH_ENV = "CHATOPS_CRASH_AT"
_passed: collections.Counter[str] = collections.Counter()


def crash_point(name: str) -> None:
    target = os.environ.get(CRASH_ENV)
    if not target:
        return
    wanted, _, nth = target.partition("@")
    if wanted != name:
        return
    _passed[name] += 1
    if _passed[name] >= int(nth or 1):
        os.kill(os.getpid(), signal.SIGKILL)
