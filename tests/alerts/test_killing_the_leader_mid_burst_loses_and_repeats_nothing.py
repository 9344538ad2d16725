"""Two real `chatops run` processes on one PostgreSQL database, both watching the fake Kubernetes API
and both receiving Alertmanager's webhooks, cards on the fake Slack: the leader is killed with SIGKILL
in the middle of a burst of Warning events and alerts. The other takes the advisory lock once the dead
one's connection is gone and resumes from the stored watch positions. In the end every object and
every alert has exactly one card, and every event — before, during and after the hand-over — is
counted on its object's card. (The leader is killed while it updates cards, not in the instant between
posting a new card and saving where it landed: a card posted in that instant is posted again by the next
leader, as no chat API takes an idempotency key.)"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from tests.fake_alertmanager.webhook import firing, notification, resolved, send
from tests.fake_k8s import builders as b
from tests.fake_k8s.server import FakeKubernetes
from tests.fake_slack.plugin import fake_slack  # noqa: F401  (a fixture)
from tests.fake_slack.server import APP_TOKEN, BOT_TOKEN, FakeSlack
from tests.service.test_chatops_run_serves_slack_and_stops_on_sigterm import free_port

pytestmark = pytest.mark.postgres

ROOT = Path(__file__).parents[2]
NS, CHANNEL, TOKEN = "shop", "C-SHOP", "hook-token-5c1e9a7f3b2d"
PODS, EVENTS_EACH, ALERTS = 30, 8, 12
WAIT_S = 45.0  # generous: a loaded 2-core box; nothing below is timed, only waited for


def config_text(url: str, kubeconfig: Path, port: int, slack_api: str) -> str:
    return f"""
storage: {{url: '{url}'}}
clusters: [{{name: fake, kubeconfig: '{kubeconfig}', context: fake, default_namespace: {NS}}}]
server: {{host: 127.0.0.1, port: {port}, instance_lease_s: 6}}
slack: {{enabled: true, mode: socket, api_base_url: '{slack_api}'}}
alerts:
  enabled: true
  receiver: {{bearer_token_env: CHATOPS_ALERTS_TOKEN}}
  default_places: [{{platform: slack, channel: {CHANNEL}}}]
  flood: {{new_cards_per_minute: 1000}}
  poll_interval_s: 0.2
  watch: {{enabled: true, kinds: [events], namespaces: [{NS}], timeout_s: 60}}
"""


class Replica:
    def __init__(self, proc: asyncio.subprocess.Process, port: int) -> None:
        self.proc = proc
        self.base = f"http://127.0.0.1:{port}"

    async def metric(self, http: aiohttp.ClientSession, line_start: str) -> float:
        with contextlib.suppress(aiohttp.ClientError):
            async with http.get(f"{self.base}/metrics") as r:
                for line in (await r.text()).splitlines():
                    if line.startswith(line_start):
                        return float(line.rsplit(" ", 1)[1])
        return 0.0

    async def leads(self, http: aiohttp.ClientSession) -> bool:
        gained = await self.metric(http, 'chatops_alert_leader_changes_total{change="gained"}')
        lost = await self.metric(http, 'chatops_alert_leader_changes_total{change="lost"}')
        return gained > lost


@pytest.fixture
async def replicas(
    tmp_path: Path,
    postgres_url: str,
    fake_k8s: FakeKubernetes,
    fake_kubeconfig: Path,
    fake_slack: FakeSlack,  # noqa: F811
) -> AsyncIterator[list[Replica]]:
    fake_k8s.add(b.namespace(NS))
    env = {
        **os.environ,
        "SLACK_BOT_TOKEN": BOT_TOKEN,
        "SLACK_APP_TOKEN": APP_TOKEN,
        "CHATOPS_ALERTS_TOKEN": TOKEN,
        "KUBECONFIG": str(tmp_path / "no-kubeconfig"),
    }
    started: list[Replica] = []
    try:
        for n in range(2):
            port = free_port()
            config = tmp_path / f"replica-{n}.yaml"
            config.write_text(config_text(postgres_url, fake_kubeconfig, port, fake_slack.api_url))
            proc = await asyncio.create_subprocess_exec(
                sys.executable,
                "-m",
                "bot",
                "--config",
                str(config),
                "run",
                cwd=ROOT,
                env=env,
                stdout=asyncio.subprocess.DEVNULL,
                stderr=open(tmp_path / f"replica-{n}.log", "wb"),  # noqa: SIM115 (the child keeps it)
            )
            started.append(Replica(proc, port))
        async with aiohttp.ClientSession() as http:
            await until(lambda: all_ready(http, started), what="both replicas ready")
        yield started
    finally:
        for replica in started:
            if replica.proc.returncode is None:
                replica.proc.send_signal(signal.SIGTERM)
        for replica in started:
            try:
                await asyncio.wait_for(replica.proc.wait(), timeout=30)
            except TimeoutError:
                replica.proc.kill()
                await replica.proc.wait()


async def all_ready(http: aiohttp.ClientSession, started: list[Replica]) -> bool:
    for replica in started:
        try:
            async with http.get(f"{replica.base}/readyz") as r:
                if r.status != 200:
                    return False
        except aiohttp.ClientError:
            return False
    return True


async def until(check: Any, *, what: str, timeout: float = WAIT_S) -> None:
    """Wait for a condition (a coroutine function returning bool), polling; fail naming it."""
    deadline = asyncio.get_running_loop().time() + timeout
    while not await check():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"waited {timeout:g} s for {what}")
        await asyncio.sleep(0.1)


def warning(fake: FakeKubernetes, pod: str, n: int) -> None:
    message = f"Readiness probe failed: HTTP probe failed with statuscode: 503 (#{n})"
    fake.add(b.event(NS, kind="Pod", name=pod, reason="Unhealthy", message=message, count=1))


def alert(n: int) -> dict[str, Any]:
    return firing(f"Burst{n:02d}", namespace=NS, pod=f"pod-{n:02d}", severity="warning")


def seen(message: dict[str, Any]) -> str | None:
    for block in message.get("blocks") or []:
        for field in block.get("fields") or []:
            text = str(field.get("text", ""))
            if text.startswith("*Seen*"):
                return text.split("\n", 1)[1]
    return None


def cards(fake: FakeSlack) -> dict[str, list[dict[str, Any]]]:
    """Each card's subject (pod or alert name) → the messages posted for it, as they read now."""
    found: dict[str, list[dict[str, Any]]] = {}
    for call in fake.calls_to("chat.postMessage"):
        ts = fake.result_of(call).get("ts")
        if ts is None:
            continue
        now = fake.messages[(CHANNEL, ts)]
        text = str(now.get("text") or "")
        if "Pod shop/" in text:
            found.setdefault(text.split("Pod shop/")[1].split(" ")[0], []).append(now)
        elif "Burst" in text:
            found.setdefault("Burst" + text.split("Burst")[1][:2], []).append(now)
    return found


async def test_killing_the_leader_mid_burst_loses_and_repeats_nothing(
    replicas: list[Replica],
    fake_k8s: FakeKubernetes,
    fake_slack: FakeSlack,  # noqa: F811
) -> None:
    async with aiohttp.ClientSession() as http:

        async def one_leads() -> bool:
            return sum([await r.leads(http) for r in replicas]) == 1

        await until(one_leads, what="one replica to lead")
        await fake_k8s.watch.wait_streams(1)
        leader, other = (replicas[0], replicas[1]) if await replicas[0].leads(http) else replicas[::-1]

        async def alerts_to_both(*alerts: dict[str, Any]) -> None:
            for replica in replicas:
                if replica.proc.returncode is None:
                    status, _ = await send(
                        f"{replica.base}/alerts/alertmanager", notification(*alerts), bearer=TOKEN
                    )
                    assert status == 200

        killed, calls_at_kill = False, 0
        for n in range(1, EVENTS_EACH + 1):
            for pod in range(PODS):
                warning(fake_k8s, f"pod-{pod:02d}", n)
                if pod % 10 == 0:
                    await asyncio.sleep(0.02)  # a burst, not one lump: the kill lands among events
            if n == 3:
                # Killed while it updates cards (its positions for this round unsaved), not between
                # posting a card and saving where it landed: no chat API takes an idempotency key,
                # so a post in that window would be posted again by the next leader.
                await until(
                    lambda: asyncio.sleep(
                        0,
                        len(fake_slack.calls_to("chat.postMessage")) == PODS + 4
                        and bool(fake_slack.calls_to("chat.update")),
                    ),
                    what="the leader to be at work",
                )
                leader.proc.send_signal(signal.SIGKILL)
                await leader.proc.wait()
                calls_at_kill = len(fake_slack.calls)
                killed = True
            if n <= ALERTS // 2:
                await alerts_to_both(alert(2 * n - 2), alert(2 * n - 1))
            if n == 6:
                await alerts_to_both(*(resolved(alert(i)) for i in range(0, ALERTS, 3)))
        assert killed

        await until(lambda: other.leads(http), what="the other replica to take over")

    want = {f"pod-{i:02d}": f"{EVENTS_EACH} times" for i in range(PODS)}
    resolved_names = {f"Burst{i:02d}" for i in range(0, ALERTS, 3)}

    def settled() -> bool:
        now = cards(fake_slack)
        pods_ok = all(len(now.get(p, [])) >= 1 and seen(now[p][-1]) == count for p, count in want.items())
        alerts_ok = all(
            now.get(f"Burst{i:02d}")
            and str(now[f"Burst{i:02d}"][-1].get("text", "")).startswith(
                "RESOLVED" if f"Burst{i:02d}" in resolved_names else "FIRING"
            )
            for i in range(ALERTS)
        )
        return pods_ok and alerts_ok

    def unsettled() -> dict[str, Any]:
        now = cards(fake_slack)
        return {s: [seen(m) or str(m.get("text"))[:20] for m in now[s]] for s in sorted(now) if s} | {
            "missing": sorted(set(want) - set(now))
        }

    try:
        await until(lambda: asyncio.sleep(0, settled()), what="every card to count every event")
    except AssertionError as e:
        raise AssertionError(f"{e}; cards now: {unsettled()}") from None
    final = cards(fake_slack)
    duplicates = {subject: len(posts) for subject, posts in final.items() if len(posts) > 1}
    assert duplicates == {}
    assert {p: seen(final[p][0]) for p in want} == want
    assert len(final) == PODS + ALERTS
    assert calls_at_kill < len(fake_slack.calls)  # the survivor carried on: the kill came mid-burst
