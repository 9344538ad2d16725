"""Delivery: what the core says to people after their request, through `ChatSurface`s only.

- `surfaces`: the registry adapters add their surface to at start (`register`)
  and take it out of at stop (`unregister`).
- `cards`: the approval-card index: where each card was posted, per platform,
  kept in the database; a card is shown by updating it in place, else posted
  and remembered; cards the bot settled on its own (expired, outcome unknown)
  are redrawn on every registered surface.
- `progress`: one "working…" note per long-running change, edited in place.
- `notices`: the `Notifier` port of the gate: progress lines and the final
  word to the requester, on the requester's own platform.

Nothing here knows a platform by name, decides anything or runs anything.
"""

from bot.conversation.delivery.cards import CardBoard, KnownCard
from bot.conversation.delivery.notices import Notices
from bot.conversation.delivery.progress import ProgressBoard
from bot.conversation.delivery.surfaces import SurfaceRegistry

__all__ = ["CardBoard", "KnownCard", "Notices", "ProgressBoard", "SurfaceRegistry"]
