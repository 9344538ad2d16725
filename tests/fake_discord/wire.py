"""The wire level of the fake Discord: recorded requests, request bodies (JSON or multipart), fixed answers.

Shared by the fake's REST routes; nothing here holds state.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Mapping
from typing import Any

from aiohttp import web

from tests.fake_discord import payloads as p


@dataclasses.dataclass(frozen=True)
class Recorded:
    method: str
    path: str  # without the /api/v10 prefix
    query: Mapping[str, str]
    payload: Mapping[str, Any] | None
    files: tuple[tuple[str, bytes], ...] = ()

    @property
    def message_payload(self) -> Mapping[str, Any] | None:
        """The message this request sends or edits, if it sends or edits one."""
        if self.payload is None:
            return None
        if "/callback" in self.path:
            if self.payload.get("type") in (4, 7):
                data = self.payload.get("data")
                return data if isinstance(data, Mapping) else {}
            return None
        if "/messages" in self.path or self.path.startswith("/webhooks/"):
            return self.payload if self.method in ("POST", "PATCH") else None
        return None


def with_files(r: Recorded) -> dict[str, Any]:
    body = dict(r.payload or {})
    if r.files:
        body["attachments"] = [
            {"id": p.snowflake(), "filename": name, "size": len(data), "url": "", "proxy_url": ""}
            for name, data in r.files
        ]
    return body


async def read_body(request: web.Request) -> tuple[Any, tuple[tuple[str, bytes], ...]]:
    if not request.can_read_body:
        return None, ()
    if request.content_type.startswith("multipart/"):
        payload: Any = None
        files: list[tuple[str, bytes]] = []
        reader = await request.multipart()
        async for part in reader:
            data = await part.read()  # type: ignore[union-attr]
            if part.name == "payload_json":  # type: ignore[union-attr]
                payload = json.loads(data)
            else:
                files.append((part.filename or part.name or "file", bytes(data)))  # type: ignore[union-attr]
        return payload, tuple(files)
    text = await request.text()
    return (json.loads(text) if text else None), ()


def application() -> dict[str, Any]:
    return {
        "id": p.APP_ID,
        "name": "ChatOps",
        "icon": None,
        "description": "",
        "bot_public": False,
        "bot_require_code_grant": False,
        "verify_key": "0" * 64,
        "flags": 0,
        "owner": {"id": "1", "username": "owner", "discriminator": "0", "avatar": None},
        "team": None,
        "summary": "",
        "rpc_origins": [],
    }


def registered(command: Mapping[str, Any], scope: str) -> dict[str, Any]:
    registered = {
        "id": p.snowflake(),
        "application_id": p.APP_ID,
        "version": p.snowflake(),
        "type": 1,
        "options": [],
        "default_member_permissions": None,
        "nsfw": False,
        **command,
    }
    if scope != "global":
        registered["guild_id"] = scope
    return registered


def unknown() -> dict[str, Any]:
    return {"message": "Unknown Message", "code": 10008}
