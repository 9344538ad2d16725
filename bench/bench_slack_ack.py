"""Time from a signed Slack request to Bolt's acknowledgement, at 50 concurrent conversations.

Run: `python bench/bench_slack_ack.py [--conversations 50] [--rounds 8]`. Each
conversation sends, per round, one mention (Events API) and one `/k8s`
command to the real Bolt app over real HTTP, signed as Slack signs, and waits
for each answer before going on, as a person would. The bot runs in its own
process and answers through the demo backend (SQLite) to the local fake Slack
Web API in this process, so the answers' background work competes with the
acks on the bot's event loop, as in production. The target is p99 ≤ 50 ms on the 2-core development
box. This is a measurement, not a test: it asserts nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import statistics
import sys
import tempfile
import time
from multiprocessing.connection import Connection
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the fakes live under tests/

from tests.fake_slack.plugin import GROUPS, PEOPLE
from tests.fake_slack.requests import Answer, SlackSender, mention
from tests.fake_slack.server import FakeSlack
from tests.slack.harness import running_bot

TARGET_P99_MS = 50.0


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


async def conversation(
    sender: SlackSender, fake: FakeSlack, index: int, rounds: int
) -> tuple[list[Answer], list[Answer]]:
    """One person: a mention, wait for the answer, a `/k8s` command, wait for the answer, again."""
    user = list(PEOPLE)[index % len(PEOPLE)]
    channel = f"C{index:04d}"
    events: list[Answer] = []
    commands: list[Answer] = []
    for round_no in range(rounds):
        ts = f"17{index:04d}{round_no:04d}.000100"
        events.append(await sender.event(mention("!demo get web", user=user, ts=ts, channel=channel)))
        await fake.wait_until(lambda n=2 * round_no + 1: answered(fake, channel) >= n, timeout=60)
        commands.append(await sender.command("demo get api", user=user, channel=channel))
        await fake.wait_until(lambda n=2 * round_no + 2: answered(fake, channel) >= n, timeout=60)
    return events, commands


def answered(fake: FakeSlack, channel: str) -> int:
    return sum(1 for c in fake.calls if c.method == "chat.postMessage" and c.args.get("channel") == channel)


def serve_bot(api_url: str, database_url: str, pipe: Connection) -> None:
    """The bot in its own process, as in production: Slack (here: the fake and the load) is elsewhere."""

    async def serve() -> None:
        fake = FakeSlack()
        fake.base_url = api_url.removesuffix("/api/")  # only its address is used here
        async with running_bot(database_url, fake) as bot:
            pipe.send(bot.url)
            await asyncio.to_thread(pipe.recv)  # "stop"
            pipe.send(await bot.adapter.drain(60.0))

    asyncio.run(serve())


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
    fake = FakeSlack(users=PEOPLE, usergroups=GROUPS)
    await fake.start()
    parent, child = multiprocessing.get_context("spawn").Pipe()
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite+aiosqlite:///{Path(tmp) / 'bench.db'}"
        process = multiprocessing.get_context("spawn").Process(
            target=serve_bot, args=(fake.api_url, url, child)
        )
        process.start()
        try:
            bot_url = await asyncio.to_thread(parent.recv)
            async with SlackSender(bot_url) as sender:
                await sender.event(mention("!demo get", user="UALICE", channel="CWARM"))  # auth.test, caches
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
            await fake.close()
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
    parser.add_argument("--rounds", type=int, default=8)
    options = parser.parse_args()
    asyncio.run(main(options.conversations, options.rounds))
