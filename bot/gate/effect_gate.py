"""The effect gate: after the preview, before filing, policy judges what the change will do.

`judge()` applies the rules of `bot.gate.effect_rules` to every `ObjectEffect` of the preview:
the effective safety is the higher of the declared level and the level the effects
demand (any rule that applies: DESTRUCTIVE, which in this policy is the admin level).
`gate()` then asks policy again with the effective safety, for every object touched
(each one's own namespace; a namespace also by its own name; cluster-scoped objects
under the pseudo-namespace `_cluster`, which no real namespace can be called, so a rule
`{namespace: "_cluster"}` names cluster scope and `"*"` still covers everything).
A refusal says which object and which rule; an allowed change goes on with the
effective safety, which the approval row stores (approvers, four eyes and self-confirm
follow it) and the card's risk lines. Never runs anything.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

from bot.domain.outcomes import Outcome, RequestContext
from bot.gate.effect_rules import RULES, EffectRule, RuleKind
from bot.gate.policy import Policy, Verdict
from bot.gate.ports import AuditLog
from tools.base import Args, ObjectEffect, Operation, Safety, Status, Target
from tools.effects import effect_label

CLUSTER_SCOPE = "_cluster"


@dataclasses.dataclass(frozen=True)
class Finding:
    rule: EffectRule
    objects: tuple[str, ...]

    def line(self) -> str:
        return f"{self.rule.sentence}: {', '.join(self.objects)}"


@dataclasses.dataclass(frozen=True)
class Judgement:
    declared: Safety
    safety: Safety
    findings: tuple[Finding, ...] = ()

    @property
    def flags(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.rule.kind is RuleKind.FLAG)

    @property
    def effects(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.rule.kind is RuleKind.EFFECT)

    def card_header(self) -> str:
        """Risk flags first, then what raised the safety; empty when nothing applies."""
        lines = [f"RISK (admin only): {f.line()}" for f in self.flags]
        lines += [f"DESTRUCTIVE: {f.line()}" for f in self.effects]
        if self.safety is not self.declared:
            lines.append(f"Safety: {self.declared.value} → {self.safety.value} (by the effect, not the verb)")
        return "\n".join(lines) + "\n" if lines else ""


def judge(declared: Safety, effects: Sequence[ObjectEffect]) -> Judgement:
    findings = []
    for rule in RULES:
        objects = tuple(effect_label(e) for e in effects if rule.applies(e))
        if objects:
            findings.append(Finding(rule, objects))
    safety = Safety.DESTRUCTIVE if findings else declared
    return Judgement(declared, safety if safety.rank > declared.rank else declared, tuple(findings))


def targets(base: Target, effects: Sequence[ObjectEffect]) -> list[Target]:
    """Every place policy rules must hold: the operation's own target and each object touched."""
    out = [base]
    for e in effects:
        if e.action == "unchanged":
            continue
        if e.kind == "Namespace":
            out.append(Target(base.cluster, e.name, e.kind, e.name))
        namespace = e.namespace if e.namespace else CLUSTER_SCOPE
        out.append(Target(base.cluster, namespace, e.kind, e.name))
    return list(dict.fromkeys(out))


async def gate(
    policy: Policy,
    audit: AuditLog,
    operation: Operation,
    args: Args,
    ctx: RequestContext,
    *,
    call: str,
    declared: Safety,
    effects: Sequence[ObjectEffect],
) -> Judgement | Outcome:
    """The judgement to file with, or the refusal to answer with."""
    judgement = judge(declared, effects)
    refusal = _refusal(policy, operation, args, ctx, judgement, effects)
    if refusal is None:
        return judgement
    reason, needed = refusal
    await audit.record(
        "request.refused",
        ctx,
        operation=operation.name,
        status="effect",
        detail={
            "reason": reason,
            "safety": judgement.safety.value,
            "rules": [f.rule.name for f in judgement.findings],
        },
    )
    return Outcome(
        Status.DENIED,
        f"Refused: {reason}.",
        operation=operation.name,
        safety=judgement.safety,
        call=call,
        needed_role=needed,
    )


def _refusal(
    policy: Policy,
    operation: Operation,
    args: Args,
    ctx: RequestContext,
    judgement: Judgement,
    effects: Sequence[ObjectEffect],
) -> tuple[str, str | None] | None:
    why = "; ".join(f.line() for f in judgement.findings)
    for target in targets(operation.target(args), effects):
        decision = policy.decide(
            principal=ctx.principal, channel=ctx.channel, safety=judgement.safety, target=target
        )
        if decision.verdict is not Verdict.DENY:
            continue
        reason = decision.reason
        if judgement.safety is not judgement.declared and decision.needed_role is not None:
            reason = f"{reason} (this change is {judgement.safety.value} by its effect: {why})"
        elif target.kind and target.name:
            reason = f"{reason} (it touches {target.kind}/{target.name})"
        return reason, decision.needed_role.value if decision.needed_role else None
    return None
