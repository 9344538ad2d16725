"""Every registered Kubernetes and Helm operation (and each value of an argument its calls
depend on) has an entry in the permission tables, and the chart's generated profiles are current."""

from __future__ import annotations

import subprocess
import sys
import typing
from pathlib import Path

from tools.helm import HelmSettings, helm_operations
from tools.helm import permissions as helm_permissions
from tools.kubernetes import kubernetes_operations
from tools.kubernetes import permissions as kube
from tools.kubernetes.clusters import ClusterSet
from tools.kubernetes.kinds import APPLY_ONLY, KINDS

ROOT = Path(__file__).parents[2]


def _literal_values(operation_name: str, field: str) -> tuple[str, ...]:
    (op,) = [o for o in kubernetes_operations(clusters=ClusterSet([])) if o.name == operation_name]
    return typing.get_args(op.args_model.model_fields[field].annotation)


def test_every_kubernetes_operation_has_an_entry() -> None:
    names = {op.name for op in kubernetes_operations(clusters=ClusterSet([]))}
    assert names == set(kube.operations()), names ^ set(kube.operations())
    for name in names:
        assert kube.needs_for(name) is not None, name


def test_operations_whose_calls_depend_on_an_argument_have_an_entry_per_value() -> None:
    for operation, field in [
        ("k8s_get", "kind"),
        ("k8s_describe", "kind"),
        ("k8s_top", "kind"),
        ("k8s_diagnose", "kind"),
        ("k8s_rollout_status", "kind"),
        ("k8s_rollout_history", "kind"),
        ("k8s_deploy_stack", "stack"),
    ]:
        assert set(kube.variants(operation)) == set(_literal_values(operation, field)), operation
    applied = {k.kind for k in (*KINDS.values(), *APPLY_ONLY.values())}
    assert set(kube.variants("k8s_apply")) == applied


def test_every_helm_operation_has_an_entry(tmp_path: Path) -> None:
    ops = helm_operations(settings=HelmSettings(binary="helm", chart_dir=tmp_path), clusters=ClusterSet([]))
    assert {op.name for op in ops} == set(helm_permissions.PERMISSIONS)


def test_helm_release_operations_need_secrets_and_local_ones_need_nothing() -> None:
    for name, needs in helm_permissions.PERMISSIONS.items():
        touches_cluster = name in {
            "helm_list",
            "helm_status",
            "helm_history",
            "helm_get_values",
            "helm_get_manifest",
            "helm_install",
            "helm_upgrade",
            "helm_rollback",
            "helm_uninstall",
        }
        assert bool(needs.rules) == touches_cluster, name
        assert all(rule.resource == "secrets" for rule in needs.rules)


def test_the_chart_s_profile_file_is_generated_from_these_tables() -> None:
    result = subprocess.run(
        [sys.executable, "deploy/rbac_profiles.py", "--check"], cwd=ROOT, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout + result.stderr
