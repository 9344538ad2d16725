"""Names vulture cannot see used: frameworks call them, or read them by name.

`scripts/test.sh` runs `vulture` (paths and options in pyproject.toml's
`[tool.vulture]`); this file is one of its paths. Each `_.name` below marks
`name` as used everywhere, so keep the list short and say who uses each one.
Pydantic validators and pytest fixtures are left out by decorator in the config.
Never run: vulture only reads it.
"""

from __future__ import annotations


class _Any:
    def __getattr__(self, name: str) -> _Any:
        return self


_ = _Any()

# pydantic: a model's settings (`extra="forbid"`…), read by its metaclass.
_.model_config

# prompt_toolkit: the Completer interface (bot/adapters/console/completion.py).
_.get_completions
_.complete_event

# discord.py: intents flags, the client's start-up hook, DynamicItem's factory and a button's callback.
_.guilds
_.guild_messages
_.dm_messages
_.setup_hook
_.from_custom_id
_.callback

# LangChain: AgentMiddleware's hook (bot/agent/middleware.py, bench/bench_agent.py).
_.awrap_model_call
# StructuredTool reads the resolved annotations of the function it wraps (bot/agent/tool_adapter.py).
_.__annotations__

# SQLAlchemy: TypeDecorator's class attributes and hooks (storage/types.py).
_.impl
_.cache_ok
_.process_bind_param
_.process_result_value

# kubernetes client: Configuration.retries, read by its urllib3 pool (tools/kubernetes/client.py, tests).
_.retries

# Read with getattr(self_confirm, safety.value) (bot/gate/policy.py).
_.destructive

# A record field filled from its row by name (storage/records.py ApprovalRecord).
_.finished_at

# pytest: module-level names it reads, and a callable fixture object (tests/prometheus/conftest.py).
_.pytest_plugins
_.pytestmark
_.__call__

# Read by tests (the fake server's counters) or kept for the platform's payload shape.
_.connections
_.channel_name

# A package's lazy exports (PEP 562), record fields kept for readers of the rows, the webhook payload's schema.
_.__getattr__
_.received_at
_.posted_at
_.open_streams
_.groupKey
_.truncatedAlerts
_.groupLabels
_.commonLabels
_.commonAnnotations
_.externalURL
