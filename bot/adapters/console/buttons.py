"""An alert card's buttons on a terminal: shown as the commands that press them, read back as clicks.

A terminal has no buttons, so the console prints each of an alert card's
buttons as the line that presses it (`!investigate <fingerprint>`,
`!silence <fingerprint> 1h|4h|resolved`, `!ack <fingerprint>`), as approval
cards are decided by typing `!approve <id>`. Such a line becomes the same
click a chat platform's button sends (`ButtonAction` + fingerprint), handed
to the router's `handle_button` and from there to `app.alert_clicks`; the
fingerprint is never trusted for anything else. `!silence` with matchers
(`!silence alertname=X …`) is the `am_silence` command and is left alone.
Nothing here decides or runs anything.
"""

from __future__ import annotations

import dataclasses
import re

from bot.domain.models import Button, ButtonAction

SILENCES = {
    "1h": ButtonAction.SILENCE_1H,
    "4h": ButtonAction.SILENCE_4H,
    "resolved": ButtonAction.SILENCE_RESOLVED,
}
WORDS = {"ack": ButtonAction.ACKNOWLEDGE, "investigate": ButtonAction.INVESTIGATE}
FINGERPRINT = r"[A-Za-z0-9_-]{1,40}"
_ONE = re.compile(rf"^!(?P<verb>ack|investigate)\s+(?P<id>{FINGERPRINT})$")
_SILENCE = re.compile(rf"^!silence\s+(?P<id>{FINGERPRINT})\s+(?P<length>1h|4h|resolved)$")


@dataclasses.dataclass(frozen=True)
class ConsoleClick:
    action: ButtonAction
    fingerprint: str


def to_click(line: str) -> ConsoleClick | None:
    """The alert-card click a typed line stands for, or None when it is an ordinary message."""
    text = line.strip()
    if found := _ONE.match(text):
        return ConsoleClick(WORDS[found["verb"]], found["id"])
    if found := _SILENCE.match(text):
        return ConsoleClick(SILENCES[found["length"]], found["id"])
    return None


def command_of(button: Button) -> str | None:
    """The line that presses an alert card's button; None for an approval card's (typed as `!approve ID`)."""
    fingerprint = button.approval_id
    for verb, action in WORDS.items():
        if button.action is action:
            return f"!{verb} {fingerprint}"
    for length, action in SILENCES.items():
        if button.action is action:
            return f"!silence {fingerprint} {length}"
    return None


def with_commands(buttons: tuple[Button, ...]) -> tuple[Button, ...]:
    """The buttons as the console shows them: an alert card's labelled with the line to type."""
    shown = []
    for button in buttons:
        command = command_of(button)
        shown.append(button if command is None else dataclasses.replace(button, label=command))
    return tuple(shown)
