"""`k8s_apply`: server-side apply of a multi-document YAML manifest.

Documents are parsed with `tools.parsing.load_yaml_all` (bounded), checked against the
allow-listed kinds (Secrets are refused: their values would sit in the
approval row) and applied with field manager `chatops`. The preview dry-runs
every document and shows each object's full effect (every field path that
changes, metadata included; `tools.effects`); the binding holds each existing object's resourceVersion, which
the run sends back so a change since approval gives a 409. No policy here.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from pydantic import Field, field_validator

from tools.base import (
    CommandSpec,
    NamespacedArgs,
    Operation,
    OperationResult,
    Preview,
    RunContext,
    Safety,
    Status,
)
from tools.effects import summarise_effects
from tools.effects.typed import typed_secret_in_manifest
from tools.kubernetes.authorize import review
from tools.kubernetes.common import Explained, Kube, Scope, guard, guard_preview, meta
from tools.kubernetes.effects import effect_of, effect_preview
from tools.kubernetes.errors import KubeError, NotFound, changed_since_approval
from tools.kubernetes.kinds import ResourceKind, kind_for_manifest
from tools.kubernetes.writes import manifest_yaml, rv
from tools.parsing import ParseRefused, load_yaml_all

MAX_DOCS = 30


class ApplyArgs(NamespacedArgs):
    manifest: str = Field(
        min_length=1, max_length=65536, description="YAML manifest (may hold several documents)"
    )

    @field_validator("manifest")
    @classmethod
    def _no_typed_secrets(cls, value: str) -> str:
        secret = typed_secret_in_manifest(value)
        if secret:
            raise ValueError(secret)
        return value


@dataclasses.dataclass(frozen=True)
class Doc:
    kind: ResourceKind
    namespace: str | None
    name: str
    body: dict[str, Any]

    @property
    def key(self) -> str:
        return f"rv:{self.kind.kind}/{self.namespace or ''}/{self.name}"

    @property
    def label(self) -> str:
        return f"{self.kind.name}/{self.name}" + (f" in {self.namespace}" if self.namespace else "")


def parse_manifest(text: str, *, default_namespace: str, allow_secrets: bool = False) -> list[Doc]:
    try:
        raw = [d for d in load_yaml_all(text, what="the manifest") if d is not None]
    except ParseRefused as error:  # bounded: aliases, depth and size are checked before building
        raise Explained(str(error)) from None
    if not raw:
        raise Explained("the manifest is empty; send YAML in a code block")
    if len(raw) > MAX_DOCS:
        raise Explained(f"the manifest has {len(raw)} documents; send at most {MAX_DOCS} at a time")
    docs = []
    for index, doc in enumerate(raw, start=1):
        if not isinstance(doc, dict) or not isinstance(doc.get("metadata"), dict):
            raise Explained(f"document {index} is not a Kubernetes object (apiVersion, kind, metadata)")
        kind = kind_for_manifest(str(doc.get("apiVersion")), str(doc.get("kind")))
        if kind is None or kind.name in ("event",):
            raise Explained(
                f"document {index}: {doc.get('apiVersion')} {doc.get('kind')} is not a kind the bot may apply"
            )
        if kind.name == "secret" and not allow_secrets:
            raise Explained(
                f"document {index} is a Secret; the bot does not apply Secrets from chat because "
                "their values would be stored in the approval; create it another way"
            )
        name = str(doc["metadata"].get("name") or "")
        if not name:
            raise Explained(f"document {index} ({kind.kind}) has no metadata.name")
        namespace = str(doc["metadata"].get("namespace") or default_namespace) if kind.namespaced else None
        body = {**doc, "metadata": {**doc["metadata"], **({"namespace": namespace} if namespace else {})}}
        docs.append(Doc(kind=kind, namespace=namespace, name=name, body=body))
    return docs


async def _current(scope: Scope, doc: Doc) -> dict[str, Any] | None:
    try:
        return await scope.client.get(doc.kind, doc.name, doc.namespace)
    except NotFound:
        return None


async def _apply(
    kube: Kube, scope: Scope, doc: Doc, body: dict[str, Any], *, dry_run: bool
) -> dict[str, Any]:
    call = scope.client.patch(
        doc.kind, doc.name, doc.namespace, body, patch_type="apply", dry_run=dry_run, force=True
    )
    narrowed = dataclasses.replace(scope, namespace=doc.namespace)
    return await kube.attempt(narrowed, narrowed.action("patch", doc.kind, doc.name), doc.kind, call)


async def preview_docs(kube: Kube, scope: Scope, docs: list[Doc]) -> Preview:
    binding: dict[str, str] = {}
    effects = []
    for doc in docs:
        current = await _current(scope, doc)
        after = await _apply(kube, scope, doc, doc.body, dry_run=True)
        binding[doc.key] = rv(current) if current is not None else ""
        if current is not None:
            binding.setdefault("resourceVersion", rv(current))
            binding.setdefault("uid", str(meta(current).get("uid") or ""))
        effects.append(effect_of(doc.kind, doc.name, doc.namespace, old=current, new=after))
    summary = f"{scope.header}: apply {summarise_effects(effects)}"
    return effect_preview(summary, effects, binding=binding)


async def run_docs(kube: Kube, scope: Scope, ctx: RunContext, docs: list[Doc]) -> OperationResult:
    done: list[str] = []
    prior: list[str | None] = []
    for doc in docs:
        current = await _current(scope, doc)
        expected = ctx.binding.get(doc.key)
        body = doc.body
        if expected and current is not None:
            body = {**body, "metadata": {**body["metadata"], "resourceVersion": expected}}
        try:
            await _apply(kube, scope, doc, body, dry_run=False)
        except Explained as error:
            cause = error
            if current is not None and expected and rv(current) != expected:
                narrowed = dataclasses.replace(scope, namespace=doc.namespace)
                cause = Explained(
                    changed_since_approval(
                        narrowed.action("patch", doc.kind, doc.name), expected=expected, actual=rv(current)
                    )
                )
            text = f"{scope.header}\napplied {len(done)} of {len(docs)}: {', '.join(done) or 'none'}; {cause}"
            return OperationResult(status=Status.ERROR, text=text, error=str(cause))
        done.append(f"{doc.label} {'configured' if current else 'created'}")
        prior.append(manifest_yaml(current) if current is not None else None)
    return OperationResult(
        status=Status.OK, text=f"{scope.header}\n" + "\n".join(done), prior_state={"objects": prior}
    )


def apply_operations(kube: Kube) -> list[Operation]:
    @guard_preview
    async def preview(args: ApplyArgs, ctx: RunContext) -> Preview:
        scope = await kube.scope(args, ctx)
        return await preview_docs(
            kube, scope, parse_manifest(args.manifest, default_namespace=str(scope.namespace))
        )

    @guard
    async def run(args: ApplyArgs, ctx: RunContext) -> OperationResult:
        scope = await kube.scope(args, ctx)
        return await run_docs(
            kube, scope, ctx, parse_manifest(args.manifest, default_namespace=str(scope.namespace))
        )

    async def authorize(args: ApplyArgs, ctx: RunContext) -> str | None:
        if ctx.identity is None:
            return None
        try:
            cluster = kube.clients.cluster(args.cluster)
            docs = parse_manifest(
                args.manifest, default_namespace=args.namespace or cluster.default_namespace
            )
        except KubeError as error:
            return str(error)
        client = await kube.clients.client(cluster, None)
        for doc in docs:
            # Server-side apply is a PATCH; on an object that does not exist yet it also needs `create`.
            verbs = ["patch"]
            try:
                await client.get(doc.kind, doc.name, doc.namespace if doc.kind.namespaced else None)
            except NotFound:
                verbs.append("create")
            except KubeError as error:
                return str(error)
            for verb in verbs:
                refusal = await review(
                    kube,
                    ctx,
                    cluster_name=args.cluster,
                    verb=verb,
                    kind=doc.kind,
                    namespace=doc.namespace,
                    name=None if verb == "create" else doc.name,
                )
                if refusal:
                    return refusal
        return None

    return [
        Operation(
            name="k8s_apply",
            description="Server-side apply a YAML manifest (no Secrets).",
            safety=Safety.WRITE,
            args_model=ApplyArgs,
            run=run,
            preview=preview,
            command=CommandSpec(words=("apply",), aliases={"-n": "namespace"}, code_block_field="manifest"),
            authorize=authorize,
        ),
    ]
