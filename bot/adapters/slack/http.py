"""HTTP mode: `POST /slack/events` (events, slash commands and interactivity) on an aiohttp app.

A request is checked before Bolt sees it: the `X-Slack-Request-Timestamp`
header must be a number within five minutes of now, and `X-Slack-Signature`
the HMAC-SHA256 of `v0:{timestamp}:{body}` under `SLACK_SIGNING_SECRET`.
Anything else is answered 401 and never reaches a listener (Bolt checks the
signature again, a second gate). Retries (`X-Slack-Retry-Num`) are dispatched
like first deliveries: the router processes each event id once. The work a
listener hands over is held until the acknowledgement has been written, so it
never runs ahead of the ack on the event loop. This module
converts requests and responses; it decides nothing else.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable, Sequence

from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response
from slack_bolt.request.async_request import AsyncBoltRequest

from .acks import media_type, parse_body, route_of
from .adapter import SlackAdapter
from .handover import Handover, HandoverError, Request
from .listeners import start_work
from .signing import MAX_BODY_BYTES, is_signed

log = logging.getLogger(__name__)

EVENTS_PATH = "/slack/events"


def _refused() -> web.Response:
    return web.json_response({"error": "invalid request"}, status=401)


def events_handler(
    adapter: SlackAdapter, *, clock: Callable[[], float] = time.time
) -> Callable[[web.Request], Awaitable[web.StreamResponse]]:
    async def handle(request: web.Request) -> web.StreamResponse:
        if request.content_length is not None and request.content_length > MAX_BODY_BYTES:
            return web.json_response({"error": "request too large"}, status=413)
        body = await request.read()
        if not is_signed(
            body=body,
            timestamp=request.headers.get("X-Slack-Request-Timestamp"),
            signature=request.headers.get("X-Slack-Signature"),
            secret=adapter.signing_secret,
            now=clock(),
        ):
            log.info("refused a Slack request with a bad or stale signature from %s", request.remote)
            return _refused()
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError:
            return web.json_response({"error": "body is not UTF-8"}, status=400)
        headers: dict[str, str | Sequence[str]] = {
            key.lower(): request.headers.getall(key) for key in request.headers
        }
        bolt_request = AsyncBoltRequest(body=text, query=request.query_string, headers=headers)
        with adapter.holding_work() as held:
            try:
                bolt_response = await adapter.bolt.async_dispatch(bolt_request)
                response = await to_aiohttp_response(bolt_response)
                # The ack goes out before the work it started takes its first turn on the loop.
                await response.prepare(request)
                await response.write_eof()
            finally:
                adapter.start_held(held)
        return response

    return handle


async def dispatch_handover(adapter: SlackAdapter, handover: Handover) -> int:
    """A request the ack server has acknowledged: its work started as Bolt's listener would start it.

    Not through Bolt: the ack server has answered it as Bolt would (`acks.py`), and running Bolt's
    request object, middleware and listener runner again for every request was most of the core's
    CPU in a burst, taken from the ack server on the same cores. The signature is checked again
    (the ack server is a separate process: a second gate costs ~10 µs); the route is Bolt's
    (`acks.route_of`) and the work `listeners.start_work`, the listeners' own.
    Returns the status Bolt would have given: 200 when taken.
    """
    try:
        request = handover.request()
    except HandoverError:
        log.warning("a handed-over Slack request could not be read; not run")
        return 400
    if not is_signed(
        body=request.body.encode(),
        timestamp=_header(request, "x-slack-request-timestamp"),
        signature=_header(request, "x-slack-signature"),
        secret=adapter.signing_secret,
        now=time.time(),
    ):
        log.warning("a handed-over Slack request has a bad or stale signature; not run")
        return 401
    payload = parse_body(request.body, media_type(_header(request, "content-type")))
    route = None if payload is None else route_of(payload, slash_command=adapter.options.slash_command)
    if payload is None or route is None:
        log.warning("a handed-over Slack request is not one the bot takes; not run")
        return 404
    await start_work(adapter, route, payload)
    return 200


def _header(request: Request, name: str) -> str | None:
    value = request.headers.get(name)
    if isinstance(value, str) or value is None:
        return value
    return value[0] if value else None


def add_slack_routes(web_app: web.Application, adapter: SlackAdapter, *, path: str = EVENTS_PATH) -> None:
    """Mount `POST {path}` on the bot's one HTTP server."""
    web_app.router.add_post(path, events_handler(adapter))


def slack_routes(adapter: SlackAdapter, *, path: str = EVENTS_PATH) -> web.Application:
    """A stand-alone aiohttp app serving only `POST {path}` (for tests, or `add_subapp`)."""
    web_app = web.Application(client_max_size=MAX_BODY_BYTES)
    add_slack_routes(web_app, adapter, path=path)
    return web_app
