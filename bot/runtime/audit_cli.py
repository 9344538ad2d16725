"""`chatops audit list|show|export|verify`: read the audit trail from the command line.

Reads only; the executor is the only writer.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import io
import json
import sys
from pathlib import Path
from typing import TextIO

from bot.gate.audit_words import stored_status
from bot.settings.config import LoadedConfig
from storage.records import AuditFilter, AuditRecord
from storage.store import Store

COLUMNS = (
    "seq",
    "ts",
    "event",
    "request_id",
    "platform",
    "user_id",
    "channel",
    "operation",
    "approval_id",
    "status",
    "detail",
    "prev_hash",
    "hash",
)


def filters_from(args: argparse.Namespace) -> AuditFilter:
    return AuditFilter(
        user_id=args.user,
        channel=args.channel,
        since=args.since,
        until=args.until,
        status=stored_status(args.status) if args.status else None,
        operation=args.operation,
        event=args.event,
        limit=args.limit,
    )


def as_dict(row: AuditRecord) -> dict[str, object]:
    return {name: getattr(row, name) if name != "detail" else dict(row.detail) for name in COLUMNS}


def write_rows(rows: list[AuditRecord], fmt: str, out: TextIO) -> None:
    if fmt == "jsonl":
        for row in rows:
            out.write(json.dumps(as_dict(row), ensure_ascii=False, sort_keys=True) + "\n")
        return
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    for row in rows:
        values = as_dict(row)
        values["detail"] = json.dumps(values["detail"], ensure_ascii=False, sort_keys=True)
        writer.writerow([values[c] if values[c] is not None else "" for c in COLUMNS])


def print_table(rows: list[AuditRecord], out: TextIO) -> None:
    print(
        f"{'SEQ':>7}  {'TIME':<23}  {'EVENT':<22} {'USER':<14} {'OPERATION':<28} {'STATUS':<12} APPROVAL",
        file=out,
    )
    for row in rows:
        print(
            f"{row.seq:>7}  {row.ts[:23]}  {row.event:<22} {row.user_id or '-':<14} "
            f"{row.operation or '-':<28} {row.status or '-':<12} {row.approval_id or ''}",
            file=out,
        )


async def run_audit_command(loaded: LoadedConfig, args: argparse.Namespace, out: TextIO | None = None) -> int:
    out = out or sys.stdout
    key = loaded.secrets.audit_key.encode() if loaded.secrets.audit_key else None
    store = await Store.open(loaded.database_url, audit_key=key)
    try:
        if args.audit_command == "verify":
            report = await store.verify_audit()
            if report.ok:
                print(f"audit trail intact: {report.rows_checked} row(s) verified", file=out)
                return 0
            print(f"audit trail BROKEN at row {report.first_bad_seq}: {report.problem}", file=out)
            return 1
        if args.audit_command == "show":
            row = await store.get_audit(args.seq)
            if row is None:
                print(f"no audit row {args.seq}", file=sys.stderr)
                return 1
            print(json.dumps(as_dict(row), indent=2, ensure_ascii=False, sort_keys=True), file=out)
            return 0
        try:
            filters = filters_from(args)
        except ValueError as e:
            print(f"chatops: {e}", file=sys.stderr)
            return 2
        rows = await store.list_audit(filters)
        if args.audit_command == "list":
            print_table(rows, out)
            return 0
        if args.output:
            buffer = io.StringIO()
            write_rows(rows, args.format, buffer)
            await asyncio.to_thread(Path(args.output).write_text, buffer.getvalue(), encoding="utf-8")
            print(f"wrote {len(rows)} row(s) to {args.output}", file=sys.stderr)
        else:
            write_rows(rows, args.format, out)
        return 0
    finally:
        await store.close()
