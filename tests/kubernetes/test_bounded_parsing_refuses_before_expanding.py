"""User text becomes a structure only within limits checked before anything is built.

A 3.7 KB "billion laughs" manifest is refused with one sentence and the cluster
never hears of it; recursive aliases, deep nesting and oversized JSON are refused
the same way; ordinary aliases still work. A cluster that drips its answer
cannot keep the request's thread alive: the client gives up at its deadline and
closes the connection (the server sees it go).
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from aiohttp import web

from tests.fake_k8s.plugin import write_kubeconfig
from tests.fake_k8s.server import FakeKubernetes
from tools.kubernetes.client import KubeClients
from tools.kubernetes.clusters import ClusterConfig, ClusterSet
from tools.kubernetes.errors import Unreachable
from tools.parsing import ParseRefused, json_depth, load_json, load_yaml, load_yaml_all


def billion_laughs() -> str:
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    previous = "a"
    for name in "bcdefghijklm":
        lines.append(f"{name}: &{name} [" + ",".join([f"*{previous}"] * 10) + "]")
        previous = name
    document = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: lol}\ndata:\n" + "\n".join(
        "  " + line for line in lines
    )
    return document + "\n" + "# " + "x" * (3700 - len(document)) + "\n"


async def test_billion_laughs_in_apply_is_refused_with_a_sentence(preview, fake_k8s: FakeKubernetes) -> None:
    manifest = billion_laughs()
    assert 3600 <= len(manifest) <= 3800
    fake_k8s.reset_requests()
    shown = await preview("k8s_apply", namespace="prod", manifest=manifest)
    assert not shown.ok
    assert "the manifest would expand to more than" in shown.text and "aliases" in shown.text
    assert fake_k8s.requests == []


def test_ordinary_aliases_still_load() -> None:
    docs = load_yaml_all("base: &base {image: nginx, port: 80}\nweb: *base\n---\nother: 1\n")
    assert docs == [
        {"base": {"image": "nginx", "port": 80}, "web": {"image": "nginx", "port": 80}},
        {"other": 1},
    ]


@pytest.mark.parametrize(
    ("text", "phrase"),
    [
        ("a: &a [*a]\n", "refers to itself"),
        ("[" * 100 + "]" * 100, "nested more than"),
        ("[" * 20000, "nested more than"),
        ("a:\n" + "".join(" " * i + "b:\n" for i in range(1, 400)), "nested"),
        ("a: [b\n", "not valid YAML at line 2"),
        ("x" * (1024 * 1024 + 1), "more than the 1048576 allowed"),
    ],
)
def test_hostile_yaml_is_refused_with_a_sentence(text: str, phrase: str) -> None:
    with pytest.raises(ParseRefused, match=phrase):
        load_yaml(text, what="the values block")


@pytest.mark.parametrize(
    ("text", "phrase"),
    [
        ("[" * 5000 + "]" * 5000, "nested more than 64"),
        ('{"a": ' * 70 + "1" + "}" * 70, "nested more than 64"),
        ("{not json", "not valid JSON"),
        ('"' + "x" * 2_000_000 + '"', "more than the"),
    ],
)
def test_hostile_json_is_refused_with_a_sentence(text: str, phrase: str) -> None:
    with pytest.raises(ParseRefused, match=phrase):
        load_json(text, what="args")


def test_json_depth_ignores_brackets_inside_strings() -> None:
    assert json_depth('{"a": "[[[[{{{{", "b": [1, {"c": "\\"]]]"}]}') == 3
    assert load_json('{"a": "[[[["}') == {"a": "[[[["}


async def test_a_dripping_cluster_cannot_keep_the_request_thread(tmp_path: Path) -> None:
    gone = asyncio.Event()

    async def drip(request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse(headers={"Content-Type": "application/json"})
        response.content_length = 1_000_000
        await response.prepare(request)
        try:
            while True:
                await response.write(b" ")
                await asyncio.sleep(0.05)
        except (ConnectionError, RuntimeError):
            gone.set()
        return response

    app = web.Application()
    app.router.add_get("/api/v1/namespaces", drip)
    runner = web.AppRunner(app, handle_signals=False)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    kubeconfig = write_kubeconfig(tmp_path / "kubeconfig", url=f"http://127.0.0.1:{port}", token="t")
    clients = KubeClients(ClusterSet([ClusterConfig(name="drip", kubeconfig=kubeconfig)]), timeout_s=0.5)
    try:
        client = await clients.client(clients.cluster("drip"), None)
        with pytest.raises(Unreachable, match="did not"):
            await client.json("GET", "/api/v1/namespaces")
        await asyncio.wait_for(gone.wait(), timeout=60)  # the thread hung up, not just the caller
    finally:
        clients.close()
        await runner.cleanup()
