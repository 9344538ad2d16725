"""Core fixtures (a pytest plugin): a database on SQLite or PostgreSQL, an app on the demo backend.

`app` is the demo app on a fresh SQLite file; `apps` opens any other (`await apps.open(url, backend,
**config)`, or `apps.keep(await build_app(...))`) and closes each one when the test ends.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from bot.app import App, build_app
from bot.gate.audit import AuditListener
from bot.gate.metrics import Metrics
from bot.settings.config import LoadedConfig, Secrets, parse_settings
from tests.core.demo_ops import Backend, demo_operations
from tools.kubernetes.clusters import ClusterSet

PG_ADMIN_DSN = os.environ.get("CHATOPS_TEST_PG_DSN", "postgresql://postgres@127.0.0.1:5432/test")


async def _create_pg_database() -> str:
    import asyncpg

    name = "chatops_t_" + uuid.uuid4().hex[:10]
    try:
        conn = await asyncpg.connect(PG_ADMIN_DSN, timeout=5)
    except (OSError, asyncpg.PostgresError) as e:
        if os.environ.get("CHATOPS_REQUIRE_POSTGRES") == "1":
            pytest.fail(f"PostgreSQL is required but unreachable at {PG_ADMIN_DSN}: {e}")
        pytest.skip(f"PostgreSQL unreachable at {PG_ADMIN_DSN}: {e}")
    try:
        await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()
    base = PG_ADMIN_DSN.rsplit("/", 1)[0].replace("postgresql://", "postgresql+asyncpg://", 1)
    return f"{base}/{name}"


async def _drop_pg_database(url: str) -> None:
    import asyncpg

    name = url.rsplit("/", 1)[1]
    conn = await asyncpg.connect(PG_ADMIN_DSN, timeout=5)
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await conn.close()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
async def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[str]:
    if request.param == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'chatops.db'}"
        return
    url = await _create_pg_database()
    try:
        yield url
    finally:
        await _drop_pg_database(url)


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite+aiosqlite:///{tmp_path / 'chatops.db'}"


def make_config(url: str, **overrides: object) -> LoadedConfig:
    document: dict[str, object] = {"storage": {"url": url}}
    document.update(overrides)
    return LoadedConfig(settings=parse_settings(document), secrets=Secrets(), source=None)


@pytest.fixture
def backend() -> Backend:
    return Backend()


async def open_app(
    url: str,
    backend: Backend,
    *,
    metrics: Metrics | None = None,
    audit_listeners: tuple[AuditListener, ...] = (),
    **overrides: object,
) -> App:
    """An app on the demo backend; `overrides` are config keys, `metrics` and `audit_listeners`
    what the service would hand over."""
    return await build_app(
        make_config(url, **overrides),
        operations=demo_operations(backend),
        clusters=ClusterSet([]),
        metrics=metrics,
        audit_listeners=audit_listeners,
    )


class Apps:
    """The apps a test opened; each is closed when the test ends, the last opened first.

    A test that must close one earlier (to reopen its database, or to check what closing does)
    calls `await apps.close(app)`.
    """

    def __init__(self) -> None:
        self._open: list[App] = []

    def keep(self, app: App) -> App:
        self._open.append(app)
        return app

    async def open(self, url: str, backend: Backend | None = None, **overrides: Any) -> App:
        return self.keep(await open_app(url, backend if backend is not None else Backend(), **overrides))

    async def close(self, app: App) -> None:
        self._open.remove(app)
        await app.close()

    async def close_all(self) -> None:
        while self._open:
            await self._open.pop().close()


@pytest.fixture
async def apps() -> AsyncIterator[Apps]:
    opened = Apps()
    try:
        yield opened
    finally:
        await opened.close_all()


@pytest.fixture
async def app(apps: Apps, sqlite_url: str, backend: Backend) -> App:
    """The demo app on a fresh SQLite file, with the default configuration."""
    return await apps.open(sqlite_url, backend)


@pytest.fixture
async def postgres_url() -> AsyncIterator[str]:
    """A fresh PostgreSQL database (the multi-replica store)."""
    url = await _create_pg_database()
    try:
        yield url
    finally:
        await _drop_pg_database(url)
