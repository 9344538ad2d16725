"""The real helm binary, no cluster: create, lint, template, show, package, install --dry-run=client."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from tests.helm.conftest import OpsFactory
from tools.base import Operation, RunContext, Status

SECRET = "s3cr3t-Passw0rd-xyz"


async def _create(ops: dict[str, Operation], ctx: RunContext, name: str = "shop") -> None:
    create = ops["helm_create"]
    assert create.preview is not None
    args = create.parse_args({"name": name})
    preview = await create.preview(args, ctx)
    assert preview.ok, preview.text
    result = await create.run(args, ctx)
    assert result.status is Status.OK, result.text


async def test_create_then_lint_passes(
    make_ops: OpsFactory, real_helm: Path, chart_dir: Path, ctx: RunContext
) -> None:
    ops = make_ops(binary=str(real_helm))
    await _create(ops, ctx)
    assert (chart_dir / "shop" / "Chart.yaml").is_file()
    lint = await ops["helm_lint"].run(ops["helm_lint"].parse_args({"chart": "shop"}), ctx)
    assert lint.status is Status.OK
    assert lint.text.startswith("Lint of shop passed")
    assert str(chart_dir) not in lint.text


async def test_creating_a_chart_that_exists_is_refused_in_the_preview(
    make_ops: OpsFactory, real_helm: Path, ctx: RunContext
) -> None:
    ops = make_ops(binary=str(real_helm))
    await _create(ops, ctx)
    assert ops["helm_create"].preview is not None
    again = await ops["helm_create"].preview(ops["helm_create"].parse_args({"name": "shop"}), ctx)
    assert not again.ok
    assert "already exists" in again.text


async def test_lint_of_a_broken_chart_fails_with_its_findings(
    make_ops: OpsFactory, real_helm: Path, chart_dir: Path, ctx: RunContext
) -> None:
    ops = make_ops(binary=str(real_helm))
    await _create(ops, ctx)
    (chart_dir / "shop" / "Chart.yaml").write_text("apiVersion: v2\nname: shop\n")
    lint = await ops["helm_lint"].run(ops["helm_lint"].parse_args({"chart": "shop"}), ctx)
    assert lint.status is Status.ERROR
    assert "[ERROR]" in lint.text
    assert "version" in lint.text.lower()


async def test_template_lists_objects_by_kind_with_values_and_set(
    make_ops: OpsFactory, real_helm: Path, ctx: RunContext
) -> None:
    ops = make_ops(binary=str(real_helm))
    await _create(ops, ctx)
    template = ops["helm_template"]
    args = template.parse_args(
        {
            "name": "web",
            "chart": "shop",
            # A typed secret is refused (tests/core/test_typed_secrets_are_refused.py); a reference is not.
            "values": "serviceAccount:\n  create: false\ndb:\n  existingSecret: shop-db\n",
            "set": {"autoscaling.enabled": "true"},
        }
    )
    result = await template.run(args, ctx)
    assert result.status is Status.OK, result.text
    assert result.data is not None
    # serviceAccount.create=false drops the ServiceAccount; autoscaling adds the HPA.
    assert result.data["objects"] == {"Deployment": 1, "HorizontalPodAutoscaler": 1, "Pod": 1, "Service": 1}
    assert "Deployment (web-shop)" in result.text
    assert SECRET not in result.text


async def test_show_values_masks_secret_looking_keys(
    make_ops: OpsFactory, real_helm: Path, chart_dir: Path, ctx: RunContext
) -> None:
    ops = make_ops(binary=str(real_helm))
    await _create(ops, ctx)
    values = chart_dir / "shop" / "values.yaml"
    values.write_text(values.read_text() + f"\ndatabase:\n  adminPassword: {SECRET}\n  username: admin\n")
    show = ops["helm_show"]
    result = await show.run(show.parse_args({"what": "values", "chart": "shop"}), ctx)
    assert result.status is Status.OK
    assert result.code is not None
    assert SECRET not in result.code
    assert "adminPassword: '[REDACTED]'" in result.code
    assert "username: admin" in result.code
    chart = await show.run(show.parse_args({"what": "chart", "chart": "shop"}), ctx)
    assert chart.data == {
        "name": "shop",
        "version": "0.1.0",
        "appVersion": "1.16.0",
        "description": "A Helm chart for Kubernetes",
        "type": "application",
    }


async def test_package_writes_the_archive_into_the_chart_directory(
    make_ops: OpsFactory, real_helm: Path, chart_dir: Path, ctx: RunContext
) -> None:
    ops = make_ops(binary=str(real_helm))
    await _create(ops, ctx)
    package = ops["helm_package"]
    args = package.parse_args({"chart": "shop", "version": "1.2.3"})
    assert package.preview is not None
    preview = await package.preview(args, ctx)
    assert preview.text == (
        f"Package chart shop 1.2.3 into {chart_dir}.\n"
        f"Runs: `helm package {chart_dir / 'shop'} --destination={chart_dir} --version=1.2.3`"
    )
    result = await package.run(args, ctx)
    assert result.status is Status.OK, result.text
    assert (chart_dir / "shop-1.2.3.tgz").is_file()
    assert result.data == {"path": str(chart_dir / "shop-1.2.3.tgz")}


async def test_install_dry_run_client_renders_without_a_cluster_and_hides_values(
    make_ops: OpsFactory, real_helm: Path, ctx: RunContext
) -> None:
    ops = make_ops(binary=str(real_helm))
    await _create(ops, ctx)
    install = ops["helm_install"]
    args = install.parse_args(
        {"name": "web", "chart": "shop", "namespace": "shop", "values": "db:\n  existingSecret: shop-db\n"}
    )
    result = await install.run(args, dataclasses.replace(ctx, dry_run=True))
    assert result.status is Status.OK, result.text
    assert result.text.startswith("Dry run (client): would install web in shop: pending-install, revision 1")
    assert result.data is not None
    # The chart's test Pod is a hook, not part of the release manifest.
    assert result.data["objects"] == {"Deployment": 1, "Service": 1, "ServiceAccount": 1}
    assert result.undo is None
    assert SECRET not in repr(result)
