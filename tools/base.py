"""The operation contract every tool implements.

An operation is data plus async functions: a stable name, a description for
people and the LLM, a declared safety level, a pydantic argument model, `run()`
and, for changes, `preview()`. Operations know their backend and nothing of
chat, policy or approvals: the core decides whether and when `run()` is called.
Results never raise into the core; failures come back as `OperationResult`
with `Status.ERROR` and a message that names the call.
"""

from __future__ import annotations

import dataclasses
import enum
import re
import types
import typing
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from tools.readable import ReadableNamespaces


class Safety(enum.Enum):
    READ = "read"
    WRITE = "write"
    DESTRUCTIVE = "destructive"

    @property
    def rank(self) -> int:
        return {Safety.READ: 0, Safety.WRITE: 1, Safety.DESTRUCTIVE: 2}[self]


class Status(enum.Enum):
    OK = "ok"
    ERROR = "error"
    NO_DATA = "no_data"
    APPROVAL_REQUIRED = "approval_required"
    DENIED = "denied"


DNS1123_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
DNS1123_SUBDOMAIN = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")


def check_dns1123_label(value: str, *, what: str = "name") -> str:
    """A namespace or a label-like name: at most 63 lowercase alphanumerics and '-'."""
    if len(value) > 63 or not DNS1123_LABEL.match(value):
        raise ValueError(
            f"{what} {value!r} is not a valid DNS-1123 label "
            "(lowercase letters, digits and '-', at most 63 characters)"
        )
    return value


def check_dns1123_subdomain(value: str, *, what: str = "name") -> str:
    """An object name: at most 253 lowercase alphanumerics, '-' and '.'."""
    if len(value) > 253 or not DNS1123_SUBDOMAIN.match(value):
        raise ValueError(
            f"{what} {value!r} is not a valid DNS-1123 name "
            "(lowercase letters, digits, '-' and '.', at most 253 characters)"
        )
    return value


PLAIN_INTEGER = re.compile(r"[+-]?[0-9]+")


def is_plain_integer(text: str) -> bool:
    """`3`, `-1`, `+5`: ASCII digits only (no `1_0`, no other scripts' digits, no `1.0`)."""
    return PLAIN_INTEGER.fullmatch(text.strip()) is not None


def _takes_int(annotation: Any) -> bool:
    if annotation is int:
        return True
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        return int in typing.get_args(annotation)
    return False


class Args(BaseModel):
    """Base of every argument model: unknown fields are refused."""

    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)

    @model_validator(mode="before")
    @classmethod
    def _integers_are_plain(cls, data: Any) -> Any:
        # pydantic reads "1_0" as 10 (Python's int()); a person who typed it meant something else.
        if isinstance(data, Mapping):
            for name, field in cls.model_fields.items():
                value = data.get(name)
                if isinstance(value, str) and _takes_int(field.annotation) and not is_plain_integer(value):
                    raise ValueError(
                        f"{name} must be a whole number written with the digits 0-9, like 3 (got {value!r})"
                    )
        return data


class ClusterArgs(Args):
    """Arguments of an operation that acts on a cluster. Operations on the bot's own host
    (minikube, chart scaffolds, repositories) take none, so no card shows a cluster they ignore
    and no cluster rule of the policy applies to them."""

    cluster: str | None = Field(
        default=None, max_length=63, description="cluster name; default: the channel's"
    )


class NamespacedArgs(ClusterArgs):
    """Arguments of an operation that acts inside one namespace."""

    namespace: str | None = Field(default=None, description="namespace; default: the channel's")

    @field_validator("namespace")
    @classmethod
    def _namespace_is_dns1123(cls, value: str | None) -> str | None:
        return None if value is None else check_dns1123_label(value, what="namespace")


@dataclasses.dataclass(frozen=True)
class KubeIdentity:
    """The Kubernetes user and groups a request is made as (impersonation)."""

    user: str
    groups: tuple[str, ...] = ()


@dataclasses.dataclass(frozen=True)
class Target:
    """What an operation acts on; policy rules and approval cards read this."""

    cluster: str | None
    namespace: str | None
    kind: str | None = None
    name: str | None = None

    def describe(self) -> str:
        parts = []
        if self.kind or self.name:
            parts.append("/".join(p for p in (self.kind, self.name) if p))
        if self.namespace:
            parts.append(f"in {self.namespace}")
        if self.cluster:
            parts.append(f"on {self.cluster}")
        return " ".join(parts) or "-"


ProgressFn = Callable[[str], Awaitable[None]]


async def _no_progress(_: str) -> None:
    return None


@dataclasses.dataclass(frozen=True)
class RunContext:
    """What the core hands an operation besides its arguments.

    `binding` carries what the preview observed (resourceVersion, uid): an
    operation that acts on an existing object uses it as a precondition so a
    change made after approval stops the run instead of acting blindly.
    """

    request_id: str
    identity: KubeIdentity | None = None
    binding: Mapping[str, str] = dataclasses.field(default_factory=dict)
    budget_tokens: int = 2000
    progress: ProgressFn = _no_progress
    dry_run: bool = False
    # Set by the gate: a read across all namespaces shows only the namespaces this allows.
    readable: ReadableNamespaces | None = None


@dataclasses.dataclass(frozen=True)
class Table:
    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]


@dataclasses.dataclass(frozen=True)
class UndoPlan:
    """The inverse operation, filed for approval when someone asks to undo."""

    operation: str
    args: Mapping[str, Any]
    summary: str


@dataclasses.dataclass(frozen=True)
class Attachment:
    """A file a result carries for people (a chart image); never shown to the model."""

    filename: str
    content: bytes = dataclasses.field(repr=False)
    mime: str = "application/octet-stream"
    title: str = ""


@dataclasses.dataclass(frozen=True)
class OperationResult:
    status: Status
    text: str
    data: Mapping[str, Any] | None = None
    table: Table | None = None
    code: str | None = None
    error: str | None = None
    undo: UndoPlan | None = None
    prior_state: Mapping[str, Any] | None = None
    files: tuple[Attachment, ...] = ()

    @property
    def ok(self) -> bool:
        return self.status in (Status.OK, Status.NO_DATA)

    @classmethod
    def failure(cls, *, call: str, message: str, hint: str = "") -> OperationResult:
        text = f"{call} failed: {message}" + (f" {hint}" if hint else "")
        return cls(status=Status.ERROR, text=text, error=message)


@dataclasses.dataclass(frozen=True)
class ObjectEffect:
    """One object a change touches, as the server's dry run says it will end up.

    `old` is the object as it is now (None when the change creates it), `new` what the
    dry run returned (None when the change deletes it). The gate judges these, not the
    verb: policy rules match each object's own namespace and kind, the effective safety
    and the risk flags come from the difference, CEL rules see them as `oldObject` and
    `object`. They hold raw cluster data: never show or store them unredacted.
    """

    action: str  # "create" | "update" | "delete" | "unchanged"
    api_version: str
    kind: str  # the Kubernetes kind, e.g. "Deployment"
    name: str
    namespace: str | None
    old: Mapping[str, Any] | None = None
    new: Mapping[str, Any] | None = None


@dataclasses.dataclass(frozen=True)
class Preview:
    """What a change will do, shown on the approval card before anyone approves.

    `ok=False` means the change cannot go ahead (the object is missing, the
    server-side dry run refused it): the request is refused at once with `text`.
    """

    text: str
    binding: Mapping[str, str] = dataclasses.field(default_factory=dict)
    ok: bool = True
    # Every object the change touches (filled by previews that can see them: dry runs).
    effects: tuple[ObjectEffect, ...] = ()


@dataclasses.dataclass(frozen=True)
class CommandSpec:
    """How an operation is spelled as a `!` command (kubectl-like).

    `words` are the leading words (`("scale", "deployment")`); `positionals`
    name the argument fields filled by the words that follow, in order; every
    other field is a `--flag` (underscores become dashes). `aliases` maps short
    flags to fields (`{"-n": "namespace"}` is always present).
    """

    words: tuple[str, ...]
    positionals: tuple[str, ...] = ()
    aliases: Mapping[str, str] = dataclasses.field(default_factory=dict)
    code_block_field: str | None = None

    def usage(self, args_model: type[Args]) -> str:
        """`!scale deployment <name> --replicas <replicas> [-n <namespace>] [-c <cluster>]`.

        A flag with a short alias shows both (`[-A|--all-namespaces]`); a flag with a fixed
        set of values lists them (`[-o|--output wide|yaml|json|name]`)."""
        required: list[str] = ["!" + " ".join(self.words)]
        optional: list[str] = []
        fields = args_model.model_fields
        required += [
            f"<{p}>" if fields[p].is_required() else f"[<{p}>]" for p in self.positionals if p in fields
        ]
        # -n and -c mean namespace and cluster unless the command gives them another meaning.
        short = {
            name: flag if self.aliases.get(flag, name) == name else "--" + name
            for name, flag in (("namespace", "-n"), ("cluster", "-c"))
        }
        shorts = {field: alias for alias, field in self.aliases.items() if not alias.startswith("--")}
        for name, field in args_model.model_fields.items():
            if name in self.positionals or name == self.code_block_field or name in short:
                continue
            flag = "--" + name.replace("_", "-")
            if name in shorts:
                flag = f"{shorts[name]}|{flag}"
            choices = _choices(field.annotation)
            value = "|".join(choices) if choices else f"<{name}>"
            shape = flag if field.annotation is bool else f"{flag} {value}"
            (required if field.is_required() else optional).append(
                shape if field.is_required() else f"[{shape}]"
            )
        optional += [f"[{flag} <{name}>]" for name, flag in short.items() if name in args_model.model_fields]
        if self.code_block_field:
            optional.append(f"```{self.code_block_field}```")
        return " ".join(required + optional)


def _choices(annotation: Any) -> tuple[str, ...]:
    """The values of a `Literal[...]` (or `Literal[...] | None`) annotation; () otherwise."""
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        inner = [a for a in typing.get_args(annotation) if a is not type(None)]
        annotation = inner[0] if len(inner) == 1 else None
    if typing.get_origin(annotation) is typing.Literal:
        return tuple(str(a) for a in typing.get_args(annotation))
    return ()


RunFn = Callable[[Any, RunContext], Awaitable[OperationResult]]
PreviewFn = Callable[[Any, RunContext], Awaitable[Preview]]
AuthorizeFn = Callable[[Any, RunContext], Awaitable[str | None]]


@dataclasses.dataclass(frozen=True)
class Operation:
    """One typed operation. The code, never the text, decides its safety."""

    name: str
    description: str
    safety: Safety
    args_model: type[Args]
    run: RunFn
    command: CommandSpec
    preview: PreviewFn | None = None
    kind: str | None = None
    # Some arguments make an operation more dangerous (scale to 0 is DESTRUCTIVE).
    escalate: Callable[[Any], Safety] | None = None
    # Checks the requester may do this at all (SubjectAccessReview); returns the refusal.
    authorize: AuthorizeFn | None = None
    timeout_s: float = 60.0
    long_running: bool = False
    # False keeps an operation out of the model's tools (a command-only fallback), saving prompt tokens.
    for_agent: bool = True

    def __post_init__(self) -> None:
        if self.safety is not Safety.READ and self.preview is None:
            raise ValueError(f"operation {self.name} changes state and must have a preview()")

    def safety_for(self, args: Args) -> Safety:
        if self.escalate is None:
            return self.safety
        escalated = self.escalate(args)
        return escalated if escalated.rank > self.safety.rank else self.safety

    def target(self, args: Args) -> Target:
        namespace = getattr(args, "namespace", None)
        name = getattr(args, "name", None)
        cluster = getattr(args, "cluster", None)
        return Target(
            cluster=cluster if isinstance(cluster, str) else None,
            namespace=namespace if isinstance(namespace, str) else None,
            kind=self.kind,
            name=name if isinstance(name, str) else None,
        )

    def parse_args(self, raw: Mapping[str, Any]) -> Args:
        """Validate raw arguments; raises pydantic.ValidationError."""
        return self.args_model.model_validate(dict(raw))


def describe_invalid_args(error: ValidationError) -> str:
    """What is wrong with arguments `parse_args` refused, in one phrase naming the argument."""
    first = error.errors()[0]
    where = ".".join(str(p) for p in first["loc"])
    if first["type"] == "extra_forbidden":
        return f"unknown argument '{where}'"
    if first["type"] == "missing":
        return f"missing argument '{where}'"
    message = first["msg"].removeprefix("Value error, ")
    return f"'{where}': {message}" if where else message
