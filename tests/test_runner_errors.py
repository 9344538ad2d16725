"""The subprocess runner: argv lists only, plain sentences for every failure, secrets never shown."""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import pytest

from tests.fakes.bin.fakecli import install_fake
from tools.runner import (
    BinaryNotFound,
    CommandFailed,
    CommandTimeout,
    display_argv,
    run_command,
)


async def test_missing_binary_names_it_and_the_config_key(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(BinaryNotFound) as caught:
        await run_command(["helm", "version"], timeout_s=5, config_key="helm.binary")
    assert caught.value.sentence() == (
        "helm was not found (looked for 'helm' on PATH); install it or set helm.binary in the config"
    )


async def test_missing_binary_given_as_a_path_says_which_path(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere" / "minikube"
    with pytest.raises(BinaryNotFound) as caught:
        await run_command([str(missing), "version"], timeout_s=5, config_key="minikube.binary")
    sentence = caught.value.sentence()
    assert f"looked for '{missing}'" in sentence
    assert "on PATH" not in sentence
    assert "minikube.binary" in sentence


async def test_a_shell_string_is_refused_before_anything_runs() -> None:
    with pytest.raises(TypeError, match="never a shell string"):
        await run_command("helm list; rm -rf /", timeout_s=5, config_key="helm.binary")


async def test_nonzero_exit_gives_the_command_and_the_tools_last_error_line(tmp_path: Path) -> None:
    fake = install_fake(tmp_path, "helm")
    argv = ["install", "web", "repo/app", "--set=db.password=hunter2hunter2", "--set=replicas=2"]
    stderr = "Error: first problem\nsome detail\nError: INSTALLATION FAILED: cannot re-use a name\n"
    fake.expect(argv, stderr=stderr, exit=1)
    with pytest.raises(CommandFailed) as caught:
        await run_command([str(fake.path), *argv], timeout_s=10, config_key="helm.binary")
    sentence = caught.value.sentence()
    assert sentence.endswith("failed (exit code 1): Error: INSTALLATION FAILED: cannot re-use a name")
    assert "--set=replicas=2" in sentence
    assert "hunter2hunter2" not in sentence
    assert "db.password=[REDACTED]" in sentence


async def test_check_false_returns_the_outcome_of_a_failed_command(tmp_path: Path) -> None:
    fake = install_fake(tmp_path, "minikube")
    fake.expect(["status", "--output=json"], stdout={"Host": "Stopped"}, exit=7)
    outcome = await run_command(
        [str(fake.path), "status", "--output=json"], timeout_s=10, config_key="minikube.binary", check=False
    )
    assert outcome.returncode == 7
    assert '"Host": "Stopped"' in outcome.stdout
    assert outcome.argv == (str(fake.path), "status", "--output=json")


async def test_timeout_says_how_long_it_waited_and_kills_the_process_group(tmp_path: Path) -> None:
    fake = install_fake(tmp_path, "minikube")
    fake.expect(["start"], sleep=30, spawn_sleeper=True)
    with pytest.raises(CommandTimeout) as caught:  # the fake sleeps 30 s: only the timeout raises this
        await run_command([str(fake.path), "start"], timeout_s=1.0, config_key="minikube.binary")
    assert "did not finish within 1 s and was stopped" in caught.value.sentence()
    child = int((tmp_path / "minikube.child").read_text())
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and _alive(child):
        time.sleep(0.05)
    assert not _alive(child), "the grandchild in the process group survived the timeout"


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie is dead but not yet reaped by its (re-)parent.
    try:
        return Path(f"/proc/{pid}/stat").read_text().split()[2] != "Z"
    except OSError:
        return False


async def test_the_bots_own_secrets_stay_out_of_the_child_environment(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-not-for-helm-1234567890")
    monkeypatch.setenv("OPENAI_API_KEY", "sk-not-for-helm-1234567890")
    fake = install_fake(tmp_path, "helm")
    fake.expect(["version"], stdout="v4\n")
    await run_command(
        [str(fake.path), "version"], timeout_s=10, config_key="helm.binary", env={"KUBECONFIG": "/k"}
    )
    env = fake.calls()[0]["env"]
    assert env["KUBECONFIG"] == "/k"
    assert "SLACK_BOT_TOKEN" not in env
    assert "OPENAI_API_KEY" not in env


async def test_lines_are_streamed_while_the_process_runs(tmp_path: Path) -> None:
    fake = install_fake(tmp_path, "minikube")
    fake.expect(["start"], lines=["one", "two", "three"], stderr="warning on stderr\n")
    seen: list[str] = []

    async def on_line(line: str) -> None:
        seen.append(line)

    outcome = await run_command(
        [str(fake.path), "start"], timeout_s=10, config_key="minikube.binary", on_line=on_line
    )
    assert seen[:3] == ["one", "two", "three"]
    assert "warning on stderr" in seen
    assert outcome.stdout == "one\ntwo\nthree\n"


async def test_stdin_reaches_the_process_and_output_is_capped(tmp_path: Path) -> None:
    script = "import sys; data = sys.stdin.read(); sys.stdout.write(data.upper() * 3000000)"
    outcome = await run_command(
        [sys.executable, "-c", script], timeout_s=20, config_key="python", stdin=b"abc"
    )
    from tools.runner import MAX_OUTPUT_BYTES

    assert outcome.stdout.startswith("ABCABC")
    assert len(outcome.stdout) == MAX_OUTPUT_BYTES


def test_display_argv_quotes_and_masks_secret_values() -> None:
    shown = display_argv(
        [
            "helm",
            "repo",
            "add",
            "x",
            "https://h",
            "--password",
            "pa55word-123",
            "--set",
            "api.token=abc123456789,a=b",
        ]
    )
    assert "pa55word-123" not in shown
    assert "abc123456789" not in shown
    assert "a=b" in shown
    assert shown.startswith("helm repo add x https://h --password")
