"""`redact_mapping_for_log` masks secret-named keys and pattern-redacts everything else."""

from __future__ import annotations

import enum

import pytest

from tools.redact import is_secret_key, redact_mapping_for_log


@pytest.mark.parametrize(
    "key",
    [
        "token",
        "password",
        "secret",
        "api_key",
        "apiKey",
        "Authorization",
        "signing_secret",
        "SLACK_BOT_TOKEN",
        "discordToken",
        "db-password",
        "X-Api-Key",
        "client_secret",
        "private_key",
        "credentials",
        "auth",
        "Cookie",
    ],
)
def test_secret_named_keys_are_recognised(key: str) -> None:
    assert is_secret_key(key)


@pytest.mark.parametrize(
    "key",
    ["tokens_used", "max_tokens", "secretName", "secret_ref_name", "oauth", "author", "user", "namespace"],
)
def test_ordinary_keys_are_not_secret(key: str) -> None:
    assert not is_secret_key(key)


class Color(enum.Enum):
    RED = "red"


def test_details_are_masked_by_key_and_pattern_redacted_by_value() -> None:
    details = {
        "operation": "k8s_scale",
        "Slack_Signing_Secret": "abc",
        "token": 12345,
        "args": {"namespace": "default", "password": "hunter2", "note": "use postgres://u:pw1@db/x"},
        "items": [{"api_key": "k"}, "Authorization: Bearer abcdefghijklmnopqrstuvwxyz"],
        "replicas": 3,
        "dry_run": False,
        "missing": None,
        "color": Color.RED,
        "token_count": 7,
    }
    assert redact_mapping_for_log(details) == {
        "operation": "k8s_scale",
        "Slack_Signing_Secret": "[REDACTED]",
        "token": "[REDACTED]",
        "args": {
            "namespace": "default",
            "password": "[REDACTED]",
            "note": "use postgres://u:[REDACTED:url-password]@db/x",
        },
        "items": [{"api_key": "[REDACTED]"}, "Authorization: Bearer [REDACTED:bearer-token]"],
        "replicas": 3,
        "dry_run": False,
        "missing": None,
        "color": "red",
        "token_count": 7,
    }


def test_kubernetes_objects_in_details_get_structural_redaction() -> None:
    details = {"prior_state": {"kind": "Secret", "metadata": {"name": "db"}, "data": {"pw": "aHVudGVyMg=="}}}
    assert redact_mapping_for_log(details)["prior_state"]["data"] == {"pw": "[REDACTED: 7 bytes]"}


def test_other_objects_become_redacted_strings() -> None:
    class Holder:
        def __str__(self) -> str:
            return "Holder(password=hunter2)"

    assert redact_mapping_for_log({"x": Holder()}) == {"x": "Holder(password=[REDACTED:password])"}


def test_the_input_mapping_is_not_modified() -> None:
    details = {"args": {"password": "hunter2"}}
    redact_mapping_for_log(details)
    assert details == {"args": {"password": "hunter2"}}
