"""The language-model agent: the only part of the bot that imports LangChain.

Modules: `model` (ChatOpenAI construction), `resilience` (the one retry layer
and the circuit breaker), `toolset` / `tool_adapter` / `dispatch` (registry →
a few coarse tools → `executor.submit`), `memory` (per-user history within a
token budget), `middleware` (input budget, gate, tool-call limit per model
call), `agent` (the turn and the follow-up after an approval), `answers`
(replies), `flows` (`!debug`, `!analyze`), `probe` (`chatops check`) and
`framing` (untrusted-data frames, mention defusing). The agent never runs a
change: every call goes through the executor, which files approvals.

This package file imports nothing, so `flows` loads without LangChain.
"""
