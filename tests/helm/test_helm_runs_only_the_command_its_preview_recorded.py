"""The command ledger for helm: a run executes only the exact command (argv and values) its preview recorded."""

from __future__ import annotations

import dataclasses

from tests.fakes.bin.fakecli import FakeCli
from tests.helm.conftest import OpsFactory
from tests.helm.test_helm_releases_against_fake_helm import CURRENT, DEV, manifest, release
from tools.base import RunContext, Status
from tools.ledger import command_digest, enforcing, recording

AFTER = release(
    version=4,
    chart_version="1.2.4",
    config={"replicas": 2},
    manifest_text=manifest(("Deployment", "web"), replicas=2),
)


def _expect_upgrade(fake_helm: FakeCli) -> None:
    fake_helm.expect(["status", "web", "--output=json", *DEV], stdout=CURRENT)
    fake_helm.expect(
        ["upgrade", "web", "bitnami/nginx", "--values=-", "--dry-run=server", "--output=json", *DEV],
        stdout=AFTER,
    )
    fake_helm.expect(
        ["upgrade", "web", "bitnami/nginx", "--values=-", "--version=1.2.4", "--output=json", *DEV],
        stdout=AFTER,
    )


def test_a_command_digest_ignores_dry_run_flags_but_not_arguments_or_values() -> None:
    argv = ["helm", "upgrade", "web", "bitnami/nginx", "--values=-"]
    assert command_digest([*argv, "--dry-run=server"], b"a: 1") == command_digest(argv, b"a: 1")
    assert command_digest([*argv, "--dry-run"], b"a: 1") == command_digest(argv, b"a: 1")
    assert command_digest(argv, b"a: 1") != command_digest(argv, b"a: 2")
    assert command_digest(argv, None) != command_digest(argv, b"")
    assert command_digest(argv) != command_digest([*argv, "--version=1.2.4"])


async def test_the_upgrade_runs_with_the_values_and_version_the_card_showed(
    make_ops: OpsFactory, fake_helm: FakeCli, ctx: RunContext
) -> None:
    _expect_upgrade(fake_helm)
    op = make_ops()["helm_upgrade"]
    args = op.parse_args({"name": "web", "chart": "bitnami/nginx", "values": "replicas: 2\n"})
    assert op.preview is not None
    with recording() as ledger:
        preview = await op.preview(args, ctx)
    assert preview.ok, preview.text
    assert "Runs: `helm upgrade web bitnami/nginx --values=- --version=1.2.4 --output=json" in preview.text
    assert len(ledger.seen) == 1
    with enforcing(ledger.seen) as enforced:
        result = await op.run(args, dataclasses.replace(ctx, binding=dict(preview.binding)))
    assert result.status is Status.OK, result.text
    assert enforced.seen == ledger.seen
    upgrades = [
        c for c in fake_helm.calls() if c["argv"][0] == "upgrade" and "--dry-run=server" not in c["argv"]
    ]
    assert len(upgrades) == 1


async def test_other_values_than_the_approved_ones_are_never_passed(
    make_ops: OpsFactory, fake_helm: FakeCli, ctx: RunContext
) -> None:
    _expect_upgrade(fake_helm)
    op = make_ops()["helm_upgrade"]
    shown = op.parse_args({"name": "web", "chart": "bitnami/nginx", "values": "replicas: 2\n"})
    assert op.preview is not None
    with recording() as ledger:
        preview = await op.preview(shown, ctx)
    other = op.parse_args({"name": "web", "chart": "bitnami/nginx", "values": "replicas: 0\n"})
    with enforcing(ledger.seen):
        result = await op.run(other, dataclasses.replace(ctx, binding=dict(preview.binding)))
    assert result.status is Status.ERROR
    assert "is not the command the approved card showed; it was not run" in result.text
    ran = [c["argv"] for c in fake_helm.calls() if "--dry-run=server" not in c["argv"]]
    assert ran and all(argv[0] == "status" for argv in ran)
