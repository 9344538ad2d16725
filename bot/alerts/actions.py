"""The alert card's buttons: Investigate, Silence 1h / 4h / until resolved, Acknowledge.

A button carries only the alert's fingerprint; everything else is read from
storage. Silence is the ordinary `am_silence` operation submitted to the
executor as the person who clicked, so policy, the approval card and the
audit trail apply as for `!silence` (nothing is sent to Alertmanager here);
a refusal is for the clicker alone (`ephemeral`). Investigate runs `!debug`
(or `!analyze` for a namespace) through the router as the clicker, with
their rights, in the card's thread: a viewer gets reads only, and a fix the
model proposes is an ordinary approval card. Acknowledge records who took
the alert (the leader's next sync redraws the card).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
import uuid
from collections.abc import Awaitable, Callable, Collection

from bot.alerts.findings import labelled_object
from bot.domain.events import AuditEvent
from bot.domain.models import ButtonAction, IncomingMessage, Principal, Reply, ReplyKind
from bot.domain.outcomes import RequestContext
from bot.domain.replies import outcome_replies
from bot.gate.ports import AuditLog, OperationGateway
from storage.alert_records import AlertRecord, Change
from storage.alerts import Alerts

log = logging.getLogger(__name__)

HandleFn = Callable[[IncomingMessage], Awaitable[list[Reply]]]
SILENCE_FOR = {
    ButtonAction.SILENCE_1H: "1h",
    ButtonAction.SILENCE_4H: "4h",
    # Alertmanager silences end at a time; "until resolved" is the longest one the bot grants.
    ButtonAction.SILENCE_RESOLVED: "7d",
}
# Labels that name what fires, in the order they are worth a matcher (Alertmanager allows more;
# the silence operation takes ten).
IDENTIFYING = (
    "alertname", "namespace", "pod", "deployment", "statefulset", "daemonset", "node", "job",
    "service", "container", "instance", "cluster",
)  # fmt: skip
MAX_MATCHERS = 10
UNKNOWN = "That alert is no longer known to the bot; it may have been cleaned up."


def silence_matchers(alert: AlertRecord) -> list[str]:
    """Exact matchers that silence this alert and no other (its identifying labels)."""
    labels = alert.labels
    chosen = [name for name in IDENTIFYING if labels.get(name)]
    chosen += sorted(k for k in labels if k not in chosen and k not in ("severity", "prometheus"))
    return [f"{name}={labels[name]}" for name in chosen[:MAX_MATCHERS] if _plain(labels[name])]


def _plain(value: str) -> bool:
    return 0 < len(value) <= 200 and "\n" not in value


def investigate_command(alert: AlertRecord) -> str | None:
    """`!debug pod web-1 -n prod`, `!debug node n1`, `!analyze prod`; None if it names nothing."""
    found = labelled_object(alert.labels)  # the object the card's findings were read for
    if found is None:
        return None
    kind, name, namespace = found
    if kind == "namespace":
        return f"!analyze {name}"
    where = f" -n {namespace}" if namespace and kind != "node" else ""
    return f"!debug {kind} {name}{where}"


class AlertActions:
    def __init__(
        self,
        *,
        gateway: OperationGateway,
        alerts: Alerts,
        audit: AuditLog,
        handle: HandleFn,
        cluster_names: Collection[str] = (),
    ) -> None:
        self._gateway = gateway
        self._alerts = alerts
        self._audit = audit
        self._handle = handle
        self._clusters = set(cluster_names)

    async def click(
        self,
        *,
        principal: Principal,
        action: ButtonAction,
        fingerprint: str,
        channel: str,
        thread: str | None,
    ) -> list[Reply]:
        alert = await self._alerts.get(fingerprint)
        if alert is None:
            return [Reply(UNKNOWN, kind=ReplyKind.ERROR, ephemeral=True)]
        ctx = RequestContext(principal, channel, thread, uuid.uuid4().hex[:16], origin="command")
        await self._audit.record(
            AuditEvent.ALERT_CLICKED,
            ctx,
            status=action.value,
            detail={"fingerprint": fingerprint, "alertname": alert.alertname},
        )
        if action is ButtonAction.ACKNOWLEDGE:
            return await self._acknowledge(alert, principal, ctx)
        if action in SILENCE_FOR:
            return await self._silence(
                alert, SILENCE_FOR[action], ctx, until_resolved=action is ButtonAction.SILENCE_RESOLVED
            )
        if action is ButtonAction.INVESTIGATE:
            command = investigate_command(alert)
            if command is None:
                return [
                    Reply(
                        "This alert names no pod, deployment, statefulset, node or namespace to look at.",
                        ephemeral=True,
                    )
                ]
            return await self._handle(IncomingMessage(principal, channel, command, thread=thread))
        return [
            Reply(f"{action.value} is not a button of an alert card.", kind=ReplyKind.ERROR, ephemeral=True)
        ]

    async def _acknowledge(
        self, alert: AlertRecord, principal: Principal, ctx: RequestContext
    ) -> list[Reply]:
        who = f"{principal.display_name} ({principal.platform}:{principal.user_id})"
        written = await self._alerts.acknowledge(alert.fingerprint, by=who, at=dt.datetime.now(dt.UTC))
        if written is None:
            return [Reply(UNKNOWN, kind=ReplyKind.ERROR, ephemeral=True)]
        if written.change is Change.UNCHANGED:
            return [
                Reply(
                    f"{alert.alertname} was already acknowledged by {written.record.acknowledged_by}.",
                    ephemeral=True,
                )
            ]
        await self._audit.record(
            AuditEvent.ALERT_ACKNOWLEDGED, ctx, detail={"fingerprint": alert.fingerprint}
        )
        return [Reply(f"{principal.display_name} acknowledged {alert.alertname}.")]

    async def _silence(
        self, alert: AlertRecord, duration: str, ctx: RequestContext, *, until_resolved: bool
    ) -> list[Reply]:
        if alert.status != "firing":
            return [Reply(f"{alert.alertname} has resolved; there is nothing to silence.", ephemeral=True)]
        matchers = silence_matchers(alert)
        if not matchers:
            return [
                Reply(
                    "This alert has no label the silence could match exactly.",
                    kind=ReplyKind.ERROR,
                    ephemeral=True,
                )
            ]
        why = "until resolved" if until_resolved else f"for {duration}"
        raw: dict[str, object] = {
            "matchers": matchers,
            "duration": duration,
            "comment": f"{alert.alertname} silenced {why} from its alert card"[:300],
            "alert": alert.fingerprint,  # the leader keeps the silence and, until resolved, ends it
            "until_resolved": until_resolved,
        }
        cluster = alert.labels.get("cluster")
        if cluster in self._clusters:
            raw["cluster"] = cluster
        outcome = await self._gateway.submit("am_silence", raw, ctx)
        return [_private_if_refused(reply) for reply in outcome_replies(outcome)]


def _private_if_refused(reply: Reply) -> Reply:
    """A refused or failed click changed nothing others need to see: only the clicker is told."""
    if reply.kind in (ReplyKind.DENIED, ReplyKind.ERROR):
        return dataclasses.replace(reply, ephemeral=True)
    return reply
