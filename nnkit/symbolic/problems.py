"""Benchmark formulas for symbolic regression: the Nguyen set, a few others, Rastrigin.

The twelve Nguyen formulas (Uy et al. 2011, with the domains used in lecture 3) are
the classic benchmark. A search tuned to them can do worse on formulas it has not
seen, so :data:`OTHERS` holds formulas of different shapes (fractional powers,
rational terms, a Gaussian of another width, higher degree, a 2-D exponential) to
measure against too. Truths are built as sympy expressions in code, never parsed
from text.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import sympy as sp

from nnkit.datasets import RASTRIGIN_DOMAIN
from nnkit.symbolic.evaluate import evaluate

__all__ = [
    "NGUYEN",
    "OTHERS",
    "RASTRIGIN",
    "RASTRIGIN_1D",
    "Problem",
    "problem_from_formula",
    "pure_noise",
]

x = sp.Symbol("x", real=True)
x1 = sp.Symbol("x1", real=True)
x2 = sp.Symbol("x2", real=True)
y_ = sp.Symbol("y", real=True)


@dataclass(frozen=True)
class Problem:
    """A formula to recover: its name, sympy truth, symbols and sampling domain."""

    name: str
    truth: sp.Expr | None
    symbols: tuple[sp.Symbol, ...]
    domain: tuple[tuple[float, float], ...]
    fn: Callable[[np.ndarray], np.ndarray] | None = field(default=None, compare=False, repr=False)

    @property
    def variables(self) -> tuple[str, ...]:
        """The names of the inputs, in column order."""
        return tuple(s.name for s in self.symbols)

    def __call__(self, X: np.ndarray) -> np.ndarray:
        """The truth evaluated on ``X`` of shape (n, d)."""
        X = np.asarray(X, dtype=float)
        if X.ndim == 1:
            X = X[:, None]
        if self.fn is not None:
            out = np.asarray(self.fn(X), dtype=float)
            return (
                np.broadcast_to(out, (X.shape[0],)).astype(float)
                if out.ndim == 0
                else out.reshape(-1)
            )
        vals = {s: X[:, i] for i, s in enumerate(self.symbols)}
        return evaluate(self.truth, vals) * np.ones(X.shape[0])


def _p(
    name: str, truth: sp.Expr, symbols: Sequence[sp.Symbol], domain: Sequence[Sequence[float]]
) -> Problem:
    return Problem(name, truth, tuple(symbols), tuple((float(d[0]), float(d[1])) for d in domain))


_1 = [(-1, 1)]
_U2 = [(0, 1), (0, 1)]
NGUYEN: list[Problem] = [
    _p("Nguyen-1", x**3 + x**2 + x, [x], _1),
    _p("Nguyen-2", x**4 + x**3 + x**2 + x, [x], _1),
    _p("Nguyen-3", x**5 + x**4 + x**3 + x**2 + x, [x], _1),
    _p("Nguyen-4", x**6 + x**5 + x**4 + x**3 + x**2 + x, [x], _1),
    _p("Nguyen-5", sp.sin(x**2) * sp.cos(x) - 1, [x], _1),
    _p("Nguyen-6", sp.sin(x) + sp.sin(x + x**2), [x], _1),
    _p("Nguyen-7", sp.log(x + 1) + sp.log(x**2 + 1), [x], [(0, 2)]),
    _p("Nguyen-8", sp.sqrt(x), [x], [(0, 4)]),
    _p("Nguyen-9", sp.sin(x1) + sp.sin(x2**2), [x1, x2], _U2),
    _p("Nguyen-10", 2 * sp.sin(x1) * sp.cos(x2), [x1, x2], _U2),
    _p("Nguyen-11", x1**x2, [x1, x2], _U2),
    _p("Nguyen-12", x1**4 - x1**3 + x2**2 / 2 - x2, [x1, x2], _U2),
]
"""The twelve Nguyen formulas."""

OTHERS: list[Problem] = [
    _p("x^(3/2) + 2x", x ** sp.Rational(3, 2) + 2 * x, [x], [(0, 3)]),
    _p("x + 1/(1+x²)", x + 1 / (1 + x**2), [x], [(-2, 2)]),
    _p("exp(-x²)·cos 3x", sp.exp(-(x**2)) * sp.cos(3 * x), [x], [(-2, 2)]),
    _p("sin(x³) + x", sp.sin(x**3) + x, [x], [(-1.5, 1.5)]),
    _p("x⁷ − 2x³", x**7 - 2 * x**3, [x], _1),
    _p("exp(−x²/2)", sp.exp(-(x**2) / 2), [x], [(-3, 3)]),
    _p("log x + 1/x", sp.log(x) + 1 / x, [x], [(0.5, 3)]),
    _p("x1·exp(−x2) + x2²", x1 * sp.exp(-x2) + x2**2, [x1, x2], [(-1, 1), (-1, 1)]),
]
"""Formulas of other shapes, to check the search is not tuned to Nguyen."""

RASTRIGIN = _p(
    "Rastrigin 2-D",
    20 + x**2 - 10 * sp.cos(2 * sp.pi * x) + y_**2 - 10 * sp.cos(2 * sp.pi * y_),
    [x, y_],
    [RASTRIGIN_DOMAIN, RASTRIGIN_DOMAIN],
)
"""Lecture 1's exercise: 20 + x² − 10 cos 2πx + y² − 10 cos 2πy on [−5.12, 5.12]²."""

RASTRIGIN_1D = _p(
    "Rastrigin 1-D",
    10 + x**2 - 10 * sp.cos(2 * sp.pi * x),
    [x],
    [RASTRIGIN_DOMAIN],
)
"""One axis of Rastrigin: 10 + x² − 10 cos 2πx on [−5.12, 5.12]."""


def problem_from_formula(formula: Any, domain: tuple[float, float]) -> Problem:
    """A :class:`Problem` from a parsed :class:`nnkit.expr.Formula` in ``x`` (or ``x, y``).

    The formula is 2-D if it uses ``y``; ``domain`` is the interval of every axis.
    Values come from the formula's own numpy form; the truth is its sympy form.
    """
    used = {s.name for s in formula.sympy.free_symbols}
    names = ("x", "y") if "y" in used else ("x",)
    by_name = {s.name: s for s in formula.symbols}
    symbols = tuple(by_name.get(n, sp.Symbol(n, real=True)) for n in names)
    order = list(formula.variables)

    def fn(X: np.ndarray) -> np.ndarray:
        cols = {n: X[:, i] for i, n in enumerate(names)}
        args = [cols.get(v, np.zeros(X.shape[0])) for v in order]
        with np.errstate(all="ignore"):
            return np.real(np.asarray(formula.numpy(*args), dtype=complex)).astype(float) * np.ones(
                X.shape[0]
            )

    lo, hi = float(domain[0]), float(domain[1])
    return Problem(formula.text, formula.sympy, symbols, ((lo, hi),) * len(names), fn)


def pure_noise(dim: int = 1, domain: tuple[float, float] = (-1.0, 1.0), seed: int = 0) -> Problem:
    """A target with no formula: independent standard-normal values at every point."""
    rng_seed = int(seed)

    def fn(X: np.ndarray) -> np.ndarray:
        return np.asarray(np.random.default_rng(rng_seed).standard_normal(X.shape[0]))

    symbols = (x,) if dim == 1 else (x, y_)
    return Problem("pure noise", None, symbols, ((float(domain[0]), float(domain[1])),) * dim, fn)
