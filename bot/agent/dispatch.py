"""One tool call of the model → one `submit` through the gate, and the text the model reads back.

The model's call names a coarse tool, an operation and its arguments. The
operation must belong to that tool; everything else (argument validation,
policy, approvals, running, audit) is the executor's, with `origin="agent"`.
A read runs at once; a change comes back as an approval request that has not
run. The answer for the model states the exact call and its safety in the
bot's own words and puts everything that came from the cluster inside an
untrusted-data frame. Each outcome is kept on the `Turn` so the reply can show
what ran or was proposed. Nothing here decides safety or runs an operation.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Mapping
from typing import Any

from bot.agent.framing import frame, result_body
from bot.agent.toolset import ToolGroup, find_group, signature
from bot.domain.outcomes import Outcome, RequestContext
from bot.gate.ports import OperationGateway
from tools.base import Status
from tools.parsing import ParseRefused, load_json

MAX_ARGS_CHARS = 4000
MAX_REASON_CHARS = 200


@dataclasses.dataclass
class Turn:
    """What one agent turn has done so far (the runtime context of the graph)."""

    ctx: RequestContext
    max_tool_calls: int
    outcomes: list[Outcome] = dataclasses.field(default_factory=list)
    tool_calls: int = 0
    limited: bool = False
    model_seconds: float = 0.0
    model_cpu_seconds: float = 0.0  # process CPU inside model calls (the client building requests)
    model_calls: int = 0
    calls: list[tuple[str, Mapping[str, Any]]] = dataclasses.field(default_factory=list)  # (operation, args)


def _as_mapping(args: Any) -> Mapping[str, Any] | str:
    """The model's `args`: an object, or JSON text of one; else the problem."""
    if args is None:
        return {}
    if isinstance(args, str):
        if len(args) > MAX_ARGS_CHARS:
            return "args is too long"
        try:
            args = load_json(args, what="args", max_depth=32) if args.strip() else {}
        except ParseRefused:
            return "args must be a JSON object (at most 32 levels deep)"
    if not isinstance(args, Mapping):
        return "args must be an object of the operation's arguments"
    return args


def _shown(operation: str, args: Any) -> str:
    text = json.dumps(args, sort_keys=True, default=str, ensure_ascii=False)
    return f"{operation}({text[:300]})"


async def run_tool_call(
    *,
    gateway: OperationGateway,
    groups: list[ToolGroup],
    group: ToolGroup,
    operation: str,
    args: Any,
    turn: Turn,
) -> str:
    """Submit the call through the executor; returns the text the model reads.

    The call was already counted toward the turn's limit (`AgentGuard`), with
    calls to tools that do not exist."""
    chosen = group.get(operation)
    if chosen is None:
        other = find_group(groups, operation)
        where = (
            f"; it belongs to the tool {other.name}"
            if other
            else f"; choose one of: {', '.join(group.names())}"
        )
        return f"Not run: {group.name} has no operation {operation!r}{where}."
    raw = _as_mapping(args)
    if isinstance(raw, str):
        return f"Not run: {_shown(operation, args)}: {raw}. It takes {signature(chosen, typed=True)}."
    turn.calls.append((chosen.name, dict(raw)))
    ctx = dataclasses.replace(turn.ctx, origin="agent")
    outcome = await gateway.submit(chosen.name, raw, ctx)
    turn.outcomes.append(outcome)
    return for_model(outcome, raw_call=_shown(operation, raw), signature_text=signature(chosen, typed=True))


def for_model(outcome: Outcome, *, raw_call: str, signature_text: str) -> str:
    """The model's view of an outcome: the bot's status line, cluster text framed."""
    safety = outcome.safety.value if outcome.safety else "?"
    call = outcome.call or raw_call
    source = outcome.operation or "operation"
    if outcome.status is Status.APPROVAL_REQUIRED and outcome.approval is not None:
        record = outcome.approval
        return (
            f"APPROVAL_REQUIRED {record.id}: [{safety}] {call} is filed for approval; it has NOT run. "
            "A person must approve it; they see its card in the chat. Tell the user what you asked for "
            "and why.\n" + frame(record.preview, source=f"{source}_preview")
        )
    if outcome.status is Status.DENIED:
        return f"[{safety}] {call}: refused by policy and not run. {outcome.text}"
    if outcome.status is Status.ERROR:
        if outcome.safety is None and outcome.result is None:  # rejected before policy: bad arguments
            return (
                f"Not run: {raw_call} is invalid: {outcome.text}\n"
                f"It takes {signature_text} (* = required); correct the call and try again."
            )
        return f"[{safety}] {call}: failed.\n" + frame(outcome.text, source=source)
    body = result_body(outcome.result) if outcome.result is not None else outcome.text
    status = "no data" if outcome.status is Status.NO_DATA else "ok"
    return f"[{safety}] {call}: {status}.\n" + frame(body, source=source)


def operations_summary(outcomes: list[Outcome]) -> list[str]:
    """One line per operation the turn ran or proposed, with its safety level."""
    lines = []
    for o in outcomes:
        if o.call is None:
            continue
        safety = o.safety.value if o.safety else "?"
        if o.status is Status.APPROVAL_REQUIRED and o.approval is not None:
            what = f"approval {o.approval.id} requested, not run yet"
        elif o.status is Status.DENIED:
            what = f"refused: {_reason(o.text.removeprefix('Refused: '))}"
        elif o.status is Status.ERROR:
            what = f"error: {_reason(o.text)}"
        else:
            what = o.status.value.replace("_", " ")
        lines.append(f"[{safety}] {o.call} → {what}")
    return lines


def _reason(text: str) -> str:
    """The first line of an outcome's (redacted) text, short: why it was refused or failed."""
    line = text.strip().splitlines()[0] if text.strip() else "no details"
    return line if len(line) <= MAX_REASON_CHARS else line[: MAX_REASON_CHARS - 1] + "…"


__all__ = ["Turn", "for_model", "operations_summary", "run_tool_call"]
