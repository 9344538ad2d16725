"""`chatops run` as a real process: Slack over HTTP, /readyz, a mention answered, SIGTERM → exit 0."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import sys
from pathlib import Path

import aiohttp

from tests.fake_slack.plugin import fake_slack  # noqa: F401  (a fixture)
from tests.fake_slack.requests import SIGNING_SECRET, SlackSender, mention
from tests.fake_slack.server import BOT_TOKEN, FakeSlack

ROOT = Path(__file__).parents[2]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def test_run_serve_answer_and_stop(tmp_path: Path, fake_slack: FakeSlack) -> None:  # noqa: F811
    port = free_port()
    config = tmp_path / "config.yaml"
    config.write_text(
        f"storage: {{url: 'sqlite+aiosqlite:///{tmp_path / 'bot.db'}'}}\n"
        f"cluster_dir: '{tmp_path / 'clusters'}'\n"
        f"slack: {{enabled: true, mode: http, api_base_url: '{fake_slack.api_url}'}}\n"
        f"server: {{host: 127.0.0.1, port: {port}}}\n"
    )
    env = {
        **os.environ,
        "SLACK_BOT_TOKEN": BOT_TOKEN,
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "KUBECONFIG": str(tmp_path / "no-kubeconfig"),
    }
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "--config",
        str(config),
        "--log-level",
        "INFO",
        "run",
        cwd=ROOT,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        async with aiohttp.ClientSession() as http:
            for _ in range(200):
                try:
                    async with http.get(f"{base}/readyz") as r:
                        if r.status == 200:
                            break
                except aiohttp.ClientConnectionError:
                    pass
                await asyncio.sleep(0.1)
            else:
                raise AssertionError("the service never became ready")
            async with http.get(f"{base}/healthz") as r:
                assert r.status == 200
        async with SlackSender(f"{base}/slack/events") as slack:
            answer = await slack.event(mention("!whoami", user="UVIC"))
            assert answer.status == 200
            posted = await fake_slack.wait_for("chat.postMessage")
            assert "viewer" in str(posted[0].args)
            bad = await slack.send(
                b"{}",
                json_body=True,
                headers={"X-Slack-Signature": "v0=00", "X-Slack-Request-Timestamp": "1"},
            )
            assert bad.status == 401
        async with aiohttp.ClientSession() as http, http.get(f"{base}/metrics") as r:
            assert 'chatops_messages_total{kind="command",platform="slack"} 1.0' in await r.text()
    finally:
        proc.send_signal(signal.SIGTERM)
        out, err = await asyncio.wait_for(proc.communicate(), timeout=40)
    assert proc.returncode == 0, err.decode()[-2000:]
    assert "Traceback" not in err.decode()
    assert BOT_TOKEN not in (out + err).decode()
