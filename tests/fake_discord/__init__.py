"""A fake Discord (REST + gateway) for running the real discord.py client in tests."""
