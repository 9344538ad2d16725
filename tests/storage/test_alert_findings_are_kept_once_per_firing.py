"""What the bot found about a firing alert is stored once, on SQLite and PostgreSQL: a second write
keeps the first, other changes (resolved, acknowledged) keep it, a re-fire forgets it, and a write for
an earlier firing changes nothing."""

from __future__ import annotations

import datetime as dt

from storage import Store
from storage.alert_records import AlertInput

T0 = dt.datetime(2026, 12, 2, 10, 0, tzinfo=dt.UTC)
FP = "f00dfeed12345678"


def alert(status: str = "firing", *, starts: dt.datetime = T0) -> AlertInput:
    return AlertInput(
        fingerprint=FP,
        status=status,
        labels={"alertname": "KubePodCrashLooping", "namespace": "prod", "pod": "web-1"},
        annotations={},
        starts_at=starts,
        ends_at=starts + dt.timedelta(minutes=5) if status == "resolved" else None,
    )


async def test_findings_are_written_once_and_survive_later_changes(store: Store) -> None:
    first = (await store.alerts.upsert(alert())).record
    assert first.findings is None
    kept = await store.alerts.record_findings(FP, starts_at=T0, findings={"text": "CrashLoopBackOff"})
    assert kept is not None and kept.findings == {"text": "CrashLoopBackOff"}
    assert kept.version == first.version + 1  # a card drawn before is drawn again with them
    again = await store.alerts.record_findings(FP, starts_at=T0, findings={"text": "something else"})
    assert again is not None and again.findings == {"text": "CrashLoopBackOff"}
    assert again.version == kept.version

    await store.alerts.acknowledge(FP, by="slack:U1 Alice", at=T0)
    resolved = (await store.alerts.upsert(alert("resolved"))).record
    assert resolved.findings == {"text": "CrashLoopBackOff"}
    fetched = await store.alerts.get(FP)
    assert fetched is not None and fetched.findings == {"text": "CrashLoopBackOff"}


async def test_a_re_fire_forgets_the_findings_and_a_late_write_for_the_old_firing_is_ignored(
    store: Store,
) -> None:
    await store.alerts.upsert(alert())
    await store.alerts.record_findings(FP, starts_at=T0, findings={"text": "first firing"})
    await store.alerts.upsert(alert("resolved"))
    later = T0 + dt.timedelta(hours=1)
    refired = (await store.alerts.upsert(alert(starts=later))).record
    assert refired.findings is None
    stale = await store.alerts.record_findings(FP, starts_at=T0, findings={"text": "old firing"})
    assert stale is not None and stale.findings is None
    fresh = await store.alerts.record_findings(FP, starts_at=later, findings={"text": "second firing"})
    assert fresh is not None and fresh.findings == {"text": "second firing"}
    assert await store.alerts.record_findings("unknown", starts_at=T0, findings={}) is None
