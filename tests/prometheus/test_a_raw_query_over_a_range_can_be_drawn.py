"""`prom_query` with `chart` draws the range of any PromQL expression as a PNG (the alert card's chart);
a chart without a range is refused before any query is sent."""

from __future__ import annotations

import io

import pytest
from PIL import Image
from pydantic import ValidationError

from tests.fake_prometheus.server import FakePrometheus, FakeSeries
from tests.prometheus.conftest import PromOps
from tools.base import Status
from tools.prometheus.chart import HEIGHT_PX, WIDTH_PX


async def test_a_query_over_a_range_comes_with_its_chart(
    prom: PromOps, fake_prometheus: FakePrometheus
) -> None:
    fake_prometheus.answer(
        "kube_pod_container_status_restarts_total",
        series=[FakeSeries({"namespace": "prod", "pod": "api-1"}, lambda t: 3.0)],
    )
    expr = 'increase(kube_pod_container_status_restarts_total{namespace="prod"}[5m]) > 0'
    result = await prom("prom_query", query=expr, since="1h", chart=True)
    assert result.status is Status.OK, result.text
    (png,) = result.files
    assert png.mime == "image/png" and png.filename == "query-1h.png"
    assert Image.open(io.BytesIO(png.content)).size == (WIDTH_PX, HEIGHT_PX)
    assert "namespace=prod, pod=api-1" in result.text and "chart: query-1h.png" in result.text
    (asked,) = [r for r in fake_prometheus.requests if r.path == "/api/v1/query_range"]
    assert asked.params["query"] == expr


async def test_without_chart_the_range_is_figures_only(
    prom: PromOps, fake_prometheus: FakePrometheus
) -> None:
    fake_prometheus.answer("up", series=[FakeSeries({"job": "api"}, lambda t: 1.0)])
    result = await prom("prom_query", query="up", since="1h")
    assert result.status is Status.OK and result.files == ()


async def test_a_chart_needs_a_range(prom: PromOps, fake_prometheus: FakePrometheus) -> None:
    with pytest.raises(ValidationError, match="a chart needs a range"):
        await prom("prom_query", query="up", chart=True)
    assert fake_prometheus.requests == []
