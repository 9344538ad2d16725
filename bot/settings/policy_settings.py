"""The `policy:` section of the config: roles, channel modes, rules (CEL too) and approvals.

Pydantic models only, validated at load (a CEL expression that does not compile is refused
with its key path); `bot.gate.policy` and `bot.gate.cel_rules` decide with them. Roles list
membership strings, never a platform's own keys (old keys: `bot.settings.legacy`).
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from bot.domain.memberships import pattern_problem
from bot.settings.cel import CelError, compile_cel


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


RoleName = Literal["viewer", "operator", "admin"]


def check_membership_pattern(value: str) -> str:
    problem = pattern_problem(value)
    if problem is not None:
        raise ValueError(problem)
    return value


class RoleMembers(_Model):
    # Membership patterns (`bot.domain.memberships`): "<platform>:<kind>:<id>", globs * and ?.
    members: tuple[str, ...] = ()

    @field_validator("members")
    @classmethod
    def _are_memberships(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        for pattern in value:
            check_membership_pattern(pattern)
        return value


ChannelModeName = Literal["read-only", "suggest-only", "approve", "paranoid"]


class ChannelPolicy(_Model):
    mode: ChannelModeName = "approve"


class PolicyRule(_Model):
    safety: Literal["read", "write", "destructive", "*"] = "*"
    cluster: str = "*"
    namespace: str = "*"
    decision: Literal["allow", "approve", "deny"] | None = None
    # A CEL rule (bot/gate/cel_rules.py) judges each object a change touches instead of deciding alone.
    expression: str | None = None
    effect: Literal["deny", "require_role", "require_approvers"] | None = None
    role: RoleName | None = None
    approvers: int | None = Field(default=None, ge=1, le=5)
    message: str | None = Field(default=None, min_length=1, max_length=300)
    kinds: tuple[str, ...] = ()
    operations: tuple[Literal["create", "update", "delete"], ...] = ("create", "update")

    @field_validator("expression")
    @classmethod
    def _expression_compiles(cls, value: str | None) -> str | None:
        if value is not None:
            try:
                compile_cel(value)
            except CelError as e:
                raise ValueError(str(e)) from None
        return value

    @model_validator(mode="after")
    def _writes_are_never_allowed_without_approval(self) -> PolicyRule:
        if self.decision == "allow" and self.safety != "read":
            raise ValueError("decision 'allow' is only for safety 'read': writes always need an approval")
        return self

    @model_validator(mode="after")
    def _a_rule_decides_or_judges(self) -> PolicyRule:
        if self.expression is None:
            if self.decision is None:
                raise ValueError("a rule needs a 'decision' (or an 'expression' with an 'effect')")
            if self.effect or self.role or self.approvers or self.message or self.kinds:
                raise ValueError(
                    "effect, role, approvers, message and kinds belong to rules with an 'expression'"
                )
            return self
        if self.decision is not None:
            raise ValueError("a rule with an 'expression' takes an 'effect', not a 'decision'")
        if self.effect is None or not self.message:
            raise ValueError("a rule with an 'expression' needs an 'effect' and a 'message'")
        if (self.effect == "require_role") != (self.role is not None):
            raise ValueError("'role' goes with effect 'require_role', and that effect needs it")
        if (self.effect == "require_approvers") != (self.approvers is not None):
            raise ValueError("'approvers' goes with effect 'require_approvers', and that effect needs it")
        return self


class SelfConfirm(_Model):
    read: bool = False
    write: bool = True
    destructive: bool = False


class ApprovalSettings(_Model):
    expiry_minutes: int = Field(default=15, ge=1, le=7 * 24 * 60)
    self_confirm: SelfConfirm = SelfConfirm()
    destructive_approvers: int = Field(default=1, ge=1, le=5)
    # Minutes after which another replica may call an `executing` row abandoned.
    execution_lease_minutes: int = Field(default=60, ge=1)


class PolicySettings(_Model):
    default_role: RoleName = "viewer"
    console_default_role: RoleName = "admin"
    roles: dict[RoleName, RoleMembers] = {}
    # Keyed "<platform>:<channel id>" (globs * and ?); a bare channel id matches that id on any platform.
    channels: dict[str, ChannelPolicy] = {}
    rules: tuple[PolicyRule, ...] = ()
    approvals: ApprovalSettings = ApprovalSettings()
    # The lowest role that may change a channel's defaults with !use.
    use_role: RoleName = "operator"
    # The lowest role that may subscribe a channel to cluster events with !watch (and !unwatch).
    watch_role: RoleName = "operator"

    @field_validator("channels")
    @classmethod
    def _glob_keys_name_a_platform(cls, value: dict[str, ChannelPolicy]) -> dict[str, ChannelPolicy]:
        for key in value:
            if any(ch in key for ch in "*?[") and ":" not in key:
                raise ValueError(
                    f"channel key {key!r} is a glob without a platform; write '<platform>:{key}'"
                )
        return value
