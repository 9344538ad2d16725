"""Secret-shaped names, `{name, value}` pairs, argument lists and file shapes are redacted by structure."""

from __future__ import annotations

import json

import pytest

from tools.base import OperationResult
from tools.redact import is_secret_key, redact_object, redact_text
from tools.redact.objects import secret_leaves


@pytest.mark.parametrize(
    "name",
    [
        "DB_PASS",
        "Pwd",
        "jwt-signing-key",
        "accountKey",
        "PGPASSWORD",
        "requirepass",
        "SENTRY_DSN",
        "sasToken",
        "tls.key",
        "DB_PASSWORD_B64",
        "externalDatabase.pass",
        "basicAuth",
        "hmac",
        "salt",
    ],
)
def test_word_parts_of_a_name_announce_a_secret(name: str) -> None:
    assert is_secret_key(name)


@pytest.mark.parametrize(
    "name",
    [
        "key",
        "cacheKey",
        "publicKey",
        "secretName",
        "existingSecret",
        "passwordFile",
        "compass",
        "bypass",
        "checksum/secret",
        "imagePullSecrets",
        "tokens_used",
        "path",
        "keyRef",
    ],
)
def test_names_that_only_mention_a_secret_are_not_secret(name: str) -> None:
    assert not is_secret_key(name)


def test_name_value_pairs_anywhere_lose_their_values() -> None:
    values = {
        "extraEnvVars": [
            {"name": "DB_PASSWORD", "value": "hunter2hunter2"},
            {"name": "LOG", "value": "debug"},
        ],
        "externalDatabase": {"host": "db", "pass": "s3cr3tpass", "user": "app"},
        "probe": {"httpHeaders": [{"name": "Authorization", "value": "Basic YWRtaW46cHc="}]},
    }
    redacted = redact_object(values)
    assert redacted["extraEnvVars"][0]["value"] == "[REDACTED]"
    assert redacted["extraEnvVars"][1]["value"] == "debug"
    assert redacted["externalDatabase"] == {"host": "db", "pass": "[REDACTED]", "user": "app"}
    assert "YWRtaW46cHc" not in json.dumps(redacted)
    assert {"hunter2hunter2", "s3cr3tpass"} <= secret_leaves(values)


def test_flag_value_sequences_in_args_are_judged_together() -> None:
    container = {
        "name": "db",
        "image": "redis:7",
        "command": ["redis-server", "--requirepass", "R3disPa55"],
        "args": ["--db-password", "x9y8z7", "-pMyS3cret", "--port", "6379", "mysql"],
    }
    redacted = redact_object({"spec": {"containers": [container]}})["spec"]["containers"][0]
    assert redacted["command"] == ["redis-server", "--requirepass", "[REDACTED]"]
    assert redacted["args"][:2] == ["--db-password", "[REDACTED]"] and redacted["args"][3:5] == [
        "--port",
        "6379",
    ]


def test_shell_strings_are_split_like_a_shell_would() -> None:
    args = ["sh", "-c", "mysql -uroot -p'Quoted S3cret' app && curl -u admin:Curl5ecret http://x"]
    shown = json.dumps(redact_object({"args": args}))
    assert "Quoted S3cret" not in shown and "Curl5ecret" not in shown and "curl -u admin:" in shown


@pytest.mark.parametrize(
    ("text", "secret"),
    [
        ("db.internal:5432:app:app:Pgpa55line", "Pgpa55line"),
        ("machine api.example.com login bot password Netrc5ecret", "Netrc5ecret"),
        (
            "#cloud-config\nchpasswd:\n  list: |\n    root:CloudR00t\n    ubuntu:Ubuntu5ecret\n  expire: false",
            "CloudR00t",
        ),
        ("runcmd: echo 'root:Pipe5ecret' | chpasswd", "Pipe5ecret"),
        ("admin:$apr1$abcdefgh$0123456789abcdefABCDEF", "0123456789abcdef"),
        ("DB_PASS=plainpw1 pass = other2pw Pwd=Thrd3pw", "plainpw1"),
        ("postgres://app:p%40ss%23w0rd@db:5432/app", "p%40ss%23w0rd"),
        ("redis://:pa#ss@word@cache:6379/0", "pa#ss"),
        ("git clone https://Xk9fQ2mZp7Lr4Tq8Wn3Vb6Yc@github.com/acme/x.git", "Xk9fQ2mZp7Lr4Tq8Wn3Vb6Yc"),
    ],
)
def test_file_and_line_shapes_keep_their_shape_but_not_the_secret(text: str, secret: str) -> None:
    assert secret not in redact_text(text)


def test_annotations_under_secret_names_are_masked_even_when_short() -> None:
    meta = {"metadata": {"name": "n1", "annotations": {"example.com/db-password": "abc", "team": "pay"}}}
    assert redact_object(meta)["metadata"]["annotations"] == {
        "example.com/db-password": "[REDACTED]",
        "team": "pay",
    }


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("export GITLAB_TOKEN_X=glpat-Ab3dEf6hIj9kLm2nOp5q", "gitlab-pat"),
        ("stripe sk_live_4eC39HqLyjWDarjtT1zdp7dc", "stripe-access-token"),
        (
            "npm config set //registry/:_authToken npm_a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8",
            "npm-access-token",
        ),
        ("HF hf_AbCdEfGhIjKlMnOpQrStUvWxYzAbCdEfGh", "huggingface-access-token"),
    ],
)
def test_vendor_formats_come_from_the_gitleaks_rule_set(text: str, kind: str) -> None:
    assert f"[REDACTED:{kind}]" in redact_text(text)


def test_an_undo_whose_arguments_hold_a_secret_is_withheld_and_the_result_says_why() -> None:
    from tools.base import Status, UndoPlan
    from tools.redact import redact_result

    manifest = "kind: Deployment\nspec:\n  env:\n  - name: DB_PASSWORD\n    value: hunter2hunter2\n"
    result = OperationResult(
        status=Status.OK,
        text="deployment/api configured",
        prior_state={"env": [{"name": "DB_PASSWORD", "value": "hunter2hunter2"}]},
        undo=UndoPlan("k8s_apply", {"manifest": manifest}, "put it back"),
    )
    redacted = redact_result(result)
    assert redacted.undo is None and "no automatic undo" in redacted.text
    assert redacted.prior_state == {"env": [{"name": "DB_PASSWORD", "value": "[REDACTED]"}]}
    harmless = dataclasses_replace_undo(result, {"name": "web", "replicas": 2})
    assert redact_result(harmless).undo == harmless.undo


def dataclasses_replace_undo(result: OperationResult, args: dict[str, object]) -> OperationResult:
    import dataclasses

    from tools.base import UndoPlan

    return dataclasses.replace(result, undo=UndoPlan("k8s_scale_deployment", args, "scale back"))


def test_redacting_the_leak_corpus_twice_gives_the_same_as_once() -> None:
    from tests.e2e import leak_corpus

    corpus = leak_corpus.build()
    texts = [*corpus.log_lines, *corpus.event_messages, *corpus.config_files.values(), *corpus.notes]
    assert [t for t in texts if redact_text(redact_text(t)) != redact_text(t)] == []
    objects = {
        "env": corpus.env,
        "args": corpus.args,
        "command": corpus.command,
        "values": corpus.helm_values,
    }
    assert redact_object(redact_object(objects)) == redact_object(objects)
