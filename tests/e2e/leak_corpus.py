"""A corpus of planted secrets in many shapes and places, for the whole-bot leak test.

Each `Planted` is one secret: its shape (how it is written), its place (where
in the cluster or the Helm release it sits) and the strings that must never
leave the bot (the value itself and, for encoded shapes, its encoded form).
`build()` returns the corpus and the objects/Helm answers that hold it. Text
shapes are written into logs, events, ConfigMap files, annotations, NOTES and
release history; structural shapes into env, args, annotation keys, node
metadata and Helm values. Values are random but fixed (seeded), long enough
that finding one by chance in other output is impossible. Constants and pure
functions only.
"""

from __future__ import annotations

import base64
import dataclasses
import json
import random
import string
import urllib.parse
from collections.abc import Callable
from typing import Any

ALNUM = string.ascii_letters + string.digits
B64URL = ALNUM + "-_"


@dataclasses.dataclass(frozen=True)
class Planted:
    shape: str
    place: str
    needles: tuple[str, ...]  # every string here must stay inside the bot


class Gen:
    """Seeded random values; every value is new and at least 10 characters long."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)

    def chars(self, n: int, alphabet: str = ALNUM) -> str:
        return "".join(self.rng.choice(alphabet) for _ in range(n))

    def password(self) -> str:
        # Mixed case and digits, as generated passwords are; never a dictionary word.
        return (
            self.chars(4, string.ascii_uppercase)
            + self.chars(5, string.digits)
            + self.chars(5, string.ascii_lowercase)
        )

    def b64(self, nbytes: int) -> str:
        return base64.b64encode(self.rng.randbytes(nbytes)).decode()

    def hex(self, n: int) -> str:
        return self.chars(n, "0123456789abcdef")


def _b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


def _jwt(g: Gen) -> str:
    head = base64.urlsafe_b64encode(json.dumps({"alg": "HS256", "typ": "JWT"}).encode()).decode().rstrip("=")
    body = base64.urlsafe_b64encode(json.dumps({"sub": g.chars(12)}).encode()).decode().rstrip("=")
    return f"{head}.{body}.{g.chars(43, B64URL)}"


TextShape = Callable[[Gen], tuple[str, tuple[str, ...]]]


def _one(template: str, value: str) -> tuple[str, tuple[str, ...]]:
    return template.format(v=value), (value,)


TEXT_SHAPES: dict[str, TextShape] = {
    "DB_PASS=": lambda g: _one("DB_PASS={v}", g.password()),
    "pass = ": lambda g: _one("pass = {v}", g.password()),
    "Pwd= in a connection string": lambda g: _one(
        "Server=db;Database=app;User Id=app;Pwd={v};", g.password()
    ),
    "password=": lambda g: _one("retrying with password={v}", g.password()),
    "--db-password VALUE": lambda g: _one("exec /app --db-password {v} --port 8080", g.password()),
    "--jwt-signing-key=random": lambda g: _one("flags: --jwt-signing-key={v}", g.chars(43, B64URL)),
    "mysql -pVALUE": lambda g: _one("mysql -uroot -p{v} orders", g.password()),
    "curl -u user:VALUE": lambda g: _one("curl -u admin:{v} https://api.internal/v1/ping", g.password()),
    "URL-encoded user info": lambda g: (
        lambda raw: (
            f"postgres://app:{urllib.parse.quote(raw, safe='')}@db:5432/app",
            (urllib.parse.quote(raw, safe=""), raw),
        )
    )(g.chars(6) + "@#" + g.chars(6)),
    "# inside a URL password": lambda g: (lambda a, b: (f"redis://:{a}#{b}@cache:6379/0", (f"{a}#{b}", b)))(
        g.chars(7), g.chars(7)
    ),
    "Azure AccountKey=": lambda g: _one(
        "DefaultEndpointsProtocol=https;AccountName=acme;AccountKey={v};EndpointSuffix=core.windows.net",
        g.b64(66),
    ),
    "SAS sig=": lambda g: _one(
        "https://acme.blob.core.windows.net/c/b.tgz?sv=2022-11-02&sr=b&sp=r&sig={v}",
        urllib.parse.quote(g.b64(32), safe=""),
    ),
    "base64 of a password": lambda g: (
        lambda raw: (f"creds {_b64('password: ' + raw)}", (_b64("password: " + raw), raw))
    )(g.password()),
    "64-character hex key": lambda g: _one("loaded encryption key {v}", g.hex(64)),
    "GitLab PAT": lambda g: _one(
        "git clone https://oauth2:{v}@gitlab.example.com/x.git", "glpat-" + g.chars(20, B64URL)
    ),
    "GitHub token": lambda g: _one("GH={v}", "ghp_" + g.chars(36)),
    "AWS access key id": lambda g: _one(
        "aws key {v} in use", "AKIA" + g.chars(16, string.ascii_uppercase + "234567")
    ),
    "Slack bot token": lambda g: _one(
        "slack {v}", f"xoxb-{g.chars(11, string.digits)}-{g.chars(12, string.digits)}-{g.chars(24)}"
    ),
    "Stripe live key": lambda g: _one("charging with {v}", "sk_live_" + g.chars(24)),
    "npm token": lambda g: _one("//registry.npmjs.org/:_authToken={v}", "npm_" + g.chars(36)),
    "Hugging Face token": lambda g: _one("hub {v}", "hf_" + g.chars(34, string.ascii_letters)),
    ".netrc entry": lambda g: _one("machine api.example.com login deploy password {v}", g.password()),
    "echo user:pw | chpasswd": lambda g: _one("runcmd: echo 'root:{v}' | chpasswd", g.password()),
    "JWT": lambda g: _one("session {v}", _jwt(g)),
    "Authorization: Bearer": lambda g: _one("Authorization: Bearer {v}", g.chars(40)),
    "Authorization: Basic": lambda g: (
        lambda raw: (f"Authorization: Basic {_b64('admin:' + raw)}", (_b64("admin:" + raw), raw))
    )(g.password()),
    "prose: the password is": lambda g: _one("The admin password is {v} (change it).", g.password()),
    'export API_KEY="…"': lambda g: _one('export API_KEY="{v}"', g.chars(32)),
    'JSON "token"': lambda g: _one('{{"level":"debug","token":"{v}"}}', g.password()),
    "redis --requirepass": lambda g: _one("redis-server --requirepass {v}", g.password()),
    "X-Api-Key header": lambda g: _one("X-Api-Key: {v}", g.chars(32)),
    "SENTRY_DSN URL": lambda g: _one("SENTRY_DSN=https://{v}@o11.ingest.sentry.io/42", g.hex(32)),
}

# Shapes that are whole files: they go where files go (ConfigMap data, annotations, NOTES).
FILE_SHAPES: dict[str, TextShape] = {
    ".pgpass file": lambda g: _one("db.prod.svc:5432:app:app:{v}\n*:*:*:replica:{v}", g.password()),
    "cloud-init chpasswd list": lambda g: _one(
        "#cloud-config\nchpasswd:\n  expire: false\n  list: |\n    root:{v}\n", g.password()
    ),
    "htpasswd line": lambda g: _one("admin:$apr1$Zx8q3LmT${v}", g.chars(22, ALNUM + "./")),
    "PEM private key": lambda g: _one(
        "-----BEGIN RSA PRIVATE KEY-----\n{v}\n-----END RSA PRIVATE KEY-----", "MIIEow" + g.chars(58)
    ),
}

TEXT_PLACES = ("logs", "events", "ConfigMap data", "annotations", "NOTES", "history")


@dataclasses.dataclass
class Corpus:
    planted: list[Planted] = dataclasses.field(default_factory=list)
    log_lines: list[str] = dataclasses.field(default_factory=list)
    event_messages: list[str] = dataclasses.field(default_factory=list)
    config_files: dict[str, str] = dataclasses.field(default_factory=dict)
    annotations: dict[str, str] = dataclasses.field(default_factory=dict)
    node_annotations: dict[str, str] = dataclasses.field(default_factory=dict)
    env: list[dict[str, str]] = dataclasses.field(default_factory=list)
    args: list[str] = dataclasses.field(default_factory=list)
    command: list[str] = dataclasses.field(default_factory=list)
    helm_values: dict[str, Any] = dataclasses.field(default_factory=dict)
    helm_values_next: dict[str, Any] = dataclasses.field(default_factory=dict)
    notes: list[str] = dataclasses.field(default_factory=list)
    history: list[str] = dataclasses.field(default_factory=list)

    def plant(self, shape: str, place: str, needles: tuple[str, ...]) -> None:
        self.planted.append(Planted(shape, place, needles))

    def needles(self) -> list[str]:
        return [n for p in self.planted for n in p.needles]


def build(seed: int = 1313) -> Corpus:
    g = Gen(seed)
    c = Corpus()
    for shape, make in TEXT_SHAPES.items():
        for place in TEXT_PLACES:
            line, needles = make(g)
            c.plant(shape, place, needles)
            _put_text(c, place, shape, line)
    for shape, make in FILE_SHAPES.items():
        for place in ("ConfigMap data", "annotations", "NOTES"):
            text, needles = make(g)
            c.plant(shape, place, needles)
            _put_text(c, place, shape, text)
    _structural(c, g)
    return c


def _put_text(c: Corpus, place: str, shape: str, text: str) -> None:
    if place == "logs":
        c.log_lines.append(f"2026-12-02T10:00:{len(c.log_lines) % 60:02d}Z INFO {text}")
    elif place == "events":
        c.event_messages.append(f"probe output: {text}")
    elif place == "ConfigMap data":
        c.config_files[f"file-{len(c.config_files)}.conf"] = text + "\n"
    elif place == "annotations":
        c.annotations[f"example.com/note-{len(c.annotations)}"] = (
            text  # a neutral key: the text alone must tell
        )
    elif place == "NOTES":
        c.notes.append(text)
    elif place == "history":
        c.history.append(f'Upgrade "shop" failed: post-upgrade hook printed: {text}')


def _structural(c: Corpus, g: Gen) -> None:
    """Secrets only the structure gives away: names, pairs, flag sequences, values paths."""
    for name in (
        "DB_PASS",
        "Pwd",
        "JWT_SIGNING_KEY",
        "STORAGE_ACCOUNT_KEY",
        "REDIS_REQUIREPASS",
        "SMTP_PASSWD",
        "api-token",
        "session_secret",
        "OAUTH_CLIENT_SECRET",
        "HMAC",
    ):
        value = g.password()
        c.env.append({"name": name, "value": value})
        c.plant(f"env {name}", "env", (value,))
    for flag in ("--db-password", "--requirepass", "--jwt-signing-key", "--client-secret", "--auth-token"):
        value = g.password()
        c.args += [flag, value]
        c.plant(f"args {flag} VALUE", "args", (value,))
    short = g.chars(10, string.ascii_letters)
    c.args.append(f"-p{short}")  # joined to mysql's -p by the command below
    c.plant("args -pVALUE", "args", (short,))
    user = g.password()
    c.args += ["-u", f"admin:{user}"]
    c.plant("args -u user:VALUE", "args", (user,))
    shell = g.password()
    c.command = ["mysql", "sh", "-c", f"mysqladmin -uroot -p{shell} ping && exec app"]
    c.plant("shell string -pVALUE", "args", (shell,))
    for key in ("example.com/db-password", "example.com/api-token", "vault.example.com/secret"):
        value = g.chars(10, string.ascii_lowercase)  # short and alphabetic: only the key says secret
        c.annotations[key] = value
        c.plant(f"annotation key {key}", "annotations", (value,))
    for key in ("db.password", "smtp_pass", "jwtSigningKey"):
        value = g.chars(10, string.ascii_lowercase)
        c.config_files[key] = value
        c.plant(f"ConfigMap key {key}", "ConfigMap data", (value,))
    node_pw, node_pw2 = g.password(), g.password()
    c.node_annotations["example.com/cloud-init"] = (
        f"#cloud-config\nchpasswd:\n  list: |\n    root:{node_pw}\n    ubuntu:{node_pw2}\n  expire: false\n"
    )
    c.plant("cloud-init chpasswd", "node metadata", (node_pw, node_pw2))
    node_token = g.chars(32)
    c.node_annotations["example.com/join-token"] = node_token
    c.plant("node join token annotation", "node metadata", (node_token,))
    _helm_values(c, g)


def _helm_values(c: Corpus, g: Gen) -> None:
    db, ext, root, gen, extra_old, extra_new, arg = (g.password() for _ in range(7))
    c.helm_values = {
        "image": {"repository": "ghcr.io/acme/shop", "tag": "2.3.1"},
        "extraEnvVars": [{"name": "DB_PASSWORD", "value": extra_old}, {"name": "LOG_LEVEL", "value": "info"}],
        "externalDatabase": {"host": "db.prod.svc", "user": "shop", "pass": ext},
        "auth": {"enabled": True, "rootPassword": root, "database": "shop", "password": db},
        "extraArgs": ["--db-password", arg],
        "replicaCount": 2,
    }
    c.helm_values_next = json.loads(json.dumps(c.helm_values))
    c.helm_values_next["extraEnvVars"][0]["value"] = extra_new
    c.helm_values_next["image"]["tag"] = "2.4.0"
    c.plant("Helm extraEnvVars {name, value}", "Helm values", (extra_old, extra_new))
    c.plant("Helm externalDatabase.pass", "Helm values", (ext,))
    c.plant("Helm auth.rootPassword", "Helm values", (root,))
    c.plant("Helm auth.password", "Helm values", (db,))
    c.plant("Helm extraArgs flag/value", "Helm values", (arg,))
    c.notes.append(f"  Password: {gen}")
    c.plant("generated password only in NOTES", "NOTES", (gen,))


# Ordinary output that must stay readable (the false-positive corpus).
def false_positive_corpus(seed: int = 7) -> list[str]:
    g = Gen(seed)
    items: list[str] = []
    for i in range(40):
        items.append(
            f'10.0.{i}.7 - - [02/Dec/2026:10:00:{i:02d} +0000] "GET /api/v1/items/{i}?page=2 HTTP/1.1" 200 512'
        )
        items.append(
            f"I1202 10:00:{i:02d}.000000 1 controller.go:{100 + i}] synced prod/web-7d4b9c8f6-{g.chars(5, string.ascii_lowercase + string.digits)}"
        )
        items.append(f"ghcr.io/acme/web@sha256:{g.hex(64)}")
        items.append(str(__import__("uuid").UUID(int=g.rng.getrandbits(128))))
        items.append(f'resourceVersion: "{g.rng.randrange(10**7, 10**8)}"')
        items.append(f"pod-template-hash: {g.chars(9, 'bcdfghjklmnpqrstvwxz2456789')}")
        items.append(f"2026-12-02T10:{i:02d}:{i:02d}.{g.rng.randrange(10**6):06d}Z")
        items.append(_b64(f"hello from replica {i} of the web tier, nothing to see"))
        items.append(f"ghcr.io/acme/api:{g.hex(40)}")
        items.append(
            f"Back-off restarting failed container api in pod api-{g.chars(10, string.ascii_lowercase)}"
        )
        items.append(
            f'{{"level":"info","msg":"request completed","latency_ms":{i * 3.5},"trace_id":"{g.hex(32)}"}}'
        )
        items.append(f"token expired for user {i}; login again")
        items.append(f"checksum/config: {g.hex(64)}")
    return items
