"""`chatops chat` / `run` start with the cyclic GC off, then freeze what start-up built and turn it on."""

from __future__ import annotations

import gc
import sys
from collections.abc import Iterator

import pytest

from bot.runtime.startup import RUN_SWITCH_INTERVAL_S, pause_collector, started


@pytest.fixture
def collector() -> Iterator[None]:
    was_enabled = gc.isenabled()
    interval = sys.getswitchinterval()
    try:
        yield
    finally:
        sys.setswitchinterval(interval)
        gc.unfreeze()
        if was_enabled:
            gc.enable()


def test_paused_start_up_ends_frozen_with_the_collector_back_on(collector: None) -> None:
    gc.unfreeze()
    pause_collector()
    assert not gc.isenabled()
    built_at_start = [object() for _ in range(100)]
    started()
    assert gc.isenabled()
    assert gc.get_freeze_count() >= len(built_at_start)
    # Worker threads (blocking clients) hand the GIL back to the event loop sooner than the default 5 ms.
    assert sys.getswitchinterval() == pytest.approx(RUN_SWITCH_INTERVAL_S)
    started()  # a second call changes nothing
    assert gc.isenabled()


def test_code_that_never_paused_is_left_alone(collector: None) -> None:
    gc.unfreeze()
    gc.enable()
    interval = sys.getswitchinterval()
    started()
    assert gc.isenabled() and gc.get_freeze_count() == 0
    assert sys.getswitchinterval() == interval
