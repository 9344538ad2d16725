"""Alertmanager's API v2: alerts, silences (list, create, expire).

Built on `tools.http_api` (transport, auth and their sentences). A request
Alertmanager refuses becomes an `ApiError` with its own message. Nothing
here decides policy or formats answers.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from tools.http_api import ApiError, HttpEndpoint, call_json


class AlertmanagerClient:
    def __init__(self, endpoint: HttpEndpoint) -> None:
        self.endpoint = endpoint
        self.what = f"Alertmanager {endpoint.name}"

    async def _call(
        self, method: str, path: str, *, params: Mapping[str, Any] | None = None, body: Any = None
    ) -> Any:
        status, data = await call_json(self.endpoint, self.what, method, path, params=params, body=body)
        if status == 404:
            raise ApiError(f"{self.what} has no {path.rsplit('/', 1)[-1]} there (HTTP 404); check the id")
        if status >= 400:
            reason = (
                data
                if isinstance(data, str)
                else (data or {}).get("message")
                if isinstance(data, dict)
                else None
            )
            raise ApiError(
                f"{self.what} refused the request (HTTP {status}): {str(reason or 'no reason')[:300]}"
            )
        return data

    async def alerts(self, filters: Sequence[str] = (), *, silenced: bool = False) -> list[dict[str, Any]]:
        params: dict[str, Any] = {"active": "true", "silenced": str(silenced).lower(), "inhibited": "false"}
        if filters:
            params["filter"] = list(filters)
        data = await self._call("GET", "/api/v2/alerts", params=params)
        return [a for a in data or [] if isinstance(a, dict)]

    async def silences(self) -> list[dict[str, Any]]:
        data = await self._call("GET", "/api/v2/silences")
        return [s for s in data or [] if isinstance(s, dict)]

    async def silence(self, silence_id: str) -> dict[str, Any]:
        data = await self._call("GET", f"/api/v2/silence/{silence_id}")
        if not isinstance(data, dict):
            raise ApiError(f"{self.what} gave no silence {silence_id}")
        return data

    async def create_silence(self, body: Mapping[str, Any]) -> str:
        data = await self._call("POST", "/api/v2/silences", body=dict(body))
        silence_id = data.get("silenceID") if isinstance(data, dict) else None
        if not silence_id:
            raise ApiError(f"{self.what} did not say which silence it created")
        return str(silence_id)

    async def expire_silence(self, silence_id: str) -> None:
        await self._call("DELETE", f"/api/v2/silence/{silence_id}")
