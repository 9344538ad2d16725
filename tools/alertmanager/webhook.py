"""Alertmanager's webhook notification (payload version 4) as typed values.

`parse_notification(body)` checks size and depth before decoding, then
validates the fields the bot uses: grouped alerts, each firing or resolved,
with labels, annotations, times and fingerprint. Alertmanager adds fields
over time, so unknown keys are ignored rather than refused (this is another
program's payload, not a person's config). A bad payload raises
`WebhookRefused` with one sentence. Nothing here stores or routes anything.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from tools.parsing import ParseRefused, load_json

MAX_BODY = 2 * 1024 * 1024
MAX_ALERTS = 1000
_ZERO_YEAR = 1  # Alertmanager sends 0001-01-01T00:00:00Z as "no end yet"


class WebhookRefused(ValueError):
    """The body is not an Alertmanager v4 notification; the message says why in one sentence."""


class _Model(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)


Labels = dict[str, str]


class WebhookAlert(_Model):
    status: Literal["firing", "resolved"]
    labels: Labels = Field(default_factory=dict, max_length=100)
    annotations: Labels = Field(default_factory=dict, max_length=100)
    startsAt: dt.datetime  # Alertmanager's spelling
    endsAt: dt.datetime | None = None
    generatorURL: str | None = Field(default=None, max_length=2000)
    fingerprint: str = Field(default="", max_length=64, pattern=r"^[A-Za-z0-9]*$")

    @field_validator("labels", "annotations")
    @classmethod
    def _bounded(cls, value: Labels) -> Labels:
        for key, text in value.items():
            if len(key) > 256 or len(text) > 8192:
                raise ValueError(f"label or annotation {key[:40]!r} is too long")
        return value

    @property
    def ends_at(self) -> dt.datetime | None:
        if self.endsAt is None or self.endsAt.year <= _ZERO_YEAR:
            return None
        return self.endsAt

    @property
    def key(self) -> str:
        """Alertmanager's fingerprint, or one computed from the labels when it sent none."""
        if self.fingerprint:
            return self.fingerprint
        canonical = json.dumps(self.labels, sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(canonical.encode()).hexdigest()[:16]


class Notification(_Model):
    version: Literal["4"]
    status: Literal["firing", "resolved"]
    receiver: str = Field(default="", max_length=256)
    groupKey: str = Field(default="", max_length=4096)
    truncatedAlerts: int = Field(default=0, ge=0)
    groupLabels: Labels = Field(default_factory=dict)
    commonLabels: Labels = Field(default_factory=dict)
    commonAnnotations: Labels = Field(default_factory=dict)
    externalURL: str = Field(default="", max_length=2000)
    alerts: tuple[WebhookAlert, ...] = Field(max_length=MAX_ALERTS)


def parse_notification(body: bytes) -> Notification:
    try:
        document = load_json(body, what="the notification", max_bytes=MAX_BODY, max_depth=8)
    except ParseRefused as error:
        raise WebhookRefused(str(error)) from None
    if not isinstance(document, dict):
        raise WebhookRefused("the notification is not a JSON object")
    if str(document.get("version")) != "4":
        raise WebhookRefused(
            f"payload version {str(document.get('version'))[:10]!r} is not 4 (Alertmanager's webhook)"
        )
    try:
        return Notification.model_validate(document)
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(part) for part in first["loc"])
        raise WebhookRefused(f"the notification's {where or 'body'} is not valid: {first['msg']}") from None
