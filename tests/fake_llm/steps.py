"""What the fake model does for one request: say text, call tools, fail, or hang."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Mapping
from typing import Any


@dataclasses.dataclass(frozen=True)
class Say:
    text: str


@dataclasses.dataclass(frozen=True)
class Call:
    """One or more tool calls: (tool name, arguments) pairs; `text` may come along."""

    calls: tuple[tuple[str, Mapping[str, Any]], ...]
    text: str | None = None

    @classmethod
    def one(cls, tool: str, operation: str, args: Mapping[str, Any] | None = None) -> Call:
        return cls(((tool, {"operation": operation, "args": dict(args or {})}),))


@dataclasses.dataclass(frozen=True)
class Fail:
    status: int
    headers: Mapping[str, str] = dataclasses.field(default_factory=dict)
    message: str = "scripted failure"


@dataclasses.dataclass(frozen=True)
class Hang:
    seconds: float = 3600.0


@dataclasses.dataclass(frozen=True)
class Raw:
    """Any HTTP answer, byte for byte (HTML error pages, malformed JSON, odd completions)."""

    status: int
    body: bytes
    content_type: str = "application/json"
    headers: Mapping[str, str] = dataclasses.field(default_factory=dict)

    @classmethod
    def completion(cls, message: Mapping[str, Any], *, finish: str = "stop") -> Raw:
        """A 200 completion with exactly this assistant `message` (null content, bad arguments…)."""
        body = completion(Say(""), model="fake-model", serial=0)
        body["choices"][0]["message"] = dict(message)
        body["choices"][0]["finish_reason"] = finish
        return cls(200, json.dumps(body).encode())


@dataclasses.dataclass(frozen=True)
class Drip:
    """A valid answer sent `chunk` bytes at a time, `delay_s` apart (slow bytes)."""

    text: str
    chunk: int = 8
    delay_s: float = 0.2


@dataclasses.dataclass(frozen=True)
class Reset:
    """Close the connection without answering."""


Step = Say | Call | Fail | Hang | Raw | Drip | Reset


def completion(step: Say | Call, *, model: str, serial: int) -> dict[str, Any]:
    message: dict[str, Any] = {"role": "assistant", "content": None}
    finish = "stop"
    if isinstance(step, Say):
        message["content"] = step.text
    else:
        message["content"] = step.text
        message["tool_calls"] = [
            {
                "id": f"call_{serial}_{i}",
                "type": "function",
                "function": {"name": name, "arguments": json.dumps(dict(args))},
            }
            for i, (name, args) in enumerate(step.calls)
        ]
        finish = "tool_calls"
    return {
        "id": f"chatcmpl-{serial}",
        "object": "chat.completion",
        "created": 1_700_000_000,
        "model": model,
        "choices": [{"index": 0, "message": message, "finish_reason": finish, "logprobs": None}],
        "usage": {"prompt_tokens": 10, "completion_tokens": 5, "total_tokens": 15},
    }


def error_body(step: Fail) -> dict[str, Any]:
    return {"error": {"message": step.message, "type": "scripted", "code": str(step.status)}}
