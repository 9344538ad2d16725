"""The `!` command grammar: text → a built-in command or (operation, raw args).

kubectl-like: `!scale deployment web --replicas 3 -n prod`. Words pick the
operation from the registry, the next words fill its positional arguments,
`--flags` fill the rest (underscores become dashes; repeated flags build
lists; `KEY=VALUE` flags build mappings) and a fenced code block fills the
operation's code-block field. Parsing never runs anything and never decides
safety; the operation's declared safety does.
"""

from __future__ import annotations

import dataclasses
import difflib
import re
import shlex
import types
import typing
from typing import Any

from bot.conversation.kubectl import FLAG_SENTENCES, NotSupported, translate
from tools.base import Operation, Safety
from tools.registry import Registry

BUILTINS: dict[str, str] = {
    "help": "!help [topic] — what the bot can do, or how to use one command",
    "whoami": "!whoami — your identity, role, channel mode and defaults",
    "history": "!history [n] | !history alerts [n] — your last n questions, operations, alert actions "
    "and outcomes; with `alerts`, the alerts and cluster events posted in this channel and who acted",
    "approvals": "!approvals — pending approvals you can act on",
    "approve": "!approve ID — approve a pending change (it then runs once)",
    "deny": "!deny ID [reason] — deny a pending change",
    "cancel": "!cancel ID — cancel your own pending request",
    "undo": "!undo ID — file the inverse of a completed change for approval",
    "audit": (
        "!audit [--user U] [--channel C] [--operation O] [--status S] [--since ISO] [--limit N]"
        " — search the audit trail (admins)"
    ),
    "use": "!use cluster NAME | !use namespace NAME — set this channel's defaults (operator role by default)",
    "forget": "!forget — clear your conversation memory (the audit trail keeps its rows)",
    "watch": (
        "!watch [namespace|all] [--kinds pods,nodes,...] [--reasons CrashLoopBackOff,...] [--cluster NAME]"
        " — post a card here for each cluster problem there (operator role by default; nodes need all)"
    ),
    "unwatch": "!unwatch [namespace|all] [--cluster NAME] — stop this channel's watch there",
    "watches": "!watches — what this channel watches",
    "debug": (
        "!debug [pod|deployment] <name> [-n namespace] — diagnose a workload (a bare name is a deployment"
        " if one exists, else a pod), then the model's analysis"
    ),
    "analyze": "!analyze [namespace | -n namespace] — resource use vs requests/limits, node pressure, recommendations",
}

CODE_BLOCK = re.compile(r"```(?:[a-zA-Z0-9_-]*\n)?(.*?)```", re.DOTALL)


class CommandError(Exception):
    """A malformed command, phrased for the user (usage line included)."""


@dataclasses.dataclass(frozen=True)
class Builtin:
    name: str
    args: tuple[str, ...]


@dataclasses.dataclass(frozen=True)
class OperationCall:
    operation: Operation
    raw_args: dict[str, Any]


def _shape(annotation: Any) -> str:
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType):
        inner = [a for a in typing.get_args(annotation) if a is not type(None)]
        return _shape(inner[0]) if len(inner) == 1 else "scalar"
    if annotation is bool:
        return "bool"
    if origin in (list, tuple, set, frozenset) or annotation in (list, tuple):
        return "list"
    if origin is dict or annotation is dict or origin is typing.get_origin(typing.Mapping[str, str]):
        return "dict"
    return "scalar"


def split_code_block(text: str) -> tuple[str, str | None]:
    match = CODE_BLOCK.search(text)
    if match is None:
        return text, None
    return (text[: match.start()] + text[match.end() :]).strip(), match.group(1)


def tokenize(text: str) -> list[str]:
    try:
        return shlex.split(text)
    except ValueError as e:
        raise CommandError(f"I could not read that command ({e}); check the quotes.") from None


def closest(word: str, registry: Registry, *, limit: int = 3) -> list[str]:
    """The nearest commands to a mistyped one, reads before changes (`!gte pods` → `!get`)."""
    writes = {" ".join(op.command.words) for op in registry if op.safety is not Safety.READ}
    names = list(BUILTINS) + registry.command_names()
    head = word.split()[0] if word.split() else word
    verbs = list(dict.fromkeys(n.split()[0] for n in names))
    scores: dict[str, float] = {}
    for name in difflib.get_close_matches(word, names, n=limit * 3, cutoff=0.5):
        scores[name] = difflib.SequenceMatcher(None, word, name).ratio()
    if head not in verbs:  # a mistyped verb: match it alone too (`!gte pods` → `!get`)
        for verb in difflib.get_close_matches(head, verbs, n=limit * 3, cutoff=0.6):
            ratio = difflib.SequenceMatcher(None, head, verb).ratio()
            scores[verb] = max(scores.get(verb, 0.0), ratio)

    def is_write(name: str) -> bool:
        return name in writes or all(n in writes for n in names if n.split()[0] == name)

    ranked = sorted(scores, key=lambda n: (-round(scores[n], 1), is_write(n)))
    return ranked[:limit]


def parse(text: str, registry: Registry) -> Builtin | OperationCall:
    body = text.strip().removeprefix("!").strip()
    body, code = split_code_block(body)
    words = tokenize(body)
    if not words:
        raise CommandError("Empty command. Try !help.")
    head = words[0].lower()
    if head in BUILTINS:
        return Builtin(head, tuple(words[1:]))
    try:
        words = translate(words)
    except NotSupported as e:
        raise CommandError(str(e)) from None
    head = words[0].lower()
    if head in BUILTINS:
        return Builtin(head, tuple(words[1:]))
    matched = registry.match_words(words)
    if matched is None:
        guess = " ".join(w for w in words[:2] if not w.startswith("-"))
        suggestions = closest(guess, registry) or closest(head, registry)
        hint = f" Did you mean: {', '.join('!' + s for s in suggestions)}?" if suggestions else " Try !help."
        raise CommandError(f"Unknown command '!{guess}'.{hint}")
    operation, used = matched
    return OperationCall(operation, parse_arguments(operation, words[used:], code))


def parse_arguments(operation: Operation, tokens: list[str], code: str | None) -> dict[str, Any]:
    spec = operation.command
    fields = operation.args_model.model_fields
    usage = spec.usage(operation.args_model)
    aliases = {"-n": "namespace", "--ns": "namespace", "-c": "cluster", **spec.aliases}
    raw: dict[str, Any] = {}
    positionals = list(spec.positionals)
    i = 0
    while i < len(tokens):
        token = tokens[i]
        if token.startswith("-") and not _is_number(token):
            name, value = _split_flag(token)
            field = aliases.get(name) or name.lstrip("-").replace("-", "_")
            if field not in fields or field == spec.code_block_field:
                command = "!" + " ".join(spec.words)
                sentence = FLAG_SENTENCES.get(f"{spec.words[0]} {name}") or FLAG_SENTENCES.get(name)
                if sentence is not None:
                    raise CommandError(f"{command} has no {name}: {sentence}. Usage: {usage}")
                raise CommandError(f"Unknown option {name} for {command}. Usage: {usage}")
            shape = _shape(fields[field].annotation)
            if shape == "bool" and value is None:
                raw[field] = True
                i += 1
                continue
            if value is None:
                if i + 1 >= len(tokens):
                    raise CommandError(f"Option {name} needs a value. Usage: {usage}")
                value = tokens[i + 1]
                i += 1
            _put(raw, field, value, shape, usage)
        else:
            if not positionals:
                raise CommandError(f"Unexpected '{token}'. Usage: {usage}")
            field = positionals.pop(0)
            _put(raw, field, token, _shape(fields[field].annotation), usage)
        i += 1
    if code is not None:
        if spec.code_block_field is None:
            raise CommandError(f"!{' '.join(spec.words)} takes no code block. Usage: {usage}")
        raw[spec.code_block_field] = code
    return raw


def _is_number(token: str) -> bool:
    return bool(re.fullmatch(r"-\d+(\.\d+)?", token))


def _split_flag(token: str) -> tuple[str, str | None]:
    if token.startswith("--") and "=" in token:
        name, value = token.split("=", 1)
        return name, value
    return token, None


def _put(raw: dict[str, Any], field: str, value: str, shape: str, usage: str) -> None:
    if shape == "list":
        raw.setdefault(field, []).extend(v for v in value.split(",") if v)
    elif shape == "dict":
        if "=" not in value:
            raise CommandError(f"--{field.replace('_', '-')} takes KEY=VALUE, got '{value}'. Usage: {usage}")
        key, val = value.split("=", 1)
        raw.setdefault(field, {})[key] = val
    else:
        if field in raw:
            raise CommandError(f"--{field.replace('_', '-')} was given twice. Usage: {usage}")
        raw[field] = value
