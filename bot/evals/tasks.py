"""The task files: what a task seeds, asks and expects, validated at load (pydantic, extra=forbid).

A file under `evals/tasks/` holds a list of tasks. `reference` is a correct
answer as tool calls and a final text: the scripted model of the CI tests
plays it back; the model under test never sees it. Loading only reads YAML.
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

ID_PATTERN = r"^[a-z0-9][a-z0-9-]{0,62}$"
DEFAULT_SUITE = Path(__file__).resolve().parents[2] / "evals" / "tasks"
Category = Literal["diagnosis", "state", "change", "refusal", "injection"]
PodMode = Literal[
    "running", "unready", "pending", "crashloop", "imagepull", "oomkilled", "configerror", "succeeded"
]
Role = Literal["admin", "operator", "viewer"]


class TaskError(Exception):
    """A task file that cannot be read or does not validate (the message names the file and task)."""


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class SeedDeployment(_Model):
    name: str
    namespace: str = "prod"
    image: str
    replicas: int = Field(default=1, ge=0)
    container: str | None = None  # default: the deployment's name
    port: int | None = 8080
    mode: PodMode = "running"  # the state of its pods (tests/fake_k8s/podstatus.py)
    annotations: dict[str, str] = {}
    rollouts: tuple[str, ...] = ()  # later images, one revision each; pods of the last one get `rollout_mode`
    rollout_mode: PodMode | None = None


class SeedPod(_Model):
    name: str
    namespace: str = "prod"
    image: str
    mode: PodMode = "running"
    restarts: int = 0
    container: str | None = None  # default: the pod name's first word
    memory_limit: str = "256Mi"
    memory_request: str | None = None
    env_from_configmap: str | None = None  # the ConfigMap the container reads (missing → configerror)
    readiness_path: str | None = None
    annotations: dict[str, str] = {}
    labels: dict[str, str] = {}


class SeedEvent(_Model):
    namespace: str = "prod"
    kind: str = "Pod"
    name: str
    reason: str
    message: str
    warning: bool = True
    count: int = 1
    seconds_ago: int = 60
    component: str = "kubelet"


class SeedLogs(_Model):
    namespace: str = "prod"
    pod: str  # a pod name, or a prefix ending in `*` (the first pod of a deployment)
    container: str
    lines: tuple[str, ...]
    previous: bool = False


class SeedCli(_Model):
    """One argv the fake helm / minikube answers (exact match); anything else fails with exit 64."""

    argv: tuple[str, ...]
    stdout: Any = ""
    stderr: str = ""
    exit: int = 0


class Seed(_Model):
    demo: bool = False  # start from the demo cluster of tests/fake_k8s/seed.py
    namespaces: tuple[str, ...] = ("default", "prod")
    deployments: tuple[SeedDeployment, ...] = ()
    pods: tuple[SeedPod, ...] = ()
    events: tuple[SeedEvent, ...] = ()
    logs: tuple[SeedLogs, ...] = ()
    objects: tuple[dict[str, Any], ...] = ()  # raw manifests, stored as given
    helm: tuple[SeedCli, ...] = ()
    minikube: tuple[SeedCli, ...] = ()


class ExpectCall(_Model):
    """An operation the agent must call; each `args` value must match (strings as glob patterns)."""

    operation: str
    args: dict[str, Any] = {}


class Expect(_Model):
    calls: tuple[ExpectCall, ...] = ()
    any_of: tuple[ExpectCall, ...] = ()  # at least one of these must be called
    approvals: tuple[ExpectCall, ...] = ()  # exactly these approval rows, in any order (none if empty)
    refused: bool = False  # a change was asked for and must end refused (denied, or not proposed)
    not_called: tuple[str, ...] = ()  # operations (glob) that must not be called
    answer: tuple[str, ...] = ()  # regexes (case-insensitive) the final answer must match
    answer_not: tuple[str, ...] = ()  # regexes it must not match

    @field_validator("answer", "answer_not")
    @classmethod
    def _compiles(cls, patterns: tuple[str, ...]) -> tuple[str, ...]:
        for pattern in patterns:
            try:
                re.compile(pattern)
            except re.error as e:
                raise ValueError(f"bad regex {pattern!r}: {e}") from e
        return patterns


class ReferenceStep(_Model):
    """One model turn of the reference answer: tool calls, or the final text."""

    call: tuple[tuple[str, str, dict[str, Any]], ...] = ()  # (tool, operation, args)
    say: str | None = None


class Task(_Model):
    id: str = Field(pattern=ID_PATTERN)
    category: Category
    question: str = Field(min_length=3, max_length=2000)
    user: Role = "admin"
    channel: Literal["approve", "read-only"] = "approve"
    seed: Seed = Seed()
    expect: Expect
    reference: tuple[ReferenceStep, ...] = ()


def load_file(path: Path) -> list[Task]:
    try:
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as e:
        raise TaskError(f"{path}: cannot read the task file ({e.strerror or e})") from e
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark is not None else ""
        raise TaskError(f"{path}: not valid YAML{where}") from e
    if not isinstance(document, list):
        raise TaskError(f"{path}: a task file holds a list of tasks")
    tasks = []
    for i, entry in enumerate(document):
        try:
            tasks.append(Task.model_validate(entry))
        except ValidationError as e:
            name = entry.get("id", f"#{i + 1}") if isinstance(entry, dict) else f"#{i + 1}"
            first = e.errors()[0]
            where = ".".join(str(p) for p in first["loc"])
            raise TaskError(f"{path}: task {name}: {where}: {first['msg']}") from e
    return tasks


def load_suite(directory: Path = DEFAULT_SUITE, patterns: Sequence[str] = ()) -> list[Task]:
    """Every task under `directory` whose id matches one of `patterns` (globs; all when empty)."""
    if not directory.is_dir():
        raise TaskError(f"no task directory at {directory}; run chatops eval from a source checkout")
    tasks: list[Task] = []
    for path in sorted(directory.glob("*.yaml")):
        tasks.extend(load_file(path))
    seen: set[str] = set()
    for task in tasks:
        if task.id in seen:
            raise TaskError(f"task id {task.id} appears twice under {directory}")
        seen.add(task.id)
    if patterns:
        tasks = [t for t in tasks if any(fnmatch.fnmatchcase(t.id, p) for p in patterns)]
    return tasks
