"""Slack ack latency of `chatops run` against a bare Bolt app, same load, same requests in flight.

Run: `python bench/bench_slack_ack.py [--in-flight 1,10,50,200] [--requests 1000] [--repeats 3]`.

Both sides are servers in their own process, started fresh for each
measurement, and alternate which goes first:
* figure: the bot as deployed, `python -m bot --config … run` with Slack in
  HTTP mode (SQLite store, the real Kubernetes operations through the official
  client against the seeded fake Kubernetes API); its acks come from its ack
  server, a child process (bot/adapters/slack/ack_server.py), and its memory
  is the two processes' peaks added;
* floor: a bare bolt-python `AsyncApp` with `process_before_response=True` and
  empty listeners on Bolt's own aiohttp adapter (bench/slack_sides.py).
The fake Slack Web API and the fake Kubernetes API run in a third process.
The load generator (this process) keeps exactly N requests in flight: each of
N workers sends a signed request and, as soon as it is acknowledged, the next;
it never waits for an answer. Half the requests are mentions (`!get pods -n
prod`, each from its own user and channel, so the bot does a real read and
posts it while later requests arrive) and half are Approve clicks on cards
the bot does not know (it answers the clicker privately). So the answers'
work competes with the acks in the bot process, as in production.
Prints p50 and p99 of each side with the ratio's min/median/max, each
server's own peak memory (VmHWM), and how many of the bot's answers that
arrived during the run carried the read's results.
Targets: at 1 in flight p50 <= 1.5x and p99 <= 2x; at 50 in flight p99 <= 1.3x.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import hmac
import itertools
import json
import multiprocessing
import sys
import tempfile
import time
import urllib.parse
from pathlib import Path

import aiohttp

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.compare import Ratios, peak_mb_with_children, percentile, spread
from bench.slack_sides import SIGNING_SECRET, Server, serve_services, start_bare, start_bot
from tests.fake_slack.requests import click_payload, event_body, mention

MENTION = "!get pods -n prod"
USERS = 400
TARGETS = {1: {"p50": 1.5, "p99": 2.0}, 50: {"p99": 1.3}}
_ids = itertools.count(1)


def person(index: int) -> str:
    return f"UBENCH{index % USERS:04d}"


def request(index: int) -> tuple[bytes, bool]:
    """Request `index`: even ones mention the bot, odd ones click Approve; (body, is_json)."""
    user, channel = person(index), f"C{index % USERS:04d}"
    if index % 2 == 0:
        ts = f"17{next(_ids):08d}.000100"
        return event_body(mention(MENTION, user=user, channel=channel, ts=ts)), True
    payload = click_payload(
        "approve", f"bench-{index:06d}", user=user, channel=channel, message_ts=f"16{index:08d}.000100"
    )
    return urllib.parse.urlencode({"payload": json.dumps(payload)}).encode(), False


def signed(body: bytes, is_json: bool) -> dict[str, str]:
    ts = str(int(time.time()))
    digest = hmac.new(SIGNING_SECRET.encode(), b"v0:" + ts.encode() + b":" + body, hashlib.sha256).hexdigest()
    kind = "application/json" if is_json else "application/x-www-form-urlencoded"
    return {"X-Slack-Request-Timestamp": ts, "X-Slack-Signature": f"v0={digest}", "Content-Type": kind}


async def load(url: str, total: int, in_flight: int) -> tuple[list[float], int]:
    """Milliseconds per ack with `in_flight` requests outstanding all the time; and the non-200 count."""
    bodies = [request(i) for i in range(total)]
    next_index = iter(range(total))
    elapsed: list[float] = []
    bad = 0
    connector = aiohttp.TCPConnector(limit=in_flight + 4)
    async with aiohttp.ClientSession(connector=connector) as session:
        for body, is_json in (request(total + i) for i in range(4)):  # warm connections, auth.test, caches
            async with session.post(url, data=body, headers=signed(body, is_json)) as response:
                await response.read()

        async def worker() -> None:
            nonlocal bad
            for i in next_index:
                body, is_json = bodies[i]
                headers = signed(body, is_json)
                started = time.perf_counter()
                async with session.post(url, data=body, headers=headers) as response:
                    await response.read()
                elapsed.append((time.perf_counter() - started) * 1000)
                bad += response.status != 200

        await asyncio.gather(*(worker() for _ in range(in_flight)))
    return elapsed, bad


def measure(server: Server, total: int, in_flight: int) -> tuple[float, float, float, int]:
    """p50, p99, the server's own peak MB, non-200 count; then the server is stopped."""
    try:
        ms, bad = asyncio.run(load(server.url, total, in_flight))
        peak = peak_mb_with_children(server.process.pid) or float("nan")
    finally:
        server.stop()
    return percentile(ms, 0.50), percentile(ms, 0.99), peak, bad


def check_answers(posts: list[str]) -> str:
    """What the bot posted while measured (it is stopped after each run, refusing what is still queued)."""
    reads = sum(1 for p in posts if "[read] k8s_get(" in p and "pods:" in p)
    clicks = sum(1 for p in posts if "There is no approval with id bench-" in p)
    stopping = sum(1 for p in posts if "restarting" in p)
    other = len(posts) - reads - clicks - stopping
    return (
        f"bot answers posted during the runs: {reads} pod listings (the read's result), {clicks} click "
        f"replies, {stopping} refused while stopping, {other} other"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--in-flight", default="1,10,50,200", help="comma-separated requests in flight")
    parser.add_argument(
        "--requests", type=int, default=1000, help="per measurement: half mentions, half clicks"
    )
    parser.add_argument("--repeats", type=int, default=3)
    options = parser.parse_args()
    levels = [int(n) for n in options.in_flight.split(",")]
    spawn = multiprocessing.get_context("spawn")
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        kubeconfig = workdir / "kubeconfig"
        to_services, services_end = spawn.Pipe()
        users = {person(i): f"Bench {i}" for i in range(USERS)}
        services = spawn.Process(target=serve_services, args=(kubeconfig, users, services_end))
        services.start()
        api_url = to_services.recv()
        try:
            print(
                f"Slack ack: `chatops run` (HTTP mode) vs bare Bolt (process_before_response, empty listeners); "
                f"{options.requests} requests per measurement, {options.repeats} alternated repeats"
            )
            for level in levels:
                p50 = Ratios(f"{level:>3} in flight p50", "ms")
                p99 = Ratios(f"{level:>3} in flight p99", "ms")
                peaks: dict[str, list[float]] = {"bot": [], "bare": []}
                for repeat in range(options.repeats):
                    order = ["bot", "bare"] if repeat % 2 == 0 else ["bare", "bot"]
                    got: dict[str, tuple[float, float, float, int]] = {}
                    for side in order:
                        server = (
                            start_bot(api_url, kubeconfig, workdir)
                            if side == "bot"
                            else start_bare(api_url, workdir)
                        )
                        got[side] = measure(server, options.requests, level)
                        peaks[side].append(got[side][2])
                        if got[side][3]:
                            print(f"  ({side}: {got[side][3]} non-200 answers)")
                    p50.add(got["bot"][0], got["bare"][0])
                    p99.add(got["bot"][1], got["bare"][1])
                targets = TARGETS.get(level, {})
                print(p50.line(targets.get("p50")))
                print(p99.line(targets.get("p99")))
                print(
                    f"  peak memory (VmHWM) bot {spread(peaks['bot'], '{:.0f}')} MB, bare {spread(peaks['bare'], '{:.0f}')} MB"
                )
                sys.stdout.flush()
            to_services.send(("count",))
            print(check_answers(to_services.recv()))
        finally:
            to_services.send(("stop",))
            services.join(30)


if __name__ == "__main__":
    main()
