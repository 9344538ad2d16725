"""In-memory turn slots (a single replica): a free slot is taken without waiting, a full set refuses."""

from __future__ import annotations

from bot.conversation.limits import Limits
from bot.settings.config import LimitSettings


async def test_a_free_slot_is_taken_without_waiting_and_the_last_one_refuses_the_next() -> None:
    limits = Limits(LimitSettings(max_concurrent_agent_turns=2))
    async with limits.agent_turn(wait_s=0) as first, limits.agent_turn(wait_s=0) as second:
        assert (first, second) == (True, True)
        async with limits.agent_turn(wait_s=0) as third:
            assert third is False
    async with limits.agent_turn(wait_s=0) as again:  # both were handed back
        assert again is True
    await limits.close()
