"""The ack server: a process of its own that answers Slack on the service's port and hands the work over.

Why a process: Slack wants every request acknowledged within three seconds,
and an ack served by the core waits behind whatever answer work is ready on
the core's event loop and for the core's GIL, so its latency grew with the
work in progress rather than with its own cost.

For `POST /slack/events` it checks the signature (`signing.py`), then works
out without Bolt the answer the core's Bolt app would give (`acks.py`: the
body parsed as Bolt parses it, the bot's listeners matched in Bolt's order,
the same bytes back), hands each request Bolt would take to the core over a
private socket pair (`handover.py`) and only then writes the ack, so nothing
is acknowledged that the core was not given. Each frame says when the
request came and whether it came within `burst_gap_s` of the one before; when
no request has come for that long after a burst, the ack server says so
(`Signal.QUIET`), so the core can leave the CPU to the acks while Slack
sends a burst and start the answers when it pauses (`ack_process.py`). The
core starts each request's work as its Bolt listener would (and checks the
signature again); the router claims each event id once (a retried delivery
runs nothing twice). Every other path
(`/healthz`, `/readyz`, `/metrics`) is passed to the core's own HTTP server on
a Unix socket and its answer passed back.

Started by the core (`ack_process.py`) as `python -m bot.adapters.slack.ack_server`
with the listening socket and its end of the socket pair inherited and its
settings as one JSON line on stdin. It ignores SIGINT and SIGTERM (the core
drains first and then closes the socket pair) and exits when the socket pair
closes, so it never outlives the core. It imports no Bolt and nothing that
runs the core: only the adapter's pure modules (`signing`, `acks`,
`payloads`, `handover`) and the types they name.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import json
import logging
import os
import signal
import socket
import sys
import time
from collections.abc import Awaitable, Callable, Sequence

import aiohttp
from aiohttp import web

from .acks import UNPARSABLE, ack_for, media_type
from .handover import QUIET, READY, encode
from .signing import MAX_BODY_BYTES, is_signed

log = logging.getLogger("bot.adapters.slack.ack_server")

# Hand-overs the core has not read yet; past this the core is stuck and Slack is asked to retry later.
MAX_PENDING_BYTES = 32_000_000
_NOT_FORWARDED = frozenset({"host", "content-length", "transfer-encoding", "connection", "keep-alive"})


@dataclasses.dataclass(frozen=True)
class AckSettings:
    listen_fd: int
    handover_fd: int
    core_socket: str  # the core's HTTP server, for every path but Slack's
    path: str
    slash_command: str
    signing_secret: str
    burst_gap_s: float

    @classmethod
    def from_json(cls, line: str) -> AckSettings:
        return cls(**json.loads(line))

    def to_json(self) -> str:
        return json.dumps(dataclasses.asdict(self))


Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


class Bursts:
    """Whether requests come in a burst, and a `QUIET` frame to the core when one pauses."""

    def __init__(self, handover: asyncio.StreamWriter, gap_s: float) -> None:
        self._handover = handover
        self._gap_s = gap_s
        self._last = float("-inf")
        self._timer: asyncio.TimerHandle | None = None

    def arrived(self) -> tuple[float, bool]:
        """A request came: when (`time.monotonic()`), and whether within the gap of the one before."""
        now = time.monotonic()
        burst = now - self._last < self._gap_s
        self._last = now
        if burst and self._timer is None:
            self._timer = asyncio.get_running_loop().call_at(now + self._gap_s, self._check)
        return now, burst

    def _check(self) -> None:
        quiet_at = self._last + self._gap_s
        loop = asyncio.get_running_loop()
        if time.monotonic() < quiet_at:  # a request came meanwhile: look again when the gap would end
            self._timer = loop.call_at(quiet_at, self._check)
            return
        self._timer = None
        if not self._handover.is_closing():
            self._handover.write(QUIET)

    def close(self) -> None:
        if self._timer is not None:
            self._timer.cancel()


def slack_handler(settings: AckSettings, handover: asyncio.StreamWriter, bursts: Bursts) -> Handler:
    async def on_slack(request: web.Request) -> web.StreamResponse:
        at, burst = bursts.arrived()
        if request.content_length is not None and request.content_length > MAX_BODY_BYTES:
            return web.json_response({"error": "request too large"}, status=413)
        body = await request.read()
        if not is_signed(
            body=body,
            timestamp=request.headers.get("X-Slack-Request-Timestamp"),
            signature=request.headers.get("X-Slack-Signature"),
            secret=settings.signing_secret,
            now=time.time(),
        ):
            log.info("refused a Slack request with a bad or stale signature from %s", request.remote)
            return web.json_response({"error": "invalid request"}, status=401)
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError:
            return web.json_response({"error": "body is not UTF-8"}, status=400)
        ack = ack_for(
            body=text,
            content_type=media_type(request.headers.get("Content-Type")),
            slash_command=settings.slash_command,
        )
        if ack.taken:
            if handover.is_closing() or handover.transport.get_write_buffer_size() > MAX_PENDING_BYTES:
                log.warning("the core is not taking Slack requests; asking Slack to retry later")
                return web.json_response({"error": "busy, try again"}, status=503)
            headers: dict[str, str | Sequence[str]] = {
                key.lower(): request.headers.getall(key) for key in request.headers
            }
            handover.write(encode(body, query=request.query_string, headers=headers, at=at, burst=burst))
        elif ack.status == UNPARSABLE.status:
            log.warning("a signed Slack request whose body is not a payload Slack sends; not handed over")
        return web.Response(status=ack.status, body=ack.body, content_type=ack.content_type)

    return on_slack


def core_proxy(session: aiohttp.ClientSession) -> Handler:
    async def to_core(request: web.Request) -> web.StreamResponse:
        body = await request.read()
        headers = {k: v for k, v in request.headers.items() if k.lower() not in _NOT_FORWARDED}
        try:
            async with session.request(
                request.method, f"http://core{request.path_qs}", headers=headers, data=body
            ) as answer:
                payload = await answer.read()
                kept = {k: v for k, v in answer.headers.items() if k.lower() not in _NOT_FORWARDED}
                return web.Response(status=answer.status, body=payload, headers=kept)
        except aiohttp.ClientError as e:
            log.warning("the core's HTTP server did not answer %s: %s", request.path, type(e).__name__)
            return web.json_response({"error": "the bot's core is not answering"}, status=503)

    return to_core


async def serve(settings: AckSettings) -> None:
    pair = socket.socket(fileno=settings.handover_fd)
    closed, handover = await asyncio.open_unix_connection(sock=pair)
    listener = socket.socket(fileno=settings.listen_fd)
    session = aiohttp.ClientSession(connector=aiohttp.UnixConnector(path=settings.core_socket))
    web_app = web.Application(client_max_size=MAX_BODY_BYTES)
    bursts = Bursts(handover, settings.burst_gap_s)
    web_app.router.add_post(settings.path, slack_handler(settings, handover, bursts))
    web_app.router.add_route("*", "/{tail:.*}", core_proxy(session))
    runner = web.AppRunner(web_app, access_log=None, handle_signals=False)
    await runner.setup()
    try:
        await web.SockSite(runner, listener).start()
        handover.write(READY)
        await closed.read()  # the core never writes: this returns when it closes its end
    finally:
        bursts.close()
        await runner.cleanup()
        await session.close()
        handover.close()


def main() -> int:
    with contextlib.suppress(OSError, AttributeError):  # a restarted one inherits the core's batch policy
        os.sched_setscheduler(0, os.SCHED_OTHER, os.sched_param(0))
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, signal.SIG_IGN)  # the core decides when this stops: it closes the socket pair
    logging.basicConfig(
        level=logging.WARNING, stream=sys.stderr, format="%(levelname)s %(name)s: %(message)s"
    )
    settings = AckSettings.from_json(sys.stdin.readline())
    asyncio.run(serve(settings))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
