"""Column types that behave the same on SQLite and PostgreSQL.

`UTCDateTime` always hands back timezone-aware UTC datetimes (SQLite keeps
naive text, PostgreSQL keeps timestamptz) and refuses naive input so a local
time can never slip in. `JSONText` stores canonical JSON text, so what is
read back hashes and compares identically on both databases. Nothing here
talks to a database.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from sqlalchemy import DateTime, Dialect, Text
from sqlalchemy.types import TypeDecorator

from storage.errors import InvalidStorageInput


def canonical_json(value: Any) -> str:
    """The one JSON spelling used for stored detail and for hashing."""
    try:
        return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    except (TypeError, ValueError) as e:
        raise InvalidStorageInput(
            f"this value cannot be stored as JSON ({e}); pass only strings, numbers, booleans, "
            "None, lists and string-keyed dicts"
        ) from e


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def to_utc(value: dt.datetime) -> dt.datetime:
    if value.tzinfo is None:
        raise InvalidStorageInput(
            f"datetime {value.isoformat()} has no timezone; pass an aware datetime (UTC)"
        )
    return value.astimezone(dt.UTC)


class UTCDateTime(TypeDecorator[dt.datetime]):
    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        utc = to_utc(value)
        # SQLite keeps text; a naive UTC value keeps comparisons lexicographic and correct.
        return utc.replace(tzinfo=None) if dialect.name == "sqlite" else utc

    def process_result_value(self, value: dt.datetime | None, dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


class JSONText(TypeDecorator[Any]):
    impl = Text
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Dialect) -> str | None:
        return None if value is None else canonical_json(value)

    def process_result_value(self, value: str | None, dialect: Dialect) -> Any:
        return None if value is None else json.loads(value)
