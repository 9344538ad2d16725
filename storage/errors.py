"""The storage package's error hierarchy.

Every SQLAlchemy or driver error that leaves `storage/` is wrapped in one of
these with `raise ... from e` and a message a person can act on: which
database (password hidden) and what to do. This module must not import
SQLAlchemy, so the core can catch these without depending on it.
"""

from __future__ import annotations


class StorageError(Exception):
    """A storage call failed; the message says what and what to do."""


class StorageUnavailable(StorageError):
    """The database cannot be reached or opened right now (retryable)."""


class InvalidStorageInput(StorageError, ValueError):
    """The caller passed something storage cannot keep (bad URL, filter, field)."""


class MissingSchema(StorageError):
    """The database is reachable but lacks the bot's tables: run `chatops db upgrade`."""


class DatabaseFileLost(StorageError):
    """The SQLite file this process opened was deleted or replaced: nothing more is written to it."""


class UnstorableText(InvalidStorageInput):
    """Text the database cannot keep (a NUL character, or invalid Unicode such as a lone surrogate)."""


class StorageConflict(StorageError):
    """A row broke a unique or foreign-key constraint (for example a duplicate id)."""
