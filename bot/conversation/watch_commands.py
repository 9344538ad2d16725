"""`!watch`, `!unwatch`, `!watches`: a channel subscribes to the cluster's events in chat.

`!watch` stores a subscription for the request's place (platform and channel;
the router is platform-neutral) after checking, in this order: the role
(`policy.watch_role`), that cluster-event cards are on at all (`alerts.enabled`),
the words, the cluster, that the requester may read the namespace here (the
policy) and that it exists (a read through the gate as the requester); `all`
needs every namespace to be readable. Each (un)subscription, and each refusal by
role, is an audit fact. The leader's watch reads the subscriptions from storage
on its rounds (`bot/alerts`); nothing here starts or posts anything.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence

from bot.conversation.channels import ChannelDefaults, namespace_missing
from bot.conversation.watch_args import (
    ALL,
    WatchArgs,
    WatchArgsError,
    describe_filters,
    parse_watch_args,
)
from bot.domain.events import AuditEvent
from bot.domain.models import Reply, ReplyKind
from bot.domain.outcomes import RequestContext
from bot.gate.policy import Policy, Role, Verdict
from bot.gate.ports import AuditLog, OperationGateway
from storage.store import Store
from tools.base import Safety, Status, Table, Target, check_dns1123_label
from tools.registry import Registry

Handler = Callable[[tuple[str, ...], RequestContext], Awaitable[list[Reply]]]


def _where(namespace: str, cluster: str) -> str:
    return (
        f"every namespace of cluster {cluster}"
        if namespace == ""
        else f"namespace {namespace} of cluster {cluster}"
    )


class WatchCommands:
    def __init__(
        self,
        *,
        store: Store,
        policy: Policy,
        audit: AuditLog,
        gateway: OperationGateway,
        registry: Registry,
        channel_defaults: ChannelDefaults,
        cluster_names: Sequence[str],
        cards_enabled: bool,
    ) -> None:
        self._store = store
        self._policy = policy
        self._audit = audit
        self._gateway = gateway
        self._registry = registry
        self._defaults = channel_defaults
        self._clusters = list(cluster_names)
        self._cards_enabled = cards_enabled

    def handlers(self) -> dict[str, Handler]:
        return {"watch": self.watch, "unwatch": self.unwatch, "watches": self.watches}

    async def watch(self, args: tuple[str, ...], ctx: RequestContext) -> list[Reply]:
        refused = await self._refused_by_role(AuditEvent.WATCH_SUBSCRIBED, args, ctx)
        if refused:
            return refused
        if not self._cards_enabled:
            return [
                _error(
                    "Cluster-event cards are off in this bot (alerts.enabled in its config); ask an admin."
                )
            ]
        try:
            wanted = parse_watch_args(args, filters=True)
        except WatchArgsError as e:
            return [_error(str(e))]
        cluster, namespace, problem = await self._place(wanted, ctx)
        if problem is None:
            problem = await self._unreadable(cluster, namespace, ctx)
        if problem is not None:
            return [_error(problem)]
        await self._store.watch_subscriptions.subscribe(
            platform=ctx.principal.platform,
            channel=ctx.channel,
            cluster=cluster,
            namespace=namespace,
            kinds=wanted.kinds,
            reasons=wanted.reasons,
            created_by=f"{ctx.principal.platform}:{ctx.principal.user_id}",
        )
        detail = {"cluster": cluster, "namespace": namespace or ALL, "kinds": list(wanted.kinds)}
        await self._audit.record(
            AuditEvent.WATCH_SUBSCRIBED, ctx, status="ok", detail=detail | {"reasons": list(wanted.reasons)}
        )
        filters = describe_filters(wanted.kinds, wanted.reasons)
        return [
            Reply(
                f"This channel now gets a card for each problem in {_where(namespace, cluster)} ({filters})."
            )
        ]

    async def unwatch(self, args: tuple[str, ...], ctx: RequestContext) -> list[Reply]:
        refused = await self._refused_by_role(AuditEvent.WATCH_UNSUBSCRIBED, args, ctx)
        if refused:
            return refused
        try:
            wanted = parse_watch_args(args, filters=False)
        except WatchArgsError as e:
            return [_error(str(e))]
        cluster, namespace, problem = await self._place(wanted, ctx)
        if problem is not None:
            return [_error(problem)]
        removed = await self._store.watch_subscriptions.unsubscribe(
            platform=ctx.principal.platform, channel=ctx.channel, cluster=cluster, namespace=namespace
        )
        if not removed:
            return [
                _error(
                    f"This channel does not watch {_where(namespace, cluster)}; `!watches` lists what it does."
                )
            ]
        detail = {"cluster": cluster, "namespace": namespace or ALL}
        await self._audit.record(AuditEvent.WATCH_UNSUBSCRIBED, ctx, status="ok", detail=detail)
        return [Reply(f"This channel no longer gets cards for {_where(namespace, cluster)}.")]

    async def watches(self, args: tuple[str, ...], ctx: RequestContext) -> list[Reply]:
        if args:
            return [_error("!watches takes no arguments; it lists this channel's watches.")]
        rows = await self._store.watch_subscriptions.for_place(
            platform=ctx.principal.platform, channel=ctx.channel
        )
        if not rows:
            return [Reply("This channel watches nothing; `!watch [namespace|all]` subscribes it.")]
        table = Table(
            ("cluster", "namespace", "kinds", "reasons", "by", "since"),
            tuple(
                (
                    r.cluster,
                    r.namespace or ALL,
                    ", ".join(r.kinds) or "all",
                    ", ".join(r.reasons) or "all",
                    r.created_by,
                    r.created_at.strftime("%Y-%m-%d %H:%M UTC"),
                )
                for r in rows
            ),
        )
        return [Reply(f"This channel watches {len(rows)} place(s):", table=table)]

    # -- checks ------------------------------------------------------------------------------
    async def _refused_by_role(
        self, event: AuditEvent, args: tuple[str, ...], ctx: RequestContext
    ) -> list[Reply]:
        role, needed = self._policy.role_of(ctx.principal), Role(self._policy.settings.watch_role)
        if role.rank >= needed.rank:
            return []
        await self._audit.record(event, ctx, status="refused", detail={"args": " ".join(args)[:200]})
        sentence = (
            f"Refused: subscribing this channel to cluster events needs the {needed.value} role; "
            f"you are {role.value}."
        )
        return [Reply(sentence, kind=ReplyKind.DENIED)]

    async def _place(self, wanted: WatchArgs, ctx: RequestContext) -> tuple[str, str, str | None]:
        """(cluster, namespace with "" for all, a sentence when either is wrong)."""
        default_cluster, default_namespace = await self._defaults(
            ctx.principal.platform, ctx.channel, wanted.cluster
        )
        cluster = wanted.cluster or default_cluster
        if cluster is None or cluster not in self._clusters:
            known = ", ".join(self._clusters) or "none configured"
            return "", "", f"Unknown cluster '{cluster or ''}' (known: {known})."
        namespace = wanted.namespace or default_namespace
        if namespace is None:
            return cluster, "", "This channel has no default namespace; name one, or all."
        if namespace == ALL:
            return cluster, "", None
        try:
            check_dns1123_label(namespace, what="namespace")
        except ValueError as e:
            return cluster, namespace, f"{e}."
        return cluster, namespace, None

    async def _unreadable(self, cluster: str, namespace: str, ctx: RequestContext) -> str | None:
        """A sentence when the requester may not read what the cards would show here, else None."""
        if namespace:
            blocked = self._blocked(cluster, [namespace], ctx)
            if blocked:
                return (
                    f"Refused: you may not read namespace {namespace} of cluster {cluster} in this channel."
                )
            return await namespace_missing(self._registry, self._gateway, namespace, ctx, cluster=cluster)
        outcome = await self._gateway.submit(
            "k8s_get",
            {"kind": "namespace", "cluster": cluster, "output": "name"},
            ctx,
            file_approvals=False,
        )
        table = outcome.result.table if outcome.result is not None else None
        if outcome.status is not Status.OK or table is None:
            why = (
                "too many to list"
                if outcome.status is Status.OK
                else outcome.text.splitlines()[0].rstrip(".")
            )
            return (
                f"Cannot check that you may read every namespace of cluster {cluster} ({why}); "
                "watch namespaces one by one instead."
            )
        names = [str(row[0]).removeprefix("namespace/") for row in table.rows]
        blocked = self._blocked(cluster, names, ctx)
        if blocked:
            return (
                f"Refused: watching every namespace needs read access to all of them; you may not read "
                f"{', '.join(blocked[:5])} in this channel. Watch the others one by one."
            )
        return None

    def _blocked(self, cluster: str, namespaces: Sequence[str], ctx: RequestContext) -> list[str]:
        """The namespaces where a read by this requester in this channel would not simply run."""
        return [
            ns
            for ns in namespaces
            if self._policy.decide(
                principal=ctx.principal, channel=ctx.channel, safety=Safety.READ, target=Target(cluster, ns)
            ).verdict
            is not Verdict.ALLOW
        ]


def _error(text: str) -> Reply:
    return Reply(text, kind=ReplyKind.ERROR)
