"""The agent turn: a question → a LangChain agent over the coarse tools → replies.

`Agent.answer()` loads the person's memory, runs the tool loop (`loop.py`,
built once) for the turn, and composes the replies. Every tool
call goes through the gate's `submit` with `origin="agent"`: reads run at
once, changes become approval rows and never run here. When a change the
agent asked for has been approved and run, `follow_up()` stores the outcome
in that conversation and runs the agent once more. How many turns run at
once is the router's to limit (`Limits.agent_turn`, shared by every replica).
A model that fails, hangs or rate-limits gives the person one sentence within
the timeout; nothing here raises into the router.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import uuid
from collections.abc import Mapping
from typing import Any

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AnyMessage, HumanMessage, SystemMessage
from langchain_core.tools import BaseTool

from bot.agent.answers import compose, final_text, has_unreadable_calls, no_answer_sentence
from bot.agent.dispatch import Turn, run_tool_call
from bot.agent.errors import STILL_WORKS, ModelUnavailable
from bot.agent.framing import MODEL_HEADER, frame
from bot.agent.loop import StepLimit, ToolLoop
from bot.agent.memory import estimate_tokens, has_note, message_tokens, note_row
from bot.agent.middleware import AgentGuard
from bot.agent.recall import ConversationMemory
from bot.agent.resilience import ModelGate
from bot.agent.tool_adapter import schema_text, to_langchain_tools
from bot.agent.toolset import group_operations
from bot.agent.tracing import run_trace_bookkeeping_inline
from bot.domain.models import IncomingMessage, Reply
from bot.domain.outcomes import RequestContext, describe_call
from bot.gate.audit_log import RequestAudit
from bot.gate.metrics import Metrics
from bot.gate.ports import OperationGateway
from bot.gate.stored import requester_of
from bot.settings.config import LlmSettings, LoadedConfig
from prompts import load_prompt
from storage.records import ApprovalRecord, ApprovalState, NewMessage
from storage.store import Store
from tools.redact import redact_text
from tools.registry import Registry

log = logging.getLogger(__name__)
REQUESTED = "approval_requested"
FOLLOW_UP = (
    "The change noted last has finished. In one or two sentences tell the person what happened and, "
    "if useful, one read-only check to confirm it."
)


@dataclasses.dataclass(frozen=True)
class AgentSettings:
    max_tool_calls: int = 8
    max_input_tokens: int = 12000
    memory_tokens: int = 3000
    turn_timeout_s: float = 120.0
    # The graph's own step limit, a backstop behind max_tool_calls (None: 4 steps per call + 10).
    graph_steps: int | None = None

    @classmethod
    def from_llm(cls, llm: LlmSettings) -> AgentSettings:
        return cls(
            max_tool_calls=llm.max_tool_calls,
            max_input_tokens=llm.max_input_tokens,
            memory_tokens=llm.memory_tokens,
            turn_timeout_s=llm.timeout_s * 4,
        )


@dataclasses.dataclass(frozen=True)
class AgentDeps:
    """What the agent needs from the core: the operations, the gate, history and the audit trail."""

    registry: Registry
    gateway: OperationGateway
    store: Store
    audit: RequestAudit
    metrics: Metrics


class Agent:
    def __init__(
        self, *, deps: AgentDeps, model: BaseChatModel, gate: ModelGate, settings: AgentSettings
    ) -> None:
        self._store = deps.store
        self._audit = deps.audit
        self._memory = ConversationMemory(deps.store, budget_tokens=settings.memory_tokens)
        self.model = model
        self.gate = gate
        self.settings = settings
        self.groups = group_operations(deps.registry)
        self.tools = to_langchain_tools(self.groups, deps.gateway)
        self.system_prompt = load_prompt("system")
        self.fixed_text = self.system_prompt + schema_text(self.tools)
        guard = AgentGuard(
            gate=gate,
            max_input_tokens=settings.max_input_tokens,
            fixed_tokens=estimate_tokens(self.fixed_text),
            metrics=deps.metrics,
        )
        run_trace_bookkeeping_inline()
        by_name = {group.name: group for group in self.groups}

        async def run_tool(tool: BaseTool, call: Mapping[str, Any], turn: Turn) -> str:
            return await run_tool_call(
                gateway=deps.gateway,
                groups=self.groups,
                group=by_name[tool.name],
                operation=str(call["operation"]),
                args=call.get("args"),
                turn=turn,
            )

        self._loop = ToolLoop(
            model=model, tools=self.tools, system_prompt=self.system_prompt, guard=guard, run_tool=run_tool
        )
        self.last_turn: Turn | None = None  # read by the benchmark: model time of the latest turn

    async def answer(self, message: IncomingMessage, ctx: RequestContext) -> list[Reply]:
        ctx = dataclasses.replace(ctx, origin="agent")
        turn = Turn(ctx=ctx, max_tool_calls=self.settings.max_tool_calls)
        refusal = self.gate.refusal()
        if refusal is not None:
            return compose(turn, text="", problem=refusal)
        current = redact_text(message.text.strip())
        memory = await self._memory.load(
            principal=ctx.principal, channel=ctx.channel, thread=ctx.thread, current=current
        )
        question = HumanMessage(content=current)
        replies = await self._run(
            turn, [*memory.messages, question], [*memory.costs, message_tokens(question)]
        )
        await self._note_approvals(turn)
        return replies

    async def follow_up(self, record: ApprovalRecord) -> list[Reply]:
        """After an approval the agent asked for has run: note the outcome, answer once more."""
        if record.state not in (ApprovalState.SUCCEEDED, ApprovalState.FAILED):
            return []
        principal = requester_of(record)
        store = self._store
        asked = await has_note(
            store,
            platform=principal.platform,
            user_id=principal.user_id,
            channel=record.channel,
            thread=record.thread,
            contains=f"approval {record.id} ",
            status=REQUESTED,
        )
        if not asked or self.gate.refusal() is not None:
            return []
        call = describe_call(record.operation, record.args)
        note = f"approval {record.id} {record.state.value}: {call}\n" + frame(
            record.result_text or "", source=f"{record.operation}_result"
        )
        await store.append_message(
            note_row(
                principal=principal,
                channel=record.channel,
                thread=record.thread,
                text=note,
                operation=record.operation,
                status=record.state.value,
            )
        )
        memory = await self._memory.load(principal=principal, channel=record.channel, thread=record.thread)
        ctx = RequestContext(principal, record.channel, record.thread, uuid.uuid4().hex[:16], origin="agent")
        turn = Turn(ctx=ctx, max_tool_calls=self.settings.max_tool_calls)
        ask = SystemMessage(content=FOLLOW_UP)
        replies = await self._run(turn, [*memory.messages, ask], [*memory.costs, message_tokens(ask)])
        await self._note_approvals(turn)
        await store.append_message(
            NewMessage(
                platform=principal.platform,
                channel=record.channel,
                thread=record.thread,
                user_id=principal.user_id,
                role="assistant",
                content=redact_text("\n".join(r.text for r in replies))[:8000],
            )
        )
        return replies

    async def analyse(self, *, system: str, user: str, ctx: RequestContext, header: str) -> list[Reply]:
        """A flow's analysis (`!debug`, `!analyze`): one turn under the flow's own prompt `system`
        over its findings `user`, without memory. The model may read more or propose a change
        through the tools, as the person of `ctx` and through the gate like any agent call: a
        change is an approval card in the replies, never run here."""
        turn = Turn(ctx=dataclasses.replace(ctx, origin="agent"), max_tool_calls=self.settings.max_tool_calls)
        refusal = self.gate.refusal()
        if refusal is not None:
            return compose(turn, text="", problem=f"No analysis: {refusal}", header=header)
        question = HumanMessage(content=user)
        replies = await self._run(turn, [question], [message_tokens(question)], system=system, header=header)
        await self._note_approvals(turn)
        return replies

    async def _run(
        self,
        turn: Turn,
        messages: list[AnyMessage],
        costs: list[int],
        *,
        system: str | None = None,
        header: str = MODEL_HEADER,
    ) -> list[Reply]:
        steps = self.settings.graph_steps or 4 * self.settings.max_tool_calls + 10
        self.last_turn = turn
        try:
            this_turn = await asyncio.wait_for(
                self._loop.run(messages, costs=costs, turn=turn, steps=steps, system=system),
                timeout=self.settings.turn_timeout_s,
            )
        except ModelUnavailable as e:
            return compose(turn, text="", problem=str(e), header=header)
        except TimeoutError:
            problem = (
                f"I stopped: this question took longer than {self.settings.turn_timeout_s:g} s. {STILL_WORKS}"
            )
            return compose(turn, text="", problem=problem)
        except StepLimit:
            log.warning(
                "agent turn %s hit the step limit after %d model call(s) and %d tool call(s)",
                turn.ctx.request_id,
                turn.model_calls,
                turn.tool_calls,
            )
            problem = f"I stopped: the model kept going without an answer. {STILL_WORKS}"
            return compose(turn, text="", problem=problem)
        except Exception:  # the agent boundary: the bot stays up, the person reads one sentence
            log.exception("agent turn %s failed", turn.ctx.request_id)
            return compose(
                turn, text="", problem=f"Something went wrong while I worked on that. {STILL_WORKS}"
            )
        text = final_text(this_turn)  # this turn's messages only: never an answer from memory
        if not text and has_unreadable_calls(this_turn):
            return compose(turn, text="", problem=no_answer_sentence(turn, unreadable=True))
        return compose(turn, text=text, header=header)

    async def _note_approvals(self, turn: Turn) -> None:
        """Note each approval the turn filed in the conversation; committed with the reply."""
        for outcome in turn.outcomes:
            if outcome.approval is None or outcome.approval.state is not ApprovalState.PENDING:
                continue
            await self._audit.defer_message(
                turn.ctx.request_id,
                note_row(
                    principal=turn.ctx.principal,
                    channel=turn.ctx.channel,
                    thread=turn.ctx.thread,
                    text=f"approval {outcome.approval.id} requested: {outcome.call}",
                    operation=outcome.operation,
                    status=REQUESTED,
                ),
            )


def build_agent(loaded: LoadedConfig, deps: AgentDeps) -> Agent:
    """The agent for the configured model; raises ConfigError if it cannot be built."""
    from bot.agent.model import build_chat_model, gate_policy

    llm = loaded.settings.llm
    return Agent(
        deps=deps,
        model=build_chat_model(loaded),
        gate=ModelGate(gate_policy(llm)),
        settings=AgentSettings.from_llm(llm),
    )
