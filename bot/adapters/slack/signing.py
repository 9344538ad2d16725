"""Slack's request signature: `v0=` HMAC-SHA256 of `v0:{timestamp}:{body}` under the signing secret.

Checked before Bolt sees a request in the core's HTTP route, and before
anything is parsed in the ack server (`ack_server.py`), which runs no Bolt.
It checks; it answers nothing.
"""

from __future__ import annotations

import hashlib
import hmac

MAX_AGE_S = 300  # Slack's own rule: older requests may be replays
MAX_BODY_BYTES = 1_000_000


def is_signed(*, body: bytes, timestamp: str | None, signature: str | None, secret: str, now: float) -> bool:
    if not secret or not timestamp or not signature:
        return False
    if not (timestamp.isascii() and timestamp.isdigit()) or abs(now - int(timestamp)) > MAX_AGE_S:
        return False
    base = b"v0:" + timestamp.encode() + b":" + body
    expected = "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected.encode(), signature.encode())
