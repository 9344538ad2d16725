"""Flood control per channel: at most N new cards a minute; the rest summarised in one card.

`decide(place, subject, count, now)` admits a new card while the channel has
posted fewer than `limit` new cards in the last `window_s` seconds. Past
that, a summary window opens for `window_s`: every subject that wanted a new
card in it is counted there (with its latest count), and keeps being counted
there while the window lasts; the caller posts one summary card per window.
Updates of cards already posted never come here. Pure: time is passed in.
"""

from __future__ import annotations

import collections
import dataclasses


@dataclasses.dataclass(frozen=True)
class Summary:
    place: str
    started: float  # the window's start, its identity
    subjects: int  # how many problems got no card of their own
    events: int  # their counts, summed
    examples: tuple[str, ...]  # a few of their titles


@dataclasses.dataclass(frozen=True)
class Admit:
    pass


@dataclasses.dataclass(frozen=True)
class Summarise:
    summary: Summary


Decision = Admit | Summarise
EXAMPLES = 5


@dataclasses.dataclass
class _Window:
    started: float
    counts: dict[str, int] = dataclasses.field(default_factory=dict)
    titles: dict[str, str] = dataclasses.field(default_factory=dict)


class FloodControl:
    def __init__(self, *, limit: int, window_s: float = 60.0) -> None:
        self.limit = limit
        self.window_s = window_s
        self._posted: dict[str, collections.deque[float]] = {}
        self._windows: dict[str, _Window] = {}

    def decide(self, place: str, subject: str, *, count: int, title: str, now: float) -> Decision:
        window = self._windows.get(place)
        if window is not None and now - window.started >= self.window_s:
            window = None
            del self._windows[place]
        if window is not None and subject in window.counts:
            return Summarise(self._count(place, window, subject, count, title))
        posted = self._posted.setdefault(place, collections.deque())
        while posted and now - posted[0] >= self.window_s:
            posted.popleft()
        if len(posted) < self.limit:
            posted.append(now)
            return Admit()
        if window is None:
            window = self._windows[place] = _Window(started=now)
        return Summarise(self._count(place, window, subject, count, title))

    def _count(self, place: str, window: _Window, subject: str, count: int, title: str) -> Summary:
        window.counts[subject] = max(count, window.counts.get(subject, 0))
        window.titles.setdefault(subject, title)
        return Summary(
            place=place,
            started=window.started,
            subjects=len(window.counts),
            events=sum(window.counts.values()),
            examples=tuple(list(window.titles.values())[:EXAMPLES]),
        )
