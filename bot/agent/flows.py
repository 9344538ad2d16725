"""`!debug` and `!analyze`: deterministic reads first, then the model's analysis.

`!debug <kind> <name> [-n ns]` runs the diagnosis operation (`k8s_diagnose`);
`!analyze [namespace]` runs `k8s_resources` (requests and limits against
usage: idle, above-request, near-limit pods, over-committed and pressured
nodes), `k8s_top` for nodes and `k8s_health`. Both go through the gate's `submit`, so policy and the
audit trail apply as for any command. With a model, its findings are sent in
untrusted-data frames with the `debug` / `analyze` prompt and the exact change
commands the bot offers, and the analysis follows the findings: one agent
turn as the person asking, so a fix the model proposes through its tools is an
ordinary approval card (policy decides; nothing runs until a person approves).
Without a model, or when it fails, the findings stand alone. Nothing here
imports LangChain.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping

from bot.agent.framing import frame, result_body
from bot.domain.models import Reply, ReplyKind
from bot.domain.outcomes import Outcome, RequestContext
from bot.domain.replies import outcome_replies
from bot.gate.ports import OperationGateway
from prompts import load_prompt
from tools.base import Safety, Status
from tools.registry import Registry

Analyse = Callable[..., Awaitable[list[Reply]]]
ANALYSIS_HEADER = "Analysis (language model; check before acting):"
DEBUG_USAGE = "Usage: !debug [pod|deployment] <name> [-n namespace] (or KIND/NAME)"
ANALYZE_USAGE = "Usage: !analyze [namespace] (or -n namespace)"
MAX_COMMANDS = 25


def _take_namespace(words: list[str], usage: str) -> tuple[dict[str, str], str | None]:
    """Remove `-n NS` / `--namespace NS` / `--namespace=NS` from `words`."""
    raw: dict[str, str] = {}
    for i, word in enumerate(list(words)):
        if word.startswith("--namespace="):
            raw["namespace"] = word.split("=", 1)[1]
            words.remove(word)
            break
        if word in ("-n", "--namespace"):
            if i + 1 >= len(words):
                return {}, f"{word} needs a namespace. {usage}"
            raw["namespace"] = words[i + 1]
            del words[i : i + 2]
            break
    return raw, None


def parse_debug_args(args: tuple[str, ...]) -> tuple[dict[str, str], str | None]:
    """`pod web -n prod`, `deploy/web`, or just `web` (kind left out: resolved later) → raw
    arguments of the diagnosis, or the problem."""
    words = list(args)
    raw, problem = _take_namespace(words, DEBUG_USAGE)
    if problem is not None:
        return {}, problem
    if len(words) == 1 and "/" in words[0]:
        words = words[0].split("/", 1)
    if len(words) == 1:
        raw["name"] = words[0]
        return raw, None
    if len(words) != 2:
        return {}, DEBUG_USAGE
    raw["kind"], raw["name"] = words
    return raw, None


# The kinds whose usage Prometheus can chart (see tools/prometheus/queries.py).
SERIES_KINDS = ("pod", "deployment", "statefulset", "daemonset", "node", "namespace")


class Flows:
    def __init__(
        self, *, registry: Registry, gateway: OperationGateway, analyse: Analyse | None = None
    ) -> None:
        self._registry = registry
        self._gateway = gateway
        self._analyse = analyse

    async def debug(self, args: tuple[str, ...], ctx: RequestContext) -> list[Reply]:
        if self._registry.get("k8s_diagnose") is None:
            return [
                Reply(
                    "!debug needs the Kubernetes diagnosis (!diagnose), which this bot does not have.",
                    kind=ReplyKind.ERROR,
                )
            ]
        raw, problem = parse_debug_args(args)
        if problem is not None:
            return [Reply(problem, kind=ReplyKind.ERROR)]
        resolved: list[Reply] = []
        if "kind" not in raw:
            raw["kind"] = await self._kind_of(raw, ctx)
            resolved = [
                Reply(f"Debugging {raw['kind']}/{raw['name']} (give the kind to choose: {DEBUG_USAGE}).")
            ]
        outcome = await self._gateway.submit("k8s_diagnose", raw, ctx)
        replies = resolved + outcome_replies(outcome)
        if outcome.status is Status.OK:
            series = await self._series(raw, ctx, ("memory", "cpu", "restarts"))
            replies += [r for o in series for r in outcome_replies(o)]
            findings = "\n".join(
                frame(self._body(o), source=o.operation or "read") for o in (outcome, *series)
            )
            replies += await self._analysis("debug", findings, ctx)
        return replies

    async def _series(
        self, target: Mapping[str, object], ctx: RequestContext, metrics: tuple[str, ...]
    ) -> list[Outcome]:
        """With Prometheus configured, the target's series as figures (the first also as a chart)."""
        chart = self._registry.get("prom_chart")
        if chart is None or not chart.for_agent or target.get("kind") not in SERIES_KINDS:
            return []
        outcomes = []
        for index, metric in enumerate(metrics):
            name = "prom_chart" if index == 0 else "prom_usage"
            raw = {**target, "metric": metric, "since": "6h"}
            outcomes.append(await self._gateway.submit(name, raw, ctx))
        return [o for o in outcomes if o.status in (Status.OK, Status.NO_DATA)]

    async def _kind_of(self, raw: dict[str, str], ctx: RequestContext) -> str:
        """What `!debug NAME` means: a deployment of that name if one can be read, else a pod."""
        if self._registry.get("k8s_get") is None:
            return "pod"
        lookup = {k: v for k, v in raw.items() if k == "namespace"}
        outcome = await self._gateway.submit(
            "k8s_get", {**lookup, "kind": "deployment", "name": raw["name"]}, ctx, file_approvals=False
        )
        return "deployment" if outcome.status is Status.OK else "pod"

    async def analyze(self, args: tuple[str, ...], ctx: RequestContext) -> list[Reply]:
        words = list(args)
        namespace, problem = _take_namespace(words, ANALYZE_USAGE)
        if problem is not None or len(words) > 1 or (words and namespace):
            return [Reply(problem or ANALYZE_USAGE, kind=ReplyKind.ERROR)]
        if words:
            namespace = {"namespace": words[0]}
        plan = [("k8s_resources", namespace), ("k8s_top", {"kind": "node"}), ("k8s_health", {})]
        available = [(name, raw) for name, raw in plan if self._registry.get(name) is not None]
        if not available:
            return [
                Reply(
                    "!analyze needs the Kubernetes operations, which this bot does not have.",
                    kind=ReplyKind.ERROR,
                )
            ]
        outcomes = [await self._gateway.submit(name, raw, ctx) for name, raw in available]
        if args:
            outcomes += await self._series({"kind": "namespace", "name": args[0]}, ctx, ("cpu", "memory"))
        replies = [r for o in outcomes for r in outcome_replies(o)]
        usable = [o for o in outcomes if o.status in (Status.OK, Status.NO_DATA)]
        if usable:
            measurements = "\n".join(frame(self._body(o), source=o.operation or "read") for o in usable)
            replies += await self._analysis("analyze", measurements, ctx)
        return replies

    @staticmethod
    def _body(outcome: Outcome) -> str:
        header = f"{outcome.call}\n" if outcome.call else ""
        return header + (result_body(outcome.result) if outcome.result is not None else outcome.text)

    def _commands(self) -> str:
        lines = [
            f"- {op.command.usage(op.args_model)} ({op.safety.value})"
            for op in self._registry
            if op.safety is not Safety.READ and op.name.startswith("k8s_")
        ]
        return "Commands:\n" + "\n".join(lines[:MAX_COMMANDS]) if lines else "Commands: none"

    async def _analysis(self, prompt: str, data: str, ctx: RequestContext) -> list[Reply]:
        """The model's analysis under the flow's prompt, as the person asking: a change it proposes is
        an ordinary approval card (filed through the gate, never run here)."""
        if self._analyse is None:
            return []
        user = f"{data}\n\n{self._commands()}"
        return await self._analyse(system=load_prompt(prompt), user=user, ctx=ctx, header=ANALYSIS_HEADER)
