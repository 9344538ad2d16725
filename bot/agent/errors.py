"""The agent's one error type, kept apart so callers need not import the model client.

`ModelUnavailable` means the model could not answer (down, slow, rate-limited,
refused, or the circuit is open); `str(e)` is one sentence for the person.
"""

from __future__ import annotations

STILL_WORKS = "`!` commands still work."


class ModelUnavailable(Exception):
    """The model could not answer; `str(e)` is one sentence for the user."""
