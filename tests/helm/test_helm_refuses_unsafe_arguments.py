"""What the Helm tools refuse before helm ever runs: flags, plugins, foreign repos, paths, smuggled --set."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from pydantic import ValidationError

from tests.fakes.bin.fakecli import FakeCli
from tests.helm.conftest import OpsFactory
from tools.base import RunContext, Status
from tools.helm.args import InstallArgs


@pytest.mark.parametrize(
    "field", ["post_renderer", "post_renderer_args", "plugin", "plugins", "repo", "set_file"]
)
async def test_unknown_fields_such_as_post_renderer_and_plugins_are_refused(
    make_ops: OpsFactory, field: str
) -> None:
    install = make_ops()["helm_install"]
    with pytest.raises(ValidationError, match="Extra inputs are not permitted"):
        install.parse_args({"name": "web", "chart": "bitnami/nginx", field: "/usr/bin/evil"})


@pytest.mark.parametrize(
    ("pairs", "reason"),
    [
        ({"--post-renderer": "/tmp/x"}, "is not allowed"),
        ({"image.tag": "1 --post-renderer=/tmp/x"}, "looks like a command-line flag"),
        ({"image.tag": "--kubeconfig=/root/.kube/config"}, "looks like a command-line flag"),
        ({"image.tag": "1,rbac.create=true"}, "would set another key"),
        ({"image.tag": "1\n--dry-run"}, "one line"),
        ({"a b": "c"}, "is not allowed"),
    ],
)
async def test_set_values_that_smuggle_flags_or_keys_are_refused(
    make_ops: OpsFactory, pairs: dict[str, str], reason: str
) -> None:
    install = make_ops()["helm_install"]
    with pytest.raises(ValidationError, match=reason):
        install.parse_args({"name": "web", "chart": "bitnami/nginx", "set": pairs})


async def test_set_values_with_lists_and_escaped_commas_are_accepted(make_ops: OpsFactory) -> None:
    install = make_ops()["helm_install"]
    args = install.parse_args(
        {"name": "web", "chart": "bitnami/nginx", "set": {"servers": "{a,b}", "note": "x\\,y", "tag": "-1"}}
    )
    assert isinstance(args, InstallArgs)
    assert args.set == {"servers": "{a,b}", "note": "x\\,y", "tag": "-1"}


@pytest.mark.parametrize(
    ("chart", "reason"),
    [
        ("--post-renderer=/bin/sh", "looks like a flag"),
        ("https://evil.example/chart.tgz", "no URLs or plugin schemes"),
        ("s3://bucket/chart", "no URLs or plugin schemes"),
        ("git+https://github.com/x/y", "no URLs or plugin schemes"),
        ("bitnami/nginx; rm -rf /", "not a valid chart reference"),
    ],
)
async def test_chart_references_that_are_flags_urls_or_shell_are_refused(
    make_ops: OpsFactory, chart: str, reason: str
) -> None:
    with pytest.raises(ValidationError, match=reason):
        make_ops()["helm_install"].parse_args({"name": "web", "chart": chart})


async def test_repositories_not_on_the_allow_list_are_refused_in_the_preview(
    make_ops: OpsFactory, fake_helm: FakeCli, ctx: RunContext
) -> None:
    install = make_ops()["helm_install"]
    assert install.preview is not None
    preview = await install.preview(install.parse_args({"name": "web", "chart": "evilrepo/nginx"}), ctx)
    assert not preview.ok
    assert "repository 'evilrepo' is not on the allow-list (allowed: acme, bitnami)" in preview.text
    assert "helm.repositories" in preview.text
    oci = await install.preview(install.parse_args({"name": "web", "chart": "oci://ghcr.io/evil/chart"}), ctx)
    assert not oci.ok
    assert "'oci://ghcr.io' is not on the allow-list" in oci.text
    assert fake_helm.calls() == []


async def test_an_allow_listed_oci_registry_is_accepted(
    make_ops: OpsFactory, fake_helm: FakeCli, ctx: RunContext
) -> None:
    template = make_ops()["helm_template"]
    fake_helm.expect(["template", "web", "oci://registry.acme.io/charts/app"], stdout="")
    result = await template.run(
        template.parse_args({"name": "web", "chart": "oci://registry.acme.io/charts/app"}), ctx
    )
    assert result.status is Status.OK, result.text
    assert fake_helm.argvs() == [["template", "web", "oci://registry.acme.io/charts/app"]]


@pytest.mark.parametrize("chart", ["../outside", "/etc", "./../charts-other/app", "sub/../../outside"])
async def test_local_chart_paths_outside_the_chart_directory_are_refused(
    make_ops: OpsFactory, fake_helm: FakeCli, chart_dir: Path, ctx: RunContext, chart: str
) -> None:
    (chart_dir.parent / "outside").mkdir(exist_ok=True)
    template = make_ops()["helm_template"]
    result = await template.run(template.parse_args({"name": "web", "chart": chart}), ctx)
    assert result.status is Status.ERROR
    assert "is outside" in result.text
    assert "helm.chart_dir" in result.text
    assert fake_helm.calls() == []


async def test_a_symlink_in_the_chart_directory_pointing_outside_is_refused(
    make_ops: OpsFactory, fake_helm: FakeCli, chart_dir: Path, tmp_path: Path, ctx: RunContext
) -> None:
    secret_dir = tmp_path / "elsewhere"
    secret_dir.mkdir()
    os.symlink(secret_dir, chart_dir / "innocent")
    install = make_ops()["helm_install"]
    assert install.preview is not None
    preview = await install.preview(install.parse_args({"name": "web", "chart": "innocent"}), ctx)
    assert not preview.ok
    assert "is outside" in preview.text
    assert fake_helm.calls() == []


async def test_repo_add_accepts_only_allow_listed_names_with_their_configured_url(
    make_ops: OpsFactory, fake_helm: FakeCli, ctx: RunContext
) -> None:
    add = make_ops()["helm_repo_add"]
    assert add.preview is not None
    unknown = await add.preview(add.parse_args({"name": "evil", "url": "https://evil.example"}), ctx)
    assert not unknown.ok
    assert "not on the allow-list" in unknown.text
    other_url = await add.preview(add.parse_args({"name": "bitnami", "url": "https://evil.example"}), ctx)
    assert not other_url.ok
    assert "only with its configured URL https://charts.bitnami.com/bitnami" in other_url.text
    oci = await add.preview(add.parse_args({"name": "acme"}), ctx)
    assert not oci.ok
    assert "OCI registry" in oci.text
    refused_run = await add.run(add.parse_args({"name": "evil"}), ctx)
    assert refused_run.status is Status.ERROR
    assert fake_helm.calls() == []


async def test_values_block_must_be_a_yaml_mapping(make_ops: OpsFactory) -> None:
    install = make_ops()["helm_install"]
    with pytest.raises(ValidationError, match="must be a YAML mapping"):
        install.parse_args({"name": "web", "chart": "bitnami/nginx", "values": "- a\n- b\n"})
    with pytest.raises(ValidationError, match="not valid YAML at line 2"):
        install.parse_args({"name": "web", "chart": "bitnami/nginx", "values": "a: 1\n b: : 2\n"})


async def test_release_names_follow_helms_rules(make_ops: OpsFactory) -> None:
    status = make_ops()["helm_status"]
    with pytest.raises(ValidationError, match="release name 'Web_1' is not valid"):
        status.parse_args({"name": "Web_1"})
    with pytest.raises(ValidationError, match="at most 53 characters"):
        status.parse_args({"name": "a" * 54})
