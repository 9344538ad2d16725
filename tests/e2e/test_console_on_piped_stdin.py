"""End to end through `chatops chat` on piped stdin, against the fake Kubernetes API.

The real CLI in a subprocess, the real kubernetes client over HTTP: a person
looks, asks for a change, approves it from the printed card, and the audit
trail verifies afterwards.
"""

from __future__ import annotations

import asyncio
import os
import re
import sys
from pathlib import Path

from tests.fake_k8s.server import FakeKubernetes

ROOT = Path(__file__).parents[2]


def write_config(tmp_path: Path, kubeconfig: Path) -> Path:
    config = tmp_path / "config.yaml"
    config.write_text(
        f"storage: {{url: 'sqlite+aiosqlite:///{tmp_path / 'bot.db'}'}}\n"
        f"clusters: [{{name: fake, kubeconfig: '{kubeconfig}', context: fake, default_namespace: prod}}]\n"
    )
    return config


async def chatops(*args: str, stdin: bytes = b"", env: dict[str, str] | None = None) -> tuple[int, str, str]:
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        *args,
        cwd=ROOT,
        env={**os.environ, **(env or {})},
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(proc.communicate(stdin), timeout=120)
    return proc.returncode or 0, out.decode(), err.decode()


async def test_help_whoami_history_on_defaults(tmp_path: Path) -> None:
    code, out, err = await chatops(
        "--config",
        str(write_config(tmp_path, tmp_path / "none")),
        "chat",
        "--user",
        "alice",
        stdin=b"!help\n!whoami\n!history\n!frobnicate\nwhat is wrong with my pods?\n",
    )
    assert code == 0, err
    assert "!scale deployment" in out and "!approve" in out
    assert "Role: admin" in out
    assert "Your last 2 messages" in out
    assert "Unknown command '!frobnicate'" in out
    assert "No language model is configured" in out
    assert "Traceback" not in out + err


async def test_look_change_approve_and_verify(
    tmp_path: Path, fake_k8s: FakeKubernetes, fake_kubeconfig: Path
) -> None:
    config = write_config(tmp_path, fake_kubeconfig)
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
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    assert proc.stdin and proc.stdout
    proc.stdin.write(b"!get deployments\n!scale deployment web --replicas 4\n")
    await proc.stdin.drain()
    seen = ""
    while "[Approve] [Deny]" not in seen:
        line = await asyncio.wait_for(proc.stdout.readline(), timeout=60)
        assert line, f"bot exited early: {seen}"
        seen += line.decode()
    found = re.search(r"!approve ([a-z0-9]{8})", seen)
    assert found is not None, seen
    approval_id = found.group(1)
    assert "replicas 2 → 4" in seen
    assert not fake_k8s.mutations(), "nothing may change before the approval"
    proc.stdin.write(f"!approve {approval_id}\n!approve {approval_id}\n".encode())
    proc.stdin.close()
    rest, err = await asyncio.wait_for(proc.communicate(), timeout=60)
    out = seen + rest.decode()
    assert proc.returncode == 0, err.decode()
    assert "web" in out and "fake / prod" in out
    assert "already approved by alice" in out
    scale_calls = [r for r in fake_k8s.mutations() if "deployments/web" in r.path]
    assert len(scale_calls) == 1
    code, verify, _ = await chatops("--config", str(config), "audit", "verify")
    assert code == 0 and "intact" in verify
    code, listing, _ = await chatops(
        "--config", str(config), "audit", "list", "--operation", "k8s_scale_deployment"
    )
    assert "approval.requested" in listing and "execution.finished" in listing
