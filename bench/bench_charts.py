"""Charts and range summaries: render time, the memory the plotting library adds, summary tokens.

Prints, and asserts nothing:
- p50 / p90 time to render a 7-day chart of 20 series (1,100 points each, the points a chart
  query asks for) plus request and limit lines and two rollout markers, over repeats;
- the peak RSS a fresh process adds by importing matplotlib and drawing that chart (VmHWM of
  the child from /proc, before and after), so a plain `chatops chat` (which never imports it) does
  not pay it;
- the tokens of the summarised range result for 500 series (o200k via `bpe_openai` when importable,
  else the bot's own estimate, saying which), against the raw points it replaces.

Run from the repository root: python bench/bench_charts.py [--repeats 9]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import math
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tools.budget import estimate_tokens
from tools.prometheus.chart import ChartSpec, Marker, render_png
from tools.prometheus.summarise import Series, summarise_range

POINTS = 1100
START = dt.datetime(2026, 11, 24, tzinfo=dt.UTC)
STEP = dt.timedelta(days=7) / POINTS


def series(index: int, points: int = POINTS) -> Series:
    values = tuple(
        (START + STEP * i, 0.2 + 0.05 * index + 0.1 * math.sin(i / 50 + index)) for i in range(points)
    )
    return Series(f"pod=web-{index:02d}", values)


def chart_spec(count: int = 20) -> ChartSpec:
    flat = lambda value: Series("x", tuple((START + STEP * i, value) for i in range(POINTS)))  # noqa: E731
    return ChartSpec(
        title="cpu of deployment web in prod",
        unit="cores",
        usage=tuple(series(i) for i in range(count)),
        references=(
            Series("requests", flat(0.5).points),
            Series("limits", flat(1.5).points),
        ),
        markers=(
            Marker(START + dt.timedelta(days=2), "rollout rev 7"),
            Marker(START + dt.timedelta(days=5), "rollout rev 8"),
        ),
    )


CHILD = """
import json, sys
def hwm():
    for line in open('/proc/self/status'):
        if line.startswith('VmHWM:'):
            return int(line.split()[1]) * 1024
sys.path.insert(0, sys.argv[1])
from bench.bench_charts import chart_spec
before = hwm()
from tools.prometheus.chart import render_png
png = render_png(chart_spec())
print(json.dumps({"before": before, "after": hwm(), "png": len(png)}))
"""


def count_tokens(text: str) -> tuple[int, str]:
    try:
        import bpe_openai

        return len(bpe_openai.get_encoding("o200k_base").encode(text)), "o200k"
    except ImportError:
        return estimate_tokens(text), "estimate"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeats", type=int, default=9)
    args = parser.parse_args()
    root = Path(__file__).resolve().parents[1]

    spec = chart_spec()
    render_png(spec)  # the first draw pays for matplotlib's import and font cache
    times = []
    for _ in range(args.repeats):
        started = time.perf_counter()
        png = render_png(spec)
        times.append(time.perf_counter() - started)
    times.sort()
    print(
        f"render: 7-day chart, 20 series x {POINTS} points + request/limit + 2 rollouts, {len(png):,} bytes PNG"
    )
    print(
        f"  p50 {statistics.median(times) * 1000:.0f} ms, p90 {times[int(len(times) * 0.9) - 1] * 1000:.0f} ms, "
        f"min {times[0] * 1000:.0f} ms, max {times[-1] * 1000:.0f} ms ({args.repeats} repeats)"
    )

    child = subprocess.run(
        [sys.executable, "-c", CHILD, str(root)], capture_output=True, text=True, check=True, cwd=root
    )
    figures = json.loads(child.stdout)
    added = (figures["after"] - figures["before"]) / 1024**2
    print(
        f"memory: a fresh process peaks at {figures['before'] / 1024**2:.0f} MB before matplotlib and "
        f"{figures['after'] / 1024**2:.0f} MB after drawing: +{added:.0f} MB "
        "(imported lazily: plain chats never pay it)"
    )

    many = [series(i, points=240) for i in range(500)]
    text = summarise_range(many, unit="cores", budget_tokens=2000)
    raw = json.dumps([[[p[0].timestamp(), str(p[1])] for p in s.points] for s in many])
    tokens, how = count_tokens(text)
    print(
        f"summary: 500 series x 240 points -> {tokens:,} tokens ({how}); "
        f"the raw points would be about {estimate_tokens(raw):,} tokens (estimate)"
    )


if __name__ == "__main__":
    main()
