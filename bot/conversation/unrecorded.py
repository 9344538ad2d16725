"""The one sentence for a request that could not be recorded, saying truly why.

A request whose facts cannot be written does nothing (the gate fails closed);
the person then reads why: text the database cannot keep, a filter it
refused, a database without the bot's tables, or a real outage. Only an
outage (or a failure we cannot classify) says "unavailable". Nothing here
talks to storage; it reads the chain of causes of the error it is given.
"""

from __future__ import annotations

from storage.errors import (
    DatabaseFileLost,
    InvalidStorageInput,
    MissingSchema,
    StorageError,
    StorageUnavailable,
)

UNAVAILABLE = (
    "I could not record this request (the bot's database is unavailable), so nothing was done; "
    "try again in a minute, and tell the bot's admins if it persists."
)
NO_SCHEMA = (
    "I could not record this request: the bot's database has no tables (it was replaced or never "
    "set up), so nothing was done; an admin should run `chatops db upgrade`."
)
REFUSED = (
    "I could not record this request: the database refused it, so nothing was done; "
    "tell the bot's admins (the bot's log has the details)."
)


def storage_cause(error: BaseException) -> StorageError | None:
    """The first storage error in `error`'s chain of causes (itself included)."""
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        if isinstance(current, StorageError):
            return current
        seen.add(id(current))
        current = current.__cause__ or current.__context__
    return None


def unrecorded_sentence(error: BaseException) -> str:
    cause = storage_cause(error)
    if isinstance(cause, MissingSchema):
        return NO_SCHEMA
    if isinstance(cause, DatabaseFileLost | InvalidStorageInput):
        return f"I could not record this request: {cause}. Nothing was done."
    if cause is None or isinstance(cause, StorageUnavailable):
        return UNAVAILABLE
    return REFUSED
