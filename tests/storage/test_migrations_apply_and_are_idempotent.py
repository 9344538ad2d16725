from __future__ import annotations

import asyncio

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy.engine import Connection

from storage import Store, upgrade
from storage.database import open_database
from storage.migrate import current_revision, head_revision
from storage.tables import metadata


async def test_upgrade_on_an_empty_database_reaches_head(empty_db_url: str) -> None:
    await upgrade(empty_db_url)

    database = await open_database(empty_db_url)
    try:
        assert await current_revision(database) == head_revision() == "0006"
    finally:
        await database.close()


async def test_upgrading_twice_changes_nothing_and_keeps_data(empty_db_url: str) -> None:
    await upgrade(empty_db_url)
    store = await Store.open(empty_db_url)
    try:
        await store.claim_event(platform="slack", event_id="Ev1")
    finally:
        await store.close()

    await upgrade(empty_db_url)

    store = await Store.open(empty_db_url)
    try:
        assert await store.claim_event(platform="slack", event_id="Ev1") is False
    finally:
        await store.close()


async def test_the_migration_creates_exactly_the_tables_the_code_queries(empty_db_url: str) -> None:
    await upgrade(empty_db_url)

    def differences(connection: Connection) -> list[object]:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return list(compare_metadata(context, metadata))

    database = await open_database(empty_db_url)
    try:
        diff = await database.run(differences, write=False)
    finally:
        await database.close()
    assert diff == []


async def test_replicas_starting_together_both_find_the_schema_ready(empty_db_url: str) -> None:
    stores = await asyncio.gather(*(Store.open(empty_db_url) for _ in range(4)))
    try:
        claims = await asyncio.gather(*(s.claim_event(platform="discord", event_id="x") for s in stores))
        assert sorted(claims) == [False, False, False, True]
    finally:
        await asyncio.gather(*(s.close() for s in stores))
