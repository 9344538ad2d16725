"""Log lines are JSON, carry the request id of the message they belong to, and never a secret."""

from __future__ import annotations

import io
import json
import logging

from bot.domain.logging_setup import RedactingJsonFormatter
from storage.records import AuditFilter
from tests.core.demo_ops import Backend
from tests.core.fixtures import open_app
from tests.core.helpers import msg


async def test_log_lines_follow_the_request_and_are_redacted(sqlite_url: str) -> None:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(RedactingJsonFormatter())
    logger = logging.getLogger("bot")
    logger.addHandler(handler)
    old_level = logger.level
    logger.setLevel(logging.INFO)
    app = await open_app(sqlite_url, Backend())
    try:
        await app.router.handle(msg("!demo get", event_id="Ev-1"))
        await app.router.handle(msg("!demo get", event_id="Ev-1"))  # a duplicate: logged, not handled
        logging.getLogger("bot.test").info("token=ghp_abcdefghijklmnopqrstuvwxyz0123456789")
        rows = await app.store.list_audit(AuditFilter(event="message.received"))
    finally:
        await app.close()
        logger.removeHandler(handler)
        logger.setLevel(old_level)
    lines = [json.loads(line) for line in stream.getvalue().splitlines()]
    handled = next(line for line in lines if line["msg"] == "command from console:alice in ops")
    assert handled["request_id"] == rows[0].request_id and len(rows) == 1
    duplicate = next(line for line in lines if "duplicate event" in line["msg"])
    assert duplicate["request_id"] and duplicate["request_id"] != rows[0].request_id
    assert "ghp_abcdefghijklmnopqrstuvwxyz0123456789" not in stream.getvalue()
