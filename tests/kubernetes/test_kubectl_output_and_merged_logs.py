"""kubectl's reading shapes: -o wide|yaml|json|name, usage columns, top --containers, merged logs."""

from __future__ import annotations

import json

import yaml

from tests.fake_k8s import planted
from tools.base import Status

from .conftest import context, everything


async def test_wide_adds_pod_ip_and_usage_columns(run, fake_k8s):
    result = await run("k8s_get", kind="pods", namespace="prod", output="wide")
    assert result.table is not None
    assert result.table.columns[-3:] == ("IP", "CPU", "MEMORY")
    web = next(r for r in result.table.rows if r[0].startswith("web-"))
    assert web[-2].endswith("m") and web[-1].endswith("Mi")


async def test_plain_get_nodes_has_usage_columns_when_metrics_exist(run, fake_k8s):
    result = await run("k8s_get", kind="no")
    assert result.table is not None and result.table.columns[-2:] == ("CPU", "MEMORY")


async def test_without_metrics_the_listing_is_unchanged(run, fake_k8s):
    fake_k8s.metrics_enabled = False
    result = await run("k8s_get", kind="pods", namespace="prod")
    assert result.table is not None and "CPU" not in result.table.columns


async def test_yaml_of_one_object_is_the_object(run, fake_k8s):
    result = await run("k8s_get", kind="deploy", name="web", namespace="prod", output="yaml")
    document = yaml.safe_load(result.code)
    assert document["kind"] == "Deployment" and document["metadata"]["name"] == "web"
    assert document["spec"]["replicas"] == 2


async def test_json_of_a_list_is_a_list_and_secrets_stay_hidden(run, fake_k8s):
    result = await run("k8s_get", kind="secrets", namespace="prod", output="json", ctx=context(budget=20000))
    document = json.loads(result.code)
    assert document["kind"] == "List" and document["items"]
    text = everything(result)
    for value in planted.PLANTED_VALUES:
        assert value not in text


async def test_name_output_is_kind_slash_name(run, fake_k8s):
    result = await run("k8s_get", kind="deployments", namespace="prod", output="name")
    assert result.table is not None and ("deployment/web",) in result.table.rows


async def test_top_pods_containers(run, fake_k8s):
    result = await run("k8s_top", kind="pods", namespace="prod", containers=True)
    assert result.table is not None and result.table.columns == ("POD", "NAME", "CPU(m)", "MEMORY(Mi)")
    assert any(r[0].startswith("web-") and r[1] == "nginx" for r in result.table.rows)


async def test_logs_of_a_deployment_merge_its_pods_naming_each(run, fake_k8s):
    result = await run("k8s_logs", kind="deployment", name="web", namespace="prod", tail=5)
    assert result.status is Status.OK
    assert "deployment/web: 2 pods" in result.text
    pods = {line.split("]")[0].lstrip("[") for line in result.code.splitlines()}
    assert len(pods) == 2 and all(p.startswith("web-") for p in pods)
    assert all(r.param("timestamps") == "true" for r in fake_k8s.requests if r.path.endswith("/log"))


async def test_logs_by_selector_with_grep(run, fake_k8s):
    result = await run("k8s_logs", selector="app=web", namespace="prod", filter="request=19", since="10m")
    assert "pods with app=web" in result.text and "contain 'request=19'" in result.text
    assert result.code and all("request=19" in line for line in result.code.splitlines())


async def test_logs_need_one_source(ops):
    import pydantic
    import pytest

    with pytest.raises(pydantic.ValidationError, match="one of them"):
        ops["k8s_logs"].parse_args({"namespace": "prod"})
