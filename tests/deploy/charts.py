"""Run the real helm against the chart and hand back parsed manifests.

Test helper only: renders and lints `deploy/chatops` with given values (written
to a file, never passed as --set strings, so types stay as written). It does
not judge the output; the tests do.
"""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import yaml

REPO = Path(__file__).resolve().parents[2]
CHART = REPO / "deploy" / "chatops"
TIMEOUT_S = 30.0


@dataclasses.dataclass(frozen=True)
class HelmRun:
    returncode: int
    stdout: str
    stderr: str


@dataclasses.dataclass(frozen=True)
class Helm:
    binary: Path
    workdir: Path

    async def run(self, *args: str) -> HelmRun:
        # Helm's own state goes to the test's temp dir, never the user's home.
        env = {
            "HOME": str(self.workdir),
            "HELM_CACHE_HOME": str(self.workdir / "cache"),
            "HELM_CONFIG_HOME": str(self.workdir / "config"),
            "HELM_DATA_HOME": str(self.workdir / "data"),
            "PATH": "/usr/bin:/bin",
        }
        process = await asyncio.create_subprocess_exec(
            str(self.binary),
            *args,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
            env=env,
        )
        stdout, stderr = await asyncio.wait_for(process.communicate(), TIMEOUT_S)
        assert process.returncode is not None
        return HelmRun(process.returncode, stdout.decode(), stderr.decode())

    def values_file(self, values: Mapping[str, Any], *, name: str = "values.yaml") -> Path:
        path = self.workdir / name
        path.write_text(yaml.safe_dump(dict(values)), encoding="utf-8")
        return path

    async def lint(self, values: Mapping[str, Any] | None = None) -> HelmRun:
        extra = ["--values", str(self.values_file(values))] if values else []
        return await self.run("lint", "--strict", str(CHART), *extra)

    async def template_run(self, values: Mapping[str, Any] | None = None) -> HelmRun:
        extra = ["--values", str(self.values_file(values))] if values else []
        return await self.run("template", "bot", str(CHART), "--namespace", "ops", *extra)

    async def render(self, values: Mapping[str, Any] | None = None) -> list[dict[str, Any]]:
        result = await self.template_run(values)
        assert result.returncode == 0, result.stderr
        return [doc for doc in yaml.safe_load_all(result.stdout) if doc]


def of_kind(manifests: list[dict[str, Any]], kind: str) -> list[dict[str, Any]]:
    return [m for m in manifests if m["kind"] == kind]


def named(manifests: list[dict[str, Any]], kind: str, suffix: str) -> dict[str, Any] | None:
    matches = [m for m in of_kind(manifests, kind) if m["metadata"]["name"].endswith(suffix)]
    assert len(matches) <= 1
    return matches[0] if matches else None


def rules(manifests: list[dict[str, Any]]) -> Iterator[tuple[str, dict[str, Any]]]:
    """(role name, rule) for every rule of every Role and ClusterRole."""
    for manifest in manifests:
        if manifest["kind"] in ("Role", "ClusterRole"):
            for rule in manifest.get("rules") or []:
                yield manifest["metadata"]["name"], rule


def container(manifests: list[dict[str, Any]]) -> dict[str, Any]:
    (deployment,) = of_kind(manifests, "Deployment")
    (only,) = deployment["spec"]["template"]["spec"]["containers"]
    return dict(only)


Grant = tuple[str, str, str]


def granted(
    manifests: list[dict[str, Any]], *, account: str = "bot-chatops", namespace: str = "ops"
) -> dict[str | None, set[Grant]]:
    """What the ServiceAccount may do: {None: cluster-wide grants, namespace: that namespace's}.

    Follows the bindings (a role nobody binds grants nothing); resourceNames-limited rules
    (impersonation) are left out: they grant nothing on whole resources."""
    roles = {
        (m["kind"], m["metadata"].get("namespace"), m["metadata"]["name"]): m
        for m in manifests
        if m["kind"] in ("Role", "ClusterRole")
    }
    result: dict[str | None, set[Grant]] = {}
    for binding in manifests:
        if binding["kind"] not in ("RoleBinding", "ClusterRoleBinding"):
            continue
        subject = {"kind": "ServiceAccount", "name": account, "namespace": namespace}
        if subject not in binding["subjects"]:
            continue
        ref = binding["roleRef"]
        scope = binding["metadata"].get("namespace") if binding["kind"] == "RoleBinding" else None
        role_ns = scope if ref["kind"] == "Role" else None
        role = roles[(ref["kind"], role_ns, ref["name"])]
        for rule in role.get("rules") or []:
            if rule.get("resourceNames"):
                continue
            result.setdefault(scope, set()).update(
                (g, r, v) for g in rule["apiGroups"] for r in rule["resources"] for v in rule["verbs"]
            )
    return result
