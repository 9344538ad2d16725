from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import text

from storage import InvalidStorageInput, StorageUnavailable, Store
from storage.database import normalise_url, open_database


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("sqlite:///x.db", "sqlite+aiosqlite:///x.db"),
        ("sqlite+aiosqlite:////abs/x.db", "sqlite+aiosqlite:////abs/x.db"),
        ("postgresql://u@h:5432/db", "postgresql+asyncpg://u@h:5432/db"),
        ("postgres://u@h/db", "postgresql+asyncpg://u@h/db"),
        ("postgresql+asyncpg://u@h/db", "postgresql+asyncpg://u@h/db"),
    ],
)
async def test_plain_urls_get_the_async_driver(given: str, expected: str) -> None:
    assert normalise_url(given).render_as_string() == expected


@pytest.mark.parametrize("url", ["mysql://u@h/db", "not a url", "postgresql+psycopg2://u@h/db"])
async def test_unsupported_urls_are_refused_with_what_to_use(url: str) -> None:
    with pytest.raises(InvalidStorageInput, match="sqlite:///"):
        normalise_url(url)


async def test_sqlite_connections_use_wal_normal_sync_a_busy_timeout_and_foreign_keys(tmp_path: Path) -> None:
    database = await open_database(f"sqlite:///{tmp_path / 'p.db'}")
    try:
        pragmas = await database.run(
            lambda conn: [
                conn.execute(text(f"PRAGMA {name}")).scalar_one()
                for name in ("journal_mode", "synchronous", "busy_timeout", "foreign_keys")
            ],
            write=False,
        )
    finally:
        await database.close()
    assert pragmas == ["wal", 1, 10_000, 1]


async def test_an_unreachable_postgres_is_reported_without_the_password() -> None:
    with pytest.raises(StorageUnavailable) as caught:
        await Store.open("postgresql://bot:s3cret-pw@127.0.0.1:1/chatops")

    message = str(caught.value)
    assert "s3cret-pw" not in message
    assert "127.0.0.1:1/chatops" in message and "check that the server is running" in message


async def test_a_sqlite_file_in_a_missing_folder_says_to_check_the_folder(tmp_path: Path) -> None:
    with pytest.raises(StorageUnavailable, match="check that the folder exists"):
        await Store.open(f"sqlite:///{tmp_path / 'nope' / 'chatops.db'}")


async def test_ping_succeeds_on_a_live_database(store: Store) -> None:
    await store.ping()


async def test_an_in_memory_sqlite_database_is_refused_with_what_to_use() -> None:
    with pytest.raises(InvalidStorageInput, match=r"use a file path such as sqlite:///\./chatops\.db"):
        await Store.open("sqlite://")


async def test_a_store_opened_without_migrating_says_to_run_the_upgrade(tmp_path: Path) -> None:
    store = await Store.open(f"sqlite:///{tmp_path / 'bare.db'}", migrate=False)
    try:
        with pytest.raises(Exception, match="chatops db upgrade") as caught:
            await store.claim_event(platform="slack", event_id="e")
    finally:
        await store.close()
    assert "Traceback" not in str(caught.value)
