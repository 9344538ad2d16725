"""A stateful fake Kubernetes API server for tests, driven by the real `kubernetes` client.

Use it through the pytest fixtures of `tests.fake_k8s.plugin`:

    async def test_x(fake_k8s, fake_kubeconfig, fake_cluster_set): ...

`fake_k8s` is a started `FakeKubernetes` (http://127.0.0.1:<random port>, bearer
token `fake_k8s.token`) seeded by `seed_demo()`; `fake_kubeconfig` is a kubeconfig
file with context `fake` pointing at it; `fake_cluster_set` is
`ClusterSet([ClusterConfig(name="fake", kubeconfig=..., context="fake")])`.

What it serves: discovery (`/version`, `/api`, `/apis`, resource lists); core/v1
(namespaces, nodes, pods + log/eviction/status, services, events, configmaps,
secrets, persistentvolumeclaims, serviceaccounts), apps/v1 (deployments + scale/
status, replicasets, statefulsets, daemonsets, controllerrevisions), batch/v1 (jobs,
cronjobs), networking.k8s.io/v1 ingresses, authorization.k8s.io/v1
(Self)SubjectAccessReview, metrics.k8s.io/v1beta1 pods/nodes. Verbs: list (one
namespace or all; labelSelector, fieldSelector, limit/continue), get, create,
replace, patch (json, merge, strategic merge, apply-patch+yaml with fieldManager),
delete (preconditions uid/resourceVersion; a namespace takes its objects with it,
an owner its dependents), a short watch. Every mutating verb honours `dryRun=All`.

Behaviour: one global resourceVersion; a stale `metadata.resourceVersion` in a PUT
or PATCH body → 409 Conflict "the object has been modified; ..."; 404/409/422/403/401
Status bodies worded like the real server's. Deployments roll out at once: a
ReplicaSet per template revision (`deployment.kubernetes.io/revision`), pods
`<rs>-xxxxx`; `fake_k8s.pod_modes[(ns, deployment)] = "unready"` (or "crashloop",
"pending", ...) keeps new pods from becoming ready. A deleted pod of a ReplicaSet is
replaced under a new name.

Steering: `fake_k8s.forbid(user="bob", verb="delete", resource="pods", namespace=...)`
→ 403 for impersonated bob, and SubjectAccessReviews answer from the same rules unless
`fake_k8s.access.sar_rule = lambda spec: (allowed, reason)` is set;
`fake_k8s.access.reviews` keeps review bodies. `fake_k8s.metrics_enabled = False` →
metrics.k8s.io 404 (no metrics-server). `fake_k8s.delay_seconds = 5` → slow answers
(client timeouts). `await fake_k8s.stop()` → unreachable cluster.
`fake_k8s.logs.add(ns, pod, lines, container=..., previous=...)` adds log lines.

Inspection: `fake_k8s.requests` (`RecordedRequest`: method, path, query, raw header
lines, body, dry_run, status; `.impersonate_user`, `.impersonate_groups`, `.param()`),
`fake_k8s.mutations()` (non-GET, non-dry-run), `fake_k8s.reset_requests()`,
`fake_k8s.get(kind, ns, name)`, `fake_k8s.objects(kind, ns)`.
Planted secret values for leak tests: `tests.fake_k8s.planted.PLANTED_VALUES`.
"""

from tests.fake_k8s.seed import PROBLEM_PODS, seed_demo, seed_many_pods
from tests.fake_k8s.server import DEFAULT_TOKEN, FakeKubernetes, RecordedRequest

__all__ = [
    "DEFAULT_TOKEN",
    "PROBLEM_PODS",
    "FakeKubernetes",
    "RecordedRequest",
    "seed_demo",
    "seed_many_pods",
]
