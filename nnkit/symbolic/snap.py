"""Coefficient snapping: fitted numbers become simple values where that does not hurt the fit.

Simple values are rationals, or rational multiples of π and a few other constants.

A fitted coefficient 0.99987 is almost certainly 1 and 1.5708 is probably π/2; but
snapping 0.37 to 3/8 may cost accuracy. Each coefficient is tried against simple
values in order of simplicity (0, integers, halves, thirds, …, then π multiples); the
first value that keeps the root-mean-square error within ``rel_tol`` of the unsnapped
least-squares fit is kept, and the remaining free coefficients are refitted.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

import numpy as np
import sympy as sp

__all__ = ["SimpleNumber", "simple_numbers", "simple_values", "snap_linear"]


#: Irrational factors a snapped number may carry (beside a simple rational), with a cost.
_FACTORS: tuple[tuple[sp.Expr, float], ...] = (
    (sp.pi, 1.5),
    (1 / sp.pi, 2.0),
    (sp.sqrt(2), 2.5),
    (sp.sqrt(sp.pi), 3.0),
    (1 / sp.sqrt(sp.pi), 3.0),
    (sp.sqrt(2 * sp.pi), 3.0),
    (1 / sp.sqrt(2 * sp.pi), 3.0),
)

_FACTOR_VALUES = tuple(float(k) for k, _ in _FACTORS)

#: Numbers larger than this are not simple, whatever their digits (771325·π is a fit).
MAX_SIMPLE = 1e4


@dataclass(frozen=True)
class SimpleNumber:
    """A simple number ``p/q · factor`` (factor 1 or one of the constants above).

    Attributes
    ----------
    cost : float
        Smaller is simpler: the denominator, plus a cost per irrational factor.
    value : float
    p, q : int
    factor : int
        -1 for none, else an index into the irrational factors.
    """

    cost: float
    value: float
    p: int
    q: int
    factor: int = -1

    def sympy(self) -> sp.Expr:
        """The number as an exact sympy expression."""
        r = sp.Rational(self.p, self.q)
        return r if self.factor < 0 else r * _FACTORS[self.factor][0]


def simple_numbers(c: float, max_den: int = 12, max_pi_den: int = 4) -> list[SimpleNumber]:
    """Simple numbers near ``c``, simplest first (see :func:`simple_values`); floats only."""
    out = [SimpleNumber(0.0, 0.0, 0, 1)]
    seen = {Fraction(0)}
    scale = max(abs(c), 1e-300)
    if not abs(c) <= MAX_SIMPLE:
        return out
    for q in range(1, max_den + 1):
        f = Fraction(round(c * q), q)
        if f not in seen and abs(float(f) - c) <= 0.1 * scale:
            seen.add(f)
            out.append(
                SimpleNumber(q + 0.01 * abs(f.numerator), float(f), f.numerator, f.denominator)
            )
    for idx, ((_, cost), kf) in enumerate(zip(_FACTORS, _FACTOR_VALUES, strict=True)):
        for q in range(1, max_pi_den + 1):
            f = Fraction(round(c / kf * q), q)
            if (
                f != 0
                and f.denominator == q
                and abs(f.numerator) <= 100
                and abs(float(f) * kf - c) <= 0.1 * scale
            ):
                out.append(
                    SimpleNumber(
                        q + cost + 0.01 * abs(f.numerator),
                        float(f) * kf,
                        f.numerator,
                        f.denominator,
                        idx,
                    )
                )
    return sorted(out, key=lambda t: t.cost)


def simple_values(c: float, max_den: int = 12, max_pi_den: int = 4) -> list[tuple[float, sp.Expr]]:
    """Simple numbers near ``c``, simplest first: ``[(cost, value), ...]``.

    Always offers 0; then, for ``|c| ≤ 10⁴``, p/q for q = 1 … ``max_den`` (the nearest such
    fraction to ``c``, if within 10 % of ``c``), then (p/q)·k for q = 1 … ``max_pi_den``,
    ``|p| ≤ 100``, and k one of π, 1/π, √2, √π, 1/√π, √(2π), 1/√(2π) (the constants of
    physics formulas).
    """
    return [(s.cost, s.sympy()) for s in simple_numbers(c, max_den, max_pi_den)]


class _Reduced:
    """``min ‖Aβ − y‖`` in the k-dimensional space of a QR factorisation of ``A``.

    ``‖Aβ − y‖² = ‖Rβ − c‖² + ‖r⊥‖²`` with ``A = QR``, ``c = Qᵀy``: trying a snapped
    value costs a k×k solve instead of an n×k one, without squaring the condition
    number as the normal equations would.
    """

    def __init__(self, A: np.ndarray, y: np.ndarray) -> None:
        Q, self.R = np.linalg.qr(A)
        self.c = Q.T @ y
        self.perp2 = float(np.sum((y - Q @ self.c) ** 2))
        self.n = len(y)

    def fit(self, fixed: dict[int, float]) -> tuple[np.ndarray, float]:
        k = self.R.shape[1]
        beta = np.zeros(k)
        target = self.c.copy()
        for i, v in fixed.items():
            beta[i] = v
            target -= v * self.R[:, i]
        free = [i for i in range(k) if i not in fixed]
        if free:
            coef, *_ = np.linalg.lstsq(self.R[:, free], target, rcond=None)
            beta[free] = coef
        r = self.c - self.R @ beta
        return beta, float(np.sqrt((float(r @ r) + self.perp2) / self.n))


def snap_linear(
    A: np.ndarray, y: np.ndarray, rel_tol: float = 0.3, abs_tol: float = 0.0
) -> tuple[list[sp.Expr | None], np.ndarray, float]:
    """Least-squares coefficients of ``y ≈ A β``, snapped to simple values where harmless.

    Parameters
    ----------
    A : numpy.ndarray, shape (n, k)
        Columns (the constant column included if wanted).
    y : numpy.ndarray, shape (n,)
        Target.
    rel_tol : float, default 0.3
        A snap is kept if the RMSE stays below
        ``rmse_ls + rel_tol * min(rmse_ls, 0.1 * std(y)) + abs_tol``, where ``rmse_ls``
        is the RMSE of the unsnapped least-squares fit (a poor fit, as on noise, does
        not license large changes).
    abs_tol : float, default 0
        Absolute slack (set it to the numerical noise level of ``y``).

    Returns
    -------
    exact : list
        Per column, the snapped sympy number, or None if the coefficient stays free.
    beta : numpy.ndarray
        Final coefficients (snapped values and refitted free ones).
    rmse : float
        RMSE of the final fit.
    """
    red = _Reduced(A, y)
    beta, base = red.fit({})
    limit = base + rel_tol * min(base, 0.1 * float(np.std(y))) + abs_tol
    norms = np.linalg.norm(A, axis=0)
    order = np.argsort(np.abs(beta) * norms)  # smallest contributions first: try dropping them
    fixed: dict[int, float] = {}
    exact: list[sp.Expr | None] = [None] * A.shape[1]
    rmse = base
    for i in order:
        for num in simple_numbers(float(beta[i])):
            trial = dict(fixed)
            trial[int(i)] = num.value
            b, r = red.fit(trial)
            if r <= limit:
                fixed, beta, rmse = trial, b, r
                exact[int(i)] = num.sympy()
                break
    return exact, beta, rmse
