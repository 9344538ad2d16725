"""A local fake Mattermost server (REST API v4 + WebSocket events) for the adapter's tests."""
