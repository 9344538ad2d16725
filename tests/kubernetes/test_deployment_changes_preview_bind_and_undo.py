"""Deployment writes: the preview dry-runs and mutates nothing, the run mutates once, undo is filed."""

from __future__ import annotations

from tools.base import Safety, Status

from .conftest import context


def _replicas(fake_k8s, name="web") -> int:
    return int(fake_k8s.get("Deployment", "prod", name)["spec"]["replicas"])


async def test_scale_preview_states_before_and_after_without_mutating(preview, fake_k8s):
    fake_k8s.reset_requests()
    shown = await preview("k8s_scale_deployment", name="web", namespace="prod", replicas=4)
    assert shown.ok
    summary, *diff = shown.text.splitlines()
    assert summary == "deployment/web in fake / prod: replicas 2 → 4; 2 pod(s) will be started"
    assert diff == ["~ Deployment/web in prod (changed)", "    spec.replicas: 2 → 4"]
    assert [(e.action, e.kind, e.name) for e in shown.effects] == [("update", "Deployment", "web")]
    assert shown.binding["resourceVersion"] and shown.binding["uid"]
    assert fake_k8s.mutations() == []
    assert any(r.dry_run and r.method == "PATCH" for r in fake_k8s.requests)
    assert _replicas(fake_k8s) == 2


async def test_scale_run_mutates_once_and_files_the_undo(preview, run, fake_k8s):
    shown = await preview("k8s_scale_deployment", name="web", namespace="prod", replicas=4)
    fake_k8s.reset_requests()
    result = await run(
        "k8s_scale_deployment",
        name="web",
        namespace="prod",
        replicas=4,
        ctx=context(binding=dict(shown.binding)),
    )
    assert result.status is Status.OK, result.text
    assert result.text == "fake / prod\ndeployment/web: replicas 2 → 4"
    assert len(fake_k8s.mutations()) == 1
    assert fake_k8s.mutations()[0].body["metadata"]["resourceVersion"] == shown.binding["resourceVersion"]
    assert _replicas(fake_k8s) == 4
    assert result.undo.operation == "k8s_scale_deployment" and result.undo.args["replicas"] == 2
    assert result.prior_state == {"spec": {"replicas": 2}}


async def test_scale_to_zero_is_destructive(ops):
    op = ops["k8s_scale_deployment"]
    assert op.safety_for(op.parse_args({"name": "web", "replicas": 0})) is Safety.DESTRUCTIVE
    assert op.safety_for(op.parse_args({"name": "web", "replicas": 3})) is Safety.WRITE


async def test_change_since_approval_stops_the_run(preview, run, fake_k8s):
    shown = await preview("k8s_scale_deployment", name="web", namespace="prod", replicas=4)
    await run("k8s_scale_deployment", name="web", namespace="prod", replicas=3)  # someone else, meanwhile
    fake_k8s.reset_requests()
    result = await run(
        "k8s_scale_deployment",
        name="web",
        namespace="prod",
        replicas=4,
        ctx=context(binding=dict(shown.binding)),
    )
    assert result.status is Status.ERROR
    assert "changed since approval" in result.text and "ask again" in result.text
    assert shown.binding["resourceVersion"] in result.text
    assert fake_k8s.mutations() == []
    assert _replicas(fake_k8s) == 3


async def test_conflict_from_the_server_is_reported_as_changed_since_approval(run, fake_k8s):
    """The precondition travels in the patch: a stale resourceVersion gets the server's 409."""
    stale = {"resourceVersion": "1", "uid": ""}
    current = fake_k8s.get("Deployment", "prod", "web")["metadata"]["resourceVersion"]
    result = await run(
        "k8s_scale_deployment", name="web", namespace="prod", replicas=5, ctx=context(binding=stale)
    )
    assert result.status is Status.ERROR
    assert f"resourceVersion 1 → {current}" in result.text


async def test_scale_of_missing_deployment_previews_not_ok_with_suggestion(preview, fake_k8s):
    shown = await preview("k8s_scale_deployment", name="wbe", namespace="prod", replicas=2)
    assert not shown.ok
    assert shown.text == "deployment/wbe was not found in namespace prod on cluster fake; did you mean web?"


async def test_set_image_preview_and_run(preview, run, fake_k8s):
    shown = await preview("k8s_set_image", name="web", namespace="prod", image="nginx:1.27")
    assert shown.text.splitlines() == [
        "deployment/web in fake / prod: container nginx image nginx:1.25.3 → nginx:1.27; "
        "2 pod(s) will be replaced",
        "~ Deployment/web in prod (changed)",
        "    spec.template.spec.containers[nginx].image: nginx:1.25.3 → nginx:1.27",
    ]
    assert fake_k8s.mutations() == []
    result = await run(
        "k8s_set_image",
        name="web",
        namespace="prod",
        image="nginx:1.27",
        ctx=context(binding=dict(shown.binding)),
    )
    assert result.status is Status.OK
    image = fake_k8s.get("Deployment", "prod", "web")["spec"]["template"]["spec"]["containers"][0]["image"]
    assert image == "nginx:1.27"
    assert result.undo.args["image"] == "nginx:1.25.3"


async def test_restart_sets_the_restarted_at_annotation(preview, run, fake_k8s):
    shown = await preview("k8s_restart_deployment", name="web", namespace="prod")
    assert "rolling restart" in shown.text and fake_k8s.mutations() == []
    result = await run(
        "k8s_restart_deployment", name="web", namespace="prod", ctx=context(binding=dict(shown.binding))
    )
    assert result.status is Status.OK
    template = fake_k8s.get("Deployment", "prod", "web")["spec"]["template"]
    assert "kubectl.kubernetes.io/restartedAt" in template["metadata"]["annotations"]


async def test_rollback_returns_to_the_previous_revision(preview, run, fake_k8s):
    await run("k8s_set_image", name="web", namespace="prod", image="nginx:1.27")
    history = await run("k8s_rollout_history", name="web", namespace="prod")
    assert [row[0] for row in history.table.rows] == ["2", "1"]
    shown = await preview("k8s_rollback_deployment", name="web", namespace="prod")
    assert shown.text.splitlines()[0] == (
        "deployment/web in fake / prod: revision 2 (nginx:1.27) → revision 1 (nginx:1.25.3)"
    )
    assert "spec.template.spec.containers[nginx].image: nginx:1.27 → nginx:1.25.3" in shown.text
    fake_k8s.reset_requests()
    result = await run(
        "k8s_rollback_deployment", name="web", namespace="prod", ctx=context(binding=dict(shown.binding))
    )
    assert result.status is Status.OK, result.text
    assert len(fake_k8s.mutations()) == 1
    image = fake_k8s.get("Deployment", "prod", "web")["spec"]["template"]["spec"]["containers"][0]["image"]
    assert image == "nginx:1.25.3"
    assert result.undo.args["revision"] == 2


async def test_rollback_to_unknown_revision_lists_the_known_ones(preview, fake_k8s):
    shown = await preview("k8s_rollback_deployment", name="web", namespace="prod", revision=9)
    assert not shown.ok
    assert "has only revision 1" in shown.text or "known revisions" in shown.text


async def test_pause_and_resume_are_each_others_undo(run, fake_k8s):
    paused = await run("k8s_pause_deployment", name="web", namespace="prod")
    assert fake_k8s.get("Deployment", "prod", "web")["spec"]["paused"] is True
    assert paused.undo.operation == "k8s_resume_deployment"
    status = await run("k8s_rollout_status", name="web", namespace="prod")
    assert "paused" in status.text
    resumed = await run("k8s_resume_deployment", name="web", namespace="prod")
    assert resumed.undo.operation == "k8s_pause_deployment"
    assert not fake_k8s.get("Deployment", "prod", "web")["spec"].get("paused")


async def test_rollout_status_of_a_healthy_deployment_is_complete(run, fake_k8s):
    result = await run("k8s_rollout_status", name="web", namespace="prod")
    assert (
        result.text == "fake / prod\ndeployment/web: rollout complete: 2 of 2 replicas updated and available"
    )


async def test_create_deployment_previews_then_creates(preview, run, fake_k8s):
    args = dict(
        name="shop",
        namespace="prod",
        image="nginx:1.27",
        replicas=2,
        port=80,
        env="MODE=prod",
        labels="team=web",
        memory="128Mi",
    )
    shown = await preview("k8s_create_deployment", **args)
    assert shown.text.startswith("deployment/shop in fake / prod will be created")
    assert fake_k8s.get("Deployment", "prod", "shop") is None
    result = await run("k8s_create_deployment", **args)
    assert result.status is Status.OK
    created = fake_k8s.get("Deployment", "prod", "shop")
    assert created["spec"]["template"]["spec"]["containers"][0]["env"] == [{"name": "MODE", "value": "prod"}]
    assert result.undo.operation == "k8s_delete_deployment"


async def test_delete_deployment_keeps_the_prior_object_and_offers_reapply(preview, run, fake_k8s):
    shown = await preview("k8s_delete_deployment", name="web", namespace="prod")
    assert (
        shown.text
        == "deployment/web in fake / prod will be deleted with its 2 pod(s)\n- Deployment/web in prod (deleted)"
    )
    assert shown.effects[0].action == "delete" and shown.effects[0].new is None
    assert fake_k8s.get("Deployment", "prod", "web") is not None
    fake_k8s.reset_requests()
    result = await run(
        "k8s_delete_deployment", name="web", namespace="prod", ctx=context(binding=dict(shown.binding))
    )
    assert result.status is Status.OK
    delete = fake_k8s.mutations()[0]
    assert delete.method == "DELETE" and delete.body["preconditions"]["uid"] == shown.binding["uid"]
    assert fake_k8s.get("Deployment", "prod", "web") is None
    assert result.prior_state["metadata"]["name"] == "web"
    assert result.undo.operation == "k8s_apply" and "kind: Deployment" in result.undo.args["manifest"]
    reapplied = await run("k8s_apply", **result.undo.args)
    assert reapplied.status is Status.OK, reapplied.text
    assert fake_k8s.get("Deployment", "prod", "web") is not None
