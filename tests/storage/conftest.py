"""Database fixtures: every storage test runs on a SQLite file and on PostgreSQL.

PostgreSQL is the server at 127.0.0.1:5432 (user postgres). Each test session
creates its own database and drops it at the end; tests start from empty
tables. When the server cannot be reached the postgres cases are skipped, or
fail when CHATOPS_REQUIRE_POSTGRES=1 (CI sets it).
"""

from __future__ import annotations

import asyncio
import os
import secrets
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import asyncpg
import pytest
from sqlalchemy import Connection, text

from storage import Store
from storage.tables import GENESIS_HASH

PG_HOST = os.environ.get("CHATOPS_TEST_PG_HOST", "127.0.0.1")
PG_PORT = int(os.environ.get("CHATOPS_TEST_PG_PORT", "5432"))
PG_USER = os.environ.get("CHATOPS_TEST_PG_USER", "postgres")
PG_ADMIN_DB = os.environ.get("CHATOPS_TEST_PG_DB", "test")

BACKENDS = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
_TABLES = (
    "approval_cards",
    "identities",
    "messages",
    "approvals",
    "audit_events",
    "processed_events",
    "channel_settings",
    "instances",
    "alerts",
    "watch_signals",
    "notification_cards",
    "watch_positions",
    "watch_subscriptions",
)


def pg_url(database: str) -> str:
    return f"postgresql+asyncpg://{PG_USER}@{PG_HOST}:{PG_PORT}/{database}"


async def _admin(sql: str) -> None:
    conn = await asyncpg.connect(host=PG_HOST, port=PG_PORT, user=PG_USER, database=PG_ADMIN_DB, timeout=5)
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


def _postgres_unavailable(reason: str) -> None:
    message = f"PostgreSQL at {PG_HOST}:{PG_PORT} is not reachable ({reason})"
    if os.environ.get("CHATOPS_REQUIRE_POSTGRES") == "1":
        pytest.fail(f"{message} and CHATOPS_REQUIRE_POSTGRES=1 requires it")
    pytest.skip(f"{message}; set CHATOPS_REQUIRE_POSTGRES=1 to make this a failure")


class PgDatabases:
    """Creates throwaway databases on the test server and drops them at the end."""

    def __init__(self) -> None:
        self.created: list[str] = []

    def create(self) -> str:
        name = f"chatops_test_{os.getpid()}_{secrets.token_hex(4)}"
        asyncio.run(_admin(f'CREATE DATABASE "{name}"'))
        self.created.append(name)
        return name

    def drop_all(self) -> None:
        for name in self.created:
            asyncio.run(_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture(scope="session")
def pg_databases() -> Iterator[PgDatabases]:
    try:
        asyncio.run(_admin("SELECT 1"))
    except (OSError, asyncpg.PostgresError, TimeoutError) as e:
        _postgres_unavailable(f"{type(e).__name__}: {e}")
    databases = PgDatabases()
    yield databases
    databases.drop_all()


@pytest.fixture(scope="session")
def pg_session_url(pg_databases: PgDatabases) -> str:
    """One migrated database for the session; tests empty its tables before use."""
    return pg_url(pg_databases.create())


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def db_url(backend: str, request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A database URL with the schema at head and empty tables."""
    if backend == "sqlite":
        return f"sqlite+aiosqlite:///{tmp_path / 'chatops.db'}"
    return str(request.getfixturevalue("pg_session_url"))


@pytest.fixture
def empty_db_url(backend: str, request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A URL of a database with no tables at all."""
    if backend == "sqlite":
        return f"sqlite:///{tmp_path / 'empty.db'}"
    databases: PgDatabases = request.getfixturevalue("pg_databases")
    return pg_url(databases.create()).replace("+asyncpg", "")


async def empty_tables(store: Store) -> None:
    def _empty(conn: Connection) -> None:
        for table in _TABLES:
            conn.execute(text(f"DELETE FROM {table}"))
        conn.execute(text("UPDATE audit_head SET seq = 0, hash = :h"), {"h": GENESIS_HASH})
        conn.execute(text("UPDATE installation SET genesis_hash = NULL"))  # the chain starts again

    await store.database.run(_empty, write=True)


@pytest.fixture
async def store(db_url: str) -> AsyncIterator[Store]:
    store = await Store.open(db_url)
    await empty_tables(store)
    try:
        yield store
    finally:
        await store.close()
