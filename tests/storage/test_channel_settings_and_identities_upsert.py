from __future__ import annotations

from storage import Store
from storage.records import ChannelSettings


async def test_channel_settings_change_only_what_is_given(store: Store) -> None:
    assert await store.get_channel_settings(platform="slack", channel="C1") is None

    first = await store.set_channel_settings(platform="slack", channel="C1", cluster="prod")
    second = await store.set_channel_settings(platform="slack", channel="C1", namespace="shop")
    cleared = await store.set_channel_settings(platform="slack", channel="C1", cluster=None)

    assert first == ChannelSettings(platform="slack", channel="C1", cluster="prod", namespace=None)
    assert second == ChannelSettings(platform="slack", channel="C1", cluster="prod", namespace="shop")
    assert cleared == ChannelSettings(platform="slack", channel="C1", cluster=None, namespace="shop")
    assert await store.get_channel_settings(platform="slack", channel="C1") == cleared
    assert await store.get_channel_settings(platform="discord", channel="C1") is None


async def test_an_identity_keeps_its_first_seen_and_takes_the_newest_name(store: Store) -> None:
    await store.upsert_identity(platform="slack", user_id="U1", display_name="alice")
    await store.upsert_identity(platform="slack", user_id="U1", display_name="Alice B.")

    assert await store.identities.display_name(platform="slack", user_id="U1") == "Alice B."
    assert await store.identities.display_name(platform="slack", user_id="U2") is None
