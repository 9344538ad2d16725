"""Approval buttons carry a signed context; a click whose signature does not verify is refused.

A button's `integration.context` holds only the action and the approval id,
plus an HMAC-SHA256 over both under `CHATOPS_MATTERMOST_ACTION_SECRET`. The
Mattermost server keeps a post's integration contexts to itself (clients
never see them), so a valid signature shows the click came through the
server from a button this bot drew; who clicked is then the policy's
question. Forged or replayed-from-elsewhere requests (a made-up approval
id, an action swapped for another) fail here, before anything is looked up.
Slash-command tokens are compared in constant time too. Nothing here
decides policy.
"""

from __future__ import annotations

import dataclasses
import hashlib
import hmac
import re
from collections.abc import Mapping
from typing import Any

from bot.domain.models import ButtonAction

APPROVAL_ID = re.compile(r"^[a-z0-9-]{1,64}$")
_DOMAIN = b"chatops-mattermost-action-v1"


@dataclasses.dataclass(frozen=True)
class SignedAction:
    action: ButtonAction
    approval_id: str


def _mac(secret: str, action: ButtonAction, approval_id: str) -> str:
    message = b"\n".join((_DOMAIN, action.value.encode(), approval_id.encode()))
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def signed_context(secret: str, *, action: ButtonAction, approval_id: str) -> dict[str, str]:
    """What a button sends back when clicked: the action, the approval id, and their signature."""
    return {"action": action.value, "approval_id": approval_id, "sig": _mac(secret, action, approval_id)}


def verify_context(secret: str, context: Any) -> SignedAction | None:
    """The action and approval id of a click, or None when the context is not one this bot signed."""
    if not secret or not isinstance(context, Mapping):
        return None
    action_name, approval_id, sig = context.get("action"), context.get("approval_id"), context.get("sig")
    if not (isinstance(action_name, str) and isinstance(approval_id, str) and isinstance(sig, str)):
        return None
    try:
        action = ButtonAction(action_name)
    except ValueError:
        return None
    if not APPROVAL_ID.match(approval_id):
        return None
    if not hmac.compare_digest(_mac(secret, action, approval_id).encode(), sig.encode()):
        return None
    return SignedAction(action, approval_id)


def is_token(expected: str | None, given: str | None) -> bool:
    """A slash command's token, compared in constant time; no expected token refuses every request."""
    if not expected or not given:
        return False
    return hmac.compare_digest(expected.encode(), given.encode())
