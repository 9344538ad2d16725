"""Alertmanager as a toolset: firing alerts, silences, and silencing through the approval gate.

`alertmanager_operations()` is the entry point the core calls. Reads list
alerts and silences; adding a silence or expiring one is a WRITE with a
preview of the exact API body, approved like any other change (its undo
expires the silence). Offered to the model only when an Alertmanager is
configured. Nothing here imports `bot` or decides policy.
"""

from __future__ import annotations

from typing import Any

from tools.alertmanager.args import AlertsArgs, SilenceArgs, SilenceIdArgs
from tools.alertmanager.operations import Alertmanager, guard, guard_preview
from tools.base import Args, ClusterArgs, CommandSpec, Operation, RunFn, Safety
from tools.http_api import HttpEndpoint
from tools.kubernetes.clusters import ClusterSet

__all__ = ["alertmanager_operations"]


def alertmanager_operations(*, endpoints: tuple[HttpEndpoint, ...], clusters: ClusterSet) -> list[Operation]:
    am = Alertmanager(endpoints, clusters)
    for_agent = bool(endpoints)
    timeout = max((e.timeout_s for e in endpoints), default=10.0) * 3 + 15

    def op(
        name: str,
        description: str,
        safety: Safety,
        model: type[Args],
        run: RunFn,
        spec: CommandSpec,
        **more: Any,
    ) -> Operation:
        return Operation(
            name=name,
            description=description,
            safety=safety,
            args_model=model,
            run=guard(name, run),
            command=spec,
            timeout_s=timeout,
            for_agent=for_agent,
            **more,
        )

    return [
        op(
            "am_alerts",
            "Alerts firing in Alertmanager (filter by label matchers).",
            Safety.READ,
            AlertsArgs,
            am.alerts,
            CommandSpec(words=("alerts",), positionals=("filter",)),
        ),
        op(
            "am_silences",
            "Active and pending Alertmanager silences.",
            Safety.READ,
            ClusterArgs,
            am.silences,
            CommandSpec(words=("silences",)),
        ),
        op(
            "am_silence",
            "Silence alerts matching label matchers for a while.",
            Safety.WRITE,
            SilenceArgs,
            am.silence,
            CommandSpec(words=("silence",), positionals=("matchers",)),
            preview=guard_preview(am.preview_silence),
        ),
        op(
            "am_expire_silence",
            "Expire a silence so its alerts notify again.",
            Safety.WRITE,
            SilenceIdArgs,
            am.expire,
            CommandSpec(words=("unsilence",), positionals=("silence_id",)),
            preview=guard_preview(am.preview_expire),
        ),
    ]
