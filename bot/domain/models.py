"""The core's own message and reply types.

Adapters turn platform payloads into `IncomingMessage` and render `Reply`
their own way; nothing here knows a chat platform or a terminal.
"""

from __future__ import annotations

import dataclasses
import enum
from collections.abc import Iterable

from bot.domain.memberships import matches_any, member
from tools.base import Attachment as Attachment
from tools.base import Table


@dataclasses.dataclass(frozen=True)
class Principal:
    """Who is speaking: a platform identity plus the memberships it carries.

    `memberships` are opaque `<platform>:<kind>:<id>` strings the adapter fills
    (`bot.domain.memberships`); the person's own `<platform>:user:<id>` is always
    among them, added here when the adapter did not. Policy, identity mapping and
    channel rules match on these strings only. `team` is the workspace or server
    the adapter saw the person in, for the adapter's own checks.
    """

    platform: str
    user_id: str
    display_name: str
    memberships: tuple[str, ...] = ()
    team: str | None = None

    def __post_init__(self) -> None:
        if not self.user_id:
            return
        own = member(self.platform, "user", self.user_id)
        if own not in self.memberships:
            object.__setattr__(self, "memberships", (own, *self.memberships))

    @staticmethod
    def member(platform: str, kind: str, ident: str) -> str:
        """The membership string adapters fill: `Principal.member("console", "user", "alice")`."""
        return member(platform, kind, ident)

    def is_in(self, patterns: Iterable[str]) -> bool:
        """Whether any of this person's memberships matches any of the config's patterns."""
        return matches_any(self.memberships, patterns)


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
