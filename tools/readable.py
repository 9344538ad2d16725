"""Which namespaces a read across all namespaces may show, and what it left out.

The gate (bot.gate.executor) builds one `ReadableNamespaces` per run from its policy
and hands it to the operation in `RunContext.readable`; a listing across all
namespaces (`-A`) keeps only the items of namespaces it allows and counts the
rest, and the gate then tells the person what was left out. Tools never
decide policy themselves: they only ask this object.
"""

from __future__ import annotations

import collections
from collections.abc import Callable

MAX_NAMED = 10


class ReadableNamespaces:
    def __init__(self, allows: Callable[[str], bool]) -> None:
        self._allows = allows
        self._verdicts: dict[str, bool] = {}
        self.left_out: collections.Counter[str] = collections.Counter()

    def __call__(self, namespace: str) -> bool:
        """True when an item of `namespace` may be shown; counts the ones that may not."""
        allowed = self._verdicts.get(namespace)
        if allowed is None:
            allowed = self._verdicts[namespace] = bool(self._allows(namespace))
        if not allowed:
            self.left_out[namespace] += 1
        return allowed

    def note(self) -> str | None:
        """One sentence on what policy left out, or None when nothing was."""
        if not self.left_out:
            return None
        names = sorted(self.left_out)
        shown = ", ".join(names[:MAX_NAMED]) + (
            f" and {len(names) - MAX_NAMED} more" if len(names) > MAX_NAMED else ""
        )
        items = sum(self.left_out.values())
        return f"Left out: {items} item(s) in {len(names)} namespace(s) you may not read here ({shown})."
