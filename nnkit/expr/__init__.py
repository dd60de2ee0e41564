"""Safe parsing of the formulas students type: a whitelist parser, never ``eval``.

``parse("sin(x)*exp(-x^2)")`` reads the text with a hand-written tokenizer and a
recursive-descent parser and builds the expression from sympy constructors.
Nothing the user typed is ever handed to ``eval``, ``exec``, ``sympify`` or
``parse_expr``. The resulting :class:`Formula` gives the sympy expression (exact
derivatives, LaTeX), a vectorised numpy function (complex inputs work wherever the
function is analytic, which is what the complex-step derivative needs) and a torch
function (autograd flows through it).

One concern per module; every name is importable from ``nnkit.expr`` itself:

=============  ===================================================================
``whitelist``  the functions and constants a formula may use, the size limits,
               :class:`FormulaError`
``parser``     tokenizer and recursive-descent parser: :func:`parse`
``formula``    :class:`Formula`, the parsed result
``evaluate``   the sympy tree compiled to numpy or torch closures
``latex``      long LaTeX broken over lines
=============  ===================================================================
"""

from nnkit.expr.formula import Formula
from nnkit.expr.latex import latex_lines
from nnkit.expr.parser import parse
from nnkit.expr.whitelist import (
    CONSTANTS,
    FUNCTIONS,
    MAX_DEPTH,
    MAX_EXPONENT,
    MAX_LENGTH,
    MAX_MAGNITUDE,
    MAX_NODES,
    MAX_NUMBER_CHARS,
    FormulaError,
)

__all__ = [
    "CONSTANTS",
    "FUNCTIONS",
    "MAX_DEPTH",
    "MAX_EXPONENT",
    "MAX_LENGTH",
    "MAX_MAGNITUDE",
    "MAX_NODES",
    "MAX_NUMBER_CHARS",
    "Formula",
    "FormulaError",
    "latex_lines",
    "parse",
]
