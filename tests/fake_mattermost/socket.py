"""The fake Mattermost's WebSocket: sessions with a connection id, a seq per event, resumption.

A client authenticates with `authentication_challenge` (seq 1, the bot
token) and is answered `{"status": "OK", "seq_reply": 1}`, then `hello`.
Every session keeps the events it was sent; a client reconnecting with
`connection_id` and `sequence_number` is sent those from that number on,
then `hello` with the next seq. `drop()` closes the sockets as a network
failure would; `forget()` makes the server lose its sessions (a restart).
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import WSMsgType, web

from tests.fake_mattermost import wire


@dataclasses.dataclass
class Session:
    connection_id: str
    sent: list[dict[str, Any]] = dataclasses.field(default_factory=list)
    socket: web.WebSocketResponse | None = None

    @property
    def next_seq(self) -> int:
        return len(self.sent)

    async def send(self, event: dict[str, Any]) -> None:
        event = {**event, "seq": self.next_seq}
        self.sent.append(event)
        if self.socket is not None and not self.socket.closed:
            await self.socket.send_str(json.dumps(event))


class Sessions:
    def __init__(self, token: str, changed: Callable[[], Awaitable[None]]) -> None:
        self._token = token
        self._changed = changed
        self.sessions: dict[str, Session] = {}
        self.current: Session | None = None
        self.connects: list[dict[str, str]] = []  # the query of every connection
        self.refused = 0

    async def handle(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse(autoping=True)
        await ws.prepare(request)
        self.connects.append(dict(request.query))
        first = await ws.receive()
        challenge = json.loads(first.data) if first.type is WSMsgType.TEXT else {}
        if (
            challenge.get("action") != "authentication_challenge"
            or challenge.get("data", {}).get("token") != self._token
        ):
            self.refused += 1
            reply = {
                "status": "FAIL",
                "seq_reply": challenge.get("seq", 1),
                "error": {"id": "api.web_socket_router.not_authenticated.app_error"},
            }
            await ws.send_str(json.dumps(reply))
            await ws.close()
            await self._changed()
            return ws
        await ws.send_str(json.dumps({"status": "OK", "seq_reply": challenge.get("seq", 1)}))
        session = self._resume(request.query)
        if session is None:
            session = Session(wire.new_id("c"))
            self.sessions[session.connection_id] = session
        else:
            start = int(request.query.get("sequence_number", "0"))
            for event in session.sent[start:]:  # what it missed while away
                await ws.send_str(json.dumps(event))
        session.socket = ws
        self.current = session
        await session.send(wire.hello(session.connection_id))
        await self._changed()
        async for message in ws:
            if message.type is WSMsgType.TEXT:
                pass  # the bot sends nothing after the challenge
        if session.socket is ws:
            session.socket = None
        await self._changed()
        return ws

    def _resume(self, query: Any) -> Session | None:
        session = self.sessions.get(query.get("connection_id", ""))
        number = query.get("sequence_number", "")
        if session is None or not number.isdigit() or int(number) > session.next_seq:
            return None
        return session

    @property
    def live(self) -> bool:
        return self.current is not None and self.current.socket is not None and not self.current.socket.closed

    async def broadcast(self, event: dict[str, Any]) -> None:
        """To the bot's session (kept for a resume when its socket is down)."""
        if self.current is not None:
            await self.current.send(event)

    async def drop(self) -> None:
        """Close the bot's socket as a broken network would; the session stays resumable."""
        if self.current is not None and self.current.socket is not None:
            socket, self.current.socket = self.current.socket, None
            await socket.close()

    def forget(self) -> None:
        """The server lost every session (a restart): the next connection starts afresh."""
        self.sessions.clear()

    async def close(self) -> None:
        for session in self.sessions.values():
            if session.socket is not None:
                await session.socket.close()
