"""Range results as a few numbers a person or a model can read: never raw points.

A series becomes min / avg / max / last (and, around a given moment, the
average before and after it); many series become the top N by their peak
plus one line on the rest. Instant results become a short table. The whole
text fits the output budget whatever the number of series.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from tools.budget import estimate_tokens, fit_lines

_DURATION = re.compile(r"^(\d{1,4})([smhdw])$")
_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}
MAX_RANGE = dt.timedelta(days=31)


def parse_duration(text: str) -> dt.timedelta:
    """`30m`, `6h`, `7d`, `2w` → timedelta; raises ValueError with a sentence."""
    match = _DURATION.match(text.strip())
    if not match:
        raise ValueError(f"{text!r} is not a duration; use a number and s, m, h, d or w (e.g. 6h)")
    value = dt.timedelta(seconds=int(match.group(1)) * _SECONDS[match.group(2)])
    if value <= dt.timedelta(0) or value > MAX_RANGE:
        raise ValueError(f"{text!r} is out of range; ask for at most 31 days")
    return value


@dataclasses.dataclass(frozen=True)
class Series:
    """One series of a range result, with its points as (time, value)."""

    label: str
    points: tuple[tuple[dt.datetime, float], ...]

    @property
    def values(self) -> list[float]:
        return [v for _, v in self.points if math.isfinite(v)]

    def stats(self) -> tuple[float, float, float, float] | None:
        values = self.values
        if not values:
            return None
        return min(values), sum(values) / len(values), max(values), values[-1]

    def mean_between(self, start: dt.datetime, end: dt.datetime) -> float | None:
        values = [v for t, v in self.points if start <= t < end and math.isfinite(v)]
        return sum(values) / len(values) if values else None


def series_label(metric: Mapping[str, Any], fallback: str) -> str:
    """`pod=web-1, container=app` from a series' labels (its name left out)."""
    parts = [f"{k}={v}" for k, v in sorted(metric.items()) if k != "__name__"]
    return ", ".join(parts) or str(metric.get("__name__") or fallback)


def to_series(result: Iterable[Mapping[str, Any]], fallback: str) -> list[Series]:
    out = []
    for item in result:
        points = []
        for pair in item.get("values") or []:
            try:
                points.append((dt.datetime.fromtimestamp(float(pair[0]), dt.UTC), float(pair[1])))
            except (TypeError, ValueError, IndexError):
                continue
        out.append(Series(series_label(item.get("metric") or {}, fallback), tuple(points)))
    return out


def figure(value: float, unit: str) -> str:
    """A number in the unit people read it in (cores as millicores, bytes as MiB/GiB)."""
    if not math.isfinite(value):
        return str(value)
    if unit == "cores":
        return f"{value * 1000:.0f}m"
    if unit in ("bytes", "bytes/s"):
        suffix = "/s" if unit == "bytes/s" else ""
        for size, name in ((1024**3, "GiB"), (1024**2, "MiB"), (1024, "KiB")):
            if abs(value) >= size:
                return f"{value / size:.1f} {name}{suffix}"
        return f"{value:.0f} B{suffix}"
    return f"{value:.4g}" if abs(value) < 1e6 else f"{value:.3e}"


def describe_series(series: Series, unit: str, *, around: dt.datetime | None = None) -> str:
    stats = series.stats()
    if stats is None:
        return f"{series.label}: no samples"
    low, mean, high, last = stats
    line = (
        f"{series.label}: min {figure(low, unit)}, avg {figure(mean, unit)}, "
        f"max {figure(high, unit)}, last {figure(last, unit)}"
    )
    if around is not None:
        before = series.mean_between(dt.datetime.min.replace(tzinfo=dt.UTC), around)
        after = series.mean_between(around, dt.datetime.max.replace(tzinfo=dt.UTC))
        if before is not None and after is not None:
            change = f" ({(after - before) / before * 100:+.0f}%)" if before else ""
            line += f"; around {around:%Y-%m-%d %H:%M} UTC avg {figure(before, unit)} → {figure(after, unit)}{change}"
    return line


def summarise_range(
    series: Sequence[Series],
    *,
    unit: str,
    budget_tokens: int,
    around: dt.datetime | None = None,
    top: int = 10,
) -> str:
    """Top series by peak, each as one line of figures; the rest counted, all within the budget."""
    if not series:
        return "no series matched"
    ranked = sorted(series, key=lambda s: -(s.stats() or (0.0, 0.0, -math.inf, 0.0))[2])
    lines = [describe_series(s, unit, around=around) for s in ranked[:top]]
    rest = ranked[top:]
    if rest:
        peaks = [s.stats() for s in rest]
        highest = max((p[2] for p in peaks if p is not None), default=math.nan)
        lines.append(f"… and {len(rest)} more series (the highest of them peaks at {figure(highest, unit)})")
    head = f"{len(series)} series, top {min(top, len(series))} by peak:" if len(series) > 1 else ""
    kept, cut = fit_lines(lines, max(budget_tokens - estimate_tokens(head) - 10, 60), keep="head")
    text = "\n".join([head, *kept] if head else kept)
    return text + (f"\n({cut} lines not shown to stay within the output budget)" if cut else "")


def instant_rows(data: Mapping[str, Any]) -> list[tuple[str, str]]:
    """An instant result (vector, scalar, string) as (labels, value) rows."""
    kind = data.get("resultType")
    result = data.get("result")
    if kind in ("scalar", "string") and isinstance(result, list) and len(result) == 2:
        return [("(scalar)", str(result[1]))]
    rows = []
    for item in result or []:
        if not isinstance(item, dict):
            continue
        value = item.get("value") or [None, ""]
        rows.append((series_label(item.get("metric") or {}, "value"), str(value[1])))
    return rows
