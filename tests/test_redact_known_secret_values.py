"""The bot's own secret values are replaced wherever they appear, whatever their shape."""

from __future__ import annotations

import secrets
import threading

from tools.redact import SECRET_VALUES, SecretValues, redact_mapping_for_log, redact_text, register_secret
from tools.redact.known import register_env_secrets


def test_registered_value_is_replaced_even_without_a_known_shape() -> None:
    value = "plain words " + secrets.token_hex(4)
    register_secret(value)
    assert redact_text(f"said: {value}!") == "said: [REDACTED:known-secret]!"


def test_short_values_are_refused_so_ordinary_text_survives() -> None:
    values = SecretValues()
    assert values.add("abc1234") is False
    assert len(values) == 0
    assert values.redact("abc1234 stays") == "abc1234 stays"


def test_a_value_containing_another_is_replaced_whole() -> None:
    values = SecretValues()
    inner = "inner-" + secrets.token_hex(4)
    values.add(inner)
    values.add(inner + "-outer")
    assert values.redact(f"x {inner}-outer y") == "x [REDACTED:known-secret] y"


def test_values_with_regex_characters_are_matched_literally() -> None:
    values = SecretValues()
    values.add("a.b*c(d)+[e]")
    assert values.redact("a.b*c(d)+[e] aXbbbc") == "[REDACTED:known-secret] aXbbbc"


def test_environment_variables_named_like_secrets_are_registered() -> None:
    token, api_key = "xyz-" + secrets.token_hex(8), "k-" + secrets.token_hex(8)
    environ = {"SLACK_BOT_TOKEN": token, "OPENAI_API_KEY": api_key, "HOME": "/home/chatops-user"}
    assert register_env_secrets(environ) == 2
    assert token in SECRET_VALUES and api_key in SECRET_VALUES
    assert "/home/chatops-user" not in SECRET_VALUES
    assert token not in redact_mapping_for_log({"message": f"auth with {token}"})["message"]


def test_registration_from_many_threads_keeps_every_value() -> None:
    values = SecretValues()
    added = [f"thread-secret-{i:04d}" for i in range(64)]
    threads = [threading.Thread(target=values.add, args=(v,)) for v in added]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(values) == 64
    assert values.redact(" ".join(added)) == " ".join(["[REDACTED:known-secret]"] * 64)
