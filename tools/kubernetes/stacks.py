"""`k8s_deploy_stack`: nginx, redis or postgres from templates shipped with the project.

Templates live in `tools/kubernetes/templates/*.yaml` with `${...}`
parameters; every parameter is validated before substitution, so the result
is plain YAML applied through the same server-side apply as `k8s_apply`.
A database password is generated at run time, stored only in the Secret, and
never shown; an existing password Secret is kept. No policy here.
"""

from __future__ import annotations

import dataclasses
import importlib.resources
import secrets
import string
from typing import Literal

from pydantic import Field, field_validator

from tools.base import (
    CommandSpec,
    NamespacedArgs,
    Operation,
    OperationResult,
    Preview,
    RunContext,
    Safety,
    check_dns1123_label,
)
from tools.kubernetes.apply import Doc, parse_manifest, preview_docs, run_docs
from tools.kubernetes.authorize import review
from tools.kubernetes.common import Kube, Scope, guard, guard_preview
from tools.kubernetes.errors import NotFound

Stack = Literal["nginx", "redis", "postgres"]
DEFAULT_VERSION = {"nginx": "1.27", "redis": "7.4", "postgres": "16"}
_PREVIEW_PASSWORD = "generated-at-run-time"  # noqa: S105 - a placeholder for the dry run, not a secret


class StackArgs(NamespacedArgs):
    stack: Stack = Field(description="which stack")
    name: str | None = Field(default=None, max_length=50, description="instance name; default: the stack")
    replicas: int = Field(default=1, ge=1, le=20, description="replicas (not postgres)")
    version: str | None = Field(
        default=None, max_length=40, pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]*$", description="image tag"
    )
    storage: str = Field(default="1Gi", pattern=r"^\d{1,4}(Mi|Gi)$", description="postgres volume size")
    service_type: Literal["ClusterIP", "NodePort", "LoadBalancer"] = Field(
        default="ClusterIP", description="service type"
    )

    @field_validator("name")
    @classmethod
    def _name(cls, value: str | None) -> str | None:
        return None if value is None else check_dns1123_label(value)


def render(args: StackArgs, *, namespace: str, password: str) -> str:
    source = (importlib.resources.files("tools.kubernetes") / "templates" / f"{args.stack}.yaml").read_text()
    return string.Template(source).substitute(
        name=args.name or args.stack,
        namespace=namespace,
        replicas=str(args.replicas),
        version=args.version or DEFAULT_VERSION[args.stack],
        storage=args.storage,
        service_type=args.service_type,
        password=password,
    )


async def _docs(scope: Scope, args: StackArgs, *, password: str) -> tuple[list[Doc], list[str]]:
    docs = parse_manifest(
        render(args, namespace=str(scope.namespace), password=password),
        default_namespace=str(scope.namespace),
        allow_secrets=True,
    )
    kept, notes = [], []
    for doc in docs:
        if doc.kind.name == "secret":
            try:
                await scope.client.get(doc.kind, doc.name, doc.namespace)
                notes.append(f"secret/{doc.name} exists and is kept")
                continue
            except NotFound:
                pass
        kept.append(doc)
    return kept, notes


def stack_operations(kube: Kube) -> list[Operation]:
    @guard_preview
    async def preview(args: StackArgs, ctx: RunContext) -> Preview:
        scope = await kube.scope(args, ctx)
        docs, notes = await _docs(scope, args, password=_PREVIEW_PASSWORD)
        shown = await preview_docs(kube, scope, docs)
        text = f"stack {args.stack} as {args.name or args.stack}\n{shown.text}" + "".join(
            f"\n- {n}" for n in notes
        )
        return dataclasses.replace(shown, text=text)

    @guard
    async def run(args: StackArgs, ctx: RunContext) -> OperationResult:
        scope = await kube.scope(args, ctx)
        docs, notes = await _docs(scope, args, password=secrets.token_urlsafe(24))
        result = await run_docs(kube, scope, ctx, docs)
        if notes:
            result = OperationResult(
                status=result.status,
                text=result.text + "\n" + "\n".join(notes),
                error=result.error,
                prior_state=result.prior_state,
            )
        return result

    async def authorize(args: StackArgs, ctx: RunContext) -> str | None:
        if ctx.identity is None:
            return None
        ns = args.namespace or kube.clients.cluster(args.cluster).default_namespace
        for doc in parse_manifest(
            render(args, namespace=ns, password=_PREVIEW_PASSWORD), default_namespace=ns, allow_secrets=True
        ):
            refusal = await review(
                kube,
                ctx,
                cluster_name=args.cluster,
                verb="patch",
                kind=doc.kind,
                namespace=doc.namespace,
                name=doc.name,
            )
            if refusal:
                return refusal
        return None

    return [
        Operation(
            name="k8s_deploy_stack",
            description="Deploy a packaged nginx, redis or postgres stack.",
            safety=Safety.WRITE,
            args_model=StackArgs,
            run=run,
            preview=preview,
            authorize=authorize,
            command=CommandSpec(
                words=("deploy", "stack"), positionals=("stack",), aliases={"-n": "namespace"}
            ),
        ),
    ]
