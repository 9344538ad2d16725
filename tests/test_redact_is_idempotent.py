"""Redacting twice gives the same result as redacting once, for text and for objects."""

from __future__ import annotations

import base64

import pytest

from tests.test_redact_text_patterns import (
    AWS_KEY_ID,
    AWS_SECRET,
    BEARER,
    DISCORD,
    GITHUB_PAT,
    GOOGLE,
    JWT,
    OPENAI,
    SLACK_BOT,
    _pem,
)
from tools.redact import redact_mapping_for_log, redact_object, redact_text

TEXTS = [
    f"key {AWS_KEY_ID} and aws_secret_access_key={AWS_SECRET}",
    f"Authorization: Bearer {JWT}",
    f'{{"Authorization": "Bearer {BEARER}", "token": "{SLACK_BOT}"}}',
    f"discord {DISCORD} github {GITHUB_PAT} openai {OPENAI} google {GOOGLE}",
    f"db:\n  url: postgres://app:hunter2@db/app\n  password: hunter 2\n{_pem('EC ')}\n",
    "Authorization: Basic dXNlcjpwYXNzd29yZA==",
    "--password hunter2 --token=abc123 Cookie: a=b",
    "  client-key-data: " + base64.b64encode(b"x" * 64).decode(),
    "blob " + base64.b64encode(bytes(range(48))).decode(),
]


@pytest.mark.parametrize("text", TEXTS)
def test_redact_text_twice_equals_once(text: str) -> None:
    once = redact_text(text)
    assert once != text
    assert redact_text(once) == once


def test_redact_object_twice_equals_once() -> None:
    secret = {
        "kind": "Secret",
        "metadata": {"name": "db", "managedFields": [{"manager": "kubectl"}]},
        "data": {"password": base64.b64encode(b"hunter2").decode()},
    }
    pod = {
        "kind": "Pod",
        "spec": {
            "containers": [
                {
                    "name": "web",
                    "env": [
                        {"name": "DB_PASSWORD", "value": "hunter2"},
                        {"name": "API", "valueFrom": {"secretKeyRef": {"name": "api", "key": "token"}}},
                        {"name": "URL", "value": "postgres://u:pw@h/db"},
                    ],
                }
            ]
        },
    }
    for obj in (secret, pod):
        once = redact_object(obj)
        assert once != obj
        assert redact_object(once) == once


def test_redact_mapping_for_log_twice_equals_once() -> None:
    details = {"token": SLACK_BOT, "args": {"url": "postgres://u:pw@h/db"}, "count": 3}
    once = redact_mapping_for_log(details)
    assert redact_mapping_for_log(once) == once
