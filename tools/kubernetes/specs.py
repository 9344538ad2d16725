"""Argument models and manifests for creating deployments.

Turns validated arguments (name, image, replicas, port, env, labels,
resources) into the Deployment object the API expects. Pure: no API calls,
no policy.
"""

from __future__ import annotations

import re
from typing import Any

from pydantic import Field, field_validator

from tools.base import NamespacedArgs, check_dns1123_subdomain
from tools.effects.typed import typed_secret_in_env

_ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_.-]{0,127}$")
_LABEL_KEY = re.compile(r"^([a-z0-9.-]{1,253}/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$")
_LABEL_VALUE = re.compile(r"^([A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)?$")
_QUANTITY = re.compile(r"^\d+(\.\d+)?(m|Ki|Mi|Gi|Ti|k|M|G|T)?$")


def parse_pairs(value: object, *, what: str) -> object:
    """`A=1,B=2` (as typed in a command) becomes a dict; a dict passes through."""
    if isinstance(value, str):
        pairs: dict[str, str] = {}
        for part in filter(None, (p.strip() for p in value.split(","))):
            if "=" not in part:
                raise ValueError(f"{what} {part!r} must look like KEY=value")
            key, _, val = part.partition("=")
            pairs[key.strip()] = val.strip()
        return pairs
    return value


class DeploymentSpecArgs(NamespacedArgs):
    name: str = Field(max_length=253, description="deployment name")
    image: str = Field(
        min_length=1, max_length=512, pattern=r"^[\w][\w.\-/:@]*$", description="container image"
    )
    replicas: int = Field(default=1, ge=0, le=100, description="replicas")
    port: int | None = Field(default=None, ge=1, le=65535, description="container port")
    env: dict[str, str] = Field(default_factory=dict, max_length=30, description="env vars KEY=value")
    labels: dict[str, str] = Field(default_factory=dict, max_length=10, description="extra labels")
    cpu: str | None = Field(default=None, max_length=16, description="cpu request, e.g. 100m")
    memory: str | None = Field(
        default=None, max_length=16, description="memory request and limit, e.g. 128Mi"
    )

    @field_validator("name")
    @classmethod
    def _name(cls, value: str) -> str:
        return check_dns1123_subdomain(value)

    @field_validator("env", mode="before")
    @classmethod
    def _env_pairs(cls, value: object) -> object:
        return parse_pairs(value, what="env")

    @field_validator("labels", mode="before")
    @classmethod
    def _label_pairs(cls, value: object) -> object:
        return parse_pairs(value, what="label")

    @field_validator("env")
    @classmethod
    def _env(cls, value: dict[str, str]) -> dict[str, str]:
        for key, val in value.items():
            if not _ENV_NAME.match(key) or len(val) > 1024:
                raise ValueError(
                    f"env {key!r} must be a valid variable name with a value under 1024 characters"
                )
        secret = typed_secret_in_env(value)
        if secret:
            raise ValueError(secret)
        return value

    @field_validator("labels")
    @classmethod
    def _labels(cls, value: dict[str, str]) -> dict[str, str]:
        for key, val in value.items():
            if not _LABEL_KEY.match(key) or not _LABEL_VALUE.match(val):
                raise ValueError(f"label {key}={val} is not a valid Kubernetes label")
        return value

    @field_validator("cpu", "memory")
    @classmethod
    def _quantity(cls, value: str | None) -> str | None:
        if value is not None and not _QUANTITY.match(value):
            raise ValueError(f"resource quantity {value!r} must look like 100m, 0.5, 128Mi or 1Gi")
        return value


def deployment_manifest(args: DeploymentSpecArgs, *, namespace: str) -> dict[str, Any]:
    labels = {"app": args.name, **args.labels}
    container: dict[str, Any] = {"name": args.name[:63].rstrip("-."), "image": args.image}
    if args.port:
        container["ports"] = [{"containerPort": args.port, "protocol": "TCP"}]
    if args.env:
        container["env"] = [{"name": k, "value": v} for k, v in args.env.items()]
    requests = {k: v for k, v in (("cpu", args.cpu), ("memory", args.memory)) if v}
    if requests:
        container["resources"] = {"requests": requests}
        if args.memory:
            container["resources"]["limits"] = {"memory": args.memory}
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": args.name, "namespace": namespace, "labels": labels},
        "spec": {
            "replicas": args.replicas,
            "selector": {"matchLabels": {"app": args.name}},
            "template": {"metadata": {"labels": labels}, "spec": {"containers": [container]}},
        },
    }
