"""The Alertmanager operations: firing alerts and silences to read, silences to add or expire.

A silence is a WRITE like any other change: its preview shows the exact
body the API will receive (matchers, length, comment, author) and the
alerts it would silence now; its undo expires it. Every result is redacted
and fits the output budget. Nothing here imports `bot` or decides policy.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from tools.alertmanager.args import AlertsArgs, SilenceArgs, SilenceIdArgs, matcher_text, parse_matcher
from tools.alertmanager.client import AlertmanagerClient
from tools.base import Args, OperationResult, Preview, RunContext, Status, Table, UndoPlan
from tools.http_api import ApiError, HttpEndpoint, first_serving
from tools.kubernetes.clusters import ClusterSet
from tools.kubernetes.common import finish
from tools.prometheus.summarise import parse_duration
from tools.redact import redact_text

A = TypeVar("A", bound=Args)
MAX_ROWS = 100


def _since(text: Any) -> str:
    return str(text or "-")[:16].replace("T", " ")


class Alertmanager:
    def __init__(self, endpoints: tuple[HttpEndpoint, ...], clusters: ClusterSet) -> None:
        self.endpoints = endpoints
        self.clusters = clusters

    def client(self, args: Any) -> AlertmanagerClient:
        try:
            cluster: str | None = self.clusters.get(args.cluster).name
        except LookupError:  # no cluster configured: endpoints are matched on the name asked
            cluster = args.cluster
        endpoint = first_serving(self.endpoints, cluster)
        if endpoint is None:
            where = cluster or "this cluster"
            raise ApiError(f"no Alertmanager is configured for {where}; add one under alertmanager.endpoints")
        return AlertmanagerClient(endpoint)

    # --- reads --------------------------------------------------------------------------------

    async def alerts(self, args: AlertsArgs, ctx: RunContext) -> OperationResult:
        client = self.client(args)
        filters = [matcher_text(parse_matcher(f)) for f in args.filter]
        alerts = await client.alerts(filters, silenced=args.silenced)
        if not alerts:
            return OperationResult(status=Status.NO_DATA, text=f"{client.what}: no alerts are firing")
        rows = []
        for alert in sorted(alerts, key=lambda a: str(a.get("startsAt")))[:MAX_ROWS]:
            labels = alert.get("labels") or {}
            annotations = alert.get("annotations") or {}
            state = str((alert.get("status") or {}).get("state") or "active")
            rows.append(
                (
                    str(labels.get("alertname", "?")),
                    str(labels.get("severity", "-")),
                    str(labels.get("namespace", "-")),
                    state,
                    _since(alert.get("startsAt")),
                    str(annotations.get("summary") or annotations.get("description") or "-")[:160],
                    str(alert.get("fingerprint", ""))[:16],
                )
            )
        more = f" (first {MAX_ROWS})" if len(alerts) > MAX_ROWS else ""
        return OperationResult(
            status=Status.OK,
            text=f"{client.what}: {len(alerts)} alert(s){more}",
            table=Table(
                ("ALERT", "SEVERITY", "NAMESPACE", "STATE", "SINCE", "SUMMARY", "FINGERPRINT"), tuple(rows)
            ),
        )

    async def silences(self, args: Args, ctx: RunContext) -> OperationResult:
        client = self.client(args)
        current = [s for s in await client.silences() if (s.get("status") or {}).get("state") != "expired"]
        if not current:
            return OperationResult(
                status=Status.NO_DATA, text=f"{client.what}: no active or pending silences"
            )
        rows = tuple(
            (
                str(s.get("id", "?")),
                str((s.get("status") or {}).get("state", "?")),
                ", ".join(matcher_text(m) for m in s.get("matchers") or []),
                _since(s.get("endsAt")),
                str(s.get("createdBy", "-"))[:40],
                str(s.get("comment", ""))[:120],
            )
            for s in current[:MAX_ROWS]
        )
        return OperationResult(
            status=Status.OK,
            text=f"{client.what}: {len(current)} silence(s)",
            table=Table(("ID", "STATE", "MATCHERS", "ENDS", "BY", "COMMENT"), rows),
        )

    # --- changes ------------------------------------------------------------------------------

    @staticmethod
    def silence_body(args: SilenceArgs, ctx: RunContext, *, now: dt.datetime) -> dict[str, Any]:
        author = ctx.identity.user if ctx.identity is not None else "chatops"
        comment = args.comment or "silenced from chat"
        return {
            "matchers": [parse_matcher(m) for m in args.matchers],
            "startsAt": now.isoformat().replace("+00:00", "Z"),
            "endsAt": (now + parse_duration(args.duration)).isoformat().replace("+00:00", "Z"),
            "createdBy": author,
            "comment": f"{comment} (chatops request {ctx.request_id})",
        }

    async def preview_silence(self, args: SilenceArgs, ctx: RunContext) -> Preview:
        client = self.client(args)
        matchers = [matcher_text(parse_matcher(m)) for m in args.matchers]
        now = await client.alerts(matchers)
        body = self.silence_body(args, ctx, now=dt.datetime.now(dt.UTC))
        names = sorted({str((a.get("labels") or {}).get("alertname", "?")) for a in now})
        lines = [
            f"{client.what}: add a silence for {args.duration}, starting when it runs",
            f"matchers: {', '.join(matchers)}",
            f"createdBy: {body['createdBy']}",
            f"comment: {body['comment']}",
            f"silences now: {len(now)} firing alert(s)" + (f" ({', '.join(names[:10])})" if names else ""),
        ]
        if args.until_resolved:
            lines.append(
                f"until resolved: expired as soon as alert {args.alert} resolves ({args.duration} at most)"
            )
        elif args.alert:
            lines.append(f"for alert {args.alert}")
        return Preview(text="\n".join(lines))

    async def silence(self, args: SilenceArgs, ctx: RunContext) -> OperationResult:
        client = self.client(args)
        body = self.silence_body(args, ctx, now=dt.datetime.now(dt.UTC))
        silence_id = await client.create_silence(body)
        return OperationResult(
            status=Status.OK,
            text=f"{client.what}: silence {silence_id} added until {_since(body['endsAt'])} UTC "
            f"for {', '.join(matcher_text(m) for m in body['matchers'])}",
            data={"silence_id": silence_id},
            undo=UndoPlan(
                operation="am_expire_silence",
                args={"cluster": args.cluster, "silence_id": silence_id},
                summary=f"expire silence {silence_id}",
            ),
        )

    async def preview_expire(self, args: SilenceIdArgs, ctx: RunContext) -> Preview:
        client = self.client(args)
        current = await client.silence(args.silence_id)
        state = str((current.get("status") or {}).get("state", "?"))
        if state == "expired":
            return Preview(text=f"silence {args.silence_id} has already expired; nothing to do", ok=False)
        matchers = ", ".join(matcher_text(m) for m in current.get("matchers") or [])
        return Preview(
            text=f"{client.what}: expire silence {args.silence_id} ({state}, ends {_since(current.get('endsAt'))} "
            f"UTC) for {matchers}; its alerts notify again",
            binding={"updatedAt": str(current.get("updatedAt") or "")},
        )

    async def expire(self, args: SilenceIdArgs, ctx: RunContext) -> OperationResult:
        client = self.client(args)
        expected = ctx.binding.get("updatedAt")
        current = await client.silence(args.silence_id)
        if expected and str(current.get("updatedAt") or "") != expected:
            return OperationResult.failure(
                call="am_expire_silence",
                message=f"silence {args.silence_id} changed since it was approved; nothing was done",
                hint="Ask again to see it as it is now.",
            )
        if (current.get("status") or {}).get("state") == "expired":
            # Already expired (by a leader that died before it could record so, or by hand): done.
            return OperationResult(
                status=Status.OK, text=f"{client.what}: silence {args.silence_id} had already expired"
            )
        await client.expire_silence(args.silence_id)
        return OperationResult(status=Status.OK, text=f"{client.what}: silence {args.silence_id} expired")


def guard(
    name: str, run: Callable[[A, RunContext], Awaitable[OperationResult]]
) -> Callable[[A, RunContext], Awaitable[OperationResult]]:
    async def guarded(args: A, ctx: RunContext) -> OperationResult:
        try:
            result = await run(args, ctx)
        except (ApiError, ValueError) as error:
            return OperationResult.failure(call=name, message=redact_text(str(error)))
        return finish(result, ctx.budget_tokens)

    return guarded


def guard_preview(
    run: Callable[[A, RunContext], Awaitable[Preview]],
) -> Callable[[A, RunContext], Awaitable[Preview]]:
    async def guarded(args: A, ctx: RunContext) -> Preview:
        try:
            return await run(args, ctx)
        except (ApiError, ValueError) as error:
            return Preview(text=redact_text(str(error)), ok=False)

    return guarded
