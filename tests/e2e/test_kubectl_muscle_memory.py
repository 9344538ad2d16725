"""kubectl muscle memory: commands from the official kubectl cheat sheet, typed as `!` commands.

Each runs through the whole bot (router, grammar, executor, real Kubernetes client, fake
API) and either does what kubectl would (the same objects and fields), files an approval
card for a change, or answers with one sentence saying why not. No command writes to the
cluster without an approval: the fake API records no mutation over the whole suite, and
two approved changes then show the fields kubectl would have changed.
"""

from __future__ import annotations

import json
from collections.abc import Callable

import yaml

from bot.app import build_app
from bot.domain.models import IncomingMessage, Principal, Reply, ReplyKind
from bot.domain.render import render_text
from tests.core.fixtures import Apps, make_config
from tests.fake_k8s import planted
from tests.fake_k8s.server import FakeKubernetes
from tools.kubernetes.clusters import ClusterSet

Check = Callable[[list[Reply]], bool]


def shows(*needles: str) -> Check:
    return lambda replies: all(n in "\n".join(render_text(r) for r in replies) for n in needles)


def column(name: str) -> Check:
    return lambda replies: any(r.table is not None and name in r.table.columns for r in replies)


def code_is(kind: str, fmt: str = "yaml") -> Check:
    def check(replies: list[Reply]) -> bool:
        code = next(r.code for r in replies if r.code)
        document = json.loads(code) if fmt == "json" else yaml.safe_load(code)
        return bool(document["kind"] == kind)

    return check


def anything(replies: list[Reply]) -> bool:
    return True


READS: list[tuple[str, Check]] = [
    ("!get pods", shows("web-", "redis-0")),
    ("!get po", shows("web-")),
    ("!get pods -n prod", shows("web-")),
    ("!get pods --all-namespaces", shows("coredns-")),
    ("!get pods -A", shows("kube-system")),
    ("!get pods -o wide", column("IP")),
    ("!get pods -owide", column("IP")),
    ("!get pods --output=wide", column("NODE")),
    ("!get deployment web", shows("web", "2/2")),
    ("!get deploy/web", shows("nginx")),
    ("!get deployments.apps", shows("api", "web")),
    ("!get deploy -o wide", column("SELECTOR")),
    ("!get services", shows("web-public")),
    ("!get svc", shows("ClusterIP")),
    ("!get svc -o wide", column("SELECTOR")),
    ("!get services --sort-by=.metadata.name", shows("api")),
    ("!get pods --sort-by='.status.containerStatuses[0].restartCount'", shows("api-")),
    ("!get pods --sort-by=.metadata.creationTimestamp", shows("web-")),
    ("!get pods --selector=app=web", shows("web-")),
    ("!get pods -l app=web -o name", shows("pod/web-")),
    ("!get pods --field-selector=status.phase=Running", shows("web-")),
    ("!get node", shows("node-1", "node-2")),
    ("!get nodes", shows("NotReady")),
    ("!get no -o wide", column("INTERNAL-IP")),
    ("!get ns", shows("kube-system")),
    ("!get namespaces", shows("prod")),
    ("!get events --sort-by=.metadata.creationTimestamp", anything),
    ("!get ev -A", anything),
    ("!get cm", shows("web-config")),
    ("!get configmaps web-config -o yaml", code_is("ConfigMap")),
    ("!get secrets", shows("db-credentials")),
    ("!get secret db-credentials -o yaml", code_is("Secret")),
    ("!get secret db-credentials -o json", code_is("Secret", "json")),
    ("!get ing", shows("web")),
    ("!get ingress web -o wide", shows("web")),
    ("!get sts", shows("redis")),
    ("!get statefulset redis -o wide", column("IMAGES")),
    ("!get ds -A", shows("node-exporter")),
    ("!get rs", shows("web-")),
    ("!get pvc", shows("data-redis-0")),
    ("!get jobs", shows("nightly-report-")),
    ("!get cronjobs", shows("nightly-report")),
    ("!get cj", shows("nightly-report")),
    ("!get pod redis-0 -o yaml", code_is("Pod")),
    ("!get deployment web -o json", code_is("Deployment", "json")),
    ("!get pods -o json", code_is("List", "json")),
    ("!get po -o yaml -l app=web", code_is("List")),
    ("!get pods -c fake", shows("fake / prod")),
    ("!get pods --context fake", shows("web-")),
    ("!describe nodes node-1", shows("node/node-1")),
    ("!describe pods redis-0", shows("pod/redis-0")),
    ("!describe pod/redis-0", shows("pod/redis-0")),
    ("!describe deploy/web", shows("deployment/web")),
    ("!describe svc web", shows("service/web")),
    ("!logs {web_pod}", shows("request=")),
    ("!logs {web_pod} -c nginx", shows("container nginx")),
    ("!logs {web_pod} --tail=20", shows("last 20 lines")),
    ("!logs {web_pod} --since=1h", shows("since 1h")),
    ("!logs {web_pod} nginx", shows("container nginx")),
    ("!logs -l app=web", shows("pods with app=web", "[web-")),
    ("!logs -l app=web --since 1h --grep request", shows("contain 'request'")),
    ("!logs deployment/web", shows("deployment/web", "[web-")),
    ("!logs deploy/web --tail 5", shows("last 5 lines of each")),
    ("!logs {api_pod} -p", shows("panic")),
    ("!logs {api_pod} --previous -c api", shows("previous container")),
    ("!top pod", shows("CPU")),
    ("!top pods -n prod", shows("web-")),
    ("!top pod --containers", column("POD")),
    ("!top pods -A", shows("coredns-")),
    ("!top node", shows("node-1")),
    ("!top nodes", shows("node-1")),
    ("!top pod {web_pod}", shows("1 pods by CPU")),
    ("!rollout status deployment/web", shows("web")),
    ("!rollout status deploy web", shows("web")),
    ("!rollout history deployment/web", shows("web")),
    ("!rollout history sts/redis", shows("redis")),
    ("!rollout status ds/node-exporter -n kube-system", shows("node-exporter")),
    ("!cluster-info", shows("Nodes:")),
    ("!version", shows("Kubernetes")),
    ("!config get-contexts", shows("fake")),
    ("!config current-context", shows("fake")),
    ("!get pods,svc -n prod --help", anything),  # refused below: checked as a sentence
]
READS = [r for r in READS if "--help" not in r[0]]

WRITES = [
    "!scale --replicas=3 deployment/web",
    "!scale deploy web --replicas 3",
    "!scale deployment web --replicas=0",
    "!set image deployment/web nginx=nginx:1.28",
    "!set image deploy/web *=nginx:1.28",
    "!rollout restart deployment/web",
    "!rollout pause deployment/web",
    "!delete pod {web_pod}",
    "!delete pod/{web_pod}",
    "!delete deployment api",
    "!delete svc web-public",
    "!create deployment shop --image=nginx:1.27",
    "!create deploy shop --image nginx --replicas 2",
    "!create ns staging",
    "!cordon node-1",
    "!drain node-1 --ignore-daemonsets",
    "!apply\n```yaml\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: shop-config\ndata:\n  a: b\n```",
]

REFUSED = [
    "!get pods -w",
    "!get pods --watch",
    "!exec -it {web_pod} -- sh",
    "!exec {web_pod} -- ls /",
    "!attach {web_pod} -i",
    "!port-forward svc/web 8080:80",
    "!run nginx --image=nginx",
    "!edit deployment web",
    '!patch deployment web -p \'{"spec":{"replicas":2}}\'',
    "!label pods {web_pod} new-label=awesome",
    "!annotate pods {web_pod} icon-url=http://goo.gl/XXBTWq",
    "!autoscale deployment web --min=2 --max=10",
    "!expose deployment web --port 80",
    "!taint nodes node-1 dedicated=special-user:NoSchedule",
    "!cp /tmp/foo {web_pod}:/tmp/bar",
    "!explain pods",
    "!get pods -o jsonpath='{.items[*].metadata.name}'",
    "!get pods -o custom-columns=NAME:.metadata.name",
    "!get pods --show-labels",
    "!get pv",
    "!get all",
    "!get pods,svc",
    "!logs -f {web_pod}",
    "!apply -f ./manifest.yaml",
    "!delete pod -l app=web",
    "!delete pods --all",
    "!delete cm web-config",
    "!scale --replicas=3 rs/foo",
    "!scale statefulset redis --replicas 2",
    "!set env deployment/web FOO=bar",
    "!diff -f x.yaml",
    "!auth can-i create pods",
    "!config view",
    "!proxy",
    "!wait --for=condition=Ready pod/{web_pod}",
    "!get pods --kubeconfig ./x",
    "!delete pod {web_pod} --grace-period=0 --force",
    "!scale deploy web --replicas 1_0",
    "!get pods --sort-by=.spec.nodeName",
    "!logs {web_pod} --all-containers",
]


def _first(fake: FakeKubernetes, prefix: str) -> str:
    return str(
        next(
            p["metadata"]["name"]
            for p in fake.objects("Pod", "prod")
            if p["metadata"]["name"].startswith(prefix)
        )
    )


async def test_cheat_sheet_commands(
    apps: Apps, sqlite_url: str, fake_k8s: FakeKubernetes, fake_cluster_set: ClusterSet
) -> None:
    assert len(READS) + len(WRITES) + len(REFUSED) >= 80
    app = apps.keep(
        await build_app(
            make_config(sqlite_url, limits={"messages_per_minute": 10_000}), clusters=fake_cluster_set
        )
    )
    alice = Principal("console", "alice", "Alice")
    names = {"web_pod": _first(fake_k8s, "web-"), "api_pod": _first(fake_k8s, "api-")}

    async def say(text: str) -> list[Reply]:
        for key, value in names.items():
            text = text.replace("{" + key + "}", value)
        return await app.router.handle(IncomingMessage(alice, "ops", text))

    problems: list[str] = []
    cards: dict[str, str] = {}
    assert "now uses namespace prod" in (await say("!config set-context --current --namespace=prod"))[0].text
    for text, check in READS:
        replies = await say(text)
        shown = "\n".join(render_text(r) for r in replies)
        if not replies or replies[0].kind in (ReplyKind.ERROR, ReplyKind.DENIED) or not check(replies):
            problems.append(f"read {text!r}: {shown[:300]}")
        for value in planted.PLANTED_VALUES:
            if value in shown:
                problems.append(f"read {text!r} showed a planted secret")
    for text in WRITES:
        replies = await say(text)
        card = next((r for r in replies if r.kind is ReplyKind.APPROVAL), None)
        if card is None or card.approval_id is None:
            problems.append(f"write {text!r}: {' | '.join(render_text(r) for r in replies)[:300]}")
        else:
            cards[text] = card.approval_id
    for text in REFUSED:
        replies = await say(text)
        shown = "\n".join(r.text for r in replies)
        one_sentence = (
            len(replies) == 1
            and replies[0].kind is ReplyKind.ERROR
            and "\n" not in shown
            and "Traceback" not in shown
        )
        if not one_sentence:
            problems.append(f"refusal {text!r}: {shown[:300]}")
    writes = [r for r in fake_k8s.mutations() if "/authorization.k8s.io/" not in r.path]  # reviews
    assert writes == [], "a command wrote to the cluster without an approval"
    assert not problems, "\n".join(problems)

    # Approved, two of them do exactly what kubectl would have done.
    await say(f"!approve {cards['!scale --replicas=3 deployment/web']}")
    web = next(d for d in fake_k8s.objects("Deployment", "prod") if d["metadata"]["name"] == "web")
    assert web["spec"]["replicas"] == 3
    # (the card filed above was bound to web before the scale: it would now be refused)
    fresh = await say("!set image deployment/web nginx=nginx:1.28")
    await say(f"!approve {fresh[0].approval_id}")
    web = next(d for d in fake_k8s.objects("Deployment", "prod") if d["metadata"]["name"] == "web")
    assert web["spec"]["template"]["spec"]["containers"][0]["image"] == "nginx:1.28"
    # With a second revision there is something to undo: a card naming revision 1's image.
    undo = await say("!rollout undo deployment/web")
    assert undo[0].kind is ReplyKind.APPROVAL, render_text(undo[0])


async def test_debug_resolves_the_kind_and_analyze_takes_dash_n(
    apps: Apps, sqlite_url: str, fake_k8s: FakeKubernetes, fake_cluster_set: ClusterSet
) -> None:
    app = apps.keep(await build_app(make_config(sqlite_url), clusters=fake_cluster_set))
    alice = Principal("console", "alice", "Alice")

    async def say(text: str) -> str:
        replies = await app.router.handle(IncomingMessage(alice, "ops", text))
        return "\n".join(render_text(r) for r in replies)

    assert "Debugging deployment/api" in await say("!debug api -n prod")
    pod = await say("!debug worker-imagepull -n prod")
    assert "Debugging pod/worker-imagepull" in pod and "ImagePull" in pod
    assert "Debugging" not in await say("!debug deploy/web -n prod")
    analysis = await say("!analyze -n prod")
    assert "Usage" not in analysis and "prod" in analysis


async def test_use_namespace_must_exist_on_the_cluster(
    apps: Apps, sqlite_url: str, fake_k8s: FakeKubernetes, fake_cluster_set: ClusterSet
) -> None:
    app = apps.keep(await build_app(make_config(sqlite_url), clusters=fake_cluster_set))
    alice = Principal("console", "alice", "Alice")
    refused = await app.router.handle(IncomingMessage(alice, "ops", "!use namespace nosuchns"))
    assert refused[0].kind is ReplyKind.ERROR and "Namespace nosuchns does not exist" in refused[0].text
    settings = await app.store.get_channel_settings(platform="console", channel="ops")
    assert settings is None or settings.namespace is None
    accepted = await app.router.handle(IncomingMessage(alice, "ops", "!use namespace prod"))
    assert "now uses namespace prod" in accepted[0].text
