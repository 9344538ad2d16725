"""Each named secret format is replaced by its marker, and the words around it survive."""

from __future__ import annotations

import base64
import json
import random
import string

import pytest

from tools.redact import redact_text

_RNG = random.Random(20240512)
_ALNUM = string.ascii_letters + string.digits
_B64URL = _ALNUM + "-_"


def _rand(n: int, alphabet: str = _ALNUM) -> str:
    return "".join(_RNG.choice(alphabet) for _ in range(n))


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _jwt() -> str:
    header = _b64url(json.dumps({"alg": "RS256", "kid": _rand(12)}).encode())
    payload = _b64url(json.dumps({"sub": "system:serviceaccount:default:web", "exp": 1715500000}).encode())
    return f"{header}.{payload}.{_b64url(_RNG.randbytes(64))}"


def _discord_token() -> str:
    user_id = str(_RNG.randrange(10**17, 10**18)).encode()
    return f"{_b64url(user_id)}.{_rand(6, _B64URL)}.{_rand(38, _B64URL)}"


def _pem(kind: str) -> str:
    body = "\n".join(_rand(64, _ALNUM + "+/") for _ in range(5))
    return f"-----BEGIN {kind}PRIVATE KEY-----\n{body}\n-----END {kind}PRIVATE KEY-----"


AWS_KEY_ID = "AKIA" + _rand(16, string.ascii_uppercase + string.digits)
AWS_SESSION_KEY_ID = "ASIA" + _rand(16, string.ascii_uppercase + string.digits)
AWS_SECRET = _rand(40, _ALNUM + "/+")
JWT = _jwt()
SLACK_BOT = f"xoxb-{_RNG.randrange(10**11)}-{_RNG.randrange(10**12)}-{_rand(24)}"
SLACK_USER = f"xoxp-{_RNG.randrange(10**11)}-{_RNG.randrange(10**12)}-{_rand(32)}"
SLACK_APP = f"xapp-1-A{_rand(10).upper()}-{_RNG.randrange(10**12)}-{_rand(64, '0123456789abcdef')}"
SLACK_WEBHOOK_PATH = f"T{_rand(8).upper()}/B{_rand(10).upper()}/{_rand(24)}"
DISCORD = _discord_token()
GITHUB = {prefix: f"{prefix}_{_rand(36)}" for prefix in ("ghp", "gho", "ghu", "ghs", "ghr")}
GITHUB_PAT = f"github_pat_11{_rand(20)}_{_rand(59)}"
OPENAI = f"sk-proj-{_rand(48, _B64URL)}"
OPENAI_LEGACY = f"sk-{_rand(48)}"
GOOGLE = f"AIza{_rand(35, _B64URL)}"
BEARER = _rand(40, _B64URL)


@pytest.mark.parametrize(
    ("text", "secret", "kind"),
    [
        (f"using key {AWS_KEY_ID} for s3", AWS_KEY_ID, "aws-access-key"),
        (f"AWS_ACCESS_KEY_ID={AWS_SESSION_KEY_ID}", AWS_SESSION_KEY_ID, "aws-access-key"),
        (f"aws_secret_access_key = {AWS_SECRET}", AWS_SECRET, "aws-secret-key"),
        (f"AWS_SECRET_ACCESS_KEY={AWS_SECRET}", AWS_SECRET, "aws-secret-key"),
        (f'{{"secret": "{AWS_SECRET}"}}', AWS_SECRET, "aws-secret-key"),
        (f"token rejected: {JWT} (expired)", JWT, "jwt"),
        (f"slack says {SLACK_BOT} ok", SLACK_BOT, "slack-token"),
        (f"user token {SLACK_USER}", SLACK_USER, "slack-token"),
        (f"socket mode with {SLACK_APP}", SLACK_APP, "slack-token"),
        (
            f"posting to https://hooks.slack.com/services/{SLACK_WEBHOOK_PATH} failed",
            SLACK_WEBHOOK_PATH,
            "slack-webhook",
        ),
        (f"discord login with {DISCORD} refused", DISCORD, "discord-token"),
        *[(f"git clone using {token} now", token, "github-token") for token in GITHUB.values()],
        (f"GH={GITHUB_PAT}", GITHUB_PAT, "github-token"),
        (f"llm key {OPENAI} invalid", OPENAI, "openai-key"),
        (f"llm key {OPENAI_LEGACY} invalid", OPENAI_LEGACY, "openai-key"),
        (f"maps key {GOOGLE} quota", GOOGLE, "google-api-key"),
        (f"Authorization: Bearer {BEARER}", BEARER, "bearer-token"),
        (f"curl -H 'Authorization: Bearer {BEARER}' http://x", BEARER, "bearer-token"),
        (f"upstream sent bearer {BEARER} back", BEARER, "bearer-token"),
        (f"Authorization: Negotiate {BEARER}", BEARER, "authorization"),
    ],
)
def test_named_secret_is_replaced_by_its_marker(text: str, secret: str, kind: str) -> None:
    redacted = redact_text(text)
    assert f"[REDACTED:{kind}]" in redacted
    assert secret not in redacted
    # The first word of the text survives: redaction replaces the secret, not the line.
    assert redacted.split()[0] == text.split()[0] or redacted.startswith(text.split("=")[0])


@pytest.mark.parametrize("kind", ["RSA ", "EC ", "OPENSSH ", "ENCRYPTED ", ""])
def test_whole_pem_private_key_block_is_replaced(kind: str) -> None:
    pem = _pem(kind)
    redacted = redact_text(f"before\n{pem}\nafter")
    assert redacted == "before\n[REDACTED:private-key]\nafter"


def test_pem_block_inside_json_string_with_escaped_newlines_is_replaced() -> None:
    pem = _pem("RSA ")
    document = json.dumps({"tls.key": pem, "name": "web"})
    redacted = redact_text(document)
    assert "PRIVATE KEY" not in redacted
    assert pem.splitlines()[2] not in redacted
    assert '"name": "web"' in redacted


def test_pem_block_cut_off_before_its_end_is_redacted_to_the_end() -> None:
    pem = _pem("RSA ")
    truncated = pem[: len(pem) // 2]
    assert redact_text(f"key:\n{truncated}") == "key:\n[REDACTED:private-key]"


def test_certificate_blocks_are_kept() -> None:
    cert = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----"
    assert redact_text(cert) == cert


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        (
            "postgresql://app:hunter2@db.prod:5432/app",
            "postgresql://app:[REDACTED:url-password]@db.prod:5432/app",
        ),
        ("redis://:s3cr3t@cache:6379/0", "redis://:[REDACTED:url-password]@cache:6379/0"),
        (
            "https://bob:p%40ss@git.example.com/repo.git",
            "https://bob:[REDACTED:url-password]@git.example.com/repo.git",
        ),
        ("amqp://guest:guest@rabbit", "amqp://guest:[REDACTED:url-password]@rabbit"),
    ],
)
def test_password_in_url_is_replaced_and_user_and_host_kept(url: str, expected: str) -> None:
    assert redact_text(f"connecting to {url} now") == f"connecting to {expected} now"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("login password=hunter2 user=bob", "login password=[REDACTED:password] user=bob"),
        ("DB_PASSWORD=hunter2", "DB_PASSWORD=[REDACTED:password]"),
        ("?api_key=abc123def&page=2", "?api_key=[REDACTED:api-key]&page=2"),
        ("apikey=abc123def456", "apikey=[REDACTED:api-key]"),
        ("secret=letmein99", "secret=[REDACTED:secret]"),
        ('{"token": "abc123", "name": "x"}', '{"token": "[REDACTED:token]", "name": "x"}'),
        ('{"password":"p\\"w"}', '{"password":"[REDACTED:password]"}'),
        ("{'client_secret': 'abc123'}", "{'client_secret': '[REDACTED:secret]'}"),
        ('{\\"password\\":\\"hunter2\\"}', '{\\"password\\":\\"[REDACTED:password]\\"}'),
        ('"token": 123456789', '"token": [REDACTED:token]'),
        ("  password: correct horse battery", "  password: [REDACTED:password]"),
        ("PASSWORD: hunter2\nuser: bob", "PASSWORD: [REDACTED:password]\nuser: bob"),
        ("- token: abc.def.ghi", "- token: [REDACTED:token]"),
        ("    client-key-data: LS0tLS1CRUdJTg==", "    client-key-data: [REDACTED:client-key-data]"),
        (
            "    client-certificate-data: LS0tLS1C",
            "    client-certificate-data: [REDACTED:client-certificate-data]",
        ),
        ("    token: abc123", "    token: [REDACTED:token]"),
        ("    password: admin", "    password: [REDACTED:password]"),
        ("Cookie: session=abc; theme=dark", "Cookie: [REDACTED:cookie]"),
        ("Authorization: Basic dXNlcjpwYXNz", "Authorization: Basic [REDACTED:authorization]"),
        ('"Authorization": "Bearer abc.def"', '"Authorization": "Bearer [REDACTED:authorization]"'),
        ("helm install --password hunter2 --wait", "helm install --password [REDACTED:password] --wait"),
        ("run --db-token=abc123 now", "run --db-token=[REDACTED:token] now"),
        ("error: secret: looks-like-a-real-value-1", "error: secret: [REDACTED:secret]"),
    ],
)
def test_secret_named_key_value_pair_has_its_value_replaced(text: str, expected: str) -> None:
    assert redact_text(text) == expected


def test_long_random_string_without_a_known_shape_is_replaced() -> None:
    key = base64.b64encode(_RNG.randbytes(33)).decode()
    assert redact_text(f"blob {key} end") == "blob [REDACTED:high-entropy] end"


def test_several_secrets_on_one_line_are_all_replaced() -> None:
    line = f"a={AWS_KEY_ID} b={SLACK_BOT} url=postgres://u:pw12345@h/db password=x1"
    redacted = redact_text(line)
    for secret in (AWS_KEY_ID, SLACK_BOT, "pw12345", "x1"):
        assert secret not in redacted
    assert redacted.startswith("a=[REDACTED:aws-access-key] b=[REDACTED:slack-token]")
