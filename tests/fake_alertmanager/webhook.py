"""Alertmanager's side of the webhook: notifications (payload version 4) and how it sends them.

`notification(alerts...)` builds the JSON Alertmanager posts for one group;
`firing(...)` / `resolved(...)` build its alerts. `send(url, body, auth=...)`
posts it as Alertmanager's `http_config` would: a bearer token, basic auth,
or nothing. Never imports project code.
"""

from __future__ import annotations

import base64
import hashlib
import json
from typing import Any

import aiohttp

ZERO_TIME = "0001-01-01T00:00:00Z"


def fingerprint(labels: dict[str, str]) -> str:
    return hashlib.sha256(json.dumps(labels, sort_keys=True).encode()).hexdigest()[:16]


def firing(
    alertname: str,
    *,
    starts: str = "2026-12-02T10:00:00Z",
    summary: str | None = None,
    annotations: dict[str, str] | None = None,
    **labels: str,
) -> dict[str, Any]:
    all_labels = {"alertname": alertname, **labels}
    return {
        "status": "firing",
        "labels": all_labels,
        "annotations": {"summary": summary or f"{alertname} is firing", **(annotations or {})},
        "startsAt": starts,
        "endsAt": ZERO_TIME,
        "generatorURL": "http://prometheus.example/graph?g0.expr=up",
        "fingerprint": fingerprint(all_labels),
    }


def resolved(alert: dict[str, Any], *, ends: str = "2026-12-02T10:30:00Z") -> dict[str, Any]:
    return {**alert, "status": "resolved", "endsAt": ends}


def notification(*alerts: dict[str, Any], receiver: str = "chatops") -> dict[str, Any]:
    status = "firing" if any(a["status"] == "firing" for a in alerts) else "resolved"
    common = dict(set.intersection(*(set(a["labels"].items()) for a in alerts))) if alerts else {}
    return {
        "version": "4",
        "groupKey": '{}:{alertname="' + (alerts[0]["labels"]["alertname"] if alerts else "") + '"}',
        "truncatedAlerts": 0,
        "status": status,
        "receiver": receiver,
        "groupLabels": {"alertname": alerts[0]["labels"]["alertname"]} if alerts else {},
        "commonLabels": common,
        "commonAnnotations": {},
        "externalURL": "http://alertmanager.example:9093",
        "alerts": list(alerts),
    }


async def send(
    url: str,
    body: dict[str, Any] | bytes,
    *,
    bearer: str | None = None,
    basic: tuple[str, str] | None = None,
) -> tuple[int, str]:
    """POST a notification; returns (status, response text)."""
    headers = {"Content-Type": "application/json", "User-Agent": "Alertmanager/0.27.0"}
    if bearer is not None:
        headers["Authorization"] = f"Bearer {bearer}"
    if basic is not None:
        headers["Authorization"] = "Basic " + base64.b64encode(":".join(basic).encode()).decode()
    data = body if isinstance(body, bytes) else json.dumps(body).encode()
    async with (
        aiohttp.ClientSession() as session,
        session.post(url, data=data, headers=headers) as response,
    ):
        return response.status, await response.text()
