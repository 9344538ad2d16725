"""The one error of the settings layer: a configuration problem phrased for a person."""

from __future__ import annotations


class ConfigError(Exception):
    """A configuration problem, already phrased as one line for a person."""
