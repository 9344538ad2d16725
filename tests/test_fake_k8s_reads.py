"""The fake API server answers reads the way the real client expects."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest
from kubernetes import client
from kubernetes.client import ApiClient
from kubernetes.client.exceptions import ApiException

from tests.fake_k8s import PROBLEM_PODS, FakeKubernetes


async def call(fn: Any, *args: Any, **kwargs: Any) -> Any:
    return await asyncio.wait_for(asyncio.to_thread(fn, *args, **kwargs), timeout=10)


LISTERS = [
    ("CoreV1Api", "list_namespace"),
    ("CoreV1Api", "list_node"),
    ("CoreV1Api", "list_pod_for_all_namespaces"),
    ("CoreV1Api", "list_service_for_all_namespaces"),
    ("CoreV1Api", "list_event_for_all_namespaces"),
    ("CoreV1Api", "list_config_map_for_all_namespaces"),
    ("CoreV1Api", "list_secret_for_all_namespaces"),
    ("CoreV1Api", "list_persistent_volume_claim_for_all_namespaces"),
    ("AppsV1Api", "list_deployment_for_all_namespaces"),
    ("AppsV1Api", "list_replica_set_for_all_namespaces"),
    ("AppsV1Api", "list_stateful_set_for_all_namespaces"),
    ("AppsV1Api", "list_daemon_set_for_all_namespaces"),
    ("BatchV1Api", "list_job_for_all_namespaces"),
    ("BatchV1Api", "list_cron_job_for_all_namespaces"),
    ("NetworkingV1Api", "list_ingress_for_all_namespaces"),
]


@pytest.mark.parametrize(("api_name", "method"), LISTERS)
async def test_every_seeded_kind_deserialises_into_the_strict_client_models(
    fake_api_client: ApiClient, api_name: str, method: str
) -> None:
    api = getattr(client, api_name)(fake_api_client)
    result = await call(getattr(api, method))
    assert result.items, f"{method} returned nothing"
    for item in result.items:
        assert item.metadata.name
        assert item.metadata.uid
        assert item.metadata.resource_version


async def test_demo_cluster_has_every_problem_pod_with_real_container_states(
    fake_api_client: ApiClient,
) -> None:
    core = client.CoreV1Api(fake_api_client)
    pods = {p.metadata.name: p for p in (await call(core.list_namespaced_pod, "prod")).items}
    assert set(PROBLEM_PODS) <= set(pods)
    crashing = [p for name, p in pods.items() if name.startswith("api-")]
    assert len(crashing) == 2
    status = crashing[0].status.container_statuses[0]
    assert status.state.waiting.reason == "CrashLoopBackOff"
    assert status.last_state.terminated.exit_code == 1
    assert status.restart_count > 0
    assert pods["batch-oom"].status.container_statuses[0].last_state.terminated.reason == "OOMKilled"
    assert pods["worker-imagepull"].status.container_statuses[0].state.waiting.reason == "ImagePullBackOff"
    scheduled = pods["analytics-pending"].status.conditions[0]
    assert (scheduled.type, scheduled.status, scheduled.reason) == ("PodScheduled", "False", "Unschedulable")
    waiting = pods["reporter-missing-config"].status.container_statuses[0].state.waiting
    assert waiting.reason == "CreateContainerConfigError"
    assert 'configmap "reporter-config" not found' in waiting.message


@pytest.mark.parametrize(
    ("selector", "expected"),
    [
        ("app=web", {"web"}),
        ("app==web", {"web"}),
        ("app in (web,api)", {"web", "api"}),
        ("app notin (web,api,coredns,redis)", {"worker", "batch", "analytics", "frontend", "reporter"}),
        (
            "app!=web,app!=api,app!=coredns,app!=redis",
            {"worker", "batch", "analytics", "frontend", "reporter"},
        ),
        ("pod-template-hash", {"web", "api", "coredns"}),
        ("!pod-template-hash,app in (redis,batch)", {"redis", "batch"}),
    ],
)
async def test_label_selectors_filter_pods_like_the_api_server(
    fake_api_client: ApiClient, selector: str, expected: set[str]
) -> None:
    core = client.CoreV1Api(fake_api_client)
    pods = await call(core.list_pod_for_all_namespaces, label_selector=selector)
    assert {p.metadata.labels["app"] for p in pods.items} == expected


async def test_field_selectors_filter_by_phase_node_and_involved_object(fake_api_client: ApiClient) -> None:
    core = client.CoreV1Api(fake_api_client)
    pending = await call(core.list_namespaced_pod, "prod", field_selector="status.phase=Pending")
    assert {p.metadata.name for p in pending.items} == {
        "analytics-pending",
        "worker-imagepull",
        "reporter-missing-config",
    }
    unscheduled = await call(core.list_pod_for_all_namespaces, field_selector="spec.nodeName=")
    assert [p.metadata.name for p in unscheduled.items] == ["analytics-pending"]
    events = await call(
        core.list_namespaced_event,
        "prod",
        field_selector="involvedObject.name=frontend-unready,involvedObject.kind=Pod",
    )
    assert [e.reason for e in events.items] == ["Unhealthy"]
    assert "Readiness probe failed" in events.items[0].message


async def test_an_unsupported_field_selector_is_a_400_with_the_real_message(
    fake_api_client: ApiClient,
) -> None:
    core = client.CoreV1Api(fake_api_client)
    with pytest.raises(ApiException) as caught:
        await call(core.list_namespaced_pod, "prod", field_selector="spec.containers=x")
    assert caught.value.status == 400
    assert "field label not supported: spec.containers" in (caught.value.body or "")


async def test_limit_and_continue_page_through_every_pod_once(
    fake_k8s: FakeKubernetes, fake_api_client: ApiClient
) -> None:
    core = client.CoreV1Api(fake_api_client)
    seen: list[str] = []
    token = None
    pages = 0
    while True:
        page = await call(core.list_pod_for_all_namespaces, limit=4, _continue=token)
        pages += 1
        seen += [f"{p.metadata.namespace}/{p.metadata.name}" for p in page.items]
        token = page.metadata._continue
        if not token:
            break
        assert page.metadata.remaining_item_count > 0
    everything = [f"{p['metadata']['namespace']}/{p['metadata']['name']}" for p in fake_k8s.objects("Pod")]
    assert seen == everything
    assert pages == -(-len(everything) // 4)


async def test_logs_honour_tail_previous_and_container_and_refuse_like_the_kubelet(
    fake_api_client: ApiClient,
) -> None:
    core = client.CoreV1Api(fake_api_client)
    web = (await call(core.list_namespaced_pod, "prod", label_selector="app=web")).items[0].metadata.name
    tail = await call(core.read_namespaced_pod_log, web, "prod", tail_lines=5)
    lines = tail.splitlines()
    assert len(lines) == 5 and lines[-1].endswith("request=299")
    api_pod = (await call(core.list_namespaced_pod, "prod", label_selector="app=api")).items[0].metadata.name
    previous = await call(core.read_namespaced_pod_log, api_pod, "prod", previous=True, container="api")
    assert "panic: failed to connect to database" in previous
    with pytest.raises(ApiException) as no_previous:
        await call(core.read_namespaced_pod_log, web, "prod", previous=True)
    assert no_previous.value.status == 400 and "previous terminated container" in (
        no_previous.value.body or ""
    )
    with pytest.raises(ApiException) as waiting:
        await call(core.read_namespaced_pod_log, "worker-imagepull", "prod")
    assert "is waiting to start" in (waiting.value.body or "")
    recent = await call(core.read_namespaced_pod_log, web, "prod", since_seconds=10)
    assert 0 < len(recent.splitlines()) < 300


async def test_metrics_are_served_and_absent_metrics_server_is_a_404(
    fake_k8s: FakeKubernetes, fake_api_client: ApiClient
) -> None:
    custom = client.CustomObjectsApi(fake_api_client)
    pods = await call(custom.list_namespaced_custom_object, "metrics.k8s.io", "v1beta1", "prod", "pods")
    names = {item["metadata"]["name"] for item in pods["items"]}
    assert "analytics-pending" not in names and any(n.startswith("web-") for n in names)
    assert pods["items"][0]["containers"][0]["usage"]["cpu"].endswith("n")
    nodes = await call(custom.list_cluster_custom_object, "metrics.k8s.io", "v1beta1", "nodes")
    assert [n["metadata"]["name"] for n in nodes["items"]] == ["node-1"]
    fake_k8s.metrics_enabled = False
    with pytest.raises(ApiException) as caught:
        await call(custom.list_namespaced_custom_object, "metrics.k8s.io", "v1beta1", "prod", "pods")
    assert caught.value.status == 404
    groups = await call(client.ApisApi(fake_api_client).get_api_versions)
    assert "metrics.k8s.io" not in {g.name for g in groups.groups}


async def test_missing_object_is_a_404_status_naming_the_resource(fake_api_client: ApiClient) -> None:
    apps = client.AppsV1Api(fake_api_client)
    with pytest.raises(ApiException) as caught:
        await call(apps.read_namespaced_deployment, "wbe", "prod")
    assert caught.value.status == 404
    body = json.loads(caught.value.body or "")
    assert body["message"] == 'deployments.apps "wbe" not found'
    assert body["reason"] == "NotFound"
    assert body["details"] == {"name": "wbe", "group": "apps", "kind": "deployments"}


async def test_discovery_and_version_satisfy_the_client(fake_api_client: ApiClient) -> None:
    version = await call(client.VersionApi(fake_api_client).get_code)
    assert version.git_version.startswith("v1.31")
    resources = await call(client.AppsV1Api(fake_api_client).get_api_resources)
    assert "deployments/scale" in {r.name for r in resources.resources}


async def test_secrets_are_stored_with_values_so_leak_tests_have_something_to_catch(
    fake_api_client: ApiClient,
) -> None:
    from tests.fake_k8s.planted import DB_PASSWORD_B64

    secret = await call(client.CoreV1Api(fake_api_client).read_namespaced_secret, "db-credentials", "prod")
    assert secret.data["password"] == DB_PASSWORD_B64
