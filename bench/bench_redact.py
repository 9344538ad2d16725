"""Time redaction on realistic logs, adversarial input and a 10,000-pod list; prints the figures.

Run: `python bench/bench_redact.py [BASELINE_COMMIT]`. Each figure is measured
for this tree and for the redaction of BASELINE_COMMIT (default: the commit
before issue #13's redaction work, c83ecf9), whose `tools/` is taken from git
into a temporary directory and timed in a child process on the same inputs.
The two are measured in turns (this tree, the baseline, this tree, …, ROUNDS
each) and the best time of each case is kept, so a burst of load on a shared
machine does not land on one side only.
This is a measurement, not a test: it asserts nothing.
"""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
import tarfile
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BASELINE = "c83ecf9"
MB = 1_000_000
REPEAT = 2
ROUNDS = 3


def realistic_logs(size: int = MB, seed: int = 1) -> str:
    rng = random.Random(seed)
    lines: list[str] = []
    total = 0
    while total < size:
        kind = rng.randrange(6)
        ts = f"2024-05-12T10:{rng.randrange(60):02d}:{rng.randrange(60):02d}.{rng.randrange(10**6):06d}Z"
        if kind == 0:
            line = (
                f"10.0.{rng.randrange(256)}.{rng.randrange(256)} - - [12/May/2024:10:00:11 +0000] "
                f'"GET /api/v1/items/{rng.randrange(10**5)}?page=2 HTTP/1.1" 200 512 "-" "curl/8.5.0"'
            )
        elif kind == 1:
            line = json.dumps(
                {
                    "ts": ts,
                    "level": "info",
                    "msg": "request completed",
                    "latency_ms": rng.random() * 500,
                    "trace_id": f"{rng.getrandbits(128):032x}",
                    "user": "alice",
                }
            )
        elif kind == 2:
            line = f"I0512 10:00:00.000000 1 controller.go:{rng.randrange(999)}] synced default/web-7d4b9c8f6"
        elif kind == 3:
            line = (
                f"{ts} connecting to postgresql://app:hunter{rng.randrange(99)}@db:5432/app password=s3cr3t!"
            )
        elif kind == 4:
            line = f"{ts} WARN token expired for Authorization: Bearer {rng.getrandbits(256):064x}"
        else:
            line = f"{ts} pulled image ghcr.io/acme/web@sha256:{rng.getrandbits(256):064x} in 1.2s"
        lines.append(line)
        total += len(line) + 1
    return "\n".join(lines)[:size]


ADVERSARIAL: dict[str, str] = {
    "base64 run without end": "A1b2" * (MB // 4),
    "secret words without values": "password token secret api_key " * (MB // 30),
    "key= repeated": "token=" * (MB // 6),
    "PEM begins without end": "-----BEGIN RSA PRIVATE KEY-----\n" * (MB // 32),
    "url-like without @": "https://user:" * (MB // 13),
    "eyJ dots": "eyJ." * (MB // 4),
    "one long line of word chars": "a" * MB,
    "quotes never closed": '"password": "' + "x" * MB,
    "vendor keywords without tokens": "glpat- xoxb- AKIA sk_live_ twilio github_pat_ " * (MB // 48),
}


def pod(i: int) -> dict[str, object]:
    """A realistic pod as the API returns it: labels, env, args, probes, resources, status."""
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {
            "name": f"web-7d4b9c8f6-{i:05d}",
            "namespace": "prod",
            "uid": f"5f0c{i:08d}-1a2b-4c3d-8e9f-0123456789ab",
            "resourceVersion": str(100000 + i),
            "labels": {"app": "web", "pod-template-hash": "7d4b9c8f6"},
            "annotations": {"prometheus.io/scrape": "true", "checksum/config": f"{i:064x}"},
        },
        "spec": {
            "containers": [
                {
                    "name": "web",
                    "image": "ghcr.io/acme/web:1.4.2",
                    "args": ["--port", "8080", "--log-level", "info"],
                    "env": [{"name": "MODE", "value": "prod"}, {"name": "DB_HOST", "value": "db"}],
                    "ports": [{"containerPort": 8080, "name": "http"}],
                    "readinessProbe": {"httpGet": {"path": "/healthz", "port": 8080}},
                    "resources": {"requests": {"cpu": "100m", "memory": "128Mi"}},
                }
            ]
        },
        "status": {"phase": "Running", "podIP": f"10.1.{i // 256 % 256}.{i % 256}"},
    }


def best(fn: Callable[[], object]) -> float:
    times = []
    for _ in range(REPEAT):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def measure() -> dict[str, float]:
    """Seconds per case for whichever `tools.redact` is on the import path."""
    from tools.redact import redact_object, redact_text

    redact_text("warm up: load and compile every rule password=x")
    text = realistic_logs()
    pods = {"kind": "PodList", "items": [pod(i) for i in range(10_000)]}
    figures = {"redact_text, 1 MB realistic logs": best(lambda: redact_text(text))}
    figures["redact_object, 10,000-pod list"] = best(lambda: redact_object(pods))
    for name, sample in ADVERSARIAL.items():
        figures[f"redact_text, adversarial {name!r} (1 MB)"] = best(lambda s=sample: redact_text(s))
    return figures


def extract(commit: str, directory: str) -> None:
    """`tools/` of `commit`, written under `directory`."""
    archive = subprocess.run(
        ["git", "-C", str(ROOT), "archive", commit, "tools"], check=True, capture_output=True
    ).stdout
    archive_path = Path(directory) / "tools.tar"
    archive_path.write_bytes(archive)
    with tarfile.open(archive_path) as tar:
        tar.extractall(directory, filter="data")


def measure_in_child(directory: str) -> dict[str, float]:
    """`measure()` for the `tools/` under `directory`, in a child process."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([directory, str(ROOT / "bench")])}
    out = subprocess.run(
        [sys.executable, "-c", "import json, bench_redact; print(json.dumps(bench_redact.measure()))"],
        check=True,
        capture_output=True,
        text=True,
        env=env,
        cwd=directory,
    ).stdout
    return dict(json.loads(out.splitlines()[-1]))


def best_of(runs: list[dict[str, float]]) -> dict[str, float]:
    return {name: min(run[name] for run in runs if name in run) for name in runs[0]}


def main() -> None:
    commit = sys.argv[1] if len(sys.argv) > 1 else BASELINE
    now_runs: list[dict[str, float]] = []
    then_runs: list[dict[str, float]] = []
    with tempfile.TemporaryDirectory() as old_tree:
        extract(commit, old_tree)
        for _ in range(ROUNDS):
            now_runs.append(measure_in_child(str(ROOT)))
            then_runs.append(measure_in_child(old_tree))
    now, then = best_of(now_runs), best_of(then_runs)
    print(f"{'case':<72} {'now':>8} {commit:>8}  change")
    for name, seconds in now.items():
        old = then.get(name)
        rate = f"{MB / seconds / 1e6:6.2f} MB/s" if "MB" in name else ""
        change = f"{(seconds / old - 1) * 100:+5.0f} %" if old else "   new"
        print(f"{name:<72} {seconds:7.3f}s {old if old is None else round(old, 3)!s:>8}  {change}  {rate}")


if __name__ == "__main__":
    main()
