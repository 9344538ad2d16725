"""kill -9 between any two commits of the approval path: nothing runs twice, nothing is stranded untold.

The real `chatops chat` in a subprocess, the real kubernetes client against the
fake API (which counts writes). `CHATOPS_CRASH_AT` names the commit after which
the process kills itself with SIGKILL (storage/faults.py). A restarted bot on
the same database then settles what the dead one left, and the test asserts:
the change reached the cluster at most once; the row is final, or still
pending where the person can approve it again; every settled row is among
those the restarted bot announces; the audit chain verifies.
"""

from __future__ import annotations

import asyncio
import os
import re
import signal
import sys
from pathlib import Path

import pytest

from bot.app import build_app
from bot.gate.approvals import explain_state
from bot.settings.config import load_config
from storage.records import ApprovalState
from tests.core.helpers import msg
from tests.fake_k8s.server import FakeKubernetes

ROOT = Path(__file__).parents[2]

# Every commit of `!approve` (one approver needed), in order.
APPROVE_BOUNDARIES = [
    "approval.approver_added",
    "approval.approved",
    "audit.approval.decided",
    "approval.executing",
    "audit.execution.started",
    "approval.succeeded",
    "audit.execution.finished",
    "audit.reply.sent@2",  # the first reply.sent is the card's
]


def write_config(tmp_path: Path, url: str, kubeconfig: Path) -> Path:
    config = tmp_path / "config.yaml"
    config.write_text(
        f"storage: {{url: '{url}'}}\n"
        f"clusters: [{{name: fake, kubeconfig: '{kubeconfig}', context: fake, default_namespace: prod}}]\n"
    )
    return config


async def file_then_approve_until_killed(config: Path, boundary: str) -> str:
    """Ask for a change in a console, approve it; the console dies at `boundary`. Returns the id."""
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "--config",
        str(config),
        "chat",
        "--user",
        "alice",
        cwd=ROOT,
        env={**os.environ, "CHATOPS_CRASH_AT": boundary},
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    assert proc.stdin and proc.stdout
    proc.stdin.write(b"!scale deployment web --replicas 4\n")
    await proc.stdin.drain()
    seen = ""
    while "[Approve] [Deny]" not in seen:
        line = await asyncio.wait_for(proc.stdout.readline(), timeout=60)
        assert line, f"the bot exited before showing the card: {seen}"
        seen += line.decode()
    match = re.search(r"!approve ([a-z0-9]{8})", seen)
    assert match
    proc.stdin.write(f"!approve {match.group(1)}\n".encode())
    proc.stdin.close()
    await asyncio.wait_for(proc.communicate(), timeout=60)
    assert proc.returncode == -signal.SIGKILL, f"the bot was not killed at {boundary}"
    return match.group(1)


# On PostgreSQL, the commits that move the row (the audit commits between them behave the same
# on both databases, and each kill costs a bot start: the suite's time is kept for the rest).
POSTGRES_BOUNDARIES = [b for b in APPROVE_BOUNDARIES if b.startswith("approval.")]


@pytest.mark.parametrize("boundary", APPROVE_BOUNDARIES)
async def test_sigkill_after_each_commit_then_restart_sqlite(
    boundary: str, sqlite_url: str, tmp_path: Path, fake_k8s: FakeKubernetes, fake_kubeconfig: Path
) -> None:
    await kill_restart_and_check(boundary, sqlite_url, tmp_path, fake_k8s, fake_kubeconfig)


@pytest.mark.postgres
@pytest.mark.parametrize("boundary", POSTGRES_BOUNDARIES)
async def test_sigkill_after_each_commit_then_restart_postgres(
    boundary: str, postgres_url: str, tmp_path: Path, fake_k8s: FakeKubernetes, fake_kubeconfig: Path
) -> None:
    await kill_restart_and_check(boundary, postgres_url, tmp_path, fake_k8s, fake_kubeconfig)


async def kill_restart_and_check(
    boundary: str, database_url: str, tmp_path: Path, fake_k8s: FakeKubernetes, fake_kubeconfig: Path
) -> None:
    config = write_config(tmp_path, database_url, fake_kubeconfig)
    approval_id = await file_then_approve_until_killed(config, boundary)
    writes = [r for r in fake_k8s.mutations() if "deployments/web" in r.path]
    assert len(writes) <= 1

    app = await build_app(load_config(config))
    try:
        announced = {row.id: row for row in await app.start()}
        row = await app.store.get_approval(approval_id)
        assert row is not None
        if row.state is ApprovalState.PENDING:
            # Killed before the row left pending: approving again finishes it, once.
            again = await app.router.handle(msg(f"!approve {approval_id}", "alice"))
            assert "scaled" in again[0].text or "4" in again[0].text, again[0].text
            row = await app.store.get_approval(approval_id)
            assert row is not None
        assert row.state.is_final, f"{approval_id} stranded in {row.state.value} after a kill at {boundary}"
        writes = [r for r in fake_k8s.mutations() if "deployments/web" in r.path]
        assert len(writes) <= 1, f"the change reached the cluster {len(writes)} times"
        if row.state is ApprovalState.SUCCEEDED:
            assert len(writes) == 1
        else:  # settled by the restarted bot: it must say so to the requester
            assert len(writes) == 0 or row.state is ApprovalState.OUTCOME_UNKNOWN
            assert approval_id in announced
            assert "nothing ran" in explain_state(row) or "outcome is unknown" in explain_state(row)
        again = await app.router.handle(msg(f"!approve {approval_id}", "alice"))
        assert "already" in again[0].text or "nothing ran" in again[0].text or "unknown" in again[0].text
        assert len([r for r in fake_k8s.mutations() if "deployments/web" in r.path]) == len(writes)
        report = await app.store.verify_audit()
        assert report.ok, report.problem
    finally:
        await app.close()
