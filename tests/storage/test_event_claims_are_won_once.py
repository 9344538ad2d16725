from __future__ import annotations

import asyncio
import datetime as dt

from storage import Store


async def test_an_event_id_is_claimed_only_the_first_time(store: Store) -> None:
    assert await store.claim_event(platform="slack", event_id="Ev01") is True
    assert await store.claim_event(platform="slack", event_id="Ev01") is False
    assert await store.claim_event(platform="discord", event_id="Ev01") is True


async def test_twenty_replicas_claiming_one_event_at_once_yield_one_winner(store: Store, db_url: str) -> None:
    replicas = [await Store.open(db_url, migrate=False) for _ in range(20)]
    try:
        claims = await asyncio.gather(*(r.claim_event(platform="slack", event_id="Ev02") for r in replicas))
    finally:
        await asyncio.gather(*(r.close() for r in replicas))

    assert claims.count(True) == 1 and claims.count(False) == 19


async def test_pruning_forgets_only_old_claims(store: Store) -> None:
    await store.claim_event(platform="slack", event_id="old")
    cutoff = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=1)

    assert await store.prune_events(cutoff - dt.timedelta(hours=1)) == 0
    assert await store.prune_events(cutoff) == 1
    assert await store.claim_event(platform="slack", event_id="old") is True
