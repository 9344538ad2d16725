"""What the watch reports for each kind: crash loops, image pulls, OOM kills and unschedulable pods;
stuck rollouts; nodes not ready or under pressure; failed Jobs; Warning Events (never Normal ones).
Every state signal recovers when the object is healthy or gone; messages are redacted."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from tests.fake_k8s import builders as b
from tests.fake_k8s.planted import PLANTED_VALUES
from tests.fake_k8s.podstatus import pod_status
from tools.kubernetes.signals import classify

NOW = dt.datetime(2026, 12, 2, 12, 0, tzinfo=dt.UTC)


def firing(resource: str, obj: dict[str, Any], event: str = "MODIFIED") -> dict[str, int]:
    return {s.key.reason: s.count for s in classify(resource, event, obj, cluster="c1", now=NOW) if s.firing}  # type: ignore[arg-type]


def pod(mode: str, restarts: int = 0) -> dict[str, Any]:
    container = b.container("app", "ghcr.io/example/app:1.0")
    status = pod_status({"containers": [container]}, mode=mode, restarts=restarts)  # type: ignore[arg-type]
    obj = b.pod("app-1", "prod", containers=[container], labels={}, node_name="node-1", status=status)
    obj["metadata"]["uid"] = "uid-app-1"
    return obj


@pytest.mark.parametrize(
    ("mode", "expected"),
    [
        ("crashloop", {"CrashLoopBackOff": 7}),
        ("imagepull", {"ImagePullBackOff": 1}),
        ("pending", {"Unschedulable": 1}),
        ("running", {}),
        ("unready", {}),
        ("oomkilled", {}),  # killed once, back up and ready: not an open problem
    ],
)
def test_pod_states(mode: str, expected: dict[str, int]) -> None:
    assert firing("pods", pod(mode, restarts=7)) == expected


def test_an_oom_killed_container_that_is_not_back_fires_with_its_restarts() -> None:
    obj = pod("oomkilled", restarts=4)
    obj["status"]["containerStatuses"][0]["ready"] = False
    signals = classify("pods", "MODIFIED", obj, cluster="c1", now=NOW)
    (oom,) = [s for s in signals if s.firing]
    assert (oom.key.reason, oom.count, oom.source) == ("OOMKilled", 4, "uid-app-1")
    assert oom.key.text() == "c1:Pod/prod/app-1:OOMKilled"
    assert oom.message == "app: killed for running out of memory"


def test_every_reason_recovers_when_the_object_goes() -> None:
    signals = classify("pods", "DELETED", pod("crashloop"), cluster="c1", now=NOW)
    assert {s.key.reason for s in signals} == {
        "CrashLoopBackOff",
        "ImagePullBackOff",
        "OOMKilled",
        "Unschedulable",
    }
    assert not any(s.firing for s in signals)


def test_a_stuck_rollout_and_a_replica_failure() -> None:
    deployment = b.deployment("web", "prod", replicas=2, containers=[b.container("web", "nginx:1.27")])
    deployment["status"] = {
        "conditions": [
            {
                "type": "Progressing",
                "status": "False",
                "reason": "ProgressDeadlineExceeded",
                "message": "timed out",
            },
            {
                "type": "ReplicaFailure",
                "status": "True",
                "reason": "FailedCreate",
                "message": "quota exceeded",
            },
        ]
    }
    assert firing("deployments", deployment) == {"ProgressDeadlineExceeded": 1, "ReplicaFailure": 1}
    deployment["status"]["conditions"] = [
        {"type": "Progressing", "status": "True", "reason": "NewReplicaSetAvailable"}
    ]
    assert firing("deployments", deployment) == {}


def test_nodes_not_ready_or_under_pressure() -> None:
    assert firing("nodes", b.node("n1", ready=True, ip="10.0.0.1")) == {}
    assert firing("nodes", b.node("n2", ready=False, memory_pressure=True, ip="10.0.0.2")) == {
        "NotReady": 1,
        "MemoryPressure": 1,
    }
    (signal,) = [
        s
        for s in classify("nodes", "ADDED", b.node("n3", ready=False, ip="x"), cluster="c1", now=NOW)
        if s.firing
    ]
    assert signal.key.namespace == "" and signal.key.kind == "Node"


def test_a_failed_job() -> None:
    job = {
        "metadata": {"name": "backup", "namespace": "ops", "uid": "u"},
        "status": {"conditions": [{"type": "Failed", "status": "True", "reason": "BackoffLimitExceeded"}]},
    }
    (signal,) = [s for s in classify("jobs", "MODIFIED", job, cluster="c1", now=NOW) if s.firing]
    assert (signal.key.reason, signal.message) == ("Failed", "BackoffLimitExceeded")


def test_warning_events_fire_with_their_own_count_and_normal_ones_say_nothing() -> None:
    event = b.event(
        "prod", kind="Pod", name="web-1", reason="BackOff", message="Back-off restarting", count=12
    )
    event["metadata"]["uid"] = "ev-1"
    (signal,) = classify("events", "ADDED", event, cluster="c1", now=NOW)
    assert (signal.key.kind, signal.key.name, signal.key.reason, signal.count, signal.source) == (
        "Pod",
        "web-1",
        "BackOff",
        12,
        "ev-1",
    )
    assert signal.at == dt.datetime.fromisoformat(event["lastTimestamp"])  # the event's own time
    normal = b.event("prod", kind="Pod", name="web-1", reason="Pulled", message="ok", warning=False)
    assert classify("events", "ADDED", normal, cluster="c1", now=NOW) == []
    assert classify("events", "DELETED", event, cluster="c1", now=NOW) == []  # expiry is not recovery


def test_messages_from_the_cluster_are_redacted() -> None:
    secret = next(iter(PLANTED_VALUES))
    event = b.event(
        "prod", kind="Pod", name="web-1", reason="Failed", message=f"env DB_PASSWORD={secret} refused"
    )
    (signal,) = classify("events", "ADDED", event, cluster="c1", now=NOW)
    assert secret not in signal.message and "REDACTED" in signal.message
