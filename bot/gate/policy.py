"""Policy: who may request what, where, and who may approve it.

Decides only from the operation's declared safety, the requester's identity
(mapped to a role by membership strings), the channel's mode and the target
cluster/namespace. It never parses message text, never runs anything and
knows no chat platform: roles and channel keys match opaque strings.
"""

from __future__ import annotations

import dataclasses
import enum
import fnmatch

from bot.domain.models import Principal
from bot.gate.system import is_system
from bot.settings.policy_settings import PolicySettings
from tools.base import Safety, Target
from tools.readable import ReadableNamespaces


class Role(enum.Enum):
    VIEWER = "viewer"
    OPERATOR = "operator"
    ADMIN = "admin"

    @property
    def rank(self) -> int:
        return {Role.VIEWER: 0, Role.OPERATOR: 1, Role.ADMIN: 2}[self]

    def may_request(self, safety: Safety) -> bool:
        return safety.rank <= self.rank

    def may_approve(self, safety: Safety) -> bool:
        # Viewers approve nothing; operators approve reads and writes; admins everything.
        return self.rank >= 1 and safety.rank <= self.rank


def role_needed_to_request(safety: Safety) -> Role:
    return {Safety.READ: Role.VIEWER, Safety.WRITE: Role.OPERATOR, Safety.DESTRUCTIVE: Role.ADMIN}[safety]


def role_needed_to_approve(safety: Safety) -> Role:
    return Role.ADMIN if safety is Safety.DESTRUCTIVE else Role.OPERATOR


class ChannelMode(enum.Enum):
    READ_ONLY = "read-only"
    SUGGEST_ONLY = "suggest-only"
    APPROVE = "approve"
    PARANOID = "paranoid"


class Verdict(enum.Enum):
    ALLOW = "allow"  # run now
    APPROVE = "approve"  # file an approval and wait for a person
    SUGGEST = "suggest"  # show the exact operation, never offer it for approval
    DENY = "deny"


@dataclasses.dataclass(frozen=True)
class Decision:
    verdict: Verdict
    reason: str
    role: Role
    needed_role: Role | None = None


@dataclasses.dataclass(frozen=True)
class ApproverCheck:
    allowed: bool
    reason: str


class Policy:
    def __init__(self, settings: PolicySettings) -> None:
        self._settings = settings

    @property
    def settings(self) -> PolicySettings:
        return self._settings

    def role_of(self, principal: Principal) -> Role:
        if is_system(principal):
            return Role.VIEWER  # the bot's own reads: never more, whatever the role members say
        best: Role | None = None
        for name, members in self._settings.roles.items():
            if principal.is_in(members.members):
                role = Role(name)
                if best is None or role.rank > best.rank:
                    best = role
        if best is not None:
            return best
        if principal.platform == "console":
            return Role(self._settings.console_default_role)
        return Role(self._settings.default_role)

    def channel_mode(self, *, platform: str, channel: str) -> ChannelMode:
        """The mode of `<platform>:<channel>`: its own key, else a bare channel-id key (any
        platform), else the first glob key that matches (`<platform>:*`), else approve."""
        channels = self._settings.channels
        qualified = f"{platform}:{channel}"
        entry = channels.get(qualified) or channels.get(channel)
        if entry is None:
            entry = next(
                (v for k, v in channels.items() if _is_glob(k) and fnmatch.fnmatchcase(qualified, k)), None
            )
        return ChannelMode(entry.mode) if entry else ChannelMode.APPROVE

    def decide(self, *, principal: Principal, channel: str, safety: Safety, target: Target) -> Decision:
        role = self.role_of(principal)
        if not role.may_request(safety):
            needed = role_needed_to_request(safety)
            return Decision(
                Verdict.DENY,
                f"a {safety.value} operation needs the {needed.value} role; you are {role.value}",
                role,
                needed,
            )
        mode = self.channel_mode(platform=principal.platform, channel=channel)
        if safety is not Safety.READ and mode is ChannelMode.READ_ONLY:
            return Decision(Verdict.DENY, "this channel is read-only: changes are refused here", role)
        rule = self._matching_rule(safety, target)
        if rule == "deny":
            return Decision(
                Verdict.DENY,
                f"policy forbids {safety.value} operations in {target.namespace or '*'} "
                f"on {target.cluster or '*'}",
                role,
            )
        if safety is not Safety.READ and mode is ChannelMode.SUGGEST_ONLY:
            return Decision(
                Verdict.SUGGEST, "this channel is suggest-only: changes are shown, not offered", role
            )
        if safety is Safety.READ:
            if mode is ChannelMode.PARANOID or rule == "approve":
                return Decision(Verdict.APPROVE, "reads need an approval here", role)
            return Decision(Verdict.ALLOW, "reads are allowed", role)
        return Decision(Verdict.APPROVE, f"{safety.value} operations need an approval", role)

    def _matching_rule(self, safety: Safety, target: Target) -> str | None:
        for rule in self._settings.rules:
            if rule.expression is not None:  # judged per object when the change is filed (bot.gate.cel_rules)
                continue
            if rule.safety not in ("*", safety.value):
                continue
            if not fnmatch.fnmatchcase(target.cluster or "", rule.cluster):
                continue
            if not fnmatch.fnmatchcase(target.namespace or "", rule.namespace):
                continue
            return rule.decision
        return None

    def readable_namespaces(
        self, *, principal: Principal, channel: str, cluster: str | None, approved: bool = False
    ) -> ReadableNamespaces:
        """What a read across all namespaces may show: namespaces where this read would run now
        (or, once a person approved it, where it could be approved); the rest are left out."""

        def allows(namespace: str) -> bool:
            verdict = self.decide(
                principal=principal, channel=channel, safety=Safety.READ, target=Target(cluster, namespace)
            ).verdict
            return verdict is Verdict.ALLOW or (approved and verdict is Verdict.APPROVE)

        return ReadableNamespaces(allows)

    def approvals_needed(self, safety: Safety) -> int:
        return self._settings.approvals.destructive_approvers if safety is Safety.DESTRUCTIVE else 1

    def check_approver(
        self,
        *,
        approver: Principal,
        safety: Safety,
        requester_platform: str,
        requester_id: str,
        min_role: Role | None = None,
    ) -> ApproverCheck:
        """`min_role`: what a policy rule asked of this change's approvers (bot.gate.cel_rules)."""
        role = self.role_of(approver)
        if not role.may_approve(safety):
            needed = role_needed_to_approve(safety)
            return ApproverCheck(
                False,
                f"approving a {safety.value} operation needs the {needed.value} role; you are {role.value}",
            )
        if min_role is not None and role.rank < min_role.rank:
            return ApproverCheck(
                False,
                f"a policy rule says approving this change needs the {min_role.value} role; "
                f"you are {role.value}",
            )
        is_requester = approver.platform == requester_platform and approver.user_id == requester_id
        if is_requester and not self.may_self_confirm(platform=approver.platform, safety=safety):
            return ApproverCheck(
                False, f"a {safety.value} operation needs someone other than the requester to approve it"
            )
        return ApproverCheck(True, "allowed")

    def may_self_confirm(self, *, platform: str, safety: Safety) -> bool:
        if platform == "console":
            return True  # one person at the keyboard, running with their own kubeconfig
        return bool(getattr(self._settings.approvals.self_confirm, safety.value))


def _is_glob(key: str) -> bool:
    return any(ch in key for ch in "*?[")
