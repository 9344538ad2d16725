"""Alert, cluster-event and flood-summary cards as platform-neutral `Reply` values.

An alert card: title, severity, the labels that matter, summary /
description / runbook, how long it has fired (or when it resolved), who
acknowledged it, the silences the bot made for it ("silenced by X until …"),
what the bot found about the object it names when it fired (`findings`: the
diagnosis in the code block, or one line on why there is none), and buttons
(Investigate, Silence 1h / 4h / until resolved, Acknowledge) that carry only
the alert's fingerprint. A cluster-event card:
the object, the reason, how often, first and last seen, the message. Text
from Alertmanager or the cluster is redacted here. Only builds replies.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from bot.alerts.findings import MAX_TEXT as MAX_DIAGNOSIS
from bot.alerts.findings import Findings
from bot.alerts.flood import Summary
from bot.domain.models import Attachment, Button, ButtonAction, Reply, ReplyField, ReplyKind
from storage.alert_records import AlertRecord, SignalRecord, SilenceRecord
from tools.redact import redact_text

KEY_LABELS = (
    "cluster",
    "namespace",
    "pod",
    "deployment",
    "statefulset",
    "daemonset",
    "node",
    "job",
    "service",
)
MAX_ANNOTATION = 1000


def duration(delta: dt.timedelta) -> str:
    """`2d 3h`, `3h 12m`, `12m`, `40s`."""
    seconds = max(0, int(delta.total_seconds()))
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    if days:
        return f"{days}d {hours}h"
    if hours:
        return f"{hours}h {minutes}m"
    return f"{minutes}m" if minutes else f"{secs}s"


def _at(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")


def _clean(text: object, limit: int = MAX_ANNOTATION) -> str:
    return redact_text(str(text or "").strip())[:limit]


def findings_parts(alert: AlertRecord) -> tuple[list[ReplyField], str | None]:
    """The card's diagnosis and chart lines, and the diagnosis itself: cluster data, so it goes in the
    code block every surface shows escaped. Nothing when the bot looked at nothing."""
    found = Findings.from_json(alert.findings)
    if found is None:
        return [], None
    fields = []
    code = None
    if found.text:
        fields.append(ReplyField("Diagnosis", _clean(f"{found.target}, read when it fired", 400)))
        code = _clean(found.text, MAX_DIAGNOSIS)
    elif found.note:
        fields.append(ReplyField("Diagnosis", _clean(found.note, 400)))
    if found.chart_note:
        fields.append(ReplyField("Chart", _clean(found.chart_note, 400)))
    return fields, code


def alert_card(
    alert: AlertRecord,
    *,
    now: dt.datetime,
    files: tuple[Attachment, ...] = (),
    silences: Sequence[SilenceRecord] = (),
) -> Reply:
    """`files`: the chart of the alert's expression, for the first post only; `silences`: those the
    bot made for this alert."""
    labels, notes = alert.labels, alert.annotations
    severity = _clean(labels.get("severity") or "none", 40)
    firing = alert.status == "firing"
    summary = _clean(notes.get("summary") or notes.get("message") or "", 300)
    state = "FIRING" if firing else "RESOLVED"
    text = f"{state}: {_clean(alert.alertname, 200)} ({severity})" + (f" — {summary}" if summary else "")
    fields = [
        ReplyField(name.capitalize(), _clean(labels[name], 200)) for name in KEY_LABELS if labels.get(name)
    ]
    if firing:
        fields.append(
            ReplyField("Firing for", f"{duration(now - alert.starts_at)} (since {_at(alert.starts_at)})")
        )
    else:
        ended = alert.ends_at or alert.updated_at
        fields.append(ReplyField("Resolved", f"{_at(ended)} after {duration(ended - alert.starts_at)}"))
    if notes.get("description"):
        fields.append(ReplyField("Description", _clean(notes["description"])))
    runbook = notes.get("runbook_url") or notes.get("runbook")
    if runbook:
        fields.append(ReplyField("Runbook", _clean(runbook, 500)))
    found, code = findings_parts(alert)
    fields += found
    if alert.acknowledged_by and alert.acknowledged_at:
        fields.append(
            ReplyField("Acknowledged", f"by {alert.acknowledged_by} at {_at(alert.acknowledged_at)}")
        )
    fields += silence_fields(silences, now=now)
    fields.append(ReplyField("Fingerprint", alert.fingerprint))
    return Reply(
        text,
        kind=ReplyKind.INFO if firing else ReplyKind.RESULT,
        code=code,
        fields=tuple(fields),
        buttons=alert_buttons(alert),
        files=files,
    )


def silence_fields(silences: Sequence[SilenceRecord], *, now: dt.datetime) -> list[ReplyField]:
    """ "Silenced: by X until …" for each silence still running; the end of one "until resolved"."""
    fields = []
    for silence in silences:
        who = _clean(silence.created_by, 200)
        if silence.is_active(now):
            until = (
                f"resolved (at most {_at(silence.ends_at)})"
                if silence.until_resolved
                else _at(silence.ends_at)
            )
            fields.append(ReplyField("Silenced", f"by {who} until {until}"))
        elif silence.until_resolved and silence.expired_at is not None:
            fields.append(ReplyField("Silence", f"silence expired: alert resolved (set by {who})"))
    return fields


def alert_buttons(alert: AlertRecord) -> tuple[Button, ...]:
    """What a person may do from the card; each button carries only the fingerprint."""
    fp = alert.fingerprint
    investigate = Button(ButtonAction.INVESTIGATE, fp, "Investigate")
    if alert.status != "firing":
        return (investigate,)
    buttons = [
        investigate,
        Button(ButtonAction.SILENCE_1H, fp, "Silence 1h"),
        Button(ButtonAction.SILENCE_4H, fp, "Silence 4h"),
        Button(ButtonAction.SILENCE_RESOLVED, fp, "Silence until resolved"),
    ]
    if not alert.acknowledged_by:
        buttons.append(Button(ButtonAction.ACKNOWLEDGE, fp, "Acknowledge"))
    return tuple(buttons)


def signal_title(signal: SignalRecord) -> str:
    where = f"{signal.namespace}/" if signal.namespace else ""
    return f"{signal.reason}: {signal.kind} {where}{signal.name}"


def signal_card(signal: SignalRecord) -> Reply:
    firing = signal.state == "firing"
    text = (
        signal_title(signal) if firing else f"Recovered: {signal_title(signal)}"
    ) + f" (cluster {signal.cluster})"
    times = "once" if signal.count == 1 else f"{signal.count} times"
    fields = [
        ReplyField("Seen", times),
        ReplyField("First seen", _at(signal.first_seen)),
        ReplyField("Last seen", _at(signal.last_seen)),
    ]
    if signal.message:
        fields.append(ReplyField("Message", _clean(signal.message, 500)))
    return Reply(text, kind=ReplyKind.INFO if firing else ReplyKind.RESULT, fields=tuple(fields))


def summary_card(summary: Summary, *, started_at: dt.datetime) -> Reply:
    problems = "problem" if summary.subjects == 1 else "problems"
    text = (
        f"Flood control: {summary.subjects} more {problems} in this channel since "
        f"{started_at.astimezone(dt.UTC).strftime('%H:%M:%S UTC')} got no card of their own "
        f"({summary.events} events in all)."
    )
    examples = "\n".join(_clean(e, 200) for e in summary.examples)
    return Reply(text, fields=(ReplyField("Among them", examples),) if examples else ())
