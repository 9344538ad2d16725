"""The embedded database: the user's data directory by default, an older ./chatops.db found and
named, `--db` / CHATOPS_DATABASE_URL / storage.url overriding; `chatops check` prints the path."""

from __future__ import annotations

import io
import os
from pathlib import Path

import pytest

from bot.runtime.check import run_check
from bot.settings.config import load_config
from bot.settings.database_home import with_database


@pytest.fixture(autouse=True)
def data_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.delenv("CHATOPS_DATABASE_URL", raising=False)
    monkeypatch.delenv("CHATOPS_CONFIG", raising=False)
    return tmp_path / "data"


def test_default_is_the_data_directory_from_any_folder(tmp_path: Path, data_home: Path) -> None:
    for folder in (tmp_path / "a", tmp_path / "b"):
        folder.mkdir()
        loaded, note = with_database(load_config(None, env={}), db=None, cwd=folder)
        assert loaded.database_url == f"sqlite+aiosqlite:///{data_home / 'chatops' / 'chatops.db'}"
        assert note is None


def test_an_older_local_file_is_used_and_named(tmp_path: Path) -> None:
    (tmp_path / "chatops.db").write_bytes(b"")
    loaded, note = with_database(load_config(None, env={}), db=None, cwd=tmp_path)
    assert loaded.database_url == f"sqlite+aiosqlite:///{tmp_path / 'chatops.db'}"
    assert note is not None and str(tmp_path / "chatops.db") in note and "--db" in note


def test_db_flag_environment_and_config_win(tmp_path: Path) -> None:
    loaded, _ = with_database(load_config(None, env={}), db=str(tmp_path / "x.db"), cwd=tmp_path)
    assert loaded.database_url == f"sqlite+aiosqlite:///{tmp_path / 'x.db'}"
    env = {"CHATOPS_DATABASE_URL": "postgresql+asyncpg://u@h/db"}
    loaded, _ = with_database(load_config(None, env=env), db=None, cwd=tmp_path)
    assert loaded.database_url == "postgresql+asyncpg://u@h/db"
    loaded, _ = with_database(load_config(None, env=env), db="sqlite:///y.db", cwd=tmp_path)
    assert loaded.database_url == "sqlite:///y.db"
    config = tmp_path / "c.yaml"
    config.write_text(f"storage: {{url: 'sqlite+aiosqlite:///{tmp_path / 'z.db'}'}}\n")
    loaded, _ = with_database(load_config(config, env={}), db=None, cwd=tmp_path)
    assert loaded.database_url.endswith("z.db")


async def test_check_prints_the_database_path(tmp_path: Path, data_home: Path) -> None:
    loaded, _ = with_database(load_config(None, env=dict(os.environ)), db=None, cwd=tmp_path)
    out = io.StringIO()
    await run_check(loaded, out)
    assert (
        f"database: ok — reachable (sqlite+aiosqlite) at {data_home / 'chatops' / 'chatops.db'}"
        in out.getvalue()
    )
