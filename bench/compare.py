"""What every bench shares: alternate a figure with its floor, print the ratio with its spread.

A figure means little on a box shared with other work; its ratio to a floor
measured in the same run, side by side, does. `alternate_async()` runs the two sides
in turn (figure, floor, floor, figure, ...) so a busy moment hits both, and
`Ratios` prints min / median / max of each side and of the per-repeat ratio.
`peak_mb()` reads a process's own peak resident memory (VmHWM) from /proc;
`launch_with_peak()` runs a Python child that writes its own VmHWM when it
exits, so the figure is the child's, not the parent's `ru_maxrss`.
"""

from __future__ import annotations

import dataclasses
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable, Sequence
from pathlib import Path

PEAK_LAUNCHER = Path(__file__).resolve().with_name("peak_launcher.py")


def spread(values: Sequence[float], fmt: str = "{:.2f}") -> str:
    """`min / median / max` of `values`."""
    low, mid, high = min(values), statistics.median(values), max(values)
    return f"{fmt.format(low)} / {fmt.format(mid)} / {fmt.format(high)}"


def percentile(values: Sequence[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


@dataclasses.dataclass
class Ratios:
    """One figure and its floor over repeats; `higher_is_better` for rates (appends/s)."""

    name: str
    unit: str
    higher_is_better: bool = False
    figure: list[float] = dataclasses.field(default_factory=list)
    floor: list[float] = dataclasses.field(default_factory=list)

    def add(self, figure: float, floor: float) -> None:
        self.figure.append(figure)
        self.floor.append(floor)

    @property
    def ratios(self) -> list[float]:
        return [f / b if b else float("inf") for f, b in zip(self.figure, self.floor, strict=True)]

    @property
    def median_ratio(self) -> float:
        return statistics.median(self.ratios)

    def verdict(self, target: float) -> str:
        """`ok` or `MISSES`: the median ratio against `target` (>= for rates, <= for costs)."""
        ratio = self.median_ratio
        good = ratio >= target if self.higher_is_better else ratio <= target
        sign = ">=" if self.higher_is_better else "<="
        return f"target {sign} {target:g}x: {'ok' if good else 'MISSES'}"

    def line(self, target: float | None = None, fmt: str = "{:.2f}") -> str:
        tail = f"  {self.verdict(target)}" if target is not None else ""
        return (
            f"{self.name}: figure {spread(self.figure, fmt)} {self.unit} | floor {spread(self.floor, fmt)} "
            f"{self.unit} | ratio {spread(self.ratios)} (min/median/max of {len(self.ratios)}){tail}"
        )


async def alternate_async(
    repeats: int, figure: Callable[[], Awaitable[float]], floor: Callable[[], Awaitable[float]]
) -> tuple[list[float], list[float]]:
    """Run both sides `repeats` times, swapping which goes first each repeat."""
    figures: list[float] = []
    floors: list[float] = []
    for i in range(repeats):
        if i % 2 == 0:
            figures.append(await figure())
            floors.append(await floor())
        else:
            floors.append(await floor())
            figures.append(await figure())
    return figures, floors


def peak_mb(pid: int) -> float | None:
    """The process's own peak resident set (VmHWM) in MB, or None once it has exited."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return None
    for line in status.splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return None


def children(pid: int) -> list[int]:
    """The process's direct children (from every thread's `/proc/<pid>/task/<tid>/children`)."""
    found: list[int] = []
    try:
        tasks = list(Path(f"/proc/{pid}/task").iterdir())
    except OSError:
        return found
    for task in tasks:
        try:
            found += [int(c) for c in (task / "children").read_text().split()]
        except OSError:
            continue
    return found


def peak_mb_with_children(pid: int) -> float | None:
    """`peak_mb` of the process plus its direct children's (e.g. `chatops run` and its Slack ack server)."""
    own = peak_mb(pid)
    if own is None:
        return None
    return own + sum(peak_mb(child) or 0.0 for child in children(pid))


@dataclasses.dataclass(frozen=True)
class ChildRun:
    wall_s: float
    peak_mb: float
    output: str
    returncode: int


def launch_with_peak(argv: Sequence[str], *, stdin: bytes, cwd: Path, workdir: Path) -> ChildRun:
    """Run `python <argv>` through the launcher; wall time from spawn to exit and the child's VmHWM."""
    out_path = workdir / "child-out.txt"
    peak_path = workdir / "child-peak.txt"
    peak_path.unlink(missing_ok=True)
    env = {**os.environ, "BENCH_PEAK_FILE": str(peak_path)}
    with out_path.open("wb") as out:
        started = time.perf_counter()
        child = subprocess.run(
            [sys.executable, str(PEAK_LAUNCHER), *argv],
            cwd=cwd,
            input=stdin,
            stdout=out,
            stderr=subprocess.STDOUT,
            env=env,
            check=False,
        )
        wall = time.perf_counter() - started
    peak = float(peak_path.read_text()) if peak_path.exists() else float("nan")
    return ChildRun(wall, peak, out_path.read_text(), child.returncode)
