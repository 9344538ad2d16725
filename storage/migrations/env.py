"""Alembic environment: runs migrations on a connection handed in, or opens one.

`storage.migrate.upgrade()` passes its own connection in
`config.attributes["connection"]` (already inside a transaction and, on
PostgreSQL, holding an advisory lock). Run from the `alembic` command line,
this opens the database from `sqlalchemy.url` itself.
"""

from __future__ import annotations

import asyncio

from alembic import context
from sqlalchemy.engine import Connection

from storage.database import open_database
from storage.tables import metadata


def _run(connection: Connection) -> None:
    context.configure(connection=connection, target_metadata=metadata, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()


async def _run_standalone(url: str) -> None:
    database = await open_database(url)
    try:
        await database.run(_run, write=True)
    finally:
        await database.close()


def _main() -> None:
    if context.is_offline_mode():
        context.configure(url=context.config.get_main_option("sqlalchemy.url"), target_metadata=metadata)
        with context.begin_transaction():
            context.run_migrations()
        return
    connection = context.config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    asyncio.run(_run_standalone(context.config.get_main_option("sqlalchemy.url") or ""))


_main()
