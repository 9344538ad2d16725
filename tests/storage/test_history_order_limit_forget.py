from __future__ import annotations

import pytest

from storage import InvalidStorageInput, Store
from storage.records import NewMessage


async def say(
    store: Store, n: int, *, user: str = "U1", channel: str = "C1", thread: str | None = None
) -> int:
    return await store.append_message(
        NewMessage(
            platform="slack", channel=channel, thread=thread, user_id=user, role="user", content=f"m{n}"
        )
    )


async def test_recent_for_user_is_newest_first_and_limited(store: Store) -> None:
    for n in range(30):
        await say(store, n, channel=f"C{n % 3}")
    await say(store, 99, user="U2")

    recent = await store.recent_for_user(platform="slack", user_id="U1", limit=5)

    assert [m.content for m in recent] == ["m29", "m28", "m27", "m26", "m25"]
    assert len(await store.recent_for_user(platform="slack", user_id="U1")) == 20
    assert await store.recent_for_user(platform="discord", user_id="U1") == []


async def test_conversation_returns_the_newest_messages_oldest_first_per_thread(store: Store) -> None:
    for n in range(10):
        await say(store, n, thread="T1" if n % 2 else None)
    reply_id = await store.append_message(
        NewMessage(
            platform="slack",
            channel="C1",
            thread="T1",
            user_id="U1",
            role="assistant",
            content="scaled web to 3",
            operation="k8s_scale_deployment",
            status="ok",
        )
    )

    thread = await store.conversation(platform="slack", channel="C1", thread="T1", limit=3)
    top_level = await store.conversation(platform="slack", channel="C1", thread=None)

    assert [m.content for m in thread] == ["m7", "m9", "scaled web to 3"]
    assert thread[-1].id == reply_id and thread[-1].operation == "k8s_scale_deployment"
    assert thread[-1].created_at.tzinfo is not None
    assert [m.content for m in top_level] == ["m0", "m2", "m4", "m6", "m8"]


async def test_forget_deletes_only_that_users_messages(store: Store) -> None:
    for n in range(4):
        await say(store, n, user="U1")
    await say(store, 5, user="U2")

    assert await store.forget(platform="slack", user_id="U1") == 4
    assert await store.recent_for_user(platform="slack", user_id="U1") == []
    assert len(await store.recent_for_user(platform="slack", user_id="U2")) == 1
    assert await store.forget(platform="slack", user_id="U1") == 0


async def test_an_unknown_role_is_refused_with_the_roles_to_use(store: Store) -> None:
    with pytest.raises(InvalidStorageInput, match="use one of assistant, system, tool, user"):
        await store.append_message(
            NewMessage(platform="slack", channel="C", thread=None, user_id="U", role="bot", content="x")
        )
