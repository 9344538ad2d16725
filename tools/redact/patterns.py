"""Pattern redaction of free text: `redact_text`.

Each rule replaces a secret with `[REDACTED:<kind>]` and leaves the words
around it, so a log line stays readable. Rules run in a fixed order: the
bot's own known values, whole PEM private-key blocks, credentials inside
URLs, named token formats (AWS, JWT, Slack, Discord, GitHub, OpenAI, Google,
bearer tokens), secret-named key/value pairs (`keyvalues.py`) and finally
long high-entropy strings (`entropy.py`). Markers never match a later rule,
so redacting twice gives the same text as redacting once.

Every pattern is precompiled, prefiltered on a literal or its first letter,
and has bounded repetition without nested quantifiers, so the cost stays
linear in the input (1 MB of logs: see bench/bench_redact.py). This module
must not parse structure (YAML, JSON, Kubernetes objects): that is `objects.py`.
"""

from __future__ import annotations

import functools
import re

from tools.redact.context import redact_by_context
from tools.redact.entropy import redact_high_entropy
from tools.redact.files import redact_file_shapes
from tools.redact.keyvalues import marker, redact_key_values
from tools.redact.known import SECRET_VALUES
from tools.redact.rules import redact_known_formats

_PEM_BEGIN = re.compile(r"-----BEGIN ([A-Z0-9]+ ){0,3}PRIVATE KEY( BLOCK)?-----")
_PEM_END = re.compile(r"-----END ([A-Z0-9]+ ){0,3}PRIVATE KEY( BLOCK)?-----")


def _redact_pem(text: str) -> str:
    """Replace each private-key block; a block cut off before its END runs to the end of the text."""
    if "PRIVATE KEY" not in text:
        return text
    out: list[str] = []
    pos = 0
    while (begin := _PEM_BEGIN.search(text, pos)) is not None:
        out.append(text[pos : begin.start()])
        out.append(marker("private-key"))
        end = _PEM_END.search(text, begin.end())
        pos = len(text) if end is None else end.end()
    out.append(text[pos:])
    return "".join(out)


_B64 = r"[A-Za-z0-9_-]"
_NOT_B64_AFTER = r"(?![A-Za-z0-9_+/=-])"

# Named token formats as one alternation (one pass over the text). The group
# name is the marker kind with '_' for '-'. The pattern opens with the class of
# the formats' first characters, consumed, so sre skips every other position
# in C; each alternative checks that character and what may stand before it
# with lookbehinds, and its group holds the rest (the replacement uses only
# the whole match and the group's name). 1 MB of logs: 30 ms -> 19 ms.
_TOKENS = re.compile(
    r"[hegAxsMNOBb](?:"
    r"(?<=h)(?P<slack_webhook>ttps://hooks\.slack\.com/(?:services|workflows|triggers)/[A-Za-z0-9/_-]{8,300})"
    r"|(?<=h)(?P<discord_webhook>ttps://(?:ptb\.|canary\.)?discord(?:app)?\.com/api/webhooks/\d{5,25}/[\w-]{20,200})"
    rf"|(?<=e)(?<![A-Za-z0-9_+/=-]e)(?P<jwt>yJ{_B64}{{8,4096}}\.{_B64}{{8,8192}}\.{_B64}{{0,4096}})"
    r"|(?<=A)(?<![A-Z0-9]A)(?P<aws_access_key>(?:KIA|SIA|GPA|IDA|ROA|IPA|NPA|NVA|BIA|CCA)[A-Z0-9]{16}(?![A-Z0-9]))"
    r"|(?<=g)(?<![A-Za-z0-9_]g)(?P<github_token>(?:h[pousr]_[A-Za-z0-9]{36,255}|ithub_pat_\w{22,255}))"
    r"|(?<=x)(?<![A-Za-z0-9-]x)(?P<slack_token>(?:ox[abposre]-[A-Za-z0-9-]{10,250}|app-\d-[A-Za-z0-9-]{10,250}))"
    rf"|(?<=s)(?<![A-Za-z0-9_-]s)(?P<openai_key>k-(?:proj-|svcacct-|admin-|ant-)?{_B64}{{20,250}})"
    rf"|(?<=A)(?<![A-Za-z0-9_-]A)(?P<google_api_key>Iza{_B64}{{35}}(?![A-Za-z0-9_-]))"
    rf"|(?<=[MNO])(?<![A-Za-z0-9_+/=-][MNO])(?P<discord_token>{_B64}{{22,27}}\.{_B64}{{6,7}}\.{_B64}{{27,40}}{_NOT_B64_AFTER})"
    r"|(?<=[Bb])(?<!\w[Bb])(?P<bearer_token>earer[ \t]+[A-Za-z0-9._~+/-]{16,4096}=*)"
    r")"
)


def _replace_token(match: re.Match[str]) -> str:
    kind = (match.lastgroup or "token").replace("_", "-")
    if kind == "bearer-token":  # keep the scheme word: `Bearer [REDACTED:bearer-token]`
        return f"{match.group(0).split()[0]} {marker(kind)}"
    return marker(kind)


# scheme://user:password@host -> scheme://user:[REDACTED:url-password]@host
# The password may hold `#` or an unencoded `@` (the last `@` before the path ends it).
# The scheme's last character is checked by a lookbehind after `://`, so the scan can jump from one
# `://` to the next instead of trying the lookbehind at every position (1 MB of logs: 13 ms -> 1 ms).
_URL_PASSWORD = re.compile(r"(?P<head>://(?<=[A-Za-z0-9+.-]://)[^\s:/?#@\[\]]{0,256}:)[^\s/?]{1,256}@")


# Short strings without a separator, space or quote (names, labels, ports, image tags) hold no
# key/value pair, URL credential, file shape or token long enough for a rule: only the bot's own
# values can be in them. Object redaction meets tens of thousands of these per listing.
_PLAIN_SHORT = re.compile(r"[A-Za-z0-9._/-]{0,19}")
# Structured redaction sees the same leaves over and over (`Running`, `ClusterIP`, image names).
_CACHE_CHARS = 256
_CACHE_SIZE = 8192


# scheme://TOKEN@host: a token used as the user name (`https://<token>@github.com/…`).
_URL_USER_TOKEN = re.compile(r"://([A-Za-z0-9._~%+-]{20,256})@")


def _url_user_token(match: re.Match[str]) -> str:
    user = match.group(1)
    mixed = any(c.isdigit() for c in user) and user.lower() != user and user.upper() != user
    return f"://{marker('url-token')}@" if mixed else match.group(0)


def redact_text(text: str) -> str:
    """Return `text` with every recognised secret replaced by `[REDACTED:<kind>]`."""
    if not text:
        return text
    if _PLAIN_SHORT.fullmatch(text):
        return SECRET_VALUES.redact(text)
    if len(text) <= _CACHE_CHARS:
        return _redact_cached(text, SECRET_VALUES.version)
    return _redact(text)


@functools.lru_cache(maxsize=_CACHE_SIZE)
def _redact_cached(text: str, version: int) -> str:
    """`_redact` of a short text; `version` changes when the bot registers a new secret value."""
    return _redact(text)


def _redact(text: str) -> str:
    text = SECRET_VALUES.redact(text)
    text = _redact_pem(text)
    if "://" in text:
        text = _URL_PASSWORD.sub(lambda m: m.group("head") + marker("url-password") + "@", text)
        text = _URL_USER_TOKEN.sub(_url_user_token, text)
    text = _TOKENS.sub(_replace_token, text)
    text = redact_known_formats(text)
    text = redact_file_shapes(text)
    text = redact_key_values(text)
    text = redact_by_context(text, redact_text)
    return redact_high_entropy(text)
