"""`chatops check`: validate the config and say what is reachable.

Prints one line per part (ok / not configured / problem with what to do) and
exits non-zero when something configured is not reachable. Never prints a
secret value: only whether it is set.
"""

from __future__ import annotations

import asyncio
import dataclasses
import sys
from collections.abc import Awaitable, Callable
from typing import TextIO

from bot.app import cluster_set
from bot.config import LoadedConfig
from storage.store import Store


@dataclasses.dataclass(frozen=True)
class CheckLine:
    part: str
    ok: bool
    text: str
    configured: bool = True


ClusterProbe = Callable[[LoadedConfig], Awaitable[list[CheckLine]]]


async def check_database(loaded: LoadedConfig) -> CheckLine:
    key = loaded.secrets.audit_key.encode() if loaded.secrets.audit_key else None
    try:
        store = await Store.open(loaded.database_url, audit_key=key, migrate=False)
        try:
            await store.ping()
        finally:
            await store.close()
    except Exception as e:  # reported, not raised: check keeps going
        return CheckLine("database", False, str(e))
    scheme = loaded.database_url.split(":", 1)[0]
    return CheckLine("database", True, f"reachable ({scheme})")


async def check_clusters(loaded: LoadedConfig) -> list[CheckLine]:
    clusters = cluster_set(loaded.settings)
    if not len(clusters):
        return [
            CheckLine(
                "clusters", False, "none configured: add 'clusters' to the config or set KUBECONFIG", False
            )
        ]
    from tools.kubernetes.access import cluster_access
    from tools.kubernetes.probe import probe_cluster

    lines = []
    for cluster in clusters:
        ok, text = await probe_cluster(cluster)
        lines.append(CheckLine(f"cluster {cluster.name}", ok, text))
        if ok:  # what its credentials cannot do is information, not a failure (readonly is a choice)
            lines.append(CheckLine(f"cluster {cluster.name} access", True, await cluster_access(cluster)))
    return lines


def check_chat(loaded: LoadedConfig) -> list[CheckLine]:
    s, secrets = loaded.settings, loaded.secrets
    lines = []
    if s.slack.enabled:
        have = secrets.slack_bot_token and (secrets.slack_app_token or s.slack.mode == "http")
        lines.append(
            CheckLine(
                "slack", bool(have), f"enabled ({s.slack.mode} mode); tokens {'set' if have else 'missing'}"
            )
        )
    else:
        lines.append(CheckLine("slack", True, "not enabled", False))
    if s.discord.enabled:
        have = bool(secrets.discord_bot_token)
        lines.append(CheckLine("discord", have, f"enabled; DISCORD_BOT_TOKEN {'set' if have else 'missing'}"))
    else:
        lines.append(CheckLine("discord", True, "not enabled", False))
    return lines


async def check_llm(loaded: LoadedConfig) -> CheckLine:
    llm = loaded.settings.llm
    if not llm.model:
        return CheckLine("llm", True, "not configured: natural language is off, ! commands work", False)
    try:
        from bot.agent.probe import probe_model
    except ImportError:
        return CheckLine("llm", False, f"model {llm.model} configured but this build has no agent module")
    ok, text = await probe_model(loaded)
    return CheckLine("llm", ok, text)


async def run_check(loaded: LoadedConfig, out: TextIO | None = None) -> int:
    out = out or sys.stdout
    print(f"config: ok ({loaded.source or 'built-in defaults'})", file=out)
    lines = [await check_database(loaded)]
    lines += await asyncio.wait_for(check_clusters(loaded), timeout=60)
    lines.append(await check_llm(loaded))
    lines += check_chat(loaded)
    for line in lines:
        mark = "ok" if line.ok else "PROBLEM"
        print(f"{line.part}: {mark if line.configured else '-'} — {line.text}", file=out)
    return 0 if all(line.ok for line in lines if line.configured) else 1
