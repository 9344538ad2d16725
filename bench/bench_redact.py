"""Time `redact_text` on 1 MB of realistic logs and on adversarial inputs; prints the figures.

Run: `python bench/bench_redact.py`. The target is under 0.5 s per MB on the
2-core development box. This is a measurement, not a test: it asserts nothing.
"""

from __future__ import annotations

import json
import random
import time
from collections.abc import Callable

from tools.budget import estimate_tokens
from tools.redact import redact_object, redact_text

MB = 1_000_000


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
}


def timed(fn: Callable[[], object]) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def main() -> None:
    text = realistic_logs()
    print(f"redact_text, 1 MB realistic logs: {timed(lambda: redact_text(text)):.3f} s")
    print(f"estimate_tokens, 1 MB: {timed(lambda: estimate_tokens(text)):.3f} s")
    objs = [
        {"kind": "Pod", "metadata": {"name": f"p{i}"}, "spec": {"env": [{"name": "A", "value": "b"}]}}
        for i in range(2000)
    ]
    print(f"redact_object, 2000 small pods: {timed(lambda: redact_object(objs)):.3f} s")
    for name, sample in ADVERSARIAL.items():
        seconds = timed(lambda s=sample: redact_text(s))
        print(f"redact_text, adversarial {name!r} ({len(sample) // 1000} kB): {seconds:.3f} s")


if __name__ == "__main__":
    main()
