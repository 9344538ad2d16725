"""Secret-named key/value pairs in free text: `redact_key_values`.

Finds a secret word (`password`, `token`, `api_key`, `client-key-data`, …)
followed by a separator, then decides from the text around it how far the
value goes: a JSON/Python string (`"token": "…"`, `password='…'`, escaped
`\\"token\\":\\"…\\"`), the rest of a YAML line (`  password: …` at the
start of a line), one word in a log line (`token=…`, `secret: …`) or a
command-line flag (`--password …`). Only the value is replaced; the key and
the quotes stay, so the text keeps its shape.

One precompiled search finds the candidates (prefiltered on their first
letter); the value is then matched at a fixed position with linear patterns,
so the scan stays linear in the input. This module must not know token
formats (that is `patterns.py`) nor Kubernetes objects.
"""

from __future__ import annotations

import re

from tools.redact.keys import (
    SENSITIVE_KEY_WORDS,
    WEAK_WORDS,
    is_harmless_value,
    is_secret_key,
    marker_kind,
)

_KEY_AND_SEP = (
    rf"(?P<key>(?:{SENSITIVE_KEY_WORDS})(?:[_.-]?(?:data|value|b64|base64|string|raw|plain))?)"
    r"(?P<close>\\?[\"']?)(?P<sep>[ \t]{0,10}[:=][ \t]{0,10}|[ \t]{1,10})"
)
# ASCII text is scanned lowercased with a case-sensitive pattern: sre then skips positions by the
# first letters of the alternatives, four times faster than `(?i)`. Other text keeps `(?i)`.
_KEY_SEP_LOWER = re.compile(_KEY_AND_SEP)
_KEY_SEP = re.compile(_KEY_AND_SEP, re.IGNORECASE)
_DQ = re.compile(r"\"((?:[^\"\\\n]|\\.)+)\"")
_SQ = re.compile(r"'([^'\n]+)'")
_ESCAPED_DQ = re.compile(r"\\\"((?:[^\"\\]|\\[^\"])+)\\\"")
# The rest of a YAML line; block scalars, anchors, tags, flow collections and comments are not values.
_REST_OF_LINE = re.compile(r"[^\s\"'#|>&*!{\[][^\n]*")
# A closing bracket ends the value: `Config(password=x)`, `{token=x}` from repr/toString.
_WORD = re.compile(r"[^\s\"'&,;<>{\[][^\s\"'&,;<>)\]}]*")
_AUTH_WORDS = re.compile(r"(?:[A-Za-z-]{2,20} )?[^\s\"',;<>{\[][^\s\"',;<>]*")
_FLAG_VALUE = re.compile(r"[^\s\"'-][^\s\"']*")
_LINE_PREFIX = re.compile(r"[ \t]*(?:-[ \t]+)?[\"']?[\w.-]*")
_FLAG_NAME = re.compile(r"--?[\w-]{0,40}\Z")
_SCHEME_AND_CREDENTIAL = re.compile(r"([A-Za-z-]{2,20}) +\S.*")
_AWS_SECRET = re.compile(r"[A-Za-z0-9/+]{40}")


def marker(kind: str) -> str:
    return f"[REDACTED:{kind}]"


def redact_key_values(text: str) -> str:
    """Replace the value of every secret-named key/value pair in `text`."""
    out: list[str] = []
    pos = 0
    search_from = 0
    ascii_text = text.isascii()
    scanned = text.lower() if ascii_text else text
    pattern = _KEY_SEP_LOWER if ascii_text else _KEY_SEP
    while (match := pattern.search(scanned, search_from)) is not None:
        found = _value(text, match)
        if found is None:
            search_from = match.end()
            continue
        start, end, replacement = found
        out.append(text[pos:start])
        out.append(replacement)
        pos = search_from = end
    if not out:
        return text
    out.append(text[pos:])
    return "".join(out)


def _value(text: str, match: re.Match[str]) -> tuple[int, int, str] | None:
    """Where the value of this key starts and ends, and what replaces it; None to leave it.

    `match` may come from a lowercased copy of `text`: only its spans are used.
    """
    word = text[match.start("key") : match.end("key")]
    close, sep = match.group("close"), match.group("sep")
    end = match.end()
    flag_form = ":" not in sep and "=" not in sep
    if flag_form and (close or not _is_flag(text, match.start())):
        return None
    key = _full_name(text, match.start()) + word
    if not is_secret_key(key):
        return None  # `compass=`, `cacheKey:`, `secretName=`
    if flag_form:
        return _replace(key, _FLAG_VALUE.match(text, end))
    if close.startswith("\\"):
        return _replace(key, _ESCAPED_DQ.match(text, end), group=1)
    if text.startswith('"', end):
        return _replace(key, _DQ.match(text, end), group=1)
    if text.startswith("'", end):
        return _replace(key, _SQ.match(text, end), group=1)
    if ":" in sep and not close and not sep.endswith((" ", "\t")):
        return None  # `token:abc` is a URL or a reference, not `key: value`
    if ":" in sep and _is_line_start(text, match.start()):
        rest = _REST_OF_LINE.match(text, end)
        if rest is None:
            return None
        value = rest.group(0).rstrip()
        return _masked(key, value, start=end, end=end + len(value))
    is_auth = word.lower() == "authorization"
    found = (_AUTH_WORDS if is_auth else _WORD).match(text, end)
    if found is None:
        return None
    value = found.group(0)
    # `invalid token: expired` in prose: a short plain word after a colon is not a secret;
    # nor is a small count after a short word (`pass: 3, fail: 0`).
    if ":" in sep and not close:
        if value.isalpha() and len(value) < 12:
            return None
        if value.isdigit() and len(value) < 6 and word.lower() in WEAK_WORDS:
            return None
    return _masked(key, value, start=end, end=found.end())


def _full_name(text: str, key_start: int) -> str:
    """The part of the name before the secret word (`DB_` of `DB_PASS`), empty when there is none."""
    start = key_start
    floor = max(0, key_start - 80)
    while start > floor and (text[start - 1].isalnum() or text[start - 1] in "_.-"):
        start -= 1
    return text[start:key_start]


def _replace(key: str, found: re.Match[str] | None, *, group: int = 0) -> tuple[int, int, str] | None:
    if found is None:
        return None
    start, end = found.span(group)
    return _masked(key, found.group(group), start=start, end=end)


def _masked(key: str, value: str, *, start: int, end: int) -> tuple[int, int, str] | None:
    if is_harmless_value(value):
        return None
    if key.lower().endswith("authorization") and (scheme := _SCHEME_AND_CREDENTIAL.fullmatch(value)):
        return start, end, f"{scheme.group(1)} {marker('authorization')}"
    if _AWS_SECRET.fullmatch(value) and ("secret" in key.lower() or "access" in key.lower()):
        return start, end, marker("aws-secret-key")
    return start, end, marker(marker_kind(key))


def _is_line_start(text: str, key_start: int) -> bool:
    """True when only indentation, a list dash and a key prefix (`DB_`, `client-`) precede the key."""
    line_start = text.rfind("\n", max(0, key_start - 200), key_start) + 1
    if line_start == 0 and key_start > 200:
        return False
    return _LINE_PREFIX.fullmatch(text, line_start, key_start) is not None


def _is_flag(text: str, key_start: int) -> bool:
    """True for `--password`, `-token`, `--db-password`: a dash-led word before the key."""
    window_start = max(0, key_start - 44)
    flag = _FLAG_NAME.search(text, window_start, key_start)
    if flag is None:
        return False
    before = text[flag.start() - 1] if flag.start() > 0 else " "
    return before in " \t\n\"'=" and (flag.start() > window_start or window_start == 0)
