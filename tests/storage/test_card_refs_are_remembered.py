"""Approval card locations per platform survive a restart (a new Store on the same database)."""

from __future__ import annotations

from storage import Store


async def test_card_refs_upsert_and_survive_reopen(db_url: str, store: Store) -> None:
    try:
        await store.remember_card(approval_id="a1", platform="slack", ref={"channel": "C1", "ts": "1.2"})
        await store.remember_card(approval_id="a1", platform="slack", ref={"channel": "C1", "ts": "1.3"})
        await store.remember_card(
            approval_id="a1", platform="discord", ref={"channel_id": 5, "message_id": 7}
        )
    finally:
        await store.close()
    store = await Store.open(db_url)
    try:
        assert await store.card_ref(approval_id="a1", platform="slack") == {"channel": "C1", "ts": "1.3"}
        assert await store.card_ref(approval_id="a1", platform="discord") == {
            "channel_id": 5,
            "message_id": 7,
        }
        assert await store.card_ref(approval_id="zz", platform="slack") is None
    finally:
        await store.close()
