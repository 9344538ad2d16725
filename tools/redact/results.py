"""Redaction of a whole operation result: the core's last check before chat, the LLM or storage.

Tools redact what they return; this is the safety net the executor applies to
every result whatever the tool, so a tool that forgot (a Helm chart's notes, a
CLI's error line) cannot leak. `prior_state` and `data` are redacted by
structure (`redact_object`), so what the approval row stores holds no secret
value. An undo plan is kept only when redaction leaves its arguments as they
are: an undo whose arguments held a secret (or already carry a marker) would
re-create the object with `[REDACTED]` in it, so it is withheld and the
result's text says why, as a delete already does. Redaction is idempotent, so
already redacted results come back the same.
"""

from __future__ import annotations

import dataclasses
import json
from typing import Any

from tools.base import OperationResult, Table, UndoPlan
from tools.redact.objects import redact_object
from tools.redact.patterns import redact_text

NO_UNDO = (
    "no automatic undo: the change touched values the bot never stores (secrets), "
    "so put them back from their source"
)


def redact_result(result: OperationResult) -> OperationResult:
    table = result.table
    if table is not None:
        table = Table(
            columns=table.columns,
            rows=tuple(tuple(redact_text(str(cell)) for cell in row) for row in table.rows),
        )
    text = redact_text(result.text)
    undo = result.undo
    if undo is not None and not is_storable_undo(undo):
        undo = None
        if NO_UNDO not in text:
            text = f"{text}\n{NO_UNDO}"
    return dataclasses.replace(
        result,
        text=text,
        code=redact_text(result.code) if result.code is not None else None,
        error=redact_text(result.error) if result.error is not None else None,
        table=table,
        data=redact_object(dict(result.data)) if result.data is not None else None,
        prior_state=redact_object(dict(result.prior_state)) if result.prior_state is not None else None,
        undo=undo,
    )


def is_storable_undo(undo: UndoPlan) -> bool:
    """True when the undo's arguments hold no secret value and no marker of one."""
    args: Any = dict(undo.args)
    if redact_object(args) != args:
        return False
    return "[REDACTED" not in json.dumps(args, default=str)
