"""`chatops audit`: list / show / export with filters, and verify names the first bad row."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import create_async_engine

from bot.runtime.cli import main
from tests.core.conftest import open_app
from tests.core.demo_ops import Backend
from tests.core.helpers import msg


async def seed(url: str) -> None:
    app = await open_app(url, Backend())
    try:
        await app.router.handle(msg("!demo get"))
        card = (await app.router.handle(msg("!demo scale web --replicas 3", "bob")))[0]
        await app.router.handle(msg(f"!approve {card.approval_id}"))
    finally:
        await app.close()


def write_config(tmp_path: Path, url: str) -> Path:
    path = tmp_path / "c.yaml"
    path.write_text(f"storage: {{url: '{url}'}}\n")
    return path


def run_cli(args: list[str], capsys) -> tuple[int, str]:
    code = main(args)
    return code, capsys.readouterr().out


async def test_verify_list_show_and_export(sqlite_url: str, tmp_path: Path, capsys) -> None:
    await seed(sqlite_url)
    config = str(write_config(tmp_path, sqlite_url))
    code, out = await _run(["--config", config, "audit", "verify"], capsys)
    assert code == 0 and "intact" in out
    code, out = await _run(["--config", config, "audit", "list", "--user", "bob"], capsys)
    assert code == 0 and "approval.requested" in out and "demo_get" not in out
    code, out = await _run(
        ["--config", config, "audit", "export", "--format", "jsonl", "--operation", "demo_scale"], capsys
    )
    rows = [json.loads(line) for line in out.splitlines()]
    events = [r["event"] for r in rows]
    assert {
        "policy.decided",
        "approval.requested",
        "approval.decided",
        "execution.started",
        "execution.finished",
    } <= set(events)
    finished = next(r for r in rows if r["event"] == "execution.finished")
    assert finished["status"] == "ok" and finished["detail"]["duration_ms"] >= 0
    code, out = await _run(
        ["--config", config, "audit", "export", "--format", "csv", "--status", "ok"], capsys
    )
    table = list(csv.DictReader(io.StringIO(out)))
    assert table and all(r["status"] == "ok" for r in table)
    code, out = await _run(["--config", config, "audit", "show", str(rows[0]["seq"])], capsys)
    assert json.loads(out)["hash"] == rows[0]["hash"]


async def test_verify_fails_on_an_edited_row_and_names_it(sqlite_url: str, tmp_path: Path, capsys) -> None:
    await seed(sqlite_url)
    engine = create_async_engine(sqlite_url)
    async with engine.begin() as conn:
        await conn.execute(sa.text("UPDATE audit_events SET user_id = 'mallory' WHERE seq = 5"))
    await engine.dispose()
    code, out = await _run(["--config", str(write_config(tmp_path, sqlite_url)), "audit", "verify"], capsys)
    assert code == 1 and "row 5" in out


async def test_verify_fails_on_a_deleted_row(sqlite_url: str, tmp_path: Path, capsys) -> None:
    await seed(sqlite_url)
    engine = create_async_engine(sqlite_url)
    async with engine.begin() as conn:
        await conn.execute(sa.text("DELETE FROM audit_events WHERE seq = 3"))
    await engine.dispose()
    code, out = await _run(["--config", str(write_config(tmp_path, sqlite_url)), "audit", "verify"], capsys)
    assert code == 1 and "BROKEN" in out


async def _run(args: list[str], capsys) -> tuple[int, str]:
    import asyncio

    # main() owns its event loop (asyncio.run), so it runs in a worker thread here.
    code = await asyncio.to_thread(main, args)
    return code, capsys.readouterr().out
