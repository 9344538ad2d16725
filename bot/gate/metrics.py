"""Prometheus metrics of one bot process, served at /metrics by the service.

One `Metrics` per app (its own registry, so tests and several apps in one
process never collide). Labels carry names and statuses only, never user
text or values.
"""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.exposition import CONTENT_TYPE_LATEST

LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300)


class Metrics:
    content_type = CONTENT_TYPE_LATEST

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        r = self.registry
        self.messages = Counter(
            "chatops_messages", "Chat messages received", ["platform", "kind"], registry=r
        )
        self.commands = Counter("chatops_commands", "Commands parsed", ["command"], registry=r)
        self.operations = Counter(
            "chatops_operations",
            "Operations run, by name and result status",
            ["operation", "status"],
            registry=r,
        )
        self.operation_seconds = Histogram(
            "chatops_operation_duration_seconds",
            "Time an operation took (k8s_* ones are Kubernetes API time)",
            ["operation"],
            buckets=LATENCY_BUCKETS,
            registry=r,
        )
        self.kubernetes_errors = Counter(
            "chatops_kubernetes_errors",
            "Kubernetes operations that ended in an error",
            ["operation"],
            registry=r,
        )
        self.approvals = Counter("chatops_approvals", "Approval rows entering a state", ["state"], registry=r)
        self.llm_calls = Counter("chatops_llm_calls", "Model requests, by outcome", ["outcome"], registry=r)
        self.llm_seconds = Histogram(
            "chatops_llm_latency_seconds", "Model request latency", buckets=LATENCY_BUCKETS, registry=r
        )
        self.llm_tokens = Counter("chatops_llm_tokens", "Model tokens", ["direction"], registry=r)
        self.limited = Counter("chatops_rate_limited", "Requests refused by a limit", ["limit"], registry=r)
        self.limit_store_unavailable = Counter(
            "chatops_limit_store_unavailable",
            "Limit checks made while the shared limit store (Redis) was unreachable, by decision",
            ["limit", "decision"],
            registry=r,
        )
        self.webhooks = Counter("chatops_webhook_deliveries", "Webhook deliveries", ["outcome"], registry=r)
        # Alerts and the cluster watch (bot/alerts).
        self.alerts_received = Counter(
            "chatops_alerts_received",
            "Alerts in Alertmanager notifications, by status and change",
            ["status", "change"],
            registry=r,
        )
        self.alert_webhooks_refused = Counter(
            "chatops_alert_webhooks_refused", "Alertmanager notifications refused", ["reason"], registry=r
        )
        self.alert_cards = Counter(
            "chatops_alert_cards",
            "Alert and cluster-event cards posted or updated",
            ["kind", "action"],
            registry=r,
        )
        self.alert_cards_suppressed = Counter(
            "chatops_alert_cards_suppressed", "New cards held back by flood control", ["platform"], registry=r
        )
        self.watch_restarts = Counter(
            "chatops_watch_restarts",
            "Cluster watches restarted, by reason",
            ["cluster", "resource", "reason"],
            registry=r,
        )
        self.leader_changes = Counter(
            "chatops_alert_leader_changes",
            "This replica became or stopped being the alert poster",
            ["change"],
            registry=r,
        )

    def observe_operation(self, operation: str, status: str, seconds: float) -> None:
        self.operations.labels(operation, status).inc()
        self.operation_seconds.labels(operation).observe(seconds)
        if operation.startswith("k8s_") and status == "error":
            self.kubernetes_errors.labels(operation).inc()

    def render(self) -> bytes:
        return generate_latest(self.registry)
