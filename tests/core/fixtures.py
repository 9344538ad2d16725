"""Core fixtures (a pytest plugin): a database on SQLite or PostgreSQL, an app on the demo backend."""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

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


@pytest.fixture
async def postgres_url() -> AsyncIterator[str]:
    """A fresh PostgreSQL database (the multi-replica store)."""
    url = await _create_pg_database()
    try:
        yield url
    finally:
        await _drop_pg_database(url)
