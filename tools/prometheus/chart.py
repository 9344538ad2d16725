"""Charts as PNG images: usage lines, request/limit lines, rollout markers.

matplotlib is imported here and only when a chart is drawn (plain `chatops
chat` never pays for it), with the headless Agg backend. Called through
`asyncio.to_thread` by the operations, so drawing never blocks the event
loop. The picture has an opaque light background with dark ink, which reads
the same in dark and light chat clients; its size is capped.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
from collections.abc import Sequence
from typing import Any
from zoneinfo import ZoneInfo

from tools.prometheus.summarise import Series, figure

WIDTH_PX, HEIGHT_PX, DPI = 1200, 600, 100
MAX_BYTES = 1_500_000
_COLOURS = (  # twenty distinct inks on white; none is the rollout marker's or the reference lines' grey
    "#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#17becf", "#bcbd22", "#aec7e8",
    "#ff9896", "#98df8a", "#c5b0d5", "#ffbb78", "#c49c94", "#9edae5", "#dbdb8d", "#393b79", "#637939",
    "#8c6d31", "#843c39",
)  # fmt: skip


class ChartTooLarge(Exception):
    pass


@dataclasses.dataclass(frozen=True)
class Marker:
    when: dt.datetime
    label: str


@dataclasses.dataclass(frozen=True)
class ChartSpec:
    title: str
    unit: str
    usage: tuple[Series, ...]
    references: tuple[Series, ...] = ()
    markers: tuple[Marker, ...] = ()
    time_zone: str = "UTC"


def render_png(spec: ChartSpec) -> bytes:
    """Draw the chart; returns PNG bytes (blocking: run it in a thread)."""
    import matplotlib

    matplotlib.use("Agg", force=True)
    import matplotlib.dates as mdates
    from matplotlib.figure import Figure
    from matplotlib.ticker import FuncFormatter

    zone = ZoneInfo(spec.time_zone)
    fig = Figure(figsize=(WIDTH_PX / DPI, HEIGHT_PX / DPI), dpi=DPI, facecolor="white")
    # matplotlib's stubs do not take datetimes for the x axis, which it plots fine.
    ax: Any = fig.add_subplot()
    dates: Any = mdates
    ax.set_facecolor("white")
    for index, series in enumerate(spec.usage[: len(_COLOURS)]):
        times = [t.astimezone(zone) for t, _ in series.points]
        ax.plot(
            times, [v for _, v in series.points], color=_COLOURS[index], linewidth=1.6, label=series.label
        )
    for index, series in enumerate(spec.references):
        times = [t.astimezone(zone) for t, _ in series.points]
        ax.plot(
            times,
            [v for _, v in series.points],
            color="#444444" if index else "#888888",
            linestyle="--",
            linewidth=1.2,
            label=series.label,
        )
    for marker in spec.markers:
        ax.axvline(marker.when.astimezone(zone), color="#e377c2", linestyle=":", linewidth=1.5)
        ax.annotate(
            marker.label,
            xy=(marker.when.astimezone(zone), 1.0),
            xycoords=("data", "axes fraction"),
            xytext=(3, -12),
            textcoords="offset points",
            fontsize=8,
            color="#a0306e",
        )
    ax.set_title(spec.title, fontsize=12)
    ax.set_xlabel(f"time ({spec.time_zone})")
    ax.set_ylabel(spec.unit)
    ax.yaxis.set_major_formatter(FuncFormatter(lambda value, _pos: figure(value, spec.unit)))
    ax.xaxis.set_major_formatter(dates.DateFormatter("%m-%d %H:%M", tz=zone))
    ax.grid(True, color="#dddddd", linewidth=0.6)
    ax.set_ylim(bottom=0)
    if spec.usage or spec.references:
        ax.legend(loc="upper left", fontsize=8, framealpha=0.9)
    fig.autofmt_xdate()
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", facecolor="white")
    data = buffer.getvalue()
    if len(data) > MAX_BYTES:
        raise ChartTooLarge(f"the chart image is {len(data)} bytes, over the {MAX_BYTES}-byte cap")
    return data


def chart_series_limit(usage: Sequence[Series]) -> tuple[Series, ...]:
    """At most as many usage lines as there are colours: the highest peaks."""
    ranked = sorted(usage, key=lambda s: -((s.stats() or (0.0, 0.0, 0.0, 0.0))[2]))
    return tuple(ranked[: len(_COLOURS)])
