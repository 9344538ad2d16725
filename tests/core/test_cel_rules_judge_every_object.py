"""CEL policy rules judge each object a change touches: deny, require a role, require approvers.

Through the real path: `!apply` in the router, the Kubernetes operations against the fake
API (its server-side dry run gives `object`), approvals stored on SQLite and PostgreSQL.
"""

from __future__ import annotations

from typing import Any

from bot.app import App, build_app
from bot.domain.models import ButtonAction, IncomingMessage, Principal
from storage.records import ApprovalState
from tests.core.fixtures import make_config
from tests.core.helpers import slack_roles
from tests.fake_k8s.server import FakeKubernetes
from tools.kubernetes.clusters import ClusterSet

LATEST = "object.spec.template.spec.containers.exists(c, c.image.endsWith(':latest'))"


def deployment(*, image: str = "nginx:1.25.3", replicas: int = 2, labels: str = "{app: web}") -> str:
    return f"""
apiVersion: apps/v1
kind: Deployment
metadata: {{name: web, namespace: prod, labels: {labels}}}
spec:
  replicas: {replicas}
  selector: {{matchLabels: {{app: web}}}}
  template:
    metadata: {{labels: {{app: web}}}}
    spec:
      containers: [{{name: nginx, image: "{image}"}}]
"""


def say(app: App, user: str, manifest: str) -> Any:
    person = Principal("slack", user, user)
    return app.router.handle(IncomingMessage(person, "C1", f"!apply -n prod\n```\n{manifest}\n```"))


def click(app: App, user: str, approval_id: str) -> Any:
    return app.router.handle_button(
        principal=Principal("slack", user, user),
        action=ButtonAction.APPROVE,
        approval_id=approval_id,
        channel="C1",
        thread=None,
    )


async def open_bot(url: str, clusters: ClusterSet, rules: list[dict[str, Any]]) -> App:
    policy = {**slack_roles(admins=["UA1", "UA2"], operators=["UOP", "UOP2"]), "rules": rules}
    return await build_app(make_config(url, policy=policy), clusters=clusters)


def web_image(fake_k8s: FakeKubernetes) -> str:
    web = fake_k8s.get("Deployment", "prod", "web")
    assert web is not None
    return str(web["spec"]["template"]["spec"]["containers"][0]["image"])


async def test_a_deny_rule_refuses_with_its_message_and_files_nothing(
    database_url: str, fake_k8s: FakeKubernetes, fake_cluster_set: ClusterSet
) -> None:
    rule = {
        "expression": LATEST,
        "namespace": "prod",
        "kinds": ["Deployment"],
        "effect": "deny",
        "message": "images tagged :latest are not allowed in prod",
    }
    app = await open_bot(database_url, fake_cluster_set, [rule])
    try:
        fake_k8s.reset_requests()
        refused = (await say(app, "UOP", deployment(image="nginx:latest")))[0]
        assert refused.approval_id is None
        assert "images tagged :latest are not allowed in prod" in refused.text
        assert "Deployment/web in prod" in refused.text
        assert fake_k8s.mutations() == []
        assert await app.store.list_approvals(states=[ApprovalState.PENDING]) == []
        # The same Deployment with a pinned tag is judged on its own object and goes ahead.
        card = (await say(app, "UOP", deployment(image="nginx:1.27.0")))[0]
        assert card.approval_id, card.text
        await click(app, "UOP", card.approval_id)
        assert web_image(fake_k8s) == "nginx:1.27.0"
    finally:
        await app.close()


async def test_a_require_role_rule_rechecks_the_requester_and_every_approver(
    database_url: str, fake_k8s: FakeKubernetes, fake_cluster_set: ClusterSet
) -> None:
    rule = {
        "expression": "object.spec.replicas > 5 && oldObject != null && oldObject.spec.replicas <= 5",
        "effect": "require_role",
        "role": "admin",
        "message": "scaling a Deployment past five replicas",
    }
    app = await open_bot(database_url, fake_cluster_set, [rule])
    try:
        refused = (await say(app, "UOP", deployment(replicas=8)))[0]
        assert refused.approval_id is None
        assert (
            "scaling a Deployment past five replicas" in refused.text
            and "needs the admin role" in refused.text
        )
        card = (await say(app, "UA1", deployment(replicas=8)))[0]
        assert card.approval_id, card.text
        record = await app.store.get_approval(card.approval_id)
        assert record is not None and "approvers must be admin" in record.preview
        not_enough, _ = await click(app, "UOP", card.approval_id)
        assert "policy rule" in not_enough.text and "admin" in not_enough.text
        record = await app.store.get_approval(card.approval_id)
        assert record is not None and record.state is ApprovalState.PENDING and not record.approvers
        pending_for_operator = await app.desk.pending_for(Principal("slack", "UOP2", "UOP2"))
        assert card.approval_id not in {r.id for r in pending_for_operator}
        await click(app, "UA2", card.approval_id)
        web = fake_k8s.get("Deployment", "prod", "web")
        assert web is not None and web["spec"]["replicas"] == 8
    finally:
        await app.close()


async def test_a_require_approvers_rule_raises_how_many_must_approve(
    database_url: str, fake_k8s: FakeKubernetes, fake_cluster_set: ClusterSet
) -> None:
    rule = {
        "expression": "request.operation == 'UPDATE' && has(object.metadata.labels.tier) "
        "&& object.metadata.labels.tier == 'critical'",
        "effect": "require_approvers",
        "approvers": 2,
        "message": "critical workloads need four eyes",
    }
    app = await open_bot(database_url, fake_cluster_set, [rule])
    try:
        critical = deployment(image="nginx:1.27.1", labels="{app: web, tier: critical}")
        card = (await say(app, "UOP", critical))[0]
        assert card.approval_id, card.text
        record = await app.store.get_approval(card.approval_id)
        assert record is not None and record.approvals_needed == 2
        first, _ = await click(app, "UOP", card.approval_id)
        assert "needs 1 more" in first.text
        assert web_image(fake_k8s) == "nginx:1.25.3"
        await click(app, "UOP2", card.approval_id)
        assert web_image(fake_k8s) == "nginx:1.27.1"
    finally:
        await app.close()
