"""`chatops chat` / `run` start with the cyclic GC off, then freeze what start-up built and turn it on."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest

from bot.startup import pause_collector, started


@pytest.fixture
def collector() -> Iterator[None]:
    was_enabled = gc.isenabled()
    try:
        yield
    finally:
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
    started()  # a second call changes nothing
    assert gc.isenabled()


def test_code_that_never_paused_is_left_alone(collector: None) -> None:
    gc.unfreeze()
    gc.enable()
    started()
    assert gc.isenabled() and gc.get_freeze_count() == 0
