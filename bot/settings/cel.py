"""CEL, the expression language of Kubernetes' ValidatingAdmissionPolicy, for policy rules.

Wraps the one CEL library the bot uses: cel-python (`celpy`, PyPI `cel-python`),
maintained by the Cloud Custodian project. It was chosen because it is pure
Python (it installs anywhere the bot does, no native build), ships type hints
(`py.typed`), follows the CEL spec with the macros admins write in admission
policies (`has()`, `exists`, `all`, `exists_one`, `map`, `filter`, `endsWith`,
`startsWith`, `matches`, `size`), and is released regularly. The Rust-backed
`common-expression-language` was the alternative; a native wheel for a policy
language the bot evaluates a few times per approval buys nothing here.

This module compiles and evaluates expressions; it knows nothing of rules,
roles or approvals (see `bot.gate.cel_rules`). It never runs anything else.
"""

from __future__ import annotations

import dataclasses
import functools
import re
from collections.abc import Mapping
from typing import Any

import celpy
from celpy import celtypes
from celpy.adapter import json_to_cel
from celpy.celparser import CELParseError
from celpy.evaluation import CELEvalError, CELFunction, Result, bool_eq

# The names an expression may use: those of a ValidatingAdmissionPolicy.
VARIABLES = ("object", "oldObject", "request")
_SAMPLE: dict[str, Any] = {
    "object": {},
    "oldObject": None,
    "request": {"operation": "CREATE", "namespace": "", "name": "", "kind": {}, "userInfo": {}},
}
_CLASS = re.compile(r"<class '(?:[\w.]+\.)?(\w+)'>")
_TOKEN = re.compile(r"Token\('RULE', '(\w+)'\)")
_UNDECLARED = re.compile(r"undeclared reference to '([^']+)'")
_ENV = celpy.Environment()


def _not_equal(a: Result, b: Result) -> Result:
    # celpy 0.5 answers `map != null` with "no matching overload" although `map == null` is
    # false; admission policies write `oldObject != null` all the time, so `!=` is `!(==)`.
    same = bool_eq(a, b)
    if not isinstance(same, celtypes.BoolType):
        return same
    return celtypes.BoolType(not same)


_FUNCTIONS: dict[str, CELFunction] = {"_!=_": _not_equal}


class CelError(Exception):
    """An expression that cannot be compiled or evaluated, phrased as one line for a person."""


@dataclasses.dataclass(frozen=True)
class CelProgram:
    text: str
    _runner: celpy.Runner

    def evaluate(self, variables: Mapping[str, Any]) -> bool:
        """True when the expression holds; raises CelError when it cannot be evaluated or is not a bool."""
        activation = {name: json_to_cel(value) for name, value in variables.items()}
        try:
            result = self._runner.evaluate(activation)
        except CELEvalError as e:
            raise CelError(_eval_reason(e)) from None
        except Exception as e:  # the library's own failure on odd input: still one line
            raise CelError(f"{type(e).__name__} while evaluating") from None
        if isinstance(result, CELEvalError):
            raise CelError(_eval_reason(result))
        if not isinstance(result, celtypes.BoolType | bool):
            raise CelError(f"the expression gave a {type(result).__name__}, not true or false")
        return bool(result)


def _eval_reason(error: CELEvalError) -> str:
    first = error.args[0] if error.args else str(error)
    text = _CLASS.sub(lambda m: m.group(1).removesuffix("Type").lower(), str(first).splitlines()[0])
    return _TOKEN.sub(r"\1", text)[:200]


@functools.lru_cache(maxsize=256)
def compile_cel(text: str) -> CelProgram:
    """Compile once (cached by text); refuses a malformed expression or an unknown variable."""
    if not text.strip():
        raise CelError("the expression is empty")
    try:
        ast = _ENV.compile(text)
    except CELParseError as e:
        where = f" at column {e.column}" if getattr(e, "column", None) else ""
        raise CelError(f"not a valid CEL expression{where}") from None
    program = CelProgram(text=text, _runner=_ENV.program(ast, functions=_FUNCTIONS))
    # celpy resolves names when evaluating: a trial run over empty objects finds a misspelt
    # variable (`objekt.spec`) at load rather than at the first approval.
    try:
        program.evaluate(_SAMPLE)
    except CelError as e:
        unknown = _UNDECLARED.search(str(e))
        if unknown:
            raise CelError(
                f"unknown name '{unknown.group(1)}'; an expression may use {', '.join(VARIABLES)}"
            ) from None
    return program
