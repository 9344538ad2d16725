"""No planted secret value appears in any result of any read the LLM could ask for."""

from __future__ import annotations

from typing import Any

import pytest

from tests.fake_k8s import planted
from tools.kubernetes.kinds import KINDS

from .conftest import everything

READS: list[tuple[str, dict[str, Any]]] = [
    *[("k8s_get", {"kind": kind, "namespace": "prod"}) for kind in KINDS],
    *[("k8s_get", {"kind": kind, "all_namespaces": True}) for kind in ("secret", "configmap", "pod")],
    ("k8s_describe", {"kind": "secret", "name": "db-credentials", "namespace": "prod"}),
    ("k8s_describe", {"kind": "configmap", "name": "legacy-kubeconfig", "namespace": "prod"}),
    ("k8s_describe", {"kind": "deployment", "name": "api", "namespace": "prod"}),
    ("k8s_diagnose", {"kind": "deployment", "name": "api", "namespace": "prod"}),
    ("k8s_health", {}),
]


@pytest.mark.parametrize(("op_name", "args"), READS, ids=[f"{n}-{a.get('kind', '')}" for n, a in READS])
async def test_no_planted_value_in_the_result(run, fake_k8s, op_name, args):
    text = everything(await run(op_name, **args))
    leaked = [value for value in planted.PLANTED_VALUES if value in text]
    assert leaked == []


async def test_no_planted_value_in_any_pod_log(run, fake_k8s):
    for pod in fake_k8s.objects("Pod", "prod"):
        for previous in (False, True):
            text = everything(
                await run("k8s_logs", name=pod["metadata"]["name"], namespace="prod", previous=previous)
            )
            assert [v for v in planted.PLANTED_VALUES if v in text] == []


async def test_deleted_object_prior_state_and_undo_are_redacted(run, fake_k8s):
    result = await run("k8s_delete_deployment", name="api", namespace="prod")
    text = everything(result)
    assert [v for v in planted.PLANTED_VALUES if v in text] == []
    # Re-creating it from a redacted copy would bring it back broken: no automatic undo, and it says so.
    assert result.undo is None
    assert "no automatic undo" in result.text
