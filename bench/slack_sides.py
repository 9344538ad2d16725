"""The processes of the Slack ack bench: the services, the bare Bolt floor, and the bot as `chatops run`.

* `serve_services`: the fake Slack Web API and the seeded fake Kubernetes API in
  one process of their own (so serving the bot's answers costs neither the
  measured server nor the load generator anything); answers counts over a pipe.
* `bare_bolt.py`-style floor (`serve_bare_bolt`, run as `python bench/slack_sides.py bare PORT API_URL`):
  bolt-python's `AsyncApp` with `process_before_response=True` and empty
  listeners for the same events, command and button, on Bolt's own aiohttp
  adapter, in its own process.
* `start_bot`: `python -m bot --config … run` with Slack in HTTP mode, exactly as
  deployed (environment secrets, the service's HTTP server, the real
  Kubernetes operations through the official client).
"""

from __future__ import annotations

import asyncio
import os
import re
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # the fakes live under tests/

BOT_TOKEN = "xoxb-fake-bot-token"
SIGNING_SECRET = "fake-signing-secret-8f2c"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def serve_services(kubeconfig: Path, users: dict[str, str], pipe: Connection) -> None:
    """Fake Slack + fake Kubernetes; pipe: send ("count",) → posted answers, ("stop",) → exit."""
    from tests.fake_k8s.plugin import write_kubeconfig
    from tests.fake_k8s.seed import seed_demo
    from tests.fake_k8s.server import FakeKubernetes
    from tests.fake_slack.server import FakeSlack

    async def serve() -> None:
        cluster = FakeKubernetes()
        seed_demo(cluster)
        await cluster.start()
        write_kubeconfig(kubeconfig, url=cluster.url, token=cluster.token)
        fake = FakeSlack(users=users)
        await fake.start()
        pipe.send(fake.api_url)
        while True:
            command = await asyncio.to_thread(pipe.recv)
            if command[0] == "stop":
                break
            posts = [
                str(c.args) for c in fake.calls if c.method in ("chat.postMessage", "chat.postEphemeral")
            ]
            pipe.send(posts)
        await fake.close()
        await cluster.stop()

    asyncio.run(serve())


def serve_bare_bolt(port: int, api_url: str) -> None:
    """The floor: a bare Bolt app, process_before_response=True, empty listeners, Bolt's aiohttp server."""
    from aiohttp import web
    from slack_bolt.async_app import AsyncAck, AsyncApp
    from slack_sdk.web.async_client import AsyncWebClient

    bolt = AsyncApp(
        client=AsyncWebClient(token=BOT_TOKEN, base_url=api_url),
        signing_secret=SIGNING_SECRET,
        process_before_response=True,
    )

    async def on_event() -> None:
        return None

    async def on_ack(ack: AsyncAck) -> None:
        await ack()

    bolt.event("app_mention")(on_event)
    bolt.event("message")(on_event)
    bolt.command("/k8s")(on_ack)
    bolt.action(re.compile(r"^chatops_"))(on_ack)
    web_app = bolt.web_app(path="/slack/events")
    web_app.router.add_get("/readyz", lambda _request: _ok())
    web.run_app(web_app, host="127.0.0.1", port=port, access_log=None, print=None)


async def _ok() -> Any:
    from aiohttp import web

    return web.Response(text="ok")


@dataclass
class Server:
    """A measured server process and where to send requests."""

    process: subprocess.Popen[bytes]
    url: str

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def _wait_ready(process: subprocess.Popen[bytes], port: int, log: Path) -> None:
    import urllib.request

    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"the server exited at start:\n{log.read_text()[-2000:]}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/readyz", timeout=2) as answer:
                if answer.status == 200:
                    return
        except OSError:
            time.sleep(0.05)
    raise SystemExit(f"the server did not become ready:\n{log.read_text()[-2000:]}")


def start_bare(api_url: str, workdir: Path) -> Server:
    port = free_port()
    log = workdir / "bare.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, __file__, "bare", str(port), api_url], stdout=out, stderr=subprocess.STDOUT
        )
    _wait_ready(process, port, log)
    return Server(process, f"http://127.0.0.1:{port}/slack/events")


def start_bot(api_url: str, kubeconfig: Path, workdir: Path) -> Server:
    """`chatops run` with a fresh SQLite database and Slack in HTTP mode on a free port."""
    port = free_port()
    db = workdir / f"bot-{port}.db"
    config = workdir / f"bot-{port}.yaml"
    config.write_text(
        f"storage: {{url: 'sqlite:///{db}'}}\n"
        f"clusters: [{{name: fake, kubeconfig: '{kubeconfig}', context: fake, default_namespace: prod}}]\n"
        f"slack: {{enabled: true, mode: http, api_base_url: '{api_url}'}}\n"
        f"server: {{host: 127.0.0.1, port: {port}}}\n"
        # Every request is a real read, not a rate-limit refusal.
        "limits: {messages_per_minute: 1000000}\n"
    )
    env = {**os.environ, "SLACK_BOT_TOKEN": BOT_TOKEN, "SLACK_SIGNING_SECRET": SIGNING_SECRET}
    log = workdir / "bot.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "bot", "--config", str(config), "run"],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    _wait_ready(process, port, log)
    return Server(process, f"http://127.0.0.1:{port}/slack/events")


if __name__ == "__main__":
    if sys.argv[1] == "bare":
        serve_bare_bolt(int(sys.argv[2]), sys.argv[3])
