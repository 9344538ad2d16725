"""Services, namespaces, pods, nodes, apply and stacks: dry-run previews, one mutation, undo."""

from __future__ import annotations

from tools.base import Status

from .conftest import context


async def _previewed_run(preview, run, fake_k8s, op_name, /, **args):
    shown = await preview(op_name, **args)
    assert shown.ok, shown.text
    assert fake_k8s.mutations() == []
    result = await run(op_name, ctx=context(binding=dict(shown.binding)), **args)
    assert result.status is Status.OK, result.text
    return shown, result


async def test_create_service_takes_the_selector_from_the_deployment(preview, run, fake_k8s):
    shown, result = await _previewed_run(
        preview,
        run,
        fake_k8s,
        "k8s_create_service",
        name="shop-svc",
        deployment="web",
        namespace="prod",
        type="NodePort",
        port=80,
    )
    assert "selecting app=web" in shown.text
    svc = fake_k8s.get("Service", "prod", "shop-svc")
    assert svc["spec"]["selector"] == {"app": "web"} and svc["spec"]["type"] == "NodePort"
    assert result.undo.operation == "k8s_delete_service"


async def test_update_service_states_type_change_and_undo_restores_it(preview, run, fake_k8s):
    shown, result = await _previewed_run(
        preview, run, fake_k8s, "k8s_update_service", name="web", namespace="prod", type="NodePort"
    )
    assert shown.text.splitlines()[0] == "service/web in fake / prod: type ClusterIP → NodePort"
    assert "    spec.type: ClusterIP → NodePort" in shown.text
    assert fake_k8s.get("Service", "prod", "web")["spec"]["type"] == "NodePort"
    assert result.undo.args["type"] == "ClusterIP"


async def test_delete_pod_says_its_controller_replaces_it(preview, run, fake_k8s):
    pod = next(
        p["metadata"]["name"]
        for p in fake_k8s.objects("Pod", "prod")
        if p["metadata"]["name"].startswith("web-")
    )
    shown, result = await _previewed_run(preview, run, fake_k8s, "k8s_delete_pod", name=pod, namespace="prod")
    assert "will start a replacement" in shown.text
    assert result.undo is None
    assert fake_k8s.mutations()[0].body["preconditions"]["uid"] == shown.binding["uid"]


async def test_namespace_create_and_delete(preview, run, fake_k8s):
    await _previewed_run(preview, run, fake_k8s, "k8s_create_namespace", name="team-a")
    assert fake_k8s.get("Namespace", "", "team-a") is not None
    shown = await preview("k8s_delete_namespace", name="prod")
    assert "everything in it goes too" in shown.text and "deployment(s)" in shown.text
    assert fake_k8s.mutations()[-1].method == "POST"  # only the create so far


async def test_cordon_uncordon_and_drain(preview, run, fake_k8s):
    shown, cordoned = await _previewed_run(preview, run, fake_k8s, "k8s_cordon_node", name="node-1")
    assert shown.text.splitlines() == [
        "node/node-1 on fake: unschedulable False → True",
        "~ Node/node-1 (changed)",
        "    + spec.unschedulable: true",
    ]
    assert fake_k8s.get("Node", "", "node-1")["spec"]["unschedulable"] is True
    assert cordoned.undo.operation == "k8s_uncordon_node"
    await run("k8s_uncordon_node", name="node-1")
    fake_k8s.reset_requests()
    drain = await preview("k8s_drain_node", name="node-1")
    assert "evict" in drain.text and fake_k8s.mutations() == []
    result = await run("k8s_drain_node", name="node-1", ctx=context(binding=dict(drain.binding)))
    evictions = [r for r in fake_k8s.mutations() if r.path.endswith("/eviction")]
    assert evictions and result.data["evicted"]
    assert result.undo.operation == "k8s_uncordon_node"


MANIFEST = """
apiVersion: v1
kind: ConfigMap
metadata: {name: app-settings}
data: {MODE: blue}
---
apiVersion: v1
kind: Service
metadata: {name: web}
spec:
  selector: {app: web}
  ports: [{name: http, port: 8080, targetPort: 80, protocol: TCP}]
"""


async def test_apply_previews_created_and_changed_then_applies(preview, run, fake_k8s):
    shown = await preview("k8s_apply", namespace="prod", manifest=MANIFEST)
    assert "+ ConfigMap/app-settings in prod (created)" in shown.text
    assert "    + data.MODE: blue" in shown.text
    assert "~ Service/web in prod (changed)" in shown.text
    assert "    + spec.ports[http].port: 8080" in shown.text  # SSA merges ports by port number
    assert [(e.action, e.kind, e.namespace) for e in shown.effects] == [
        ("create", "ConfigMap", "prod"),
        ("update", "Service", "prod"),
    ]
    assert fake_k8s.mutations() == []
    result = await run(
        "k8s_apply", namespace="prod", manifest=MANIFEST, ctx=context(binding=dict(shown.binding))
    )
    assert result.status is Status.OK, result.text
    applies = fake_k8s.mutations()
    assert len(applies) == 2 and all(r.param("fieldManager") == "chatops" for r in applies)
    assert all(r.header("Content-Type") == "application/apply-patch+yaml" for r in applies)
    assert fake_k8s.get("ConfigMap", "prod", "app-settings")["data"] == {"MODE": "blue"}


async def test_apply_refuses_secrets_and_unknown_kinds(preview, fake_k8s):
    secret = await preview("k8s_apply", manifest="apiVersion: v1\nkind: Secret\nmetadata: {name: s}\n")
    assert not secret.ok and "Secret" in secret.text
    role = await preview(
        "k8s_apply",
        manifest="apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata: {name: r}\n",
    )
    assert not role.ok and "not a kind the bot may apply" in role.text
    broken = await preview("k8s_apply", manifest="a: [b")
    assert not broken.ok and "not valid YAML" in broken.text


async def test_deploy_redis_stack_creates_deployment_and_service(preview, run, fake_k8s):
    shown, _ = await _previewed_run(
        preview, run, fake_k8s, "k8s_deploy_stack", stack="redis", name="cache", namespace="prod"
    )
    assert "+ Deployment/cache in prod (created)" in shown.text
    assert fake_k8s.get("Deployment", "prod", "cache")["spec"]["template"]["spec"]["containers"][0][
        "image"
    ] == ("redis:7.4")
    assert fake_k8s.get("Service", "prod", "cache") is not None


async def test_postgres_stack_generates_a_password_it_never_shows(preview, run, fake_k8s):
    shown, result = await _previewed_run(
        preview, run, fake_k8s, "k8s_deploy_stack", stack="postgres", name="db", namespace="prod"
    )
    secret = fake_k8s.get("Secret", "prod", "db-auth")
    assert secret is not None
    import base64

    stored = (
        secret.get("stringData", {}).get("password") or base64.b64decode(secret["data"]["password"]).decode()
    )
    assert len(stored) >= 24
    assert stored not in result.text and stored not in shown.text
    again = await run("k8s_deploy_stack", stack="postgres", name="db", namespace="prod")
    assert "secret/db-auth exists and is kept" in again.text
