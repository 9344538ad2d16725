"""Only a real outage says "unavailable": bad bytes are cleaned, bad filters and missing tables say so.

On SQLite and PostgreSQL: invalid UTF-8 (as a console's stdin hands it over,
surrogate-escaped), a NUL character and a lone surrogate are cleaned at the
router and the request is recorded; text that reaches storage uncleaned is
refused with a sentence naming the character, not "unavailable"; `!audit
--since notadate` is refused with a sentence; a database without the bot's
tables says to run `chatops db upgrade`; a stopped database says unavailable.
"""

from __future__ import annotations

import sqlite3

import asyncpg
import pytest

from bot.conversation.unrecorded import NO_SCHEMA, UNAVAILABLE
from storage.errors import UnstorableText
from storage.records import NewMessage
from tests.core.conftest import PG_ADMIN_DSN
from tests.core.demo_ops import Backend
from tests.core.fixtures import Apps
from tests.core.helpers import msg

BAD_BYTES = b"scale \xff\xfe web".decode("utf-8", "surrogateescape")


@pytest.mark.parametrize("text", [BAD_BYTES, "hello\x00 there", "lone \ud800 surrogate"])
async def test_uncleaned_text_is_cleaned_at_the_router_and_recorded(
    apps: Apps, database_url: str, backend: Backend, text: str
) -> None:
    app = await apps.open(database_url, backend)
    replies = await app.router.handle(msg(text))
    assert "unavailable" not in replies[0].text and "could not record" not in replies[0].text
    history = await app.store.recent_for_user(platform="console", user_id="alice")
    stored = [m.content for m in history if m.role == "user"]
    assert len(stored) == 1
    assert "\x00" not in stored[0] and not any("\ud800" <= c <= "\udfff" for c in stored[0])
    assert (await app.store.verify_audit()).ok


@pytest.mark.parametrize("text", ["nul \x00 here", "lone \udc80 here"])
async def test_text_that_reaches_storage_uncleaned_is_refused_with_a_sentence(
    apps: Apps, database_url: str, backend: Backend, text: str
) -> None:
    app = await apps.open(database_url, backend)
    if "\x00" in text and database_url.startswith("sqlite"):
        pytest.skip("SQLite stores NUL characters in text; only PostgreSQL refuses them")
    with pytest.raises(UnstorableText, match="a character the database cannot store"):
        await app.store.append_message(
            NewMessage(
                platform="console", channel="ops", thread=None, user_id="alice", role="user", content=text
            )
        )
    assert (await app.router.handle(msg("!demo get web")))[0].table is not None  # still fine


async def test_audit_with_a_bad_date_is_refused_with_a_sentence(
    apps: Apps, database_url: str, backend: Backend
) -> None:
    app = await apps.open(database_url, backend)
    replies = await app.router.handle(msg("!audit --since notadate"))
    assert "'notadate' is not a date or time" in replies[0].text
    assert "unavailable" not in replies[0].text


async def _drop_every_table(url: str) -> None:
    if url.startswith("sqlite"):
        path = url.split(":///", 1)[1]
        with sqlite3.connect(path) as conn:
            names = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
            for name in names:
                conn.execute(f'DROP TABLE "{name}"')
        return
    conn = await asyncpg.connect(PG_ADMIN_DSN.rsplit("/", 1)[0] + "/" + url.rsplit("/", 1)[1])
    try:
        await conn.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
    finally:
        await conn.close()


async def test_a_database_without_the_tables_says_to_run_the_upgrade(
    apps: Apps, database_url: str, backend: Backend
) -> None:
    app = await apps.open(database_url, backend)
    await _drop_every_table(database_url)
    replies = await app.router.handle(msg("!demo get web"))
    assert [r.text for r in replies] == [NO_SCHEMA]
    assert "chatops db upgrade" in NO_SCHEMA


async def test_only_a_real_outage_says_unavailable(apps: Apps, postgres_url: str, backend: Backend) -> None:
    app = await apps.open(postgres_url, backend)
    admin = await asyncpg.connect(PG_ADMIN_DSN)
    try:
        name = postgres_url.rsplit("/", 1)[1]
        await admin.execute(f'ALTER DATABASE "{name}" WITH ALLOW_CONNECTIONS false')
        await admin.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1", name)
        replies = await app.router.handle(msg("!demo get web"))
        assert [r.text for r in replies] == [UNAVAILABLE]
        await admin.execute(f'ALTER DATABASE "{name}" WITH ALLOW_CONNECTIONS true')
    finally:
        await admin.close()
