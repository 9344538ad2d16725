"""A fake Alertmanager API v2 on 127.0.0.1, spoken to by the real httpx client.

Alerts are set by the test; `filter` matchers (`name="value"`, `!=`, `=~`)
are applied as Alertmanager would. Silences are created, listed, read and
expired statefully (`failing_expiries` makes the next expiries fail); a
silenced alert is reported as suppressed. Every
request is recorded, so a test can assert what the API received.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
import uuid
from typing import Any

from aiohttp import web

_FILTER = re.compile(r'^([a-zA-Z_][a-zA-Z0-9_]*)(=~|!~|!=|=)"(.*)"$')


@dataclasses.dataclass
class Recorded:
    method: str
    path: str
    query: list[tuple[str, str]]
    body: Any
    authorization: str | None


def _matches(labels: dict[str, str], name: str, value: str, *, regex: bool, equal: bool) -> bool:
    actual = labels.get(name, "")
    hit = bool(re.fullmatch(value, actual)) if regex else actual == value
    return hit if equal else not hit


class FakeAlertmanager:
    def __init__(self) -> None:
        self.alerts: list[dict[str, Any]] = []
        self.silences: dict[str, dict[str, Any]] = {}
        self.requests: list[Recorded] = []
        self.token: str | None = None
        self.failing_expiries = 0  # the next N expiries answer 503 (Alertmanager restarting)
        self._runner: web.AppRunner | None = None
        self.url = ""

    def fire(self, alertname: str, **labels: str) -> dict[str, Any]:
        alert = {
            "labels": {"alertname": alertname, **labels},
            "annotations": {"summary": f"{alertname} is firing"},
            "startsAt": "2026-12-02T10:00:00.000Z",
            "endsAt": "2026-12-02T18:00:00.000Z",
            "fingerprint": uuid.uuid4().hex[:16],
            "receivers": [{"name": "chatops"}],
            "status": {"state": "active", "silencedBy": [], "inhibitedBy": []},
        }
        self.alerts.append(alert)
        return alert

    @property
    def mutations(self) -> list[Recorded]:
        return [r for r in self.requests if r.method in ("POST", "DELETE", "PUT")]

    @classmethod
    async def start(cls) -> FakeAlertmanager:
        fake = cls()
        app = web.Application()
        app.router.add_get("/api/v2/alerts", fake._alerts)
        app.router.add_get("/api/v2/silences", fake._silences)
        app.router.add_post("/api/v2/silences", fake._create)
        app.router.add_get("/api/v2/silence/{id}", fake._silence)
        app.router.add_delete("/api/v2/silence/{id}", fake._expire)
        fake._runner = web.AppRunner(app)
        await fake._runner.setup()
        site = web.TCPSite(fake._runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        fake.url = f"http://127.0.0.1:{port}"
        return fake

    async def close(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    async def _record(self, request: web.Request) -> web.Response | None:
        body = await request.json() if request.can_read_body else None
        auth = request.headers.get("Authorization")
        self.requests.append(Recorded(request.method, request.path, list(request.query.items()), body, auth))
        if self.token is not None and auth != f"Bearer {self.token}":
            return web.Response(status=401, text="Unauthorized")
        return None

    def _silenced_by(self, alert: dict[str, Any]) -> list[str]:
        return [
            sid
            for sid, s in self.silences.items()
            if s["status"]["state"] == "active"
            and all(
                _matches(alert["labels"], m["name"], m["value"], regex=m["isRegex"], equal=m["isEqual"])
                for m in s["matchers"]
            )
        ]

    async def _alerts(self, request: web.Request) -> web.Response:
        refused = await self._record(request)
        if refused is not None:
            return refused
        include_silenced = request.query.get("silenced", "true") == "true"
        out = []
        for alert in self.alerts:
            ok = True
            for text in request.query.getall("filter", []):
                match = _FILTER.match(text)
                if match is None:
                    return web.json_response(f"bad matcher format: {text}", status=400)
                name, op, value = match.groups()
                ok = ok and _matches(
                    alert["labels"], name, value, regex="~" in op, equal=not op.startswith("!")
                )
            silenced = self._silenced_by(alert)
            if not ok or (silenced and not include_silenced):
                continue
            state = "suppressed" if silenced else "active"
            out.append({**alert, "status": {"state": state, "silencedBy": silenced, "inhibitedBy": []}})
        return web.json_response(out)

    async def _silences(self, request: web.Request) -> web.Response:
        return await self._record(request) or web.json_response(list(self.silences.values()))

    async def _silence(self, request: web.Request) -> web.Response:
        refused = await self._record(request)
        if refused is not None:
            return refused
        silence = self.silences.get(request.match_info["id"])
        return web.json_response(silence) if silence else web.json_response("silence not found", status=404)

    async def _create(self, request: web.Request) -> web.Response:
        refused = await self._record(request)
        if refused is not None:
            return refused
        body = self.requests[-1].body
        sid = str(uuid.uuid4())
        now = dt.datetime.now(dt.UTC).isoformat()
        self.silences[sid] = {**body, "id": sid, "status": {"state": "active"}, "updatedAt": now}
        return web.json_response({"silenceID": sid})

    async def _expire(self, request: web.Request) -> web.Response:
        refused = await self._record(request)
        if refused is not None:
            return refused
        silence = self.silences.get(request.match_info["id"])
        if silence is None:
            return web.json_response("silence not found", status=404)
        if self.failing_expiries > 0:
            self.failing_expiries -= 1
            return web.json_response("service unavailable", status=503)
        silence["status"] = {"state": "expired"}
        silence["updatedAt"] = dt.datetime.now(dt.UTC).isoformat()
        return web.Response(status=200)
