"""A local fake of Discord (REST API v10 and the gateway), speaking the real protocols.

The real discord.py client points at it through `discord.http.Route.BASE`
and `DiscordWebSocket.DEFAULT_GATEWAY` (see `plugin.py`). It serves the
login and gateway discovery endpoints, a JSON gateway (HELLO → IDENTIFY →
READY + GUILD_CREATE, heartbeats acknowledged), command sync, interaction
callbacks, webhook follow-ups and edits and channel messages. Every request
is recorded (`requests`), every message kept in its latest state
(`messages`), and tests inject gateway events (`say`, `slash`, `click`).
Replies are JSON with a Content-Type of exactly `application/json`, which is
what discord.py requires before it parses a body.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import json
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from aiohttp import WSMsgType, web

from tests.fake_discord import payloads as p
from tests.fake_discord.wire import Recorded, application, read_body, registered, unknown, with_files


@dataclasses.dataclass
class _Interaction:
    payload: dict[str, Any]
    original: str | None = None  # message id of @original
    loading: bool = False
    callbacks: list[dict[str, Any]] = dataclasses.field(default_factory=list)


class FakeDiscord:
    def __init__(self, *, people: Iterable[p.Person]) -> None:
        self.people = {person.user_id: person for person in people}
        self.requests: list[Recorded] = []
        self.messages: dict[str, dict[str, Any]] = {}
        self.synced: dict[str, list[dict[str, Any]]] = {}  # "global" or guild id → commands
        self.interactions: dict[str, _Interaction] = {}  # token → interaction
        self.identified = 0
        self._sockets: list[web.WebSocketResponse] = []
        self._sequence = 0
        self._changed = asyncio.Condition()
        self._runner: web.AppRunner | None = None
        self.base_url = ""

    # --- lifecycle ---------------------------------------------------------------------------
    async def start(self) -> None:
        app = web.Application()
        app.router.add_get("/gateway", self._gateway)
        app.router.add_route("*", "/api/v10/{path:.*}", self._rest)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self.base_url = f"http://127.0.0.1:{port}"

    @property
    def api_base(self) -> str:
        return self.base_url + "/api/v10"

    @property
    def gateway_url(self) -> str:
        return self.base_url.replace("http://", "ws://") + "/gateway"

    async def close(self) -> None:
        for socket in list(self._sockets):
            await socket.close()
        if self._runner is not None:
            await self._runner.cleanup()

    # --- what tests inject ---------------------------------------------------------------------
    async def dispatch(self, event: str, data: Mapping[str, Any]) -> None:
        if not self._sockets:
            raise AssertionError("no client is connected to the fake gateway")
        self._sequence += 1
        frame = {"op": 0, "t": event, "s": self._sequence, "d": data}
        for socket in list(self._sockets):
            await socket.send_str(json.dumps(frame))

    async def say(
        self, person: p.Person, content: str, *, channel_id: str = p.CHANNEL_ID, mention_bot: bool = False
    ) -> dict[str, Any]:
        guild = None if channel_id == p.DM_CHANNEL_ID else p.GUILD_ID
        text = f"<@{p.APP_ID}> {content}" if mention_bot else content
        data = p.message(
            message_id=p.snowflake(),
            channel_id=channel_id,
            author=person,
            content=text,
            guild_id=guild,
            mentions=[p.BOT] if mention_bot else [],
        )
        await self.dispatch("MESSAGE_CREATE", data)
        return data

    async def slash(
        self,
        person: p.Person,
        name: str,
        options: Mapping[str, Any] | None = None,
        *,
        channel_id: str = p.CHANNEL_ID,
        focused: str | None = None,
    ) -> dict[str, Any]:
        command = self._command(name)
        data = {
            "id": command["id"],
            "name": name,
            "type": 1,
            "options": p.slash_options(options or {}, focused=focused),
        }
        if p.GUILD_ID in self.synced and channel_id != p.DM_CHANNEL_ID:
            data["guild_id"] = p.GUILD_ID
        kind = 4 if focused else 2
        interaction = p.interaction(kind=kind, person=person, data=data, channel_id=channel_id)
        self.interactions[interaction["token"]] = _Interaction(interaction)
        await self.dispatch("INTERACTION_CREATE", interaction)
        return interaction

    async def click(self, person: p.Person, card_id: str, custom_id: str) -> dict[str, Any]:
        card = self.messages[card_id]
        data = {"custom_id": custom_id, "component_type": 2}
        interaction = p.interaction(
            kind=3, person=person, data=data, channel_id=card["channel_id"], card=card
        )
        self.interactions[interaction["token"]] = _Interaction(interaction, original=card_id)
        await self.dispatch("INTERACTION_CREATE", interaction)
        return interaction

    def _command(self, name: str) -> dict[str, Any]:
        for commands in self.synced.values():
            for command in commands:
                if command["name"] == name:
                    return command
        raise AssertionError(f"/{name} was never synced; synced: {self.synced}")

    # --- what tests read -------------------------------------------------------------------------
    async def wait_for(self, predicate: Callable[[], Any], *, timeout: float = 10.0) -> Any:
        async with self._changed:
            result = predicate()
            loop = asyncio.get_running_loop()
            deadline = loop.time() + timeout
            while not result:
                left = deadline - loop.time()
                if left <= 0:
                    raise AssertionError("timed out waiting on the fake Discord")
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._changed.wait(), left)
                result = predicate()
            return result

    def callbacks(self, interaction: Mapping[str, Any]) -> list[dict[str, Any]]:
        return self.interactions[interaction["token"]].callbacks

    def replies_to(self, interaction: Mapping[str, Any]) -> list[dict[str, Any]]:
        """Messages this interaction made (its response, follow-ups) and the card it was clicked on."""
        state = self.interactions[interaction["token"]]
        made = [m for m in self.messages.values() if m.get("_token") == interaction["token"]]
        if state.original is not None and state.original not in {m["id"] for m in made}:
            made.insert(0, self.messages[state.original])
        return made

    def in_channel(self, channel_id: str) -> list[dict[str, Any]]:
        return [m for m in self.messages.values() if m["channel_id"] == channel_id and m["author"]["bot"]]

    def outgoing(self) -> list[Recorded]:
        return [r for r in self.requests if r.message_payload is not None]

    # --- the gateway -----------------------------------------------------------------------------
    async def _gateway(self, request: web.Request) -> web.WebSocketResponse:
        socket = web.WebSocketResponse()
        await socket.prepare(request)
        await socket.send_str(json.dumps({"op": 10, "d": {"heartbeat_interval": 41250}}))
        self._sockets.append(socket)
        try:
            async for frame in socket:
                if frame.type is not WSMsgType.TEXT:
                    continue
                message = json.loads(frame.data)
                if message["op"] == 1:
                    await socket.send_str(json.dumps({"op": 11}))
                elif message["op"] == 2:
                    self.identified += 1
                    await self._ready(socket)
        finally:
            self._sockets.remove(socket)
        return socket

    async def _ready(self, socket: web.WebSocketResponse) -> None:
        ready = {
            "v": 10,
            "user": p.BOT.user(),
            "guilds": [{"id": p.GUILD_ID, "unavailable": True}],
            "session_id": "session-" + p.snowflake(),
            "resume_gateway_url": self.gateway_url,
            "application": {"id": p.APP_ID, "flags": 0},
            "private_channels": [],
            "relationships": [],
        }
        for event, data in (("READY", ready), ("GUILD_CREATE", p.guild_create(self.people.values()))):
            self._sequence += 1
            await socket.send_str(json.dumps({"op": 0, "t": event, "s": self._sequence, "d": data}))

    # --- REST --------------------------------------------------------------------------------------
    async def _rest(self, request: web.Request) -> web.Response:
        path = "/" + request.match_info["path"]
        payload, files = await read_body(request)
        recorded = Recorded(request.method, path, dict(request.query), payload, files)
        answer = self._answer(recorded)
        async with self._changed:
            self.requests.append(recorded)
            self._changed.notify_all()
        if answer is None:
            return web.Response(status=204)
        status, body = answer
        return web.Response(
            status=status, body=json.dumps(body).encode(), headers={"Content-Type": "application/json"}
        )

    def _answer(self, r: Recorded) -> tuple[int, Any] | None:
        parts = r.path.strip("/").split("/")
        if r.path == "/users/@me":
            return 200, p.BOT.user()
        if r.path == "/oauth2/applications/@me":
            return 200, application()
        if r.path in ("/gateway", "/gateway/bot"):
            return 200, {
                "url": self.gateway_url,
                "shards": 1,
                "session_start_limit": {
                    "total": 1000,
                    "remaining": 999,
                    "reset_after": 0,
                    "max_concurrency": 1,
                },
            }
        if parts[0] == "applications" and parts[-1] == "commands" and r.method == "PUT":
            scope = parts[3] if len(parts) == 5 else "global"
            listed: list[Mapping[str, Any]] = r.payload or []  # type: ignore[assignment]  # a JSON list here
            commands = [registered(c, scope) for c in listed]
            self.synced[scope] = commands
            return 200, commands
        if parts[0] == "interactions":
            return self._callback(parts[2], r.payload or {})
        if parts[0] == "webhooks":
            return self._webhook(r.method, parts[2], parts[4] if len(parts) > 4 else None, r)
        if parts[0] == "channels" and len(parts) >= 3 and parts[2] == "messages":
            if r.method == "POST":
                return 200, self._create(parts[1], r)
            if r.method == "PATCH":
                return 200, self._edit(parts[3], r)
            if r.method == "GET" and len(parts) == 4:
                return (200, self.messages[parts[3]]) if parts[3] in self.messages else (404, unknown())
        if parts[0] == "channels" and len(parts) == 3 and parts[2] == "typing":
            return None
        if parts[0] == "channels" and len(parts) == 2:
            return 200, p.channel_json(parts[1])
        return 404, unknown()

    def _callback(self, token: str, body: Mapping[str, Any]) -> tuple[int, Any]:
        state = self.interactions[token]
        state.callbacks.append(dict(body))
        kind = body.get("type")
        channel = state.payload["channel_id"]
        data = body.get("data") or {}
        resource: dict[str, Any] = {"type": kind}
        if kind in (4, 5):
            flags = int(data.get("flags", 0)) | (128 if kind == 5 else 0)
            msg = self._store(channel, {**data, "flags": flags}, token=token)
            state.original, state.loading = msg["id"], kind == 5
            resource["message"] = msg
        elif kind == 7 and state.original is not None:
            resource["message"] = self._store_edit(state.original, data)
        interaction = {
            "id": state.payload["id"],
            "type": state.payload["type"],
            "response_message_id": state.original,
            "response_message_loading": state.loading,
            "response_message_ephemeral": bool(int(data.get("flags", 0)) & 64),
        }
        return 200, {"interaction": interaction, "resource": resource}

    def _webhook(self, method: str, token: str, message_id: str | None, r: Recorded) -> tuple[int, Any]:
        state = self.interactions.get(token)
        if state is None:
            return 404, unknown()
        body = with_files(r)
        if message_id == "@original":
            message_id = state.original
        if method == "POST":
            if state.loading and state.original is not None:  # the first follow-up replaces "thinking…"
                state.loading = False
                flags = int(self.messages[state.original].get("flags", 0)) & ~128
                return 200, self._store_edit(state.original, {**body, "flags": flags})
            return 200, self._store(state.payload["channel_id"], body, token=token)
        if message_id is None or message_id not in self.messages:
            return 404, unknown()
        if method == "PATCH":
            state.loading = False if message_id == state.original else state.loading
            return 200, self._store_edit(message_id, body)
        return 200, self.messages[message_id]

    def _create(self, channel: str, r: Recorded) -> dict[str, Any]:
        return self._store(channel, with_files(r))

    def _edit(self, message_id: str, r: Recorded) -> dict[str, Any]:
        return self._store_edit(message_id, with_files(r))

    def _store(self, channel: str, body: Mapping[str, Any], *, token: str | None = None) -> dict[str, Any]:
        guild = None if channel == p.DM_CHANNEL_ID else p.GUILD_ID
        msg = p.message(
            message_id=p.snowflake(),
            channel_id=channel,
            author=p.BOT,
            content=str(body.get("content") or ""),
            guild_id=guild,
            embeds=body.get("embeds") or (),
            components=body.get("components") or (),
            attachments=body.get("attachments") or (),
            flags=int(body.get("flags", 0) or 0),
            webhook_id=p.APP_ID if token else None,
        )
        msg["_token"] = token
        self.messages[msg["id"]] = msg
        return msg

    def _store_edit(self, message_id: str, body: Mapping[str, Any]) -> dict[str, Any]:
        msg = self.messages[message_id]
        for key in ("content", "embeds", "components", "attachments", "flags"):
            if key in body and body[key] is not None:
                msg[key] = body[key]
        msg["edited_timestamp"] = p.now_iso()
        return msg
