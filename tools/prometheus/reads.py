"""The Prometheus reads: usage questions (text or chart), raw PromQL, labels, alerts.

Every result is redacted and fits the output budget: a range becomes a
summary of figures, never raw points. A chart is drawn in a thread and rides
on the result as an attachment for people; the model reads only its figures.
Without a Prometheus for the cluster, usage questions answer from
metrics-server's current figures and say what a Prometheus would add.
"""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from tools.base import Args, Attachment, OperationResult, RunContext, Status, Table
from tools.http_api import ApiError
from tools.kubernetes.common import Kube, finish
from tools.kubernetes.errors import KubeError
from tools.prometheus.args import LabelArgs, QueryArgs, UsageArgs
from tools.prometheus.chart import ChartSpec, ChartTooLarge, chart_series_limit, render_png
from tools.prometheus.client import CHART_POINTS, SUMMARY_POINTS, PromError, PrometheusClient
from tools.prometheus.context import current_figures, parse_around, rollout_markers
from tools.prometheus.queries import Question, build_question
from tools.prometheus.settings import PrometheusEndpoint, PrometheusSettings
from tools.prometheus.summarise import (
    Series,
    describe_series,
    figure,
    instant_rows,
    parse_duration,
    summarise_range,
    to_series,
)
from tools.redact import redact_text

A = TypeVar("A", bound=Args)
MAX_ALERTS = 100
MAX_LABELS = 300


def guard(
    name: str, run: Callable[[A, RunContext], Awaitable[OperationResult]]
) -> Callable[[A, RunContext], Awaitable[OperationResult]]:
    """A Prometheus failure or a bad argument becomes the result's one sentence."""

    async def guarded(args: A, ctx: RunContext) -> OperationResult:
        try:
            result = await run(args, ctx)
        except (ApiError, ValueError) as error:
            return OperationResult.failure(call=name, message=redact_text(str(error)))
        return finish(result, ctx.budget_tokens)

    return guarded


class PrometheusReads:
    def __init__(self, settings: PrometheusSettings, kube: Kube) -> None:
        self.settings = settings
        self.kube = kube

    def cluster_name(self, args: Any) -> str | None:
        try:
            return self.kube.clients.cluster(args.cluster).name
        except (LookupError, KubeError):  # no cluster configured: endpoints are matched on the name asked
            return args.cluster if isinstance(args.cluster, str) else None

    def endpoint(self, args: Any) -> PrometheusEndpoint | None:
        return self.settings.endpoint_for(self.cluster_name(args))

    def _required(self, args: Any) -> PrometheusClient:
        endpoint = self.endpoint(args)
        if endpoint is None:
            cluster = self.cluster_name(args) or "this cluster"
            raise PromError(
                f"no Prometheus is configured for {cluster}; add one under prometheus.endpoints in the config"
            )
        return PrometheusClient(endpoint)

    # --- usage questions -------------------------------------------------------------------

    async def usage(self, args: UsageArgs, ctx: RunContext) -> OperationResult:
        return await self._usage(args, ctx, chart=False)

    async def chart(self, args: UsageArgs, ctx: RunContext) -> OperationResult:
        return await self._usage(args, ctx, chart=True)

    async def _usage(self, args: UsageArgs, ctx: RunContext, *, chart: bool) -> OperationResult:
        namespace = self.kube_namespace(args)
        question = build_question(metric=args.metric, kind=args.kind, name=args.name, namespace=namespace)
        endpoint = self.endpoint(args)
        if endpoint is None:
            return await self._fallback(args, ctx, question)
        client = PrometheusClient(endpoint)
        end = dt.datetime.now(dt.UTC)
        start = end - parse_duration(args.since)
        points = CHART_POINTS if chart else SUMMARY_POINTS
        results = await asyncio.gather(
            *(client.query_range(line.promql, start=start, end=end, points=points) for line in question.lines)
        )
        usage: list[Series] = []
        references: list[Series] = []
        for line, result in zip(question.lines, results, strict=True):
            series = [dataclasses.replace(s, label=line.label) for s in to_series(result, line.label)]
            (references if line.reference else usage).extend(series)
        markers = await rollout_markers(self.kube, args, ctx, kind=args.kind, name=args.name, since=start)
        around = parse_around(args.around, markers) if args.around else None
        header = f"{question.title}, last {args.since} (Prometheus {endpoint.name})"
        if not usage:
            return OperationResult(
                status=Status.NO_DATA,
                text=f"{header}\nPrometheus has no {args.metric} series for {args.kind} {args.name}; "
                "check the name and namespace, and that cAdvisor and kube-state-metrics are scraped",
            )
        lines = [describe_series(s, question.unit, around=around) for s in [*usage, *references]]
        lines += [self._headroom(usage, references, question.unit)]
        if markers:
            lines.append("rollouts: " + ", ".join(f"{m.label} at {m.when:%m-%d %H:%M} UTC" for m in markers))
        text = "\n".join([header, *(line for line in lines if line)])
        files: tuple[Attachment, ...] = ()
        if chart:
            spec = ChartSpec(
                title=f"{question.title} ({self.cluster_name(args) or 'cluster'})",
                unit=question.unit,
                usage=chart_series_limit(usage),
                references=tuple(references),
                markers=tuple(markers),
                time_zone=self.settings.time_zone,
            )
            try:
                png = await asyncio.to_thread(render_png, spec)
            except ChartTooLarge as error:
                text += f"\n(no chart: {error})"
            else:
                name = f"{args.metric}-{args.kind}-{args.name}.png"
                files = (Attachment(name, png, "image/png", question.title),)
                text += f"\nchart: {name}"
        return OperationResult(status=Status.OK, text=text, files=files)

    def kube_namespace(self, args: UsageArgs) -> str | None:
        if args.kind in ("node", "namespace"):
            return None
        if args.namespace:
            return args.namespace
        try:
            return self.kube.clients.cluster(args.cluster).default_namespace
        except (LookupError, KubeError):
            return "default"

    @staticmethod
    def _headroom(usage: list[Series], references: list[Series], unit: str) -> str:
        peak = max(((s.stats() or (0.0, 0.0, 0.0, 0.0))[2] for s in usage), default=0.0)
        for reference in reversed(references):  # the limit (or allocatable) first
            stats = reference.stats()
            if stats is not None and stats[3] > 0:
                share = peak / stats[3] * 100
                return f"peak is {share:.0f}% of the {reference.label} ({figure(stats[3], unit)})"
        return ""

    async def _fallback(self, args: UsageArgs, ctx: RunContext, question: Question) -> OperationResult:
        cluster = self.cluster_name(args) or "this cluster"
        adds = (
            f"with a Prometheus (prometheus.endpoints in the config) this would show {args.metric} since "
            f"{args.since} with min/avg/max, requests and limits, rollouts and a chart"
        )
        if args.metric in ("restarts", "network"):
            return OperationResult(
                status=Status.NO_DATA,
                text=f"No Prometheus is configured for {cluster}, and metrics-server has no {args.metric} "
                f"figures; {adds}. Try !describe or !top instead.",
            )
        figures = await current_figures(self.kube, args, ctx, kind=args.kind, name=args.name)
        if isinstance(figures, str):
            return OperationResult(
                status=Status.NO_DATA, text=f"No Prometheus is configured for {cluster}, and {figures}."
            )
        value = figures.cpu_cores if args.metric == "cpu" else figures.memory_bytes
        over = f" over {figures.pods} pod(s)" if figures.pods else ""
        return OperationResult(
            status=Status.OK,
            text=f"{question.title}: {figure(value, question.unit)} now{over} (metrics-server). "
            f"No Prometheus is configured for {cluster}; {adds}.",
        )

    # --- raw PromQL, labels, alerts ----------------------------------------------------------

    async def query(self, args: QueryArgs, ctx: RunContext) -> OperationResult:
        client = self._required(args)
        if args.since:
            end = dt.datetime.now(dt.UTC)
            points = CHART_POINTS if args.chart else SUMMARY_POINTS
            found = await client.query_range(
                args.query, start=end - parse_duration(args.since), end=end, points=points
            )
            series = to_series(found, "value")
            text = summarise_range(series, unit="", budget_tokens=max(ctx.budget_tokens - 100, 200))
            text = f"{args.query} over the last {args.since}:\n{text}"
            files: tuple[Attachment, ...] = ()
            if args.chart and series:
                text, files = await self._query_chart(args, series, text)
            return OperationResult(status=Status.OK, text=text, files=files)
        rows = instant_rows(await client.query(args.query))
        if not rows:
            return OperationResult(status=Status.NO_DATA, text=f"{args.query}: no series matched")
        return OperationResult(
            status=Status.OK,
            text=f"{args.query}: {len(rows)} result(s)",
            table=Table(("SERIES", "VALUE"), tuple(rows)),
        )

    async def _query_chart(
        self, args: QueryArgs, series: list[Series], text: str
    ) -> tuple[str, tuple[Attachment, ...]]:
        """The range of a raw query as a chart image: its lines with the highest peaks."""
        title = args.query if len(args.query) <= 90 else args.query[:89] + "…"
        spec = ChartSpec(
            title=f"{redact_text(title)} ({self.cluster_name(args) or 'cluster'})",
            unit="",
            usage=chart_series_limit(series),
            time_zone=self.settings.time_zone,
        )
        try:
            png = await asyncio.to_thread(render_png, spec)
        except ChartTooLarge as error:
            return f"{text}\n(no chart: {error})", ()
        name = f"query-{args.since}.png"
        return f"{text}\nchart: {name}", (
            Attachment(name, png, "image/png", "PromQL over the last " + str(args.since)),
        )

    async def labels(self, args: LabelArgs, ctx: RunContext) -> OperationResult:
        client = self._required(args)
        values = await (client.label_values(args.label) if args.label else client.labels())
        what = f"values of {args.label}" if args.label else "label names"
        shown = values[:MAX_LABELS]
        more = f" (first {MAX_LABELS} of {len(values)})" if len(values) > MAX_LABELS else ""
        return OperationResult(
            status=Status.OK if values else Status.NO_DATA,
            text=f"{len(values)} {what}{more}:\n" + ", ".join(shown),
        )

    async def alerts(self, args: LabelArgs, ctx: RunContext) -> OperationResult:
        client = self._required(args)
        alerts = await client.alerts()
        firing = [a for a in alerts if a.get("state") == "firing"]
        if not alerts:
            return OperationResult(status=Status.NO_DATA, text="no alerts are firing or pending")
        rows = []
        for alert in sorted(alerts, key=lambda a: (a.get("state") != "firing", str(a.get("activeAt"))))[
            :MAX_ALERTS
        ]:
            labels = alert.get("labels") or {}
            annotations = alert.get("annotations") or {}
            rows.append(
                (
                    str(labels.get("alertname", "?")),
                    str(labels.get("severity", "-")),
                    str(alert.get("state", "?")),
                    str(alert.get("activeAt", "-"))[:19],
                    str(annotations.get("summary") or annotations.get("description") or "-")[:160],
                )
            )
        return OperationResult(
            status=Status.OK,
            text=f"{len(firing)} firing, {len(alerts) - len(firing)} pending",
            table=Table(("ALERT", "SEVERITY", "STATE", "SINCE", "SUMMARY"), tuple(rows)),
        )
