"""The fake API server's writes: dry runs, conflicts, preconditions, rollouts, apply."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest
from kubernetes import client
from kubernetes.client import ApiClient
from kubernetes.client.exceptions import ApiException

from tests.fake_k8s import FakeKubernetes

REVISION = "deployment.kubernetes.io/revision"


async def call(fn: Any, *args: Any, **kwargs: Any) -> Any:
    return await asyncio.wait_for(asyncio.to_thread(fn, *args, **kwargs), timeout=10)


def web_pods(fake: FakeKubernetes) -> list[str]:
    return [
        p["metadata"]["name"]
        for p in fake.objects("Pod", "prod")
        if p["metadata"]["labels"].get("app") == "web"
    ]


async def test_dry_run_patch_returns_the_would_be_object_and_stores_nothing(
    fake_k8s: FakeKubernetes, fake_api_client: ApiClient
) -> None:
    apps = client.AppsV1Api(fake_api_client)
    before = fake_k8s.get("Deployment", "prod", "web")
    assert before is not None
    fake_k8s.reset_requests()
    result = await call(
        apps.patch_namespaced_deployment, "web", "prod", {"spec": {"replicas": 5}}, dry_run="All"
    )
    assert result.spec.replicas == 5
    assert fake_k8s.get("Deployment", "prod", "web") == before
    assert len(web_pods(fake_k8s)) == 2
    assert [r.dry_run for r in fake_k8s.requests] == [True]
    assert fake_k8s.mutations() == []


async def test_dry_run_create_and_delete_leave_the_store_alone(
    fake_k8s: FakeKubernetes, fake_api_client: ApiClient
) -> None:
    core = client.CoreV1Api(fake_api_client)
    created = await call(core.create_namespace, {"metadata": {"name": "staging"}}, dry_run="All")
    assert created.metadata.name == "staging" and created.metadata.uid
    assert fake_k8s.get("Namespace", "", "staging") is None
    await call(core.delete_namespace, "prod", dry_run="All")
    assert fake_k8s.get("Namespace", "", "prod") is not None
    assert fake_k8s.objects("Pod", "prod")


async def test_stale_resource_version_is_a_409_conflict_with_the_real_message(
    fake_api_client: ApiClient,
) -> None:
    apps = client.AppsV1Api(fake_api_client)
    seen = await call(apps.read_namespaced_deployment, "web", "prod")
    stale = seen.metadata.resource_version
    await call(apps.patch_namespaced_deployment, "web", "prod", {"metadata": {"labels": {"touched": "yes"}}})
    body = {"metadata": {"resourceVersion": stale}, "spec": {"replicas": 3}}
    with pytest.raises(ApiException) as caught:
        await call(apps.patch_namespaced_deployment, "web", "prod", body)
    assert caught.value.status == 409
    status = json.loads(caught.value.body or "")
    assert status["reason"] == "Conflict"
    assert (
        "the object has been modified; please apply your changes to the latest version" in status["message"]
    )
    seen.spec.replicas = 3
    with pytest.raises(ApiException) as replaced:
        await call(apps.replace_namespaced_deployment, "web", "prod", seen)
    assert replaced.value.status == 409


async def test_delete_with_a_wrong_uid_precondition_is_refused_and_keeps_the_pod(
    fake_k8s: FakeKubernetes, fake_api_client: ApiClient
) -> None:
    core = client.CoreV1Api(fake_api_client)
    options = client.V1DeleteOptions(preconditions=client.V1Preconditions(uid="not-the-uid"))
    with pytest.raises(ApiException) as caught:
        await call(core.delete_namespaced_pod, "batch-oom", "prod", body=options)
    assert caught.value.status == 409 and "Precondition failed: UID in precondition" in (
        caught.value.body or ""
    )
    pod = fake_k8s.get("Pod", "prod", "batch-oom")
    assert pod is not None
    right = client.V1DeleteOptions(preconditions=client.V1Preconditions(uid=pod["metadata"]["uid"]))
    deleted = await call(core.delete_namespaced_pod, "batch-oom", "prod", body=right)
    assert deleted.metadata.deletion_timestamp is not None
    assert fake_k8s.get("Pod", "prod", "batch-oom") is None


async def test_scale_subresource_reads_and_writes_replicas_and_pods_follow(
    fake_k8s: FakeKubernetes, fake_api_client: ApiClient
) -> None:
    apps = client.AppsV1Api(fake_api_client)
    scale = await call(apps.read_namespaced_deployment_scale, "web", "prod")
    assert (scale.spec.replicas, scale.status.selector) == (2, "app=web")
    await call(apps.patch_namespaced_deployment_scale, "web", "prod", {"spec": {"replicas": 4}})
    assert len(web_pods(fake_k8s)) == 4
    deployment = await call(apps.read_namespaced_deployment, "web", "prod")
    assert (deployment.status.replicas, deployment.status.ready_replicas) == (4, 4)
    scale = await call(apps.read_namespaced_deployment_scale, "web", "prod")
    scale.spec.replicas = 0
    await call(apps.replace_namespaced_deployment_scale, "web", "prod", scale)
    assert web_pods(fake_k8s) == []


async def test_restart_makes_a_new_revision_and_rollback_returns_to_the_old_replicaset(
    fake_k8s: FakeKubernetes, fake_api_client: ApiClient
) -> None:
    apps = client.AppsV1Api(fake_api_client)
    old_pods = set(web_pods(fake_k8s))
    restart = {
        "spec": {"template": {"metadata": {"annotations": {"kubectl.kubernetes.io/restartedAt": "now"}}}}
    }
    restarted = await call(apps.patch_namespaced_deployment, "web", "prod", restart)
    assert restarted.metadata.annotations[REVISION] == "2"
    assert restarted.metadata.generation == 2
    assert set(web_pods(fake_k8s)).isdisjoint(old_pods) and len(web_pods(fake_k8s)) == 2
    sets = (await call(apps.list_namespaced_replica_set, "prod", label_selector="app=web")).items
    by_revision = {rs.metadata.annotations[REVISION]: rs for rs in sets}
    assert set(by_revision) == {"1", "2"} and by_revision["1"].spec.replicas == 0
    old_template = by_revision["1"].spec.template
    old_template.metadata.labels.pop("pod-template-hash")
    # As `kubectl rollout undo` does: replace the whole template (a merge would keep restartedAt).
    template = fake_api_client.sanitize_for_serialization(old_template)
    undo = [{"op": "replace", "path": "/spec/template", "value": template}]
    rolled = await call(apps.patch_namespaced_deployment, "web", "prod", undo)
    assert rolled.metadata.annotations[REVISION] == "3"
    current = {
        rs.metadata.name: rs.spec.replicas
        for rs in (await call(apps.list_namespaced_replica_set, "prod", label_selector="app=web")).items
    }
    assert current[by_revision["1"].metadata.name] == 2


async def test_set_image_through_strategic_merge_keeps_other_container_fields(
    fake_api_client: ApiClient,
) -> None:
    apps = client.AppsV1Api(fake_api_client)
    patch = {"spec": {"template": {"spec": {"containers": [{"name": "nginx", "image": "nginx:1.27"}]}}}}
    updated = await call(apps.patch_namespaced_deployment, "web", "prod", patch)
    nginx = updated.spec.template.spec.containers[0]
    assert (nginx.image, nginx.ports[0].container_port) == ("nginx:1.27", 80)


async def test_an_unready_rollout_stays_unready_when_the_test_says_so(
    fake_k8s: FakeKubernetes, fake_api_client: ApiClient
) -> None:
    fake_k8s.pod_modes[("prod", "web")] = "unready"
    apps = client.AppsV1Api(fake_api_client)
    patch = {"spec": {"template": {"spec": {"containers": [{"name": "nginx", "image": "nginx:broken"}]}}}}
    updated = await call(apps.patch_namespaced_deployment, "web", "prod", patch)
    assert updated.status.ready_replicas == 0 and updated.status.unavailable_replicas == 2
    assert {c.type: c.status for c in updated.status.conditions}["Available"] == "False"


async def test_invalid_name_is_a_422_naming_the_field(fake_api_client: ApiClient) -> None:
    core = client.CoreV1Api(fake_api_client)
    with pytest.raises(ApiException) as caught:
        await call(core.create_namespace, {"metadata": {"name": "Bad_Name"}})
    assert caught.value.status == 422
    status = json.loads(caught.value.body or "")
    assert status["details"]["causes"][0]["field"] == "metadata.name"
    assert "RFC 1123" in status["message"]


async def test_creating_an_existing_name_is_409_already_exists(fake_api_client: ApiClient) -> None:
    core = client.CoreV1Api(fake_api_client)
    with pytest.raises(ApiException) as caught:
        await call(core.create_namespace, {"metadata": {"name": "prod"}})
    assert caught.value.status == 409 and json.loads(caught.value.body or "")["reason"] == "AlreadyExists"


async def test_deleting_a_namespace_deletes_its_objects(
    fake_k8s: FakeKubernetes, fake_api_client: ApiClient
) -> None:
    core = client.CoreV1Api(fake_api_client)
    await call(core.delete_namespace, "prod")
    assert fake_k8s.get("Namespace", "", "prod") is None
    assert fake_k8s.objects("Pod", "prod") == [] and fake_k8s.objects("Deployment", "prod") == []
    assert fake_k8s.objects("Pod", "kube-system")


async def test_deleting_a_deployment_removes_its_replicasets_and_pods(
    fake_k8s: FakeKubernetes, fake_api_client: ApiClient
) -> None:
    apps = client.AppsV1Api(fake_api_client)
    status = await call(apps.delete_namespaced_deployment, "web", "prod")
    assert status["status"] == "Success"  # the client returns this Status as a plain dict
    assert web_pods(fake_k8s) == []
    assert not [
        rs for rs in fake_k8s.objects("ReplicaSet", "prod") if rs["metadata"]["name"].startswith("web-")
    ]


async def test_server_side_apply_creates_then_updates_with_the_field_manager(
    fake_k8s: FakeKubernetes, fake_api_client: ApiClient
) -> None:
    manifest = {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {"name": "applied", "namespace": "prod"},
        "data": {"a": "1"},
    }
    core = client.CoreV1Api(fake_api_client)
    fake_k8s.reset_requests()
    created = await call(
        core.patch_namespaced_config_map,
        "applied",
        "prod",
        manifest,
        field_manager="chatops",
        force=True,
        _content_type="application/apply-patch+yaml",
    )
    assert created.metadata.name == "applied"
    assert fake_k8s.requests[0].status == 201
    assert fake_k8s.requests[0].header("Content-Type") == "application/apply-patch+yaml"
    stored = fake_k8s.get("ConfigMap", "prod", "applied")
    assert stored is not None and stored["metadata"]["managedFields"][0]["manager"] == "chatops"
    manifest["data"] = {"a": "2"}
    await call(core.patch_namespaced_config_map, "applied", "prod", manifest, field_manager="chatops")
    assert fake_k8s.get("ConfigMap", "prod", "applied")["data"] == {"a": "2"}  # type: ignore[index]


async def test_json_patch_and_cordon_taint_the_node(
    fake_k8s: FakeKubernetes, fake_api_client: ApiClient
) -> None:
    core = client.CoreV1Api(fake_api_client)
    await call(core.patch_node, "node-1", [{"op": "add", "path": "/spec/unschedulable", "value": True}])
    node = fake_k8s.get("Node", "", "node-1")
    assert node is not None and node["spec"]["unschedulable"] is True
    assert node["spec"]["taints"][0]["key"] == "node.kubernetes.io/unschedulable"
    await call(core.patch_node, "node-1", {"spec": {"unschedulable": None}})
    assert "taints" not in fake_k8s.get("Node", "", "node-1")["spec"]  # type: ignore[index]


async def test_evicting_a_deployment_pod_replaces_it_under_a_new_name(
    fake_k8s: FakeKubernetes, fake_api_client: ApiClient
) -> None:
    core = client.CoreV1Api(fake_api_client)
    victim = web_pods(fake_k8s)[0]
    eviction = client.V1Eviction(metadata=client.V1ObjectMeta(name=victim, namespace="prod"))
    await call(core.create_namespaced_pod_eviction, victim, "prod", eviction)
    remaining = web_pods(fake_k8s)
    assert victim not in remaining and len(remaining) == 2
