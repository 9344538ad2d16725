"""What the executor answers: one `Outcome` per submit / approve / deny / cancel.

Kept apart from the executor so the router, the agent and the adapters can
read outcomes without importing the machinery that produces them.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
from collections.abc import Mapping
from typing import Any, Literal

from bot.domain.models import Principal
from storage.records import ApprovalRecord
from tools.base import OperationResult, Safety, Status
from tools.parsing import ParseRefused, load_yaml_all


@dataclasses.dataclass(frozen=True)
class RequestContext:
    """Who asked, where, and how (an explicit command or the agent)."""

    principal: Principal
    channel: str
    thread: str | None
    request_id: str
    origin: Literal["command", "agent", "undo", "system"] = "command"


@dataclasses.dataclass(frozen=True)
class Outcome:
    status: Status
    text: str
    operation: str | None = None
    safety: Safety | None = None
    call: str | None = None  # the exact operation, as a person can read and repeat it
    result: OperationResult | None = None
    approval: ApprovalRecord | None = None
    needed_role: str | None = None
    started_in_background: bool = False


def now_utc() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def canonical_json(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


def args_digest(operation: str, args: Mapping[str, Any]) -> str:
    return hashlib.sha256(canonical_json({"operation": operation, "args": dict(args)}).encode()).hexdigest()


def describe_call(operation: str, args: Mapping[str, Any]) -> str:
    """`k8s_scale_deployment(name=web, namespace=prod, replicas=4)`: unset arguments left out.

    Every argument is shown whole (never cut); a block of text (a manifest, a values block)
    is shown by its digest and its documents, whose content the card's diff shows in full.
    """
    shown = []
    for key in sorted(args):
        value = args[key]
        if value is None or value == [] or value == {} or value is False:
            continue
        if isinstance(value, str) and ("\n" in value or len(value) > 200):
            text = describe_block(value)
        else:
            text = value if isinstance(value, str) else canonical_json(value)
        shown.append(f"{key}={text}")
    return f"{operation}({', '.join(shown)})"


def describe_block(text: str) -> str:
    """`sha256:1a2b3c4d5e6f (12 lines: Deployment/web, ConfigMap/settings)` for a YAML block."""
    digest = hashlib.sha256(text.encode()).hexdigest()[:12]
    lines = len(text.strip().splitlines())
    try:
        documents = [d for d in load_yaml_all(text, what="the block") if d is not None]
    except ParseRefused:  # bounded: a document that would expand past the limits is not read
        documents = []
    names = [
        f"{d.get('kind')}/{(d.get('metadata') or {}).get('name', '?')}"
        for d in documents
        if isinstance(d, dict) and "kind" in d and isinstance(d.get("metadata") or {}, dict)
    ]
    if not names and len(documents) == 1 and isinstance(documents[0], dict):
        names = [f"keys {', '.join(str(k) for k in documents[0])}"]
    return f"sha256:{digest} ({lines} lines" + (f": {', '.join(names)})" if names else ")")
