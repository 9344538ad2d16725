"""The Prometheus HTTP API over httpx: instant and range queries, labels, alerts.

Built on `tools.http_api` (transport, auth and their sentences); a query
Prometheus refuses becomes a `PromError` with Prometheus' own message.
Nothing here decides policy or formats answers.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from tools.http_api import ApiError, HttpEndpoint, call_json

# Points per series a range asks for: enough for a 1200-pixel chart; a text summary needs fewer.
CHART_POINTS = 1100
SUMMARY_POINTS = 240


class PromError(ApiError):
    """A Prometheus call failed; `str()` is the sentence for the person."""


def _timestamp(when: dt.datetime) -> str:
    return f"{when.timestamp():.3f}"


class PrometheusClient:
    def __init__(self, endpoint: HttpEndpoint) -> None:
        self.endpoint = endpoint

    async def _get(self, path: str, params: Mapping[str, str] | None = None) -> Any:
        where = f"Prometheus {self.endpoint.name}"
        status, body = await call_json(
            self.endpoint, where, "GET", path, params=params, hint="try a shorter range or try again later"
        )
        if not isinstance(body, dict) or body.get("status") != "success":
            message = str(body.get("error") or "no reason given") if isinstance(body, dict) else "bad answer"
            kind = str(body.get("errorType") or "") if isinstance(body, dict) else ""
            hint = "fix the query" if kind in ("bad_data", "execution") else "try again later"
            raise PromError(f"{where} refused the query ({kind or status}): {message[:300]}; {hint}")
        return body.get("data")

    async def query(self, promql: str, *, at: dt.datetime | None = None) -> dict[str, Any]:
        params = {"query": promql}
        if at is not None:
            params["time"] = _timestamp(at)
        data = await self._get("/api/v1/query", params)
        return data if isinstance(data, dict) else {"resultType": "vector", "result": []}

    async def query_range(
        self, promql: str, *, start: dt.datetime, end: dt.datetime, points: int = SUMMARY_POINTS
    ) -> list[dict[str, Any]]:
        span = max((end - start).total_seconds(), 1.0)
        step = max(span / points, 1.0)
        data = await self._get(
            "/api/v1/query_range",
            {"query": promql, "start": _timestamp(start), "end": _timestamp(end), "step": f"{step:g}"},
        )
        result = data.get("result") if isinstance(data, dict) else None
        return [s for s in result or [] if isinstance(s, dict)]

    async def labels(self) -> list[str]:
        data = await self._get("/api/v1/labels")
        return [str(v) for v in data or []]

    async def label_values(self, label: str) -> list[str]:
        data = await self._get(f"/api/v1/label/{label}/values")
        return [str(v) for v in data or []]

    async def alerts(self) -> list[dict[str, Any]]:
        data = await self._get("/api/v1/alerts")
        alerts = data.get("alerts") if isinstance(data, dict) else None
        return [a for a in alerts or [] if isinstance(a, dict)]
