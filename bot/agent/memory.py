"""Conversation memory: the stored history of one user in one channel or thread.

History lives in the store (it survives restarts); this module reads a
user's own turns in a channel/thread, newest first, until `memory_tokens`
are used, drops the rest (saying how many), and turns them into model
messages. Notes the agent filed (an approval it asked for, the outcome of
one) are stored with role `tool`. Token counts are a conservative estimate
(no tokenizer at run time). Nothing here calls the model or redacts: rows
were redacted when they were stored.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from langchain_core.messages import AIMessage, AnyMessage, HumanMessage

from bot.agent.framing import unframe_model_words
from bot.domain.models import Principal
from storage.records import MessageRecord
from storage.store import Store

HISTORY_ROWS = 200
NOTE_PREFIX = "[bot note] "
NOTE_TOKENS = 20  # room kept for the "left out" note


def estimate_tokens(text: str) -> int:
    """An upper-leaning estimate of o200k tokens: about 3 characters each, plus framing."""
    return max(len(text) // 3, len(text.encode("utf-8")) // 4) + 4


@dataclasses.dataclass(frozen=True)
class Memory:
    messages: tuple[AnyMessage, ...]
    dropped: int
    tokens: int


def _to_message(row: MessageRecord) -> AnyMessage:
    if row.role == "user":
        return HumanMessage(content=row.content)
    if row.role == "tool":
        return AIMessage(content=NOTE_PREFIX + row.content)
    return AIMessage(content=unframe_model_words(row.content))


def select_rows(rows: list[MessageRecord], *, budget_tokens: int) -> tuple[list[MessageRecord], int]:
    """The newest rows that fit the budget, oldest first, and how many were dropped."""
    kept: list[MessageRecord] = []
    used = 0
    for row in reversed(rows):
        cost = estimate_tokens(row.content)
        if used + cost > budget_tokens:
            break
        kept.append(row)
        used += cost
    # A conversation shown to the model starts with the person, not with a reply.
    while kept and kept[-1].role != "user":
        kept.pop()
    return kept[::-1], len(rows) - len(kept)


async def load_memory(
    store: Store,
    *,
    principal: Principal,
    channel: str,
    thread: str | None,
    budget_tokens: int,
    current: str | None = None,
) -> Memory:
    """The user's earlier turns here, within the budget; `current` is left out if stored last."""
    rows = await store.conversation(
        platform=principal.platform, channel=channel, thread=thread, limit=HISTORY_ROWS
    )
    own = [r for r in rows if r.user_id == principal.user_id and r.role in ("user", "assistant", "tool")]
    if current is not None and own and own[-1].role == "user" and own[-1].content == current:
        own = own[:-1]
    kept, dropped = select_rows(own, budget_tokens=max(0, budget_tokens - NOTE_TOKENS))
    messages: list[AnyMessage] = [_to_message(r) for r in kept]
    if dropped and messages:
        messages.insert(0, AIMessage(content=f"{NOTE_PREFIX}{dropped} earlier message(s) left out."))
    return Memory(tuple(messages), dropped, sum(estimate_tokens(r.content) for r in kept))


def note_row(
    *,
    principal: Principal,
    channel: str,
    thread: str | None,
    text: str,
    operation: str | None = None,
    status: str | None = None,
) -> dict[str, Any]:
    """A note of the agent's (an approval it filed, an outcome) as a history row."""
    return {
        "platform": principal.platform,
        "channel": channel,
        "thread": thread,
        "user_id": principal.user_id,
        "role": "tool",
        "content": text,
        "operation": operation,
        "status": status,
    }


async def has_note(
    store: Store, *, platform: str, user_id: str, channel: str, thread: str | None, contains: str, status: str
) -> bool:
    rows = await store.conversation(platform=platform, channel=channel, thread=thread, limit=HISTORY_ROWS)
    return any(
        r.role == "tool" and r.user_id == user_id and r.status == status and contains in r.content
        for r in rows
    )
