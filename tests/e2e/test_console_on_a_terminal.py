"""`chatops chat` on a pseudo-terminal: line editing, history across restarts, Ctrl-C during a
slow read, and a pasted three-document manifest that ends in one approval card.

The real CLI in a subprocess on a pty (pexpect), the real kubernetes client against the fake
API. pexpect's timeouts are only a safety net against a hang, never a speed assertion.
"""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

import pexpect

from tests.e2e.test_console_on_piped_stdin import ROOT, write_config
from tests.fake_k8s.server import FakeKubernetes

WAIT = 60  # a hang guard, not a measured bound
PROMPT = "you>"  # prompt_toolkit draws the space as a cursor move


def spawn(config: Path, home: Path) -> pexpect.spawn:
    env = {
        **os.environ,
        "XDG_STATE_HOME": str(home / "state"),
        "XDG_DATA_HOME": str(home / "data"),
        "PAGER": "cat",
        "TERM": "xterm",
        "PROMPT_TOOLKIT_NO_CPR": "1",
    }
    child = pexpect.spawn(
        sys.executable,
        ["-m", "bot", "--config", str(config), "chat", "--user", "alice"],
        cwd=str(ROOT),
        env=env,
        encoding="utf-8",
        dimensions=(40, 200),
        timeout=WAIT,
    )
    child.expect("Ctrl-D leaves")
    child.expect_exact(PROMPT)
    return child


def leave(child: pexpect.spawn) -> None:
    child.sendcontrol("d")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0, child.before


def editing_and_history(config: Path, home: Path) -> None:
    child = spawn(config, home)
    child.send("whoami")
    child.sendcontrol("a")  # to the start of the line: the Up arrow and Home work, no ^[[A
    child.send("!\r")
    child.expect("You are alice")
    child.expect_exact(PROMPT)
    leave(child)
    again = spawn(config, home)  # a new process: the history file is read back
    again.send("\x1b[A")  # Up
    again.expect_exact("!whoami")
    again.send("\r")
    again.expect("You are alice")
    again.expect_exact(PROMPT)
    leave(again)
    assert "!whoami" in (home / "state" / "chatops" / "console_history").read_text()


def ctrl_c_cancels_a_slow_read(config: Path, home: Path, fake: FakeKubernetes) -> None:
    child = spawn(config, home)
    fake.delay_seconds = 30
    fake.request_arrived.clear()
    child.send("!get pods -n prod\r")
    assert fake.request_arrived.wait(WAIT)  # the read is under way (and stuck in the slow API)
    child.sendintr()
    child.expect("cancelled; nothing more runs for that message")
    child.expect_exact(PROMPT)
    fake.delay_seconds = 0
    child.send("partly typed")
    child.sendintr()  # at the prompt: the line is cleared, the console stays
    child.send("!whoami\r")
    child.expect("You are alice")
    child.expect_exact(PROMPT)
    leave(child)


MANIFEST = """!apply -n prod
```yaml
apiVersion: v1
kind: ConfigMap
metadata:
  name: shop-a
data: {a: "1"}
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: shop-b
data: {b: "2"}
---
apiVersion: v1
kind: Service
metadata:
  name: shop
spec:
  ports: [{port: 80}]
```"""


def pasted_manifest_is_one_card(config: Path, home: Path) -> None:
    child = spawn(config, home)
    # A terminal pastes in bracketed-paste mode (the prompt turns it on): the whole text, then Enter.
    child.send("\x1b[200~" + MANIFEST.replace("\n", "\r") + "\x1b[201~")
    child.send("\r")
    child.expect(r"Approval (\w+) needed")
    child.expect_exact(PROMPT)
    shown = child.before
    assert "Approval" not in shown and "only understand commands" not in shown  # one card, nothing else
    assert "shop-a" in shown and "shop-b" in shown and "service/shop" in shown.lower()
    # Typed (or pasted without bracketed paste) line by line: the open fence keeps the message going.
    child.send("!apply -n prod ```yaml\r")
    for line in MANIFEST.splitlines()[2:]:
        child.send(line + "\r")
    child.expect(r"Approval (\w+) needed")
    child.expect_exact(PROMPT)
    assert "only understand commands" not in child.before
    leave(child)


async def test_console_on_a_pseudo_terminal(
    tmp_path: Path, fake_k8s: FakeKubernetes, fake_kubeconfig: Path
) -> None:
    config = write_config(tmp_path, fake_kubeconfig)
    await asyncio.to_thread(editing_and_history, config, tmp_path)
    await asyncio.to_thread(ctrl_c_cancels_a_slow_read, config, tmp_path, fake_k8s)
    await asyncio.to_thread(pasted_manifest_is_one_card, config, tmp_path)
