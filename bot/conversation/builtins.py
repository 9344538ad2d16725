"""The built-in commands: help, whoami, history, approvals, approve/deny/cancel/undo, audit, use, forget,
debug, analyze (the last two through `bot.agent.flows`), watch/unwatch/watches (`watch_commands`).

Approvals go through the approval desk (and so the executor); nothing here
runs an operation directly. Its dependencies are given once at start-up.
"""

from __future__ import annotations

import datetime as dt
import re
import shlex
import textwrap
from collections.abc import Awaitable, Callable, Sequence

from bot.agent.flows import Flows
from bot.conversation.access_hint import access_hint
from bot.conversation.alert_history import channel_alerts, own_alert_clicks
from bot.conversation.channels import ChannelDefaults, namespace_missing
from bot.conversation.commands import BUILTINS, Builtin
from bot.conversation.help import help_reply
from bot.conversation.watch_commands import WatchCommands
from bot.domain.events import AuditEvent
from bot.domain.models import Reply, ReplyKind
from bot.domain.outcomes import RequestContext, describe_call
from bot.domain.replies import approval_card, outcome_replies
from bot.gate.approvals import ApprovalDesk
from bot.gate.audit_words import stored_status
from bot.gate.identities import IdentityMap
from bot.gate.policy import Policy, Role
from bot.gate.ports import AuditLog, OperationGateway
from storage.records import ApprovalState, AuditFilter, MessageRecord
from storage.store import Store
from tools.base import Safety, Table, check_dns1123_label, is_plain_integer
from tools.registry import Registry

APPROVAL_ID = re.compile(r"\bApproval ([a-z0-9]{6,16})\b")
Handler = Callable[[tuple[str, ...], RequestContext], Awaitable[list[Reply]]]


class BuiltinCommands:
    def __init__(
        self,
        *,
        gateway: OperationGateway,
        registry: Registry,
        desk: ApprovalDesk,
        store: Store,
        policy: Policy,
        identities: IdentityMap,
        audit: AuditLog,
        flows: Flows,
        cluster_names: Sequence[str],
        watches: WatchCommands,
        channel_defaults: ChannelDefaults | None = None,
    ) -> None:
        self._channel_defaults = channel_defaults
        self._gateway = gateway
        self._registry = registry
        self._desk = desk
        self._store = store
        self._policy = policy
        self._identities = identities
        self._audit = audit
        self._clusters = list(cluster_names)
        self._handlers: dict[str, Handler] = {
            "help": self.help,
            "whoami": self.whoami,
            "history": self.history,
            "approvals": self.approvals,
            "approve": self.approve,
            "deny": self.deny,
            "cancel": self.cancel,
            "undo": self.undo,
            "audit": self.audit,
            "use": self.use,
            "forget": self.forget,
            "debug": flows.debug,
            "analyze": flows.analyze,
            **watches.handlers(),
        }

    async def run(self, command: Builtin, ctx: RequestContext) -> list[Reply]:
        return await self._handlers[command.name](command.args, ctx)

    async def help(self, args: tuple[str, ...], ctx: RequestContext) -> list[Reply]:
        access = None if args else await access_hint(self._registry, self._gateway, ctx)
        return [help_reply(args, self._registry, access=access)]

    async def whoami(self, args: tuple[str, ...], ctx: RequestContext) -> list[Reply]:
        principal = ctx.principal
        role = self._policy.role_of(principal)
        mode = self._policy.channel_mode(platform=principal.platform, channel=ctx.channel)
        identity = self._identities.kubernetes_identity(principal)
        settings = await self._store.get_channel_settings(platform=principal.platform, channel=ctx.channel)
        may_request = ", ".join(s.value for s in Safety if role.may_request(s))
        may_approve = ", ".join(s.value for s in Safety if role.may_approve(s)) or "nothing"
        lines = [
            f"You are {principal.display_name} ({principal.platform} user {principal.user_id}).",
            f"Role: {role.value} — may request {may_request}; may approve {may_approve}.",
            f"Channel {ctx.channel}: mode {mode.value}.",
            f"Kubernetes identity: {identity.user if identity else 'the bot’s own credentials'}"
            + (f" (groups: {', '.join(identity.groups)})" if identity and identity.groups else ""),
            f"Defaults here: cluster {(settings and settings.cluster) or '(configured default)'}, "
            f"namespace {(settings and settings.namespace) or '(cluster default)'}.",
        ]
        return [Reply("\n".join(lines))]

    async def history(self, args: tuple[str, ...], ctx: RequestContext) -> list[Reply]:
        if args and args[0] == "alerts":
            limit = _int_arg(args[1:], default=20, maximum=100)
            if limit is None:
                return [Reply("Usage: !history alerts [n] (n from 1 to 100)", kind=ReplyKind.ERROR)]
            return [
                await channel_alerts(
                    self._store, platform=ctx.principal.platform, channel=ctx.channel, limit=limit
                )
            ]
        limit = _int_arg(args, default=10, maximum=100)
        if limit is None:
            return [
                Reply("Usage: !history [n] (n from 1 to 100) | !history alerts [n]", kind=ReplyKind.ERROR)
            ]
        principal = ctx.principal
        rows = await self._store.recent_for_user(
            platform=principal.platform, user_id=principal.user_id, limit=limit * 3 + 1
        )
        own = [r for r in rows if r.role == "user"]  # this !history is written with its answer
        clicks = await own_alert_clicks(
            self._store, platform=principal.platform, user_id=principal.user_id, limit=limit
        )
        if not own and not clicks:
            return [Reply("You have no history yet.")]
        answers = sorted((r for r in rows if r.role == "assistant"), key=lambda r: r.id)
        entries: list[tuple[dt.datetime, str, str]] = list(clicks)
        for row in own[:limit]:
            # The answer is the first reply after the question in the same conversation.
            answer = next(
                (a for a in answers if a.id > row.id and (a.channel, a.thread) == (row.channel, row.thread)),
                None,
            )
            outcome = await self._final_outcome(answer) if answer else ""
            entries.append((row.created_at, row.content[:80], outcome or "-"))
        newest = sorted(entries, key=lambda e: e[0], reverse=True)[:limit]
        table_rows = tuple((when.strftime("%m-%d %H:%M"), said, outcome) for when, said, outcome in newest)
        return [
            Reply(
                f"Your last {len(table_rows)} messages and alert actions:",
                table=Table(("when", "you said", "outcome"), table_rows),
            )
        ]

    async def _final_outcome(self, answer: MessageRecord) -> str:
        """The answer's operation and status; for a filed change, the approval's state now."""
        outcome = f"{answer.operation or ''} {answer.status or ''}".strip()
        if answer.status != "approval_required":
            return outcome
        found = APPROVAL_ID.search(answer.content)
        record = await self._desk.get(found.group(1)) if found else None
        if record is None or record.state is ApprovalState.PENDING:
            return outcome
        return f"{answer.operation or ''} {record.state.value}".strip()

    async def approvals(self, args: tuple[str, ...], ctx: RequestContext) -> list[Reply]:
        rows = await self._desk.pending_for(ctx.principal)
        if not rows:
            return [Reply("No pending approvals you can act on.")]
        lines = [f"{len(rows)} pending approval(s):"]
        for r in rows:
            lines.append(
                f"{r.id}  [{r.safety}]  asked by {r.requester_name}, expires {r.expires_at.strftime('%H:%M UTC')}"
            )
            # The whole call, wrapped: an approver must see every argument (the replica count too).
            call = describe_call(r.operation, r.args)
            lines += textwrap.wrap(call, width=96, initial_indent="    ", subsequent_indent="      ")
        return [Reply("\n".join(lines))]

    async def approve(self, args: tuple[str, ...], ctx: RequestContext) -> list[Reply]:
        if len(args) != 1:
            return [Reply("Usage: !approve ID", kind=ReplyKind.ERROR)]
        return outcome_replies(await self._desk.approve(args[0], ctx))

    async def deny(self, args: tuple[str, ...], ctx: RequestContext) -> list[Reply]:
        if not args:
            return [Reply("Usage: !deny ID [reason]", kind=ReplyKind.ERROR)]
        return outcome_replies(await self._desk.deny(args[0], ctx, " ".join(args[1:]) or None))

    async def cancel(self, args: tuple[str, ...], ctx: RequestContext) -> list[Reply]:
        if len(args) != 1:
            return [Reply("Usage: !cancel ID", kind=ReplyKind.ERROR)]
        outcome = await self._desk.cancel(args[0], ctx)
        return [Reply(outcome.text, kind=ReplyKind.INFO if outcome.status.value == "ok" else ReplyKind.ERROR)]

    async def undo(self, args: tuple[str, ...], ctx: RequestContext) -> list[Reply]:
        if len(args) != 1:
            return [Reply("Usage: !undo ID", kind=ReplyKind.ERROR)]
        return outcome_replies(await self._desk.undo(args[0], ctx))

    async def audit(self, args: tuple[str, ...], ctx: RequestContext) -> list[Reply]:
        if self._policy.role_of(ctx.principal) is not Role.ADMIN:
            return [Reply("!audit needs the admin role.", kind=ReplyKind.DENIED)]
        try:
            filters = parse_audit_filters(args)
            rows = await self._store.list_audit(filters)  # a bad --since is refused there
        except ValueError as e:
            return [Reply(f"{e}. Usage: {BUILTINS['audit']}", kind=ReplyKind.ERROR)]
        if not rows:
            return [Reply("No audit rows match.")]
        table = Table(
            ("seq", "time", "event", "user", "operation", "status"),
            tuple(
                (str(r.seq), r.ts[:19], r.event, r.user_id or "-", r.operation or "-", r.status or "-")
                for r in rows
            ),
        )
        return [Reply(f"{len(rows)} audit row(s), newest last:", table=table)]

    async def use(self, args: tuple[str, ...], ctx: RequestContext) -> list[Reply]:
        if len(args) != 2 or args[0] not in ("cluster", "namespace"):
            return [Reply("Usage: !use cluster NAME | !use namespace NAME", kind=ReplyKind.ERROR)]
        what, value = args
        platform = ctx.principal.platform
        # The defaults retarget everyone's unqualified requests here: not every viewer may move them.
        role, needed = self._policy.role_of(ctx.principal), Role(self._policy.settings.use_role)
        if role.rank < needed.rank:
            await self._audit.record(AuditEvent.CHANNEL_DEFAULTS, ctx, status="refused", detail={what: value})
            return [
                Reply(
                    f"Refused: changing this channel's defaults needs the {needed.value} role; "
                    f"you are {role.value}.",
                    kind=ReplyKind.DENIED,
                )
            ]
        if what == "cluster":
            if value not in self._clusters:
                known = ", ".join(self._clusters) or "none configured"
                return [Reply(f"Unknown cluster '{value}' (known: {known}).", kind=ReplyKind.ERROR)]
            await self._store.set_channel_settings(platform=platform, channel=ctx.channel, cluster=value)
        else:
            try:
                check_dns1123_label(value, what="namespace")
            except ValueError as e:
                return [Reply(f"{e}.", kind=ReplyKind.ERROR)]
            missing = await namespace_missing(self._registry, self._gateway, value, ctx)
            if missing:
                return [Reply(missing, kind=ReplyKind.ERROR)]
            await self._store.set_channel_settings(platform=platform, channel=ctx.channel, namespace=value)
        if self._channel_defaults is not None:
            self._channel_defaults.forget(platform, ctx.channel)
        await self._audit.record(AuditEvent.CHANNEL_DEFAULTS, ctx, status="ok", detail={what: value})
        return [Reply(f"This channel now uses {what} {value} by default.")]

    async def forget(self, args: tuple[str, ...], ctx: RequestContext) -> list[Reply]:
        removed = await self._store.forget(platform=ctx.principal.platform, user_id=ctx.principal.user_id)
        await self._audit.record(AuditEvent.MEMORY_FORGOTTEN, ctx, detail={"messages": removed})
        settings = await self._store.get_channel_settings(
            platform=ctx.principal.platform, channel=ctx.channel
        )
        kept = ""
        if settings is not None and (settings.cluster or settings.namespace):
            kept = (
                f" This channel's defaults are not yours to forget and stay as they are (cluster "
                f"{settings.cluster or '(configured default)'}, namespace {settings.namespace or '(cluster default)'});"
                " change them with `!use`."
            )
        return [Reply(f"Forgotten: {removed} message(s) of yours. The audit trail keeps its rows.{kept}")]


def _int_arg(args: tuple[str, ...], *, default: int, maximum: int) -> int | None:
    if not args:
        return default
    if len(args) != 1 or not is_plain_integer(args[0]) or not 1 <= int(args[0]) <= maximum:
        return None
    return int(args[0])


AUDIT_FLAGS = {
    "--user": "user_id",
    "--channel": "channel",
    "--since": "since",
    "--until": "until",
    "--status": "status",
    "--operation": "operation",
    "--event": "event",
    "--limit": "limit",
}


def parse_audit_filters(args: Sequence[str]) -> AuditFilter:
    tokens = list(args) if len(args) != 1 else shlex.split(args[0])
    values: dict[str, str | int] = {}
    while tokens:
        flag = tokens.pop(0)
        if flag not in AUDIT_FLAGS or not tokens:
            raise ValueError(f"unknown or incomplete filter '{flag}'")
        value = tokens.pop(0)
        key = AUDIT_FLAGS[flag]
        if key == "status":
            value = stored_status(value)
        if key == "limit":
            if not is_plain_integer(value) or int(value) < 1:
                raise ValueError("--limit takes a whole number like 30")
            values[key] = int(value)
        else:
            values[key] = value
    values.setdefault("limit", 30)
    return AuditFilter(**values)  # type: ignore[arg-type]


__all__ = ["BuiltinCommands", "approval_card", "parse_audit_filters"]
