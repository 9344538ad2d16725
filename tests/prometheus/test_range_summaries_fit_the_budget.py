"""A range over 500 series is a top-N summary within the output budget, never raw points."""

from __future__ import annotations

from tests.fake_prometheus.server import FakePrometheus, FakeSeries, ValueFn
from tests.prometheus.conftest import PromOps
from tools.budget import estimate_tokens


def constant(value: float) -> ValueFn:
    return lambda t: value


async def test_500_series_become_a_budgeted_summary(prom: PromOps, fake_prometheus: FakePrometheus) -> None:
    fake_prometheus.answers.insert(
        0,
        (
            ("http_requests_total",),
            [FakeSeries({"pod": f"web-{i:03d}", "code": "200"}, constant(float(i))) for i in range(500)],
        ),
    )
    result = await prom("prom_query", query="rate(http_requests_total[5m])", since="7d", budget=600)
    assert result.ok, result.text
    assert estimate_tokens(result.text) <= 600
    lines = result.text.splitlines()
    assert "500 series, top 10 by peak:" in lines[1]
    assert lines[2].startswith("code=200, pod=web-499: min 499")  # the highest peak first
    assert "… and 490 more series (the highest of them peaks at 489)" in result.text
