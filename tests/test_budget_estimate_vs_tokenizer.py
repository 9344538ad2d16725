"""`estimate_tokens` is never below 90% of the real o200k count, and not wildly above it.

The corpora are built here (seeded) in the shapes tool output takes: pretty
and compact JSON of Kubernetes objects, YAML, kubectl tables, mixed logs,
English prose, and prose in other scripts.
"""

from __future__ import annotations

import json
import random

import pytest
import yaml

from tests.test_redact_text_negative_corpus import DESCRIBE_POD, KUBECTL_GET_PODS, LOG_LINES, POD_YAML
from tools.budget import estimate_tokens
from tools.redact import redact_object

bpe_openai = pytest.importorskip("bpe_openai")
ENCODING = bpe_openai.get_encoding("o200k_base")


def _hex(rng: random.Random, n: int) -> str:
    return "".join(rng.choice("0123456789abcdef") for _ in range(n))


def _pod(rng: random.Random) -> dict[str, object]:
    app = rng.choice(["web", "orders", "payments", "gateway", "search-indexer"])
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {
            "name": f"{app}-{_hex(rng, 9)}-{_hex(rng, 5)}",
            "namespace": rng.choice(["default", "prod", "kube-system"]),
            "uid": f"{_hex(rng, 8)}-{_hex(rng, 4)}-{_hex(rng, 4)}-{_hex(rng, 4)}-{_hex(rng, 12)}",
            "resourceVersion": str(rng.randrange(10**8)),
            "creationTimestamp": f"2024-0{rng.randrange(1, 9)}-1{rng.randrange(10)}T01:15:00Z",
            "labels": {"app": app, "pod-template-hash": _hex(rng, 9)},
        },
        "spec": {
            "containers": [
                {
                    "name": app,
                    "image": f"ghcr.io/acme/{app}:{_hex(rng, 40)}",
                    "ports": [{"containerPort": rng.choice([80, 8080, 9090]), "protocol": "TCP"}],
                    "resources": {"limits": {"cpu": f"{rng.randrange(1, 9)}00m", "memory": "512Mi"}},
                    "env": [
                        {"name": "DB_PASSWORD", "valueFrom": {"secretKeyRef": {"name": "db", "key": "pw"}}}
                    ],
                }
            ],
            "nodeName": f"ip-10-0-{rng.randrange(256)}-{rng.randrange(256)}.eu-west-1.compute.internal",
        },
        "status": {
            "phase": rng.choice(["Running", "Pending", "Failed"]),
            "podIP": f"10.{rng.randrange(256)}.{rng.randrange(256)}.{rng.randrange(256)}",
            "containerStatuses": [{"restartCount": rng.randrange(50), "ready": rng.random() > 0.3}],
        },
    }


def _log_line(rng: random.Random) -> str:
    clock = f"{rng.randrange(24):02d}:{rng.randrange(60):02d}:{rng.randrange(60):02d}"
    ts = f"2024-05-12T{clock}.{rng.randrange(10**6):06d}Z"
    kind = rng.randrange(4)
    if kind == 0:
        ip = ".".join(str(rng.randrange(256)) for _ in range(4))
        request = f"POST /api/v2/orders/{rng.randrange(10**6)} HTTP/2"
        status = rng.choice([200, 201, 404, 503])
        return f'{ip} - - [12/May/2024:{clock} +0000] "{request}" {status} {rng.randrange(10**5)}'
    if kind == 1:
        return json.dumps(
            {
                "ts": ts,
                "level": rng.choice(["info", "warn", "error"]),
                "msg": "upstream timeout",
                "attempt": rng.randrange(5),
                "duration": rng.random(),
                "span": _hex(rng, 16),
            }
        )
    if kind == 2:
        return (
            f"W0512 {clock}.{rng.randrange(10**6):06d}   {rng.randrange(1, 99)} "
            f"reflector.go:{rng.randrange(999)}] "
            f"watch of *v1.Pod ended with: too old resource version: {rng.randrange(10**8)}"
        )
    return (
        f'{ts} ERROR Traceback (most recent call last): File "/app/server.py", line {rng.randrange(900)}, '
        f"in handle KeyError: 'order_{rng.randrange(10**4)}'"
    )


PROSE_EN = (
    "The rollout of the payments service stalled because two replicas could not pull their image. "
    "The registry answered with a 401, which usually means the image pull secret expired or was never "
    "created in this namespace. Check the events of the pod, then recreate the secret and restart "
    "the rollout. "
)
PROSE_DE = "Der Rollout hängt, weil zwei Repliken ihr Image nicht laden können; prüfen Sie das Pull-Secret. "
PROSE_FR = (
    "Le déploiement est bloqué : deux réplicas n'arrivent pas à télécharger leur image. Vérifiez le secret. "
)
PROSE_RU = "Развёртывание остановилось: две реплики не могут загрузить образ. Проверьте секрет для загрузки. "
PROSE_JA = (
    "ロールアウトが停止しました。二つのレプリカがイメージを取得できません。シークレットを確認してください。"
)
PROSE_ZH = "发布已停止，两个副本无法拉取镜像。请检查镜像拉取密钥是否过期。"
EMOJI = "Deploy finished ✅ 🚀 all 12 pods healthy 🎉 — nice work! "


def _corpora() -> dict[str, str]:
    rng = random.Random(31337)
    pods = [_pod(rng) for _ in range(30)]
    return {
        "json-pretty": json.dumps({"kind": "PodList", "items": pods}, indent=2),
        "json-compact": json.dumps({"kind": "PodList", "items": pods}, separators=(",", ":")),
        "json-redacted": json.dumps(redact_object({"kind": "PodList", "items": pods}), indent=1),
        "yaml": yaml.safe_dump({"items": pods}, sort_keys=False),
        "kubectl": "\n".join([KUBECTL_GET_PODS, DESCRIBE_POD, POD_YAML] * 5),
        "logs": "\n".join(_log_line(rng) for _ in range(300)) + "\n" + LOG_LINES,
        "prose-en": PROSE_EN * 15,
        "prose-de": PROSE_DE * 20,
        "prose-fr": PROSE_FR * 20,
        "prose-ru": PROSE_RU * 20,
        "prose-ja": PROSE_JA * 20,
        "prose-zh": PROSE_ZH * 20,
        "emoji": EMOJI * 20,
    }


CORPORA = _corpora()


@pytest.mark.parametrize("name", sorted(CORPORA))
def test_estimate_is_at_least_90_percent_of_the_real_count(name: str) -> None:
    text = CORPORA[name]
    assert estimate_tokens(text) >= 0.9 * len(ENCODING.encode(text))


@pytest.mark.parametrize("name", sorted(CORPORA))
def test_estimate_of_every_chunk_is_at_least_90_percent_of_the_real_count(name: str) -> None:
    text = CORPORA[name]
    chunks = [text[i : i + 1200] for i in range(0, len(text), 1200)]
    low = [c for c in chunks if estimate_tokens(c) < 0.9 * len(ENCODING.encode(c))]
    assert low == []


@pytest.mark.parametrize("name", sorted(CORPORA))
def test_estimate_is_conservative_but_not_wasteful(name: str) -> None:
    text = CORPORA[name]
    assert estimate_tokens(text) <= 1.6 * len(ENCODING.encode(text))


def test_empty_text_costs_nothing_and_any_text_costs_something() -> None:
    assert estimate_tokens("") == 0
    assert estimate_tokens("a") >= 1
    assert estimate_tokens("?") >= 1
