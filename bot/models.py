"""The core's own message and reply types.

Adapters turn platform payloads into `IncomingMessage` and render `Reply`
their own way; nothing here knows Slack, Discord or a terminal.
"""

from __future__ import annotations

import dataclasses
import enum

from tools.base import Attachment as Attachment
from tools.base import Table


@dataclasses.dataclass(frozen=True)
class Principal:
    """Who is speaking: a platform identity plus the groups/roles it carries.

    `groups` holds Slack user-group ids or Discord role ids; policy maps them
    to a bot role. `team` is the Slack workspace or Discord guild.
    """

    platform: str
    user_id: str
    display_name: str
    groups: tuple[str, ...] = ()
    team: str | None = None


@dataclasses.dataclass(frozen=True)
class IncomingMessage:
    principal: Principal
    channel: str
    text: str
    thread: str | None = None
    event_id: str | None = None
    is_direct: bool = False
    via_slash_command: bool = False


class ButtonAction(enum.Enum):
    APPROVE = "approve"
    DENY = "deny"
    UNDO = "undo"
    # Alert cards (bot/alerts): the button's `approval_id` holds the alert's fingerprint.
    INVESTIGATE = "investigate"
    SILENCE_1H = "silence_1h"
    SILENCE_4H = "silence_4h"
    SILENCE_RESOLVED = "silence_resolved"
    ACKNOWLEDGE = "acknowledge"

    @property
    def is_alert_action(self) -> bool:
        return self not in (ButtonAction.APPROVE, ButtonAction.DENY, ButtonAction.UNDO)


@dataclasses.dataclass(frozen=True)
class Button:
    action: ButtonAction
    approval_id: str  # an approval's id; for an alert card's buttons, the alert's fingerprint
    label: str
    confirm: bool = False  # DESTRUCTIVE approvals ask "are you sure?" first


@dataclasses.dataclass(frozen=True)
class ReplyField:
    name: str
    value: str


class ReplyKind(enum.Enum):
    INFO = "info"
    RESULT = "result"
    APPROVAL = "approval"
    ERROR = "error"
    DENIED = "denied"


@dataclasses.dataclass(frozen=True)
class Reply:
    """A platform-neutral answer: text plus optional code, table, fields and buttons.

    Text in `code` and `table` came from a cluster or a model: adapters render
    it escaped and never as mentions or links.
    """

    text: str
    kind: ReplyKind = ReplyKind.INFO
    code: str | None = None
    table: Table | None = None
    fields: tuple[ReplyField, ...] = ()
    buttons: tuple[Button, ...] = ()
    approval_id: str | None = None
    ephemeral: bool = False
    # Files for people (chart images): adapters post them with the message.
    files: tuple[Attachment, ...] = ()
