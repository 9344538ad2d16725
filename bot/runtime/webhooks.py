"""Outbound webhooks: audit facts → signed JSON deliveries, never blocking a chat reply.

The audit trail is the event source (its details are already redacted). Each
delivery carries `X-Chatops-Event`, `X-Chatops-Timestamp` and
`X-Chatops-Signature: sha256=<HMAC-SHA256 of "<timestamp>.<body>">` keyed by
CHATOPS_WEBHOOK_SECRET. Deliveries go through a bounded queue and a background
worker, retried with exponential back-off (tenacity); each outcome is logged.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import hashlib
import hmac
import json
import logging
import time
from collections.abc import Sequence
from typing import Any

import aiohttp
from tenacity import AsyncRetrying, retry_if_exception_type, stop_after_attempt, wait_exponential_jitter

from bot.gate.metrics import Metrics
from bot.settings.config import WebhookEntry
from storage.records import AuditRecord

log = logging.getLogger(__name__)

EVENTS = (
    "query.processed",
    "operation.proposed",
    "approval.requested",
    "approval.decided",
    "operation.executed",
    "operation.failed",
)


def webhook_event(row: AuditRecord) -> str | None:
    """Which webhook event an audit row is, if any."""
    if row.event in ("operation.proposed", "approval.requested", "approval.decided"):
        return row.event
    if row.event == "execution.finished":
        return "operation.executed" if row.status in ("ok", "no_data") else "operation.failed"
    if row.event == "reply.sent" and row.status == "agent":
        return "query.processed"
    return None


def sign(secret: bytes, timestamp: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret, timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()


class RetryableDelivery(Exception):
    pass


@dataclasses.dataclass(frozen=True)
class Delivery:
    url: str
    event: str
    payload: dict[str, Any]


class WebhookSender:
    def __init__(
        self,
        hooks: Sequence[WebhookEntry],
        *,
        secret: str | None,
        metrics: Metrics,
        attempts: int = 5,
        max_wait_s: float = 30.0,
        timeout_s: float = 10.0,
        queue_size: int = 1000,
    ) -> None:
        self._hooks = tuple(hooks)
        self._secret = (secret or "").encode()
        self._metrics = metrics
        self._attempts = attempts
        self._max_wait_s = max_wait_s
        self._timeout_s = timeout_s
        self._queue: asyncio.Queue[Delivery] = asyncio.Queue(maxsize=queue_size)
        self._worker: asyncio.Task[None] | None = None
        self._session: aiohttp.ClientSession | None = None

    def observe(self, row: AuditRecord) -> None:
        """Audit listener: enqueue matching deliveries; never blocks, never raises."""
        event = webhook_event(row)
        if event is None:
            return
        payload = {
            "event": event,
            "seq": row.seq,
            "ts": row.ts,
            "request_id": row.request_id,
            "platform": row.platform,
            "user_id": row.user_id,
            "channel": row.channel,
            "operation": row.operation,
            "approval_id": row.approval_id,
            "status": row.status,
            "detail": dict(row.detail),
        }
        for hook in self._hooks:
            if hook.events and event not in hook.events:
                continue
            try:
                self._queue.put_nowait(Delivery(hook.url, event, payload))
            except asyncio.QueueFull:
                self._metrics.webhooks.labels("dropped").inc()
                log.warning("webhook queue full; dropped %s for %s", event, hook.url)

    async def start(self) -> None:
        if self._hooks and self._worker is None:
            self._session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=self._timeout_s))
            self._worker = asyncio.create_task(self._run())

    async def close(self, grace_s: float = 5.0) -> None:
        if self._worker is not None:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._queue.join(), timeout=grace_s)
            self._worker.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._worker
            self._worker = None
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def _run(self) -> None:
        while True:
            delivery = await self._queue.get()
            try:
                await self._deliver(delivery)
            finally:
                self._queue.task_done()

    async def _deliver(self, delivery: Delivery) -> None:
        body = json.dumps(delivery.payload, sort_keys=True, ensure_ascii=False).encode()
        try:
            async for attempt in AsyncRetrying(
                stop=stop_after_attempt(self._attempts),
                wait=wait_exponential_jitter(multiplier=0.2, max=self._max_wait_s, jitter=0.2),
                retry=retry_if_exception_type(RetryableDelivery),
                reraise=True,
            ):
                with attempt:
                    await self._post(delivery, body)
        except RetryableDelivery as e:
            self._metrics.webhooks.labels("failed").inc()
            log.warning(
                "webhook %s to %s failed after %d attempts: %s",
                delivery.event,
                delivery.url,
                self._attempts,
                e,
            )
        except aiohttp.ClientResponseError as e:
            self._metrics.webhooks.labels("rejected").inc()
            log.warning("webhook %s to %s rejected: HTTP %s", delivery.event, delivery.url, e.status)
        else:
            self._metrics.webhooks.labels("delivered").inc()
            log.info("webhook %s delivered to %s", delivery.event, delivery.url)

    async def _post(self, delivery: Delivery, body: bytes) -> None:
        assert self._session is not None
        timestamp = str(int(time.time()))
        headers = {
            "Content-Type": "application/json",
            "X-Chatops-Event": delivery.event,
            "X-Chatops-Timestamp": timestamp,
            "X-Chatops-Signature": sign(self._secret, timestamp, body),
        }
        try:
            async with self._session.post(delivery.url, data=body, headers=headers) as response:
                if response.status == 429 or response.status >= 500:
                    raise RetryableDelivery(f"HTTP {response.status}")
                if response.status >= 400:
                    raise aiohttp.ClientResponseError(
                        response.request_info, (), status=response.status, message=response.reason or ""
                    )
        except (aiohttp.ClientConnectionError, TimeoutError) as e:
            raise RetryableDelivery(type(e).__name__) from e
