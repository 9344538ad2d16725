"""Approval rows and their state machine, moved only by compare-and-set.

Every change is ONE conditional `UPDATE … WHERE id AND state [AND version]`
that bumps `version`; the row count says who won, so an approval runs once
however many people click at once, across processes and replicas. Final
states never change again. This module decides nothing about policy: who
may approve, how many approvers are needed and when to run are the core's.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import secrets
from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import Connection, Row, and_, insert, select, update
from sqlalchemy.sql import ColumnElement

from storage.database import Database
from storage.errors import InvalidStorageInput, StorageConflict, StorageError
from storage.faults import crash_point
from storage.records import ApprovalRecord, ApprovalState, Approver, NewApproval
from storage.tables import approvals as t
from storage.types import canonical_json, to_utc, utcnow

# Built once, values given as parameters: `.values(...)` per row cost a statement and its cache key each time.
_INSERT = insert(t)

# Lowercase letters and digits without the look-alikes 0/o, 1/l/i.
ID_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
ID_LENGTH = 8
_ID_ATTEMPTS = 5

TRANSITION_FIELDS = frozenset(
    {
        "decided_by",
        "decided_at",
        "reason",
        "executor",
        "started_at",
        "finished_at",
        "result_status",
        "result_text",
        "undo",
        "prior_state",
    }
)
_DATETIME_FIELDS = frozenset({"decided_at", "started_at", "finished_at"})


def new_approval_id() -> str:
    return "".join(secrets.choice(ID_ALPHABET) for _ in range(ID_LENGTH))


def _approver_to_json(approver: Approver) -> dict[str, str]:
    return {
        "platform": approver.platform,
        "user_id": approver.user_id,
        "name": approver.name,
        "at": to_utc(approver.at).isoformat(timespec="microseconds"),
    }


def _approver_from_json(data: Mapping[str, str]) -> Approver:
    return Approver(
        platform=data["platform"],
        user_id=data["user_id"],
        name=data["name"],
        at=dt.datetime.fromisoformat(data["at"]),
    )


def to_record(row: Row[Any]) -> ApprovalRecord:
    m = row._mapping
    fields = {f.name: m[f.name] for f in dataclasses.fields(ApprovalRecord)}
    fields["state"] = ApprovalState(m["state"])
    fields["approvers"] = tuple(_approver_from_json(a) for a in m["approvers"])
    fields["requester_groups"] = tuple(m["requester_groups"] or ())
    return ApprovalRecord(**fields)


@dataclasses.dataclass(frozen=True)
class PreparedApproval:
    """A new pending approval with a fresh id: its record as it will read back, and its insert.

    The insert runs in a transaction of the caller's choosing (its own, or the
    audit transaction that records `approval.requested`), so the row and the
    fact of it commit together.
    """

    record: ApprovalRecord
    values: Mapping[str, Any]

    def write(self, conn: Connection) -> None:
        conn.execute(_INSERT, dict(self.values))


def prepare_approval(new: NewApproval) -> PreparedApproval:
    values: dict[str, Any] = {f.name: getattr(new, f.name) for f in dataclasses.fields(NewApproval)}
    # Through JSON, as the JSON columns hand them back.
    values["args"] = json.loads(canonical_json(dict(new.args)))
    values["binding"] = json.loads(canonical_json(dict(new.binding)))
    values["requester_groups"] = list(new.requester_groups)
    values["expires_at"] = to_utc(new.expires_at)
    values.update(
        id=new_approval_id(), state=ApprovalState.PENDING.value, version=1, approvers=[], created_at=utcnow()
    )
    record = ApprovalRecord(
        **{
            **{f.name: None for f in dataclasses.fields(ApprovalRecord)},
            **values,
            "state": ApprovalState.PENDING,
            "approvers": (),
            "requester_groups": tuple(new.requester_groups),
        }
    )
    return PreparedApproval(record, values)


def _check_fields(fields: Mapping[str, object]) -> dict[str, object]:
    unknown = set(fields) - TRANSITION_FIELDS
    if unknown:
        raise InvalidStorageInput(
            f"transition() cannot set {', '.join(sorted(unknown))}; "
            f"settable fields are {', '.join(sorted(TRANSITION_FIELDS))}"
        )
    checked = dict(fields)
    for name in _DATETIME_FIELDS & checked.keys():
        value = checked[name]
        if value is not None:
            if not isinstance(value, dt.datetime):
                raise InvalidStorageInput(f"{name} must be a datetime, not {type(value).__name__}")
            checked[name] = to_utc(value)
    return checked


@dataclasses.dataclass(frozen=True)
class Approvals:
    database: Database

    async def create(self, new: NewApproval) -> ApprovalRecord:
        for _ in range(_ID_ATTEMPTS):
            prepared = prepare_approval(new)
            try:
                await self.database.run(prepared.write, write=True)
            except StorageConflict:
                continue  # an id collision: 31^8 ids make this rare; draw again
            return prepared.record
        raise StorageError(f"could not find a free approval id after {_ID_ATTEMPTS} attempts")

    async def get(self, approval_id: str) -> ApprovalRecord | None:
        def _get(conn: Connection) -> ApprovalRecord | None:
            row = conn.execute(select(t).where(t.c.id == approval_id)).first()
            return None if row is None else to_record(row)

        return await self.database.run(_get, write=False)

    async def add_approver(
        self, *, approval_id: str, expected_version: int, approver: Approver
    ) -> ApprovalRecord | None:
        """Append an approver if the row is still pending at `expected_version`.

        Returns the new record, or None when the row moved on (someone else
        won). A person already on the list is not added twice: the current
        record comes back unchanged.
        """
        current = await self.get(approval_id)
        if current is None or current.version != expected_version:
            return None
        if current.state is not ApprovalState.PENDING:
            return None
        if any(a.platform == approver.platform and a.user_id == approver.user_id for a in current.approvers):
            return current
        approvers = [_approver_to_json(a) for a in (*current.approvers, approver)]
        # The version check makes the list read above the one this UPDATE replaces.
        return await self._compare_and_set(
            approval_id=approval_id,
            conditions=[t.c.state == ApprovalState.PENDING.value, t.c.version == expected_version],
            values={"approvers": approvers},
            label="approval.approver_added",
        )

    async def transition(
        self,
        *,
        approval_id: str,
        from_state: ApprovalState,
        to_state: ApprovalState,
        expected_version: int | None = None,
        **fields: object,
    ) -> ApprovalRecord | None:
        if from_state.is_final:
            raise InvalidStorageInput(
                f"approval {approval_id} cannot leave the final state {from_state.value}"
            )
        if from_state is to_state:
            raise InvalidStorageInput(f"a transition must change the state (both are {to_state.value})")
        values = _check_fields(fields)
        values["state"] = to_state.value
        conditions: list[ColumnElement[bool]] = [t.c.state == from_state.value]
        if expected_version is not None:
            conditions.append(t.c.version == expected_version)
        return await self._compare_and_set(
            approval_id=approval_id, conditions=conditions, values=values, label=f"approval.{to_state.value}"
        )

    async def list_approvals(
        self,
        *,
        states: Sequence[ApprovalState] | None = None,
        requester_id: str | None = None,
        channel: str | None = None,
        limit: int = 50,
    ) -> list[ApprovalRecord]:
        query = select(t).order_by(t.c.created_at.desc(), t.c.id).limit(max(1, min(limit, 1000)))
        if states is not None:
            query = query.where(t.c.state.in_([s.value for s in states]))
        if requester_id is not None:
            query = query.where(t.c.requester_id == requester_id)
        if channel is not None:
            query = query.where(t.c.channel == channel)
        return await self.database.run(lambda conn: [to_record(r) for r in conn.execute(query)], write=False)

    async def expire_due(self, now: dt.datetime) -> list[ApprovalRecord]:
        """Move pending rows whose expires_at has passed to expired, each by its own CAS."""
        now = to_utc(now)
        due = (t.c.state == ApprovalState.PENDING.value, t.c.expires_at <= now)
        query = select(t.c.id).where(*due).order_by(t.c.expires_at)
        ids = await self.database.run(lambda conn: list(conn.scalars(query)), write=False)
        expired = []
        for approval_id in ids:
            record = await self._compare_and_set(
                approval_id=approval_id,
                conditions=list(due),
                values={"state": ApprovalState.EXPIRED.value, "decided_at": now, "reason": "expired"},
            )
            if record is not None:
                expired.append(record)
        return expired

    async def executing(self) -> list[ApprovalRecord]:
        query = select(t).where(t.c.state == ApprovalState.EXECUTING.value).order_by(t.c.started_at)
        return await self.database.run(lambda conn: [to_record(r) for r in conn.execute(query)], write=False)

    async def in_flight(self) -> list[ApprovalRecord]:
        """Rows approved but not finished (`approved` or `executing`): what a dead process may strand."""
        states = (ApprovalState.APPROVED.value, ApprovalState.EXECUTING.value)
        query = select(t).where(t.c.state.in_(states)).order_by(t.c.decided_at, t.c.id)
        return await self.database.run(lambda conn: [to_record(r) for r in conn.execute(query)], write=False)

    async def succeeded_since(
        self, *, operation: str, since: dt.datetime, limit: int = 200
    ) -> list[ApprovalRecord]:
        """Rows of `operation` that finished with success at or after `since`, oldest first."""
        query = (
            select(t)
            .where(
                t.c.operation == operation,
                t.c.state == ApprovalState.SUCCEEDED.value,
                t.c.finished_at >= to_utc(since),
            )
            .order_by(t.c.finished_at, t.c.id)
            .limit(max(1, min(limit, 1000)))
        )
        return await self.database.run(lambda conn: [to_record(r) for r in conn.execute(query)], write=False)

    async def _compare_and_set(
        self,
        *,
        approval_id: str,
        conditions: Sequence[ColumnElement[bool]],
        values: Mapping[str, object],
        label: str = "approval.update",
    ) -> ApprovalRecord | None:
        statement = (
            update(t)
            .where(and_(t.c.id == approval_id, *conditions))
            .values({**values, "version": t.c.version + 1})
            .returning(*t.c)
        )
        rows = await self.database.run(lambda conn: list(conn.execute(statement).all()), write=True)
        if rows:
            crash_point(label)
        if len(rows) > 1:  # impossible with a primary key; refuse rather than guess
            raise StorageError(f"approval {approval_id} matched {len(rows)} rows")
        return to_record(rows[0]) if rows else None
