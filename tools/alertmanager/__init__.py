"""Alertmanager as a toolset: firing alerts, silences, and silencing through the approval gate.

`alertmanager_operations()` is the entry point the core calls. Reads list
alerts and silences; adding a silence or expiring one is a WRITE with a
preview of the exact API body, approved like any other change (its undo
expires the silence). Offered to the model only when an Alertmanager is
configured. Nothing here imports `bot` or decides policy.
"""

from __future__ import annotations

from tools.alertmanager.args import AlertsArgs, SilenceArgs, SilenceIdArgs
from tools.alertmanager.operations import Alertmanager, guard, guard_preview
from tools.base import ClusterArgs, CommandSpec, Operation, Safety
from tools.http_api import HttpEndpoint
from tools.kubernetes.clusters import ClusterSet

__all__ = ["alertmanager_operations"]


def alertmanager_operations(*, endpoints: tuple[HttpEndpoint, ...], clusters: ClusterSet) -> list[Operation]:
    am = Alertmanager(endpoints, clusters)
    for_agent = bool(endpoints)
    timeout = max((e.timeout_s for e in endpoints), default=10.0) * 3 + 15
    return [
        Operation(
            name="am_alerts",
            description="Alerts firing in Alertmanager (filter by label matchers).",
            safety=Safety.READ,
            args_model=AlertsArgs,
            run=guard("am_alerts", am.alerts),
            command=CommandSpec(words=("alerts",), positionals=("filter",)),
            timeout_s=timeout,
            for_agent=for_agent,
        ),
        Operation(
            name="am_silences",
            description="Active and pending Alertmanager silences.",
            safety=Safety.READ,
            args_model=ClusterArgs,
            run=guard("am_silences", am.silences),
            command=CommandSpec(words=("silences",)),
            timeout_s=timeout,
            for_agent=for_agent,
        ),
        Operation(
            name="am_silence",
            description="Silence alerts matching label matchers for a while.",
            safety=Safety.WRITE,
            args_model=SilenceArgs,
            run=guard("am_silence", am.silence),
            preview=guard_preview(am.preview_silence),
            command=CommandSpec(words=("silence",), positionals=("matchers",)),
            timeout_s=timeout,
            for_agent=for_agent,
        ),
        Operation(
            name="am_expire_silence",
            description="Expire a silence so its alerts notify again.",
            safety=Safety.WRITE,
            args_model=SilenceIdArgs,
            run=guard("am_expire_silence", am.expire),
            preview=guard_preview(am.preview_expire),
            command=CommandSpec(words=("unsilence",), positionals=("silence_id",)),
            timeout_s=timeout,
            for_agent=for_agent,
        ),
    ]
