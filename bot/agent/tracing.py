"""LangSmith's trace bookkeeping runs inline while tracing is off.

`create_agent` wraps every middleware hook in LangSmith's `traceable`, which
hands its bookkeeping to a worker thread twice per model call even when
nothing is traced: two thread round trips per call, most of LangChain's own
cost per turn. With tracing off that bookkeeping is a few lookups, so it runs
on the event loop; with tracing on (LANGSMITH_TRACING=true) LangSmith's own
default applies. This goes through LangSmith's documented
`set_runtime_overrides` hook and changes nothing else.
"""

from __future__ import annotations

import contextvars
from collections.abc import Awaitable, Callable
from typing import Any

import langsmith
from langsmith.utils import tracing_is_enabled

Default = Callable[..., Awaitable[Any]]


async def _inline_unless_tracing(
    default: Default, ctx: contextvars.Context, func: Callable[..., Any], /, *args: Any, **kwargs: Any
) -> Any:
    if tracing_is_enabled():
        return await default(ctx, func, *args, **kwargs)
    return ctx.run(func, *args, **kwargs)


def run_trace_bookkeeping_inline() -> None:
    """Install the override (process-wide, idempotent)."""
    langsmith.set_runtime_overrides(aio_to_thread=_inline_unless_tracing)
