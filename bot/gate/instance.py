"""Who this process is, and whether the process that owns an approval is still alive.

Every bot process (a `chatops run`, each `chatops chat` console) gets its own
instance id: the configured name (or the host name), the pid, the start time
and a random tail, so two consoles on one machine are never the same owner.
It registers a lease row in storage and renews it while it lives; a clean stop
removes it. The reconciler (`ApprovalDesk.reconcile`) touches an approval only
when its owner is gone: no lease row, a lease that expired, or, on this very
host (same host name and pid namespace), a pid that no longer exists (so a
console restarted after `kill -9` need not wait for the lease). A pid that
exists is taken as alive even if it was reused: the lease still ends it.
Nothing here decides what happens to the approval.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
import os
import secrets
import socket
from collections.abc import Awaitable, Callable

from bot.domain.outcomes import now_utc
from storage.errors import StorageError
from storage.instances import InstanceRecord
from storage.store import Store

log = logging.getLogger(__name__)

STOP_WAIT_S = 10.0  # how long stop() lets a renewal round in progress finish


def host_key() -> str:
    """The host name plus the pid namespace: pids compare only within one namespace."""
    try:
        namespace = str(os.stat("/proc/self/ns/pid").st_ino)
    except OSError:
        namespace = "-"
    return f"{socket.gethostname()}#{namespace}"[:256]


def pid_exists(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's process: it exists
    return True


def new_instance_id(name: str | None) -> str:
    started = now_utc().strftime("%Y%m%dT%H%M%S")
    return f"{name or socket.gethostname()}:{os.getpid()}:{started}:{secrets.token_hex(3)}"[:256]


def is_gone(owner: InstanceRecord | None, *, now: dt.datetime) -> bool:
    """True when the owner of an approval cannot still be working on it."""
    if owner is None:
        return True
    if owner.lease_until < now:
        return True
    return owner.host == host_key() and not pid_exists(owner.pid)


class InstanceLease:
    """This process's lease row, renewed every third of the lease until `stop()`."""

    def __init__(
        self,
        store: Store,
        *,
        instance_id: str,
        lease_s: float,
        on_renew: Callable[[], Awaitable[None]] | None = None,
    ) -> None:
        self.store = store
        self.instance_id = instance_id
        self.lease_s = lease_s
        self._task: asyncio.Task[None] | None = None
        self._stopping = asyncio.Event()
        # Run after each renewal (the app settles what dead processes left, and tells people).
        self._on_renew = on_renew

    async def start(self) -> None:
        await self._register()
        self._task = asyncio.create_task(self._renew_forever(), name="instance-lease")

    async def _renew_forever(self) -> None:
        while True:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stopping.wait(), timeout=self.lease_s / 3)
            if self._stopping.is_set():
                return
            try:
                until = now_utc() + dt.timedelta(seconds=self.lease_s)
                if not await self.store.instances.renew(self.instance_id, until):
                    log.warning("the lease row of instance %s vanished; registering again", self.instance_id)
                    await self._register()
            except StorageError:  # a database blip: the next round tries again; the lease is long
                log.exception("could not renew the lease of instance %s", self.instance_id)
                continue
            if self._on_renew is not None:
                try:
                    await self._on_renew()
                except Exception:  # the lease must go on whatever the hook does
                    log.exception("the periodic settling of abandoned approvals failed")

    async def _register(self) -> None:
        now = now_utc()
        until = now + dt.timedelta(seconds=self.lease_s)
        await self.store.instances.register(
            InstanceRecord(self.instance_id, host_key(), os.getpid(), now, until)
        )

    async def stop(self) -> None:
        """End the renewals (a round in progress finishes its database call first), drop the row."""
        if self._task is not None:
            self._stopping.set()
            try:
                await asyncio.wait_for(asyncio.shield(self._task), timeout=STOP_WAIT_S)
            except TimeoutError:
                self._task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await self._task
            self._task = None
        with contextlib.suppress(StorageError):
            await self.store.instances.remove(self.instance_id)
