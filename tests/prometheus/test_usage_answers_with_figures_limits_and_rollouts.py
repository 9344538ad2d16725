"""`!usage` answers with figures (min/avg/max/last) against requests and limits, marking rollouts."""

from __future__ import annotations

import datetime as dt

from tests.fake_k8s.server import FakeKubernetes
from tests.fake_prometheus.server import FakePrometheus, FakeSeries
from tests.prometheus.conftest import PromOps
from tools.base import Status


async def test_cpu_of_a_deployment_is_summarised_against_its_request_and_limit(
    prom: PromOps, fake_prometheus: FakePrometheus
) -> None:
    result = await prom("prom_usage", metric="cpu", kind="deploy", name="web", namespace="prod", since="6h")
    assert result.status is Status.OK, result.text
    assert "cpu of deployment web in prod, last 6h (Prometheus main)" in result.text
    used = next(line for line in result.text.splitlines() if line.startswith("cpu used:"))
    assert used.startswith("cpu used: min 200m, avg ") and ", max 400m, last " in used  # 0.2..0.4 cores
    assert "requests: min 100m" in result.text and "limits: min 500m" in result.text
    assert "% of the limits (500m)" in result.text
    # The range was asked once per line, never as raw points to the model.
    ranged = [r for r in fake_prometheus.requests if r.path == "/api/v1/query_range"]
    assert len(ranged) == 3 and not result.files
    assert "[" not in result.text.split("\n", 1)[1].replace("[a-z0-9]", "")


async def test_rollouts_of_the_deployment_are_named_and_compared_around(
    prom: PromOps, fake_prometheus: FakePrometheus, fake_k8s: FakeKubernetes
) -> None:
    rollout = (dt.datetime.now(dt.UTC) - dt.timedelta(hours=2)).replace(microsecond=0)
    for replicaset in fake_k8s.objects("ReplicaSet", "prod"):
        if replicaset["metadata"]["name"].startswith("web-"):
            replicaset["metadata"]["creationTimestamp"] = rollout.strftime("%Y-%m-%dT%H:%M:%SZ")
            fake_k8s.add(replicaset)
    step_at = rollout.timestamp()  # memory doubles at the rollout
    fake_prometheus.answers.insert(
        0,
        (
            ("container_memory_working_set_bytes",),
            [FakeSeries({}, lambda t: 400e6 if t >= step_at else 200e6)],
        ),
    )
    result = await prom(
        "prom_usage", metric="memory", kind="deployment", name="web", namespace="prod", around="rollout"
    )
    assert result.status is Status.OK, result.text
    assert "rollouts: rollout rev 1 at" in result.text
    assert f"around {rollout:%Y-%m-%d %H:%M} UTC avg 190.7 MiB → 381.5 MiB (+100%)" in result.text


async def test_an_unknown_around_is_one_sentence(prom: PromOps) -> None:
    result = await prom(
        "prom_usage", metric="cpu", kind="deployment", name="web", namespace="prod", around="yesterday-ish"
    )
    assert result.status is Status.ERROR
    assert "neither 'rollout', a revision number nor an ISO time" in result.text


async def test_a_name_with_no_series_says_what_to_check(
    prom: PromOps, fake_prometheus: FakePrometheus
) -> None:
    fake_prometheus.answers.clear()
    result = await prom("prom_usage", metric="restarts", kind="pod", name="nosuch", namespace="prod")
    assert result.status is Status.NO_DATA
    assert (
        "no restarts series for pod nosuch" in result.text and "check the name and namespace" in result.text
    )


async def test_bad_arguments_are_refused_before_any_query(
    prom: PromOps, fake_prometheus: FakePrometheus
) -> None:
    op = prom.by_name["prom_usage"]
    for raw in (
        {"metric": "cpu", "kind": "deployment", "name": "web", "since": "forever"},
        {"metric": "cpu", "kind": "deployment", "name": 'web"}) or vector(1', "since": "1h"},
        {"metric": "disk", "kind": "deployment", "name": "web"},
        {"metric": "cpu", "kind": "deployment", "name": "web", "since": "90d"},
    ):
        try:
            op.parse_args(raw)
        except ValueError:
            continue
        raise AssertionError(f"accepted {raw}")
    assert fake_prometheus.requests == []


async def test_raw_promql_instant_and_range(prom: PromOps, fake_prometheus: FakePrometheus) -> None:
    instant = await prom("prom_query", query='sum(container_memory_working_set_bytes{namespace="prod"})')
    assert instant.status is Status.OK and instant.table is not None
    assert instant.table.rows == (("namespace=prod, pod=web-abc", str(300 * 1024**2)),)
    ranged = await prom("prom_query", query="container_cpu_usage_seconds_total", since="1h")
    assert ranged.status is Status.OK and "over the last 1h" in ranged.text and "max" in ranged.text
    start = float(fake_prometheus.requests[-1].params["start"])
    assert abs(dt.datetime.now(dt.UTC).timestamp() - 3600 - start) < 600


async def test_labels_and_alerts(prom: PromOps, fake_prometheus: FakePrometheus) -> None:
    fake_prometheus.label_values["namespace"] = ["default", "prod"]
    fake_prometheus.alert_list = [
        {
            "labels": {"alertname": "KubePodCrashLooping", "severity": "warning"},
            "annotations": {"summary": "Pod prod/api is crash looping"},
            "state": "firing",
            "activeAt": "2026-12-01T10:00:00Z",
        },
        {
            "labels": {"alertname": "HighLatency"},
            "annotations": {},
            "state": "pending",
            "activeAt": "2026-12-01T11:00:00Z",
        },
    ]
    labels = await prom("prom_labels")
    assert "5 label names" in labels.text and "namespace" in labels.text
    values = await prom("prom_labels", label="namespace")
    assert "2 values of namespace" in values.text and "prod" in values.text
    alerts = await prom("prom_alerts")
    assert alerts.text.startswith("1 firing, 1 pending") and alerts.table is not None
    assert alerts.table.rows[0][:3] == ("KubePodCrashLooping", "warning", "firing")
