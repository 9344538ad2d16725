"""The core's side of the ack server: start it on the service's port, take what it hands over.

In HTTP mode `chatops run` answers Slack from a process of its own
(`ack_server.py`), so an acknowledgement never waits for the core's work.
`AckProcess.start()` binds the service's port here (a port in use fails the
start, as before), serves the core's own HTTP app (`/healthz`, `/readyz`,
`/metrics`, and `/slack/events` for tests and tools) on a Unix socket in a
private directory, and starts the ack server with the listening socket and
one end of a socket pair. Each request it hands over is dispatched in order
(`http.dispatch_handover`: its work started as the Bolt listener would start
it); the router claims every event id once, so a request Slack retries is
still processed once.

Acks first, answers after: while Slack sends a burst (a request the ack
server read within `BURST_GAP_S` of the one before), the handed-over requests
wait in the core's queue, parsed by nobody, until the ack server says the
burst has paused (no request for `BURST_GAP_S`), and at most `MAX_DEFER_S`
each; then they are dispatched in order. A request on its own is dispatched
at once. Both times are the ack server's: the core, at a lower priority,
may read a burst's frames late and all at once. The answers' work (reads,
posts, storage) would otherwise take the CPU the ack server needs during the
burst; the bound keeps a sustained flood from holding answers back longer
than a person would notice.

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
import collections
import contextlib
import dataclasses
import logging
import os
import shutil
import socket
import sys
import tempfile
import time

from aiohttp import web

from .ack_server import AckSettings
from .adapter import SlackAdapter
from .handover import Handover, HandoverError, Signal, read_frame
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
# A request read within this of the one before it is part of a burst: it waits for a pause. Wider
# than a scheduling hiccup of the ack server (5 ms let a stall of the ack server end the burst and
# release the queue into the middle of it).
BURST_GAP_S = 0.02
# How long an acknowledged request may wait for the burst to pause before it is dispatched anyway.
MAX_DEFER_S = 0.5
# During a burst the core reads the socket pair this often, each time all that came meanwhile, rather
# than being woken for every frame (each wake-up took a CPU from the ack server for a moment).
READ_PAUSE_S = BURST_GAP_S / 2


@dataclasses.dataclass(frozen=True)
class _Queued:
    handover: Handover
    seq: int


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
        burst_gap_s: float = BURST_GAP_S,
        max_defer_s: float = MAX_DEFER_S,
    ) -> None:
        self._adapter = adapter
        self._core_nice = core_nice
        self._burst_gap_s = burst_gap_s
        self._max_defer_s = max_defer_s
        self._slash_command = slash_command
        self._path = path
        self._dir: str | None = None
        self._listener: socket.socket | None = None
        self._child: asyncio.subprocess.Process | None = None
        self._writer: asyncio.StreamWriter | None = None
        self._reader_task: asyncio.Task[None] | None = None
        self._dispatch_task: asyncio.Task[None] | None = None
        self._queue: collections.deque[_Queued] = collections.deque()
        self._enqueued = 0
        self._quiet_upto = 0  # requests up to this one came before the ack server's last QUIET
        self._wake = asyncio.Event()
        self._all_read = False  # the ack server is gone for good: dispatch what is queued now
        self._reading_paused = False
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
        self._dispatch_task = asyncio.create_task(self._dispatch(), name="slack-handover-dispatch")
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
            burst_gap_s=self._burst_gap_s,
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
        if first is not Signal.READY:
            raise RuntimeError("the Slack ack server sent a request before saying it was serving")
        log.info("Slack ack server %s serving", self._child.pid)
        return reader

    async def _take(self, reader: asyncio.StreamReader, core_socket: str) -> None:
        """Read what the ack server hands over into the queue; start it again if it stops."""
        while True:
            try:
                while True:
                    frame = await read_frame(reader)
                    if isinstance(frame, Handover):
                        self._enqueued += 1
                        self._queue.append(_Queued(frame, self._enqueued))
                        if len(self._queue) == 1:
                            self._wake.set()
                        if frame.burst and not self._reading_paused and self._writer is not None:
                            self._pause_reading(self._writer.transport)
                    elif frame is Signal.QUIET:
                        self._quiet_upto = self._enqueued
                        self._wake.set()
            except (asyncio.IncompleteReadError, ConnectionError):
                pass  # the ack server closed its end (or died with the socket pair unread)
            except HandoverError:
                log.exception("the Slack ack server sent an unreadable frame; restarting it")
            self._quiet_upto = self._enqueued  # a burst the stopped ack server was answering is over
            self._wake.set()
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

    def _pause_reading(self, transport: asyncio.BaseTransport) -> None:
        """Leave the socket pair unread for `READ_PAUSE_S` (what is already read is still taken)."""
        assert isinstance(transport, asyncio.ReadTransport)
        transport.pause_reading()
        self._reading_paused = True
        asyncio.get_running_loop().call_later(READ_PAUSE_S, self._resume_reading, transport)

    def _resume_reading(self, transport: asyncio.ReadTransport) -> None:
        self._reading_paused = False
        if not transport.is_closing():
            transport.resume_reading()

    def _due(self, queued: _Queued) -> float:
        """When `queued` may be dispatched: now if it came alone or its burst has paused, else at
        most `max_defer_s` after it came (`time.monotonic()`, the loop's clock)."""
        if not queued.handover.burst or queued.seq <= self._quiet_upto or self._all_read:
            return float("-inf")
        return queued.handover.at + self._max_defer_s

    async def _dispatch(self) -> None:
        """Dispatch the queue in order, each request when it is due (`_due`)."""
        while True:
            if not self._queue:
                if self._all_read:
                    return
                self._wake.clear()
                await self._wake.wait()
                continue
            wait_s = self._due(self._queue[0]) - time.monotonic()
            if wait_s > 0:
                self._wake.clear()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), wait_s)
                continue
            queued = self._queue.popleft()
            try:
                await dispatch_handover(self._adapter, queued.handover)
            except Exception:  # the boundary: one bad request must not stop the hand-overs
                log.exception("a handed-over Slack request failed in the core")
            finally:
                await self._count()

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
        try:
            if self._reader_task is not None:
                await asyncio.wait_for(self._reader_task, timeout_s)  # to the end of the hand-overs
            self._all_read = True
            self._wake.set()
            if self._dispatch_task is not None:
                await asyncio.wait_for(self._dispatch_task, timeout_s)
        except TimeoutError:
            log.warning("Slack requests handed over at shutdown were not all dispatched")
        self._reader_task = self._dispatch_task = None
        if self._writer is not None:
            self._writer.close()
            self._writer = None
        if self._listener is not None:
            self._listener.close()
            self._listener = None
        if self._dir is not None:
            shutil.rmtree(self._dir, ignore_errors=True)
            self._dir = None
