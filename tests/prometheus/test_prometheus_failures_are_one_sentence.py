"""Refused queries, refused credentials, an unreachable or hanging Prometheus: one sentence each."""

from __future__ import annotations

import socket

from tests.fake_prometheus.server import FakePrometheus
from tests.prometheus.conftest import PromOps, settings_for
from tools.base import Status
from tools.kubernetes.clusters import ClusterSet
from tools.prometheus import PrometheusEndpoint, PrometheusSettings, prometheus_operations


async def test_a_promql_error_carries_prometheus_own_message(
    prom: PromOps, fake_prometheus: FakePrometheus
) -> None:
    fake_prometheus.fail(400, "bad_data", 'parse error at char 5: unexpected "}"')
    result = await prom("prom_query", query="up}")
    assert result.status is Status.ERROR
    assert result.text == (
        "prom_query failed: Prometheus main refused the query (bad_data): "
        'parse error at char 5: unexpected "}"; fix the query'
    )


async def test_html_from_a_proxy_is_named(prom: PromOps, fake_prometheus: FakePrometheus) -> None:
    fake_prometheus.failure = (503, "<html><body>Service Unavailable</body></html>")
    result = await prom("prom_usage", metric="cpu", kind="pod", name="web-1", namespace="prod")
    assert "answered HTTP 503 with something that is not its API's JSON" in result.text
    assert "<html>" not in result.text


async def test_the_token_is_sent_and_a_refusal_is_explained(
    fake_prometheus: FakePrometheus, fake_cluster_set: ClusterSet
) -> None:
    fake_prometheus.token = "s3cr3t-prom-token-value"
    good = settings_for(fake_prometheus, bearer_token="s3cr3t-prom-token-value")
    bad = settings_for(fake_prometheus, bearer_token="wrong")
    for settings, ok in ((good, True), (bad, False)):
        (labels,) = [
            op
            for op in prometheus_operations(settings=settings, clusters=fake_cluster_set)
            if op.name == "prom_labels"
        ]
        from tests.prometheus.conftest import context

        result = await labels.run(labels.parse_args({}), context())
        assert result.ok is ok, result.text
        if not ok:
            assert "refused the bot's credentials (HTTP 401)" in result.text
        assert "s3cr3t-prom-token-value" not in result.text
    assert fake_prometheus.requests[0].authorization == "Bearer s3cr3t-prom-token-value"


async def test_an_unreachable_prometheus(fake_cluster_set: ClusterSet) -> None:
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    settings = PrometheusSettings(
        endpoints=(PrometheusEndpoint(name="gone", url=f"http://127.0.0.1:{port}"),)
    )
    ops = {op.name: op for op in prometheus_operations(settings=settings, clusters=fake_cluster_set)}
    from tests.prometheus.conftest import context

    result = await ops["prom_alerts"].run(ops["prom_alerts"].parse_args({}), context())
    assert result.status is Status.ERROR
    assert f"Prometheus gone at http://127.0.0.1:{port} cannot be reached (ConnectError)" in result.text


async def test_a_hanging_prometheus_times_out_with_a_sentence(
    fake_prometheus: FakePrometheus, fake_cluster_set: ClusterSet
) -> None:
    fake_prometheus.hang = True
    settings = settings_for(fake_prometheus, timeout_s=0.2)
    ops = {op.name: op for op in prometheus_operations(settings=settings, clusters=fake_cluster_set)}
    from tests.prometheus.conftest import context

    result = await ops["prom_query"].run(ops["prom_query"].parse_args({"query": "up"}), context())
    assert result.text == (
        "prom_query failed: Prometheus main did not answer within 0.2 s; try a shorter range or try again later"
    )
