"""The request ledger: the exact request bodies a change sends, recorded by its preview, held to at its run.

A preview runs the change as dry runs; while `recording()` is active, every mutating
request (method, path, body) a client makes is reduced to a digest. The approval binds
those digests. While `enforcing(digests)` is active, a client refuses to send any real
mutating request whose digest is not among them: the executor sends exactly what the
dry run sent and the card showed. Reduced before hashing, because they are not content:
`metadata.resourceVersion` (the run adds the approved one as a precondition), a delete's
`dryRun`, and the values of a Secret the bot generates itself (a stack's password:
never typed, never shown, never stored). Requests that only ask questions
(SubjectAccessReview) are not changes. No I/O here; clients call `check_request`.

Commands (helm, minikube) are held to the same promise: a change's preview records the
exact command its run will execute (`record_command`: the argument list without its
dry-run flags, plus the digest of what goes to stdin, such as a values file), and while
enforcing, the CLI wrappers ask `command_allowed` before they start a mutating command.
"""

from __future__ import annotations

import contextlib
import contextvars
import dataclasses
import hashlib
import json
from collections.abc import Iterable, Iterator, Sequence
from typing import Any, Literal

_QUESTIONS = ("/apis/authorization.k8s.io/", "/apis/authentication.k8s.io/")


@dataclasses.dataclass
class Ledger:
    mode: Literal["record", "enforce"]
    allowed: frozenset[str] = frozenset()
    seen: list[str] = dataclasses.field(default_factory=list)


_CURRENT: contextvars.ContextVar[Ledger | None] = contextvars.ContextVar("request_ledger", default=None)


def _reduced(body: Any) -> Any:
    if not isinstance(body, dict):
        return body
    out = {k: v for k, v in body.items() if k != "dryRun"}
    metadata = out.get("metadata")
    if isinstance(metadata, dict):
        kept = {k: v for k, v in metadata.items() if k != "resourceVersion"}
        if kept:
            out["metadata"] = kept
        else:  # a patch whose only metadata is the precondition the run adds
            del out["metadata"]
    if out.get("kind") == "Secret":
        for field in ("data", "stringData"):
            if isinstance(out.get(field), dict):
                out[field] = sorted(out[field])
    return out


def request_digest(method: str, path: str, body: Any) -> str:
    canonical = json.dumps([method.upper(), path, _reduced(body)], sort_keys=True, default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


def check_request(method: str, path: str, body: Any, *, dry_run: bool) -> str | None:
    """Record or check one request; returns why it must not be sent, or None."""
    ledger = _CURRENT.get()
    if ledger is None or method.upper() in ("GET", "HEAD") or path.startswith(_QUESTIONS):
        return None
    digest = request_digest(method, path, body)
    if ledger.mode == "record":
        ledger.seen.append(digest)
        return None
    if dry_run:
        return None
    if digest not in ledger.allowed:
        return (
            f"{method.upper()} {path} is not a request the approved preview made; "
            "it was not sent, and nothing more is; ask again to see the new preview"
        )
    ledger.seen.append(digest)
    return None


def _is_dry_run_flag(arg: str) -> bool:
    return arg == "--dry-run" or arg.startswith("--dry-run=")


def command_digest(argv: Sequence[str], stdin: bytes | None = None) -> str:
    """The digest of a command: its arguments without dry-run flags, and its stdin's digest."""
    kept = [arg for arg in argv if not _is_dry_run_flag(arg)]
    fed = hashlib.sha256(stdin).hexdigest() if stdin is not None else None
    canonical = json.dumps(["COMMAND", kept, fed])
    return hashlib.sha256(canonical.encode()).hexdigest()


def record_command(argv: Sequence[str], stdin: bytes | None = None) -> None:
    """A preview's promise: this exact command is what the approved run will execute."""
    ledger = _CURRENT.get()
    if ledger is not None and ledger.mode == "record":
        ledger.seen.append(command_digest(argv, stdin))


def command_allowed(argv: Sequence[str], stdin: bytes | None = None) -> bool:
    """Whether a mutating command may start now: always outside a run, else only an approved one.

    A dry run changes nothing and is not held to the approval (as with `check_request`)."""
    ledger = _CURRENT.get()
    if ledger is None or ledger.mode == "record" or any(_is_dry_run_flag(arg) for arg in argv):
        return True
    digest = command_digest(argv, stdin)
    if digest not in ledger.allowed:
        return False
    ledger.seen.append(digest)
    return True


@contextlib.contextmanager
def recording() -> Iterator[Ledger]:
    ledger = Ledger("record")
    token = _CURRENT.set(ledger)
    try:
        yield ledger
    finally:
        _CURRENT.reset(token)


@contextlib.contextmanager
def enforcing(allowed: Iterable[str]) -> Iterator[Ledger]:
    ledger = Ledger("enforce", allowed=frozenset(allowed))
    token = _CURRENT.set(ledger)
    try:
        yield ledger
    finally:
        _CURRENT.reset(token)


def to_binding(digests: Iterable[str]) -> str:
    return ",".join(sorted(set(digests)))


def from_binding(value: str) -> frozenset[str]:
    return frozenset(d for d in value.split(",") if d)
