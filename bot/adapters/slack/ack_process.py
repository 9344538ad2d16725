"""The core's side of the ack server: start it on the service's port, take what it hands over.

In HTTP mode `chatops run` answers Slack from a process of its own
(`ack_server.py`), so an acknowledgement never waits for the core's work.
`AckProcess.start()` binds the service's port here (a port in use fails the
start, as before), serves the core's own HTTP app (`/healthz`, `/readyz`,
`/metrics`, and `/slack/events` for tests and tools) on a Unix socket in a
private directory, and starts the ack server with the listening socket and
one end of a socket pair. Each request it hands over is dispatched through the
core's Bolt app in order (`http.dispatch_handover`); the router claims every
event id once, so a request Slack retries is still processed once.

Once the ack server runs, the core lowers its own CPU priority (`CORE_NICE`)
and takes Linux's batch policy (`SCHED_BATCH`: its wake-ups never preempt a
running task), so when both are busy the kernel runs acks first. If the ack
server dies, it is started again on the same listening socket (connections
wait in its backlog meanwhile); started by the core, that one runs at the
core's nice value (lowering it needs a privilege), though it leaves the batch
policy. `stop()` half-closes the socket pair, which ends the ack server
once the requests it is answering are handed over; they are dispatched before
`stop()` returns. This module runs a process; it decides nothing about
requests.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import shutil
import socket
import sys
import tempfile

from aiohttp import web

from .ack_server import AckSettings
from .adapter import SlackAdapter
from .handover import HandoverError, read_frame
from .http import EVENTS_PATH, dispatch_handover

log = logging.getLogger(__name__)

START_TIMEOUT_S = 60.0
# How much lower the core's CPU priority is than the ack server's. With both busy (answers queued
# while Slack keeps sending), the kernel gives the ack server about nine tenths of a core
# (nice 0 weighs 1024, nice 10 110): acks come first, answers take what is left. Nice 5 (335) left
# the ack p99 at 50 in flight up to 1.7x a bare Bolt app's in some runs; nice 10 with the batch
# policy stayed within 1.15x (bench/README.md).
CORE_NICE = 10
RESTART_PAUSE_S = 1.0


def bind(host: str, port: int) -> socket.socket:
    family, _, _, _, address = socket.getaddrinfo(
        host or None, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE
    )[0]
    return socket.create_server(address, family=family, backlog=1024)


def lower_priority(by: int) -> None:
    """Raise the nice value of every thread of this process by `by` and give each the batch policy
    (Linux: both are per thread; threads started later inherit them from the thread that starts
    them). Neither needs a privilege."""
    if by <= 0 or not os.path.isdir("/proc/self/task"):
        return
    for tid in os.listdir("/proc/self/task"):
        with contextlib.suppress(OSError):
            current = os.getpriority(os.PRIO_PROCESS, int(tid))
            os.setpriority(os.PRIO_PROCESS, int(tid), current + by)
            os.sched_setscheduler(int(tid), os.SCHED_BATCH, os.sched_param(0))


class AckProcess:
    def __init__(
        self,
        adapter: SlackAdapter,
        *,
        slash_command: str,
        path: str = EVENTS_PATH,
        core_nice: int = CORE_NICE,
    ) -> None:
        self._adapter = adapter
        self._core_nice = core_nice
        self._slash_command = slash_command
        self._path = path
        self._dir: str | None = None
        self._listener: socket.socket | None = None
        self._child: asyncio.subprocess.Process | None = None
        self._writer: asyncio.StreamWriter | None = None
        self._reader_task: asyncio.Task[None] | None = None
        self._stopping = False
        self._dispatched = 0
        self._progress = asyncio.Condition()

    @property
    def pid(self) -> int | None:
        return self._child.pid if self._child is not None else None

    async def start(self, runner: web.AppRunner, *, host: str, port: int) -> int:
        """Serve the core's app on a Unix socket, start the ack server on `host:port`; the bound port."""
        self._dir = tempfile.mkdtemp(prefix="chatops-core-")
        core_socket = os.path.join(self._dir, "core.sock")
        await web.UnixSite(runner, core_socket).start()
        self._listener = bind(host, port)
        reader = await self._spawn(core_socket)
        self._reader_task = asyncio.create_task(self._take(reader, core_socket), name="slack-handover")
        lower_priority(self._core_nice)  # after the spawn: the ack server keeps the usual priority
        bound: int = self._listener.getsockname()[1]
        return bound

    async def _spawn(self, core_socket: str) -> asyncio.StreamReader:
        assert self._listener is not None
        ours, theirs = socket.socketpair()
        settings = AckSettings(
            listen_fd=self._listener.fileno(),
            handover_fd=theirs.fileno(),
            core_socket=core_socket,
            path=self._path,
            slash_command=self._slash_command,
            signing_secret=self._adapter.signing_secret,
        )
        try:
            self._child = await asyncio.create_subprocess_exec(
                sys.executable,
                "-m",
                "bot.adapters.slack.ack_server",
                stdin=asyncio.subprocess.PIPE,
                pass_fds=(self._listener.fileno(), theirs.fileno()),
            )
        finally:
            theirs.close()
        assert self._child.stdin is not None
        self._child.stdin.write(settings.to_json().encode() + b"\n")  # the secret never in argv or env
        await self._child.stdin.drain()
        self._child.stdin.close()
        reader, self._writer = await asyncio.open_unix_connection(sock=ours)
        try:
            first = await asyncio.wait_for(read_frame(reader), START_TIMEOUT_S)
        except (asyncio.IncompleteReadError, TimeoutError, HandoverError) as e:
            await self._end_child()
            raise RuntimeError("the Slack ack server did not start; its error is in the log above") from e
        if first is not None:
            raise RuntimeError("the Slack ack server sent a request before saying it was serving")
        log.info("Slack ack server %s serving", self._child.pid)
        return reader

    async def _take(self, reader: asyncio.StreamReader, core_socket: str) -> None:
        while True:
            try:
                while True:
                    handover = await read_frame(reader)
                    if handover is not None:
                        try:
                            await dispatch_handover(self._adapter, handover)
                        finally:
                            await self._count()
            except asyncio.IncompleteReadError:
                pass  # the ack server closed its end
            except HandoverError:
                log.exception("the Slack ack server sent an unreadable frame; restarting it")
            except Exception:  # the boundary: one bad request must not stop the hand-overs
                log.exception("a handed-over Slack request failed in the core")
                continue
            if self._stopping:
                return
            await self._end_child()
            if self._writer is not None:
                self._writer.close()
            log.error("the Slack ack server stopped; starting it again")
            await asyncio.sleep(RESTART_PAUSE_S)
            try:
                reader = await self._spawn(core_socket)
            except RuntimeError:
                log.exception("the Slack ack server could not be started again; retrying")

    async def _count(self) -> None:
        async with self._progress:
            self._dispatched += 1
            self._progress.notify_all()

    @property
    def dispatched(self) -> int:
        """How many handed-over requests the core has dispatched (refused ones too)."""
        return self._dispatched

    async def wait_dispatched(self, count: int) -> None:
        """Until `count` handed-over requests have been dispatched (their work started)."""
        async with self._progress:
            await self._progress.wait_for(lambda: self._dispatched >= count)

    async def _end_child(self, timeout_s: float = 10.0) -> None:
        """Half-close our end (the ack server stops serving and exits) and wait for it to exit."""
        if self._writer is not None and not self._writer.is_closing():
            with contextlib.suppress(OSError):
                self._writer.write_eof()
        child, self._child = self._child, None
        if child is not None:
            try:
                await asyncio.wait_for(child.wait(), timeout_s)
            except TimeoutError:
                child.kill()
                await child.wait()

    async def stop(self, timeout_s: float = 10.0) -> None:
        """End the ack server, then dispatch what it handed over before it exited."""
        self._stopping = True
        await self._end_child(timeout_s)
        if self._reader_task is not None:
            try:
                await asyncio.wait_for(self._reader_task, timeout_s)  # to the end of the hand-overs
            except TimeoutError:
                log.warning("Slack requests handed over at shutdown were not all dispatched")
            self._reader_task = None
        if self._writer is not None:
            self._writer.close()
            self._writer = None
        if self._listener is not None:
            self._listener.close()
            self._listener = None
        if self._dir is not None:
            shutil.rmtree(self._dir, ignore_errors=True)
            self._dir = None
