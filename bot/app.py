"""The composition root: settings → store → ports → gate → delivery → agent → router.

Everything is built once here, in dependency order, and handed its
dependencies at construction; no global state, and no object wires itself
into another afterwards. Adapters receive the `App`: they talk to
`app.router`, register their `ChatSurface` with `app.surfaces` at start and
keep their approval cards in `app.cards`; the alerts service registers its
button handler with `app.alert_clicks` at start.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from bot.agent.flows import Flows
from bot.conversation.alert_clicks import AlertClicks
from bot.conversation.builtins import BuiltinCommands
from bot.conversation.channels import ChannelDefaults
from bot.conversation.delivery import CardBoard, Notices, ProgressBoard, SurfaceRegistry
from bot.conversation.follow_ups import BackgroundFollowUps
from bot.conversation.limit_store import open_limit_store
from bot.conversation.limits import Limits
from bot.conversation.router import Router
from bot.conversation.watch_commands import WatchCommands
from bot.gate.approvals import ApprovalDesk
from bot.gate.approved import ApprovedRuns
from bot.gate.audit import AuditListener, Auditor
from bot.gate.audit_log import RequestAudit
from bot.gate.completions import Completions
from bot.gate.executor import Executor
from bot.gate.filing import ApprovalFiling
from bot.gate.identities import IdentityMap
from bot.gate.instance import InstanceLease, new_instance_id
from bot.gate.metrics import Metrics
from bot.gate.policy import Policy
from bot.gate.settling import Settling
from bot.settings.config import LoadedConfig, Settings
from storage.records import ApprovalRecord
from storage.store import Store
from tools.base import Operation
from tools.kubernetes.clusters import ClusterConfig, ClusterSet
from tools.redact import register_secret
from tools.registry import Registry

if TYPE_CHECKING:
    from bot.agent.agent import Agent


@dataclasses.dataclass
class App:
    config: LoadedConfig
    store: Store
    registry: Registry
    clusters: ClusterSet
    policy: Policy
    metrics: Metrics
    executor: Executor
    desk: ApprovalDesk
    router: Router
    surfaces: SurfaceRegistry
    cards: CardBoard
    notices: Notices
    instance_id: str
    alert_clicks: AlertClicks
    audit: RequestAudit | None = None  # the one audit writer (its listeners send the webhooks)
    agent: Agent | None = None  # with a configured model
    limits: Limits | None = None
    settling: Settling | None = None
    lease: InstanceLease | None = None

    async def start(self) -> list[ApprovalRecord]:
        """Expire what is due and settle what dead processes left; returns rows to tell people about.

        From then on, each lease renewal settles what another process left when it died while
        this one runs, and tells the requester through the notices."""
        await self.desk.expire_due()
        if self.settling is not None:
            self.settling.activate()
        return await self.desk.reconcile()

    async def close(self) -> None:
        if self.lease is not None:
            await self.lease.stop()
        if self.limits is not None:
            await self.limits.close()
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
    metrics: Metrics | None = None,
    audit_listeners: Sequence[AuditListener] = (),
) -> App:
    """`metrics` and `audit_listeners` (webhooks) come from the service when it runs one."""
    settings = loaded.settings
    for value in loaded.secrets.values():
        register_secret(value)
    clusters = clusters if clusters is not None else cluster_set(settings)
    if operations is None:
        operations = default_operations(settings, clusters, loaded.secrets.named)
    registry = Registry(operations)
    audit_key = loaded.secrets.audit_key.encode() if loaded.secrets.audit_key else None
    store = await Store.open(loaded.database_url, audit_key=audit_key, migrate=migrate)
    lease: InstanceLease | None = None
    try:
        policy = Policy(settings.policy)
        identities = IdentityMap(settings.identities)
        metrics = metrics or Metrics()
        audit = RequestAudit(Auditor(store, listeners=audit_listeners))
        instance_id = new_instance_id(settings.server.instance_id)
        approvals = settings.policy.approvals
        budget_tokens = settings.tools.output_budget_tokens

        surfaces = SurfaceRegistry()
        cards = CardBoard(store, surfaces)
        notices = Notices(surfaces, cards, ProgressBoard(surfaces, cards))
        completions = Completions()
        defaults = ChannelDefaults(store, clusters)

        runs = ApprovedRuns(
            registry=registry,
            policy=policy,
            identities=identities,
            approvals=store,
            audit=audit,
            notifier=notices,
            completions=completions,
            metrics=metrics,
            instance_id=instance_id,
            budget_tokens=budget_tokens,
        )
        filing = ApprovalFiling(
            policy=policy,
            identities=identities,
            audit=audit,
            metrics=metrics,
            expiry=dt.timedelta(minutes=approvals.expiry_minutes),
            budget_tokens=budget_tokens,
        )
        executor = Executor(
            registry=registry,
            policy=policy,
            identities=identities,
            audit=audit,
            filing=filing,
            runs=runs,
            metrics=metrics,
            budget_tokens=budget_tokens,
            defaults=defaults,
        )
        desk = ApprovalDesk(
            approvals=store,
            instances=store.instances,
            policy=policy,
            audit=audit,
            metrics=metrics,
            executor=executor,
            registry=registry,
            instance_id=instance_id,
            execution_lease=dt.timedelta(minutes=approvals.execution_lease_minutes),
        )
        agent = _agent(
            loaded, registry=registry, executor=executor, store=store, audit=audit, metrics=metrics
        )
        flows = Flows(registry=registry, gateway=executor, analyse=agent.analyse if agent else None)
        builtins = BuiltinCommands(
            gateway=executor,
            registry=registry,
            desk=desk,
            store=store,
            policy=policy,
            identities=identities,
            audit=audit,
            flows=flows,
            cluster_names=clusters.names(),
            channel_defaults=defaults,
            watches=WatchCommands(
                store=store,
                policy=policy,
                audit=audit,
                gateway=executor,
                registry=registry,
                channel_defaults=defaults,
                cluster_names=clusters.names(),
                cards_enabled=settings.alerts.enabled,
            ),
        )
        limits = Limits(settings.limits, open_limit_store(loaded.redis_url), metrics=metrics)
        if agent is not None:  # a change it asked for that ran in the background: its word after
            completions.follow(BackgroundFollowUps(agent, notices, limits=limits, metrics=metrics))
        alert_clicks = AlertClicks()
        router = Router(
            gateway=executor,
            background=executor,
            desk=desk,
            builtins=builtins,
            registry=registry,
            store=store,
            audit=audit,
            metrics=metrics,
            notifier=notices,
            agent=agent,
            limits=limits,
            alert_clicks=alert_clicks,
        )
        settling = Settling(desk, notices)
        lease = InstanceLease(
            store, instance_id=instance_id, lease_s=settings.server.instance_lease_s, on_renew=settling
        )
        await lease.start()  # before any approval can name this process as its owner
    except BaseException:
        if lease is not None:
            await lease.stop()
        await store.close()
        raise
    return App(
        config=loaded,
        store=store,
        registry=registry,
        clusters=clusters,
        policy=policy,
        metrics=metrics,
        executor=executor,
        desk=desk,
        router=router,
        surfaces=surfaces,
        cards=cards,
        notices=notices,
        instance_id=instance_id,
        alert_clicks=alert_clicks,
        audit=audit,
        agent=agent,
        limits=limits,
        settling=settling,
        lease=lease,
    )


def _agent(
    loaded: LoadedConfig,
    *,
    registry: Registry,
    executor: Executor,
    store: Store,
    audit: RequestAudit,
    metrics: Metrics,
) -> Agent | None:
    """The language-model agent when a model is configured (LangChain is loaded only then)."""
    if not loaded.settings.llm.model:
        return None
    from bot.agent.agent import AgentDeps, build_agent

    deps = AgentDeps(registry=registry, gateway=executor, store=store, audit=audit, metrics=metrics)
    return build_agent(loaded, deps)
