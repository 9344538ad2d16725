"""A progress bar on stderr: redrawn in place on a terminal, one plain line per run otherwise."""

from __future__ import annotations

from typing import TextIO

WIDTH = 30


class Progress:
    def __init__(self, total: int, stream: TextIO) -> None:
        self.total = total
        self.done = 0
        self.passed = 0
        self.stream = stream
        self.tty = stream.isatty()

    def step(self, task_id: str, *, passed: bool) -> None:
        self.done += 1
        self.passed += passed
        mark = "ok" if passed else "FAIL"
        if self.tty:
            filled = WIDTH * self.done // max(1, self.total)
            bar = "#" * filled + "-" * (WIDTH - filled)
            self.stream.write(f"\r[{bar}] {self.done}/{self.total} passed {self.passed}  {task_id[:40]:<40}")
            if self.done == self.total:
                self.stream.write("\n")
        else:
            self.stream.write(f"[{self.done}/{self.total}] {task_id} {mark}\n")
        self.stream.flush()
