"""For every Kubernetes write in the registry: approve it, then compare what the API received with the card.

Nothing sent that was not shown: every object a request addressed changed exactly as the
card's diff said (every changed path, line by line), and every value a request body
carried that differs from the object as it was appears on the card. Then the other road:
when the cluster moves between approval and run, the repeated dry run stops the change.
"""

from __future__ import annotations

import asyncio
import copy
import json
from collections.abc import Awaitable, Callable, Iterator
from typing import Any

import pytest
from kubernetes.client import AppsV1Api

from bot.app import build_app
from bot.domain.models import ButtonAction, IncomingMessage, Principal
from storage.records import ApprovalState
from tests.core.fixtures import make_config
from tests.fake_k8s.server import FakeKubernetes
from tools.effects import object_changes
from tools.kubernetes.clusters import ClusterSet
from tools.kubernetes.kinds import APPLY_ONLY, KINDS

ADA = Principal("slack", "UADA", "Ada")
BOB = Principal("slack", "UBOB", "Bob")
POLICY = {"roles": {"admin": {"members": ["slack:user:UADA", "slack:user:UBOB"]}}}
PLURAL_TO_KIND = {k.plural: k.kind for k in (*KINDS.values(), *APPLY_ONLY.values())}
# Kept by the API server or a controller, never sent by the bot.
_CONTROLLER_PATHS = (
    'metadata.annotations."deployment.kubernetes.io/revision"',
    "spec.taints[node.kubernetes.io/unschedulable]",  # the node controller's taint for a cordon
)
_NOT_CONTENT = {"resourceVersion", "uid", "apiVersion", "kind", "preconditions", "propagationPolicy"}

Setup = Callable[[FakeKubernetes, Any], Awaitable[None]]


async def _nothing(fake: FakeKubernetes, api_client: Any) -> None:
    return None


def _patch_image(kind: str, namespace: str, name: str, *images: str) -> Setup:
    async def setup(fake: FakeKubernetes, api_client: Any) -> None:
        obj = fake.get(kind, namespace, name)
        assert obj is not None
        container = obj["spec"]["template"]["spec"]["containers"][0]["name"]
        apps = AppsV1Api(api_client)
        patch = {
            "Deployment": apps.patch_namespaced_deployment,
            "StatefulSet": apps.patch_namespaced_stateful_set,
            "DaemonSet": apps.patch_namespaced_daemon_set,
        }[kind]
        for image in images:
            body = {"spec": {"template": {"spec": {"containers": [{"name": container, "image": image}]}}}}
            await asyncio.to_thread(patch, name, namespace, body)

    return setup


APPLY = """!apply -n prod
```yaml
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  labels: {tier: gold}
  finalizers: [example.com/hold]
spec:
  replicas: 3
  template:
    spec:
      containers:
      - name: nginx
        image: nginx:1.25.3
        env: [{name: LD_PRELOAD, value: /tmp/x.so}]
---
apiVersion: v1
kind: ConfigMap
metadata: {name: settings}
data: {MODE: blue}
```"""

WRITES: dict[str, tuple[str, Setup]] = {
    "k8s_apply": (APPLY, _nothing),
    "k8s_scale_deployment": ("!scale deployment web --replicas 4 -n prod", _nothing),
    "k8s_set_image": ("!set image web --image nginx:1.27 -n prod", _nothing),
    "k8s_create_deployment": (
        "!create deployment tool --image busybox:1.36 --env MODE=blue --replicas 2 --port 8080 -n prod",
        _nothing,
    ),
    "k8s_delete_deployment": ("!delete deployment web -n prod", _nothing),
    "k8s_restart_deployment": ("!restart deployment web -n prod", _nothing),
    "k8s_rollback_deployment": (
        "!rollback deployment web -n prod",
        _patch_image("Deployment", "prod", "web", "nginx:1.27"),
    ),
    "k8s_pause_deployment": ("!pause deployment web -n prod", _nothing),
    "k8s_resume_deployment": ("!resume deployment web -n prod", _nothing),
    "k8s_rollback_statefulset": (
        "!rollback statefulset redis -n prod",
        _patch_image("StatefulSet", "prod", "redis", "redis:6.0"),
    ),
    "k8s_rollback_daemonset": (
        "!rollback daemonset node-exporter -n kube-system",
        _patch_image(
            "DaemonSet",
            "kube-system",
            "node-exporter",
            "prom/node-exporter:v1.0.0",
            "prom/node-exporter:v1.1.0",
        ),
    ),
    "k8s_create_service": (
        "!create service web-lb --deployment web --port 80 --type NodePort -n prod",
        _nothing,
    ),
    "k8s_update_service": ("!update service web --type NodePort -n prod", _nothing),
    "k8s_delete_service": ("!delete service web -n prod", _nothing),
    "k8s_create_namespace": ("!create namespace scratch", _nothing),
    "k8s_delete_namespace": ("!delete namespace prod", _nothing),
    "k8s_delete_pod": ("!delete pod {pod} -n prod", _nothing),
    "k8s_cordon_node": ("!cordon node-1", _nothing),
    "k8s_uncordon_node": ("!uncordon node-1", _nothing),
    "k8s_drain_node": ("!drain node-1", _nothing),
    "k8s_deploy_stack": ("!deploy stack nginx --name shop -n prod", _nothing),
}


@pytest.fixture
async def app(sqlite_url: str, fake_cluster_set: ClusterSet):
    built = await build_app(make_config(sqlite_url, policy=POLICY), clusters=fake_cluster_set)
    try:
        yield built
    finally:
        await built.close()


def test_every_kubernetes_write_in_the_registry_has_a_case(app) -> None:
    writes = {op.name for op in app.registry if op.safety.value != "read" and op.name.startswith("k8s_")}
    assert writes == set(WRITES)


def _addressed(request: Any) -> tuple[str, str, str]:
    """(kind, namespace, name) of the object a request changed."""
    parts = request.path.strip("/").split("/")
    if parts[-1] == "namespaces":  # creating a namespace
        return "Namespace", "", str(request.body["metadata"]["name"])
    namespace = parts[parts.index("namespaces") + 1] if "namespaces" in parts else ""
    if parts[-1] == "eviction":
        return "Pod", namespace, parts[-2]
    if parts[-1] in PLURAL_TO_KIND:  # a create: the name is in the body
        return PLURAL_TO_KIND[parts[-1]], namespace, str(request.body["metadata"]["name"])
    if parts[-2] == "namespaces":  # a namespace itself
        return "Namespace", "", parts[-1]
    return PLURAL_TO_KIND[parts[-2]], namespace, parts[-1]


def _leaves(value: Any, path: tuple[str, ...] = ()) -> Iterator[tuple[tuple[str, ...], Any]]:
    if isinstance(value, dict):
        for key, item in value.items():
            if key not in _NOT_CONTENT:
                yield from _leaves(item, (*path, str(key)))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _leaves(item, (*path, str(index)))
    else:
        yield path, value


def _at(obj: Any, path: tuple[str, ...]) -> Any:
    for part in path:
        if isinstance(obj, list) and part.isdigit() and int(part) < len(obj):
            obj = obj[int(part)]
        elif isinstance(obj, dict):
            obj = obj.get(part)
        else:
            return None
    return obj


def _shown(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value)


@pytest.mark.parametrize("operation", sorted(WRITES))
async def test_the_api_receives_only_what_the_card_showed(
    app, fake_k8s: FakeKubernetes, fake_api_client: Any, operation: str
) -> None:
    command, setup = WRITES[operation]
    await setup(fake_k8s, fake_api_client)
    pod = next(p["metadata"]["name"] for p in fake_k8s.objects("Pod", "prod"))
    replies = await app.router.handle(IncomingMessage(ADA, "C1", command.replace("{pod}", pod)))
    approval_id = next((r.approval_id for r in replies if r.approval_id), None)
    assert approval_id, [r.text for r in replies]
    record = await app.store.get_approval(approval_id)
    assert record is not None and record.operation == operation
    card = record.preview
    before = {
        (o["kind"], o["metadata"].get("namespace", ""), o["metadata"]["name"]): copy.deepcopy(o)
        for _, o in fake_k8s.cluster.store.all_buckets()
    }
    fake_k8s.reset_requests()
    outcome, _ = await app.router.handle_button(
        principal=BOB, action=ButtonAction.APPROVE, approval_id=approval_id, channel="C1", thread=None
    )
    await app.executor.drain(30)  # a drain runs in the background
    final = await app.store.get_approval(approval_id)
    assert final is not None and final.state is ApprovalState.SUCCEEDED, (
        outcome.text,
        final and final.result_text,
    )
    sent = fake_k8s.mutations()
    assert sent, "an approved change sent nothing"
    for request in sent:
        kind, namespace, name = _addressed(request)
        key = (kind, namespace, name)
        old = before.get(key)
        assert f"{kind}/{name}" in card, (
            f"{request.method} {request.path} addresses an object the card never named"
        )
        new = fake_k8s.get(kind, namespace, name)
        if new is None:  # deleted: the card names it as deleted, its fields go with it
            assert f"- {kind}/{name}" in card
            continue
        for change in object_changes(old, new):
            if change.path.startswith(_CONTROLLER_PATHS):
                continue
            assert change.line() in card, (
                f"{kind}/{name}: {change.line()!r} happened but was not shown:\n{card}"
            )
        for path, value in _leaves(request.body if isinstance(request.body, dict) else {}):
            if kind == "Pod" and path[:1] == ("metadata",):
                continue  # an Eviction names its pod: shown as "- Pod/<name> (deleted)"
            if old is not None and _at(old, path) == value:
                continue  # sent, but not a change (a PUT carries the whole object)
            assert _shown(value) in card, f"{'.'.join(path)}={value!r} was sent but not shown:\n{card}"


async def test_a_change_whose_dry_run_moved_on_does_not_run(
    app, fake_k8s: FakeKubernetes, fake_api_client: Any
) -> None:
    replies = await app.router.handle(IncomingMessage(ADA, "C1", "!set image web --image nginx:1.27 -n prod"))
    approval_id = next(r.approval_id for r in replies if r.approval_id)
    # Someone else sets another image after the approval was filed: the repeated dry run now gives
    # another effect, so the approved change stops before its first write.
    approval = await app.store.get_approval(approval_id)
    assert approval is not None and "effect_sha256" in approval.binding
    fake_k8s.reset_requests()
    await _patch_image("Deployment", "prod", "web", "nginx:1.26")(fake_k8s, fake_api_client)
    outcome, _ = await app.router.handle_button(
        principal=BOB, action=ButtonAction.APPROVE, approval_id=approval_id, channel="C1", thread=None
    )
    assert "different effect" in outcome.text
    final = await app.store.get_approval(approval_id)
    assert final is not None and final.state is ApprovalState.FAILED
    assert "different effect" in (final.result_text or "") and "nothing ran" in (final.result_text or "")
    writes = fake_k8s.mutations()
    assert len(writes) == 1 and "nginx:1.26" in json.dumps(writes[0].body)  # only the other person's patch
