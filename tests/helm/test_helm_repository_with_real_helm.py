"""Real helm against a local chart repository over HTTP: add, update, list, search, show, template."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from aiohttp import web

from tests.helm.conftest import OpsFactory
from tools.base import RunContext, Status
from tools.runner import run_command


@pytest.fixture
async def chart_repository(real_helm: Path, tmp_path: Path) -> AsyncIterator[str]:
    """A real Helm repository (index.yaml + a packaged chart) on 127.0.0.1."""
    served = tmp_path / "served"
    served.mkdir()
    (tmp_path / "src").mkdir()
    helm = [str(real_helm)]
    await run_command(
        [*helm, "create", str(tmp_path / "src" / "shop")], timeout_s=30, config_key="helm.binary"
    )
    await run_command(
        [*helm, "package", str(tmp_path / "src" / "shop"), f"--destination={served}", "--version=2.0.1"],
        timeout_s=30,
        config_key="helm.binary",
    )
    app = web.Application()
    app.router.add_static("/", served)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    url = f"http://127.0.0.1:{port}"
    await run_command(
        [*helm, "repo", "index", str(served), f"--url={url}"], timeout_s=30, config_key="helm.binary"
    )
    yield url
    await runner.cleanup()


async def test_an_allow_listed_repository_can_be_added_searched_and_rendered(
    make_ops: OpsFactory, real_helm: Path, chart_repository: str, ctx: RunContext
) -> None:
    ops = make_ops(binary=str(real_helm), repositories={"local": chart_repository})
    listed = await ops["helm_repo_list"].run(ops["helm_repo_list"].parse_args({}), ctx)
    assert listed.status is Status.NO_DATA

    add = ops["helm_repo_add"]
    args = add.parse_args({"name": "local"})
    assert add.preview is not None
    preview = await add.preview(args, ctx)
    assert preview.text == (
        f"Add Helm repository local ({chart_repository}) and download its index.\n"
        f"Runs: `helm repo add local {chart_repository}`"
    )
    added = await add.run(args, ctx)
    assert added.status is Status.OK, added.text

    update = ops["helm_repo_update"]
    assert (await update.run(update.parse_args({"names": ["local"]}), ctx)).status is Status.OK
    assert update.preview is not None
    refused = await update.preview(update.parse_args({"names": ["other"]}), ctx)
    assert not refused.ok

    listed = await ops["helm_repo_list"].run(ops["helm_repo_list"].parse_args({}), ctx)
    assert listed.table is not None
    assert listed.table.rows == (("local", chart_repository),)

    search = ops["helm_search"]
    found = await search.run(search.parse_args({"keyword": "shop", "versions": True}), ctx)
    assert found.table is not None
    assert found.table.rows[0][:3] == ("local/shop", "2.0.1", "1.16.0")

    show = ops["helm_show"]
    chart = await show.run(show.parse_args({"what": "chart", "chart": "local/shop", "version": "2.0.1"}), ctx)
    assert chart.status is Status.OK, chart.text
    assert chart.data is not None and chart.data["version"] == "2.0.1"

    template = ops["helm_template"]
    rendered = await template.run(template.parse_args({"name": "web", "chart": "local/shop"}), ctx)
    assert rendered.status is Status.OK, rendered.text
    assert rendered.data == {"objects": {"Deployment": 1, "Pod": 1, "Service": 1, "ServiceAccount": 1}}
