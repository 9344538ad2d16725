"""A scripted model for `chatops eval`: per task (keyed by its question), a list of steps.

`task_script({question: [Step, ...]})` answers request n of a turn (n = the
model turns already in it since the person's question) with step n, so the
same server plays every task of the suite, in any order, and answers the
tool-calling probe `chatops eval` sends first. `reference_steps`
turns a task's `reference` into steps: the model that answers correctly.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from bot.evals.tasks import Task
from tests.fake_llm.server import LLMRequest, Script
from tests.fake_llm.steps import Call, Say, Step

END = "(the script has no more steps)"


def question_of(request: LLMRequest) -> str:
    users = [m for m in request.messages if m.get("role") == "user"]
    return str(users[-1].get("content") or "") if users else ""


def turn_index(request: LLMRequest) -> int:
    """How many model answers this turn already has (assistant messages after the last user one)."""
    messages = request.messages
    last_user = max((i for i, m in enumerate(messages) if m.get("role") == "user"), default=-1)
    return sum(1 for m in messages[last_user + 1 :] if m.get("role") == "assistant")


def task_script(scripts: Mapping[str, Sequence[Step]]) -> Script:
    def script(request: LLMRequest) -> Step:
        if (request.body.get("tool_choice") or {}).get("function", {}).get("name") == "ping":
            return Call((("ping", {"ok": True}),))  # `chatops check`'s probe: it calls tools
        steps = scripts.get(question_of(request))
        if steps is None:
            return Say("(no script for this question)")
        index = turn_index(request)
        return steps[index] if index < len(steps) else Say(END)

    return script


def reference_steps(task: Task) -> list[Step]:
    steps: list[Step] = []
    for step in task.reference:
        if step.call:
            calls = tuple((tool, {"operation": op, "args": dict(args)}) for tool, op, args in step.call)
            steps.append(Call(calls, text=step.say))
        else:
            steps.append(Say(step.say or ""))
    return steps
