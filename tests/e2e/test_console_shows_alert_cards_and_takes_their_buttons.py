"""`chatops chat` with the alerts section on, end to end on piped stdin against the fake Kubernetes API.

The real CLI in a subprocess leads the alerts (SQLite's one process) and prints their cards on the
console: a crash-looping pod the watch sees is one card, an alert already in the database is one card
(its control characters shown, never executed) whose buttons are printed as the lines that press them;
`!ack <fingerprint>` typed by the console user is the same click a chat button is, recorded as theirs.
With `alerts.receiver.console_port` set, Alertmanager's webhook reaches the console too.
"""

from __future__ import annotations

import asyncio
import re
import socket
import sys
from pathlib import Path
from typing import Any

from bot.alerts.receiver import to_input
from bot.app import build_app
from storage.records import AuditFilter
from tests.core.fixtures import make_config
from tests.e2e.test_console_on_piped_stdin import ROOT
from tests.fake_alertmanager.webhook import firing, notification, send
from tests.fake_k8s import builders as b
from tests.fake_k8s.podstatus import pod_status
from tests.fake_k8s.server import FakeKubernetes
from tools.alertmanager.webhook import WebhookAlert

TOKEN = "console-hook-token-5d1e9a7c"
ALERT = firing(
    "KubePodCrashLooping",
    namespace="prod",
    pod="batch-oom",
    severity="critical",
    summary="batch-oom restarts \x1b]0;pwned\x07 again",
)
FP = str(ALERT["fingerprint"])
PATTERN_ACK = re.compile(r"!ack ([A-Za-z0-9_-]+)")


def write_config(tmp_path: Path, kubeconfig: Path, *, console_port: int | None = None) -> Path:
    receiver = "{bearer_token_env: CHATOPS_ALERTS_TOKEN" + (
        f", console_port: {console_port}}}" if console_port else "}"
    )
    config = tmp_path / "config.yaml"
    config.write_text(
        f"storage: {{url: 'sqlite+aiosqlite:///{tmp_path / 'bot.db'}'}}\n"
        f"clusters: [{{name: fake, kubeconfig: '{kubeconfig}', context: fake, default_namespace: prod}}]\n"
        "alerts:\n"
        "  enabled: true\n"
        f"  receiver: {receiver}\n"
        "  default_places: [{platform: console, channel: console}]\n"
        "  poll_interval_s: 0.1\n"
        "  watch: {enabled: true, kinds: [pods], namespaces: [shop], timeout_s: 60}\n"
    )
    return config


def crashing_pod(name: str) -> dict[str, Any]:
    container = b.container(name, "ghcr.io/example/shop:1.0")
    status = pod_status({"containers": [container]}, mode="crashloop", restarts=3)
    return b.pod(
        name, "shop", containers=[container], labels={"app": name}, node_name="node-1", status=status
    )


async def start_console(config: Path) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "--config",
        str(config),
        "chat",
        "--user",
        "alice",
        cwd=ROOT,
        env={"PATH": "/usr/bin:/bin", "HOME": str(config.parent), "CHATOPS_ALERTS_TOKEN": TOKEN},
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )


async def read_until(proc: asyncio.subprocess.Process, seen: str, *wanted: str) -> str:
    """Read the console's output until every `wanted` text has appeared (generous per-line timeout)."""
    assert proc.stdout is not None
    while not all(w in seen for w in wanted):
        line = await asyncio.wait_for(proc.stdout.readline(), timeout=60)
        assert line, f"the console exited early: {seen}"
        seen += line.decode()
    return seen


async def test_the_console_prints_the_cards_and_ack_records_the_console_user(
    tmp_path: Path, fake_k8s: FakeKubernetes, fake_kubeconfig: Path
) -> None:
    config = write_config(tmp_path, fake_kubeconfig)
    fake_k8s.add(b.namespace("shop"))
    fake_k8s.add(crashing_pod("checkout"))
    seeded = await build_app(make_config(f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}"))
    await seeded.store.alerts.upsert(to_input(WebhookAlert.model_validate(ALERT)))
    await seeded.close()

    proc = await start_console(config)
    assert proc.stdin is not None
    seen = await read_until(
        proc, "", "CrashLoopBackOff: Pod shop/checkout (cluster fake)", "FIRING: KubePodCrashLooping"
    )
    found = PATTERN_ACK.search(seen)
    assert found is not None and found.group(1) == FP, seen
    for command in (f"!investigate {FP}", f"!silence {FP} 1h", f"!silence {FP} resolved"):
        assert command in seen
    proc.stdin.write(f"!ack {FP}\n".encode())
    await proc.stdin.drain()
    seen = await read_until(proc, seen, "alice acknowledged KubePodCrashLooping.")
    proc.stdin.close()
    rest, err = await asyncio.wait_for(proc.communicate(), timeout=60)
    out = seen + rest.decode()
    assert proc.returncode == 0, err.decode()
    assert out.count("CrashLoopBackOff: Pod shop/checkout") == 1
    assert "\x1b" not in out and "\\x1b]0;pwned\\x07" in out
    assert not fake_k8s.mutations()

    after = await build_app(make_config(f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}"))
    try:
        alert = await after.store.alerts.get(FP)
        assert alert is not None and alert.acknowledged_by == "alice (console:alice)"
        facts = await after.store.list_audit(AuditFilter(event="alert.acknowledged"))
        assert [(f.user_id, f.channel) for f in facts] == [("alice", "console")]
    finally:
        await after.close()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def test_with_a_console_port_alertmanagers_webhook_reaches_the_console(
    tmp_path: Path, fake_k8s: FakeKubernetes, fake_kubeconfig: Path
) -> None:
    port = free_port()
    proc = await start_console(write_config(tmp_path, fake_kubeconfig, console_port=port))
    assert proc.stdin is not None
    url = f"http://127.0.0.1:{port}/alerts/alertmanager"
    status = 0
    for _ in range(600):  # until the console listens (it starts in a second or two)
        try:
            status, _ = await send(url, notification(ALERT), bearer=TOKEN)
            break
        except OSError:
            await asyncio.sleep(0.1)
    assert status == 200
    seen = await read_until(proc, "", "FIRING: KubePodCrashLooping", f"!ack {FP}")
    proc.stdin.close()
    rest, err = await asyncio.wait_for(proc.communicate(), timeout=60)
    assert proc.returncode == 0, err.decode()
    assert (seen + rest.decode()).count("FIRING: KubePodCrashLooping") == 1


async def test_watch_typed_on_the_console_subscribes_it_and_the_watch_prints_the_card(
    tmp_path: Path, fake_k8s: FakeKubernetes, fake_kubeconfig: Path
) -> None:
    """No watch and no place in the config: `!watch shop` typed on the console is what starts the
    watch and sends the crash-looping pod's card to the console."""
    config = tmp_path / "config.yaml"
    config.write_text(
        f"storage: {{url: 'sqlite+aiosqlite:///{tmp_path / 'bot.db'}'}}\n"
        f"clusters: [{{name: fake, kubeconfig: '{fake_kubeconfig}', context: fake, default_namespace: prod}}]\n"
        "alerts:\n"
        "  enabled: true\n"
        "  receiver: {bearer_token_env: CHATOPS_ALERTS_TOKEN}\n"
        "  poll_interval_s: 0.1\n"
        "  watch: {timeout_s: 60}\n"
    )
    fake_k8s.add(b.namespace("shop"))
    fake_k8s.add(crashing_pod("checkout"))
    proc = await start_console(config)
    assert proc.stdin is not None
    proc.stdin.write(b"!watch shop\n")
    await proc.stdin.drain()
    seen = await read_until(proc, "", "CrashLoopBackOff: Pod shop/checkout (cluster fake)")
    proc.stdin.close()
    rest, err = await asyncio.wait_for(proc.communicate(), timeout=60)
    out = seen + rest.decode()
    assert proc.returncode == 0, err.decode()
    assert out.count("CrashLoopBackOff: Pod shop/checkout") == 1
    assert not fake_k8s.mutations()
