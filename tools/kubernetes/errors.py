"""Kubernetes failures as one plain sentence each.

The client raises `KubeError` subclasses carrying the HTTP status and the
API's own Status message; `explain()` turns one into the sentence a person (or
the LLM) reads: who may not do what where (403), what was not found and the
closest names (404), what changed since approval (409), which field is wrong
(422), or that the cluster is unreachable. Nothing here prints a traceback,
a credential or a request header.
"""

from __future__ import annotations

import dataclasses
import difflib
import json
from collections.abc import Sequence
from typing import Any

from tools.base import KubeIdentity


class KubeError(Exception):
    """A Kubernetes failure; `str()` is already a readable sentence."""


class NotApproved(KubeError):
    """A request the approved preview did not make (see `tools.ledger`); it was not sent."""


class Unreachable(KubeError):
    pass


class ClusterConfigError(KubeError):
    pass


class ApiError(KubeError):
    def __init__(self, *, status: int, reason: str, message: str, causes: Sequence[tuple[str, str]] = ()):
        super().__init__(message or reason or f"HTTP {status}")
        self.status = status
        self.reason = reason
        self.message = message or reason
        self.causes = tuple(causes)

    @classmethod
    def from_body(cls, *, status: int, reason: str, body: bytes) -> ApiError:
        message, causes = "", []
        try:
            document: Any = json.loads(body)
        except ValueError:
            document = None
        if isinstance(document, dict):
            message = str(document.get("message") or "")
            details = document.get("details") or {}
            for cause in details.get("causes") or [] if isinstance(details, dict) else []:
                if isinstance(cause, dict):
                    causes.append((str(cause.get("field") or ""), str(cause.get("message") or "")))
        elif body:
            message = body[:300].decode("utf-8", "replace").strip()
        subclass = {401: Unauthorized, 403: Forbidden, 404: NotFound, 409: Conflict, 422: Invalid}.get(
            status, ApiError
        )
        return subclass(status=status, reason=reason, message=message[:500], causes=causes)


class Unauthorized(ApiError):
    pass


class Forbidden(ApiError):
    pass


class NotFound(ApiError):
    pass


class Conflict(ApiError):
    pass


class Invalid(ApiError):
    pass


@dataclasses.dataclass(frozen=True)
class Action:
    """What was being attempted, for the sentence: `delete pods/web-1 in prod`."""

    verb: str
    resource: str  # plural, e.g. "pods"
    cluster: str
    namespace: str | None = None
    name: str | None = None
    identity: KubeIdentity | None = None

    @property
    def what(self) -> str:
        singular = self.resource[:-1] if self.resource.endswith("s") else self.resource
        return f"{singular}/{self.name}" if self.name else self.resource

    @property
    def where(self) -> str:
        return (
            f"namespace {self.namespace} on cluster {self.cluster}"
            if self.namespace
            else (f"cluster {self.cluster}")
        )


def close_names(name: str, candidates: Sequence[str]) -> list[str]:
    return difflib.get_close_matches(name, list(candidates), n=3, cutoff=0.5)


def explain(error: KubeError, action: Action, *, suggestions: Sequence[str] = ()) -> str:
    """One sentence: what went wrong and what to do."""
    if not isinstance(error, ApiError):
        return str(error)
    who = action.identity.user if action.identity else "the bot's service account"
    if isinstance(error, Unauthorized):
        return (
            f"cluster {action.cluster} refused the bot's credentials (401 Unauthorized); "
            "check the kubeconfig's user or token"
        )
    if isinstance(error, Forbidden):
        ns = f" in namespace {action.namespace}" if action.namespace else " cluster-wide"
        return (
            f"{who} may not {action.verb} {action.resource}{ns} on cluster {action.cluster} "
            "(403 Forbidden, RBAC); ask a cluster admin for that permission"
        )
    if isinstance(error, NotFound):
        hint = (
            f"; did you mean {', '.join(suggestions)}?" if suggestions else "; check the name and namespace"
        )
        return f"{action.what} was not found in {action.where}{hint}"
    if isinstance(error, Conflict):
        return f"{action.what} in {action.where} conflicts: {error.message}; look again and ask again"
    if isinstance(error, Invalid):
        fields = "; ".join(f"{f}: {m}" if f else m for f, m in error.causes[:3]) or error.message
        return f"the API rejected {action.what} in {action.where} (422 Invalid): {fields}"
    return f"{action.verb} {action.what} in {action.where} failed (HTTP {error.status}): {error.message}"


def changed_since_approval(action: Action, *, expected: str | None, actual: str | None) -> str:
    return (
        f"{action.what} in {action.where} changed since approval "
        f"(resourceVersion {expected or '?'} → {actual or '?'}); ask again"
    )
