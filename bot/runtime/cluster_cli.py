"""`chatops cluster add NAME --kubeconfig FILE [--context C]`: admins add clusters on the bot's host.

Checks the context works (reachable, credentials accepted), then writes a
kubeconfig holding only that context, its cluster and its user into the
managed directory with 0600 permissions. The bot loads every file there at
start. Credentials are copied, never printed.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
from pathlib import Path
from typing import Any

import yaml

from bot.settings.config import LoadedConfig
from tools.base import check_dns1123_label
from tools.kubernetes.clusters import ClusterConfig
from tools.kubernetes.probe import probe


def minimal_kubeconfig(document: dict[str, Any], context: str | None) -> dict[str, Any]:
    """Only the chosen context and what it references."""
    name = context or document.get("current-context")
    contexts = {c.get("name"): c for c in document.get("contexts") or [] if isinstance(c, dict)}
    if name not in contexts:
        known = ", ".join(str(k) for k in contexts) or "none"
        raise ValueError(f"context {name!r} is not in the kubeconfig (contexts: {known})")
    ctx = contexts[name]
    spec = ctx.get("context") or {}
    clusters = [c for c in document.get("clusters") or [] if c.get("name") == spec.get("cluster")]
    users = [u for u in document.get("users") or [] if u.get("name") == spec.get("user")]
    if not clusters:
        raise ValueError(
            f"context {name!r} names cluster {spec.get('cluster')!r}, which the kubeconfig lacks"
        )
    return {
        "apiVersion": "v1",
        "kind": "Config",
        "clusters": clusters,
        "users": users,
        "contexts": [ctx],
        "current-context": name,
    }


def write_private(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
    try:
        os.fchmod(fd, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


async def add_cluster(loaded: LoadedConfig, args: argparse.Namespace) -> int:
    try:
        name = check_dns1123_label(args.name, what="cluster name")
        source: Path = args.kubeconfig.expanduser()
        document = yaml.safe_load(await asyncio.to_thread(source.read_text, encoding="utf-8"))
        if not isinstance(document, dict):
            raise ValueError(f"{source} is not a kubeconfig")
        minimal = minimal_kubeconfig(document, args.context)
    except (OSError, yaml.YAMLError, ValueError) as e:
        print(f"chatops: cannot add cluster: {e}", file=sys.stderr)
        return 2
    directory = (args.directory or loaded.settings.cluster_dir).expanduser()
    target = directory / f"{name}.kubeconfig"
    if target.exists():
        print(f"chatops: cluster {name} already exists ({target}); remove that file first", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory() as tmp:
        candidate = Path(tmp) / "candidate"
        write_private(candidate, yaml.safe_dump(minimal, sort_keys=False))
        result = await probe(
            ClusterConfig(name=name, kubeconfig=candidate, context=minimal["current-context"])
        )
    if not result.reachable or result.credentials_ok is False:
        print(f"chatops: cluster {name} not added: {result.text}", file=sys.stderr)
        return 1
    write_private(target, yaml.safe_dump(minimal, sort_keys=False))
    print(
        f"cluster {name} added ({result.text}); default namespace "
        f"{(minimal['contexts'][0].get('context') or {}).get('namespace') or 'default'}; "
        f"kubeconfig stored at {target} (0600). Restart the bot to use it."
    )
    return 0
