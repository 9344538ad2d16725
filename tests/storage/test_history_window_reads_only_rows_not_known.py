"""A conversation's window: one user's rows as heads (id, stamp), in full only those the reader lacks."""

from __future__ import annotations

from storage import Store
from storage.records import HistoryWindow, NewMessage

ROLES = ("user", "assistant", "tool")


async def add(
    store: Store, content: str, *, user: str = "U1", role: str = "user", thread: str | None = "T1"
) -> int:
    return await store.append_message(
        NewMessage(platform="slack", channel="C1", thread=thread, user_id=user, role=role, content=content)
    )


async def window(
    store: Store, *, known: dict[int, str] | None = None, limit: int = 200, thread: str | None = "T1"
) -> HistoryWindow:
    return await store.conversation_window(
        platform="slack",
        channel="C1",
        thread=thread,
        user_id="U1",
        roles=ROLES,
        limit=limit,
        known=known or {},
    )


async def test_heads_are_the_users_rows_oldest_first_and_unknown_rows_come_in_full(store: Store) -> None:
    first = await add(store, "how many replicas has web?")
    await add(store, "someone else's question", user="U2")
    await add(store, "a system line", role="system")
    second = await add(store, "web has 2 replicas", role="assistant")
    await add(store, "outside the thread", thread=None)

    cold = await window(store)

    assert [h.id for h in cold.heads] == [first, second]
    assert [r.content for r in cold.new] == ["how many replicas has web?", "web has 2 replicas"]

    third = await add(store, "approval a1 requested", role="tool")
    warm = await window(store, known={h.id: h.stamp for h in cold.heads})

    assert [h.id for h in warm.heads] == [first, second, third]
    assert [r.id for r in warm.new] == [third]


async def test_a_known_id_with_another_stamp_is_read_again(store: Store) -> None:
    row = await add(store, "scale web to 3")

    again = await window(store, known={row: "written at some other time"})

    assert [r.content for r in again.new] == ["scale web to 3"]


async def test_the_limit_counts_every_row_of_the_conversation_and_forget_empties_it(store: Store) -> None:
    ids = [await add(store, f"m{n}") for n in range(4)]
    await add(store, "theirs", user="U2")

    limited = await window(store, limit=3)
    assert [h.id for h in limited.heads] == ids[2:]

    await store.forget(platform="slack", user_id="U1")
    known = {h.id: h.stamp for h in limited.heads}
    assert (await window(store, known=known)).heads == ()
