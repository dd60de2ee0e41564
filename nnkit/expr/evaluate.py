"""Evaluating a sympy expression with numpy or torch: a walk over the tree, no ``lambdify``.

:func:`compile_expr` turns a whitelisted sympy tree into nested closures for one
backend. The numpy form takes complex input wherever the function is analytic
(what the complex-step derivative needs); the torch form lets autograd flow
through. :func:`constant_value` evaluates a constant sub-expression in complex
double precision (never mpmath), which the parser uses to bound magnitudes.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any, Literal, TypeAlias

import numpy as np
import sympy

from nnkit.expr.whitelist import FormulaError

__all__ = ["Backend", "compile_expr", "constant_value"]

#: A value during evaluation: a numpy array, a torch tensor or a Python number (the
#: backends are duck-typed, so no narrower type fits all three).
Value: TypeAlias = Any
#: A compiled expression: the argument values in, the expression's value out.
Compiled: TypeAlias = Callable[[Sequence[Value]], Value]
#: The evaluation backends.
Backend: TypeAlias = Literal["numpy", "torch"]


def _np_heaviside(z: Value) -> Value:
    return np.heaviside(np.real(z), 0.5)


def _np_sign(z: Value) -> Value:
    return np.sign(np.real(z)) if np.iscomplexobj(z) else np.sign(z)


def _np_delta(z: Value) -> Value:
    return np.zeros_like(np.real(z))


def _np_erf(z: Value) -> Value:
    from scipy.special import erf  # scipy's erf accepts complex arguments

    return erf(z)


_NUMPY_FUNCS: dict[type, Callable[[Value], Value]] = {
    sympy.sin: np.sin,
    sympy.cos: np.cos,
    sympy.tan: np.tan,
    sympy.exp: np.exp,
    sympy.log: np.log,
    sympy.Abs: np.abs,
    sympy.sign: _np_sign,
    sympy.sinh: np.sinh,
    sympy.cosh: np.cosh,
    sympy.tanh: np.tanh,
    sympy.asin: np.arcsin,
    sympy.acos: np.arccos,
    sympy.atan: np.arctan,
    sympy.asinh: np.arcsinh,
    sympy.acosh: np.arccosh,
    sympy.atanh: np.arctanh,
    sympy.erf: _np_erf,
    sympy.Heaviside: _np_heaviside,
    sympy.DiracDelta: _np_delta,
}


def _torch_funcs() -> dict[type, Callable[[Value], Value]]:
    from nnkit._torch import torch

    def heaviside(z: Value) -> Value:
        return torch.heaviside(z, torch.full_like(z, 0.5))

    return {
        sympy.sin: torch.sin,
        sympy.cos: torch.cos,
        sympy.tan: torch.tan,
        sympy.exp: torch.exp,
        sympy.log: torch.log,
        sympy.Abs: torch.abs,
        sympy.sign: torch.sign,
        sympy.sinh: torch.sinh,
        sympy.cosh: torch.cosh,
        sympy.tanh: torch.tanh,
        sympy.asin: torch.asin,
        sympy.acos: torch.acos,
        sympy.atan: torch.atan,
        sympy.asinh: torch.asinh,
        sympy.acosh: torch.acosh,
        sympy.atanh: torch.atanh,
        sympy.erf: torch.erf,
        sympy.Heaviside: heaviside,
        sympy.DiracDelta: torch.zeros_like,
    }


def constant_value(e: sympy.Expr) -> complex:
    """Evaluate a constant expression in complex double precision (never mpmath).

    Parameters
    ----------
    e : sympy.Expr
        An expression without free symbols, built from whitelisted functions.

    Returns
    -------
    complex
        ``inf`` where a number is beyond double range; overflow and invalid
        operations give ``inf``/``nan`` without warnings.

    Raises
    ------
    FormulaError
        For a function with no numeric form.
    """
    if e.is_Number:
        try:
            return complex(float(e))
        except OverflowError:
            return complex(math.inf)
    if e.is_NumberSymbol or e is sympy.I:
        return complex(e)
    args = [np.complex128(constant_value(a)) for a in e.args]
    with np.errstate(all="ignore"):
        if e.is_Add:
            return complex(sum(args[1:], args[0]))
        if e.is_Mul:
            out = args[0]
            for a in args[1:]:
                out = out * a
            return complex(out)
        if e.is_Pow:
            return complex(args[0] ** args[1])
        if isinstance(e, sympy.Max | sympy.Min):
            pick = max if isinstance(e, sympy.Max) else min
            return complex(pick(args, key=lambda z: z.real))
        fn = _NUMPY_FUNCS.get(type(e))
        if fn is None:
            raise FormulaError(f"Cannot evaluate {type(e).__name__} numerically.", 0, "")
        return complex(fn(args[0]))


def _constant(expr: sympy.Expr) -> complex | float:
    value = constant_value(expr)
    return value.real if value.imag == 0 else value


def _torch_extremes() -> tuple[Callable[[Value, Value], Value], Callable[[Value, Value], Value]]:
    """Return torch's maximum and minimum, taking a number on either side as numpy's do."""
    from nnkit._torch import torch

    def pair(a: Value, b: Value) -> tuple[Value, Value]:
        ref = a if isinstance(a, torch.Tensor) else b
        return torch.as_tensor(a, dtype=ref.dtype), torch.as_tensor(b, dtype=ref.dtype)

    def maximum(a: Value, b: Value) -> Value:
        return torch.maximum(*pair(a, b))

    def minimum(a: Value, b: Value) -> Value:
        return torch.minimum(*pair(a, b))

    return maximum, minimum


def compile_expr(expr: sympy.Expr, index: dict[sympy.Symbol, int], backend: Backend) -> Compiled:
    """Turn a sympy tree into nested closures ``f(args)`` for one backend.

    Parameters
    ----------
    expr : sympy.Expr
        A whitelisted expression.
    index : dict
        Symbol -> position of its value in ``args``.
    backend : {"numpy", "torch"}
        Which functions the closures call.

    Returns
    -------
    callable
        ``f(args)``: the expression's value for a sequence of argument values.

    Raises
    ------
    FormulaError
        For a node with no numeric form in this backend.
    """
    funcs = _NUMPY_FUNCS if backend == "numpy" else _torch_funcs()
    sqrt: Callable[[Value], Value]
    maximum: Callable[[Value, Value], Value]
    minimum: Callable[[Value, Value], Value]
    if backend == "numpy":
        sqrt, maximum, minimum = np.sqrt, np.maximum, np.minimum
    else:
        from nnkit._torch import torch

        sqrt = torch.sqrt
        maximum, minimum = _torch_extremes()

    def build(e: sympy.Expr) -> Compiled:
        if e.is_Symbol:
            k = index[e]
            return lambda a: a[k]
        if not e.free_symbols:
            c = _constant(e)
            return lambda a: c
        parts = [build(arg) for arg in e.args]
        if e.is_Add:

            def add(a: Sequence[Value]) -> Value:
                total = parts[0](a)
                for p in parts[1:]:
                    total = total + p(a)
                return total

            return add
        if e.is_Mul:

            def mul(a: Sequence[Value]) -> Value:
                total = parts[0](a)
                for p in parts[1:]:
                    total = total * p(a)
                return total

            return mul
        if e.is_Pow:
            b, ex = parts
            p = e.exp
            if p == sympy.Rational(1, 2):
                return lambda a: sqrt(b(a))
            if p == sympy.Rational(-1, 2):
                return lambda a: 1 / sqrt(b(a))
            if p == -1:
                return lambda a: 1 / b(a)
            if p.is_Integer:
                k = int(p)
                if k < 0:
                    return lambda a: 1 / b(a) ** (-k)
                return lambda a: b(a) ** k
            return lambda a: b(a) ** ex(a)
        if isinstance(e, sympy.Max | sympy.Min):
            op = maximum if isinstance(e, sympy.Max) else minimum

            def extremum(a: Sequence[Value]) -> Value:
                total = parts[0](a)
                for p in parts[1:]:
                    total = op(total, p(a))
                return total

            return extremum
        fn = funcs.get(type(e))
        if isinstance(e, sympy.Heaviside | sympy.DiracDelta):
            parts = parts[:1]  # Heaviside(x, 1/2), DiracDelta(x, k): value set at 0
        if fn is None or len(parts) != 1:
            raise FormulaError(f"Cannot evaluate {type(e).__name__} numerically.", 0, "")
        inner = parts[0]
        return lambda a: fn(inner(a))

    return build(expr)
