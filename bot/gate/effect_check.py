"""Run what was shown: before an approved change runs, the server's dry run is repeated.

Filing stores the fingerprint of the approved effect in the binding (`effect_sha256`).
At execution the operation's preview runs again (a dry run, with the approved binding) and
its effect must have the same fingerprint; otherwise nothing runs and the person reads
which objects would now change differently. Operations whose previews see no objects
(repositories, charts, minikube) carry no fingerprint and are not re-checked here; like
every helm and minikube write, they are held to the exact commands their preview recorded
(`requests_sha256`, enforced by the CLI wrappers while `approved_requests` is active).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Mapping

from tools.base import Args, ObjectEffect, Operation, RunContext
from tools.effects import summarise_effects
from tools.effects.fingerprint import effects_fingerprint
from tools.ledger import enforcing, from_binding, recording, to_binding

BINDING_KEY = "effect_sha256"
REQUESTS_KEY = "requests_sha256"


def bind_effect(
    binding: dict[str, str], effects: tuple[ObjectEffect, ...], requests: list[str]
) -> dict[str, str]:
    """The approved effect's fingerprint and the digests of the requests its dry run made."""
    if effects:
        binding[BINDING_KEY] = effects_fingerprint(effects)
    if requests:
        binding[REQUESTS_KEY] = to_binding(requests)
    return binding


def approved_requests(binding: Mapping[str, str]) -> contextlib.AbstractContextManager[object]:
    """While running: clients send no mutating request the approved dry run did not make."""
    value = binding.get(REQUESTS_KEY)
    return enforcing(from_binding(value)) if value else contextlib.nullcontext()


async def effect_changed(operation: Operation, args: Args, ctx: RunContext) -> str | None:
    """Why the change must not run (its effect is no longer the approved one), or None."""
    expected = ctx.binding.get(BINDING_KEY)
    if not expected or operation.preview is None:
        return None
    try:
        with recording() as ledger:
            fresh = await asyncio.wait_for(operation.preview(args, ctx), timeout=operation.timeout_s)
    except TimeoutError:
        return f"the dry run before running got no answer within {operation.timeout_s:g} s; nothing ran"
    except Exception as e:  # a tool broke its promise not to raise: refuse, never run blind
        return f"the dry run before running failed ({type(e).__name__}); nothing ran; ask again"
    if not fresh.ok:
        return f"the dry run before running refused it: {fresh.text}; nothing ran; ask again"
    requests = ctx.binding.get(REQUESTS_KEY)
    if requests and from_binding(to_binding(ledger.seen)) != from_binding(requests):
        return (
            "the requests this change would send now differ from the approved ones "
            f"({summarise_effects(fresh.effects)}); nothing ran; ask again to see the new preview"
        )
    if effects_fingerprint(fresh.effects) == expected:
        return None
    return (
        "the cluster changed since approval: the dry run now gives a different effect "
        f"({summarise_effects(fresh.effects)}) from the one approved; nothing ran; "
        "ask again to see the new preview"
    )
