"""HTTP APIs the tools read and write besides Kubernetes: Prometheus, Alertmanager.

One endpoint shape (URL, the clusters it serves, bearer or basic auth,
timeout, TLS) and one JSON call over httpx whose every failure becomes an
`ApiError` with one sentence a person can act on. The only place httpx is
used by the tools; nothing here decides policy or formats answers.
"""

from __future__ import annotations

import dataclasses
import fnmatch
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import httpx


class ApiError(Exception):
    """A call failed; `str()` is the sentence for the person."""


@dataclasses.dataclass(frozen=True)
class HttpEndpoint:
    """One endpoint. `clusters` are glob patterns of the cluster names it serves."""

    name: str
    url: str
    clusters: tuple[str, ...] = ("*",)
    bearer_token: str | None = dataclasses.field(default=None, repr=False)
    username: str | None = None
    password: str | None = dataclasses.field(default=None, repr=False)
    timeout_s: float = 10.0
    verify_tls: bool = True
    ca_file: Path | None = None

    def serves(self, cluster: str | None) -> bool:
        return any(fnmatch.fnmatchcase(cluster or "", pattern) for pattern in self.clusters)


def first_serving(endpoints: tuple[HttpEndpoint, ...], cluster: str | None) -> HttpEndpoint | None:
    """The first endpoint whose patterns match the cluster (config order decides)."""
    return next((e for e in endpoints if e.serves(cluster)), None)


def _client(e: HttpEndpoint) -> httpx.AsyncClient:
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


async def call_json(
    endpoint: HttpEndpoint,
    what: str,
    method: str,
    path: str,
    *,
    params: Mapping[str, str] | None = None,
    body: Any = None,
    hint: str = "try again later",
) -> tuple[int, Any]:
    """One request; returns (status, decoded JSON or None). Transport and auth failures raise ApiError.

    `what` names the service in sentences ("Prometheus main").
    """
    try:
        async with _client(endpoint) as client:
            response = await client.request(method, path, params=dict(params or {}), json=body)
    except httpx.TimeoutException:
        raise ApiError(f"{what} did not answer within {endpoint.timeout_s:g} s; {hint}") from None
    except httpx.HTTPError as e:
        raise ApiError(
            f"{what} at {endpoint.url} cannot be reached ({type(e).__name__}); check its URL in the config"
        ) from None
    if response.status_code in (401, 403):
        raise ApiError(
            f"{what} refused the bot's credentials (HTTP {response.status_code}); "
            "check the token or password its config names"
        )
    if not response.content:
        return response.status_code, None
    try:
        return response.status_code, response.json()
    except ValueError:
        raise ApiError(
            f"{what} answered HTTP {response.status_code} with something that is not its API's JSON; "
            "check that the URL points at its API"
        ) from None
