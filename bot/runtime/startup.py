"""Start-up without the cyclic garbage collector, then the start-up objects frozen.

Importing LangChain, the OpenAI client, the Kubernetes client and SQLAlchemy
allocates millions of long-lived objects; with the collector on, its full
passes over them took about a third of start-up here (the imports alone:
1.95 s → 1.3 s). The `chatops` command turns the collector off while it
starts; once the app is built, `started()` moves everything alive into the
permanent generation (`gc.freeze()`), so later collections never walk the
start-up objects again, and turns the collector back on. It also shortens the
GIL switch interval, so worker threads' CPU work delays the event loop less. Code that never
paused (tests, embedding) is left alone.
"""

from __future__ import annotations

import gc
import sys

# How long a worker thread may hold the GIL before the event loop gets it back. Blocking client
# calls run in threads (asyncio.to_thread); with CPython's default 5 ms, a thread decoding a
# Kubernetes list held every acknowledgement waiting behind it for up to 5 ms.
RUN_SWITCH_INTERVAL_S = 0.001


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
    sys.setswitchinterval(RUN_SWITCH_INTERVAL_S)
