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

_HEX = re.compile(r"(?<![0-9A-Za-z])[0-9a-fA-F]{32,128}(?![0-9A-Za-z])")
_HEX_CONTEXT = re.compile(
    r"(?i)(?<![a-z])(?:key|secret|token|passw\w*|pwd|hmac|signing|encrypt\w*|cipher|private|master|salt|seed"
    r"|credentials?)(?![a-z])"
)
# Digests, ids and image tags (`repo/name:<commit>`) in front of a hex run say it is not a key.
_HEX_DIGEST = re.compile(
    r"(?i)(?:(?:sha\d*|md5|digest|commit|checksum|hash|trace|span|request|etag|uid|id)[\W_]*|/[\w.-]+:)$"
)
_B64 = re.compile(
    r"(?<![A-Za-z0-9+/=_-])(?=[A-Za-z0-9+/]*[0-9+/=])[A-Za-z0-9+/]{12,256}={0,2}(?![A-Za-z0-9+/=_-])"
)
_PROSE = re.compile(
    r"(?i)\b((?:password|passwd|passphrase|token|secret|api key)(?: for [\w.@-]{1,40})?"
    r"[ \t]+(?:is|was|will be|set to)[ \t]*:?[ \t]+[\"'`]?)([^\s\"'`]{4,256})"
)
_DECODED_SECRET = re.compile(r"(?i)(?:pass|pwd|secret|token|key)\w*[ \t]*[:=]|^[\w.@-]{1,64}:[^\s:]{3,}$")


def redact_by_context(text: str, redact: Callable[[str], str]) -> str:
    """Apply the context rules; `redact` is the full text redaction, used on decoded base64."""
    if _HEX_CONTEXT.search(text):
        text = _HEX.sub(_hex_replacement(text), text)
    text = _B64.sub(lambda m: _base64_replacement(m, redact), text)
    if " is" in text or " was" in text or " set to" in text or " will be" in text:
        text = _PROSE.sub(_prose_replacement, text)
    return text


def _hex_replacement(text: str) -> Callable[[re.Match[str]], str]:
    def replace(match: re.Match[str]) -> str:
        line_start = text.rfind("\n", 0, match.start()) + 1
        before = text[max(line_start, match.start() - 48) : match.start()]
        if _HEX_DIGEST.search(before) or not _HEX_CONTEXT.search(before):
            return match.group(0)
        return MASK_HEX

    return replace


def _base64_replacement(match: re.Match[str], redact: Callable[[str], str]) -> str:
    value = match.group(0)
    if len(value) % 4:
        return value
    try:
        decoded = base64.b64decode(value, validate=True).decode("utf-8")
    except (binascii.Error, ValueError):
        return value
    if not decoded.isprintable() and not decoded.replace("\n", "").isprintable():
        return value
    if _DECODED_SECRET.search(decoded.strip()) or redact(decoded) != decoded:
        return MASK_B64
    return value


def _prose_replacement(match: re.Match[str]) -> str:
    value = match.group(2).rstrip(".,;")
    # Generated values mix cases or carry digits; `token was revoked` is prose.
    looks_generated = any(c.isdigit() for c in value) or (value.lower() != value and value.upper() != value)
    if is_harmless_value(value) or not looks_generated:
        return match.group(0)
    return match.group(1) + MASK_PROSE + match.group(2)[len(value) :]
