"""A local fake of a Mattermost server: REST API v4 and the WebSocket event stream, over real HTTP.

The adapter's own client talks to it as to a real server. It records every
request (method, path, body, token), keeps posts so updates can be checked
against them, broadcasts `posted` events for every post (the bot's own
too, as Mattermost does), and plays the server's part in interactive
messages and slash commands: `click()` posts an action's context to its
integration URL and applies the answer (`update`, `ephemeral_text`), and
`slash()` posts a command form with its token. WebSocket sessions follow
Mattermost's reliable-WebSocket rules: `authentication_challenge` first,
`hello` with a connection id, a `seq` per event, and a resumed connection
(`connection_id` + `sequence_number`) gets the events it missed.
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
from collections.abc import Callable, Mapping
from typing import Any

import aiohttp
from aiohttp import web

from tests.fake_mattermost import wire
from tests.fake_mattermost.socket import Sessions
from tests.fake_mattermost.wire import Channel, Person, error, mm_id, new_id, now_ms

BOT_TOKEN = "mm-fake-bot-token-0123456789"
BOT = Person("chatops", nickname="ChatOps", roles="system_user")
TEAM_NAME = "platform"
TEAM_ID = mm_id("teamplatform")


@dataclasses.dataclass(frozen=True)
class Request:
    method: str
    path: str  # below /api/v4
    body: Any
    token: str | None


class FakeMattermost:
    def __init__(self, *, people: tuple[Person, ...], channels: tuple[Channel, ...]) -> None:
        self.people = {p.id: p for p in (BOT, *people)}
        self.channels = {c.id: c for c in channels}
        self.outside: set[str] = set()  # channels the bot is not a member of (posts there: 403)
        self.groups: dict[str, list[str]] | None = {}  # user id → group names; None: no groups (501)
        self.requests: list[Request] = []
        self.posts: dict[str, dict[str, Any]] = {}
        self.ephemerals: list[dict[str, Any]] = []  # posts/ephemeral calls and ephemeral_text answers
        self.files: dict[str, tuple[str, bytes]] = {}
        self.responses: list[dict[str, Any]] = []  # posts to a slash command's response_url
        self.sessions = Sessions(BOT_TOKEN, self._changed_now)
        self._changed = asyncio.Condition()
        self._runner: web.AppRunner | None = None
        self.base_url = ""

    # --- lifecycle ---------------------------------------------------------------------------
    async def start(self) -> str:
        app = web.Application()
        app.router.add_get("/api/v4/websocket", self.sessions.handle)
        app.router.add_route("*", "/api/v4/{tail:.*}", self._api)
        app.router.add_post("/hooks/commands/{key}", self._response_url)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.base_url = f"http://127.0.0.1:{self._runner.addresses[0][1]}"
        return self.base_url

    async def close(self) -> None:
        await self.sessions.close()
        if self._runner is not None:
            await self._runner.cleanup()

    # --- what tests ask ----------------------------------------------------------------------
    def calls(self, method: str, path_prefix: str) -> list[Request]:
        return [r for r in self.requests if r.method == method and r.path.startswith(path_prefix)]

    @property
    def created(self) -> list[Request]:
        """`POST /posts` calls, in order (the bot's posts)."""
        return [r for r in self.calls("POST", "/posts") if r.path == "/posts"]

    @property
    def updates(self) -> list[Request]:
        return [r for r in self.requests if r.method == "PUT" and r.path.startswith("/posts/")]

    def bot_posts(self) -> list[dict[str, Any]]:
        return [p for p in self.posts.values() if p["user_id"] == BOT.id]

    async def wait_until(self, predicate: Callable[[], bool], *, timeout: float = 10.0) -> None:
        async def satisfied() -> None:
            async with self._changed:
                await self._changed.wait_for(predicate)

        try:
            await asyncio.wait_for(satisfied(), timeout)
        except TimeoutError:
            seen = [f"{r.method} {r.path}" for r in self.requests]
            raise AssertionError(
                f"the fake Mattermost never saw what the test waited for; saw {seen}"
            ) from None

    async def _changed_now(self) -> None:
        async with self._changed:
            self._changed.notify_all()

    # --- people talking ----------------------------------------------------------------------
    async def say(self, who: Person, text: str, *, channel: Channel, root_id: str = "") -> dict[str, Any]:
        """`who` posts `text`: the post is stored and a `posted` event goes out."""
        post = self._store_post(who.id, channel.id, text, root_id=root_id, props={})
        await self.sessions.broadcast(self._posted(post))
        return post

    async def send_again(self, post: dict[str, Any]) -> None:
        """The same `posted` event once more, with a new seq (a redelivery)."""
        await self.sessions.broadcast(self._posted(post))

    def _posted(self, post: dict[str, Any]) -> dict[str, Any]:
        channel = self.channels[post["channel_id"]]
        mentioned = [p.id for p in self.people.values() if f"@{p.username}" in post["message"]]
        sender = self.people[post["user_id"]].username
        return wire.posted_event(post, channel=channel, sender=sender, mentions=mentioned)

    def _store_post(
        self, user_id: str, channel_id: str, message: str, *, root_id: str, props: Mapping[str, Any]
    ) -> dict[str, Any]:
        post: dict[str, Any] = {
            "id": new_id(),
            "create_at": now_ms(),
            "update_at": now_ms(),
            "edit_at": 0,
            "delete_at": 0,
            "user_id": user_id,
            "channel_id": channel_id,
            "root_id": root_id,
            "message": message,
            "type": "",
            "props": dict(props),
            "file_ids": [],
        }
        self.posts[post["id"]] = post
        return post

    async def click(self, post_id: str, action_id: str, who: Person) -> tuple[int, dict[str, Any]]:
        """What Mattermost does when `who` clicks a button: post its context to its URL, apply the answer."""
        post = self.posts[post_id]
        actions = [a for att in post["props"].get("attachments", []) for a in att.get("actions", [])]
        (action,) = [a for a in actions if a["id"] == action_id]
        channel = self.channels[post["channel_id"]]
        payload = {
            "user_id": who.id,
            "user_name": who.username,
            "channel_id": channel.id,
            "channel_name": channel.name,
            "team_id": channel.team_id,
            "team_domain": TEAM_NAME,
            "post_id": post_id,
            "trigger_id": new_id("t"),
            "type": "",
            "data_source": "",
            "context": action["integration"]["context"],
        }
        status, answer = await self.post_json(action["integration"]["url"], payload)
        if status == 200 and isinstance(answer.get("update"), Mapping):
            post.update({k: v for k, v in answer["update"].items() if k in ("message", "props")})
        if status == 200 and answer.get("ephemeral_text"):
            self.ephemerals.append({"user_id": who.id, "message": answer["ephemeral_text"], "via": "action"})
        await self._changed_now()
        return status, answer

    async def slash(
        self, url: str, who: Person, text: str, *, channel: Channel, token: str, command: str = "/k8s"
    ) -> tuple[int, dict[str, Any]]:
        form = {
            "channel_id": channel.id,
            "channel_name": channel.name,
            "command": command,
            "response_url": f"{self.base_url}/hooks/commands/{new_id('r')}",
            "team_domain": TEAM_NAME,
            "team_id": channel.team_id,
            "text": text,
            "token": token,
            "trigger_id": new_id("t"),
            "user_id": who.id,
            "user_name": who.username,
        }
        async with (
            aiohttp.ClientSession() as session,
            session.post(url, data=form, headers={"Authorization": f"Token {token}"}) as response,
        ):
            return response.status, await response.json()

    @staticmethod
    async def post_json(url: str, payload: Mapping[str, Any]) -> tuple[int, dict[str, Any]]:
        async with aiohttp.ClientSession() as session, session.post(url, json=dict(payload)) as response:
            return response.status, await response.json()

    # --- the REST API ------------------------------------------------------------------------
    async def _api(self, request: web.Request) -> web.Response:
        path = "/" + request.match_info["tail"]
        auth = request.headers.get("Authorization", "")
        token = auth.removeprefix("Bearer ") if auth.startswith("Bearer ") else None
        body: Any = None
        if request.content_type == "application/json" and request.can_read_body:
            body = await request.json()
        elif request.content_type == "multipart/form-data":
            body = await self._multipart(request)
        self.requests.append(Request(request.method, path, body, token))
        if token != BOT_TOKEN:
            status, answer = error(401, "api.context.session_expired.app_error")
        else:
            status, answer = await self._route(request.method, path.rstrip("/").split("/")[1:], body)
        await self._changed_now()
        return web.json_response(answer, status=status)

    async def _multipart(self, request: web.Request) -> dict[str, Any]:
        fields: dict[str, Any] = {"files": []}
        async for part in await request.multipart():
            if isinstance(part, aiohttp.BodyPartReader) and part.filename:
                fields["files"].append((part.filename, await part.read()))
            elif isinstance(part, aiohttp.BodyPartReader) and part.name:
                fields[part.name] = await part.text()
        return fields

    async def _route(self, method: str, parts: list[str], body: Any) -> tuple[int, Any]:
        match method, parts:
            case "GET", ["users", "me"]:
                return 200, BOT.user()
            case "GET", ["users", user_id]:
                person = self.people.get(user_id)
                return (200, person.user()) if person else error(404, "app.user.missing_account.const")
            case "GET", ["users", user_id, "groups"]:
                if self.groups is None:
                    return error(501, "ent.ldap.disabled.app_error")
                return 200, [{"id": mm_id("g" + g), "name": g} for g in self.groups.get(user_id, [])]
            case "GET", ["channels", channel_id]:
                channel = self.channels.get(channel_id)
                return (
                    (200, channel.as_json()) if channel else error(404, "app.channel.get.existing.app_error")
                )
            case "GET", ["teams", "name", name]:
                return (
                    (200, {"id": TEAM_ID, "name": name}) if name == TEAM_NAME else error(404, "app.team.get")
                )
            case "GET", ["teams", team_id, "members", user_id]:
                person = self.people.get(user_id)
                if team_id != TEAM_ID or person is None:
                    return error(404, "app.team.get_member.missing.app_error")
                return 200, {"team_id": team_id, "user_id": user_id, "roles": person.team_roles}
            case "GET", ["posts", post_id]:
                post = self.posts.get(post_id)
                return (200, post) if post else error(404, "app.post.get.app_error")
            case "POST", ["posts"]:
                return await self._create_post(body)
            case "PUT", ["posts", post_id]:
                return await self._update_post(post_id, body)
            case "POST", ["posts", "ephemeral"]:
                self.ephemerals.append({"user_id": body["user_id"], **body["post"], "via": "api"})
                return 201, {"id": new_id(), **body["post"]}
            case "POST", ["files"]:
                infos = []
                for filename, content in body.get("files", []):
                    file_id = new_id("f")
                    self.files[file_id] = (filename, content)
                    infos.append({"id": file_id, "name": filename, "size": len(content)})
                return 201, {"file_infos": infos, "client_ids": []}
        return error(404, "api.context.404.app_error")

    async def _create_post(self, body: Mapping[str, Any]) -> tuple[int, Any]:
        channel_id = body.get("channel_id", "")
        if channel_id not in self.channels or channel_id in self.outside:
            return error(403, "api.context.permissions.app_error")
        root_id = body.get("root_id") or ""
        if root_id and (root_id not in self.posts or self.posts[root_id]["root_id"]):
            return error(400, "api.post.create_post.root_id.app_error")
        if len(body.get("message", "")) > 16383:
            return error(400, "model.post.is_valid.msg.app_error")
        post = self._store_post(
            BOT.id, channel_id, body.get("message", ""), root_id=root_id, props=body.get("props") or {}
        )
        post["file_ids"] = list(body.get("file_ids") or [])
        post["props"]["from_bot"] = "true"
        await self.sessions.broadcast(self._posted(post))  # the bot hears its own posts, as on a real server
        return 201, post

    async def _update_post(self, post_id: str, body: Mapping[str, Any]) -> tuple[int, Any]:
        post = self.posts.get(post_id)
        if post is None:
            return error(404, "app.post.get.app_error")
        if body.get("id") != post_id:
            return error(400, "api.context.invalid_body_param.app_error")
        post.update(
            message=body.get("message", ""), props={**dict(body.get("props") or {}), "from_bot": "true"}
        )
        post["edit_at"] = post["update_at"] = now_ms()
        await self.sessions.broadcast(wire.edited_event(post))
        return 200, post

    async def _response_url(self, request: web.Request) -> web.Response:
        self.responses.append(json.loads(await request.text()))
        await self._changed_now()
        return web.json_response({})
