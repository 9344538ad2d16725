"""Start-up without the cyclic garbage collector, then the start-up objects frozen.

Importing LangChain, the OpenAI client, the Kubernetes client and SQLAlchemy
allocates millions of long-lived objects; with the collector on, its full
passes over them took about a third of start-up here (the imports alone:
1.95 s → 1.3 s). The `chatops` command turns the collector off while it
starts; once the app is built, `started()` moves everything alive into the
permanent generation (`gc.freeze()`), so later collections never walk the
start-up objects again, and turns the collector back on. Code that never
paused (tests, embedding) is left alone.
"""

from __future__ import annotations

import gc


class _State:
    paused = False


def pause_collector() -> None:
    gc.disable()
    _State.paused = True


def started() -> None:
    """Start-up is over: freeze what it built and collect as usual from now on."""
    if not _State.paused:
        return
    _State.paused = False
    gc.freeze()
    gc.enable()
