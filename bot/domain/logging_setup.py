"""Logging: structured JSON lines on stderr, every message redacted.

A filter passes each record's final text through redaction, so a secret
value that slips into a log call never reaches the log.
"""

from __future__ import annotations

import contextvars
import json
import logging
import sys
import time
from collections.abc import Iterable

from tools.redact import redact_text

# The request a log line belongs to: set by the router for one message, from adapter to audit row.
request_id_var: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "chatops_request_id", default=None
)


class RedactingJsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        message = redact_text(record.getMessage())
        entry = {
            "ts": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created))
            + f".{int(record.msecs):03d}Z",
            "level": record.levelname.lower(),
            "logger": record.name,
            "msg": message,
        }
        request_id = getattr(record, "request_id", None) or request_id_var.get()
        if request_id:
            entry["request_id"] = request_id
        if record.exc_info and record.exc_info[0] is not None:
            entry["error"] = record.exc_info[0].__name__
            entry["trace"] = redact_text(self.formatException(record.exc_info))[-4000:]
        return json.dumps(entry, ensure_ascii=False)


def configure_logging(level: str = "WARNING", *, quiet: Iterable[str] = ()) -> None:
    """JSON lines on stderr at `level`; `quiet`: more library loggers to keep at INFO or above
    (the chat platforms' client libraries, from the runtime's adapter table)."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(RedactingJsonFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper() if level.upper() in ("DEBUG", "INFO", "WARNING", "ERROR") else "WARNING")
    # Client libraries log request bodies and headers at DEBUG: keep them quieter than us.
    for noisy in (
        "urllib3",
        "kubernetes",
        "httpx",
        "openai",
        "aiosqlite",
        *quiet,
    ):
        logging.getLogger(noisy).setLevel(max(logging.INFO, root.level))
