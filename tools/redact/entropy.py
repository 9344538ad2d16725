"""Long high-entropy strings: random keys that no named pattern recognises.

A candidate is a run of at least 32 characters of the base64/base64url
alphabet. It is redacted only when it looks random: Shannon entropy above
`ENTROPY_BITS`, both letter cases present, less than `MAX_WORDISH` of it made
of word-like runs (camelCase identifiers such as `ServiceAccountTokenVolume`
are mostly words; random base64 rarely has a run of four letters), and none of
the shapes Kubernetes output is full of: hex (image digests, git SHAs,
container ids, checksums), UUIDs, DNS-1123 names (pod names,
resourceVersions), UPPER_SNAKE names and paths. Hex secrets are therefore left to the key/value
rules (`token=<hex>`), a deliberate trade for readable digests.
This module must not know any named secret format; that is `patterns.py`.
"""

from __future__ import annotations

import base64
import binascii
import math
import re
from collections import Counter
from collections.abc import Iterator

MIN_CHARS = 32
# Calibrated in tests/test_redact_entropy_calibration.py: random base64 of 32+
# chars scores above 4.1 bits, with a word-like share mostly under 0.3; camelCase
# identifiers and word compounds score 0.7 and more.
ENTROPY_BITS = 3.8
MAX_WORDISH = 0.6
MARKER = "[REDACTED:high-entropy]"

# A `=` in front is a separator (`AccountKey=…`, `--jwt-signing-key=…`), not part of the run.
CANDIDATE = re.compile(r"(?<![A-Za-z0-9+/_-])[A-Za-z0-9+/_-]{32,}={0,2}(?![A-Za-z0-9+/_=-])")
# The same runs, found after the character before them (consumed): sre then skips the letters of
# words in C instead of trying the lookbehind at each of them. A run at the start has none before.
_CANDIDATE_AFTER = re.compile(r"[^A-Za-z0-9+/_-]([A-Za-z0-9+/_-]{32,}={0,2})(?![A-Za-z0-9+/_=-])")
_HEX_OR_UUID = re.compile(r"[0-9a-fA-F-]+")
_DNS_LIKE = re.compile(r"[a-z0-9._/-]+")
_UPPER_SNAKE = re.compile(r"[A-Z0-9_]+")
_SECRET_WORDS = re.compile(r"(?i)pass|pwd|secret|token|key|auth|credential|[:=]")
# Case-change segments: `ServiceAccount2Token` -> Service, Account, 2, Token.
_SEGMENTS = re.compile(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])|[0-9]+|[^A-Za-z0-9]+")


def shannon_entropy(text: str) -> float:
    """Bits per character of `text` by its own character frequencies."""
    if not text:
        return 0.0
    total = len(text)
    return -sum(n / total * math.log2(n / total) for n in Counter(text).values())


def is_high_entropy(token: str) -> bool:
    """True when `token` looks like a random key rather than an identifier."""
    body = token.rstrip("=")
    if len(body) < MIN_CHARS:
        return False
    if _HEX_OR_UUID.fullmatch(body) or _DNS_LIKE.fullmatch(body) or _UPPER_SNAKE.fullmatch(body):
        return False
    if body.startswith("/"):
        return False  # an absolute path; relative ones are made of words, see below
    if not (any(c.isupper() for c in body) and any(c.islower() for c in body)):
        return False
    if wordish_share(body) >= MAX_WORDISH:
        return False
    if shannon_entropy(body) <= ENTROPY_BITS:
        return False
    return not is_base64_of_a_sentence(token)


def is_base64_of_a_sentence(token: str) -> bool:
    """Base64 of ordinary prose (`aGVsbG8gZnJvbS…`): printable words with spaces, no secret word."""
    if len(token) % 4:
        return False
    try:
        decoded = base64.b64decode(token, validate=True).decode("utf-8")
    except (binascii.Error, ValueError):
        return False
    return decoded.isprintable() and decoded.count(" ") >= 3 and _SECRET_WORDS.search(decoded) is None


def wordish_share(text: str) -> float:
    """Share of `text` in letter runs of four or more (`Service`, `account`)."""
    if not text:
        return 0.0
    words = (seg for seg in _SEGMENTS.findall(text) if len(seg) >= 4 and seg[-1].isalpha())
    return sum(len(w) for w in words) / len(text)


def redact_high_entropy(text: str) -> str:
    """Replace every high-entropy run in `text` with a marker (the runs `CANDIDATE` finds)."""
    out: list[str] = []
    pos = 0
    for start, end in _candidate_spans(text):
        if is_high_entropy(text[start:end]):
            out += [text[pos:start], MARKER]
            pos = end
    if not out:
        return text
    out.append(text[pos:])
    return "".join(out)


def _candidate_spans(text: str) -> Iterator[tuple[int, int]]:
    """Where `CANDIDATE.finditer(text)` matches, found by the faster `_CANDIDATE_AFTER`.

    A match ends before a character that is neither in a run nor `=`, which then opens the next one.
    """
    first = CANDIDATE.match(text)
    if first is not None:
        yield first.span()
    for match in _CANDIDATE_AFTER.finditer(text, 0 if first is None else first.end()):
        yield match.span(1)
