"""Settings: one model per group, composed into `Settings`, loaded once at start.

The YAML file never holds secrets; those come from environment variables only
(`Secrets`). A wrong key or type stops start-up with one line naming the key
path and what was expected (`ConfigError`). This module reads files and the
environment; it does not connect to anything.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from bot.settings.alerts_settings import AlertsSettings
from bot.settings.endpoints_config import AlertmanagerConfig, PrometheusConfig
from bot.settings.errors import ConfigError as ConfigError
from bot.settings.legacy import translate_document
from bot.settings.platforms import (
    PLATFORM_SECRET_VARIABLES,
    PlatformSecrets,
    PlatformSections,
    platform_secrets_from_env,
)
from bot.settings.policy_settings import PolicySettings, check_membership_pattern

DEFAULT_DATABASE_URL = "sqlite+aiosqlite:///./chatops.db"


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class StorageSettings(_Model):
    url: str = DEFAULT_DATABASE_URL


class ClusterEntry(_Model):
    name: str = Field(min_length=1, max_length=63)
    kubeconfig: Path | None = None
    context: str | None = None
    default_namespace: str = "default"


class IdentityMatch(_Model):
    # A membership pattern (`bot.domain.memberships`): "<platform>:<kind>:<id>", globs * and ?.
    member: str

    @field_validator("member")
    @classmethod
    def _is_membership(cls, value: str) -> str:
        return check_membership_pattern(value)


class KubernetesIdentity(_Model):
    user: str = Field(min_length=1)
    groups: tuple[str, ...] = ()


class IdentityEntry(_Model):
    match: IdentityMatch
    kubernetes: KubernetesIdentity


class LlmSettings(_Model):
    model: str | None = None
    base_url: str | None = None
    temperature: float = Field(default=0.0, ge=0, le=2)
    timeout_s: float = Field(default=30.0, gt=0, le=600)
    max_tool_calls: int = Field(default=8, ge=1, le=50)
    max_input_tokens: int = Field(default=12000, ge=1000)
    memory_tokens: int = Field(default=3000, ge=0)
    max_attempts: int = Field(default=4, ge=1, le=10)
    breaker_failures: int = Field(default=3, ge=1, le=100)
    breaker_cooldown_s: float = Field(default=60.0, gt=0, le=3600)


class HelmConfig(_Model):
    binary: str = "helm"
    repositories: dict[str, str] = {}
    chart_dir: Path = Path("./charts")
    timeout_s: float = Field(default=300.0, gt=0)


class MinikubeConfig(_Model):
    binary: str = "minikube"
    build_dir: Path = Path("./images")
    timeout_s: float = Field(default=900.0, gt=0)


class ServerSettings(_Model):
    host: str = "127.0.0.1"
    port: int = Field(default=8080, ge=0, le=65535)
    instance_id: str | None = None
    # How many replicas run this config (the chart sets it from replicaCount; CHATOPS_REPLICAS wins).
    replicas: int = Field(default=1, ge=1, le=100)
    # Seconds between the leader's sweeps (expiry, abandoned executions, old event claims).
    sweep_interval_s: float = Field(default=30.0, gt=0, le=3600)
    # Processed chat event ids are kept this long (redeliveries come within minutes), then pruned.
    event_retention_hours: float = Field(default=24.0, gt=0)
    # Who runs the sweeps: the replica holding a PostgreSQL advisory lock ("database"), or the
    # holder of a Kubernetes Lease in lease_namespace (POD_NAMESPACE wins) on the default cluster.
    leader_election: Literal["database", "kubernetes"] = "database"
    lease_namespace: str | None = None
    lease_name: str = Field(default="chatops-sweeper", min_length=1, max_length=253)
    # Seconds a bot process's lease lasts without renewal (renewed every third of it);
    # another process settles this one's unfinished approvals only after it lapses.
    instance_lease_s: float = Field(default=60.0, ge=3.0, le=3600.0)


class LimitFailureModes(_Model):
    """What a limit does while its Redis is unreachable: let requests through or refuse them."""

    messages: Literal["open", "closed"] = "open"
    model: Literal["open", "closed"] = "closed"


class LimitSettings(_Model):
    messages_per_minute: int = Field(default=20, ge=1)
    llm_calls_per_minute: int = Field(default=10, ge=1)
    max_message_chars: int = Field(default=4000, ge=100)
    max_concurrent_agent_turns: int = Field(default=8, ge=1)
    # Shared counters for every replica: redis://host:6379/0 (CHATOPS_REDIS_URL wins). None: in memory.
    redis_url: str | None = None
    # With replicas > 1, in-memory limits count per replica; start anyway only if this is true.
    allow_per_replica: bool = False
    when_redis_down: LimitFailureModes = LimitFailureModes()


class ToolSettings(_Model):
    output_budget_tokens: int = Field(default=2000, ge=200, le=20000)
    kubernetes_timeout_s: float = Field(default=15.0, gt=0)


class WebhookEntry(_Model):
    url: str
    events: tuple[str, ...] = ()

    @field_validator("url")
    @classmethod
    def _is_http(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError("must start with http:// or https://")
        return value


class Settings(PlatformSections):
    """Every section; the chat platforms' own sections come from `PlatformSections`."""

    storage: StorageSettings = StorageSettings()
    clusters: tuple[ClusterEntry, ...] = ()
    cluster_dir: Path = Path("~/.config/chatops/clusters")
    identities: tuple[IdentityEntry, ...] = ()
    policy: PolicySettings = PolicySettings()
    llm: LlmSettings = LlmSettings()
    helm: HelmConfig = HelmConfig()
    minikube: MinikubeConfig = MinikubeConfig()
    server: ServerSettings = ServerSettings()
    limits: LimitSettings = LimitSettings()
    tools: ToolSettings = ToolSettings()
    webhooks: tuple[WebhookEntry, ...] = ()
    prometheus: PrometheusConfig = PrometheusConfig()
    alertmanager: AlertmanagerConfig = AlertmanagerConfig()
    alerts: AlertsSettings = AlertsSettings()

    def credential_variables(self) -> list[tuple[str, str]]:
        """(key path, environment variable) of every credential the config names by variable."""
        return [*self.prometheus.variables(), *self.alertmanager.variables(), *self.alerts.variables()]


SECRET_VARIABLES = (
    *PLATFORM_SECRET_VARIABLES,
    "OPENAI_API_KEY",
    "CHATOPS_DATABASE_URL",
    "CHATOPS_AUDIT_KEY",
    "CHATOPS_WEBHOOK_SECRET",
    "CHATOPS_REDIS_URL",
)


@dataclasses.dataclass(frozen=True, repr=False)
class Secrets(PlatformSecrets):
    """Secret values from the environment (the chat platforms' from `PlatformSecrets`).
    `repr` never shows them."""

    openai_api_key: str | None = None
    openai_base_url: str | None = None
    database_url: str | None = None
    audit_key: str | None = None
    webhook_secret: str | None = None
    # Variables the config names for its credentials (Prometheus tokens and passwords): name → value.
    named: Mapping[str, str] = dataclasses.field(default_factory=dict)
    redis_url: str | None = None

    def __repr__(self) -> str:
        present = [f.name for f in dataclasses.fields(self) if getattr(self, f.name) and f.name != "named"]
        return f"Secrets(set={present + sorted(self.named)})"

    def values(self) -> list[str]:
        return [
            v
            for f in dataclasses.fields(self)
            if (v := getattr(self, f.name)) and f.name not in ("openai_base_url", "named")
        ] + [v for v in self.named.values() if v]

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> Secrets:
        def get(name: str) -> str | None:
            value = env.get(name, "").strip()
            return value or None

        core = cls(
            openai_api_key=get("OPENAI_API_KEY"),
            openai_base_url=get("OPENAI_BASE_URL"),
            database_url=get("CHATOPS_DATABASE_URL"),
            audit_key=get("CHATOPS_AUDIT_KEY"),
            webhook_secret=get("CHATOPS_WEBHOOK_SECRET"),
            redis_url=get("CHATOPS_REDIS_URL"),
        )
        return dataclasses.replace(core, **platform_secrets_from_env(get))


@dataclasses.dataclass(frozen=True)
class LoadedConfig:
    settings: Settings
    secrets: Secrets
    source: Path | None

    @property
    def database_url(self) -> str:
        return self.secrets.database_url or self.settings.storage.url

    @property
    def redis_url(self) -> str | None:
        return self.secrets.redis_url or self.settings.limits.redis_url


def _describe_error(error: ValidationError, *, source: str) -> str:
    first = error.errors()[0]
    path = ".".join(str(part) for part in first["loc"]) or "(top level)"
    if first["type"] == "extra_forbidden":
        return f"{source}: unknown key '{path}'; remove it or check its spelling (see config.example.yaml)"
    message = first["msg"]
    got = first.get("input")
    shown = "" if isinstance(got, dict | list) or first["type"] == "missing" else f" (got {got!r})"
    return f"{source}: '{path}': {message}{shown}"


def parse_settings(document: Any, *, source: str = "config") -> Settings:
    if document is None:
        document = {}
    if not isinstance(document, dict):
        raise ConfigError(f"{source}: the top level must be a mapping of sections (storage, policy, …)")
    document = translate_document(document, source=source)
    try:
        return Settings.model_validate(document)
    except ValidationError as e:
        raise ConfigError(_describe_error(e, source=source)) from None


def _require_secrets(settings: Settings, secrets: Secrets) -> None:
    for name, section in settings.chat_sections().items():
        if not section.enabled:
            continue
        for key, what in section.missing_settings():
            raise ConfigError(f"{name}.enabled is true but {name}.{key} ({what}) is not set")
        for variable in section.secret_variables():
            if not secrets.platform_secret(variable):
                how = section.describe()
                raise ConfigError(
                    f"{name}.enabled is true{f' ({how})' if how else ''} but {variable} "
                    "is not set in the environment"
                )
    if settings.webhooks and not secrets.webhook_secret:
        raise ConfigError("webhooks are configured but CHATOPS_WEBHOOK_SECRET (their signing key) is not set")
    for key, variable in settings.credential_variables():
        if variable not in secrets.named:
            raise ConfigError(f"{key} names {variable}, which is not set in the environment")


def load_config(
    path: Path | None = None, *, env: Mapping[str, str] | None = None, require_secrets: bool = True
) -> LoadedConfig:
    """Read the YAML file (`--config`, else `CHATOPS_CONFIG`, else defaults) and the environment."""
    env = os.environ if env is None else env
    if path is None and env.get("CHATOPS_CONFIG"):
        path = Path(env["CHATOPS_CONFIG"])
    document: Any = {}
    if path is not None:
        try:
            document = yaml.safe_load(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise ConfigError(
                f"config file {path} does not exist; pass --config with a path that does"
            ) from None
        except OSError as e:
            raise ConfigError(f"config file {path} cannot be read: {e.strerror}") from None
        except yaml.YAMLError as e:
            mark = getattr(e, "problem_mark", None)
            where = f" at line {mark.line + 1}" if mark is not None else ""
            raise ConfigError(f"config file {path} is not valid YAML{where}") from None
    settings = parse_settings(document, source=str(path) if path else "config")
    secrets = Secrets.from_env(env)
    if secrets.openai_base_url and not settings.llm.base_url:
        settings = settings.model_copy(
            update={"llm": settings.llm.model_copy(update={"base_url": secrets.openai_base_url})}
        )
    named = {v: env[v].strip() for _, v in settings.credential_variables() if env.get(v, "").strip()}
    secrets = dataclasses.replace(secrets, named=named)
    if env.get("CHATOPS_REPLICAS"):
        settings = _with_replicas(settings, env["CHATOPS_REPLICAS"])
    if require_secrets:
        _require_secrets(settings, secrets)
    loaded = LoadedConfig(settings=settings, secrets=secrets, source=path)
    _require_shared_limits(loaded)
    return loaded


def _with_replicas(settings: Settings, value: str) -> Settings:
    try:
        replicas = int(value)
    except ValueError:
        raise ConfigError(f"CHATOPS_REPLICAS must be a whole number (got {value!r})") from None
    if replicas < 1:
        raise ConfigError(f"CHATOPS_REPLICAS must be at least 1 (got {replicas})")
    return settings.model_copy(update={"server": settings.server.model_copy(update={"replicas": replicas})})


def _require_shared_limits(loaded: LoadedConfig) -> None:
    limits, replicas = loaded.settings.limits, loaded.settings.server.replicas
    if replicas > 1 and loaded.redis_url is None and not limits.allow_per_replica:
        raise ConfigError(
            f"server.replicas is {replicas} but limits.redis_url (or CHATOPS_REDIS_URL) is not set, so each "
            "replica would count limits on its own; set a Redis URL, or set limits.allow_per_replica: true"
        )
