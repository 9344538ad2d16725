"""Schema migrations: bring a database to the newest Alembic revision.

`upgrade(url)` is what the bot runs at start and what `chatops db upgrade`
calls. The Alembic scripts are found next to this file, never through the
current directory. Concurrent starters are safe: PostgreSQL takes an advisory
lock, SQLite an immediate (write) transaction, so the second one waits and
then finds the schema current. Nothing else in the bot creates tables.
"""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import text
from sqlalchemy.engine import Connection

from storage.database import Database, open_database

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
# Any fixed 64-bit number; it only has to be the same in every replica.
_PG_MIGRATION_LOCK = 0x63686174_6F707331


def alembic_config(database: Database) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("sqlalchemy.url", database.url.render_as_string(hide_password=False))
    return config


def head_revision() -> str | None:
    return ScriptDirectory(str(MIGRATIONS_DIR)).get_current_head()


async def upgrade_database(database: Database) -> None:
    config = alembic_config(database)

    def _upgrade(connection: Connection) -> None:
        if database.is_sqlite:
            connection.exec_driver_sql("BEGIN IMMEDIATE")
        else:
            connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _PG_MIGRATION_LOCK})
        config.attributes["connection"] = connection
        command.upgrade(config, "head")

    await database.run(_upgrade, write=True)


async def current_revision(database: Database) -> str | None:
    def _current(connection: Connection) -> str | None:
        return MigrationContext.configure(connection).get_current_revision()

    return await database.run(_current, write=False)


async def upgrade(url: str) -> None:
    """Apply every migration up to head; a current database is left as it is."""
    database = await open_database(url)
    try:
        await upgrade_database(database)
    finally:
        await database.close()
