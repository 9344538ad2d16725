"""Statefulset and daemonset history and rollback through their ControllerRevisions."""

from __future__ import annotations

from kubernetes.client import AppsV1Api

from tools.base import Status

from .conftest import context


def set_image(api_client, name: str, image: str) -> None:
    body = {"spec": {"template": {"spec": {"containers": [{"name": "redis", "image": image}]}}}}
    AppsV1Api(api_client).patch_namespaced_stateful_set(name, "prod", body)


async def test_history_preview_rollback_and_undo(run, preview, fake_k8s, fake_api_client):
    await_thread = __import__("asyncio").to_thread
    # The seeded statefulset runs redis:7.2 (revision 1); two changes make revisions 2 and 3.
    await await_thread(set_image, fake_api_client, "redis", "redis:6.0")
    await await_thread(set_image, fake_api_client, "redis", "redis:6.2")
    history = await run("k8s_rollout_history", kind="statefulset", name="redis", namespace="prod")
    assert history.status is Status.OK
    assert [row[:2] for row in history.table.rows] == [
        ("3", "redis:6.2"),
        ("2", "redis:6.0"),
        ("1", "redis:7.2"),
    ]

    fake_k8s.reset_requests()
    shown = await preview("k8s_rollback_statefulset", name="redis", namespace="prod")
    assert shown.text.splitlines() == [
        "statefulset/redis in fake / prod: revision 3 (redis:6.2) → revision 2 (redis:6.0)",
        "~ StatefulSet/redis in prod (changed)",
        "    spec.template.spec.containers[redis].image: redis:6.2 → redis:6.0",
    ]
    assert not fake_k8s.mutations()

    result = await run(
        "k8s_rollback_statefulset", name="redis", namespace="prod", ctx=context(binding=dict(shown.binding))
    )
    assert result.status is Status.OK, result.text
    sts = fake_k8s.get("StatefulSet", "prod", "redis")
    assert sts["spec"]["template"]["spec"]["containers"][0]["image"] == "redis:6.0"
    assert result.undo.operation == "k8s_rollback_statefulset" and result.undo.args["revision"] == 3


async def test_stale_binding_and_missing_revision(run, preview, fake_k8s, fake_api_client):
    await_thread = __import__("asyncio").to_thread
    await await_thread(set_image, fake_api_client, "redis", "redis:6.0")
    same = await preview("k8s_rollback_statefulset", name="redis", namespace="prod", revision=2)
    assert not same.ok and "already at revision 2" in same.text
    shown = await preview("k8s_rollback_statefulset", name="redis", namespace="prod", revision=9)
    assert not shown.ok and "no revision 9; known revisions: 2, 1" in shown.text
    good = await preview("k8s_rollback_statefulset", name="redis", namespace="prod")
    await await_thread(set_image, fake_api_client, "redis", "redis:6.4")  # changed after approval
    result = await run(
        "k8s_rollback_statefulset", name="redis", namespace="prod", ctx=context(binding=dict(good.binding))
    )
    assert result.status is Status.ERROR and "changed since approval" in result.text


async def test_daemonset_without_recorded_revisions_says_so(run, fake_k8s):
    result = await run("k8s_rollout_history", kind="daemonset", name="node-exporter", namespace="kube-system")
    assert result.status is Status.NO_DATA and "no history" in result.text
