"""The slash commands: `/k8s`, `/ask`, `/approvals`, `/history` and typed shortcuts with autocomplete.

`/k8s command:<text>` is the `!` grammar without the `!`; `/ask` is plain text
for the agent; the shortcuts (`/get`, `/logs`, `/scale`, `/restart`,
`/rollback`) exist only when their operation is registered, and are turned
into the same `!` command text (`--field=value` flags), so they go through
the same parser, policy, approvals, history and audit as anything typed.
Callbacks only hand over to the adapter's handlers; nothing here runs or
decides anything.
"""

from __future__ import annotations

import dataclasses
import shlex
from collections.abc import Mapping, Sequence
from typing import Any, Protocol

import discord
from discord import app_commands

from tools.base import Operation
from tools.registry import Registry

KINDS = (
    "pods",
    "deployments",
    "services",
    "namespaces",
    "nodes",
    "events",
    "configmaps",
    "secrets",
    "ingresses",
)


class SlashHandlers(Protocol):
    async def on_slash(
        self, interaction: discord.Interaction[Any], *, text: str, as_command: bool
    ) -> None: ...

    async def suggest(self, interaction: discord.Interaction[Any], kind: str, current: str) -> list[str]: ...


@dataclasses.dataclass(frozen=True)
class Shortcuts:
    """Which operation each typed shortcut runs (a shortcut is left out if its operation is missing)."""

    get: str = "k8s_get"
    logs: str = "k8s_logs"
    scale: str = "k8s_scale_deployment"
    restart: str = "k8s_restart_deployment"
    rollback: str = "k8s_rollback_deployment"


def command_text(operation: Operation, values: Mapping[str, object]) -> str:
    """`!scale deployment --name=web --replicas=3`: unset values left out, every value quoted."""
    fields = operation.args_model.model_fields
    tokens = ["!" + " ".join(operation.command.words)]
    for field, value in values.items():
        if value is None or value is False or field not in fields:
            continue
        flag = "--" + field.replace("_", "-")
        tokens.append(flag if value is True else shlex.quote(f"{flag}={value}"))
    return " ".join(tokens)


def _choices(names: Sequence[str]) -> list[app_commands.Choice[str]]:
    return [app_commands.Choice(name=n[:100], value=n[:100]) for n in names[:25]]


def build_tree(
    client: discord.Client,
    *,
    handlers: SlashHandlers,
    registry: Registry,
    shortcuts: Shortcuts = Shortcuts(),
) -> app_commands.CommandTree[Any]:
    tree: app_commands.CommandTree[Any] = app_commands.CommandTree(client)

    async def suggest(
        interaction: discord.Interaction[Any], kind: str, current: str
    ) -> list[app_commands.Choice[str]]:
        return _choices(await handlers.suggest(interaction, kind, current))

    async def namespaces(i: discord.Interaction[Any], current: str) -> list[app_commands.Choice[str]]:
        return await suggest(i, "namespace", current)

    async def deployments(i: discord.Interaction[Any], current: str) -> list[app_commands.Choice[str]]:
        return await suggest(i, "deployment", current)

    async def pods(i: discord.Interaction[Any], current: str) -> list[app_commands.Choice[str]]:
        return await suggest(i, "pod", current)

    async def clusters(i: discord.Interaction[Any], current: str) -> list[app_commands.Choice[str]]:
        return await suggest(i, "cluster", current)

    async def kinds(_: discord.Interaction[Any], current: str) -> list[app_commands.Choice[str]]:
        return _choices([k for k in KINDS if current.lower() in k])

    @tree.command(
        name="k8s", description="Run a command, e.g. `get pods -n web` (the ! grammar; try `help`)."
    )
    @app_commands.describe(command="the command without the leading !")
    async def k8s(interaction: discord.Interaction[Any], command: app_commands.Range[str, 1, 1900]) -> None:
        await handlers.on_slash(interaction, text=command, as_command=True)

    @tree.command(name="ask", description="Ask the assistant in plain words.")
    @app_commands.describe(question="what you want to know or do")
    async def ask(interaction: discord.Interaction[Any], question: app_commands.Range[str, 1, 1900]) -> None:
        await handlers.on_slash(interaction, text=question, as_command=False)

    @tree.command(name="approvals", description="Approvals waiting for you.")
    async def approvals(interaction: discord.Interaction[Any]) -> None:
        await handlers.on_slash(interaction, text="!approvals", as_command=True)

    @tree.command(name="history", description="Recent requests in this conversation.")
    async def history(interaction: discord.Interaction[Any]) -> None:
        await handlers.on_slash(interaction, text="!history", as_command=True)

    async def run(interaction: discord.Interaction[Any], name: str, values: Mapping[str, object]) -> None:
        operation = registry.get(name)
        # Unregistered since the sync: help says what there is, instead of failing.
        text = f"!help {name}" if operation is None else command_text(operation, values)
        await handlers.on_slash(interaction, text=text, as_command=True)

    if registry.get(shortcuts.get) is not None:

        @tree.command(name="get", description="List or show objects of one kind.")
        @app_commands.autocomplete(kind=kinds, namespace=namespaces, cluster=clusters)
        async def get(
            interaction: discord.Interaction[Any],
            kind: str,
            name: str | None = None,
            namespace: str | None = None,
            cluster: str | None = None,
        ) -> None:
            values = {"kind": kind, "name": name, "namespace": namespace, "cluster": cluster}
            await run(interaction, shortcuts.get, values)

    if registry.get(shortcuts.logs) is not None:

        @tree.command(name="logs", description="The last lines of a pod's log.")
        @app_commands.autocomplete(pod=pods, namespace=namespaces, cluster=clusters)
        async def logs(
            interaction: discord.Interaction[Any],
            pod: str,
            namespace: str | None = None,
            container: str | None = None,
            tail: app_commands.Range[int, 1, 5000] | None = None,
            cluster: str | None = None,
        ) -> None:
            values = {
                "name": pod,
                "namespace": namespace,
                "container": container,
                "tail": tail,
                "cluster": cluster,
            }
            await run(interaction, shortcuts.logs, values)

    if registry.get(shortcuts.scale) is not None:

        @tree.command(name="scale", description="Scale a deployment (asks for an approval).")
        @app_commands.autocomplete(deployment=deployments, namespace=namespaces, cluster=clusters)
        async def scale(
            interaction: discord.Interaction[Any],
            deployment: str,
            replicas: app_commands.Range[int, 0, 1000],
            namespace: str | None = None,
            cluster: str | None = None,
        ) -> None:
            values = {"name": deployment, "replicas": replicas, "namespace": namespace, "cluster": cluster}
            await run(interaction, shortcuts.scale, values)

    if registry.get(shortcuts.restart) is not None:

        @tree.command(name="restart", description="Restart a deployment's pods (asks for an approval).")
        @app_commands.autocomplete(deployment=deployments, namespace=namespaces, cluster=clusters)
        async def restart(
            interaction: discord.Interaction[Any],
            deployment: str,
            namespace: str | None = None,
            cluster: str | None = None,
        ) -> None:
            values = {"name": deployment, "namespace": namespace, "cluster": cluster}
            await run(interaction, shortcuts.restart, values)

    if registry.get(shortcuts.rollback) is not None:

        @tree.command(name="rollback", description="Roll a deployment back (asks for an approval).")
        @app_commands.autocomplete(deployment=deployments, namespace=namespaces, cluster=clusters)
        async def rollback(
            interaction: discord.Interaction[Any],
            deployment: str,
            revision: app_commands.Range[int, 1] | None = None,
            namespace: str | None = None,
            cluster: str | None = None,
        ) -> None:
            values = {"name": deployment, "revision": revision, "namespace": namespace, "cluster": cluster}
            await run(interaction, shortcuts.rollback, values)

    return tree
