"""`!help` and `!help VERB`: every command, or one verb's usage lines, flags and kubectl spellings.

Reads the registry and the grammar's tables; runs nothing.
"""

from __future__ import annotations

from bot.conversation.access_hint import AccessHint, permissions_line
from bot.conversation.commands import BUILTINS, closest
from bot.conversation.kubectl import HELP_ALIASES, SPELLINGS, VERB_SENTENCES
from bot.domain.models import Reply, ReplyKind
from tools.base import Operation, Table
from tools.registry import Registry

INTRO = (
    "Commands start with `!`; anything else is a question for the assistant. "
    "Changes wait for an approval. `!help <command>` shows its usage and flags; "
    "kubectl's spellings work too (po, deploy, svc, kind/name, -o wide, --sort-by…)."
)


def _usage(operation: Operation) -> str:
    return f"{operation.command.usage(operation.args_model)}  ({operation.safety.value})"


def operations_for(topic: str, registry: Registry) -> list[Operation]:
    """The operations `!help topic` is about: an exact command, or every command of a verb."""
    words = tuple(topic.split())
    exact = registry.by_words(words) or registry.get(topic)
    if exact is not None:
        return [exact]
    verbs = HELP_ALIASES.get(words[0], (words[0],)) if words else ()
    return [
        op
        for op in registry
        if op.command.words[0] in verbs and (len(words) == 1 or op.command.words[: len(words)] == words)
    ]


def help_reply(args: tuple[str, ...], registry: Registry, *, access: AccessHint | None = None) -> Reply:
    """`!help` (every command, marked where the credentials would refuse it) or `!help TOPIC`."""
    if not args:
        rows = [(f"!{name}", text.split(" — ", 1)[-1]) for name, text in BUILTINS.items()]
        rows += [
            (
                "!" + " ".join(op.command.words),
                f"[{op.safety.value}] {op.description}" + (access.mark(op.name) if access else ""),
            )
            for op in registry
        ]
        intro = INTRO + (f"\n{access.text}" if access is not None else "")
        return Reply(intro, table=Table(("command", "what it does"), tuple(rows)))
    topic = " ".join(args).removeprefix("!").lower()
    if topic in BUILTINS:
        return Reply(BUILTINS[topic])
    if topic in VERB_SENTENCES:
        return Reply(VERB_SENTENCES[topic])
    operations = operations_for(topic, registry)
    if not operations:
        guesses = closest(topic, registry)
        hint = f" Did you mean: {', '.join('!' + g for g in guesses)}?" if guesses else ""
        return Reply(f"No help on '{topic}'.{hint} `!help` lists every command.", kind=ReplyKind.ERROR)
    if len(operations) == 1:
        op = operations[0]
        lines = [op.description, f"Safety: {op.safety.value}", f"Usage: {op.command.usage(op.args_model)}"]
    else:
        lines = [f"!{topic}:", *(f"- {_usage(op)}" for op in operations)]
    if any("cluster" in op.args_model.model_fields for op in operations):
        lines.append("The namespace and cluster default to this channel's (`!use`).")
    spellings = SPELLINGS.get(topic.split()[0], ())
    if spellings:
        lines += ["Examples:", *(f"  {example}" for example in spellings)]
    needs = permissions_line(operations[0].name) if len(operations) == 1 else None
    if needs:
        lines.append(needs)
    return Reply("\n".join(lines))
