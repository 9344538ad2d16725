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
"""

from __future__ import annotations

import contextlib
import contextvars
import dataclasses
import hashlib
import json
from collections.abc import Iterable, Iterator
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
