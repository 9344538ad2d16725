"""Where the embedded SQLite database lives when nobody says: one file a person can find.

Order: `--db` (a URL or a file path), then `CHATOPS_DATABASE_URL`, then `storage.url` in the
config; with none of them, a `chatops.db` in the current folder (from an earlier start, when
that was the default) is used and named, else the user's data directory (platformdirs, e.g.
~/.local/share/chatops/chatops.db). The chart sets XDG_DATA_HOME to its volume, so a pod keeps
its database there. Pure path work: opens nothing.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import platformdirs

from bot.settings.config import DEFAULT_DATABASE_URL, LoadedConfig

LOCAL_FILE = "chatops.db"


def data_dir_database() -> Path:
    return platformdirs.user_data_path("chatops") / LOCAL_FILE


def to_url(db: str) -> str:
    """`--db` takes a URL or a path to a SQLite file."""
    if "://" in db:
        return db
    return f"sqlite+aiosqlite:///{Path(db).expanduser().resolve()}"


def with_database(loaded: LoadedConfig, *, db: str | None, cwd: Path) -> tuple[LoadedConfig, str | None]:
    """The config with its database decided, and a line to show when an old local file was picked."""
    if db:
        url = to_url(db)
    elif loaded.secrets.database_url or loaded.settings.storage.url != DEFAULT_DATABASE_URL:
        return loaded, None
    else:
        here = cwd / LOCAL_FILE
        if here.exists():
            url = to_url(str(here))
            note = f"using {here.resolve()} (a database from an earlier start in this folder); --db or storage.url moves it"
            return _replace(loaded, url), note
        home = data_dir_database()
        home.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        url = to_url(str(home))
    return _replace(loaded, url), None


def _replace(loaded: LoadedConfig, url: str) -> LoadedConfig:
    settings = loaded.settings.model_copy(
        update={"storage": loaded.settings.storage.model_copy(update={"url": url})}
    )
    secrets = loaded.secrets
    if secrets.database_url:  # --db wins over the environment too
        secrets = dataclasses.replace(secrets, database_url=url)
    return dataclasses.replace(loaded, settings=settings, secrets=secrets)


def describe(url: str) -> str:
    """`/home/me/.local/share/chatops/chatops.db` for SQLite; the URL without credentials otherwise."""
    if url.startswith("sqlite"):
        return url.split(":///", 1)[-1]
    scheme, _, rest = url.partition("://")
    return f"{scheme}://{rest.rsplit('@', 1)[-1]}"
