"""Domain types: what the core and every adapter speak (messages, replies, outcomes, ports).

The lowest layer of `bot/`: it imports nothing else from `bot`.
"""
