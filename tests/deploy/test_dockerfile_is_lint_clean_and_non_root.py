"""The Dockerfile passes hadolint with no findings, runs as a numeric non-root
user, and only copies files the build context actually provides."""

from __future__ import annotations

import asyncio
import json
import re
import sys
from pathlib import Path

from tests.deploy.charts import REPO

DOCKERFILE = REPO / "Dockerfile"


async def _run(*argv: str, cwd: Path = REPO) -> tuple[int, str]:
    process = await asyncio.create_subprocess_exec(
        *argv, cwd=cwd, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT
    )
    output, _ = await asyncio.wait_for(process.communicate(), 60)
    assert process.returncode is not None
    return process.returncode, output.decode()


def _instructions() -> list[tuple[str, str]]:
    text = re.sub(r"\\\n", " ", DOCKERFILE.read_text(encoding="utf-8"))
    lines = [line.strip() for line in text.splitlines()]
    return [
        (word.upper(), rest.strip())
        for word, _, rest in (line.partition(" ") for line in lines if line and not line.startswith("#"))
    ]


async def test_hadolint_reports_nothing(hadolint_binary: Path) -> None:
    code, output = await _run(str(hadolint_binary), "--no-color", str(DOCKERFILE))
    assert (code, output) == (0, "")


async def test_hadolint_does_report_a_known_bad_dockerfile(hadolint_binary: Path, tmp_path: Path) -> None:
    bad = tmp_path / "Dockerfile"
    bad.write_text("FROM python\nRUN pip install requests\n")
    code, output = await _run(str(hadolint_binary), "--no-color", str(bad))
    assert code != 0
    assert "DL3006" in output and "DL3013" in output and "DL3042" in output


async def test_every_stage_uses_a_pinned_slim_python_base() -> None:
    bases = [rest.split()[0] for word, rest in _instructions() if word == "FROM"]
    assert len(bases) == 3
    assert all(re.fullmatch(r"python:3\.11\.\d+-slim-\w+", base) for base in bases), bases


async def test_final_stage_runs_chatops_as_a_numeric_non_root_user_with_a_healthcheck() -> None:
    instructions = _instructions()
    last_from = max(i for i, (word, _) in enumerate(instructions) if word == "FROM")
    final = instructions[last_from:]
    (user,) = [rest for word, rest in final if word == "USER"]
    uid, _, gid = user.partition(":")
    assert uid.isdigit() and int(uid) > 0 and gid.isdigit()
    (healthcheck,) = [rest for word, rest in final if word == "HEALTHCHECK"]
    assert "/healthz" in healthcheck and "urllib" in healthcheck
    assert [json.loads(rest) for word, rest in final if word == "ENTRYPOINT"] == [["chatops"]]
    assert [json.loads(rest) for word, rest in final if word == "CMD"] == [["run"]]
    env = " ".join(rest for word, rest in final if word == "ENV")
    assert "CHATOPS_CONFIG=/etc/chatops/config.yaml" in env
    assert any(word == "COPY" and "--from=helm" in rest for word, rest in final)


async def test_every_copied_path_exists_and_is_let_through_by_dockerignore() -> None:
    allowed = {
        line[1:].rstrip("/")
        for line in (REPO / ".dockerignore").read_text(encoding="utf-8").splitlines()
        if line.startswith("!")
    }
    for word, rest in _instructions():
        if word != "COPY" or rest.startswith("--from"):
            continue
        *sources, _destination = rest.split()
        for source in sources:
            path = source.rstrip("/")
            assert (REPO / path).exists(), f"COPY {source}: missing from the repository"
            assert path in allowed or path.split("/")[0] in allowed, (
                f"COPY {source}: excluded by .dockerignore"
            )


async def test_helm_stage_fetches_helm_with_the_project_script() -> None:
    runs = [rest for word, rest in _instructions() if word == "RUN"]
    assert any("scripts/fetch_helm.py /out/helm" in run for run in runs)


async def test_pinned_requirements_match_pyproject_and_the_tested_environment() -> None:
    code, output = await _run(sys.executable, "deploy/pin_requirements.py", "--check")
    assert code == 0, output
    lock = (REPO / "deploy" / "requirements.lock").read_text(encoding="utf-8")
    pins = [line for line in lock.splitlines() if line and not line.startswith("#")]
    assert pins and all(re.fullmatch(r"[a-z0-9-]+==[^\s=]+", line) for line in pins)
