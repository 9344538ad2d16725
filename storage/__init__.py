"""Persistence for the bot: SQLite or PostgreSQL behind one async `Store`.

The core imports `Store`, the records and the errors from here; SQLAlchemy
and Alembic never leak out of this package.
"""

from storage.channels import KEEP
from storage.errors import InvalidStorageInput, StorageConflict, StorageError, StorageUnavailable
from storage.migrate import upgrade
from storage.store import Store

__all__ = [
    "KEEP",
    "InvalidStorageInput",
    "StorageConflict",
    "StorageError",
    "StorageUnavailable",
    "Store",
    "upgrade",
]
