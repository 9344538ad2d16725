"""The `!helm …` and `!minikube …` spellings reach the right operation with the right arguments."""

from __future__ import annotations

from pathlib import Path

from bot.conversation.commands import OperationCall, parse
from tests.helm.conftest import OpsFactory
from tools.minikube import MinikubeSettings, minikube_operations
from tools.registry import Registry


def registry(make_ops: OpsFactory, tmp_path: Path) -> Registry:
    minikube = minikube_operations(settings=MinikubeSettings(build_dir=tmp_path))
    return Registry([*make_ops().values(), *minikube])


def call(text: str, reg: Registry) -> tuple[str, dict[str, object]]:
    parsed = parse(text, reg)
    assert isinstance(parsed, OperationCall)
    args = parsed.operation.parse_args(parsed.raw_args)
    return parsed.operation.name, args.model_dump(exclude_defaults=True)


async def test_helm_commands_parse_into_validated_arguments(make_ops: OpsFactory, tmp_path: Path) -> None:
    reg = registry(make_ops, tmp_path)
    text = "!helm install web bitnami/nginx --version 1.2.3 --set a=b --set image.tag=2"
    text += "\n```yaml\nreplicas: 2\n```"
    assert call(text, reg) == (
        "helm_install",
        {
            "name": "web",
            "chart": "bitnami/nginx",
            "version": "1.2.3",
            "set": {"a": "b", "image.tag": "2"},
            "values": "replicas: 2",
        },
    )
    assert call("!helm list -A --status failed", reg) == (
        "helm_list",
        {"all_namespaces": True, "status": "failed"},
    )
    assert call("!helm status web -n shop", reg) == ("helm_status", {"name": "web", "namespace": "shop"})
    assert call("!helm rollback web --revision 2", reg) == ("helm_rollback", {"name": "web", "revision": 2})
    assert call("!helm uninstall web", reg) == ("helm_uninstall", {"name": "web"})
    assert call("!helm show values bitnami/nginx", reg) == (
        "helm_show",
        {"what": "values", "chart": "bitnami/nginx"},
    )
    assert call("!helm repo update bitnami", reg) == ("helm_repo_update", {"names": ["bitnami"]})


async def test_minikube_commands_parse_into_validated_arguments(make_ops: OpsFactory, tmp_path: Path) -> None:
    reg = registry(make_ops, tmp_path)
    assert call("!minikube status --profile p", reg) == ("minikube_status", {"profile": "p"})
    assert call("!minikube start --profile dev --cpus 2 --memory 4096", reg) == (
        "minikube_start",
        {"profile": "dev", "cpus": 2, "memory": "4096"},
    )
    assert call("!minikube addons enable ingress -p dev", reg) == (
        "minikube_addon",
        {"profile": "dev", "action": "enable", "addon": "ingress"},
    )
    assert call("!minikube image build app -t app:1", reg) == (
        "minikube_image_build",
        {"context": "app", "tag": "app:1"},
    )
    assert call("!minikube delete -p dev", reg) == ("minikube_delete", {"profile": "dev"})


async def test_descriptions_stay_one_short_sentence(make_ops: OpsFactory, tmp_path: Path) -> None:
    for operation in registry(make_ops, tmp_path):
        assert operation.description.count(".") == 1 and len(operation.description) <= 80, operation.name
        for name, field in operation.args_model.model_fields.items():
            assert len(field.description or "") <= 60, f"{operation.name}.{name}"
