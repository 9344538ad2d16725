"""The router: one incoming message → replies, through commands or the agent.

It de-duplicates events, records the message and the replies in history and
the audit trail before returning (so nothing is lost when the adapter then
fails to send), and sends every operation through the gate. It knows no
platform and renders nothing. Its dependencies are given once at start-up.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import logging
import uuid
from collections.abc import Iterator, Sequence

from bot.conversation.alert_clicks import AlertClicks
from bot.conversation.builtins import BuiltinCommands
from bot.conversation.commands import Builtin, CommandError, OperationCall, parse
from bot.conversation.follow_ups import AgentPort, limited_follow_up
from bot.conversation.limits import Limits
from bot.conversation.refusals import DRAINING, KUBECONFIG_PASTE, KUBECONFIG_REFUSAL
from bot.conversation.unrecorded import unrecorded_sentence
from bot.domain.events import AuditEvent
from bot.domain.logging_setup import request_id_var
from bot.domain.models import ButtonAction, IncomingMessage, Principal, Reply, ReplyKind
from bot.domain.outcomes import Outcome, RequestContext
from bot.domain.replies import builtin_status, outcome_replies
from bot.domain.textclean import clean_text
from bot.gate.approvals import ApprovalDesk
from bot.gate.audit import AuditUnavailable
from bot.gate.audit_log import RequestAudit
from bot.gate.metrics import Metrics
from bot.gate.ports import BackgroundWork, Notifier, OperationGateway
from storage.errors import StorageError
from storage.records import ApprovalRecord, NewMessage
from storage.store import Store
from tools.base import Status
from tools.effects.typed import mask_typed_secrets
from tools.redact import redact_text
from tools.registry import Registry

log = logging.getLogger(__name__)


class Router:
    def __init__(
        self,
        *,
        gateway: OperationGateway,
        background: BackgroundWork,
        desk: ApprovalDesk,
        builtins: BuiltinCommands,
        registry: Registry,
        store: Store,
        audit: RequestAudit,
        metrics: Metrics,
        notifier: Notifier,
        agent: AgentPort | None = None,
        limits: Limits | None = None,
        alert_clicks: AlertClicks | None = None,
    ) -> None:
        self._gateway = gateway
        self._alert_clicks = alert_clicks or AlertClicks()
        self._background = background
        self._desk = desk
        self._builtins = builtins
        self._registry = registry
        self._store = store
        self._audit = audit
        self._metrics = metrics
        self._notifier = notifier
        self.agent = agent  # public: a test may give the router a stand-in
        self._limits = limits
        self._inflight = 0
        self._idle = asyncio.Event()
        self._idle.set()
        self.draining = False
        self._known: dict[tuple[str, str], str] = {}

    @property
    def in_flight(self) -> int:
        """Messages and clicks being handled right now."""
        return self._inflight

    @contextlib.contextmanager
    def _tracked(self) -> Iterator[None]:
        self._inflight += 1
        self._idle.clear()
        try:
            yield
        finally:
            self._inflight -= 1
            if self._inflight == 0:
                self._idle.set()

    async def drain(self, grace_s: float) -> int:
        """Stop taking new work and wait for what is in flight; returns how much did not finish."""
        self.draining = True
        loop = asyncio.get_running_loop()
        deadline = loop.time() + grace_s
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._idle.wait(), timeout=grace_s)
        unfinished_background = await self._background.drain(max(0.0, deadline - loop.time()))
        return self._inflight + unfinished_background

    def context_for(self, message: IncomingMessage, *, request_id: str | None = None) -> RequestContext:
        return RequestContext(
            principal=message.principal,
            channel=message.channel,
            thread=message.thread,
            request_id=request_id or uuid.uuid4().hex[:16],
            origin="command",
        )

    async def handle(self, message: IncomingMessage, *, request_id: str | None = None) -> list[Reply]:
        if self.draining:
            return [Reply(DRAINING, kind=ReplyKind.ERROR)]
        request_id = request_id or uuid.uuid4().hex[:16]
        self._audit.begin(request_id)
        cleaned = clean_text(message.text)  # bad bytes replaced, NULs removed: storable
        if cleaned != message.text:
            message = dataclasses.replace(message, text=cleaned)
        try:
            with self._tracked():
                return await self._handle(message, request_id=request_id)
        except (AuditUnavailable, StorageError) as e:
            # Without a record nothing may run: say so plainly, keep the bot up.
            log.error("request not processed: %s", e)
            return [Reply(unrecorded_sentence(e), kind=ReplyKind.ERROR)]
        finally:
            await self._flush_audit(request_id)

    async def _note_identity(self, principal: Principal) -> None:
        """Persist who spoke, once per process and whenever their display name changes."""
        key = (principal.platform, principal.user_id)
        if self._known.get(key) == principal.display_name:
            return
        await self._store.upsert_identity(
            platform=principal.platform, user_id=principal.user_id, display_name=principal.display_name
        )
        self._known[key] = principal.display_name
        if len(self._known) > 10_000:
            self._known.pop(next(iter(self._known)))

    async def _flush_audit(self, request_id: str) -> None:
        """Whatever a request left waiting is written at its end, even when it failed."""
        try:
            await self._audit.flush(request_id)
        except AuditUnavailable:
            self._audit.discard(request_id)

    async def _handle(self, message: IncomingMessage, *, request_id: str) -> list[Reply]:
        principal = message.principal
        ctx = self.context_for(message, request_id=request_id)
        request_id_var.set(ctx.request_id)
        if message.event_id is not None:
            first = await self._store.claim_event(platform=principal.platform, event_id=message.event_id)
            if not first:
                log.info("duplicate event %s ignored", message.event_id)
                return []
        await self._note_identity(principal)
        text = message.text.strip()
        is_command = text.startswith("!") or (message.via_slash_command and self._looks_like_command(text))
        log.info(
            "%s from %s:%s in %s",
            "command" if is_command else "question",
            principal.platform,
            principal.user_id,
            message.channel,
        )
        await self._audit.defer_message(
            ctx.request_id,
            NewMessage(
                platform=principal.platform,
                channel=message.channel,
                thread=message.thread,
                user_id=principal.user_id,
                role="user",
                content=redact_text(mask_typed_secrets(text)),
            ),
        )
        await self._audit.record(
            AuditEvent.MESSAGE_RECEIVED,
            ctx,
            detail={"chars": len(text), "command": is_command, "event_id": message.event_id},
        )
        metrics = self._metrics
        metrics.messages.labels(principal.platform, "command" if is_command else "question").inc()
        user_key = f"{principal.platform}:{principal.user_id}"
        refusal = await self._limits.check_message(user_key, text) if self._limits else None
        replies: list[Reply]
        operation: str | None
        status: str | None
        if refusal is not None:
            metrics.limited.labels(refusal.limit).inc()
            await self._audit.record(AuditEvent.REQUEST_LIMITED, ctx, status=refusal.limit)
            replies, operation, status = [Reply(refusal.text, kind=ReplyKind.ERROR)], None, "limited"
        else:
            replies, operation, status = await self._dispatch(message, ctx, text, is_command=is_command)
        await self._remember(message, ctx, replies, operation=operation, status=status)
        return replies

    def _looks_like_command(self, text: str) -> bool:
        try:
            parse("!" + text, self._registry)
        except CommandError as e:
            return not str(e).startswith("Unknown command")
        return True

    async def _dispatch(
        self, message: IncomingMessage, ctx: RequestContext, text: str, *, is_command: bool
    ) -> tuple[list[Reply], str | None, str | None]:
        if KUBECONFIG_PASTE.search(text):
            await self._audit.record(AuditEvent.REQUEST_REFUSED, ctx, status="kubeconfig_pasted")
            return (
                [Reply(KUBECONFIG_REFUSAL, kind=ReplyKind.ERROR)],
                None,
                "refused",
            )
        if not is_command:
            if self.agent is None:
                return (
                    [
                        Reply(
                            "No language model is configured, so I only understand commands; "
                            "try !help to see them."
                        )
                    ],
                    None,
                    None,
                )
            return await self._ask_agent(self.agent, message, ctx), None, "agent"
        try:
            parsed = parse(text if text.startswith("!") else "!" + text, self._registry)
        except CommandError as e:
            await self._audit.record(
                AuditEvent.COMMAND_INVALID, ctx, status="invalid", detail={"error": str(e)}
            )
            return [Reply(str(e), kind=ReplyKind.ERROR)], None, "invalid"
        self._metrics.commands.labels(
            f"!{parsed.name}" if isinstance(parsed, Builtin) else parsed.operation.name
        ).inc()
        if isinstance(parsed, Builtin):
            await self._audit.record(AuditEvent.COMMAND_PARSED, ctx, operation=f"!{parsed.name}")
            replies = await self._builtins.run(parsed, ctx)
            if parsed.name == "approve" and len(parsed.args) == 1:
                decided = await self._desk.get(parsed.args[0])
                replies += await self._follow_up(decided, channel=ctx.channel, thread=ctx.thread)
            return replies, f"!{parsed.name}", builtin_status(replies)
        return await self._run_operation(parsed, ctx)

    async def _ask_agent(
        self, agent: AgentPort, message: IncomingMessage, ctx: RequestContext
    ) -> list[Reply]:
        if self._limits is None:
            return await agent.answer(message, ctx)
        key = f"{message.principal.platform}:{message.principal.user_id}"
        refusal = await self._limits.check_llm(key)
        if refusal is not None:
            self._metrics.limited.labels(refusal.limit).inc()
            await self._audit.record(AuditEvent.REQUEST_LIMITED, ctx, status=refusal.limit)
            return [Reply(refusal.text, kind=ReplyKind.ERROR)]
        async with self._limits.agent_turn() as free:
            if not free:
                self._metrics.limited.labels("agent_turns").inc()
                return [
                    Reply("The assistant is busy with other questions; please try again in a few seconds.")
                ]
            return await agent.answer(message, ctx)

    async def _run_operation(
        self, call: OperationCall, ctx: RequestContext
    ) -> tuple[list[Reply], str | None, str | None]:
        await self._audit.record(AuditEvent.COMMAND_PARSED, ctx, operation=call.operation.name)
        outcome = await self._gateway.submit(call.operation.name, call.raw_args, ctx)
        return outcome_replies(outcome), outcome.operation, outcome.status.value

    async def handle_button(
        self,
        *,
        principal: Principal,
        action: ButtonAction,
        approval_id: str,
        channel: str,
        thread: str | None,
    ) -> tuple[Outcome, list[Reply]]:
        """A click on Approve / Deny / Undo (the button carries only the approval id), or on an alert
        card's button (its `approval_id` is the alert's fingerprint), handed to the alerts' handler."""
        if self.draining:
            return Outcome(Status.ERROR, DRAINING), [Reply(DRAINING, kind=ReplyKind.ERROR, ephemeral=True)]
        if action.is_alert_action:  # an alert card's button names an alert, never an approval
            with self._tracked():
                return await self._alert_clicks.click(
                    principal=principal,
                    action=action,
                    fingerprint=approval_id,
                    channel=channel,
                    thread=thread,
                )
        request_id = uuid.uuid4().hex[:16]
        self._audit.begin(request_id)
        try:
            with self._tracked():
                return await self._handle_button(principal, action, approval_id, channel, thread, request_id)
        except (AuditUnavailable, StorageError) as e:
            log.error("click not processed: %s", e)
            sentence = unrecorded_sentence(e)
            return Outcome(Status.ERROR, sentence), [Reply(sentence, kind=ReplyKind.ERROR, ephemeral=True)]
        finally:
            await self._flush_audit(request_id)

    async def _handle_button(
        self,
        principal: Principal,
        action: ButtonAction,
        approval_id: str,
        channel: str,
        thread: str | None,
        request_id: str,
    ) -> tuple[Outcome, list[Reply]]:
        ctx = RequestContext(principal, channel, thread, request_id, origin="command")
        request_id_var.set(ctx.request_id)
        await self._audit.record(AuditEvent.BUTTON_CLICKED, ctx, approval_id=approval_id, status=action.value)
        if action is ButtonAction.APPROVE:
            outcome = await self._desk.approve(approval_id, ctx)
        elif action is ButtonAction.DENY:
            outcome = await self._desk.deny(approval_id, ctx)
        else:
            outcome = await self._desk.undo(approval_id, ctx)
        replies = outcome_replies(outcome)
        answer = NewMessage(
            platform=principal.platform,
            channel=channel,
            thread=thread,
            user_id=principal.user_id,
            role="assistant",
            content=redact_text(outcome.text),
            operation=outcome.operation,
            status=outcome.status.value,
        )
        await self._audit.record(
            AuditEvent.REPLY_SENT,
            ctx,
            approval_id=approval_id,
            detail={"replies": len(replies)},
            message=answer,
        )
        if action is ButtonAction.APPROVE:
            replies += await self._follow_up(outcome.approval, channel=channel, thread=thread)
        return outcome, replies

    async def _follow_up(
        self, record: ApprovalRecord | None, *, channel: str, thread: str | None
    ) -> list[Reply]:
        """The agent's follow-up on a finished change it asked for, in the approval's own thread."""
        if self.agent is None or record is None or not record.state.is_final:
            return []
        replies = await limited_follow_up(self.agent, record, self._limits, self._metrics)
        if replies and (record.channel, record.thread) != (channel, thread):
            for reply in replies:  # decided elsewhere: post where the conversation is
                await self._notifier.notice(record, reply.text)
            return []
        return replies

    async def _remember(
        self,
        message: IncomingMessage,
        ctx: RequestContext,
        replies: Sequence[Reply],
        *,
        operation: str | None,
        status: str | None,
    ) -> None:
        content = "\n".join(r.text for r in replies)
        answer = NewMessage(
            platform=message.principal.platform,
            channel=message.channel,
            thread=message.thread,
            user_id=message.principal.user_id,
            role="assistant",
            content=redact_text(content)[:8000],
            operation=operation,
            status=status,
        )
        # The answer and its audit fact commit together, before the adapter sends anything.
        await self._audit.record(
            AuditEvent.REPLY_SENT,
            ctx,
            operation=operation,
            status=status,
            detail={"replies": len(replies)},
            message=answer,
        )
