"""This installation's identity: which database the audit chain began in, and its first row.

One row (`installation`, id = 1) holds a random installation id, when it was
created and the hash of audit row 1 (the chain's genesis) once written. For
SQLite the same facts are also kept beside the file (`<file>.installation`,
JSON), which survives the file being deleted and recreated: a new file gets
a new id, and `check()` says the chain is not this installation's. (A
PostgreSQL database dropped and recreated is not caught this way; its row
still guards against a chain whose first rows were replaced.) Nothing here
decides what to do about a mismatch; it reports it.
"""

from __future__ import annotations

import dataclasses
import json
import secrets
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, select, update

from storage.database import Database, insert_for
from storage.tables import audit_events, installation
from storage.types import utcnow


@dataclasses.dataclass(frozen=True)
class InstallationFacts:
    installation_id: str
    created_at: str
    genesis_hash: str | None


def _read_row(conn: Connection) -> InstallationFacts | None:
    row = conn.execute(select(installation).where(installation.c.id == 1)).first()
    if row is None:
        return None
    return InstallationFacts(row.installation_id, row.created_at.isoformat(), row.genesis_hash)


@dataclasses.dataclass(frozen=True)
class Installation:
    database: Database

    @property
    def sidecar(self) -> Path | None:
        if not self.database.is_sqlite or not self.database.url.database:
            return None
        return Path(self.database.url.database + ".installation")

    async def ensure(self) -> InstallationFacts:
        """The row (created on first open) with the genesis filled in once row 1 exists."""

        def _ensure(conn: Connection) -> InstallationFacts:
            values = {"id": 1, "installation_id": secrets.token_hex(8), "created_at": utcnow()}
            conn.execute(insert_for(self.database, installation).values(values).on_conflict_do_nothing())
            facts = _read_row(conn)
            assert facts is not None
            if facts.genesis_hash is None:
                first = conn.execute(select(audit_events.c.hash).where(audit_events.c.seq == 1)).scalar()
                if first is not None:
                    conn.execute(
                        update(installation).where(installation.c.id == 1).values(genesis_hash=first)
                    )
                    facts = dataclasses.replace(facts, genesis_hash=first)
            return facts

        facts = await self.database.run(_ensure, write=True)
        self._write_sidecar(facts)
        return facts

    def _write_sidecar(self, facts: InstallationFacts) -> None:
        """Create the file beside the database once; fill in the genesis once; never overwrite."""
        path = self.sidecar
        if path is None:
            return
        kept = self._read_sidecar()
        if kept is not None and (kept.get("genesis_hash") or facts.genesis_hash is None):
            return
        if kept is not None and kept.get("installation_id") != facts.installation_id:
            return  # another installation's record: keep it, check() reports the mismatch
        document = dataclasses.asdict(facts)
        tmp = path.with_name(path.name + ".tmp")
        tmp.write_text(json.dumps(document, sort_keys=True) + "\n", encoding="utf-8")
        tmp.replace(path)

    def _read_sidecar(self) -> dict[str, Any] | None:
        path = self.sidecar
        if path is None or not path.exists():
            return None
        try:
            document = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {"installation_id": None, "unreadable": True}
        return document if isinstance(document, dict) else {"installation_id": None, "unreadable": True}

    async def check(self) -> str | None:
        """Why the chain in this database is not the one this installation began; None if it is."""
        facts = await self.ensure()
        kept = self._read_sidecar()
        if kept is not None and kept.get("installation_id") != facts.installation_id:
            return (
                f"this database is not the one this installation began with: {self.sidecar} records "
                f"installation {kept.get('installation_id')} (created {kept.get('created_at')}), the "
                f"database is installation {facts.installation_id} (created {facts.created_at}); the "
                "file was deleted or replaced and everything recorded before is missing from it "
                f"(if that was intended, move {self.sidecar} aside to accept this database)"
            )
        first = await self.database.run(
            lambda conn: conn.execute(select(audit_events.c.hash).where(audit_events.c.seq == 1)).scalar(),
            write=False,
        )
        recorded = [h for h in (facts.genesis_hash, (kept or {}).get("genesis_hash")) if h]
        if recorded and first != recorded[0]:
            return "row 1 is not the genesis of this installation: the chain was replaced from its start"
        return None
