"""Watch streams of the fake API server: `?watch=1` as chunked JSON lines, with resourceVersion semantics.

Every write of the store is kept as an event (`ADDED` / `MODIFIED` /
`DELETED`, its resourceVersion). A watch from resourceVersion N replays the
kept events after N, then streams new ones; without one (or "0") it starts
with a synthetic `ADDED` per object. `compact()` forgets the history up to a
version: a watch from before it gets the real server's `ERROR` event with a
410 Status ("too old resource version"), or a plain HTTP 410 with
`expired_as_http`. With `allowWatchBookmarks`, `bookmark()` sends a BOOKMARK
on every open stream and one is sent before the server's timeout closes it.

Steering a test: `drop_after(n)` cuts the next stream after n events in the
middle of a line (the client sees a broken chunked response); `drop_all()`
cuts every open stream now; `opened` counts watch requests and
`open_streams` the ones still running; `wait_streams(n)` waits until n are open.
Never imports project code.
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
from collections.abc import Callable, Mapping
from typing import Any

from aiohttp import web

from tests.fake_k8s.errors import KubeError, status_body
from tests.fake_k8s.resources import ResourceType
from tests.fake_k8s.store import Obj

DEFAULT_TIMEOUT_S = 1800.0
_DROP = object()
_BOOKMARK = object()


@dataclasses.dataclass(frozen=True)
class StoredEvent:
    rv: int
    type: str
    rt: ResourceType
    obj: Obj


@dataclasses.dataclass
class _Stream:
    rt: ResourceType
    queue: asyncio.Queue[Any]
    transport: Any
    sent: int = 0


def expired_status(rv: str, oldest: int) -> dict[str, Any]:
    return status_body(code=410, reason="Expired", message=f"too old resource version: {rv} ({oldest})")


class WatchHub:
    def __init__(self) -> None:
        self.history: list[StoredEvent] = []
        self.compacted = 0  # events with rv <= this are forgotten
        self.expired_as_http = False
        self.opened = 0
        self.requests: list[Mapping[str, str]] = []  # the query of every watch request
        self._streams: list[_Stream] = []
        self._drop_after: int | None = None
        self._changed = asyncio.Condition()

    # -- fed by the store ----------------------------------------------------
    def record(self, event_type: str, rt: ResourceType, obj: Obj) -> None:
        event = StoredEvent(int(obj["metadata"]["resourceVersion"]), event_type, rt, obj)
        self.history.append(event)
        for stream in self._streams:
            if stream.rt == rt:
                stream.queue.put_nowait(event)

    # -- steering ------------------------------------------------------------
    def compact(self, rv: int | None = None) -> None:
        """Forget the events up to `rv` (default: all of them so far)."""
        self.compacted = rv if rv is not None else (self.history[-1].rv if self.history else self.compacted)
        self.history = [e for e in self.history if e.rv > self.compacted]

    def drop_after(self, events: int) -> None:
        """Cut the next stream that sends `events` more events, in the middle of the next line."""
        self._drop_after = events

    def drop_all(self) -> None:
        for stream in self._streams:
            stream.queue.put_nowait(_DROP)

    def bookmark(self) -> None:
        for stream in self._streams:
            stream.queue.put_nowait(_BOOKMARK)

    @property
    def open_streams(self) -> int:
        return len(self._streams)

    async def wait_streams(self, count: int, *, timeout: float = 10.0) -> None:
        async with asyncio.timeout(timeout), self._changed:
            await self._changed.wait_for(lambda: len(self._streams) >= count)

    # -- serving -------------------------------------------------------------
    async def serve(
        self,
        request: web.Request,
        *,
        rt: ResourceType,
        query: Mapping[str, str],
        current: Callable[[], list[Obj]],
        matches: Callable[[Obj], bool],
        resource_version: Callable[[], str],
    ) -> web.StreamResponse:
        self.opened += 1
        self.requests.append(dict(query))
        rv = query.get("resourceVersion") or ""
        bookmarks = query.get("allowWatchBookmarks") in ("true", "1")
        timeout = float(query.get("timeoutSeconds") or DEFAULT_TIMEOUT_S)
        expired = rv not in ("", "0") and int(rv) < self.compacted
        if expired and self.expired_as_http:
            raise KubeError(410, expired_status(rv, self.compacted))
        response = web.StreamResponse(status=200, headers={"Content-Type": "application/json"})
        await response.prepare(request)
        if expired:
            await _write(response, {"type": "ERROR", "object": expired_status(rv, self.compacted)})
            await response.write_eof()
            return response
        stream = _Stream(rt, asyncio.Queue(), request.transport)
        if rv in ("", "0"):
            backlog: list[Any] = [("ADDED", obj) for obj in current()]
        else:
            backlog = [e for e in self.history if e.rt == rt and e.rv > int(rv)]
        for item in backlog:
            stream.queue.put_nowait(item)
        self._streams.append(stream)
        await self._notify()
        try:
            await self._pump(response, stream, matches, bookmarks, timeout, resource_version)
        except ConnectionError:
            return response
        finally:
            self._streams.remove(stream)
            await self._notify()
        return response

    async def _pump(
        self,
        response: web.StreamResponse,
        stream: _Stream,
        matches: Callable[[Obj], bool],
        bookmarks: bool,
        timeout: float,
        resource_version: Callable[[], str],
    ) -> None:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        drop_at = self._drop_after
        self._drop_after = None
        while True:
            try:
                item = await asyncio.wait_for(stream.queue.get(), timeout=max(0.0, deadline - loop.time()))
            except TimeoutError:
                break
            if item is _DROP:
                await _cut(response, stream, {"type": "MODIFIED", "object": {}})
                raise ConnectionResetError
            if item is _BOOKMARK:
                if bookmarks:
                    await _write(response, _bookmark(stream.rt, resource_version()))
                continue
            event_type, obj = (item.type, item.obj) if isinstance(item, StoredEvent) else item
            if not matches(obj):
                continue
            typed = {"kind": stream.rt.kind, "apiVersion": stream.rt.api_version, **obj}
            line = {"type": event_type, "object": typed}
            if drop_at is not None and stream.sent >= drop_at:
                await _cut(response, stream, line)
                raise ConnectionResetError
            await _write(response, line)
            stream.sent += 1
        if bookmarks:
            await _write(response, _bookmark(stream.rt, resource_version()))
        await response.write_eof()

    async def _notify(self) -> None:
        async with self._changed:
            self._changed.notify_all()


def _bookmark(rt: ResourceType, rv: str) -> dict[str, Any]:
    obj = {"kind": rt.kind, "apiVersion": rt.api_version, "metadata": {"resourceVersion": rv}}
    return {"type": "BOOKMARK", "object": obj}


async def _write(response: web.StreamResponse, line: Mapping[str, Any]) -> None:
    await response.write((json.dumps(line, separators=(",", ":")) + "\n").encode())


async def _cut(response: web.StreamResponse, stream: _Stream, line: Mapping[str, Any]) -> None:
    """Half a line, then the connection closes without ending the chunked body."""
    data = json.dumps(line).encode()
    await response.write(data[: max(1, len(data) // 2)])
    if stream.transport is not None:
        stream.transport.abort()
