"""Which key names hold secrets: one vocabulary for text, objects and log details.

A key is secret-like when it ends with one of the secret words (`password`,
`token`, `api_key`, `client-key-data`, …), compared case-insensitively, so
`DB_PASSWORD`, `slackBotToken` and `signing_secret` match while `tokens_used`,
`secretName` and `max_tokens` do not. `auth` alone (docker config) matches,
`oauth` does not. This module only classifies names; it never sees values.
"""

from __future__ import annotations

import re

# Alternatives are anchored at the end of a key by the caller's pattern.
SENSITIVE_KEY_WORDS = (
    r"password|passwd|passphrase|secret|token|api[_-]?key|apikey|access[_-]?key"
    r"|secret[_-]?key|private[_-]?key|credentials?|authorization|cookie"
    r"|client[_-]key[_-]data|client[_-]certificate[_-]data|(?<![a-z])auth"
)

_SECRET_KEY = re.compile(rf"(?i)(?:{SENSITIVE_KEY_WORDS})$")

# Values that say nothing secret even under a secret-looking key.
_HARMLESS_VALUES = frozenset(
    {"", "true", "false", "null", "none", "nil", "yes", "no", "~", "<none>", "<unset>", "redacted"}
)
# Markers, template references and `kubectl describe`'s "<set to the key 'x' in secret 'y'>".
_MARKER_PREFIXES = ("[REDACTED", "<REDACTED", "${", "$(", "{{", "***", "<redacted", "<set to the key")
# `Bearer [REDACTED:jwt]`: an auth scheme in front of a value already redacted.
_SCHEME_THEN_MARKER = re.compile(r"[A-Za-z-]{2,20} \[REDACTED[^\]]{0,40}\]")


def is_secret_key(name: str) -> bool:
    """True when a key, env var or flag name announces a secret value."""
    return bool(_SECRET_KEY.search(name.strip().strip("\"'-")))


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
    ):
        if word in lowered:
            return {"passwd": "password", "apikey": "api-key", "access-key": "secret"}.get(word, word)
    return "secret"
