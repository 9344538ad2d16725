"""The Mattermost WebSocket event stream: authenticate, read events in order, reconnect with back-off.

Connects to `/api/v4/websocket`, sends `authentication_challenge` with the
bot token (the first action, `seq` 1) and hands every event to `on_event`,
which must return at once (the adapter starts a task). Events carry a
`seq` that grows by one per connection; the `hello` event names the
connection. On a reconnect the stream asks to resume that connection
(`connection_id` and the next `sequence_number`), so a server that still
holds the missed events sends them; a gap in `seq` closes the socket to
resume the same way; a new connection id means events in between may be
lost (logged). Redelivered events are the router's to de-duplicate (by post
id). Back-off doubles from `min_backoff_s` to `max_backoff_s` with jitter, and
starts over once a connection says hello. A refused token is logged once per
attempt and backed off the most. This module reads and reconnects; it
decides nothing.
"""

from __future__ import annotations

import asyncio
import json
import logging
import random
from collections.abc import Callable, Mapping
from typing import Any

import aiohttp

log = logging.getLogger(__name__)

EventHandler = Callable[[Mapping[str, Any]], None]
MAX_MESSAGE_BYTES = 4 * 1024 * 1024


class AuthenticationRefused(Exception):
    """The server answered the authentication challenge with something other than OK."""


class _Gap(Exception):
    """An event arrived out of sequence: reconnect and ask the server to resume."""


class EventStream:
    def __init__(
        self,
        *,
        url: str,
        token: str,
        session: Callable[[], aiohttp.ClientSession],
        on_event: EventHandler,
        min_backoff_s: float = 1.0,
        max_backoff_s: float = 60.0,
        heartbeat_s: float = 30.0,
    ) -> None:
        self._url = url
        self._token = token
        self._session = session
        self._on_event = on_event
        self._min_backoff_s = min_backoff_s
        self._max_backoff_s = max_backoff_s
        self._heartbeat_s = heartbeat_s
        self.connection_id: str | None = None
        self.next_seq = 0  # the seq the next server event should carry
        self.connected = asyncio.Event()
        self.connections = 0  # sockets that said hello (tests and /readyz read it)

    async def run_forever(self) -> None:
        """Until cancelled: connect, read, and reconnect after any failure."""
        backoff = self._min_backoff_s
        while True:
            said_hello = False
            try:
                said_hello = await self._connect_once()
            except AuthenticationRefused as e:
                log.error(
                    "Mattermost refused the bot token on the WebSocket (%s); check CHATOPS_MATTERMOST_TOKEN",
                    e,
                )
                backoff = self._max_backoff_s
            except _Gap as e:
                log.warning("Mattermost WebSocket: %s; reconnecting to resume", e)
                said_hello, backoff = True, 0.0
            except (aiohttp.ClientError, OSError, TimeoutError, ValueError) as e:
                log.warning("Mattermost WebSocket failed (%s); reconnecting", type(e).__name__)
            finally:
                self.connected.clear()
            if said_hello:
                backoff = min(backoff, self._min_backoff_s)
            await asyncio.sleep(backoff * (0.5 + random.random() / 2))
            backoff = min(max(backoff * 2, self._min_backoff_s), self._max_backoff_s)

    def _address(self) -> str:
        if self.connection_id is None:
            return self._url
        return f"{self._url}?connection_id={self.connection_id}&sequence_number={self.next_seq}"

    async def _connect_once(self) -> bool:
        """One connection until it closes; True when it got as far as hello."""
        said_hello = False
        async with self._session().ws_connect(
            self._address(), heartbeat=self._heartbeat_s, max_msg_size=MAX_MESSAGE_BYTES
        ) as ws:
            await ws.send_json(
                {"seq": 1, "action": "authentication_challenge", "data": {"token": self._token}}
            )
            async for message in ws:
                if message.type is not aiohttp.WSMsgType.TEXT:
                    if message.type in (aiohttp.WSMsgType.ERROR, aiohttp.WSMsgType.CLOSE):
                        break
                    continue
                document = json.loads(message.data)
                if not isinstance(document, Mapping):
                    continue
                if "seq_reply" in document:  # the answer to one of our actions
                    if document.get("seq_reply") == 1 and document.get("status") != "OK":
                        error = document.get("error")
                        detail = error.get("id") if isinstance(error, Mapping) else document.get("status")
                        raise AuthenticationRefused(str(detail))
                    continue
                is_hello = document.get("event") == "hello"
                if self._accept(document) and not is_hello:
                    self._on_event(document)
                said_hello = said_hello or is_hello
        return said_hello

    def _accept(self, event: Mapping[str, Any]) -> bool:
        """Keep the sequence: True to handle this event, False for one already seen; raises `_Gap`
        when some were skipped (the reconnect asks the server for them)."""
        seq = event.get("seq")
        if not isinstance(seq, int):
            return False
        if event.get("event") == "hello":
            data = event.get("data")
            connection_id = data.get("connection_id") if isinstance(data, Mapping) else None
            if isinstance(connection_id, str) and connection_id != self.connection_id:
                if self.connection_id is not None:
                    log.warning(
                        "Mattermost started a new WebSocket session; events while disconnected may be lost"
                    )
                self.connection_id = connection_id
                self.next_seq = seq
            self.connections += 1
            self.connected.set()
        if seq < self.next_seq:
            return False
        if seq > self.next_seq:
            raise _Gap(f"event seq {seq}, expected {self.next_seq}")
        self.next_seq = seq + 1
        return True
