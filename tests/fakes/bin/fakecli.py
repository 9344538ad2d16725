"""Install a fake command-line tool (helm, minikube) for a test and read what it received.

The fake (`fake_tool.py`), installed as an executable named like the real tool, logs every call
(exact argv, stdin and the environment variables that matter) to
`<name>.log.jsonl` beside itself and answers only the argument lists the test
expected, in the real tool's output format; anything else gets an `Error:`
line and exit code 64, so a wrong flag fails the test instead of passing.
"""

from __future__ import annotations

import dataclasses
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any


@dataclasses.dataclass
class FakeCli:
    """The test side: declare expected calls, then read what the tool received."""

    path: Path
    rules: list[dict[str, Any]] = dataclasses.field(default_factory=list)

    def expect(
        self,
        argv: Sequence[str],
        *,
        stdout: str | Any = "",
        stderr: str = "",
        exit: int = 0,
        sleep: float = 0,
        lines: Sequence[str] = (),
        line_delay: float = 0,
        spawn_sleeper: bool = False,
    ) -> None:
        text = stdout if isinstance(stdout, str) else json.dumps(stdout)
        self.rules.append(
            {
                "argv": list(argv),
                "stdout": text,
                "stderr": stderr,
                "exit": exit,
                "sleep": sleep,
                "lines": list(lines),
                "line_delay": line_delay,
                "spawn_sleeper": spawn_sleeper,
            }
        )
        self.path.with_name(self.path.name + ".json").write_text(json.dumps(self.rules))

    def calls(self) -> list[dict[str, Any]]:
        log = self.path.with_name(self.path.name + ".log.jsonl")
        if not log.exists():
            return []
        return [json.loads(line) for line in log.read_text().splitlines()]

    def argvs(self) -> list[list[str]]:
        return [call["argv"] for call in self.calls()]


def install_fake(directory: Path, name: str) -> FakeCli:
    """Put an executable fake `name` into `directory` (run by this interpreter)."""
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / name
    source = (Path(__file__).parent / "fake_tool.py").read_text()
    # -S: no site-packages, so each call starts in a few milliseconds.
    path.write_text(f"#!{sys.executable} -S\n" + source)
    path.chmod(0o755)
    fake = FakeCli(path)
    path.with_name(name + ".json").write_text("[]")
    return fake
