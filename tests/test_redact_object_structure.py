"""`redact_object` uses the shape of Kubernetes objects to hide what patterns cannot see."""

from __future__ import annotations

import base64
import copy
import json

import yaml
from kubernetes import client

from tools.redact import redact_object

API = client.ApiClient()


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode()


def _secret(name: str, **data: bytes) -> client.V1Secret:
    return client.V1Secret(
        api_version="v1",
        kind="Secret",
        type="Opaque",
        metadata=client.V1ObjectMeta(
            name=name,
            namespace="default",
            annotations={
                "kubectl.kubernetes.io/last-applied-configuration": json.dumps(
                    {"kind": "Secret", "data": {k: _b64(v) for k, v in data.items()}}
                ),
                "team": "payments",
            },
            managed_fields=[client.V1ManagedFieldsEntry(manager="kubectl", operation="Update")],
        ),
        data={k: _b64(v) for k, v in data.items()},
    )


def test_secret_values_become_their_decoded_sizes() -> None:
    secret = API.sanitize_for_serialization(_secret("db", password=b"hunter2", user=b"app"))
    redacted = redact_object(secret)
    assert redacted["data"] == {"password": "[REDACTED: 7 bytes]", "user": "[REDACTED: 3 bytes]"}
    assert redacted["metadata"]["name"] == "db"
    assert redacted["metadata"]["annotations"]["team"] == "payments"
    assert (
        redacted["metadata"]["annotations"]["kubectl.kubernetes.io/last-applied-configuration"]
        == "[REDACTED]"
    )
    assert "managedFields" not in redacted["metadata"]
    assert "aHVudGVyMg==" not in json.dumps(redacted)


def test_string_data_values_become_their_byte_sizes() -> None:
    secret = {"apiVersion": "v1", "kind": "Secret", "stringData": {"token": "héllo"}, "type": "Opaque"}
    assert redact_object(secret)["stringData"] == {"token": "[REDACTED: 6 bytes]"}


def test_items_of_a_secret_list_are_redacted_though_they_carry_no_kind() -> None:
    secrets = client.V1SecretList(
        items=[_secret("a", key=b"12345"), _secret("b", key=b"1")], kind="SecretList"
    )
    plain = API.sanitize_for_serialization(secrets)
    for item in plain["items"]:
        item.pop("kind"), item.pop("apiVersion")  # list items come back from the API without them
    redacted = redact_object(plain)
    assert [item["data"]["key"] for item in redacted["items"]] == [
        "[REDACTED: 5 bytes]",
        "[REDACTED: 1 bytes]",
    ]


def test_a_dict_shaped_like_a_secret_without_kind_is_redacted() -> None:
    shaped = {"type": "kubernetes.io/tls", "data": {"tls.key": _b64(b"k" * 32)}}
    assert redact_object(shaped)["data"] == {"tls.key": "[REDACTED: 32 bytes]"}


def test_secrets_inside_a_generic_list_are_redacted() -> None:
    mixed = {"kind": "List", "items": [API.sanitize_for_serialization(_secret("db", password=b"pw"))]}
    assert redact_object(mixed)["items"][0]["data"] == {"password": "[REDACTED: 2 bytes]"}


def test_managed_fields_are_dropped_from_every_object() -> None:
    pod = client.V1Pod(
        metadata=client.V1ObjectMeta(
            name="web", managed_fields=[client.V1ManagedFieldsEntry(manager="kubelet")]
        ),
    )
    plain = API.sanitize_for_serialization(pod)
    assert "managedFields" in plain["metadata"]
    assert redact_object(plain) == {"metadata": {"name": "web"}}
    assert redact_object(pod.to_dict())["metadata"].get("managed_fields", "gone") == "gone"


def test_env_secret_refs_become_references_and_secret_named_values_are_hidden() -> None:
    container = client.V1Container(
        name="web",
        image="nginx:1.25",
        env=[
            client.V1EnvVar(
                name="DB_PASSWORD",
                value_from=client.V1EnvVarSource(
                    secret_key_ref=client.V1SecretKeySelector(name="db-credentials", key="password")
                ),
            ),
            client.V1EnvVar(name="API_TOKEN", value="plain-text-token-value"),
            client.V1EnvVar(name="DATABASE_URL", value="postgres://app:hunter2@db:5432/app"),
            client.V1EnvVar(name="LOG_LEVEL", value="debug"),
        ],
    )
    plain = API.sanitize_for_serialization(client.V1Pod(spec=client.V1PodSpec(containers=[container])))
    env = redact_object(plain)["spec"]["containers"][0]["env"]
    assert env == [
        {"name": "DB_PASSWORD", "valueFrom": {"secretKeyRef": "secret/db-credentials:password"}},
        {"name": "API_TOKEN", "value": "[REDACTED]"},
        {"name": "DATABASE_URL", "value": "postgres://app:[REDACTED:url-password]@db:5432/app"},
        {"name": "LOG_LEVEL", "value": "debug"},
    ]


KUBECONFIG = {
    "apiVersion": "v1",
    "kind": "Config",
    "current-context": "prod",
    "clusters": [{"name": "prod", "cluster": {"server": "https://10.0.0.1:6443"}}],
    "contexts": [{"name": "prod", "context": {"cluster": "prod", "user": "admin"}}],
    "users": [
        {
            "name": "admin",
            "user": {"client-key-data": _b64(b"key"), "client-certificate-data": _b64(b"cert")},
        },
        {"name": "sa", "user": {"token": "opaque-service-account-token"}},
        {"name": "basic", "user": {"username": "root", "password": "toor"}},
        {
            "name": "eks",
            "user": {
                "exec": {
                    "apiVersion": "client.authentication.k8s.io/v1beta1",
                    "command": "aws",
                    "args": ["eks", "get-token", "--cluster-name", "prod"],
                    "env": [{"name": "AWS_PROFILE", "value": "prod"}],
                }
            },
        },
        {
            "name": "oidc",
            "user": {"auth-provider": {"name": "oidc", "config": {"id-token": "x", "client-secret": "y"}}},
        },
    ],
}


def test_kubeconfig_user_credentials_are_hidden_and_the_rest_kept() -> None:
    redacted = redact_object(KUBECONFIG)
    users = {u["name"]: u["user"] for u in redacted["users"]}
    assert users["admin"] == {"client-key-data": "[REDACTED]", "client-certificate-data": "[REDACTED]"}
    assert users["sa"] == {"token": "[REDACTED]"}
    assert users["basic"] == {"username": "root", "password": "[REDACTED]"}
    assert users["eks"]["exec"]["command"] == "aws"
    assert users["eks"]["exec"]["args"] == "[REDACTED]"
    assert users["eks"]["exec"]["env"] == "[REDACTED]"
    assert users["oidc"]["auth-provider"] == {"name": "oidc", "config": "[REDACTED]"}
    assert redacted["clusters"] == KUBECONFIG["clusters"]
    assert redacted["current-context"] == "prod"


def test_kubeconfig_without_kind_is_recognised_by_its_users_and_clusters() -> None:
    bare = {k: v for k, v in KUBECONFIG.items() if k not in ("kind", "apiVersion")}
    assert redact_object(bare)["users"][1]["user"]["token"] == "[REDACTED]"


def test_kubeconfig_held_in_a_config_map_is_pattern_redacted() -> None:
    key_pem = "-----BEGIN EC PRIVATE KEY-----\nMHcCAQEEIB\n-----END EC PRIVATE KEY-----"
    config_map = client.V1ConfigMap(
        metadata=client.V1ObjectMeta(name="kubeconfig"),
        data={
            "config": yaml.safe_dump(KUBECONFIG),
            "tls.key": key_pem,
            "settings.ini": "mode=fast\npassword=hunter2\n",
            "app.properties": "log.level=info",
        },
    )
    data = redact_object(API.sanitize_for_serialization(config_map))["data"]
    assert "opaque-service-account-token" not in data["config"]
    assert "toor" not in data["config"]
    assert _b64(b"key") not in data["config"]
    assert "server: https://10.0.0.1:6443" in data["config"]
    assert data["tls.key"] == "[REDACTED:private-key]"
    assert data["settings.ini"] == "mode=fast\npassword=[REDACTED:password]\n"
    assert data["app.properties"] == "log.level=info"


def test_last_applied_configuration_of_other_objects_is_redacted_as_an_object() -> None:
    applied = {
        "kind": "Deployment",
        "metadata": {"name": "web", "managedFields": [{"manager": "kubectl"}]},
        "spec": {"template": {"spec": {"containers": [{"env": [{"name": "TOKEN", "value": "t0ps3cr3t"}]}]}}},
    }
    deployment = {
        "kind": "Deployment",
        "metadata": {
            "name": "web",
            "annotations": {"kubectl.kubernetes.io/last-applied-configuration": json.dumps(applied)},
        },
    }
    annotation = redact_object(deployment)["metadata"]["annotations"][
        "kubectl.kubernetes.io/last-applied-configuration"
    ]
    assert "t0ps3cr3t" not in annotation
    assert json.loads(annotation)["metadata"] == {"name": "web"}


def test_every_remaining_string_goes_through_pattern_redaction() -> None:
    event = {
        "kind": "Event",
        "message": "pull failed: Authorization: Basic dXNlcjpwYXNz",
        "count": 3,
        "ok": True,
    }
    redacted = redact_object(event)
    assert redacted == {
        "kind": "Event",
        "message": "pull failed: Authorization: Basic [REDACTED:authorization]",
        "count": 3,
        "ok": True,
    }


def test_the_input_object_is_not_modified() -> None:
    secret = API.sanitize_for_serialization(_secret("db", password=b"hunter2"))
    before = copy.deepcopy(secret)
    redact_object(secret)
    assert secret == before


def test_client_models_passed_directly_are_converted_and_redacted() -> None:
    redacted = redact_object(_secret("db", password=b"hunter2"))
    assert redacted["data"] == {"password": "[REDACTED: 7 bytes]"}
