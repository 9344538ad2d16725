"""Text for a terminal: control characters are shown, never executed.

Whatever the console prints may come from the model, the cluster or a
person: ESC (`\\x1b[2J` clears the screen, `\\x1b]0;…` sets the window title),
BEL, NUL, backspace and carriage return (which hide what came before), the
C1 controls and the bidirectional overrides are all written as visible
escapes (`\\x1b`, `\\u202e`). Newlines and tabs stay. Nothing here decides
what is printed; it only makes printing it harmless.
"""

from __future__ import annotations

import re

# C0 except \t and \n, DEL, C1, and the bidi embeddings/overrides/isolates.
_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def _visible(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}"


def escape_terminal(text: str) -> str:
    """`text` with every character a terminal would act on written out as an escape."""
    return _UNSAFE.sub(_visible, text)
