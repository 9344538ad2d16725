"""Requests carry the requester's identity; the authorize hook asks the API first."""

from __future__ import annotations

from tools.base import KubeIdentity, Status

from .conftest import context

BOB = KubeIdentity("bob@example.com", ("dev", "oncall"))


async def test_every_request_carries_one_impersonate_group_line_per_group(run, fake_k8s):
    fake_k8s.reset_requests()
    result = await run("k8s_get", kind="pod", namespace="prod", ctx=context(identity=BOB))
    assert result.status is Status.OK
    assert fake_k8s.requests
    for request in fake_k8s.requests:
        assert request.impersonate_user == "bob@example.com"
        assert request.impersonate_groups == ["dev", "oncall"]  # two raw header lines, not "dev,oncall"


async def test_requests_without_identity_are_not_impersonated(run, fake_k8s):
    fake_k8s.reset_requests()
    await run("k8s_get", kind="pod", namespace="prod")
    assert all(r.impersonate_user is None for r in fake_k8s.requests)


async def test_writes_run_as_the_identity_too(run, fake_k8s):
    fake_k8s.reset_requests()
    await run("k8s_scale_deployment", name="web", namespace="prod", replicas=3, ctx=context(identity=BOB))
    assert fake_k8s.mutations()[0].impersonate_user == "bob@example.com"


async def test_authorize_refuses_with_the_missing_permission(ops, fake_k8s):
    fake_k8s.forbid(user="bob@example.com", verb="delete", resource="pods", namespace="prod")
    op = ops["k8s_delete_pod"]
    refusal = await op.authorize(
        op.parse_args({"name": "batch-oom", "namespace": "prod"}), context(identity=BOB)
    )
    assert (
        refusal
        == "bob@example.com may not delete pods in prod (RBAC): ask a cluster admin for that permission"
    )
    review = fake_k8s.access.reviews[-1]["spec"]
    assert review["user"] == "bob@example.com" and review["groups"] == ["dev", "oncall"]
    assert review["resourceAttributes"] == {
        "verb": "delete",
        "group": "",
        "resource": "pods",
        "namespace": "prod",
        "name": "batch-oom",
    }


async def test_authorize_allows_what_rbac_allows(ops, fake_k8s):
    op = ops["k8s_scale_deployment"]
    assert (
        await op.authorize(
            op.parse_args({"name": "web", "namespace": "prod", "replicas": 1}), context(identity=BOB)
        )
        is None
    )


async def test_authorize_without_identity_asks_nothing(ops, fake_k8s):
    op = ops["k8s_delete_pod"]
    assert await op.authorize(op.parse_args({"name": "x", "namespace": "prod"}), context()) is None
    assert fake_k8s.access.reviews == []


NEW_CONFIGMAP = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: brand-new\ndata:\n  a: b\n"


async def test_apply_of_a_new_object_also_needs_create(ops, fake_k8s):
    fake_k8s.forbid(user="bob@example.com", verb="create", resource="configmaps", namespace="prod")
    op = ops["k8s_apply"]
    refusal = await op.authorize(
        op.parse_args({"namespace": "prod", "manifest": NEW_CONFIGMAP}), context(identity=BOB)
    )
    assert refusal is not None and "may not create configmaps in prod" in refusal
    verbs = [r["spec"]["resourceAttributes"]["verb"] for r in fake_k8s.access.reviews]
    assert verbs == ["patch", "create"]
