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
from bot.settings.config import LoadedConfig
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
    from bot.settings.database_home import describe

    scheme = loaded.database_url.split(":", 1)[0]
    return CheckLine("database", True, f"reachable ({scheme}) at {describe(loaded.database_url)}")


async def check_clusters(loaded: LoadedConfig) -> list[CheckLine]:
    from tools.kubernetes.access import cluster_access
    from tools.kubernetes.clusters import kubeconfig_problem
    from tools.kubernetes.probe import probe_cluster

    clusters = cluster_set(loaded.settings)
    lines = []
    if not loaded.settings.clusters:
        problem = kubeconfig_problem()
        if problem is not None:
            lines.append(CheckLine("kubeconfig", False, problem))
    if not len(clusters):
        if not lines:
            lines.append(
                CheckLine(
                    "clusters",
                    False,
                    "none configured: add 'clusters' to the config or set KUBECONFIG",
                    False,
                )
            )
        return lines
    for cluster in clusters:
        try:  # each cluster on its own: one broken kubeconfig does not hide the others
            ok, text = await asyncio.wait_for(probe_cluster(cluster), timeout=30)
        except Exception as e:  # reported, not raised
            ok, text = False, f"could not be checked ({type(e).__name__}); fix its kubeconfig"
        lines.append(CheckLine(f"cluster {cluster.name}", ok, text))
        if ok:  # what its credentials cannot do is information, not a failure (readonly is a choice)
            lines.append(CheckLine(f"cluster {cluster.name} access", True, await cluster_access(cluster)))
    return lines


async def check_tools(loaded: LoadedConfig) -> list[CheckLine]:
    from bot.runtime.check_tools import tool_line

    lines = []
    for name, binary in (
        ("helm", loaded.settings.helm.binary),
        ("minikube", loaded.settings.minikube.binary),
    ):
        ok, text, counts = await tool_line(name, binary)
        lines.append(CheckLine(name, ok, text, counts))
    return lines


def check_chat(loaded: LoadedConfig) -> list[CheckLine]:
    """One line per chat platform section: not enabled, or enabled with its secrets set or missing."""
    lines = []
    for name, section in loaded.settings.chat_sections().items():
        if not section.enabled:
            lines.append(CheckLine(name, True, "not enabled", False))
            continue
        needed = section.secret_variables()
        missing = [f"{name}.{key}" for key, _ in section.missing_settings()]
        missing += [v for v in needed if not loaded.secrets.platform_secret(v)]
        how = section.describe()
        text = f"enabled ({how}); " if how else "enabled; "
        text += (
            f"missing {', '.join(missing)} (set in the environment)"
            if missing
            else f"{', '.join(needed)} set"
        )
        for variable, what in section.optional_secret_variables():
            if not loaded.secrets.platform_secret(variable):
                text += f"; {what} off (no {variable})"
        lines.append(CheckLine(name, not missing, text))
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


async def check_endpoints(loaded: LoadedConfig) -> list[CheckLine]:
    """Each configured Prometheus and Alertmanager endpoint: does its API answer, with these credentials?"""
    from tools.http_api import ApiError, call_json

    settings, named = loaded.settings, loaded.secrets.named
    probes = [
        ("prometheus", e.to_endpoint(named), "/api/v1/status/buildinfo")
        for e in settings.prometheus.endpoints
    ]
    probes += [
        ("alertmanager", e.to_endpoint(named), "/api/v2/status") for e in settings.alertmanager.endpoints
    ]
    lines = []
    for kind, endpoint, path in probes:
        part = f"{kind} {endpoint.name}"
        try:
            status, _ = await call_json(endpoint, f"{kind.title()} {endpoint.name}", "GET", path)
        except ApiError as e:
            lines.append(CheckLine(part, False, str(e)))
            continue
        ok = status < 400
        lines.append(
            CheckLine(
                part, ok, f"answers at {endpoint.url}" if ok else f"answered HTTP {status} at {endpoint.url}"
            )
        )
    return lines


async def run_check(loaded: LoadedConfig, out: TextIO | None = None) -> int:
    out = out or sys.stdout
    print(f"config: ok ({loaded.source or 'built-in defaults'})", file=out)
    lines = [await check_database(loaded)]
    lines += await asyncio.wait_for(check_clusters(loaded), timeout=60)
    lines.append(await check_llm(loaded))
    lines += check_chat(loaded)
    lines += await check_tools(loaded)
    lines += await check_endpoints(loaded)
    for line in lines:
        mark = "ok" if line.ok else "PROBLEM"
        print(f"{line.part}: {mark if line.configured else '-'} — {line.text}", file=out)
    return 0 if all(line.ok for line in lines if line.configured) else 1
