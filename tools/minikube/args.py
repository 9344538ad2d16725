"""Argument models of the minikube operations, each value validated before any call.

Profiles and addons are plain names; CPUs, memory and disk size have bounds;
the Kubernetes version is a version or `stable`/`latest`; the driver is one
of a fixed set (not `none` or `ssh`, which act on the bot's own host or
another machine). Images are references, never file paths. Build contexts are
checked against the configured directory by the operation, not here.
"""

from __future__ import annotations

import re
from typing import Literal

from pydantic import Field, field_validator

from tools.base import Args

_PROFILE = re.compile(r"^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$")
_SIZE = re.compile(r"^([0-9]{1,7})\s*(mb|m|gb|g)?$", re.IGNORECASE)
_K8S_VERSION = re.compile(r"^(v?[0-9]{1,2}\.[0-9]{1,3}\.[0-9]{1,3}(-[a-z0-9.]+)?|stable|latest)$")
_IMAGE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._/:@-]{0,254}$")

Driver = Literal[
    "docker", "podman", "kvm2", "qemu2", "virtualbox", "hyperkit", "hyperv", "vfkit", "parallels"
]


def size_in_mb(value: str) -> int:
    """`4096`, `4096mb`, `4g` → megabytes; a bare number means megabytes."""
    match = _SIZE.match(value.strip())
    if match is None:
        raise ValueError(f"{value!r} is not a size; use megabytes (4096) or a unit (4g, 4096mb)")
    number, unit = int(match.group(1)), (match.group(2) or "mb").lower()
    return number * 1024 if unit in ("g", "gb") else number


def check_image(value: str) -> str:
    if value.startswith(("-", ".", "/")) or ".." in value or not _IMAGE.match(value):
        raise ValueError(
            f"image {value!r} is not an image reference such as registry/app:1.0 (no file paths)"
        )
    return value


class ProfileArgs(Args):
    profile: str = Field(default="minikube", description="minikube profile")

    @field_validator("profile")
    @classmethod
    def _profile(cls, value: str) -> str:
        if not _PROFILE.match(value):
            raise ValueError(
                f"profile {value!r} is not valid (lowercase letters, digits and '-', at most 63 characters)"
            )
        return value


class NoArgs(Args):
    pass


class StartArgs(ProfileArgs):
    cpus: int | None = Field(default=None, ge=1, le=64, description="CPUs")
    memory: str | None = Field(default=None, description="memory, MB or e.g. 4g")
    disk_size: str | None = Field(default=None, description="disk size, e.g. 20g")
    kubernetes_version: str | None = Field(default=None, description="e.g. v1.30.0 or stable")
    driver: Driver | None = Field(default=None, description="VM or container driver")

    @field_validator("memory")
    @classmethod
    def _memory(cls, value: str | None) -> str | None:
        if value is not None and not 1800 <= size_in_mb(value) <= 1024 * 1024:
            raise ValueError(f"memory {value!r} must be between 1800 MB and 1024 GB")
        return value

    @field_validator("disk_size")
    @classmethod
    def _disk(cls, value: str | None) -> str | None:
        if value is not None and not 2000 <= size_in_mb(value) <= 4096 * 1024:
            raise ValueError(f"disk size {value!r} must be between 2000 MB and 4096 GB")
        return value

    @field_validator("kubernetes_version")
    @classmethod
    def _version(cls, value: str | None) -> str | None:
        if value is not None and not _K8S_VERSION.match(value):
            raise ValueError(f"Kubernetes version {value!r} is not valid (e.g. v1.30.0, stable or latest)")
        return value


class AddonArgs(ProfileArgs):
    action: Literal["enable", "disable"] = Field(description="enable or disable")
    addon: str = Field(pattern=r"^[a-z0-9][a-z0-9-]{0,62}$", description="addon name")


class ImageArgs(ProfileArgs):
    image: str = Field(description="image reference")

    @field_validator("image")
    @classmethod
    def _image(cls, value: str) -> str:
        return check_image(value)


class ImageBuildArgs(ProfileArgs):
    context: str = Field(max_length=500, description="build directory under the images directory")
    tag: str = Field(description="image tag to build")
    file: str | None = Field(default=None, max_length=500, description="Dockerfile inside the context")

    @field_validator("tag")
    @classmethod
    def _tag(cls, value: str) -> str:
        return check_image(value)

    @field_validator("context", "file")
    @classmethod
    def _path(cls, value: str | None) -> str | None:
        if value is not None and (value.startswith("-") or any(ord(c) < 32 for c in value)):
            raise ValueError(f"path {value!r} is not allowed")
        return value
