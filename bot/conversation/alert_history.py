"""Alerts in `!history`: the cards posted in a channel and who acted on them, and a person's own clicks.

Read from the audit trail, where the alerts service writes every card it
posts (`alert.card_posted`) and every button pressed on one (`alert.clicked`,
`alert.acknowledged`); nothing here is stored twice.
"""

from __future__ import annotations

import datetime as dt

from bot.domain.events import AuditEvent
from bot.domain.models import Reply
from storage.records import AuditFilter, AuditRecord
from storage.store import Store
from tools.base import Table

CARD_FACTS = (AuditEvent.ALERT_CARD_POSTED.value, AuditEvent.ALERT_CLICKED.value)
ACTION_WORDS = {
    "investigate": "investigated",
    "silence_1h": "asked to silence for 1 h",
    "silence_4h": "asked to silence for 4 h",
    "silence_resolved": "asked to silence until resolved",
    "acknowledge": "acknowledged",
}


def _when(row: AuditRecord) -> str:
    return dt.datetime.fromisoformat(row.ts).strftime("%m-%d %H:%M")


def _what(row: AuditRecord) -> str:
    title = str(row.detail.get("title") or row.detail.get("alertname") or row.detail.get("subject") or "?")
    return title[:80]


def _click(row: AuditRecord) -> str:
    return ACTION_WORDS.get(row.status or "", row.status or "pressed a button")


async def channel_alerts(store: Store, *, platform: str, channel: str, limit: int) -> Reply:
    """`!history alerts [n]`: what the bot posted here (alerts, cluster events, flood summaries)
    and who investigated, silenced or acknowledged, newest last."""
    rows = await store.list_audit(
        AuditFilter(platform=platform, channel=channel, events=CARD_FACTS, limit=limit)
    )
    if not rows:
        return Reply("No alerts or cluster-event cards have been posted in this channel yet.")
    table_rows = []
    for row in rows:
        if row.event == AuditEvent.ALERT_CARD_POSTED.value:
            kind = str(row.detail.get("kind") or "card")
            table_rows.append((_when(row), f"{kind} posted", _what(row), row.status or "-"))
        else:
            table_rows.append((_when(row), _click(row), _what(row), row.user_id or "-"))
    return Reply(
        f"The last {len(table_rows)} alert fact(s) in this channel, newest last:",
        table=Table(("when", "what", "about", "state / who"), tuple(table_rows)),
    )


async def own_alert_clicks(
    store: Store, *, platform: str, user_id: str, limit: int
) -> list[tuple[dt.datetime, str, str]]:
    """The person's own alert-card clicks as (when, what, outcome) rows for `!history`."""
    rows = await store.list_audit(
        AuditFilter(platform=platform, user_id=user_id, event=AuditEvent.ALERT_CLICKED.value, limit=limit)
    )
    return [
        (
            dt.datetime.fromisoformat(row.ts),
            f"[alert] {ACTION_WORDS.get(row.status or '', 'clicked')}: {_what(row)}",
            row.status or "-",
        )
        for row in rows
    ]
