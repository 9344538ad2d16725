"""A fake Prometheus HTTP API (instant and range queries, labels, alerts, errors and hangs)."""
