"""The Alertmanager webhook receiver, mounted at its own path on `chatops run`'s web app.

Alertmanager authenticates the way its `http_config` can: a bearer token or
basic auth, whose values come from environment variables named in the config
and are compared in constant time. Anything else gets 401 and nothing is
read or recorded. A valid notification (payload version 4) is stored alert by
alert, deduplicated by fingerprint in the database, so a repeat or the same
notification at another replica changes nothing; new and changed alerts are
audited, and `on_change` tells this replica's poster to look now (the leader
posts; other replicas' alerts reach it through the database). Any replica
answers. Nothing here posts a card.
"""

from __future__ import annotations

import base64
import binascii
import dataclasses
import hmac
import logging
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from aiohttp import web

from bot.domain.events import AuditEvent
from bot.gate.metrics import Metrics
from bot.settings.alerts_settings import ReceiverSettings
from storage.alert_records import AlertInput, Change
from storage.store import Store
from tools.alertmanager.webhook import MAX_BODY, WebhookAlert, WebhookRefused, parse_notification

log = logging.getLogger(__name__)

RecordFn = Callable[..., Awaitable[Any]]
UNAUTHORIZED = "401: this receiver needs Alertmanager's bearer token or basic-auth credentials"


@dataclasses.dataclass(frozen=True, repr=False)
class ReceiverCredentials:
    """The secrets a notification must carry (either way is accepted when both are set)."""

    bearer_token: str | None = None
    username: str | None = None
    password: str | None = None

    def __repr__(self) -> str:
        return "ReceiverCredentials(…)"

    def accepts(self, authorization: str | None) -> bool:
        scheme, _, value = (authorization or "").strip().partition(" ")
        value = value.strip()
        if scheme.lower() == "bearer" and self.bearer_token:
            return hmac.compare_digest(value.encode(), self.bearer_token.encode())
        if scheme.lower() == "basic" and self.username and self.password:
            try:
                user, _, password = base64.b64decode(value, validate=True).decode().partition(":")
            except (binascii.Error, UnicodeDecodeError):
                return False
            same_user = hmac.compare_digest(user.encode(), self.username.encode())
            return hmac.compare_digest(password.encode(), self.password.encode()) and same_user
        return False


def to_input(alert: WebhookAlert) -> AlertInput:
    return AlertInput(
        fingerprint=alert.key,
        status=alert.status,
        labels=dict(alert.labels),
        annotations=dict(alert.annotations),
        starts_at=alert.startsAt,
        ends_at=alert.ends_at,
        generator_url=alert.generatorURL,
    )


class AlertReceiver:
    def __init__(
        self,
        *,
        store: Store,
        credentials: ReceiverCredentials,
        metrics: Metrics,
        record: RecordFn | None = None,
        on_change: Callable[[], None] = lambda: None,
    ) -> None:
        self._store = store
        self._credentials = credentials
        self._metrics = metrics
        self._record = record
        self.on_change = on_change

    async def handle(self, request: web.Request) -> web.Response:
        if not self._credentials.accepts(request.headers.get("Authorization")):
            self._metrics.alert_webhooks_refused.labels("unauthorized").inc()
            return web.Response(
                status=401, text=UNAUTHORIZED, headers={"WWW-Authenticate": 'Bearer, Basic realm="chatops"'}
            )
        body = await _read(request)
        if body is None:
            self._metrics.alert_webhooks_refused.labels("too_large").inc()
            return web.Response(status=413, text=f"413: the notification is larger than {MAX_BODY} bytes")
        try:
            notification = parse_notification(body)
        except WebhookRefused as error:
            self._metrics.alert_webhooks_refused.labels("invalid").inc()
            return web.Response(status=400, text=f"400: {error}")
        counts = {change: 0 for change in Change}
        for alert in notification.alerts:
            written = await self._store.alerts.upsert(to_input(alert))
            counts[written.change] += 1
            self._metrics.alerts_received.labels(alert.status, written.change.value).inc()
            if written.change is not Change.UNCHANGED and self._record is not None:
                await self._record(
                    AuditEvent.ALERT_RECEIVED,
                    platform="alertmanager",
                    status=alert.status,
                    detail={
                        "fingerprint": written.record.fingerprint,
                        "alertname": written.record.alertname,
                        "change": written.change.value,
                        "receiver": notification.receiver,
                    },
                )
        if counts[Change.NEW] or counts[Change.CHANGED]:
            self.on_change()
        return web.json_response({change.value: count for change, count in counts.items()})


async def _read(request: web.Request) -> bytes | None:
    """The body, or None once it passes MAX_BODY (read no further)."""
    chunks: list[bytes] = []
    size = 0
    while chunk := await request.content.read(64 * 1024):
        size += len(chunk)
        if size > MAX_BODY:
            return None
        chunks.append(chunk)
    return b"".join(chunks)


def credentials_from(receiver: ReceiverSettings, named: Mapping[str, str]) -> ReceiverCredentials:
    """The receiver's secrets from the variables its config names (already read at start)."""
    return ReceiverCredentials(
        bearer_token=named.get(receiver.bearer_token_env) if receiver.bearer_token_env else None,
        username=receiver.username,
        password=named.get(receiver.password_env) if receiver.password_env else None,
    )
