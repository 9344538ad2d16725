"""The Prometheus HTTP API over httpx: instant and range queries, labels, alerts.

The only module that speaks HTTP to Prometheus. Every failure becomes a
`PromError` whose text is one sentence a person can act on (unreachable,
timed out, refused credentials, a PromQL error with Prometheus' own message);
nothing here decides policy or formats answers.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

import httpx

from tools.prometheus.settings import PrometheusEndpoint

# Points per series a range asks for: enough for a 1200-pixel chart; a text summary needs fewer.
CHART_POINTS = 1100
SUMMARY_POINTS = 240


class PromError(Exception):
    """A Prometheus call failed; `str()` is the sentence for the person."""


def _timestamp(when: dt.datetime) -> str:
    return f"{when.timestamp():.3f}"


class PrometheusClient:
    def __init__(self, endpoint: PrometheusEndpoint) -> None:
        self.endpoint = endpoint

    def _client(self) -> httpx.AsyncClient:
        e = self.endpoint
        headers = {"Accept": "application/json"}
        if e.bearer_token:
            headers["Authorization"] = f"Bearer {e.bearer_token}"
        auth = httpx.BasicAuth(e.username, e.password or "") if e.username else None
        verify: bool | str = str(e.ca_file) if e.ca_file is not None else e.verify_tls
        return httpx.AsyncClient(
            base_url=e.url.rstrip("/"),
            headers=headers,
            auth=auth,
            verify=verify,
            timeout=httpx.Timeout(e.timeout_s),
            trust_env=False,
        )

    async def _get(self, path: str, params: Mapping[str, str] | None = None) -> Any:
        where = f"Prometheus {self.endpoint.name}"
        try:
            async with self._client() as client:
                response = await client.get(path, params=dict(params or {}))
        except httpx.TimeoutException:
            raise PromError(
                f"{where} did not answer within {self.endpoint.timeout_s:g} s; "
                "try a shorter range or try again later"
            ) from None
        except httpx.HTTPError as e:
            raise PromError(
                f"{where} at {self.endpoint.url} cannot be reached ({type(e).__name__}); "
                "check prometheus.endpoints in the config"
            ) from None
        if response.status_code in (401, 403):
            raise PromError(
                f"{where} refused the bot's credentials (HTTP {response.status_code}); "
                "check the token or password its config names"
            )
        try:
            body = response.json()
        except ValueError:
            raise PromError(
                f"{where} answered HTTP {response.status_code} with something that is not its API's JSON; "
                "check that the URL points at the Prometheus API"
            ) from None
        if not isinstance(body, dict) or body.get("status") != "success":
            message = str(body.get("error") or "no reason given") if isinstance(body, dict) else "bad answer"
            kind = str(body.get("errorType") or "") if isinstance(body, dict) else ""
            hint = "fix the query" if kind in ("bad_data", "execution") else "try again later"
            raise PromError(
                f"{where} refused the query ({kind or response.status_code}): {message[:300]}; {hint}"
            )
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
