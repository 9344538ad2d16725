"""Bulk loading of history rows, for benchmarks and imports only.

The bot appends messages one at a time through `History`; this fills the
messages table fast (batched executemany: multi-row VALUES) so a
benchmark can build a million-row table in seconds. It does no validation
beyond the column types and must not be used on the request path.
"""

from __future__ import annotations

import functools
import itertools
from collections.abc import Iterable, Iterator
from typing import Any, NamedTuple

from sqlalchemy import Connection, insert

from storage.database import Database
from storage.tables import messages

BATCH = 20_000


class MessageRow(NamedTuple):
    platform: str
    channel: str
    thread: str | None
    user_id: str
    role: str
    content: str
    operation: str | None
    status: str | None
    created_at: Any  # aware datetime


def _batches(rows: Iterable[MessageRow], size: int) -> Iterator[list[MessageRow]]:
    iterator = iter(rows)
    while batch := list(itertools.islice(iterator, size)):
        yield batch


def _insert_batch(values: list[dict[str, Any]], conn: Connection) -> None:
    conn.execute(insert(messages), values)


async def load_messages(database: Database, rows: Iterable[MessageRow]) -> int:
    """Insert `rows` in large batches; returns how many went in."""
    total = 0
    for batch in _batches(rows, BATCH):
        values = [row._asdict() for row in batch]
        await database.run(functools.partial(_insert_batch, values), write=True)
        total += len(batch)
    return total
