"""What each Helm operation needs from the Kubernetes API.

Helm 3 keeps every release's state in Secrets (type helm.sh/release.v1) in the
release's namespace: even `helm list` lists Secrets, and an install, upgrade or
rollback writes a new one. That is why Helm cannot work in a cluster without
Secret access, and why the chart grants it only through Roles in the
namespaces you name (tools/rbac.py, values.yaml `rbac.helm.namespaces`).
Changing a release also creates, patches or deletes the chart's own objects:
those need the kinds' own rules (the `operator` profile, or your Roles) and
are not in this table. Local work (repositories, charts, template, lint)
calls no Kubernetes API. This module makes no calls.
"""

from __future__ import annotations

from collections.abc import Mapping

from tools.kubernetes.permissions import ApiRule, Needs

RELEASE_READ = ApiRule("", "secrets", ("get", "list"))
RELEASE_WRITE = ApiRule("", "secrets", ("get", "list", "create", "update", "patch", "delete"))
_CHART_OBJECTS = "plus the rules for the objects the chart itself creates or changes"
_LOCAL = Needs((), note="local: no Kubernetes API call")

PERMISSIONS: Mapping[str, Needs] = {
    "helm_list": Needs((ApiRule("", "secrets", ("list",)),)),
    "helm_status": Needs((RELEASE_READ,)),
    "helm_history": Needs((RELEASE_READ,)),
    "helm_get_values": Needs((RELEASE_READ,)),
    "helm_get_manifest": Needs((RELEASE_READ,)),
    "helm_install": Needs((RELEASE_WRITE,), note=_CHART_OBJECTS),
    "helm_upgrade": Needs((RELEASE_WRITE,), note=_CHART_OBJECTS),
    "helm_rollback": Needs((RELEASE_WRITE,), note=_CHART_OBJECTS),
    "helm_uninstall": Needs((RELEASE_WRITE,), note=_CHART_OBJECTS),
    "helm_repo_list": _LOCAL,
    "helm_repo_add": _LOCAL,
    "helm_repo_update": _LOCAL,
    "helm_search": _LOCAL,
    "helm_show": _LOCAL,
    "helm_template": _LOCAL,
    "helm_lint": _LOCAL,
    "helm_create": _LOCAL,
    "helm_package": _LOCAL,
}
