"""The fake API server's authentication, impersonation, 403 rules and access reviews."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import pytest
import urllib3
from kubernetes import client
from kubernetes.client import ApiClient
from kubernetes.client.exceptions import ApiException
from kubernetes.config import new_client_from_config

from tests.fake_k8s import FakeKubernetes
from tests.fake_k8s.plugin import write_kubeconfig


async def call(fn: Any, *args: Any, **kwargs: Any) -> Any:
    return await asyncio.wait_for(asyncio.to_thread(fn, *args, **kwargs), timeout=10)


async def test_impersonation_headers_are_recorded_one_line_per_group(fake_k8s: FakeKubernetes) -> None:
    headers = urllib3.HTTPHeaderDict(
        {"Authorization": f"Bearer {fake_k8s.token}", "Impersonate-User": "alice"}
    )
    headers.add("Impersonate-Group", "sre")
    headers.add("Impersonate-Group", "oncall")
    http = urllib3.PoolManager()
    response = await asyncio.to_thread(
        http.request, "GET", f"{fake_k8s.url}/api/v1/namespaces", headers=headers
    )
    assert response.status == 200
    recorded = fake_k8s.requests[-1]
    assert recorded.impersonate_user == "alice"
    assert recorded.impersonate_groups == ["sre", "oncall"]


async def test_per_call_headers_of_the_client_reach_the_server(
    fake_k8s: FakeKubernetes, fake_api_client: ApiClient
) -> None:
    core = client.CoreV1Api(fake_api_client)
    await call(core.list_namespace, _headers={"Impersonate-User": "bob", "Impersonate-Group": "dev"})
    assert (fake_k8s.requests[-1].impersonate_user, fake_k8s.requests[-1].impersonate_groups) == (
        "bob",
        ["dev"],
    )


async def test_a_forbidden_action_is_a_403_naming_user_verb_resource_and_namespace(
    fake_k8s: FakeKubernetes, fake_api_client: ApiClient
) -> None:
    fake_k8s.forbid(user="bob", verb="delete", resource="pods")
    core = client.CoreV1Api(fake_api_client)
    with pytest.raises(ApiException) as caught:
        await call(core.delete_namespaced_pod, "batch-oom", "prod", _headers={"Impersonate-User": "bob"})
    assert caught.value.status == 403
    message = json.loads(caught.value.body or "")["message"]
    assert message == (
        'pods "batch-oom" is forbidden: User "bob" cannot delete resource "pods" in API group "" '
        'in the namespace "prod"'
    )
    assert fake_k8s.get("Pod", "prod", "batch-oom") is not None
    deleted = await call(
        core.delete_namespaced_pod, "batch-oom", "prod", _headers={"Impersonate-User": "alice"}
    )
    assert deleted.metadata.name == "batch-oom"


async def test_subject_access_reviews_follow_the_forbid_rules_and_are_recorded(
    fake_k8s: FakeKubernetes, fake_api_client: ApiClient
) -> None:
    fake_k8s.forbid(user="bob", verb="patch", resource="deployments", namespace="prod")
    auth = client.AuthorizationV1Api(fake_api_client)

    def review(user: str, groups: list[str]) -> client.V1SubjectAccessReview:
        attributes = client.V1ResourceAttributes(
            verb="patch", group="apps", resource="deployments", namespace="prod", name="web"
        )
        spec = client.V1SubjectAccessReviewSpec(user=user, groups=groups, resource_attributes=attributes)
        return client.V1SubjectAccessReview(spec=spec)

    denied = await call(auth.create_subject_access_review, review("bob", ["dev"]))
    allowed = await call(auth.create_subject_access_review, review("alice", ["sre"]))
    assert (denied.status.allowed, allowed.status.allowed) == (False, True)
    assert denied.status.reason
    assert [r["spec"]["user"] for r in fake_k8s.access.reviews] == ["bob", "alice"]
    assert fake_k8s.access.reviews[0]["spec"]["resourceAttributes"]["verb"] == "patch"


async def test_a_sar_rule_set_by_the_test_decides_reviews(
    fake_k8s: FakeKubernetes, fake_api_client: ApiClient
) -> None:
    fake_k8s.access.sar_rule = lambda spec: (spec["user"] == "carol", "only carol")
    auth = client.AuthorizationV1Api(fake_api_client)
    attributes = client.V1ResourceAttributes(verb="get", resource="pods", namespace="prod")
    body = client.V1SubjectAccessReview(
        spec=client.V1SubjectAccessReviewSpec(user="dave", resource_attributes=attributes)
    )
    answer = await call(auth.create_subject_access_review, body)
    assert (answer.status.allowed, answer.status.reason) == (False, "only carol")


async def test_a_wrong_token_is_401(fake_k8s: FakeKubernetes, tmp_path: Path) -> None:
    kubeconfig = write_kubeconfig(tmp_path / "bad", url=fake_k8s.url, token="wrong")
    api_client = new_client_from_config(config_file=str(kubeconfig), context="fake")
    with pytest.raises(ApiException) as caught:
        await call(client.CoreV1Api(api_client).list_namespace)
    assert caught.value.status == 401


async def test_a_slow_server_times_out_the_client_and_a_stopped_one_refuses(
    fake_k8s: FakeKubernetes, fake_api_client: ApiClient
) -> None:
    core = client.CoreV1Api(fake_api_client)
    fake_k8s.delay_seconds = 2
    with pytest.raises((urllib3.exceptions.ReadTimeoutError, urllib3.exceptions.MaxRetryError)):
        await call(core.list_namespace, _request_timeout=0.3)
    fake_k8s.delay_seconds = 0
    await fake_k8s.stop()
    fake_api_client.configuration.retries = 0
    with pytest.raises(urllib3.exceptions.MaxRetryError):
        await call(client.CoreV1Api(ApiClient(fake_api_client.configuration)).list_namespace)


async def test_many_concurrent_client_threads_are_served_by_one_event_loop(
    fake_k8s: FakeKubernetes, fake_api_client: ApiClient
) -> None:
    core = client.CoreV1Api(fake_api_client)
    results = await asyncio.gather(*(call(core.list_namespaced_pod, "prod") for _ in range(8)))
    assert len({len(r.items) for r in results}) == 1
    assert sum(1 for r in fake_k8s.requests if r.path == "/api/v1/namespaces/prod/pods") == 8


async def test_a_short_watch_streams_added_events(fake_api_client: ApiClient) -> None:
    from kubernetes import watch

    core = client.CoreV1Api(fake_api_client)

    def collect() -> list[str]:
        stream = watch.Watch().stream(
            core.list_namespaced_pod, "prod", label_selector="app=web", timeout_seconds=1
        )
        return [f"{event['type']} {event['object'].metadata.name}" for event in stream]

    events = await call(collect)
    assert len(events) == 2 and all(e.startswith("ADDED web-") for e in events)
