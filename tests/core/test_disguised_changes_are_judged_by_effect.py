"""Harmless-looking requests whose effect is dangerous: judged by what the dry run says, not the verb.

Each case goes through the whole bot (router → executor → preview against the fake
Kubernetes API → effect gate) as a viewer, an operator and an admin, and checks the
effective safety stored in the approval row, the risk lines on the card and who is
refused. Nothing is approved here: the API must receive no change at all.
"""

from __future__ import annotations

import dataclasses

import pytest

from bot.app import App, build_app
from bot.domain.models import ButtonAction, IncomingMessage, Principal, Reply
from tests.core.fixtures import Apps, make_config
from tests.fake_k8s.server import FakeKubernetes
from tools.kubernetes.clusters import ClusterSet

VIEWER = Principal("slack", "UVIEW", "Vera")
OPERATOR = Principal("slack", "UOPS", "Omar")
ADMIN = Principal("slack", "UADM", "Ada")
POLICY = {
    "roles": {"admin": {"members": ["slack:user:UADM"]}, "operator": {"members": ["slack:user:UOPS"]}},
    "rules": [
        {"safety": "destructive", "namespace": "kube-*", "decision": "deny"},
        {"safety": "write", "namespace": "kube-system", "decision": "deny"},
    ],
}
FILED, REFUSED, INVALID = "filed", "refused", "invalid"


@dataclasses.dataclass(frozen=True)
class Case:
    id: str
    command: str
    safety: str  # the effective safety the card and the row carry
    card: tuple[str, ...] = ()  # lines (or parts of lines) the admin's card must show
    viewer: str = REFUSED
    operator: str = FILED
    admin: str = FILED


def web(spec: str = "", *, meta: str = "", template_spec: str = "", container: str = "") -> str:
    """The seeded prod Deployment `web` (nginx) with extra YAML at each level."""
    return f"""!apply -n prod
```yaml
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
{meta}spec:
{spec}  template:
    spec:
{template_spec}      containers:
      - name: nginx
        image: nginx:1.25.3
{container}```"""


def manifest(body: str) -> str:
    return f"!apply -n prod\n```yaml\n{body}```"


def new_workload(kind: str, api: str, pod: str, *, name: str = "tool") -> str:
    template = "\n".join("      " + line for line in pod.splitlines())
    if kind == "Pod":
        own = "\n".join("  " + line for line in pod.splitlines())
        return manifest(f"apiVersion: v1\nkind: Pod\nmetadata:\n  name: {name}\nspec:\n{own}\n")
    if kind == "CronJob":
        nested = "\n".join("          " + line for line in pod.splitlines())
        return manifest(
            f"apiVersion: {api}\nkind: CronJob\nmetadata:\n  name: {name}\nspec:\n  schedule: '* * * * *'\n"
            f"  jobTemplate:\n    spec:\n      template:\n        spec:\n{nested}\n"
        )
    return manifest(
        f"apiVersion: {api}\nkind: {kind}\nmetadata:\n  name: {name}\nspec:\n"
        f"  selector: {{matchLabels: {{app: {name}}}}}\n  template:\n"
        f"    metadata: {{labels: {{app: {name}}}}}\n    spec:\n{template}\n"
    )


BUSYBOX = "containers:\n- name: t\n  image: busybox:1.36\n"
PRIV = "containers:\n- name: t\n  image: busybox:1.36\n  securityContext: {privileged: true}\n"
D = "destructive"
RISK = "RISK (admin only): "
ADMIN_ONLY = {"operator": REFUSED}

CASES = [
    # k8s_apply of the seeded Deployment: WRITE by its verb, judged by its effect.
    Case("apply-replicas-0", web("  replicas: 0\n"), D, ("DESTRUCTIVE: replicas go to 0",), **ADMIN_ONLY),
    Case(
        "apply-finalizer",
        web(meta="  finalizers: [example.com/hold]\n"),
        D,
        (RISK + "finalizers change", "+ metadata.finalizers[0]: example.com/hold"),
        **ADMIN_ONLY,
    ),
    Case(
        "apply-owner-reference",
        web(meta="  ownerReferences: [{apiVersion: v1, kind: ConfigMap, name: ghost, uid: 0000-1}]\n"),
        D,
        (RISK + "ownerReferences change", "metadata.ownerReferences[ghost].uid: 0000-1"),
        **ADMIN_ONLY,
    ),
    Case(
        "apply-hostpid",
        web(template_spec="      hostPID: true\n"),
        D,
        (RISK + "pods share the node's PID",),
        **ADMIN_ONLY,
    ),
    Case(
        "apply-hostnetwork",
        web(template_spec="      hostNetwork: true\n"),
        D,
        (RISK + "pods share",),
        **ADMIN_ONLY,
    ),
    Case(
        "apply-hostipc", web(template_spec="      hostIPC: true\n"), D, (RISK + "pods share",), **ADMIN_ONLY
    ),
    Case(
        "apply-privileged",
        web(container="        securityContext: {privileged: true}\n"),
        D,
        (RISK + "a container runs privileged", "containers[nginx].securityContext.privileged: true"),
        **ADMIN_ONLY,
    ),
    Case(
        "apply-capabilities",
        web(container="        securityContext: {capabilities: {add: [NET_ADMIN]}}\n"),
        D,
        (RISK + "a container gets added Linux capabilities",),
        **ADMIN_ONLY,
    ),
    Case(
        "apply-hostpath",
        web(template_spec="      volumes: [{name: root, hostPath: {path: /}}]\n"),
        D,
        (RISK + "pods mount a directory of the node", "volumes[root].hostPath.path: /"),
        **ADMIN_ONLY,
    ),
    Case(
        "apply-privileged-init-container",
        web(
            template_spec="      initContainers: [{name: setup, image: busybox, securityContext: {privileged: true}}]\n"
        ),
        D,
        (RISK + "a container runs privileged", "initContainers[setup]"),
        **ADMIN_ONLY,
    ),
    Case(
        "apply-service-account-name",
        web(template_spec="      serviceAccountName: builder\n"),
        D,
        (RISK + "a ServiceAccount, or the one pods run as, changes",),
        **ADMIN_ONLY,
    ),
    Case(
        "apply-automount-token",
        web(template_spec="      automountServiceAccountToken: true\n"),
        D,
        (RISK + "a ServiceAccount",),
        **ADMIN_ONLY,
    ),
    Case(
        "apply-ld-preload-is-shown",
        web(container="        env: [{name: LD_PRELOAD, value: /tmp/evil.so}]\n"),
        "write",
        ("containers[nginx].env[LD_PRELOAD].value: /tmp/evil.so",),
    ),
    Case(
        "apply-https-proxy-is-shown",
        web(container="        env: [{name: HTTPS_PROXY, value: 'http://10.0.0.9:3128'}]\n"),
        "write",
        ("env[HTTPS_PROXY].value: http://10.0.0.9:3128",),
    ),
    Case(
        "apply-label-and-annotation-are-shown",
        web(meta="  labels: {tier: gold}\n  annotations: {note: hi}\n"),
        "write",
        ("+ metadata.labels.tier: gold", "+ metadata.annotations.note: hi"),
    ),
    Case(
        "apply-two-docs-one-drains",
        manifest(
            "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: harmless}\ndata: {a: b}\n---\n"
            "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: api}\nspec: {replicas: 0}\n"
        ),
        D,
        (
            "DESTRUCTIVE: replicas go to 0: every pod stops: Deployment/api in prod",
            "+ ConfigMap/harmless in prod",
        ),
        **ADMIN_ONLY,
    ),
    # Documents in another namespace are judged there, not in the channel's.
    Case(
        "apply-into-kube-system",
        manifest(
            "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x, namespace: kube-system}\ndata: {a: b}\n"
        ),
        "write",
        operator=REFUSED,
        admin=REFUSED,
    ),
    Case(
        "apply-zero-replicas-in-kube-system",
        manifest(
            "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: coredns, namespace: kube-system}\n"
            "spec: {replicas: 0}\n"
        ),
        D,
        operator=REFUSED,
        admin=REFUSED,
    ),
    # Nodes through apply: a taint or a cordon is close to a drain.
    Case(
        "apply-node-noexecute-taint",
        manifest(
            "apiVersion: v1\nkind: Node\nmetadata: {name: node-1}\n"
            "spec: {taints: [{key: evict, value: all, effect: NoExecute}]}\n"
        ),
        D,
        ("DESTRUCTIVE: a NoExecute/NoSchedule taint is added", "spec.taints[evict].effect: NoExecute"),
        **ADMIN_ONLY,
    ),
    Case(
        "apply-node-noschedule-taint",
        manifest(
            "apiVersion: v1\nkind: Node\nmetadata: {name: node-1}\n"
            "spec: {taints: [{key: hold, effect: NoSchedule}]}\n"
        ),
        D,
        ("DESTRUCTIVE: a NoExecute/NoSchedule taint is added",),
        **ADMIN_ONLY,
    ),
    Case(
        "apply-node-unschedulable",
        manifest("apiVersion: v1\nkind: Node\nmetadata: {name: node-1}\nspec: {unschedulable: true}\n"),
        D,
        ("DESTRUCTIVE: cordoned",),
        **ADMIN_ONLY,
    ),
    # New objects whose pods are dangerous.
    Case(
        "create-privileged-deployment",
        new_workload("Deployment", "apps/v1", PRIV),
        D,
        (RISK + "a container runs privileged",),
        **ADMIN_ONLY,
    ),
    Case(
        "create-hostnetwork-daemonset",
        new_workload("DaemonSet", "apps/v1", "hostNetwork: true\n" + BUSYBOX),
        D,
        (RISK + "pods share",),
        **ADMIN_ONLY,
    ),
    Case(
        "create-hostpath-statefulset",
        new_workload(
            "StatefulSet", "apps/v1", "volumes: [{name: h, hostPath: {path: /var/run}}]\n" + BUSYBOX
        ),
        D,
        (RISK + "pods mount a directory of the node",),
        **ADMIN_ONLY,
    ),
    Case(
        "create-privileged-cronjob",
        new_workload("CronJob", "batch/v1", PRIV),
        D,
        (RISK + "a container runs privileged",),
        **ADMIN_ONLY,
    ),
    Case(
        "create-hostpid-pod",
        new_workload("Pod", "v1", "hostPID: true\n" + BUSYBOX),
        D,
        (RISK + "pods share",),
        **ADMIN_ONLY,
    ),
    Case(
        "create-service-account",
        manifest("apiVersion: v1\nkind: ServiceAccount\nmetadata: {name: builder}\n"),
        D,
        (RISK + "a ServiceAccount",),
        **ADMIN_ONLY,
    ),
    Case(
        "create-job-with-capabilities",
        new_workload(
            "Job",
            "batch/v1",
            "restartPolicy: Never\ncontainers:\n- name: t\n  image: busybox\n"
            "  securityContext: {capabilities: {add: [SYS_ADMIN]}}\n",
        ),
        D,
        (RISK + "a container gets added Linux capabilities: Job/tool in prod",),
        **ADMIN_ONLY,
    ),
    Case(
        "create-plain-deployment-stays-write",
        new_workload("Deployment", "apps/v1", BUSYBOX),
        "write",
        ("+ Deployment/tool in prod (created)", "containers[t].image: busybox:1.36"),
    ),
    # Commands with their own verbs.
    Case(
        "scale-to-zero",
        "!scale deployment web --replicas 0 -n prod",
        D,
        ("DESTRUCTIVE: replicas go to 0",),
        **ADMIN_ONLY,
    ),
    Case("scale-up", "!scale deployment web --replicas 5 -n prod", "write", ("spec.replicas: 2 → 5",)),
    Case(
        "set-image",
        "!set image web --image nginx:1.27 -n prod",
        "write",
        ("containers[nginx].image: nginx:1.25.3 → nginx:1.27",),
    ),
    Case(
        "create-deployment-shows-env",
        "!create deployment tool --image busybox:1.36 --env HTTPS_PROXY=http://10.0.0.9:3128 -n prod",
        "write",
        ("env HTTPS_PROXY", "env[HTTPS_PROXY].value: http://10.0.0.9:3128"),
    ),
    Case(
        "create-deployment-typed-password",
        "!create deployment tool --image busybox --env DB_PASSWORD=Tr0ub4dor-and-3 -n prod",
        "",
        viewer=INVALID,
        operator=INVALID,
        admin=INVALID,
    ),
    Case(
        "cordon",
        "!cordon node-1",
        D,
        ("DESTRUCTIVE: cordoned: no new pods are scheduled there: Node/node-1",),
        **ADMIN_ONLY,
    ),
    Case("restart", "!restart deployment web -n prod", "write", ("kubectl.kubernetes.io/restartedAt",)),
    Case("pause", "!pause deployment web -n prod", "write", ("+ spec.paused: true",)),
    Case("create-namespace", "!create namespace scratch", "write", ("+ Namespace/scratch (created)",)),
    Case("delete-namespace-prod", "!delete namespace prod", D, ("deleted with what it holds",), **ADMIN_ONLY),
    # A namespace is judged by its own name: the kube-* deny rule holds even for admins.
    Case("delete-namespace-kube-system", "!delete namespace kube-system", D, operator=REFUSED, admin=REFUSED),
    Case(
        "delete-deployment",
        "!delete deployment web -n prod",
        D,
        ("DESTRUCTIVE: deleted: Deployment/web in prod",),
        **ADMIN_ONLY,
    ),
]


@pytest.fixture
async def app(apps: Apps, sqlite_url: str, fake_cluster_set: ClusterSet) -> App:
    return apps.keep(await build_app(make_config(sqlite_url, policy=POLICY), clusters=fake_cluster_set))


def _outcome(replies: list[Reply]) -> str:
    card = next((r for r in replies if r.approval_id), None)
    if card is not None:
        return FILED
    text = "\n".join(r.text for r in replies)
    return REFUSED if "Refused" in text else INVALID


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
async def test_the_effect_decides_safety_flags_and_who_may_ask(
    app, fake_k8s: FakeKubernetes, case: Case
) -> None:
    fake_k8s.reset_requests()
    for who, expected in ((VIEWER, case.viewer), (OPERATOR, case.operator), (ADMIN, case.admin)):
        replies = await app.router.handle(IncomingMessage(who, "C1", case.command))
        got = _outcome(replies)
        assert got == expected, f"{who.display_name}: {[r.text for r in replies]}"
        if got == FILED:
            record = await app.store.get_approval(next(r.approval_id for r in replies if r.approval_id))
            assert record is not None and record.safety == case.safety
            preview = record.preview
            for line in case.card:
                assert line in preview, f"{line!r} not on the card:\n{preview}"
            flags = [line for line in preview.splitlines() if line.startswith(RISK)]
            if flags:  # risk flags lead the card
                assert preview.splitlines()[: len(flags)] == flags
        if got == INVALID:
            assert "Kubernetes Secret" in replies[0].text and "Tr0ub4dor" not in replies[0].text
    assert fake_k8s.mutations() == []  # previews only dry-run


async def test_the_effective_level_sets_approvers_and_four_eyes(
    apps: Apps, sqlite_url: str, fake_cluster_set: ClusterSet
) -> None:
    policy = {**POLICY, "approvals": {"destructive_approvers": 2}}
    built = apps.keep(await build_app(make_config(sqlite_url, policy=policy), clusters=fake_cluster_set))
    replies = await built.router.handle(IncomingMessage(ADMIN, "C1", web("  replicas: 0\n")))
    approval_id = next(r.approval_id for r in replies if r.approval_id)
    record = await built.store.get_approval(approval_id)
    assert record is not None and record.safety == "destructive" and record.approvals_needed == 2
    outcome, _ = await built.router.handle_button(
        principal=ADMIN, action=ButtonAction.APPROVE, approval_id=approval_id, channel="C1", thread=None
    )
    assert "someone other than the requester" in outcome.text  # no self-confirm for DESTRUCTIVE
    outcome, _ = await built.router.handle_button(
        principal=OPERATOR,
        action=ButtonAction.APPROVE,
        approval_id=approval_id,
        channel="C1",
        thread=None,
    )
    assert "needs the admin role" in outcome.text  # an operator approves writes, not this


async def test_rules_name_cluster_scope_as_cluster(
    apps: Apps, sqlite_url: str, fake_cluster_set: ClusterSet
) -> None:
    policy = {**POLICY, "rules": [{"safety": "*", "namespace": "_cluster", "decision": "deny"}]}
    built = apps.keep(await build_app(make_config(sqlite_url, policy=policy), clusters=fake_cluster_set))
    node = manifest("apiVersion: v1\nkind: Node\nmetadata: {name: node-1}\nspec: {unschedulable: true}\n")
    for command in (node, "!cordon node-1", "!create namespace scratch"):
        replies = await built.router.handle(IncomingMessage(ADMIN, "C1", command))
        assert _outcome(replies) == REFUSED, [r.text for r in replies]
    plain = manifest("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: settings}\ndata: {a: b}\n")
    assert _outcome(await built.router.handle(IncomingMessage(ADMIN, "C1", plain))) == FILED
