"""How long the bounded YAML loader takes to refuse a 3.7 KB billion laughs, and to load a normal manifest.

Run: python bench/bench_bounded_yaml.py   (prints its figures; nothing is asserted)
"""

from __future__ import annotations

import contextlib
import statistics
import time

from tools.parsing import ParseRefused, load_yaml_all

ROUNDS = 200


def billion_laughs() -> str:
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for prev, name in zip("abcdefghijkl", "bcdefghijklm", strict=True):
        lines.append(f"{name}: &{name} [" + ",".join([f"*{prev}"] * 10) + "]")
    return "\n".join(lines) + "\n"


MANIFEST = (
    "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web, namespace: prod}\n"
    "spec:\n  replicas: 2\n  selector: {matchLabels: {app: web}}\n  template:\n"
    "    metadata: {labels: {app: web}}\n    spec:\n      containers:\n"
    "      - {name: web, image: 'nginx:1.27', ports: [{containerPort: 80}]}\n"
)


def timed(text: str) -> list[float]:
    samples = []
    for _ in range(ROUNDS):
        started = time.perf_counter()
        with contextlib.suppress(ParseRefused):
            load_yaml_all(text, what="the manifest")
        samples.append((time.perf_counter() - started) * 1000)
    return samples


def main() -> None:
    lol = billion_laughs()
    for label, text in (("billion laughs", lol), ("deployment manifest", MANIFEST)):
        samples = timed(text)
        print(
            f"{label} ({len(text)} bytes): p50 {statistics.median(samples):.2f} ms, "
            f"max {max(samples):.2f} ms over {ROUNDS} rounds"
        )


if __name__ == "__main__":
    main()
