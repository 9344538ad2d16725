"""A fake Alertmanager API v2 (alerts, silences) for tests."""
