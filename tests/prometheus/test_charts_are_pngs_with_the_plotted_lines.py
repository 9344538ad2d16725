"""`!chart` attaches a PNG of the expected size whose lines are the queried series, limit and rollout."""

from __future__ import annotations

import datetime as dt
import io

from PIL import Image

from tests.prometheus.conftest import PromOps
from tools.base import Status
from tools.prometheus.chart import HEIGHT_PX, WIDTH_PX, ChartSpec, Marker, render_png
from tools.prometheus.summarise import Series

USAGE_BLUE = (0x1F, 0x77, 0xB4)
ROLLOUT_PINK = (0xE3, 0x77, 0xC2)


def _colours(png: bytes) -> set[tuple[int, int, int]]:
    image = Image.open(io.BytesIO(png)).convert("RGB")
    return {(colour[0], colour[1], colour[2]) for _, colour in image.getcolors(maxcolors=1 << 20) or []}  # type: ignore[index]


def _near(colours: set[tuple[int, int, int]], wanted: tuple[int, int, int]) -> bool:
    return any(sum(abs(a - b) for a, b in zip(c, wanted, strict=True)) < 12 for c in colours)


async def test_a_chart_is_a_png_carrying_the_usage_and_limit_lines(prom: PromOps) -> None:
    result = await prom(
        "prom_chart", metric="cpu", kind="deployment", name="web", namespace="prod", since="1d"
    )
    assert result.status is Status.OK, result.text
    (png,) = result.files
    assert png.mime == "image/png" and png.filename == "cpu-deployment-web.png"
    image = Image.open(io.BytesIO(png.content))
    assert image.format == "PNG" and image.size == (WIDTH_PX, HEIGHT_PX)
    colours = _colours(png.content)
    assert _near(colours, USAGE_BLUE)  # the usage line was drawn
    assert _near(colours, (0x44, 0x44, 0x44)) and _near(colours, (0x88, 0x88, 0x88))  # limit, request
    assert "chart: cpu-deployment-web.png" in result.text and "max 400m" in result.text


def test_rollout_markers_are_drawn_and_an_empty_chart_has_no_usage_line() -> None:
    now = dt.datetime(2026, 12, 1, 12, tzinfo=dt.UTC)
    points = tuple((now + dt.timedelta(minutes=i), float(i % 7)) for i in range(120))
    spec = ChartSpec(
        title="memory of deployment web",
        unit="bytes",
        usage=(Series("memory", points),),
        markers=(Marker(now + dt.timedelta(minutes=60), "rollout rev 4"),),
        time_zone="Europe/Berlin",
    )
    marked = _colours(render_png(spec))
    assert _near(marked, ROLLOUT_PINK) and _near(marked, USAGE_BLUE)
    empty = _colours(render_png(ChartSpec(title="nothing", unit="cores", usage=())))
    assert not _near(empty, USAGE_BLUE) and not _near(empty, ROLLOUT_PINK)
