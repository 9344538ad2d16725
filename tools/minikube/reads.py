"""minikube reads: status, profiles, addons, images, version.

Each runs one minikube command with JSON output and answers with a short
table or line. `status` exits non-zero when a component is stopped but still
prints its JSON, so it is read regardless of the exit code. Nothing here
changes a profile.
"""

from __future__ import annotations

import json
from typing import Any

from tools.base import OperationResult, RunContext, Status, Table
from tools.minikube import args as a
from tools.minikube.cli import MinikubeCli, MinikubeError
from tools.redact import redact_text

MAX_ROWS = 100


def failure(call: str, error: Exception) -> OperationResult:
    return OperationResult.failure(call=call, message=redact_text(str(error)))


def profile_rows(document: Any) -> list[dict[str, Any]]:
    """`profile list -o json` → one flat dict per valid profile."""
    rows = []
    valid = document.get("valid") if isinstance(document, dict) else None
    for profile in valid or []:
        config = profile.get("Config") or {}
        kubernetes = config.get("KubernetesConfig") or {}
        nodes = config.get("Nodes") or []
        rows.append(
            {
                "name": profile.get("Name", ""),
                "status": profile.get("Status", ""),
                "driver": config.get("Driver", ""),
                "runtime": kubernetes.get("ContainerRuntime", ""),
                "kubernetes": kubernetes.get("KubernetesVersion", ""),
                "cpus": config.get("CPUs", ""),
                "memory_mb": config.get("Memory", ""),
                "nodes": len(nodes),
                "ip": (nodes[0].get("IP", "") if nodes else ""),
            }
        )
    return rows


class MinikubeReads:
    def __init__(self, cli: MinikubeCli) -> None:
        self.cli = cli

    async def profiles_document(self) -> Any:
        try:
            return await self.cli.run_json(["profile", "list"])
        except MinikubeError as e:
            if "No minikube profile" in str(e) or "no profile" in str(e).lower():
                return {"valid": [], "invalid": []}
            raise

    async def find_profile(self, name: str) -> dict[str, Any] | None:
        return next((p for p in profile_rows(await self.profiles_document()) if p["name"] == name), None)

    async def status(self, args: a.ProfileArgs, ctx: RunContext) -> OperationResult:
        try:
            document = await self.cli.run_json(["status", f"--profile={args.profile}"], check=False)
        except MinikubeError as e:
            return failure(f"minikube status --profile={args.profile}", e)
        nodes = document if isinstance(document, list) else [document]
        columns = ("Name", "Host", "Kubelet", "APIServer", "Kubeconfig")
        rows = tuple(tuple(str(n.get(c, "")) for c in columns) for n in nodes if isinstance(n, dict))
        if not rows:
            return OperationResult(status=Status.NO_DATA, text=f"minikube profile {args.profile}: no status.")
        host = rows[0][1]
        return OperationResult(
            status=Status.OK,
            text=f"minikube profile {args.profile}: host {host}, API server {rows[0][3]}.",
            table=Table(columns=tuple(c.lower() for c in columns), rows=rows),
            data={"nodes": [dict(zip(columns, row, strict=True)) for row in rows]},
        )

    async def profiles(self, args: a.NoArgs, ctx: RunContext) -> OperationResult:
        try:
            rows = profile_rows(await self.profiles_document())
        except MinikubeError as e:
            return failure("minikube profile list", e)
        if not rows:
            return OperationResult(status=Status.NO_DATA, text="No minikube profiles exist yet.")
        columns = ("name", "status", "driver", "runtime", "kubernetes", "cpus", "memory_mb", "nodes", "ip")
        table = Table(columns, tuple(tuple(str(r[c]) for c in columns) for r in rows[:MAX_ROWS]))
        return OperationResult(status=Status.OK, text=f"{len(rows)} minikube profiles.", table=table)

    async def addons(self, args: a.ProfileArgs, ctx: RunContext) -> OperationResult:
        try:
            document = await self.cli.run_json(["addons", "list", f"--profile={args.profile}"])
        except MinikubeError as e:
            return failure(f"minikube addons list --profile={args.profile}", e)
        addons = sorted((name, str((v or {}).get("Status", ""))) for name, v in (document or {}).items())
        enabled = [name for name, status in addons if status == "enabled"]
        names = ", ".join(enabled) or "none"
        text = f"{len(enabled)} of {len(addons)} addons enabled on {args.profile}: {names}."
        return OperationResult(status=Status.OK, text=text, table=Table(("addon", "status"), tuple(addons)))

    async def images(self, args: a.ProfileArgs, ctx: RunContext) -> OperationResult:
        try:
            outcome = await self.cli.run(["image", "ls", "--format=json", f"--profile={args.profile}"])
        except MinikubeError as e:
            return failure(f"minikube image ls --profile={args.profile}", e)
        tags = _image_tags(outcome.stdout)
        if not tags:
            return OperationResult(status=Status.NO_DATA, text=f"No images in {args.profile}.")
        rows = tuple((tag,) for tag in tags[:MAX_ROWS])
        more = f" (showing {MAX_ROWS})" if len(tags) > MAX_ROWS else ""
        return OperationResult(
            status=Status.OK,
            text=f"{len(tags)} images in {args.profile}{more}.",
            table=Table(("image",), rows),
        )

    async def version(self, args: a.NoArgs, ctx: RunContext) -> OperationResult:
        try:
            document = await self.cli.run_json(["version"])
        except MinikubeError as e:
            return failure("minikube version", e)
        version = str((document or {}).get("minikubeVersion", "unknown"))
        return OperationResult(status=Status.OK, text=f"minikube {version}.", data=dict(document or {}))


def _image_tags(stdout: str) -> list[str]:
    """Tags from `image ls --format=json`; older minikube prints one image per line instead."""
    try:
        images = json.loads(stdout)
    except json.JSONDecodeError:
        return sorted(line.strip() for line in stdout.splitlines() if line.strip())
    tags = [tag for image in images or [] for tag in (image.get("repoTags") or [image.get("id", "?")])]
    return sorted(tags)
