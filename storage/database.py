"""The engine: URL normalisation, SQLite pragmas, one transaction per call, error translation.

`open_database()` gives a `Database`: PostgreSQL through asyncpg, SQLite (WAL,
synchronous=NORMAL) through the standard `sqlite3` module in one worker
thread. Repositories hand `Database.run()` a function of a SQLAlchemy
`Connection`; it runs in one committed transaction: on PostgreSQL with
`AsyncConnection.run_sync`, on SQLite as one call in a worker thread (one
hand-off between threads per transaction; through aiosqlite every
statement, cursor and commit was one, and each can wait for a core on a busy
box). A small write whose function only touches the database (an audit
append of up to 64 rows) may instead run on the event loop when the worker thread
is idle: the hand-off there and back cost more than the transaction. It never
waits there (a lock held by another connection sends it to the thread) and
never checkpoints there (every `INLINE_WRITES_BEFORE_THREAD`th write goes to
the thread, where SQLite's automatic checkpoint runs). The `AsyncEngine` stays
for everything else (aiosqlite on SQLite). SQLite writers of one process queue
on an asyncio lock (SQLite has one writer anyway). Every connection goes back to the pool with its transaction ended
(committed, or rolled back on error), so the pool's rollback on return is off:
it was one more round trip per transaction. SQLAlchemy and driver errors leave as `StorageError`s naming the
database (password hidden) and what to do. No queries or schema live here.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import enum
import os
import sqlite3
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Literal, TypeVar

from sqlalchemy import Table, create_engine, event, exc, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import URL, Connection, Engine, make_url
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from storage.driver_errors import (
    UNSTORABLE,
    first_line,
    is_busy,
    is_missing_schema,
    is_outage,
    is_unstorable_text,
)
from storage.errors import (
    DatabaseFileLost,
    InvalidStorageInput,
    MissingSchema,
    StorageConflict,
    StorageError,
    StorageUnavailable,
    UnstorableText,
)

T = TypeVar("T")

SQLITE_BUSY_TIMEOUT_MS = 10_000
WAL_SWITCH_ATTEMPTS = 100
CONNECT_TIMEOUT_S = 5.0
PING_TIMEOUT_S = 5.0
SQLITE_THREADS = 1  # one thread: transactions run in the order asked (as one writer would), and no thread pile contends for the GIL
# A small write asked `inline` runs on the event loop when the worker thread is idle: the hand-off to
# the thread and back cost more than a one-row transaction (≈200 µs against ≈150 µs, bench/README.md).
# It never waits there: a lock held elsewhere sends it to the thread, whose busy handler waits; and it
# never checkpoints there: after this many inline writes the next write goes to the thread, where
# SQLite's automatic checkpoint (and its fsync) may run.
INLINE_WRITES_BEFORE_THREAD = 128

_DRIVERS = {
    "sqlite": "sqlite+aiosqlite",
    "sqlite+aiosqlite": "sqlite+aiosqlite",
    "sqlite+pysqlite": "sqlite+aiosqlite",
    "postgres": "postgresql+asyncpg",
    "postgresql": "postgresql+asyncpg",
    "postgresql+asyncpg": "postgresql+asyncpg",
}


def normalise_url(url: str) -> URL:
    """`sqlite:///x.db` → `sqlite+aiosqlite:///x.db`, `postgresql://…` → `postgresql+asyncpg://…`."""
    try:
        parsed = make_url(url.strip())
    except exc.ArgumentError as e:
        raise InvalidStorageInput(
            "the database URL cannot be parsed; use sqlite:///path/to/chatops.db "
            "or postgresql://user@host:5432/dbname"
        ) from e
    driver = _DRIVERS.get(parsed.drivername)
    if driver is None:
        raise InvalidStorageInput(
            f"database URL scheme {parsed.drivername!r} is not supported; "
            "use sqlite:///path or postgresql://user@host/dbname"
        )
    return parsed.set(drivername=driver)


def _use_wal(cursor: Any) -> None:
    """WAL is a property of the file: set once. Switching needs a moment alone with the file and
    SQLite does not wait for that (no busy handler), so replicas that open a new file together
    retry briefly."""
    for _ in range(WAL_SWITCH_ATTEMPTS):
        cursor.execute("PRAGMA journal_mode")
        if str(cursor.fetchone()[0]).lower() == "wal":
            return
        try:
            cursor.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as e:  # aiosqlite hands sqlite3's own error through
            if "locked" not in str(e) and "busy" not in str(e):
                raise
            time.sleep(0.02)
    cursor.execute("PRAGMA journal_mode=WAL")


def _set_sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    try:
        _use_wal(cursor)
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys=ON")
    finally:
        cursor.close()


@dataclasses.dataclass
class FileWatch:
    """Which file an SQLite path named when this process first used it (device, inode).

    Checked before every transaction (one `os.stat`, about a microsecond; see
    bench/bench_storage.py): if the path is gone or names another file, the
    open connections would write to a deleted file nobody will read again, so
    every later call fails with `DatabaseFileLost` (sticky) instead.
    """

    path: str
    identity: tuple[int, int] | None = None
    lost: str | None = None

    def __post_init__(self) -> None:
        self.path = os.path.abspath(self.path)  # the bot's working directory may change later

    def check(self, describe: str) -> None:
        if self.lost is None and self.identity is not None:
            try:
                st = os.stat(self.path)
                now: tuple[int, int] | None = (st.st_dev, st.st_ino)
            except FileNotFoundError:
                now = None
            if now != self.identity:
                what = "deleted" if now is None else "replaced by another file"
                self.lost = (
                    f"the SQLite file {describe} was {what} while the bot was running; nothing more "
                    "is written (it would be lost): restore the file or restart the bot, and run "
                    "`chatops audit verify`"
                )
        if self.lost is not None:
            raise DatabaseFileLost(self.lost)

    def remember(self) -> None:
        if self.identity is None:
            with contextlib.suppress(FileNotFoundError):
                st = os.stat(self.path)
                self.identity = (st.st_dev, st.st_ino)


@dataclasses.dataclass
class _ThreadJobs:
    """Transactions handed to the worker thread and finished there (each counter has one writer)."""

    submitted: int = 0  # by the event loop
    finished: int = 0  # by the worker thread
    inline_since: int = 0  # inline writes since the last write in the thread

    @property
    def idle(self) -> bool:
        return self.submitted == self.finished


class _Skipped(enum.Enum):
    LOCKED = "locked"  # an inline try found the database locked by another connection: nothing written


@dataclasses.dataclass(frozen=True)
class Database:
    """An open database: SQLite (aiosqlite) or PostgreSQL (asyncpg) behind one `AsyncEngine`."""

    url: URL
    async_engine: AsyncEngine
    sync_engine: Engine | None = dataclasses.field(default=None, repr=False, compare=False)  # SQLite's
    _write_lock: asyncio.Lock = dataclasses.field(default_factory=asyncio.Lock, repr=False, compare=False)
    _threads: ThreadPoolExecutor | None = dataclasses.field(default=None, repr=False, compare=False)
    watch: FileWatch | None = dataclasses.field(default=None, repr=False, compare=False)
    _jobs: _ThreadJobs = dataclasses.field(default_factory=_ThreadJobs, repr=False, compare=False)

    @property
    def is_sqlite(self) -> bool:
        return self.url.drivername.startswith("sqlite")

    @property
    def dialect(self) -> str:
        return "sqlite" if self.is_sqlite else "postgresql"

    def describe(self) -> str:
        """The URL with the password hidden: safe for logs and chat."""
        return self.url.render_as_string(hide_password=True)

    async def run(self, fn: Callable[[Connection], T], *, write: bool, inline: bool = False) -> T:
        """Run `fn` in one transaction, committed when it returns.

        On SQLite, writers of this process queue on an asyncio lock: SQLite
        allows one writer anyway, and waiting here is cheaper than SQLite's
        sleeping busy handler. Other processes wait via busy_timeout. `inline`:
        a small write that may run on the event loop when the worker thread is
        idle (`INLINE_WRITES_BEFORE_THREAD`); `fn` may then run twice (the
        first try rolled back), so it must only touch the database.
        """
        with self._translate_errors():
            lock = self._write_lock if write and self.is_sqlite else contextlib.nullcontext()
            async with lock:
                if self.watch is not None:  # the path must still name the file first opened
                    self.watch.check(self.describe())
                if self.sync_engine is not None:
                    result = await self._run_sqlite(fn, write=write, inline=inline)
                else:
                    async with self.async_engine.begin() as conn:
                        result = await conn.run_sync(fn)
                if self.watch is not None:
                    self.watch.remember()
                return result

    async def _run_sqlite(self, fn: Callable[[Connection], T], *, write: bool, inline: bool) -> T:
        jobs = self._jobs
        if inline and write and jobs.idle and jobs.inline_since < INLINE_WRITES_BEFORE_THREAD:
            done = self._run_inline(fn)
            if done is not _Skipped.LOCKED:
                jobs.inline_since += 1
                return done
        jobs.submitted += 1
        if write:
            jobs.inline_since = 0  # SQLite checkpoints (when due) at this commit, in the thread
        return await asyncio.get_running_loop().run_in_executor(self._threads, self._run_in_thread, fn)

    def _run_in_thread(self, fn: Callable[[Connection], T]) -> T:
        assert self.sync_engine is not None
        try:
            with self.sync_engine.begin() as conn:
                return fn(conn)
        finally:
            self._jobs.finished += 1

    def _run_inline(self, fn: Callable[[Connection], T]) -> T | Literal[_Skipped.LOCKED]:
        """`fn` on this thread, never waiting for a lock nor checkpointing; `LOCKED` if another
        connection holds the lock (nothing was written)."""
        assert self.sync_engine is not None
        with self.sync_engine.connect() as conn:
            raw = conn.connection.driver_connection
            assert raw is not None
            raw.execute("PRAGMA busy_timeout=0")
            raw.execute("PRAGMA wal_autocheckpoint=0")
            try:
                with conn.begin():
                    return fn(conn)
            except exc.OperationalError as e:
                if is_busy(e):
                    return _Skipped.LOCKED
                raise
            finally:
                raw.execute("PRAGMA wal_autocheckpoint=1000")
                raw.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")

    async def ping(self) -> None:
        try:
            async with asyncio.timeout(PING_TIMEOUT_S):
                await self.run(lambda conn: conn.execute(text("SELECT 1")).scalar_one(), write=False)
        except TimeoutError as e:
            raise StorageUnavailable(
                f"the database {self.describe()} did not answer within {PING_TIMEOUT_S:.0f} s; "
                "check that it is running and reachable"
            ) from e

    async def close(self) -> None:
        if self._threads is not None:
            await asyncio.get_running_loop().run_in_executor(None, self._threads.shutdown)
        if self.sync_engine is not None:
            self.sync_engine.dispose()
        await self.async_engine.dispose()

    @contextlib.contextmanager
    def _translate_errors(self) -> Iterator[None]:
        try:
            yield
        except StorageError:
            raise
        except UnicodeError as e:  # the driver could not even encode the text
            raise UnstorableText(UNSTORABLE) from e
        except exc.StatementError as e:
            if is_unstorable_text(e):
                raise UnstorableText(UNSTORABLE) from e
            if is_missing_schema(e):
                raise MissingSchema(self._missing_schema_message(e)) from e
            raise self._translate_statement_error(e) from e
        except (exc.InterfaceError, OSError, TimeoutError) as e:
            raise StorageUnavailable(self._unavailable_message(e)) from e
        except exc.SQLAlchemyError as e:
            raise StorageError(
                f"the database {self.describe()} refused a request ({type(e).__name__}); "
                "check that migrations are applied (chatops db upgrade)"
            ) from e

    def _translate_statement_error(self, e: exc.StatementError) -> StorageError:
        if isinstance(e, exc.OperationalError | exc.InterfaceError):
            return StorageUnavailable(self._unavailable_message(e))
        if isinstance(e, exc.IntegrityError):
            return StorageConflict(
                f"the database {self.describe()} refused a duplicate or inconsistent row: {first_line(e)}"
            )
        if isinstance(e.orig, StorageError):
            return e.orig
        if isinstance(e, exc.DBAPIError) and (e.connection_invalidated or is_outage(e)):
            return StorageUnavailable(self._unavailable_message(e))
        return StorageError(
            f"the database {self.describe()} refused a request ({type(e.orig or e).__name__}); "
            "check that migrations are applied (chatops db upgrade)"
        )

    def _missing_schema_message(self, error: BaseException) -> str:
        return (
            f"the database {self.describe()} does not have the expected tables ({first_line(error)}); "
            "run `chatops db upgrade` to apply the migrations"
        )

    def _unavailable_message(self, error: BaseException) -> str:
        if self.is_sqlite:
            return (
                f"cannot use the SQLite database {self.describe()}: {first_line(error)}; "
                "check that the folder exists and is writable and that no other program holds a lock"
            )
        return (
            f"cannot reach the PostgreSQL database {self.describe()}: {first_line(error)}; "
            "check that the server is running, the host, port and database name are right, "
            "and the user may connect"
        )


def insert_for(database: Database, table: Table) -> postgresql.Insert | sqlite.Insert:
    """An INSERT with ON CONFLICT for this database (same API on both flavours)."""
    return sqlite.insert(table) if database.is_sqlite else postgresql.insert(table)


async def open_database(url: str) -> Database:
    """Create the engine; connections open lazily (call `ping()` to check now)."""
    parsed = normalise_url(url)
    if parsed.drivername.startswith("sqlite"):
        if parsed.database in (None, "", ":memory:"):
            raise InvalidStorageInput(
                "an in-memory SQLite database cannot be shared between connections; "
                "use a file path such as sqlite:///./chatops.db"
            )
        engine = create_async_engine(
            parsed, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000}, pool_reset_on_return=None
        )
        event.listen(engine.sync_engine, "connect", _set_sqlite_pragmas)
        threaded = create_engine(
            parsed.set(drivername="sqlite+pysqlite"),
            connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000, "check_same_thread": False},
            pool_size=SQLITE_THREADS,
            pool_reset_on_return=None,
        )
        event.listen(threaded, "connect", _set_sqlite_pragmas)
        threads = ThreadPoolExecutor(max_workers=SQLITE_THREADS, thread_name_prefix="sqlite")
        watch = FileWatch(parsed.database)
        return Database(url=parsed, async_engine=engine, sync_engine=threaded, _threads=threads, watch=watch)
    async_engine = create_async_engine(
        parsed,
        connect_args={"timeout": CONNECT_TIMEOUT_S},
        pool_pre_ping=True,
        pool_reset_on_return=None,
        pool_size=10,
        max_overflow=20,
    )
    return Database(url=parsed, async_engine=async_engine)
