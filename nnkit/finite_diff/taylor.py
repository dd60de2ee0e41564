"""Exact derivatives at a point: Taylor-mode arithmetic and certified sympy values.

:func:`taylor_derivatives` propagates truncated Taylor series through the formula's
tree in mpmath arithmetic, so ``f^(k)(x0)`` for k up to 20 costs milliseconds where
differentiating with sympy grows exponentially. The error model of a stencil needs
these derivatives (``M = |f^(d+p)(x0)|``); :func:`exact_value` gives the reference
derivative itself to 30 certified digits.
"""

from __future__ import annotations

import cmath
import math
from collections.abc import Sequence
from typing import TYPE_CHECKING, TypeAlias

import numpy as np
import sympy

from nnkit.expr import Formula

if TYPE_CHECKING:  # pragma: no cover
    import mpmath

__all__ = ["MAX_TAYLOR_DPS", "exact_value", "taylor_derivatives", "taylor_scale"]

#: Most digits :func:`taylor_derivatives` uses before it returns what it has.
MAX_TAYLOR_DPS = 320
#: An mpmath number (mpf, or mpc where f is not real).
_Num: TypeAlias = "mpmath.mpf | mpmath.mpc"


def exact_value(expr: sympy.Expr, sym: sympy.Symbol, x0: float) -> complex:
    """Evaluate ``expr`` at the exact binary ``x0``, to 30 certified digits.

    ``evalf(subs=...)`` alone returns rounding noise when terms cancel to 0 (asin' at
    1: 1/sqrt(1 − x²) came out as 1.8e75 instead of a pole): ``strict=True`` makes it
    say so, and the point is then substituted exactly before evaluating.

    Parameters
    ----------
    expr : sympy.Expr
        E.g. an exact derivative.
    sym : sympy.Symbol
        Its variable.
    x0 : float
        The point, taken as the exact rational it stores.

    Returns
    -------
    complex
        Complex where ``expr`` is not real at ``x0``; ``nan`` or ``inf`` at a pole.
    """
    from sympy.core.evalf import PrecisionExhausted

    point = sympy.Rational(x0)
    try:
        value = expr.evalf(30, subs={sym: point}, strict=True)
    except PrecisionExhausted:
        value = expr.subs(sym, point).evalf(30)
    return complex(value)


def taylor_derivatives(formula: Formula, x0: float, n: int, dps: int = 30) -> list[complex]:
    """Compute ``f^(k)(x0)`` for k = 0..n by Taylor-mode arithmetic, with ``dps`` digits.

    Propagates truncated Taylor series through the expression tree (Cauchy products,
    the usual recurrences for exp, log, powers, sin/cos ...) in mpmath arithmetic:
    O(n²) per node, where differentiating the formula n times with sympy grows
    exponentially (the 14th derivative of tanh has ~13,000 operations).

    The working precision adapts: ``dps`` digits are a start, and the evaluation is
    repeated with twice as many digits until two runs agree to 1e-12 in every
    coefficient (at most ``MAX_TAYLOR_DPS`` digits). Cancellation needs it: tanh'(30) =
    1 − tanh(30)² ≈ 3.5e-26 comes out as 0 with 20 digits.

    Parameters
    ----------
    formula : Formula
        f, one variable.
    x0 : float
        The point.
    n : int
        Highest order.
    dps : int, default 30
        Starting precision in decimal digits.

    Returns
    -------
    list of complex
        Complex where f is not real at x0 (e.g. log of a negative number); ``nan``
        where a coefficient is undefined (a pole or a branch point at x0).
    """
    digits = max(int(dps), 15)
    previous = _taylor_at(formula, x0, n, digits)
    while digits < MAX_TAYLOR_DPS:
        digits = min(2 * digits, MAX_TAYLOR_DPS)
        current = _taylor_at(formula, x0, n, digits)
        if all(_same_coefficient(a, b) for a, b in zip(previous, current, strict=True)):
            return current
        previous = current
    return previous


def _same_coefficient(a: complex, b: complex) -> bool:
    if cmath.isnan(a) or cmath.isnan(b):
        return cmath.isnan(a) and cmath.isnan(b)
    if cmath.isinf(a) or cmath.isinf(b):
        return a == b
    return abs(a - b) <= 1e-12 * abs(b)


def _taylor_at(formula: Formula, x0: float, n: int, dps: int) -> list[complex]:
    import mpmath

    with mpmath.workdps(dps):
        try:
            series = _taylor(formula.sympy, formula.symbols[0], mpmath.mpf(x0), n + 1)
        except (ZeroDivisionError, ValueError, OverflowError):
            return [complex(math.nan, 0.0)] * (n + 1)
        return [complex(c * mpmath.factorial(k)) for k, c in enumerate(series)]


def _taylor(e: sympy.Expr, sym: sympy.Symbol, x0: _Num, n: int) -> list[_Num]:
    import mpmath

    zero = mpmath.mpf(0)

    def const(v: _Num) -> list[_Num]:
        return [v] + [zero] * (n - 1)

    def mul(a: list[_Num], b: list[_Num]) -> list[_Num]:
        return [mpmath.fsum(a[i] * b[k - i] for i in range(k + 1)) for k in range(n)]

    def recip(b: list[_Num]) -> list[_Num]:
        if b[0] == 0:
            raise ZeroDivisionError("pole")
        q = [1 / b[0]]
        for k in range(1, n):
            q.append(-mpmath.fsum(b[i] * q[k - i] for i in range(1, k + 1)) / b[0])
        return q

    def integrate(a: list[_Num], h: list[_Num], g0: _Num) -> list[_Num]:
        # g = F(a) with F' = h(a):  k g_k = Σ_j j a_j h_{k-j}
        g = [g0]
        for k in range(1, n):
            g.append(mpmath.fsum(j * a[j] * h[k - j] for j in range(1, k + 1)) / k)
        return g

    def exp(a: list[_Num]) -> list[_Num]:
        out = [mpmath.exp(a[0])]
        for k in range(1, n):
            out.append(mpmath.fsum(j * a[j] * out[k - j] for j in range(1, k + 1)) / k)
        return out

    def log(a: list[_Num]) -> list[_Num]:
        if a[0] == 0:
            raise ZeroDivisionError("log at 0")
        return integrate(a, recip(a), mpmath.log(a[0]))

    def power(a: list[_Num], r: _Num) -> list[_Num]:
        if a[0] == 0:
            if r == int(r) and r >= 0:
                out = const(mpmath.mpf(1))
                for _ in range(int(r)):
                    out = mul(out, a)
                return out
            raise ZeroDivisionError("branch point")
        p = [mpmath.power(a[0], r)]
        for k in range(1, n):
            p.append(
                mpmath.fsum(((r + 1) * j - k) * a[j] * p[k - j] for j in range(1, k + 1))
                / (k * a[0])
            )
        return p

    def sincos(a: list[_Num], hyperbolic: bool) -> tuple[list[_Num], list[_Num]]:
        sgn = 1 if hyperbolic else -1
        s = [mpmath.sinh(a[0]) if hyperbolic else mpmath.sin(a[0])]
        c = [mpmath.cosh(a[0]) if hyperbolic else mpmath.cos(a[0])]
        for k in range(1, n):
            s.append(mpmath.fsum(j * a[j] * c[k - j] for j in range(1, k + 1)) / k)
            c.append(sgn * mpmath.fsum(j * a[j] * s[k - j] for j in range(1, k + 1)) / k)
        return s, c

    def one_plus(a: list[_Num], sign: int, c: int = 1) -> list[_Num]:
        # c + sign·a²
        sq = mul(a, a)
        return [c + sign * sq[0]] + [sign * v for v in sq[1:]]

    cache: dict[sympy.Expr, list[_Num]] = {}

    def walk(node: sympy.Expr) -> list[_Num]:
        if node in cache:
            return cache[node]
        if node == sym:
            out = [x0, mpmath.mpf(1)] + [zero] * (n - 2) if n > 1 else [x0]
        elif not node.free_symbols:
            out = const(
                mpmath.mpmathify(complex(node.evalf(mpmath.mp.dps)))
                if not node.is_real
                else mpmath.mpf(node.evalf(mpmath.mp.dps))
            )
        elif node.is_Add:
            parts = [walk(a) for a in node.args]
            out = [mpmath.fsum(p[k] for p in parts) for k in range(n)]
        elif node.is_Mul:
            parts = [walk(a) for a in node.args]
            out = parts[0]
            for p in parts[1:]:
                out = mul(out, p)
        elif node.is_Pow:
            base, ex = node.args
            if not ex.free_symbols:
                r = mpmath.mpf(ex.evalf(mpmath.mp.dps))
                out = recip(walk(base)) if ex == -1 else power(walk(base), r)
            else:
                out = exp(mul(walk(ex), log(walk(base))))
        else:
            a = walk(node.args[0])
            t = type(node)
            if t is sympy.exp:
                out = exp(a)
            elif t is sympy.log:
                out = log(a)
            elif t in (sympy.sin, sympy.cos, sympy.tan):
                s, c = sincos(a, hyperbolic=False)
                out = s if t is sympy.sin else c if t is sympy.cos else mul(s, recip(c))
            elif t in (sympy.sinh, sympy.cosh, sympy.tanh):
                s, c = sincos(a, hyperbolic=True)
                out = s if t is sympy.sinh else c if t is sympy.cosh else mul(s, recip(c))
            elif t is sympy.asin:
                out = integrate(a, power(one_plus(a, -1), -0.5), mpmath.asin(a[0]))
            elif t is sympy.acos:
                h = [-v for v in power(one_plus(a, -1), -0.5)]
                out = integrate(a, h, mpmath.acos(a[0]))
            elif t is sympy.atan:
                out = integrate(a, recip(one_plus(a, 1)), mpmath.atan(a[0]))
            elif t is sympy.asinh:
                out = integrate(a, power(one_plus(a, 1), -0.5), mpmath.asinh(a[0]))
            elif t is sympy.acosh:
                sq = mul(a, a)
                out = integrate(a, power([sq[0] - 1] + sq[1:], -0.5), mpmath.acosh(a[0]))
            elif t is sympy.atanh:
                out = integrate(a, recip(one_plus(a, -1)), mpmath.atanh(a[0]))
            elif t is sympy.erf:
                g = exp([-v for v in mul(a, a)])
                k2 = 2 / mpmath.sqrt(mpmath.pi)
                out = integrate(a, [k2 * v for v in g], mpmath.erf(a[0]))
            elif t is sympy.Abs:
                sgn = mpmath.sign(mpmath.re(a[0]))
                if sgn == 0:
                    raise ValueError("abs is not differentiable at 0")
                out = [sgn * v for v in a]
            elif t in (sympy.sign, sympy.Heaviside):
                if a[0] == 0:
                    raise ValueError("jump at 0")
                v = mpmath.sign(a[0]) if t is sympy.sign else (1 if a[0] > 0 else 0)
                out = const(mpmath.mpf(v))
            elif t is sympy.DiracDelta:
                out = const(zero)
            elif isinstance(node, sympy.Max | sympy.Min):
                parts = [walk(arg) for arg in node.args]
                pick = max if isinstance(node, sympy.Max) else min
                out = pick(parts, key=lambda p: mpmath.re(p[0]))
                ties = [p for p in parts if p[0] == out[0]]
                if any(p != out for p in ties):
                    raise ValueError("max/min switches branch at x0 (a kink)")
            else:
                raise ValueError(f"no Taylor rule for {t.__name__}")
        cache[node] = out
        return out

    return walk(e)


def taylor_scale(higher: Sequence[float]) -> float:
    """Estimate ``min(1, r)``, r the radius of convergence of f's Taylor series.

    ``higher[k] = |f^(k)(x0)|``. r is the median of ``(|a_j| / |a_k|)^(1/(k-j))`` over
    consecutive non-zero Taylor coefficients ``a_k = f^(k)(x0)/k!`` (k ≥ 1): about
    ``x0`` for sqrt or log near 0, and 1 or more for sin, exp or a polynomial.
    Error terms ``C_k f^(k) h^k`` are compared at this h: at h = 1 the higher terms of
    sqrt(x) at x0 = 1e-3 look 10⁶ times larger than the leading one, yet they never
    lead at the small steps where the error is measured.

    Parameters
    ----------
    higher : sequence of float
        ``|f^(k)(x0)|`` for k = 0, 1, ... (nan where undefined).

    Returns
    -------
    float
        In ``(0, 1]``; 1 when there are too few coefficients to tell.
    """
    coef = [
        (k, v / math.factorial(k))
        for k, v in enumerate(higher)
        if k >= 1 and math.isfinite(v) and v > 0
    ]
    coef = [(k, a) for k, a in coef if a > 0]  # a denormal f^(k) / k! can round to 0
    ratios = []
    for (j, aj), (k, ak) in zip(coef, coef[1:], strict=False):
        with np.errstate(all="ignore"):
            r = (aj / ak) ** (1.0 / (k - j))
        if math.isfinite(r) and r > 0:
            ratios.append(r)
    if not ratios:
        return 1.0
    return float(min(1.0, np.median(ratios)))
