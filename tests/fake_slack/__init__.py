"""A fake Slack: the Web API and Socket Mode served locally, and signed requests as Slack sends them."""
