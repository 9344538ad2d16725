"""What a driver's error means: an outage, a missing schema, text the database cannot store, a lock.

Pure functions over SQLAlchemy's and the drivers' exceptions, used by
`database.Database` to translate errors into `StorageError`s that say what
to do. They run nothing.
"""

from __future__ import annotations

import sqlite3

from sqlalchemy import exc

UNSTORABLE = (
    "the text holds a character the database cannot store (a NUL character or invalid Unicode); "
    "remove it and send the message again"
)


def is_missing_schema(error: exc.StatementError) -> bool:
    message = str(error.orig).lower()
    return (
        "no such table" in message
        or "no such column" in message
        or ("relation" in message and "does not exist" in message)
        or type(error.orig).__name__ in ("UndefinedTableError", "UndefinedColumnError")
    )


# SQLSTATE classes of a server that cannot serve now: connection exception, insufficient
# resources, operator intervention (shutdown, cannot connect now).
_OUTAGE_SQLSTATES = ("08", "53", "57P")


def is_outage(error: exc.StatementError) -> bool:
    """The driver's error says the server or the connection is gone, not that the request was bad."""
    seen: set[int] = set()
    current: BaseException | None = error.orig
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        state = str(getattr(current, "sqlstate", "") or "")
        if state.startswith(_OUTAGE_SQLSTATES) or "Connection" in type(current).__name__:
            return True
        if "not currently accepting connections" in str(current):
            return True
        current = current.__cause__ or current.__context__
    return False


def is_unstorable_text(error: exc.StatementError) -> bool:
    """A NUL or an unencodable character: the input is at fault, not the database."""
    orig = error.orig
    if isinstance(orig, UnicodeError):
        return True
    name = type(orig).__name__
    message = str(orig).lower()
    return (
        name in ("CharacterNotInRepertoireError", "UntranslatableCharacterError")
        or "0x00" in message
        or "surrogates not allowed" in message
        or "invalid byte sequence" in message
    )


def is_busy(error: exc.OperationalError) -> bool:
    """SQLite's SQLITE_BUSY family: another connection holds the lock this one needs."""
    code = getattr(error.orig, "sqlite_errorcode", None)
    return code is not None and code & 0xFF == sqlite3.SQLITE_BUSY


def first_line(error: BaseException) -> str:
    orig = getattr(error, "orig", None) or error
    line = str(orig).strip().splitlines()[0] if str(orig).strip() else type(orig).__name__
    return line[:200]
