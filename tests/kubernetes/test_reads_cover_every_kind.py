"""k8s_get / k8s_describe / k8s_clusters against the fake API server, kind by kind."""

from __future__ import annotations

import pytest

from tests.fake_k8s import planted
from tools.base import Status
from tools.kubernetes.kinds import KINDS

from .conftest import everything

NAMESPACED_SEEDED = {
    "pod": "web-",
    "deployment": "web",
    "replicaset": "web-",
    "statefulset": "redis",
    "daemonset": "",
    "job": "",
    "cronjob": "",
    "service": "web",
    "ingress": "",
    "event": "",
    "configmap": "",
    "persistentvolumeclaim": "",
    "secret": "db-credentials",
}


@pytest.mark.parametrize("kind", sorted(NAMESPACED_SEEDED))
async def test_listing_each_namespaced_kind_names_cluster_namespace_and_items(run, fake_k8s, kind):
    result = await run("k8s_get", kind=kind, namespace="prod", all_namespaces=kind == "daemonset")
    assert result.status is Status.OK, result.text
    assert result.text.startswith("fake / ")
    assert result.table is not None and result.table.rows
    assert any(NAMESPACED_SEEDED[kind] in " ".join(row) for row in result.table.rows)
    assert result.data is not None and result.data["total"] == len(result.table.rows)


@pytest.mark.parametrize("kind", ["node", "namespace"])
async def test_cluster_scoped_kinds_are_listed_cluster_wide(run, fake_k8s, kind):
    result = await run("k8s_get", kind=kind)
    assert result.status is Status.OK
    assert result.text.startswith("fake / cluster-wide")
    names = [row[0] for row in result.table.rows]
    assert ("node-2" in names) if kind == "node" else ("prod" in names)


async def test_plural_and_short_kind_spellings_are_accepted(run, fake_k8s):
    for spelling in ("pods", "po", "Pod"):
        result = await run("k8s_get", kind=spelling, namespace="prod")
        assert result.status is Status.OK


async def test_unknown_kind_is_refused_before_any_call(ops, fake_k8s):
    with pytest.raises(ValueError, match="kind"):
        ops["k8s_get"].parse_args({"kind": "clusterrolebindings"})
    assert fake_k8s.requests == []


async def test_label_selector_narrows_the_listing(run, fake_k8s):
    result = await run("k8s_get", kind="pod", namespace="prod", selector="app=web")
    names = [row[0] for row in result.table.rows]
    assert names and all(name.startswith("web-") for name in names)
    assert any(r.param("labelSelector") == "app=web" for r in fake_k8s.requests)


async def test_field_selector_is_sent_to_the_server(run, fake_k8s):
    result = await run("k8s_get", kind="pod", namespace="prod", field_selector="status.phase=Pending")
    names = [row[0] for row in result.table.rows]
    assert "analytics-pending" in names
    assert not any(name.startswith(("web-", "api-")) for name in names)  # those are Running


async def test_all_namespaces_adds_a_namespace_column(run, fake_k8s):
    result = await run("k8s_get", kind="deployment", all_namespaces=True)
    assert result.table.columns[0] == "NAMESPACE"
    assert {row[0] for row in result.table.rows} >= {"prod", "kube-system"}
    assert "all namespaces" in result.text


async def test_sort_by_restarts_puts_the_most_restarted_first(run, fake_k8s):
    result = await run("k8s_get", kind="pod", namespace="prod", sort="restarts")
    restarts = [int(row[3]) for row in result.table.rows]
    assert restarts == sorted(restarts, reverse=True) and restarts[0] > 0


async def test_get_one_object_by_name(run, fake_k8s):
    result = await run("k8s_get", kind="deployment", name="web", namespace="prod")
    assert result.table.rows[0][0] == "web"
    assert result.table.rows[0][1] == "2/2"


async def test_missing_object_suggests_close_names(run, fake_k8s):
    result = await run("k8s_get", kind="deployment", name="wbe", namespace="prod")
    assert result.status is Status.ERROR
    assert result.text == (
        "deployment/wbe was not found in namespace prod on cluster fake; did you mean web?"
    )


async def test_secrets_show_key_names_and_sizes_never_values(run, fake_k8s):
    listing = await run("k8s_get", kind="secret", namespace="prod")
    described = await run("k8s_describe", kind="secret", name="db-credentials", namespace="prod")
    for result in (listing, described):
        text = everything(result)
        assert "password" in text
        for value in planted.PLANTED_VALUES:
            assert value not in text
    assert "bytes" in described.code


async def test_describe_shows_spec_status_and_events(run, fake_k8s):
    result = await run("k8s_describe", kind="pod", name="frontend-unready", namespace="prod")
    assert result.status is Status.OK
    assert "Readiness probe failed" in result.text
    assert "managedFields" not in result.code
    assert "containerStatuses" in result.code


async def test_describe_redacts_env_values_and_secret_references(run, fake_k8s):
    result = await run("k8s_describe", kind="deployment", name="api", namespace="prod")
    assert planted.AWS_SECRET_ACCESS_KEY not in result.code
    assert planted.AWS_ACCESS_KEY_ID not in result.code
    assert "db-credentials" in result.code


async def test_clusters_lists_reachability_version_and_credentials(run, fake_k8s):
    result = await run("k8s_clusters")
    (row,) = result.table.rows
    assert row[:4] == ("fake", "fake", "default", "yes")
    assert row[4].startswith("v1.") and row[5] == "ok"


async def test_clusters_says_when_a_cluster_is_down(run, fake_k8s):
    await fake_k8s.stop()
    result = await run("k8s_clusters")
    (row,) = result.table.rows
    assert row[3] == "NO" and "unreachable" in result.text


def test_every_allow_listed_kind_has_columns():
    from tools.kubernetes.render import COLUMNS

    assert set(KINDS) == set(COLUMNS)
