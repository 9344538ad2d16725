"""The composition root: settings → store → registry → policy → executor → router.

Built once at start and passed explicitly; no global state. Adapters receive
the `App` and talk only to `app.router`.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from pathlib import Path

from bot.conversation.builtins import BuiltinCommands
from bot.conversation.channels import ChannelDefaults
from bot.conversation.limit_store import open_limit_store
from bot.conversation.limits import Limits
from bot.conversation.router import Router
from bot.gate.approvals import ApprovalDesk, explain_state
from bot.gate.executor import Executor, ExecutorSettings
from bot.gate.identities import IdentityMap
from bot.gate.instance import InstanceLease, new_instance_id
from bot.gate.policy import Policy
from bot.settings.config import LoadedConfig, Settings
from storage.records import ApprovalRecord
from storage.store import Store
from tools.base import Operation
from tools.kubernetes.clusters import ClusterConfig, ClusterSet
from tools.redact import register_secret
from tools.registry import Registry


@dataclasses.dataclass
class App:
    config: LoadedConfig
    store: Store
    registry: Registry
    clusters: ClusterSet
    policy: Policy
    executor: Executor
    desk: ApprovalDesk
    router: Router
    lease: InstanceLease | None = None

    async def start(self) -> list[ApprovalRecord]:
        """Expire what is due and settle what dead processes left; returns rows to tell people about.

        From then on, each lease renewal settles what another process left when it died while
        this one runs, and tells the requester through the executor's notice."""
        await self.desk.expire_due()
        if self.lease is not None:
            self.lease.on_renew = self._settle_and_tell
        return await self.desk.reconcile()

    async def _settle_and_tell(self) -> None:
        for row in await self.desk.reconcile():
            await self.executor.notice(row, explain_state(row))

    async def close(self) -> None:
        if self.lease is not None:
            await self.lease.stop()
        if self.router.limits is not None:
            await self.router.limits.close()
        await self.store.close()


def cluster_set(settings: Settings) -> ClusterSet:
    """Configured clusters (default: every context of the default kubeconfig) plus managed ones."""
    managed = managed_clusters(settings.cluster_dir.expanduser())
    if not settings.clusters:
        return ClusterSet([*ClusterSet.from_default_kubeconfig(), *managed])
    configured = [
        ClusterConfig(
            name=c.name,
            kubeconfig=c.kubeconfig.expanduser() if c.kubeconfig else None,
            context=c.context,
            default_namespace=c.default_namespace,
        )
        for c in settings.clusters
    ]
    return ClusterSet([*configured, *managed])


def managed_clusters(directory: Path) -> list[ClusterConfig]:
    """Clusters added with `chatops cluster add`: one minimal kubeconfig per file."""
    if not directory.is_dir():
        return []
    found = []
    for path in sorted(directory.glob("*.kubeconfig")):
        # Each file holds one context; keep its namespace as the cluster's default.
        contexts = list(ClusterSet.from_default_kubeconfig(path))
        namespace = contexts[0].default_namespace if contexts else "default"
        found.append(ClusterConfig(name=path.stem, kubeconfig=path, default_namespace=namespace))
    return found


def default_operations(
    settings: Settings, clusters: ClusterSet, named: Mapping[str, str] | None = None
) -> list[Operation]:
    """Every operation of the configured tools; `named` holds the credentials the config names."""
    from tools.alertmanager import alertmanager_operations
    from tools.helm import HelmSettings, helm_operations
    from tools.kubernetes import kubernetes_operations
    from tools.minikube import MinikubeSettings, minikube_operations
    from tools.prometheus import prometheus_operations

    named = named or {}

    operations = list(
        kubernetes_operations(clusters=clusters, request_timeout_s=settings.tools.kubernetes_timeout_s)
    )
    helm = settings.helm
    operations += helm_operations(
        settings=HelmSettings(
            binary=helm.binary,
            repositories=dict(helm.repositories),
            chart_dir=helm.chart_dir,
            timeout_s=helm.timeout_s,
        ),
        clusters=clusters,
    )
    mk = settings.minikube
    operations += minikube_operations(
        settings=MinikubeSettings(binary=mk.binary, build_dir=mk.build_dir, timeout_s=mk.timeout_s)
    )
    operations += alertmanager_operations(
        endpoints=settings.alertmanager.to_endpoints(named), clusters=clusters
    )
    operations += prometheus_operations(
        settings=settings.prometheus.to_settings(named),
        clusters=clusters,
        request_timeout_s=settings.tools.kubernetes_timeout_s,
    )
    return operations


async def build_app(
    loaded: LoadedConfig,
    *,
    operations: Sequence[Operation] | None = None,
    clusters: ClusterSet | None = None,
    migrate: bool = True,
) -> App:
    settings = loaded.settings
    for value in loaded.secrets.values():
        register_secret(value)
    clusters = clusters if clusters is not None else cluster_set(settings)
    if operations is None:
        operations = default_operations(settings, clusters, loaded.secrets.named)
    registry = Registry(operations)
    audit_key = loaded.secrets.audit_key.encode() if loaded.secrets.audit_key else None
    store = await Store.open(loaded.database_url, audit_key=audit_key, migrate=migrate)
    policy = Policy(settings.policy)

    defaults = ChannelDefaults(store, clusters)

    executor = Executor(
        store=store,
        registry=registry,
        policy=policy,
        identities=IdentityMap(settings.identities),
        settings=ExecutorSettings(
            expiry_minutes=settings.policy.approvals.expiry_minutes,
            budget_tokens=settings.tools.output_budget_tokens,
            instance_id=new_instance_id(settings.server.instance_id),
            execution_lease_minutes=settings.policy.approvals.execution_lease_minutes,
        ),
        defaults=defaults,
    )
    lease = InstanceLease(
        store, instance_id=executor.settings.instance_id, lease_s=settings.server.instance_lease_s
    )
    try:
        await lease.start()  # before any approval can name this process as its owner
    except BaseException:
        await store.close()
        raise
    desk = ApprovalDesk(executor)
    builtins = BuiltinCommands(
        executor=executor, desk=desk, cluster_names=clusters.names(), channel_defaults=defaults
    )
    limits = Limits(settings.limits, open_limit_store(loaded.redis_url), metrics=executor.metrics)
    router = Router(executor=executor, desk=desk, builtins=builtins, limits=limits)
    if settings.llm.model:
        # Imported here: LangChain is loaded only when a model is configured.
        from bot.agent.agent import build_agent

        agent = build_agent(loaded, executor)
        router.agent = agent
        builtins.flows.complete = agent.complete
    return App(
        config=loaded,
        store=store,
        registry=registry,
        clusters=clusters,
        policy=policy,
        executor=executor,
        desk=desk,
        router=router,
        lease=lease,
    )
