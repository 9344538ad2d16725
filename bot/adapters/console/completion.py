"""Tab completion on the console: command verbs, resource kinds, and object names.

Names come from a read (`k8s_get -o name`) sent through the executor like any command, so
policy and the audit trail apply and nothing but a read is ever run; they are cached briefly
so holding Tab does not flood the cluster.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import AsyncGenerator, Iterable

from prompt_toolkit.completion import CompleteEvent, Completer, Completion
from prompt_toolkit.document import Document

from bot.adapters.console.buttons import WORDS
from bot.adapters.console.principal import to_principal
from bot.app import App
from bot.conversation.commands import BUILTINS
from bot.conversation.kubectl import SIMPLE
from bot.domain.outcomes import RequestContext
from tools.base import Status
from tools.kubernetes.kinds import KINDS

KIND_VERBS = frozenset({"get", "describe", "delete", "scale", "diagnose", "top", "logs", "edit", "debug"})
NAME_VERBS = frozenset({"get", "describe", "delete", "scale", "diagnose", "debug"})
CACHE_S = 15.0


def verbs(app: App) -> list[str]:
    words = {*BUILTINS, *(op.command.words[0] for op in app.registry), *(key[0] for key in SIMPLE), "rollout"}
    words |= set(WORDS)  # an alert card's buttons, typed (`!ack <fingerprint>`)
    return sorted(words)


def kinds() -> list[str]:
    spellings = {spelling for k in KINDS.values() for spelling in (k.name, k.plural, *k.aliases)}
    return sorted(spellings)


class CommandCompleter(Completer):
    def __init__(self, app: App, *, user: str, channel: str) -> None:
        self._app = app
        self._principal = to_principal(user)
        self._channel = channel
        self._verbs = verbs(app)
        self._kinds = kinds()
        self._names: dict[str, tuple[float, list[str]]] = {}

    def get_completions(self, document: Document, complete_event: CompleteEvent) -> Iterable[Completion]:
        yield from self._words(document)

    async def get_completions_async(
        self, document: Document, complete_event: CompleteEvent
    ) -> AsyncGenerator[Completion, None]:
        for completion in self._words(document):
            yield completion
        kind, prefix = self._wants_name(document)
        if kind is None:
            return
        for name in await self._names_of(kind):
            if name.startswith(prefix):
                yield Completion(name, start_position=-len(prefix))

    def _words(self, document: Document) -> Iterable[Completion]:
        text = document.text_before_cursor
        bang = text.startswith("!")
        words = text.lstrip("!").split(" ")
        current = words[-1]
        if len(words) == 1:
            for verb in self._verbs:
                if verb.startswith(current):
                    yield Completion(
                        ("!" if bang else "") + verb, start_position=-len(current) - (1 if bang else 0)
                    )
        elif len(words) == 2 and words[0] in KIND_VERBS and "/" not in current:
            for kind in self._kinds:
                if kind.startswith(current):
                    yield Completion(kind, start_position=-len(current))

    def _wants_name(self, document: Document) -> tuple[str | None, str]:
        words = document.text_before_cursor.lstrip("!").split(" ")
        if not words or words[0] not in NAME_VERBS:
            return None, ""
        current = words[-1]
        if len(words) == 2 and "/" in current:
            kind_word, _, prefix = current.partition("/")
            return _kind_name(kind_word), prefix
        if len(words) == 3:
            return _kind_name(words[1]), current
        return None, ""

    async def _names_of(self, kind: str) -> list[str]:
        cached = self._names.get(kind)
        if cached is not None and time.monotonic() - cached[0] < CACHE_S:
            return cached[1]
        ctx = RequestContext(self._principal, self._channel, None, "tab-" + uuid.uuid4().hex[:12])
        outcome = await self._app.executor.submit(
            "k8s_get", {"kind": kind, "output": "name"}, ctx, file_approvals=False
        )
        names: list[str] = []
        table = outcome.result.table if outcome.result is not None else None
        if outcome.status is Status.OK and table is not None:
            names = [row[-1].split("/", 1)[-1] for row in table.rows]
        self._names[kind] = (time.monotonic(), names)
        return names


def _kind_name(word: str) -> str | None:
    for k in KINDS.values():
        if word in (k.name, k.plural, *k.aliases):
            return k.name
    return None
