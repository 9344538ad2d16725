"""A local fake of the Slack Web API (and Socket Mode), speaking the real HTTP protocol.

The real `AsyncWebClient` points at it through `slack.api_base_url`. It
records every call (method, arguments, token, content type), keeps the
messages it was asked to post so updates can be checked against them, takes
file uploads at the URL `files.getUploadURLExternal` hands out, answers
`response_url` posts, and serves a Socket Mode WebSocket that tests push
envelopes through. Arguments arrive as JSON, form or query string, as the
client chooses per method; all three are accepted.
"""

from __future__ import annotations

import asyncio
import dataclasses
import itertools
import json
from collections.abc import Callable, Mapping
from typing import Any

from aiohttp import WSMsgType, web

BOT_TOKEN = "xoxb-fake-bot-token"
APP_TOKEN = "xapp-fake-app-token"
TEAM = "T0TEAM"
BOT_USER = "UBOT"
BOT_ID = "BBOT"


@dataclasses.dataclass(frozen=True)
class Call:
    method: str
    args: dict[str, Any]
    token: str | None
    content_type: str

    def json_arg(self, name: str) -> Any:
        """Form bodies carry lists (`blocks`) as JSON strings; JSON bodies carry them as lists."""
        value = self.args.get(name)
        return json.loads(value) if isinstance(value, str) and value[:1] in "[{" else value


class FakeSlack:
    def __init__(
        self,
        *,
        users: Mapping[str, str] | None = None,
        usergroups: Mapping[str, list[str]] | None = None,
        latency_s: float = 0.0,
    ) -> None:
        self.users = dict(users or {})  # user id → display name
        self.usergroups = dict(usergroups or {})  # group id → member ids
        self.latency_s = latency_s
        self.calls: list[Call] = []
        self.messages: dict[tuple[str, str], dict[str, Any]] = {}  # (channel, ts) → latest message
        self.uploads: dict[str, bytes] = {}
        self.responses: list[dict[str, Any]] = []  # posts to response_url
        self.errors: dict[tuple[str, str | None], str] = {}  # (method, channel or None) → error to answer
        self.socket_acks: list[dict[str, Any]] = []
        self._results: dict[int, dict[str, Any]] = {}  # index in `calls` → what was answered
        self._ts = itertools.count(1)
        self._ids = itertools.count(1)
        self._changed = asyncio.Condition()
        self._sockets: list[web.WebSocketResponse] = []
        self._runner: web.AppRunner | None = None
        self.base_url = ""

    # --- lifecycle ---------------------------------------------------------------------------
    async def start(self) -> str:
        app = web.Application()
        app.router.add_route("*", "/api/{method}", self._api)
        app.router.add_post("/upload/{file_id}", self._upload)
        app.router.add_post("/response/{key}", self._response)
        app.router.add_get("/socket", self._socket)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self.base_url = f"http://127.0.0.1:{port}"
        return self.base_url

    @property
    def api_url(self) -> str:
        return f"{self.base_url}/api/"

    def response_url(self, key: str = "r1") -> str:
        return f"{self.base_url}/response/{key}"

    async def close(self) -> None:
        for ws in list(self._sockets):
            await ws.close()
        if self._runner is not None:
            await self._runner.cleanup()

    # --- what tests ask ----------------------------------------------------------------------
    def calls_to(self, method: str) -> list[Call]:
        return [c for c in self.calls if c.method == method]

    def result_of(self, call: Call) -> dict[str, Any]:
        """What the fake answered to this call (e.g. the `ts` of a posted message)."""
        return self._results[next(i for i, c in enumerate(self.calls) if c is call)]

    async def wait_for(self, method: str, count: int = 1, timeout: float = 5.0) -> list[Call]:
        if not await self.wait_until(lambda: len(self.calls_to(method)) >= count, timeout=timeout):
            seen = [c.method for c in self.calls]
            raise AssertionError(f"expected {count} call(s) to {method} within {timeout}s; saw {seen}")
        return self.calls_to(method)

    async def wait_until(self, predicate: Callable[[], bool], *, timeout: float = 5.0) -> bool:
        async def satisfied() -> None:
            async with self._changed:
                await self._changed.wait_for(predicate)

        try:
            await asyncio.wait_for(satisfied(), timeout)
        except TimeoutError:
            return False
        return True

    async def _note(self, call: Call) -> None:
        self.calls.append(call)
        async with self._changed:
            self._changed.notify_all()

    # --- the Web API -------------------------------------------------------------------------
    async def _args(self, request: web.Request) -> dict[str, Any]:
        args: dict[str, Any] = dict(request.query)
        if request.method == "POST" and request.can_read_body:
            if request.content_type == "application/json":
                args.update(await request.json())
            else:
                args.update({k: v for k, v in (await request.post()).items() if isinstance(v, str)})
        return args

    async def _api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        args = await self._args(request)
        auth = request.headers.get("Authorization", "")
        token = auth.removeprefix("Bearer ") if auth.startswith("Bearer ") else args.get("token")
        call = Call(method, args, token, request.content_type)
        await self._note(call)
        if self.latency_s:
            await asyncio.sleep(self.latency_s)
        expected = APP_TOKEN if method == "apps.connections.open" else BOT_TOKEN
        if token != expected:
            return web.json_response({"ok": False, "error": "invalid_auth"})
        error = self.errors.get((method, args.get("channel"))) or self.errors.get((method, None))
        if error:
            return web.json_response({"ok": False, "error": error})
        handler = getattr(self, "_m_" + method.replace(".", "_"), None)
        if handler is None:
            return web.json_response({"ok": False, "error": "unknown_method"})
        result: dict[str, Any] = handler(args)
        self._results[next(i for i, c in enumerate(self.calls) if c is call)] = result
        return web.json_response(result)

    def _m_auth_test(self, args: dict[str, Any]) -> dict[str, Any]:
        return {
            "ok": True,
            "url": "https://fake.slack/",
            "team": "Fake",
            "user": "chatops",
            "team_id": TEAM,
            "user_id": BOT_USER,
            "bot_id": BOT_ID,
        }

    def _next_ts(self) -> str:
        return f"1700000{next(self._ts):03d}.000100"

    def _m_chat_postMessage(self, args: dict[str, Any]) -> dict[str, Any]:
        ts = self._next_ts()
        message = {
            "ts": ts,
            "text": args.get("text"),
            "blocks": Call("", args, None, "").json_arg("blocks"),
            "thread_ts": args.get("thread_ts"),
            "user": BOT_USER,
            "bot_id": BOT_ID,
        }
        self.messages[(str(args.get("channel")), ts)] = message
        return {"ok": True, "channel": args.get("channel"), "ts": ts, "message": message}

    def _m_chat_update(self, args: dict[str, Any]) -> dict[str, Any]:
        key = (str(args.get("channel")), str(args.get("ts")))
        if key not in self.messages:
            return {"ok": False, "error": "message_not_found"}
        self.messages[key] = {
            **self.messages[key],
            "text": args.get("text"),
            "blocks": Call("", args, None, "").json_arg("blocks"),
        }
        return {"ok": True, "channel": key[0], "ts": key[1]}

    def _m_chat_postEphemeral(self, args: dict[str, Any]) -> dict[str, Any]:
        return {"ok": True, "message_ts": self._next_ts()}

    def _m_reactions_add(self, args: dict[str, Any]) -> dict[str, Any]:
        return {"ok": True}

    def _m_reactions_remove(self, args: dict[str, Any]) -> dict[str, Any]:
        return {"ok": True}

    def _m_users_info(self, args: dict[str, Any]) -> dict[str, Any]:
        user = str(args.get("user"))
        if user not in self.users:
            return {"ok": False, "error": "user_not_found"}
        name = self.users[user]
        return {"ok": True, "user": {"id": user, "name": name.lower(), "profile": {"display_name": name}}}

    def _m_usergroups_list(self, args: dict[str, Any]) -> dict[str, Any]:
        include = str(args.get("include_users", "")).lower() in ("1", "true")
        groups = [
            {"id": g, "handle": g.lower(), **({"users": list(u)} if include else {})}
            for g, u in self.usergroups.items()
        ]
        return {"ok": True, "usergroups": groups}

    def _m_files_getUploadURLExternal(self, args: dict[str, Any]) -> dict[str, Any]:
        file_id = f"F{next(self._ids):06d}"
        return {"ok": True, "file_id": file_id, "upload_url": f"{self.base_url}/upload/{file_id}"}

    def _m_files_completeUploadExternal(self, args: dict[str, Any]) -> dict[str, Any]:
        files = Call("", args, None, "").json_arg("files") or []
        return {"ok": True, "files": [{"id": f.get("id"), "title": f.get("title")} for f in files]}

    def _m_apps_connections_open(self, args: dict[str, Any]) -> dict[str, Any]:
        return {"ok": True, "url": self.base_url.replace("http://", "ws://") + "/socket"}

    async def _upload(self, request: web.Request) -> web.Response:
        data = await request.read()
        self.uploads[request.match_info["file_id"]] = data
        await self._note(
            Call("upload", {"file_id": request.match_info["file_id"]}, None, request.content_type)
        )
        return web.Response(text=f"OK - {len(data)}")

    async def _response(self, request: web.Request) -> web.Response:
        body = await request.json()
        self.responses.append(body)
        await self._note(Call("response_url", body, None, request.content_type))
        return web.Response(text="ok")

    # --- Socket Mode -------------------------------------------------------------------------
    async def _socket(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse(autoping=True)
        await ws.prepare(request)
        self._sockets.append(ws)
        async with self._changed:
            self._changed.notify_all()
        await ws.send_json({"type": "hello", "num_connections": 1, "debug_info": {"host": "fake"}})
        async for msg in ws:
            if msg.type == WSMsgType.TEXT:
                ack = json.loads(msg.data)
                self.socket_acks.append(ack)
                await self._note(Call("socket_ack", ack, None, "websocket"))
        self._sockets.remove(ws)
        return ws

    async def push(self, kind: str, payload: Mapping[str, Any]) -> str:
        """Send one Socket Mode envelope (`events_api`, `slash_commands`, `interactive`); returns its id."""
        envelope_id = f"env-{next(self._ids)}"

        async def connected() -> None:
            async with self._changed:
                await self._changed.wait_for(lambda: bool(self._sockets))

        await asyncio.wait_for(connected(), timeout=10)
        await self._sockets[0].send_json(
            {
                "envelope_id": envelope_id,
                "type": kind,
                "payload": dict(payload),
                "accepts_response_payload": True,
            }
        )
        return envelope_id
