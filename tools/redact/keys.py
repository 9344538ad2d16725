"""Which names hold secrets: one vocabulary for text, objects, Helm values and log details.

A name is split into its word parts (`DB_PASS` -> db, pass; `jwt-signing-key`
-> jwt, signing, key; `accountKey` -> account, key) and judged by its last
part, because the last word says what the value is: `DB_PASSWORD`, `Pwd`,
`slackBotToken`, `signing_secret`, `AccountKey` hold secrets, while
`secretName`, `passwordFile`, `tokens_used` and `max_tokens` name something
else. Strong words (`password`, `token`, `secret`, …) also count at the end of
a run-together part (`PGPASSWORD`, `requirepass`); short words (`pass`, `pwd`,
`key`, `auth`, `sig`, …) only as a whole part, and `key` only after a word
that makes it a credential (`signing key`, not `cache key` or a bare `key:` of
a toleration). A trailing encoding word (`_B64`, `Value`, `-data`) is looked
through. This module only classifies names; it never sees values.
"""

from __future__ import annotations

import functools
import re

# Words that make any name ending with them secret, also run together (`PGPASSWORD`).
STRONG_WORDS = (
    "password",
    "passwd",
    "passphrase",
    "secret",
    "token",
    "apikey",
    "accesskey",
    "secretkey",
    "privatekey",
    "accountkey",
    "signingkey",
    "masterkey",
    "encryptionkey",
    "credential",
    "credentials",
    "authorization",
    "cookie",
    "connectionstring",
    "requirepass",
    "masterauth",
)
# Words that count only as a whole word part (`DB_PASS`, `Pwd`, `basicAuth`, `SENTRY_DSN`).
WEAK_WORDS = frozenset(
    {
        "pass",
        "pwd",
        "pw",
        "creds",
        "auth",
        "dsn",
        "salt",
        "sas",
        "sig",
        "signature",
        "cert",
        "certificate",
        "private",
        "pat",
        "pgpass",
        "netrc",
        "htpasswd",
        "jwt",
        "hmac",
    }
)
# `key` as a last part is a credential after these words only when none of BENIGN_BEFORE_KEY.
BENIGN_BEFORE_KEY = frozenset(
    {
        "cache",
        "routing",
        "partition",
        "sort",
        "primary",
        "foreign",
        "label",
        "labels",
        "topology",
        "group",
        "shard",
        "lookup",
        "hash",
        "idempotency",
        "object",
        "public",
        "node",
        "match",
        "field",
        "config",
        "map",
        "ref",
        "selector",
        "annotation",
        "dedup",
        "index",
        "metric",
        "sharding",
        "row",
        "column",
        "s3",
        "json",
        "yaml",
        "host",
        "file",
    }
)
# Encoding/holder words looked through at the end: `DB_PASSWORD_B64`, `tokenValue`, `client-key-data`.
TRAILING_HOLDERS = frozenset(
    {"value", "val", "b64", "base64", "raw", "plain", "data", "string", "str", "text"}
)

# Word parts: `jwtSigningKey` -> jwt, Signing, Key; `DBPassword` -> DB, Password; `X-Api-Key`.
_PARTS = re.compile(
    r"(?<![A-Za-z])[Bb](?:ase|ASE)?64(?![0-9])|[A-Z]+(?=[A-Z][a-z])|[A-Z]?[a-z]+|[A-Z]+|[0-9]+"
)
# Names of references to (or digests of) a secret, not secrets: `existingSecret`, `checksum/secret`.
_REFERENCE_FIRST_WORDS = frozenset({"existing", "checksum"})
_STRONG_SUFFIX = re.compile(rf"(?:{'|'.join(STRONG_WORDS)})$")

# For scanning free text: the last word of a secret-like name, anchored at the end by the caller.
# The full name around a hit is then checked with `is_secret_key`, so `compass=` or `cacheKey=` stay.
SENSITIVE_KEY_WORDS = (
    r"password|passwd|passphrase|pass|pwd|pw|secret|token|credentials?|creds|authorization|auth"
    r"|cookie|dsn|salt|sas|signature|sig|certificate|cert|private|pat|key|connection[_-]?string"
    r"|netrc|htpasswd|jwt|hmac"
)

# Values that say nothing secret even under a secret-looking key.
_HARMLESS_VALUES = frozenset(
    {"", "true", "false", "null", "none", "nil", "yes", "no", "~", "<none>", "<unset>", "redacted"}
)
# Markers, template references and `kubectl describe`'s "<set to the key 'x' in secret 'y'>".
_MARKER_PREFIXES = ("[REDACTED", "<REDACTED", "${", "$(", "{{", "***", "<redacted", "<set to the key")
# `Bearer [REDACTED:jwt]`: an auth scheme in front of a value already redacted.
_SCHEME_THEN_MARKER = re.compile(r"[A-Za-z-]{2,20} \[REDACTED[^\]]{0,40}\]")


def word_parts(name: str) -> list[str]:
    """`jwt-signing-key` -> ["jwt", "signing", "key"]; `accountKey` -> ["account", "key"]."""
    return [part.lower() for part in _PARTS.findall(name)]


@functools.lru_cache(maxsize=8192)
def is_secret_key(name: str) -> bool:
    """True when a key, env var, flag or values path announces a secret value."""
    parts = word_parts(name)
    while len(parts) > 1 and parts[-1].isdigit():
        parts = parts[:-1]  # `PASSWORD2`
    if not parts or parts[0] in _REFERENCE_FIRST_WORDS:
        return False
    if len(parts) > 1 and parts[-1] in TRAILING_HOLDERS:
        parts = parts[:-1]
    if not parts:
        return False
    last = parts[-1]
    if last in WEAK_WORDS or _STRONG_SUFFIX.search(last):
        return True
    if last == "key":
        return len(parts) > 1 and parts[-2] not in BENIGN_BEFORE_KEY
    return False


def is_secret_path(path: str) -> bool:
    """True when any segment of a dotted values path (`externalDatabase.pass`) is secret-named."""
    return any(is_secret_key(segment) for segment in path.split(".") if segment)


def is_harmless_value(value: str) -> bool:
    """True for placeholders, booleans and existing markers that need no redaction."""
    stripped = value.strip().strip("\"'")
    return (
        stripped.lower() in _HARMLESS_VALUES
        or stripped.startswith(_MARKER_PREFIXES)
        or _SCHEME_THEN_MARKER.fullmatch(stripped) is not None
    )


def marker_kind(key: str) -> str:
    """A short, stable kind for a marker derived from the key name (`DB_PASSWORD` -> `password`)."""
    lowered = key.lower().replace("_", "-")
    for word in (
        "client-key-data",
        "client-certificate-data",
        "private-key",
        "password",
        "passwd",
        "passphrase",
        "authorization",
        "api-key",
        "apikey",
        "access-key",
        "secret",
        "token",
        "credential",
        "cookie",
        "auth",
        "pass",
        "pwd",
    ):
        if word in lowered:
            return {
                "passwd": "password",
                "pass": "password",
                "pwd": "password",
                "apikey": "api-key",
                "access-key": "secret",
            }.get(word, word)
    return "secret"
