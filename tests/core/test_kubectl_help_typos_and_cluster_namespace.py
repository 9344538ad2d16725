"""The grammar's edges: `!help VERB` for every verb, typos suggest reads first, `-c CLUSTER`
uses that cluster's default namespace, advice names `!` commands."""

from __future__ import annotations

import pytest

from bot.app import build_app, default_operations
from bot.conversation.commands import BUILTINS, CommandError, parse
from bot.conversation.help import help_reply
from bot.domain.models import ReplyKind
from bot.settings.config import Settings
from tests.core.demo_ops import Backend, demo_operations
from tests.core.fixtures import Apps, make_config
from tests.core.helpers import msg
from tools.kubernetes.clusters import ClusterConfig, ClusterSet
from tools.registry import Registry


@pytest.fixture
def registry() -> Registry:
    return Registry(default_operations(Settings(), ClusterSet([])))


def test_help_works_for_every_verb_and_builtin(registry: Registry) -> None:
    verbs = {op.command.words[0] for op in registry} | set(BUILTINS) | {"rollout", "set"}
    for verb in sorted(verbs):
        reply = help_reply((verb,), registry)
        assert reply.kind is not ReplyKind.ERROR, verb
        assert "k8s_" not in reply.text and "helm_" not in reply.text, verb


def test_help_get_lists_its_short_flags_and_kubectl_examples(registry: Registry) -> None:
    text = help_reply(("get",), registry).text
    for flag in (
        "-A|--all-namespaces",
        "-l|--selector",
        "-o|--output wide|yaml|json|name",
        "--field-selector",
    ):
        assert flag in text
    assert "!get po -A" in text


def test_help_scale_and_rollout(registry: Registry) -> None:
    assert "!scale deployment <name> --replicas <replicas>" in help_reply(("scale",), registry).text
    rollout = help_reply(("rollout",), registry).text
    assert "!rollout status" in rollout and "!rollback deployment" in rollout and "undo" in rollout


@pytest.mark.parametrize(
    ("typo", "first"), [("!gte pods", "!get"), ("!descibe pod x", "!describe"), ("!lgos x", "!logs")]
)
def test_typos_suggest_the_closest_read_first(registry: Registry, typo: str, first: str) -> None:
    with pytest.raises(CommandError) as info:
        parse(typo, registry)
    assert f"Did you mean: {first}," in str(info.value) or f"Did you mean: {first}?" in str(info.value)


async def test_invalid_arguments_name_the_command_not_the_operation(apps: Apps, sqlite_url: str) -> None:
    backend = Backend()
    app = apps.keep(
        await build_app(make_config(sqlite_url), operations=demo_operations(backend), clusters=ClusterSet([]))
    )
    replies = await app.router.handle(msg("!demo scale web"))
    assert replies[0].text.startswith("!demo scale: missing argument 'replicas'")
    assert "demo_scale" not in replies[0].text


async def test_dash_c_uses_that_clusters_default_namespace(apps: Apps, sqlite_url: str, tmp_path) -> None:
    backend = Backend()
    clusters = ClusterSet(
        [
            ClusterConfig(name="prod", kubeconfig=tmp_path / "a", default_namespace="shop"),
            ClusterConfig(name="staging", kubeconfig=tmp_path / "b", default_namespace="qa"),
        ]
    )
    app = apps.keep(
        await build_app(make_config(sqlite_url), operations=demo_operations(backend), clusters=clusters)
    )
    await app.router.handle(msg("!demo get"))
    await app.router.handle(msg("!demo get -c staging"))
    await app.router.handle(msg("!demo get -c staging -n other"))
    await apps.close(app)
    # The channel's namespace is set as `!use` stores it (the demo backend cannot check one exists).
    app = apps.keep(
        await build_app(make_config(sqlite_url), operations=demo_operations(backend), clusters=clusters)
    )
    await app.store.set_channel_settings(platform="console", channel="ops", namespace="blue")
    await app.router.handle(msg("!demo get -c prod"))  # the channel's own cluster: its namespace
    await app.router.handle(msg("!demo get -c staging"))
    seen = [(run[1]["cluster"], run[1]["namespace"]) for run in backend.runs]
    assert seen == [
        ("prod", "shop"),
        ("staging", "qa"),
        ("staging", "other"),
        ("prod", "blue"),
        ("staging", "qa"),
    ]
