"""The router's fixed refusals: what a person reads when the bot will not take a message at all."""

from __future__ import annotations

import re

KUBECONFIG_PASTE = re.compile(
    r"(?m)^\s*(kind:\s*Config\b|client-(key|certificate)-data:|certificate-authority-data:)"
)


DRAINING = "The bot is restarting and takes no new work right now; please try again in a minute."

KUBECONFIG_REFUSAL = (
    "I will not read a kubeconfig pasted into chat: it carries credentials that are now in "
    "this channel's history, so rotate them. An admin adds clusters on the bot's host with "
    "`chatops cluster add NAME --kubeconfig FILE`."
)
