"""An agent turn → replies: the model's text made safe, what ran, and real approval cards.

The first reply carries the model's answer (redacted, mentions defused), why
the turn stopped early if it did, and one line per operation it ran or
proposed with its safety level. Then one approval card per approval the turn
filed, built from the approval row the executor returned: the model can write
any text, but a card only ever comes from a real row. Nothing here calls the
model or the executor.
"""

from __future__ import annotations

from collections.abc import Sequence

from langchain_core.messages import AIMessage, AnyMessage

from bot.agent.dispatch import Turn, operations_summary
from bot.agent.framing import MODEL_HEADER, as_model_words, to_chat
from bot.domain.models import Reply, ReplyKind
from bot.domain.replies import approval_card
from bot.domain.textclean import clean_text
from tools.base import Status

MAX_ANSWER_CHARS = 6000
NO_ANSWER = "I have no answer to that; try rephrasing it, or !help for the commands."


def final_text(messages: Sequence[AnyMessage]) -> str:
    """The last thing the model said among `messages`: pass only this turn's, never memory
    (an older answer or card must never be replayed as this turn's). Empty if it said nothing."""
    for message in reversed(messages):
        if isinstance(message, AIMessage) and message.text.strip():
            return message.text
    return ""


def has_unreadable_calls(messages: Sequence[AnyMessage]) -> bool:
    """Did the model ask for a tool with arguments that are not JSON (this turn's messages)?"""
    return any(isinstance(m, AIMessage) and m.invalid_tool_calls for m in messages)


def no_answer_sentence(turn: Turn, *, unreadable: bool = False) -> str:
    what = (
        "The model asked for an operation with arguments I could not read"
        if unreadable
        else "The model gave no answer"
    )
    return f"{what}; nothing was done." if not turn.outcomes else f"{what}."


def limit_sentence(turn: Turn) -> str:
    return (
        f"I stopped after {turn.tool_calls} operation call(s), the most one question may use; "
        "ask me to continue, or ask something narrower."
    )


def compose(turn: Turn, *, text: str, problem: str | None = None, header: str = MODEL_HEADER) -> list[Reply]:
    parts = []
    answer = as_model_words(clean_text(text)[:MAX_ANSWER_CHARS], header=header)
    if answer:
        parts.append(answer)
    elif not problem and not turn.limited:
        problem = no_answer_sentence(turn)
    if turn.limited:
        parts.append(limit_sentence(turn))
    if problem:
        parts.append(problem)
    lines = operations_summary(turn.outcomes)
    if lines:
        # A call's arguments were chosen by the model: as defused as its words.
        parts.append("Operations:\n" + "\n".join(f"• {to_chat(line)}" for line in lines))
    kind = ReplyKind.ERROR if problem and not answer and not lines else ReplyKind.INFO
    replies = [Reply("\n\n".join(parts) or NO_ANSWER, kind=kind)]
    for outcome in turn.outcomes:
        if outcome.status is Status.APPROVAL_REQUIRED and outcome.approval is not None:
            replies.append(approval_card(outcome.approval))
    return replies
