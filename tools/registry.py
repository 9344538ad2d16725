"""The list of operations, read by both the command parser and the agent.

Every operation is reachable both ways because both read this one registry.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from tools.base import Operation


class DuplicateOperation(ValueError):
    pass


class Registry:
    def __init__(self, operations: Iterable[Operation] = ()) -> None:
        self._by_name: dict[str, Operation] = {}
        self._by_words: dict[tuple[str, ...], Operation] = {}
        for operation in operations:
            self.add(operation)

    def add(self, operation: Operation) -> None:
        if operation.name in self._by_name:
            raise DuplicateOperation(f"operation {operation.name} is registered twice")
        if operation.command.words in self._by_words:
            other = self._by_words[operation.command.words]
            raise DuplicateOperation(
                f"command '!{' '.join(operation.command.words)}' is claimed by {other.name} and {operation.name}"
            )
        self._by_name[operation.name] = operation
        self._by_words[operation.command.words] = operation

    def get(self, name: str) -> Operation | None:
        return self._by_name.get(name)

    def by_words(self, words: tuple[str, ...]) -> Operation | None:
        return self._by_words.get(words)

    def match_words(self, words: list[str]) -> tuple[Operation, int] | None:
        """The operation whose command words are the longest prefix of `words`."""
        for length in range(min(len(words), 4), 0, -1):
            operation = self._by_words.get(tuple(w.lower() for w in words[:length]))
            if operation is not None:
                return operation, length
        return None

    def command_names(self) -> list[str]:
        return [" ".join(words) for words in self._by_words]

    def __iter__(self) -> Iterator[Operation]:
        return iter(self._by_name.values())

    def __len__(self) -> int:
        return len(self._by_name)
