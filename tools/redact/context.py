"""Secrets recognised by the words around them: `redact_by_context`.

Some secrets have no format of their own and no secret-named key in front:
- a hex key (32 to 128 hex digits) after a context word (`signing key`,
  `hmac`, `encryption`, `master`, …) on the same line; digests
  (`sha256:…`, `digest`, `commit`, `checksum`, `trace`) stay readable;
- base64 of a password: a base64 run that decodes to text carrying a secret
  (`password: …`, `user:pass`, a key/value the text rules would mask);
- prose: `the admin password is Xy7k…`, `token was …` (a chart's NOTES).
Context words are deliberately few, so ordinary logs stay as they are.
This module must not know vendor formats (`rules.py`) or objects.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Callable

from tools.redact.keys import is_harmless_value

MASK_HEX = "[REDACTED:hex-key]"
MASK_B64 = "[REDACTED:base64-secret]"
MASK_PROSE = "[REDACTED:password]"

_HEX_DIGITS = "0123456789abcdefABCDEF"
# A context word in the 48 characters before a hex run, on its line, makes the run a key...
_HEX_CONTEXT = re.compile(
    r"(?<![a-z])(?:key|secret|token|passw[a-z]*|pwd|hmac|signing|encrypt[a-z]*|cipher|private|master|salt"
    r"|seed|credentials?)(?![a-z])"
)
# Every context word as a plain literal: a cheap first look at a window before the exact search.
_HEX_CONTEXT_HINT = re.compile(
    "key|secret|token|passw|pwd|hmac|signing|encrypt|cipher|private|master|salt|seed|credential"
)
# ...unless a digest, an id or an image tag (`repo/name:<commit>`) comes right before it.
_HEX_DIGEST = re.compile(
    r"(?:sha\d*|md5|digest|commit|checksum|hash|trace|span|request|etag|uid|id)[\W_]*$|/[\w.-]+:$"
)
_B64_RUN = re.compile(r"[A-Za-z0-9+/]{12,256}={0,2}")
_B64_NEIGHBOUR = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=_-")
_PROSE = re.compile(
    r"\b((?:password|passwd|passphrase|token|secret|api key)(?: for [\w.@-]{1,40})?"
    r"[ \t]+(?:is|was|will be|set to)[ \t]*:?[ \t]+[\"'`]?)([^\s\"'`]{4,256})"
)
_DECODED_SECRET = re.compile(r"(?i)(?:pass|pwd|secret|token|key)\w*[ \t]*[:=]|^[\w.@-]{1,64}:[^\s:]{3,}$")


def redact_by_context(text: str, redact: Callable[[str], str]) -> str:
    """Apply the context rules; `redact` is the full text redaction, used on decoded base64."""
    text = _replace_spans(text, _run_spans(text, redact))
    if " is" in text or " was" in text or " set to" in text or " will be" in text:
        text = _replace_spans(text, _prose_spans(text))
    return text


def _scanned(text: str) -> str | None:
    """Lowercased text with the same positions, or None when lowering would move them."""
    lowered = text.lower()
    return lowered if len(lowered) == len(text) else None


def _run_spans(text: str, redact: Callable[[str], str]) -> list[tuple[int, int, str]]:
    """Hex keys and base64 secrets, from one scan of base64-alphabet runs (hex runs are among them)."""
    spans = []
    lowered = _scanned(text)
    for match in _B64_RUN.finditer(text):
        value = match.group(0)
        size = len(value)
        if 32 <= size <= 128 and not value.strip(_HEX_DIGITS):
            start, end = match.span()
            if _is_hex_key(text, start, end, lowered):
                spans.append((start, end, MASK_HEX))
            continue
        # Only runs of mixed case (hex digests, numbers and names are single-case) are decoded.
        if size % 4 or value.islower() or value.isupper() or value.isdigit():
            continue
        start, end = match.span()
        if (start and text[start - 1] in _B64_NEIGHBOUR) or (end < len(text) and text[end] in _B64_NEIGHBOUR):
            continue
        if _is_base64_secret(value, redact):
            spans.append((start, end, MASK_B64))
    return spans


def _is_hex_key(text: str, start: int, end: int, lowered: str | None) -> bool:
    """A hex run is a key when a key word precedes it on its line and no digest word does.

    `lowered` is `text` lowercased with the same positions (or None): most runs (trace ids, digests)
    have no context word near them at all, which one search of it shows without copying the window.
    """
    before_alnum = start and text[start - 1].isalnum()
    after_alnum = end < len(text) and text[end].isalnum()
    if before_alnum or after_alnum:
        return False
    window = max(0, start - 48)
    line_start = max(text.rfind("\n", window, start) + 1, window)
    if lowered is not None and _HEX_CONTEXT_HINT.search(lowered, line_start, start) is None:
        return False
    before = text[line_start:start].lower()
    return _HEX_CONTEXT.search(before) is not None and _HEX_DIGEST.search(before) is None


def _is_base64_secret(value: str, redact: Callable[[str], str]) -> bool:
    try:
        decoded = base64.b64decode(value, validate=True).decode("utf-8")
    except (binascii.Error, ValueError):
        return False
    if not decoded.replace("\n", "").isprintable():
        return False
    return _DECODED_SECRET.search(decoded.strip()) is not None or redact(decoded) != decoded


def _prose_spans(text: str) -> list[tuple[int, int, str]]:
    lowered = _scanned(text)
    if lowered is None:
        return []
    spans = []
    for match in _PROSE.finditer(lowered):
        value = text[match.start(2) : match.end(2)].rstrip(".,;")
        if _looks_generated(value):
            spans.append((match.start(2), match.start(2) + len(value), MASK_PROSE))
    return spans


def _replace_spans(text: str, spans: list[tuple[int, int, str]]) -> str:
    if not spans:
        return text
    out, pos = [], 0
    for start, end, marker in spans:
        out += [text[pos:start], marker]
        pos = end
    out.append(text[pos:])
    return "".join(out)


def _looks_generated(value: str) -> bool:
    """Generated values mix cases or carry digits; `token was revoked` is prose."""
    if is_harmless_value(value):
        return False
    return any(c.isdigit() for c in value) or (value.lower() != value and value.upper() != value)
