"""What the bot finds about a firing alert before its card is first posted.

The labels name an object (`pod`, `deployment`, `statefulset`, `node`,
`namespace`; the most specific wins, `cluster` says which cluster): the
leader diagnoses it (`k8s_diagnose`, or the pods of a namespace with
`k8s_get`). The alert's `generatorURL` is a Prometheus graph
(`/graph?g0.expr=…`) and a Prometheus is configured: its expression is drawn
over the last hour (`prom_query` with a chart). Both are ordinary reads
submitted to the gate as the bot's own viewer (`bot.gate.system`), so policy,
redaction and the audit trail apply and nothing is ever filed for approval;
both share one time limit. Whatever came of them, findings or the one line
saying what failed, is stored with the alert once per firing
(`Alerts.record_findings`), so every redraw shows the same and a new leader
does not look again; the chart image rides only on the first post. This
module reads and stores; what the card shows is `cards.py`'s.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import re
from collections.abc import Collection, Mapping, Sequence
from typing import Any
from urllib.parse import parse_qs, urlsplit

from bot.domain.outcomes import Outcome, RequestContext
from bot.gate.ports import OperationGateway
from bot.gate.system import system_context
from storage.alert_records import AlertRecord
from storage.alerts import Alerts
from tools.base import Attachment, Status

log = logging.getLogger(__name__)

PRINCIPAL = "alerts"  # the bot's own principal for these reads: system:user:alerts, channel system:alerts
# The labels that name an object, most specific first.
OBJECT_LABELS = ("pod", "deployment", "statefulset", "node")
CHART_RANGE = "1h"
MAX_TEXT = 2000  # what a card shows of a diagnosis (inline on every surface)
MAX_NOTE = 300
MAX_EXPRESSION = 2000
AT_ONCE = 8  # alerts looked at together; all of one round share its time limit
GRACE_S = 2.0  # the gate's own bookkeeping (audit rows) after the read's limit, before giving up on it
LEAST_S = 0.05  # less time left than this: the read is not started
_NAME = re.compile(r"[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?")


@dataclasses.dataclass(frozen=True)
class Target:
    kind: str  # pod | deployment | statefulset | node | namespace
    name: str
    namespace: str | None
    cluster: str | None  # the `cluster` label, when the bot knows that cluster

    def describe(self) -> str:
        where = f" in {self.namespace}" if self.namespace and self.kind not in ("node", "namespace") else ""
        return f"{self.kind} {self.name}{where}" + (f" (cluster {self.cluster})" if self.cluster else "")

    def call(self) -> tuple[str, dict[str, str]]:
        """The read that diagnoses it: (operation, raw arguments)."""
        raw = {"cluster": self.cluster} if self.cluster else {}
        if self.kind == "namespace":
            return "k8s_get", {**raw, "kind": "pod", "namespace": self.name}
        if self.namespace and self.kind != "node":
            raw["namespace"] = self.namespace
        return "k8s_diagnose", {**raw, "kind": self.kind, "name": self.name}


def _is_name(value: str | None) -> bool:
    return bool(value) and _NAME.fullmatch(str(value)) is not None


def labelled_object(labels: Mapping[str, str]) -> tuple[str, str, str | None] | None:
    """(kind, name, namespace) of the most specific object the labels name, each a Kubernetes name
    (so a label value cannot smuggle extra words into a command); None when they name nothing."""
    namespace = labels.get("namespace") if _is_name(labels.get("namespace")) else None
    found = next(
        ((label, labels[label]) for label in OBJECT_LABELS if _is_name(labels.get(label))),
        ("namespace", namespace) if namespace else None,
    )
    return None if found is None else (found[0], str(found[1]), namespace)


def target_of(labels: Mapping[str, str], *, clusters: Collection[str]) -> Target | str | None:
    """The most specific object the labels name; a sentence when it cannot be looked at (a cluster
    the bot does not know); None when they name nothing."""
    found = labelled_object(labels)
    if found is None:
        return None
    kind, name, namespace = found
    cluster = labels.get("cluster") or None
    if cluster is not None and cluster not in clusters:
        return f"Not diagnosed: the bot knows no cluster called {cluster[:63]}."
    return Target(kind, name, namespace, cluster)


def graph_expression(url: str | None) -> str | None:
    """The PromQL of a Prometheus graph link (`…/graph?g0.expr=…`), or None."""
    if not url:
        return None
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.path.rstrip("/").endswith("/graph"):
        return None
    expressions = parse_qs(parts.query).get("g0.expr") or []
    expression = expressions[0].strip() if expressions else ""
    return expression if 0 < len(expression) <= MAX_EXPRESSION else None


@dataclasses.dataclass(frozen=True)
class Findings:
    """What the card says about them; stored as JSON in `alerts.findings`."""

    target: str | None = None  # what was looked at; None when the labels name nothing
    text: str | None = None  # the diagnosis (cluster data, redacted by the gate)
    note: str | None = None  # one line: why there is no diagnosis
    chart_note: str | None = None  # one line: why there is no chart

    def to_json(self) -> dict[str, Any]:
        return {k: v for k, v in dataclasses.asdict(self).items() if v is not None}

    @classmethod
    def from_json(cls, value: Mapping[str, Any] | None) -> Findings | None:
        if not value:
            return None
        known = {f.name for f in dataclasses.fields(cls)}
        return cls(**{k: str(v) for k, v in value.items() if k in known and v is not None})


def _first_line(text: str) -> str:
    line = next((line.strip() for line in text.splitlines() if line.strip()), "no reason given")
    return line[:MAX_NOTE]


class AlertFindings:
    def __init__(
        self,
        *,
        gateway: OperationGateway,
        alerts: Alerts,
        timeout_s: float,
        clusters: Collection[str] = (),
        charts: bool = False,
    ) -> None:
        self._gateway = gateway
        self._alerts = alerts
        self._timeout_s = timeout_s
        self._clusters = frozenset(clusters)
        self._charts = charts  # a Prometheus is configured

    async def complete(
        self, alerts: Sequence[AlertRecord]
    ) -> dict[str, tuple[AlertRecord, tuple[Attachment, ...]]]:
        """For each firing alert without findings yet: look, store, and return the stored row with
        the files its first post carries. Alerts that need nothing are left out. The whole round
        shares one time limit, so a burst of alerts on a dead cluster delays its cards by that
        limit, not by the limit times the alerts."""
        due = [a for a in alerts if a.status == "firing" and a.findings is None]
        slots = asyncio.Semaphore(AT_ONCE)
        deadline = asyncio.get_running_loop().time() + self._timeout_s

        async def one(alert: AlertRecord) -> tuple[AlertRecord, tuple[Attachment, ...]] | None:
            async with slots:
                return await self._look(alert, deadline)

        done = await asyncio.gather(*(one(a) for a in due))
        return {alert.fingerprint: found for alert, found in zip(due, done, strict=True) if found}

    async def _look(
        self, alert: AlertRecord, deadline: float
    ) -> tuple[AlertRecord, tuple[Attachment, ...]] | None:
        target = target_of(alert.labels, clusters=self._clusters)
        expression = graph_expression(alert.generator_url) if self._charts else None
        if target is None and expression is None:
            return None
        ctx = system_context(PRINCIPAL, channel=PRINCIPAL)
        cluster = target.cluster if isinstance(target, Target) else None
        (target_text, text, note), (files, chart_note) = await asyncio.gather(
            self._diagnose(target, ctx, deadline), self._chart(expression, cluster, ctx, deadline)
        )
        findings = Findings(target=target_text, text=text, note=note, chart_note=chart_note)
        stored = await self._alerts.record_findings(
            alert.fingerprint, starts_at=alert.starts_at, findings=findings.to_json()
        )
        return (stored or alert), files

    async def _diagnose(
        self, target: Target | str | None, ctx: RequestContext, deadline: float
    ) -> tuple[str | None, str | None, str | None]:
        """(what was looked at, the diagnosis, the one line saying why there is none)."""
        if target is None:
            return None, None, None
        if isinstance(target, str):
            return None, None, target
        operation, raw = target.call()
        outcome = await self._read(operation, raw, ctx, deadline)
        if isinstance(outcome, str):
            return target.describe(), None, f"No diagnosis of {target.describe()}: {outcome}"
        if outcome.status not in (Status.OK, Status.NO_DATA):
            why = outcome.result.error if outcome.result and outcome.result.error else outcome.text
            return target.describe(), None, f"No diagnosis of {target.describe()}: {_first_line(why)}"
        # The log lines a diagnosis carries stay out of the card (Investigate shows them).
        text = outcome.text.removesuffix("\nlast log lines:")
        data = outcome.result.data if outcome.result is not None else None
        if target.kind == "namespace" and data and data.get("unhealthy"):
            text += "\nnot running or not ready: " + ", ".join(str(n) for n in data["unhealthy"][:20])
        return target.describe(), text[:MAX_TEXT], None

    async def _chart(
        self, expression: str | None, cluster: str | None, ctx: RequestContext, deadline: float
    ) -> tuple[tuple[Attachment, ...], str | None]:
        if expression is None:
            return (), None
        raw: dict[str, Any] = {"query": expression, "since": CHART_RANGE, "chart": True}
        if cluster:
            raw["cluster"] = cluster
        outcome = await self._read("prom_query", raw, ctx, deadline)
        if isinstance(outcome, str):
            return (), f"No chart: {outcome}"
        files = outcome.result.files if outcome.result is not None else ()
        if files:
            return tuple(files), None
        if outcome.status in (Status.OK, Status.NO_DATA):
            return (
                (),
                f"No chart: Prometheus has no series for the alert's expression over the last {CHART_RANGE}.",
            )
        why = outcome.result.error if outcome.result and outcome.result.error else outcome.text
        return (), f"No chart: {_first_line(why)}"

    async def _read(
        self, operation: str, raw: Mapping[str, Any], ctx: RequestContext, deadline: float
    ) -> Outcome | str:
        """The gate's outcome of one read, or why there is none (no time left, or the gate was too
        slow or broke). The gate cuts the read itself at the deadline and audits that."""
        late = f"it did not finish within {self._timeout_s:g} s"
        left = deadline - asyncio.get_running_loop().time()
        if left < LEAST_S:
            return late
        try:
            async with asyncio.timeout(left + GRACE_S):
                return await self._gateway.submit(operation, raw, ctx, file_approvals=False, timeout_s=left)
        except TimeoutError:
            return late
        except Exception as error:  # the card goes out whatever broke here (the audit trail, a tool)
            log.exception("the alert's %s read failed", operation)
            return f"the read failed ({type(error).__name__})"
