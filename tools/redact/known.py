"""The process-wide set of secret values the bot itself holds.

The bot's own tokens (Slack, Discord, LLM API key, database password) come
from environment variables; whatever their shape, `redact_text` replaces them
wherever they appear. Values shorter than 8 characters are refused because
replacing them would mangle ordinary text. This module never logs or returns
the values it holds.
"""

from __future__ import annotations

import os
import re
import threading
from collections.abc import Mapping

from tools.redact.keys import is_secret_key

MIN_SECRET_CHARS = 8
KNOWN_MARKER = "[REDACTED:known-secret]"


class SecretValues:
    """A set of literal secret values with one compiled pattern, safe to share between threads."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._values: frozenset[str] = frozenset()
        self._pattern: re.Pattern[str] | None = None
        # Bumped on every new value, so caches of redacted text know when they are stale.
        self.version = 0

    def add(self, value: str) -> bool:
        """Remember `value`; returns False (and ignores it) when it is too short to be a secret."""
        value = value.strip()
        if len(value) < MIN_SECRET_CHARS:
            return False
        with self._lock:
            if value in self._values:
                return True
            values = self._values | {value}
            # Longest first so a value that contains another is replaced whole.
            alternatives = "|".join(re.escape(v) for v in sorted(values, key=len, reverse=True))
            self._values, self._pattern = values, re.compile(alternatives)
            self.version += 1
        return True

    def __contains__(self, value: object) -> bool:
        return value in self._values

    def __len__(self) -> int:
        return len(self._values)

    def redact(self, text: str) -> str:
        """Replace every known value in `text` with a marker."""
        pattern = self._pattern
        if pattern is None:
            return text
        return pattern.sub(KNOWN_MARKER, text)


SECRET_VALUES = SecretValues()


def register_secret(value: str) -> None:
    """Add one of the bot's own secrets (≥ 8 characters) to the process-wide set."""
    SECRET_VALUES.add(value)


def register_env_secrets(environ: Mapping[str, str] | None = None) -> int:
    """Register every environment variable whose name looks secret (`*_TOKEN`, `*_API_KEY`, …).

    Returns how many values were registered, never the values themselves.
    """
    env = os.environ if environ is None else environ
    return sum(1 for name, value in env.items() if is_secret_key(name) and SECRET_VALUES.add(value))
