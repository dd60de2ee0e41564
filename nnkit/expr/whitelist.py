"""What a formula may contain, and how big it may be: the whitelist and the limits.

Every name a formula can use is listed here: the functions in :data:`FUNCTIONS`
(each with the sympy constructor that builds it) and the constants in
:data:`CONSTANTS`. Anything else is an error. The limits bound the work a formula
can cause, so that ``9**9**9**9`` or a page of parentheses is rejected at once.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

import sympy

__all__ = [
    "CONSTANTS",
    "FUNCTIONS",
    "MAX_DEPTH",
    "MAX_EXPONENT",
    "MAX_LENGTH",
    "MAX_MAGNITUDE",
    "MAX_NODES",
    "MAX_NUMBER_CHARS",
    "FormulaError",
]

#: Longest formula accepted, in characters.
MAX_LENGTH = 500
#: Deepest nesting accepted (parentheses, function calls, unary signs, powers).
MAX_DEPTH = 40
#: Largest number of nodes (numbers, names, operators, calls) in one formula.
MAX_NODES = 400
#: Largest magnitude of a numeric exponent (``x^1000`` is fine, ``x^1001`` is not).
MAX_EXPONENT = 1000
#: Largest decimal order of magnitude of any number built from literals (1e300).
MAX_MAGNITUDE = 300
#: Longest numeric literal, in characters.
MAX_NUMBER_CHARS = 40


class FormulaError(ValueError):
    """A formula that cannot be accepted, with the position of the offending text.

    Attributes
    ----------
    message : str
        What is wrong and what to change, in one or two sentences.
    position : int
        0-based index into ``text`` of the offending character.
    text : str
        The formula as typed.
    """

    def __init__(self, message: str, position: int = 0, text: str = "") -> None:
        self.message = message
        self.position = max(0, min(int(position), len(text)))
        self.text = text
        super().__init__(self._full())

    def caret(self) -> str:
        """Show the formula with a ``^`` under the offending character.

        Long formulas are cut to a window around the position.

        Returns
        -------
        str
            Two lines: the formula (or a window of it) and the caret.
        """
        text, pos = self.text, self.position
        if len(text) > 70:
            start = max(0, pos - 35)
            snippet = text[start : start + 70]
            prefix = "…" if start > 0 else ""
            suffix = "…" if start + 70 < len(text) else ""
            return f"{prefix}{snippet}{suffix}\n{' ' * (len(prefix) + pos - start)}^"
        return f"{text}\n{' ' * pos}^"

    def _full(self) -> str:
        if not self.text:
            return self.message
        return f"{self.message}\n{self.caret()}"


# ---------------------------------------------------------------------------
# The whitelist: functions and constants, and how each is built in sympy.
# ---------------------------------------------------------------------------


def _sigmoid(z: sympy.Expr) -> sympy.Expr:
    return 1 / (1 + sympy.exp(-z))


def _relu(z: sympy.Expr) -> sympy.Expr:
    return sympy.Max(0, z)


def _softplus(z: sympy.Expr) -> sympy.Expr:
    return sympy.log(1 + sympy.exp(z))


def _log10(z: sympy.Expr) -> sympy.Expr:
    return sympy.log(z, 10)


def _log2(z: sympy.Expr) -> sympy.Expr:
    return sympy.log(z, 2)


@dataclass(frozen=True)
class _Function:
    build: Callable[..., sympy.Expr]
    nargs: tuple[int, int]  # min, max number of arguments
    doc: str


_ONE = (1, 1)
FUNCTIONS: dict[str, _Function] = {
    "sin": _Function(sympy.sin, _ONE, "sine"),
    "cos": _Function(sympy.cos, _ONE, "cosine"),
    "tan": _Function(sympy.tan, _ONE, "tangent"),
    "exp": _Function(sympy.exp, _ONE, "exponential"),
    "log": _Function(sympy.log, _ONE, "natural logarithm"),
    "ln": _Function(sympy.log, _ONE, "natural logarithm"),
    "log10": _Function(_log10, _ONE, "base-10 logarithm"),
    "log2": _Function(_log2, _ONE, "base-2 logarithm"),
    "sqrt": _Function(sympy.sqrt, _ONE, "square root"),
    "abs": _Function(sympy.Abs, _ONE, "absolute value"),
    "sign": _Function(sympy.sign, _ONE, "sign"),
    "sinh": _Function(sympy.sinh, _ONE, "hyperbolic sine"),
    "cosh": _Function(sympy.cosh, _ONE, "hyperbolic cosine"),
    "tanh": _Function(sympy.tanh, _ONE, "hyperbolic tangent"),
    "asin": _Function(sympy.asin, _ONE, "inverse sine"),
    "acos": _Function(sympy.acos, _ONE, "inverse cosine"),
    "atan": _Function(sympy.atan, _ONE, "inverse tangent"),
    "arcsin": _Function(sympy.asin, _ONE, "inverse sine"),
    "arccos": _Function(sympy.acos, _ONE, "inverse cosine"),
    "arctan": _Function(sympy.atan, _ONE, "inverse tangent"),
    "asinh": _Function(sympy.asinh, _ONE, "inverse hyperbolic sine"),
    "acosh": _Function(sympy.acosh, _ONE, "inverse hyperbolic cosine"),
    "atanh": _Function(sympy.atanh, _ONE, "inverse hyperbolic tangent"),
    "arcsinh": _Function(sympy.asinh, _ONE, "inverse hyperbolic sine"),
    "arccosh": _Function(sympy.acosh, _ONE, "inverse hyperbolic cosine"),
    "arctanh": _Function(sympy.atanh, _ONE, "inverse hyperbolic tangent"),
    "erf": _Function(sympy.erf, _ONE, "error function"),
    "sigmoid": _Function(_sigmoid, _ONE, "logistic sigmoid 1/(1+exp(-x))"),
    "relu": _Function(_relu, _ONE, "max(0, x)"),
    "softplus": _Function(_softplus, _ONE, "log(1+exp(x))"),
    "min": _Function(sympy.Min, (2, 8), "smallest of its arguments"),
    "max": _Function(sympy.Max, (2, 8), "largest of its arguments"),
}

#: Named constants a formula may use.
CONSTANTS: dict[str, sympy.Expr] = {"pi": sympy.pi, "e": sympy.E}

#: Functions whose value at a complex point is not the analytic continuation
#: (the complex-step derivative is wrong for them).
_NON_ANALYTIC = (sympy.Abs, sympy.sign, sympy.Max, sympy.Min, sympy.Heaviside, sympy.DiracDelta)
_NAME_RE = re.compile(r"[A-Za-z][A-Za-z0-9_]*")
