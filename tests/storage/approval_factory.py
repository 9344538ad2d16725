"""Builds `NewApproval`s for the storage tests."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from typing import Any

from storage.records import NewApproval


def new_approval(
    *,
    requester_id: str = "U1",
    channel: str = "C1",
    expires_in: dt.timedelta = dt.timedelta(minutes=15),
    args: dict[str, Any] | None = None,
    approvals_needed: int = 1,
) -> NewApproval:
    args = args if args is not None else {"namespace": "shop", "name": "web", "replicas": 3}
    return NewApproval(
        operation="k8s_scale_deployment",
        args=args,
        args_sha256=hashlib.sha256(json.dumps(args, sort_keys=True).encode()).hexdigest(),
        safety="write",
        requester_platform="slack",
        requester_id=requester_id,
        requester_name="Alice",
        channel=channel,
        thread="1700000000.000100",
        cluster="prod",
        namespace="shop",
        target_kind="Deployment",
        target_name="web",
        binding={"resourceVersion": "123", "uid": "abc"},
        preview="replicas 2 → 3",
        approvals_needed=approvals_needed,
        expires_at=dt.datetime.now(dt.UTC) + expires_in,
        request_id="req-1",
    )
