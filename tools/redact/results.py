"""Redaction of a whole operation result: the core's last check before chat, the LLM or storage.

Tools redact what they return; this is the safety net the executor applies to
every result whatever the tool, so a tool that forgot (a Helm chart's notes, a
CLI's error line) cannot leak. Redaction is idempotent, so already redacted
results come back the same.
"""

from __future__ import annotations

import dataclasses

from tools.base import OperationResult, Table
from tools.redact.objects import redact_object
from tools.redact.patterns import redact_text


def redact_result(result: OperationResult) -> OperationResult:
    table = result.table
    if table is not None:
        table = Table(
            columns=table.columns,
            rows=tuple(tuple(redact_text(str(cell)) for cell in row) for row in table.rows),
        )
    return dataclasses.replace(
        result,
        text=redact_text(result.text),
        code=redact_text(result.code) if result.code is not None else None,
        error=redact_text(result.error) if result.error is not None else None,
        table=table,
        data=redact_object(dict(result.data)) if result.data is not None else None,
        prior_state=redact_object(dict(result.prior_state)) if result.prior_state is not None else None,
    )
