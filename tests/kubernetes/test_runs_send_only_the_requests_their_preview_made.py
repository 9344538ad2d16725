"""The request ledger: a run sends only the requests (method, path, body) its preview's dry run made."""

from __future__ import annotations

from tools.base import Status
from tools.ledger import enforcing, recording

from .conftest import context


async def test_a_run_sends_exactly_the_requests_its_dry_run_made(preview, run, fake_k8s):
    with recording() as ledger:
        shown = await preview("k8s_scale_deployment", name="web", namespace="prod", replicas=3)
    assert len(ledger.seen) == 1 and fake_k8s.mutations() == []
    with enforcing(ledger.seen) as enforced:
        result = await run(
            "k8s_scale_deployment",
            name="web",
            namespace="prod",
            replicas=3,
            ctx=context(binding=dict(shown.binding)),
        )
    assert result.status is Status.OK, result.text
    assert enforced.seen == ledger.seen and len(fake_k8s.mutations()) == 1


async def test_a_request_the_preview_did_not_make_is_never_sent(preview, run, fake_k8s):
    with recording() as ledger:
        shown = await preview("k8s_scale_deployment", name="web", namespace="prod", replicas=3)
    with enforcing(ledger.seen):  # approved: 3 replicas; the run is asked for 0
        result = await run(
            "k8s_scale_deployment",
            name="web",
            namespace="prod",
            replicas=0,
            ctx=context(binding=dict(shown.binding)),
        )
    assert result.status is Status.ERROR
    assert "is not a request the approved preview made; it was not sent" in result.text
    assert fake_k8s.mutations() == []
    assert fake_k8s.get("Deployment", "prod", "web")["spec"]["replicas"] == 2


async def test_a_drain_evicts_only_the_pods_its_preview_dry_ran(preview, run, fake_k8s):
    with recording() as ledger:
        shown = await preview("k8s_drain_node", name="node-1")
    evictions = [r for r in fake_k8s.requests if r.path.endswith("/eviction")]
    assert evictions and all(r.dry_run for r in evictions)
    with enforcing(ledger.seen):
        result = await run("k8s_drain_node", name="node-1", ctx=context(binding=dict(shown.binding)))
    assert result.status is Status.OK, result.text
    sent = [r for r in fake_k8s.mutations() if r.path.endswith("/eviction")]
    assert len(sent) == len(evictions)
