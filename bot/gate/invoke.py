"""Calling an operation: its run context, a timeout, a contained failure, redaction, metrics.

The only place an operation's `run` is awaited (by the executor, for a read
at once or an approved change). Whatever a tool returns is redacted here,
before anyone sees or stores it; a tool that raises or hangs becomes a
failed result that names the call. Nothing here decides whether to run.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import math
from collections.abc import Mapping

from bot.gate.metrics import Metrics
from tools.base import Args, KubeIdentity, Operation, OperationResult, RunContext
from tools.redact import redact_result, redact_text

log = logging.getLogger(__name__)


def run_context(
    identity: KubeIdentity | None, request_id: str, binding: Mapping[str, str], *, budget_tokens: int
) -> RunContext:
    return RunContext(
        request_id=request_id, identity=identity, binding=dict(binding), budget_tokens=budget_tokens
    )


async def invoke(
    operation: Operation,
    args: Args,
    run_ctx: RunContext,
    *,
    metrics: Metrics,
    timeout_s: float | None = None,
) -> tuple[OperationResult, int]:
    """The redacted result and the milliseconds it took; `timeout_s` may only shorten the
    operation's own limit."""
    limit = operation.timeout_s if timeout_s is None else min(timeout_s, operation.timeout_s)
    started = asyncio.get_running_loop().time()
    try:
        result = await asyncio.wait_for(operation.run(args, run_ctx), timeout=limit)
    except TimeoutError:
        shown = math.ceil(limit * 10) / 10  # a limit cut to what was left of a deadline reads as given
        result = OperationResult.failure(
            call=operation.name, message=f"no answer within {shown:g} s", hint="Try again later."
        )
    except Exception as e:  # a tool broke its promise not to raise: contain it here
        log.exception("operation %s raised", operation.name)
        result = OperationResult.failure(call=operation.name, message=redact_text(f"{type(e).__name__}: {e}"))
    elapsed = asyncio.get_running_loop().time() - started
    metrics.observe_operation(operation.name, result.status.value, elapsed)
    left_out = run_ctx.readable.note() if run_ctx.readable is not None else None
    if left_out:  # a read across namespaces says what policy kept from it
        result = dataclasses.replace(result, text=f"{result.text}\n{left_out}")
    # The gate's own check: whatever a tool returns is redacted before anyone sees or stores it.
    return redact_result(result), int(elapsed * 1000)
