"""Autocomplete of namespaces, deployments and pods: cached READ operations run as the user.

A lookup is an ordinary READ operation submitted through the gate with
the person's own context, so it is policy-checked and audited like any other
read. It runs only where policy would allow the read at once (never where a
read needs an approval), answers within Discord's 3-second autocomplete limit
or not at all (a late answer still fills the cache for the next keystroke),
and is cached briefly per person, channel and target. Any failure gives no
suggestions. Nothing here decides or changes anything.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import time
import uuid
from collections.abc import Callable, Mapping
from typing import Any

from bot.domain.models import Principal
from bot.domain.outcomes import RequestContext
from bot.gate.ports import OperationGateway
from tools.base import Safety, Status
from tools.registry import Registry

log = logging.getLogger(__name__)

MAX_CHOICES = 25  # Discord shows at most 25 suggestions


@dataclasses.dataclass(frozen=True)
class LookupSource:
    """The READ operation that lists one kind of object, and the fixed arguments it needs."""

    operation: str
    args: Mapping[str, Any] = dataclasses.field(default_factory=dict)
    namespaced: bool = True


DEFAULT_SOURCES: Mapping[str, LookupSource] = {
    "namespace": LookupSource("k8s_get", {"kind": "namespace"}, namespaced=False),
    "deployment": LookupSource("k8s_get", {"kind": "deployment"}),
    "pod": LookupSource("k8s_get", {"kind": "pod"}),
}

_Key = tuple[str, str, str, str | None, str | None]


class Lookups:
    def __init__(
        self,
        *,
        registry: Registry,
        gateway: OperationGateway,
        sources: Mapping[str, LookupSource] = DEFAULT_SOURCES,
        ttl_s: float = 30.0,
        timeout_s: float = 2.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._registry = registry
        self._gateway = gateway
        self._sources = dict(sources)
        self._ttl_s = ttl_s
        self._timeout_s = timeout_s
        self._clock = clock
        self._cache: dict[_Key, tuple[float, list[str]]] = {}
        self._inflight: dict[_Key, asyncio.Task[list[str]]] = {}

    async def names(
        self,
        kind: str,
        *,
        principal: Principal,
        channel: str,
        cluster: str | None,
        namespace: str | None,
        prefix: str = "",
    ) -> list[str]:
        source = self._sources.get(kind)
        if source is None:
            return []
        key: _Key = (kind, principal.user_id, channel, cluster, namespace if source.namespaced else None)
        cached = self._cache.get(key)
        if cached is not None and self._clock() - cached[0] < self._ttl_s:
            found = cached[1]
        else:
            task = self._inflight.get(key)
            if task is None:
                task = asyncio.create_task(self._fetch(key, source, principal, channel, cluster, namespace))
                self._inflight[key] = task
                task.add_done_callback(lambda _: self._inflight.pop(key, None))
            try:
                found = await asyncio.wait_for(asyncio.shield(task), self._timeout_s)
            except TimeoutError:
                log.info(
                    "autocomplete of %s took longer than %.1fs; no suggestions this time",
                    kind,
                    self._timeout_s,
                )
                return []
        lowered = prefix.lower()
        return [name for name in found if lowered in name.lower()][:MAX_CHOICES]

    async def _fetch(
        self,
        key: _Key,
        source: LookupSource,
        principal: Principal,
        channel: str,
        cluster: str | None,
        namespace: str | None,
    ) -> list[str]:
        found: list[str] = []
        try:
            found = await self._run(source, principal, channel, cluster, namespace)
        except Exception:  # a suggestion is never worth an error: log, suggest nothing
            log.exception("autocomplete lookup %s failed", source.operation)
        self._cache[key] = (self._clock(), found)
        return found

    async def _run(
        self,
        source: LookupSource,
        principal: Principal,
        channel: str,
        cluster: str | None,
        namespace: str | None,
    ) -> list[str]:
        operation = self._registry.get(source.operation)
        if operation is None or operation.safety is not Safety.READ:
            return []  # never anything but a read, whatever is configured
        args: dict[str, Any] = dict(source.args)
        if cluster:
            args["cluster"] = cluster
        if namespace and source.namespaced:
            args["namespace"] = namespace
        ctx = RequestContext(principal, channel, None, "ac-" + uuid.uuid4().hex[:13], origin="command")
        # Only what policy runs at once: a lookup never files an approval.
        outcome = await self._gateway.submit(source.operation, args, ctx, file_approvals=False)
        result = outcome.result
        if outcome.status is not Status.OK or result is None or result.table is None:
            return []
        columns = [c.lower() for c in result.table.columns]
        column = columns.index("name") if "name" in columns else 0
        return sorted({row[column] for row in result.table.rows if len(row) > column})
