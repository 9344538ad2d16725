"""Shared fixtures. Fixture packages register themselves here as plugins."""

pytest_plugins = [
    "tests.fake_k8s.plugin",
    "tests.core.fixtures",
    "tests.fake_prometheus.plugin",
    "tests.fake_alertmanager.plugin",
    "tests.fake_mattermost.plugin",
]
