"""Two bot processes on one PostgreSQL and one Redis count one user's messages together;
a restarted replica keeps the window; with Redis gone, messages fail open (the default)."""

from __future__ import annotations

import asyncio
import json
import sys
from pathlib import Path
from typing import Any

from tests.limits.redis_server import RedisServer

ROOT = Path(__file__).parents[2]
PER_MINUTE = 10


class Replica:
    def __init__(self, process: asyncio.subprocess.Process) -> None:
        self.process = process

    @classmethod
    async def start(cls, config: Path) -> Replica:
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "tests.limits.limits_worker",
            str(config),
            cwd=ROOT,
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        replica = cls(process)
        line = await replica._line()
        assert line == "ready", line
        return replica

    async def _line(self) -> str:
        assert self.process.stdout is not None
        raw = await asyncio.wait_for(self.process.stdout.readline(), timeout=60)
        if not raw:
            assert self.process.stderr is not None
            err = await self.process.stderr.read()
            raise AssertionError(err.decode()[-3000:])
        return raw.decode().strip()

    async def send(self, user: str, text: str) -> dict[str, Any]:
        assert self.process.stdin is not None
        self.process.stdin.write(f"{user} {text}\n".encode())
        await self.process.stdin.drain()
        result: dict[str, Any] = json.loads(await self._line())
        return result

    async def stop(self) -> None:
        assert self.process.stdin is not None
        self.process.stdin.close()
        await asyncio.wait_for(self.process.wait(), timeout=60)
        assert self.process.returncode == 0


def config_file(tmp_path: Path, url: str, redis_url: str) -> Path:
    path = tmp_path / "config.yaml"
    path.write_text(
        f"storage: {{url: '{url}'}}\n"
        "clusters: []\n"
        f"cluster_dir: '{tmp_path / 'clusters'}'\n"
        "server: {replicas: 2}\n"
        f"limits: {{messages_per_minute: {PER_MINUTE}, redis_url: '{redis_url}'}}\n"
    )
    return path


async def test_thirty_messages_alternating_between_two_replicas_are_limited_at_the_count(
    tmp_path: Path, postgres_url: str, redis_server: RedisServer, monkeypatch: Any
) -> None:
    monkeypatch.setenv("KUBECONFIG", str(tmp_path / "no-kubeconfig"))
    config = config_file(tmp_path, postgres_url, redis_server.url)
    replicas = list(await asyncio.gather(Replica.start(config), Replica.start(config)))
    try:
        results = [await replicas[i % 2].send("UALICE", "!whoami") for i in range(30)]
        assert [r["limited"] for r in results] == [False] * PER_MINUTE + [True] * (30 - PER_MINUTE)
        assert f"{PER_MINUTE} messages in the last minute" in results[-1]["text"]
        assert not (await replicas[1].send("UBOB", "!whoami"))["limited"]  # per user

        await replicas[1].stop()  # a restart keeps the window
        replicas[1] = await Replica.start(config)
        assert (await replicas[1].send("UALICE", "!whoami"))["limited"]

        redis_server.kill()  # default mode for messages: open
        after = [await replicas[i % 2].send("UALICE", "!whoami") for i in range(4)]
        assert [r["limited"] for r in after] == [False] * 4
        assert all("cannot check" not in r["text"] for r in after)
    finally:
        for replica in replicas:
            await replica.stop()
