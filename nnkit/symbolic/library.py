"""The candidate-term library of the sparse search: general elementary terms, not a list of answers.

For every input variable ``v`` on its domain ``[a, b]`` the library holds

* powers ``v, v², …, v^degree``;
* fractional powers ``√v, v^{3/2}, ∛v`` (only when ``a ≥ 0``) and rational terms
  ``1/v, 1/v²`` (only when 0 is outside the domain), ``1/(1+v²)``;
* ``exp(v), exp(−v), exp(−v²), tanh(v)``; ``log v`` (``a > 0``), ``log(1+v)`` (``a > −1``),
  ``log(1+v²)``;
* ``sin(kv), cos(kv)`` for k = 1, 2, 3 and the π multiples ``sin(πv), cos(πv), sin(2πv), cos(2πv)``;
* compositions ``sin(v²), cos(v²), sin(v³), cos(v³)``;

then products of pairs of those terms (within one variable and across variables, so
``x·sin x``, ``sin(x²)·cos x``, ``sin(x₁)·cos(x₂)`` are single terms), and for pairs of
variables ``v₁^{v₂}`` (when ``v₁ ≥ 0``), ``sin(v₁v₂)``, ``cos(v₁v₂)``, ``exp(−(v₁²+v₂²))``.
Identities such as ``sin(x + x²) = sin x cos x² + cos x sin x²`` make sums inside
functions reachable as a few product terms.

Terms are ordered from simple to complex; a term that is numerically a multiple of an
earlier one (``x²·x³`` and ``x⁵``, ``sin x cos x`` and ``sin 2x``) is dropped, as are
terms that are not finite or are (nearly) constant on the sampled points.
"""

from __future__ import annotations

import functools
import itertools
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import sympy as sp

from nnkit.symbolic.evaluate import evaluate, node_count

__all__ = ["Library", "build_library", "unary_terms"]


@dataclass(frozen=True)
class Library:
    """Candidate terms and their values on the sample points.

    Attributes
    ----------
    exprs : list of sympy.Expr
        One expression per term (no coefficient).
    values : numpy.ndarray, shape (n_samples, n_terms)
        Column ``j`` is ``exprs[j]`` evaluated on the sample points.
    symbols : tuple of sympy.Symbol
        The input variables, in column order of the samples.
    unit : numpy.ndarray, shape (n_samples, n_terms)
        The columns centred and scaled to unit norm (what the search works on).
    gram : numpy.ndarray, shape (n_terms, n_terms)
        ``unit.T @ unit``: correlations between terms.
    """

    exprs: list[sp.Expr]
    values: np.ndarray
    symbols: tuple[sp.Symbol, ...]
    unit: np.ndarray
    gram: np.ndarray

    def __len__(self) -> int:
        return len(self.exprs)


def unary_terms(v: sp.Symbol, lo: float, hi: float, degree: int = 6) -> list[sp.Expr]:
    """Single-variable terms valid on ``[lo, hi]`` (see the module docstring)."""
    pi = sp.pi
    terms: list[sp.Expr] = [v**k for k in range(1, degree + 1)]
    if lo >= 0:
        terms += [sp.sqrt(v), v ** sp.Rational(3, 2), v ** sp.Rational(1, 3)]
    if lo > 0 or hi < 0:
        terms += [1 / v, 1 / v**2]
    if lo > 0:
        terms.append(sp.log(v))
    if lo > -1:
        terms.append(sp.log(1 + v))
    terms += [sp.log(1 + v**2), 1 / (1 + v**2)]
    terms += [sp.exp(v), sp.exp(-v), sp.exp(-(v**2)), sp.tanh(v)]
    for k in (1, 2, 3):
        terms += [sp.sin(k * v), sp.cos(k * v)]
    for w in (pi, 2 * pi):
        terms += [sp.sin(w * v), sp.cos(w * v)]
    terms += [sp.sin(v**2), sp.cos(v**2), sp.sin(v**3), sp.cos(v**3)]
    return terms


def _pair_terms(u: sp.Symbol, ulo: float, v: sp.Symbol, vlo: float) -> list[sp.Expr]:
    terms = [sp.sin(u * v), sp.cos(u * v), sp.exp(-(u**2) - v**2)]
    if ulo >= 0:
        terms.append(u**v)
    if vlo >= 0:
        terms.append(v**u)
    return terms


# A smaller per-variable base for products once there are more than two inputs, so the
# library grows like d² rather than (33 d)².
def _product_base(v: sp.Symbol, lo: float, hi: float) -> list[sp.Expr]:
    base = [v, v**2, v**3, sp.sin(v), sp.cos(v), sp.exp(v), sp.exp(-v)]
    if lo >= 0:
        base.append(sp.sqrt(v))
    if lo > 0 or hi < 0:
        base.append(1 / v)
    return base


def build_library(
    X: np.ndarray,
    symbols: Sequence[sp.Symbol],
    domain: Sequence[tuple[float, float]],
    degree: int = 6,
    products: bool = True,
    max_terms: int = 3000,
    polynomial_only: bool = False,
) -> Library:
    """Evaluate the candidate terms on the sample points ``X``.

    Parameters
    ----------
    X : numpy.ndarray, shape (n_samples, n_variables)
        Sample points.
    symbols : sequence of sympy.Symbol
        One symbol per column of ``X``.
    domain : sequence of (low, high)
        The sampled interval of each variable; it decides which terms are valid
        (no ``√v`` when ``v`` can be negative, no ``1/v`` when 0 is inside).
    degree : int, default 6
        Highest power of each variable.
    products : bool, default True
        Add products of pairs of terms.
    max_terms : int, default 3000
        Stop adding terms beyond this many (keeps memory bounded for many inputs).
    polynomial_only : bool, default False
        Only the monomials of total degree up to ``degree`` (the first level of the
        search: a polynomial is the first thing to try).

    Returns
    -------
    Library
    """
    X = np.asarray(X, dtype=float)
    symbols = tuple(symbols)
    values = {s: X[:, i] for i, s in enumerate(symbols)}
    n = X.shape[0]

    exprs: list[sp.Expr] = []
    cols: list[np.ndarray] = []
    seen: set[sp.Expr] = set()
    unit_cols: list[np.ndarray] = []  # centred, unit-norm copies for duplicate detection

    def add(expr: sp.Expr, col: np.ndarray | None = None) -> None:
        if len(exprs) >= max_terms or expr in seen or expr.is_Number:
            return
        seen.add(expr)
        if col is None:
            col = evaluate(expr, values)
        col = np.asarray(col, dtype=float)
        if col.shape != (n,) or not np.all(np.isfinite(col)) or np.max(np.abs(col)) > 1e12:
            return
        c = col - col.mean()
        norm = float(np.linalg.norm(c))
        if norm <= 1e-10 * (1.0 + float(np.linalg.norm(col))):
            return
        exprs.append(expr)
        cols.append(col)
        unit_cols.append(c / norm)

    if polynomial_only:
        for total in range(1, degree + 1):
            for powers in itertools.product(range(total + 1), repeat=len(symbols)):
                if sum(powers) == total:
                    add(sp.Mul(*[s**p for s, p in zip(symbols, powers, strict=True)]))
        products = False
    unary: list[tuple[sp.Expr, np.ndarray]] = []
    for s, (lo, hi) in zip(symbols, domain, strict=True):
        if polynomial_only:
            break
        for t in unary_terms(s, lo, hi, degree):
            add(t)
    unary = list(zip(exprs, cols, strict=True))
    for i in range(len(symbols) * (not polynomial_only)):
        for j in range(i + 1, len(symbols)):
            for t in _pair_terms(symbols[i], domain[i][0], symbols[j], domain[j][0]):
                add(t)
    if products:
        if len(symbols) <= 2:
            base = unary
        else:
            allowed = set()
            for s, (lo, hi) in zip(symbols, domain, strict=True):
                allowed.update(_product_base(s, lo, hi))
            base = [(e, c) for e, c in unary if e in allowed]
        for i, j, e in _products(tuple(e for e, _ in base)):
            add(e, base[i][1] * base[j][1])

    if not cols:
        return Library([], np.empty((n, 0)), symbols, np.empty((n, 0)), np.empty((0, 0)))
    values_matrix = np.column_stack(cols)
    unit = np.column_stack(unit_cols)
    gram = unit.T @ unit
    near = np.triu(np.abs(gram) > 1.0 - 1e-9, 1)  # column j duplicates an earlier column
    keep = np.flatnonzero(~near.any(axis=0))
    return Library([exprs[k] for k in keep], values_matrix[:, keep], symbols, unit[:, keep],
                   gram[np.ix_(keep, keep)])


@functools.lru_cache(maxsize=16)
def _products(base: tuple[sp.Expr, ...]) -> list[tuple[int, int, sp.Expr]]:
    """All products ``base[i]·base[j]`` (i ≤ j), simplest first (cached: sympy is slow)."""
    pairs = []
    for i in range(len(base)):
        for j in range(i, len(base)):
            e = base[i] * base[j]
            pairs.append((node_count(e), i, j, e))
    pairs.sort(key=lambda p: p[0])
    return [(i, j, e) for _, i, j, e in pairs]
