"""Conversation memory: the stored history of one user in one channel or thread.

History lives in the store (it survives restarts); this module reads a
user's own turns in a channel/thread, newest first, until `memory_tokens`
are used, drops the rest (saying how many), and turns them into model
messages. Notes the agent filed (an approval it asked for, the outcome of
one) are stored with role `tool`. Token counts are a conservative estimate
(no tokenizer at run time). `ConversationMemory` (`recall.py`) keeps what it
has read between turns. Nothing here calls the model or redacts: rows were
redacted when they were stored.
"""

from __future__ import annotations

import dataclasses

from langchain_core.messages import AIMessage, AnyMessage, HumanMessage

from bot.agent.framing import unframe_model_words
from bot.domain.models import Principal
from storage.records import NewMessage
from storage.store import Store

HISTORY_ROWS = 200
ROLES = frozenset({"user", "assistant", "tool"})
NOTE_PREFIX = "[bot note] "
NOTE_TOKENS = 20  # room kept for the "left out" note


def estimate_tokens(text: str) -> int:
    """An upper-leaning estimate of o200k tokens: about 3 characters each, plus framing."""
    return max(len(text) // 3, len(text.encode("utf-8")) // 4) + 4


def message_tokens(message: AnyMessage) -> int:
    """What one message costs against the model's input budget (its text and its tool calls)."""
    content = message.content if isinstance(message.content, str) else str(message.content)
    calls = getattr(message, "tool_calls", None) or []
    return estimate_tokens(content) + sum(estimate_tokens(str(c.get("args"))) + 8 for c in calls)


@dataclasses.dataclass(frozen=True)
class Memory:
    messages: tuple[AnyMessage, ...]
    dropped: int
    tokens: int
    # message_tokens of each message, counted once when its row was first read
    costs: tuple[int, ...] = ()


def to_message(role: str, content: str) -> AnyMessage:
    """A stored row as the model sees it: the person, the model's own words, or a bot note."""
    if role == "user":
        return HumanMessage(content=content)
    if role == "tool":
        return AIMessage(content=NOTE_PREFIX + content)
    return AIMessage(content=unframe_model_words(content))


def left_out_note(dropped: int) -> AIMessage:
    return AIMessage(content=f"{NOTE_PREFIX}{dropped} earlier message(s) left out.")


def note_row(
    *,
    principal: Principal,
    channel: str,
    thread: str | None,
    text: str,
    operation: str | None = None,
    status: str | None = None,
) -> NewMessage:
    """A note of the agent's (an approval it filed, an outcome) as a history row."""
    return NewMessage(
        platform=principal.platform,
        channel=channel,
        thread=thread,
        user_id=principal.user_id,
        role="tool",
        content=text,
        operation=operation,
        status=status,
    )


async def has_note(
    store: Store, *, platform: str, user_id: str, channel: str, thread: str | None, contains: str, status: str
) -> bool:
    rows = await store.conversation(platform=platform, channel=channel, thread=thread, limit=HISTORY_ROWS)
    return any(
        r.role == "tool" and r.user_id == user_id and r.status == status and contains in r.content
        for r in rows
    )
