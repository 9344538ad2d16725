"""A fake Prometheus HTTP API on 127.0.0.1, spoken to by the real httpx client.

It does not evaluate PromQL: a test registers answers for queries that
contain given fragments (`answer("container_cpu_usage", series=[...])`), each a
list of series with a value function of time, and the server turns them into
the API's vector or matrix documents for the asked time or range. Every
request is recorded (`queries`). Errors, hangs and a required bearer token
can be switched on to test how the bot explains them.
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
from collections.abc import Callable
from typing import Any

from aiohttp import web

ValueFn = Callable[[float], float]


@dataclasses.dataclass
class FakeSeries:
    labels: dict[str, str]
    value: ValueFn


@dataclasses.dataclass
class Recorded:
    path: str
    params: dict[str, str]
    authorization: str | None


class FakePrometheus:
    def __init__(self) -> None:
        self.answers: list[tuple[tuple[str, ...], list[FakeSeries]]] = []
        self.requests: list[Recorded] = []
        self.label_names: list[str] = ["__name__", "container", "namespace", "node", "pod"]
        self.label_values: dict[str, list[str]] = {}
        self.alert_list: list[dict[str, Any]] = []
        self.token: str | None = None
        self.failure: tuple[int, dict[str, Any] | str] | None = None
        self.hang = False
        self._runner: web.AppRunner | None = None
        self._released = asyncio.Event()
        self.url = ""

    # --- what tests set up -------------------------------------------------------------------

    def answer(self, *fragments: str, series: list[FakeSeries]) -> None:
        """Queries containing every fragment get these series (the first matching registration wins)."""
        self.answers.append((fragments, series))

    def fail(self, status: int, error_type: str = "bad_data", error: str = "parse error") -> None:
        self.failure = (status, {"status": "error", "errorType": error_type, "error": error})

    @property
    def queries(self) -> list[str]:
        return [r.params.get("query", "") for r in self.requests if "query" in r.params]

    # --- server ------------------------------------------------------------------------------

    @classmethod
    async def start(cls) -> FakePrometheus:
        fake = cls()
        app = web.Application()
        app.router.add_route("*", "/api/v1/query", fake._query)
        app.router.add_route("*", "/api/v1/query_range", fake._query_range)
        app.router.add_get("/api/v1/labels", fake._labels)
        app.router.add_get("/api/v1/label/{name}/values", fake._values)
        app.router.add_get("/api/v1/alerts", fake._alerts)
        app.router.add_get("/api/v1/status/buildinfo", fake._buildinfo)
        fake._runner = web.AppRunner(app)
        await fake._runner.setup()
        site = web.TCPSite(fake._runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        fake.url = f"http://127.0.0.1:{port}"
        return fake

    async def close(self) -> None:
        self._released.set()
        if self._runner is not None:
            await self._runner.cleanup()

    async def _gate(self, request: web.Request) -> tuple[dict[str, str], web.Response | None]:
        params = dict(request.query)
        if request.method == "POST":
            params.update({k: str(v) for k, v in (await request.post()).items()})
        self.requests.append(Recorded(request.path, params, request.headers.get("Authorization")))
        if self.hang:  # until the test is over
            await self._released.wait()
        if self.token is not None and request.headers.get("Authorization") != f"Bearer {self.token}":
            return params, web.Response(status=401, text="Unauthorized")
        if self.failure is not None:
            status, body = self.failure
            if isinstance(body, str):
                return params, web.Response(status=status, text=body, content_type="text/html")
            return params, web.json_response(body, status=status)
        return params, None

    def _series_for(self, query: str) -> list[FakeSeries]:
        return next((series for parts, series in self.answers if all(p in query for p in parts)), [])

    async def _query(self, request: web.Request) -> web.StreamResponse:
        params, refused = await self._gate(request)
        if refused is not None:
            return refused
        at = float(params.get("time") or 1_700_000_000)
        result = [
            {"metric": s.labels, "value": [at, json.dumps(s.value(at))]}
            for s in self._series_for(params["query"])
        ]
        return _ok({"resultType": "vector", "result": result})

    async def _query_range(self, request: web.Request) -> web.StreamResponse:
        params, refused = await self._gate(request)
        if refused is not None:
            return refused
        start, end, step = float(params["start"]), float(params["end"]), float(params["step"])
        points = int((end - start) // step) + 1
        result = [
            {
                "metric": s.labels,
                "values": [[start + i * step, json.dumps(s.value(start + i * step))] for i in range(points)],
            }
            for s in self._series_for(params["query"])
        ]
        return _ok({"resultType": "matrix", "result": result})

    async def _labels(self, request: web.Request) -> web.StreamResponse:
        _, refused = await self._gate(request)
        return refused or _ok(self.label_names)

    async def _values(self, request: web.Request) -> web.StreamResponse:
        _, refused = await self._gate(request)
        return refused or _ok(self.label_values.get(request.match_info["name"], []))

    async def _buildinfo(self, request: web.Request) -> web.StreamResponse:
        _, refused = await self._gate(request)
        return refused or _ok({"version": "2.53.0"})

    async def _alerts(self, request: web.Request) -> web.StreamResponse:
        _, refused = await self._gate(request)
        return refused or _ok({"alerts": self.alert_list})


def _ok(data: Any) -> web.Response:
    return web.json_response({"status": "success", "data": data})
