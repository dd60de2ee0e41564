"""Evaluate a sympy expression on numpy arrays by walking its tree (no lambdify, no eval).

The expressions handled here are built by nnkit itself (the candidate library, the
gplearn converter) or come from :func:`nnkit.expr.parse`; walking the tree keeps the
set of allowed operations explicit and never turns text into code.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import sympy as sp

__all__ = ["evaluate", "node_count"]

_UNARY = {
    sp.sin: np.sin,
    sp.cos: np.cos,
    sp.tan: np.tan,
    sp.exp: np.exp,
    sp.log: np.log,
    sp.sinh: np.sinh,
    sp.cosh: np.cosh,
    sp.tanh: np.tanh,
    sp.asin: np.arcsin,
    sp.acos: np.arccos,
    sp.atan: np.arctan,
    sp.Abs: np.abs,
    sp.sign: np.sign,
}


def evaluate(expr: sp.Expr, values: Mapping[sp.Symbol | str, np.ndarray]) -> np.ndarray:
    """Value of ``expr`` where each free symbol takes the array given in ``values``.

    Parameters
    ----------
    expr : sympy.Expr
        Expression made of numbers, symbols, ``+``, ``*``, ``**`` and the elementary
        functions sin, cos, tan, exp, log, sinh, cosh, tanh, asin, acos, atan, Abs, sign.
    values : mapping
        Symbol (or symbol name) -> array; arrays broadcast together.

    Returns
    -------
    numpy.ndarray
        Float array (NaN/inf where the expression is undefined, e.g. log of a negative).

    Raises
    ------
    ValueError
        If the expression contains an operation outside the list above or a symbol
        without a value.
    """
    by_name = {
        (k.name if isinstance(k, sp.Symbol) else str(k)): np.asarray(v, dtype=float)
        for k, v in values.items()
    }
    shape = np.broadcast_shapes(*(v.shape for v in by_name.values())) if by_name else ()
    with np.errstate(all="ignore"):
        if isinstance(expr, int | float):
            expr = sp.Float(expr)
        if not isinstance(expr, sp.Basic):
            raise TypeError(f"expected a sympy expression, got {type(expr).__name__}")
        out = _walk(expr, by_name)
        return np.broadcast_to(np.asarray(out, dtype=float), shape).astype(float, copy=True)


def _walk(e: sp.Basic, vals: dict[str, np.ndarray]) -> np.ndarray | float:
    if e is sp.nan or e is sp.zoo or e is sp.oo or e is sp.S.NegativeInfinity:
        return float("nan") if e in (sp.nan, sp.zoo) else float(e)
    if e.is_Number or e is sp.pi or e is sp.E:
        return float(e)
    if e.is_Symbol:
        if e.name not in vals:
            raise ValueError(f"no value given for variable {e.name}")
        return vals[e.name]
    if e.is_Add:
        total: np.ndarray | float = 0.0
        for a in e.args:
            total = total + _walk(a, vals)
        return total
    if e.is_Mul:
        prod: np.ndarray | float = 1.0
        for a in e.args:
            prod = prod * _walk(a, vals)
        return prod
    if e.is_Pow:
        base = _walk(e.args[0], vals)
        ex = e.args[1]
        if ex.is_Rational and ex.q == 2:  # sqrt-like: real result or NaN
            return np.sqrt(base) ** int(ex.p) if ex.p > 0 else 1.0 / np.sqrt(base) ** int(-ex.p)
        if ex.is_Rational and ex.q == 3:
            return np.cbrt(base) ** int(ex.p) if ex.p > 0 else 1.0 / np.cbrt(base) ** int(-ex.p)
        if ex.is_Integer:
            return np.power(np.asarray(base, dtype=float), int(ex))
        return np.power(np.asarray(base, dtype=float), _walk(ex, vals))
    fn = _UNARY.get(e.func)
    if fn is not None and len(e.args) == 1:
        return fn(_walk(e.args[0], vals))
    raise ValueError(f"cannot evaluate {e.func.__name__} numerically")


def node_count(expr: sp.Basic) -> int:
    """Complexity of an expression: the number of nodes of its sympy tree.

    ``x**2 + 3*x`` has 7 nodes (Add, Pow, x, 2, Mul, 3, x). This is the usual
    complexity measure of symbolic regression (PySR counts the same way).
    """
    return sum(1 for _ in sp.preorder_traversal(expr))
