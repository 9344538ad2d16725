"""Time from a signed Slack request to Bolt's acknowledgement, at 50 concurrent conversations.

Run: `python bench/bench_slack_ack.py [--conversations 50] [--rounds 8]`. Each
conversation is one person (its own Slack user, a viewer) who sends, per round,
one mention (Events API) and one `/k8s` command to the real Bolt app over real
HTTP, signed as Slack signs, and waits for each answer before going on. With the
default limit of 20 messages per user per minute, up to 10 rounds stay under
it; more rounds get "You have sent 20 messages…" answers. The messages are real
reads: `!get pods -n prod` and `/k8s get deployments -n prod`. The bot runs in
its own process (SQLite store) with the real Kubernetes operations: the
official `kubernetes` client, over real HTTP in worker threads, against the
stateful fake Kubernetes API server (tests/fake_k8s, seeded with `seed_demo`)
in a third process, as an API server is elsewhere. The fake Slack Web API and
the load run in this process. The bot process starts as `chatops run` does
(collector paused while it starts, start-up objects frozen after). So the
answers' work competes with the acks in the bot process as in production.
After the run one line says how many answers carried results (it stops, without
figures, only when the answers are clearly broken). The target is p99 ≤ 50 ms on
the 2-core development box. This is a measurement, not a test: it asserts nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import re
import statistics
import sys
import tempfile
import time
from multiprocessing.connection import Connection
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the fakes live under tests/

from bot.startup import pause_collector, started
from tests.fake_k8s.plugin import write_kubeconfig
from tests.fake_k8s.seed import seed_demo
from tests.fake_k8s.server import FakeKubernetes
from tests.fake_slack.plugin import GROUPS, PEOPLE
from tests.fake_slack.requests import Answer, SlackSender, mention
from tests.fake_slack.server import FakeSlack
from tests.slack.harness import running_bot
from tools.kubernetes import kubernetes_operations
from tools.kubernetes.clusters import ClusterConfig, ClusterSet

TARGET_P99_MS = 50.0
MENTION = "!get pods -n prod"
COMMAND = "get deployments -n prod"
# An error or denial reply (not a pod status such as CreateContainerConfigError).
FAILURE = re.compile(r"\berror\b|\brefused\b|:warning:|:no_entry:|went wrong", re.IGNORECASE)


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


async def conversation(
    sender: SlackSender, fake: FakeSlack, index: int, rounds: int
) -> tuple[list[Answer], list[Answer]]:
    """One person: a mention, wait for the answer, a `/k8s` command, wait for the answer, again."""
    user = person(index)
    channel = f"C{index:04d}"
    events: list[Answer] = []
    commands: list[Answer] = []
    for round_no in range(rounds):
        ts = f"17{index:04d}{round_no:04d}.000100"
        events.append(await sender.event(mention(MENTION, user=user, ts=ts, channel=channel)))
        await fake.wait_until(lambda n=2 * round_no + 1: answered(fake, channel) >= n, timeout=60)
        commands.append(await sender.command(COMMAND, user=user, channel=channel))
        await fake.wait_until(lambda n=2 * round_no + 2: answered(fake, channel) >= n, timeout=60)
    return events, commands


def person(index: int) -> str:
    """One Slack user per conversation (a viewer: reads are allowed), so no one hits the per-user limit."""
    return f"UBENCH{index:04d}"


def answered(fake: FakeSlack, channel: str) -> int:
    return sum(1 for c in fake.calls if c.method == "chat.postMessage" and c.args.get("channel") == channel)


def serve_bot(api_url: str, database_url: str, kubeconfig: Path, pipe: Connection) -> None:
    """The bot in its own process, as in production: Slack and Kubernetes (here: the fakes) are elsewhere."""

    pause_collector()

    async def serve() -> None:
        fake = FakeSlack()
        fake.base_url = api_url.removesuffix("/api/")  # only its address is used here
        clusters = ClusterSet(
            [ClusterConfig(name="fake", kubeconfig=kubeconfig, context="fake", default_namespace="prod")]
        )
        operations = kubernetes_operations(clusters=clusters)
        async with running_bot(database_url, fake, operations=operations, clusters=clusters) as bot:
            started()
            pipe.send(bot.url)
            await asyncio.to_thread(pipe.recv)  # "stop"
            pipe.send(await bot.adapter.drain(60.0))

    asyncio.run(serve())


def serve_cluster(kubeconfig: Path, pipe: Connection) -> None:
    """The fake Kubernetes API in its own process, as an API server is elsewhere."""

    async def serve() -> None:
        cluster = FakeKubernetes()
        seed_demo(cluster)
        await cluster.start()
        write_kubeconfig(kubeconfig, url=cluster.url, token=cluster.token)
        pipe.send("ready")
        await asyncio.to_thread(pipe.recv)  # "stop"
        await cluster.stop()

    asyncio.run(serve())


def check_answers(fake: FakeSlack, conversations: int, rounds: int) -> None:
    """One line on what the answers said; stop only when they are clearly not results of the reads."""
    posts = [str(c.args) for c in fake.calls if c.method == "chat.postMessage"]
    posts = [t for t in posts if "'CWARM'" not in t]
    tables = [t for t in posts if "[read] k8s_get(" in t and "```" in t]  # a table result
    pods = sum(1 for t in tables if "kind=pod," in t and "web-" in t)  # pods of the seeded `web`
    deployments = sum(1 for t in tables if "kind=deployment," in t and "nginx:" in t)  # `web` itself
    failed = [t for t in posts if FAILURE.search(t)]
    expected = 2 * conversations * rounds
    print(
        f"answers: {len(posts)} posted of {expected} expected, {len(tables)} with results "
        f"({pods} pod tables with web-…, {deployments} deployment tables), {len(failed)} error/refused"
    )
    if not pods or not deployments or len(tables) < expected // 2:
        example = (failed or [t for t in posts if t not in tables] or ["(no answer posted)"])[0]
        raise SystemExit(f"the answers are not results of the reads, e.g.: {example[:400]}")


def report(name: str, answers: list[Answer]) -> float:
    ms = [a.elapsed_s * 1000 for a in answers]
    bad = sum(1 for a in answers if a.status != 200)
    p50, p99 = percentile(ms, 0.50), percentile(ms, 0.99)
    print(
        f"{name:<9} n={len(ms):4d}  p50={p50:6.1f} ms  p99={p99:6.1f} ms  "
        f"max={max(ms):6.1f} ms  mean={statistics.fmean(ms):6.1f} ms  non-200={bad}"
    )
    return p99


async def main(conversations: int, rounds: int) -> None:
    people = {**PEOPLE, **{person(i): f"Bench {i}" for i in range(conversations)}}
    fake = FakeSlack(users=people, usergroups=GROUPS)
    await fake.start()
    spawn = multiprocessing.get_context("spawn")
    parent, child = spawn.Pipe()
    to_cluster, cluster_end = spawn.Pipe()
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite+aiosqlite:///{Path(tmp) / 'bench.db'}"
        kubeconfig = Path(tmp) / "kubeconfig"
        cluster = spawn.Process(target=serve_cluster, args=(kubeconfig, cluster_end))
        cluster.start()
        await asyncio.to_thread(to_cluster.recv)  # "ready"
        process = spawn.Process(target=serve_bot, args=(fake.api_url, url, kubeconfig, child))
        process.start()
        try:
            bot_url = await asyncio.to_thread(parent.recv)
            async with SlackSender(bot_url) as sender:
                # auth.test, caches, the kubeconfig loaded into a client
                await sender.event(mention(MENTION, user="UALICE", channel="CWARM"))
                await fake.wait_until(lambda: answered(fake, "CWARM") >= 1, timeout=30)
                started = time.perf_counter()
                load = (conversation(sender, fake, i, rounds) for i in range(conversations))
                results = await asyncio.gather(*load)
                wall = time.perf_counter() - started
            parent.send("stop")
            unfinished = await asyncio.to_thread(parent.recv)
            process.join(30)
        finally:
            if process.is_alive():
                process.terminate()
            to_cluster.send("stop")
            cluster.join(30)
            if cluster.is_alive():
                cluster.terminate()
            await fake.close()
    check_answers(fake, conversations, rounds)
    events = [a for r in results for a in r[0]]
    commands = [a for r in results for a in r[1]]
    print(
        f"{conversations} concurrent conversations x {rounds} rounds (mention + /k8s, each waiting for its "
        f"answer): {len(events) + len(commands)} requests in {wall:.1f} s, {unfinished} answers unfinished"
    )
    worst = max(report("events", events), report("commands", commands), report("all", events + commands))
    first_round = [r[0][0] for r in results] + [r[1][0] for r in results]
    later = [a for r in results for a in r[0][1:] + r[1][1:]]
    report("round 1", first_round)  # every conversation starts in the same instant: a burst of 50
    report("later", later)
    verdict = "meets" if worst <= TARGET_P99_MS else "MISSES"
    print(f"p99 {worst:.1f} ms {verdict} the {TARGET_P99_MS:.0f} ms target")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--conversations", type=int, default=50)
    parser.add_argument("--rounds", type=int, default=8, help="≤ 10 keeps each person under 20 messages/min")
    options = parser.parse_args()
    asyncio.run(main(options.conversations, options.rounds))
