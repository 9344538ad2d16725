"""A Slack approval card's location (channel, ts, workspace) as the core's `PostedRef` and back.

The card index itself is the core's (`bot.conversation.delivery.cards`), kept
in the database under platform "slack": cards posted before a restart are
still updated by the expiry sweep, by long-running notices and by clicks.
The core stores a ref's data and never reads it; this adapter does (the
workspace a click must come from). This module never calls Slack.
"""

from __future__ import annotations

import dataclasses

from bot.domain.ports import Place, PostedRef

from .directory import PLATFORM


@dataclasses.dataclass(frozen=True)
class CardRef:
    channel: str
    ts: str
    team: str | None  # the workspace the card belongs to: clicks from another are refused
    thread_ts: str | None = None  # the thread the card was posted in, if any

    @property
    def thread(self) -> str:
        """Where the conversation about this card continues: its thread, or a thread under the card."""
        return self.thread_ts or self.ts

    @property
    def place(self) -> Place:
        return Place(PLATFORM, self.channel, self.thread)

    def to_posted(self) -> PostedRef:
        return PostedRef(
            PLATFORM, {"channel": self.channel, "ts": self.ts, "team": self.team, "thread_ts": self.thread_ts}
        )

    @classmethod
    def from_posted(cls, ref: PostedRef) -> CardRef | None:
        channel, ts = ref.data.get("channel"), ref.data.get("ts")
        if ref.platform != PLATFORM or not channel or not ts:
            return None
        return cls(channel, ts, ref.data.get("team"), ref.data.get("thread_ts"))
