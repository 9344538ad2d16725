"""Text from outside (a chat line, stdin, the model) made storable before the core keeps it.

Invalid UTF-8 read with `surrogateescape` (a console's stdin), a lone
surrogate in the model's JSON, or a NUL character (PostgreSQL refuses it in
text) would otherwise fail the request's first write. Surrogates become
U+FFFD (the replacement character, as a UTF-8 decoder with `errors="replace"`
gives) and NULs are removed. Nothing else changes.
"""

from __future__ import annotations

import re

_SURROGATE = re.compile("[\ud800-\udfff]")


def clean_text(text: str) -> str:
    if "\x00" in text:
        text = text.replace("\x00", "")
    return _SURROGATE.sub("\ufffd", text)
