"""A small client for the Mattermost REST API v4 over one `aiohttp` session.

Only the calls the adapter makes: who the bot is, users, channels, team
membership, groups, posts (create, update, read, ephemeral), file uploads
and slash-command `response_url` posts. Every call carries the bot token as
`Authorization: Bearer`; errors become `MattermostError` with the HTTP status
and Mattermost's error id (never the token). A call the server cannot have
processed (429, 503, or no connection at all) is tried again, briefly; a
post is never sent twice otherwise. Nothing here decides anything.

Why not a library: `mattermostdriver` is synchronous (requests) with a
websocket loop that swallows authentication failures and has no back-off
or sequence handling; the async ones on PyPI cover a handful of endpoints
and no websocket. `aiohttp` is already the bot's HTTP library.
"""

from __future__ import annotations

import asyncio
import json
import logging
import uuid
from collections.abc import Callable, Mapping
from typing import Any

import aiohttp

log = logging.getLogger(__name__)

RETRY_STATUSES = frozenset({429, 503})
ATTEMPTS = 3
MAX_RETRY_WAIT_S = 5.0


class MattermostError(Exception):
    """A call failed: `status` is the HTTP status (0: no answer), `error_id` Mattermost's id for it."""

    def __init__(self, what: str, *, status: int, error_id: str = "", message: str = "") -> None:
        self.status = status
        self.error_id = error_id
        detail = f"HTTP {status}" if status else "no answer"
        if error_id:
            detail += f" {error_id}"
        super().__init__(f"{what}: {detail}" + (f" ({message[:200]})" if message else ""))


def _retry_after(response: aiohttp.ClientResponse, attempt: int) -> float:
    raw = response.headers.get("Retry-After") or response.headers.get("X-Ratelimit-Reset")
    try:
        wait = float(raw) if raw else 0.2 * (attempt + 1)
    except ValueError:
        wait = 0.2 * (attempt + 1)
    return min(max(wait, 0.0), MAX_RETRY_WAIT_S)


class MattermostApi:
    def __init__(self, *, base_url: str, token: str, timeout_s: float = 10.0) -> None:
        self.base_url = base_url.rstrip("/")
        self._token = token
        self._timeout = aiohttp.ClientTimeout(total=timeout_s)
        self._session: aiohttp.ClientSession | None = None

    @property
    def websocket_url(self) -> str:
        scheme, rest = self.base_url.split("://", 1)
        return ("wss" if scheme == "https" else "ws") + "://" + rest + "/api/v4/websocket"

    @property
    def session(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(timeout=self._timeout)
        return self._session

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def call(
        self, method: str, path: str, *, body: Any = None, form: Callable[[], aiohttp.FormData] | None = None
    ) -> Any:
        """One API call; returns the decoded JSON answer. `form` builds a multipart body (per attempt)."""
        what = f"{method} /api/v4{path.split('?', 1)[0]}"
        headers = {"Authorization": f"Bearer {self._token}", "X-Requested-With": "XMLHttpRequest"}
        for attempt in range(ATTEMPTS):
            try:
                async with self.session.request(
                    method,
                    f"{self.base_url}/api/v4{path}",
                    json=body,
                    data=form() if form else None,
                    headers=headers,
                ) as response:
                    if response.status in RETRY_STATUSES and attempt + 1 < ATTEMPTS:
                        await asyncio.sleep(_retry_after(response, attempt))
                        continue
                    text = await response.text()
                    answer = json.loads(text) if text.strip() else None
                    if response.status >= 400:
                        details = answer if isinstance(answer, Mapping) else {}
                        raise MattermostError(
                            what,
                            status=response.status,
                            error_id=str(details.get("id") or ""),
                            message=str(details.get("message") or ""),
                        )
                    return answer
            except aiohttp.ClientConnectorError as e:  # never reached the server: safe to try again
                if attempt + 1 < ATTEMPTS:
                    await asyncio.sleep(0.2 * (attempt + 1))
                    continue
                raise MattermostError(what, status=0, message=type(e).__name__) from e
            except (aiohttp.ClientError, TimeoutError, ValueError) as e:
                raise MattermostError(what, status=0, message=type(e).__name__) from e
        raise MattermostError(what, status=429)  # pragma: no cover (the loop returns or raises)

    # --- people and places ---------------------------------------------------------------------
    async def me(self) -> dict[str, Any]:
        return dict(await self.call("GET", "/users/me"))

    async def user(self, user_id: str) -> dict[str, Any]:
        return dict(await self.call("GET", f"/users/{user_id}"))

    async def user_groups(self, user_id: str) -> list[dict[str, Any]]:
        answer = await self.call("GET", f"/users/{user_id}/groups")
        return [g for g in answer or [] if isinstance(g, dict)]

    async def channel(self, channel_id: str) -> dict[str, Any]:
        return dict(await self.call("GET", f"/channels/{channel_id}"))

    async def team_by_name(self, name: str) -> dict[str, Any]:
        return dict(await self.call("GET", f"/teams/name/{name}"))

    async def team_member(self, team_id: str, user_id: str) -> dict[str, Any]:
        return dict(await self.call("GET", f"/teams/{team_id}/members/{user_id}"))

    # --- posts and files -----------------------------------------------------------------------
    async def create_post(
        self,
        *,
        channel_id: str,
        message: str,
        root_id: str | None = None,
        props: Mapping[str, Any] | None = None,
        file_ids: tuple[str, ...] = (),
    ) -> dict[str, Any]:
        body: dict[str, Any] = {
            "channel_id": channel_id,
            "message": message,
            "root_id": root_id or "",
            "props": dict(props or {}),
            # The server drops a second post with the same pending id: a retried call posts once.
            "pending_post_id": uuid.uuid4().hex,
        }
        if file_ids:
            body["file_ids"] = list(file_ids)
        return dict(await self.call("POST", "/posts", body=body))

    async def update_post(self, post_id: str, *, message: str, props: Mapping[str, Any]) -> dict[str, Any]:
        """PUT replaces the message and its props (buttons); the post's files stay."""
        body = {"id": post_id, "message": message, "props": dict(props)}
        return dict(await self.call("PUT", f"/posts/{post_id}", body=body))

    async def get_post(self, post_id: str) -> dict[str, Any]:
        return dict(await self.call("GET", f"/posts/{post_id}"))

    async def create_ephemeral(
        self, *, user_id: str, channel_id: str, message: str, root_id: str | None = None
    ) -> dict[str, Any]:
        post = {"channel_id": channel_id, "message": message, "root_id": root_id or ""}
        return dict(await self.call("POST", "/posts/ephemeral", body={"user_id": user_id, "post": post}))

    async def upload_file(self, *, channel_id: str, filename: str, content: bytes) -> str:
        """Upload one file into a channel; returns its id, to attach to the next post."""

        def form() -> aiohttp.FormData:
            data = aiohttp.FormData()
            data.add_field("channel_id", channel_id)
            data.add_field("files", content, filename=filename, content_type="application/octet-stream")
            return data

        answer = await self.call("POST", "/files", form=form)
        infos = answer.get("file_infos") if isinstance(answer, Mapping) else None
        if not infos or not isinstance(infos[0], Mapping) or not infos[0].get("id"):
            raise MattermostError("POST /api/v4/files", status=200, message="no file id in the answer")
        return str(infos[0]["id"])

    async def respond(self, url: str, body: Mapping[str, Any]) -> None:
        """Post to a slash command's `response_url` (no token: the URL itself is the credential)."""
        try:
            async with self.session.post(url, json=dict(body)) as response:
                if response.status >= 400:
                    raise MattermostError("POST response_url", status=response.status)
        except (aiohttp.ClientError, TimeoutError) as e:
            raise MattermostError("POST response_url", status=0, message=type(e).__name__) from e
