"""The columns a formula is built from, generated from the grammar (no list of answers).

A formula is searched as ``c₀ + Σ cᵢ·Tᵢ`` (or a ratio of two such sums), where each
term ``Tᵢ`` is a *factor* or a product of two factors, and a factor is

* a monomial ``Π x_j^{r_j}`` with rational exponents ``r_j = p/q`` (q ≤ 5; negative
  exponents only for a variable that keeps its sign, fractional ones only for one that
  is never negative), or
* a function ``u(g)`` of :data:`nnkit.symbolic.grammar.FUNCTIONS` (or ``g^{−1}``,
  ``g^{±1/2}``, ``exp(−g)``) of an *argument* ``g``: one monomial of degree ≤ 3, a sum
  or difference of two small monomials, a product ``(x ± 1)(y ± 1)``, each possibly
  shifted by ±1, or ``a·x`` with ``a`` a simple frequency (p/2 or p·π/2) for sin and cos;
* a variable power ``x_i^{x_j}`` (for ``x_i ≥ 0``).

Every column is evaluated on the samples at once (numpy), checked (finite, not
constant) and deduplicated by its values up to scale and offset (``sin x cos x`` and
``sin 2x`` are one column: the linear fit would not tell them apart). The numbers the
grammar puts inside functions (±1, 2π, …) are starting points: the search refines them
with a local optimiser (:mod:`nnkit.symbolic.refine`).
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from fractions import Fraction

import numpy as np

from nnkit.symbolic.grammar import Node, add, fn, mul, num, power, rational_power, var

__all__ = [
    "ColumnSet",
    "VarInfo",
    "factor_columns",
    "frequencies",
    "monomial",
    "polynomial_exponents",
    "power_exponents",
    "product_columns",
    "variable_info",
]

#: Largest magnitude a column may take on the samples (larger ones are numerically useless).
MAX_VALUE = 1e10


@dataclass(frozen=True)
class VarInfo:
    """What the samples say about one input variable.

    Attributes
    ----------
    lo, hi : float
        Smallest and largest sampled value.
    nonneg : bool
        Never negative (fractional powers, square roots and logs are defined).
    positive : bool
        Always positive (also negative fractional powers).
    keeps_sign : bool
        Bounded away from 0 on one side (negative integer powers are defined).
    """

    lo: float
    hi: float
    nonneg: bool
    positive: bool
    keeps_sign: bool


def variable_info(X: np.ndarray) -> list[VarInfo]:
    """One :class:`VarInfo` per column of ``X``."""
    out = []
    for col in np.asarray(X, dtype=float).T:
        lo, hi = float(col.min()), float(col.max())
        scale = max(abs(lo), abs(hi), 1e-300)
        keeps = (lo > 1e-3 * scale) or (hi < -1e-3 * scale)
        out.append(VarInfo(lo, hi, lo >= 0, lo > 0, keeps))
    return out


# ------------------------------------------------------------------------------ monomials
def power_exponents(info: VarInfo, max_den: int = 5, top: int = 3) -> list[Fraction]:
    """Rational exponents ``p/q`` (q ≤ ``max_den``, ``0 < |p/q| ≤ top``) valid for a variable.

    Integers come first, then the fractions by denominator.
    """
    exps = [Fraction(k) for k in range(1, top + 1)]
    if info.keeps_sign:
        exps += [Fraction(-k) for k in range(1, top + 1)]
    if info.nonneg:
        fr = sorted(
            {
                Fraction(p, q)
                for q in range(2, max_den + 1)
                for p in range(1, top * q + 1)
                if Fraction(p, q).denominator != 1
            },
            key=lambda f: (f.denominator, f),
        )
        exps += fr
        if info.positive:
            exps += [-f for f in fr if f <= 2]
    return exps


def polynomial_exponents(d: int, degree: int) -> list[tuple[int, ...]]:
    """Exponent tuples of the monomials of total degree 1 … ``degree`` in ``d`` variables."""
    out = []
    for total in range(1, degree + 1):
        for e in itertools.product(range(total + 1), repeat=d):
            if sum(e) == total:
                out.append(e)
    return out


def monomial(exps: Sequence[Fraction | int]) -> Node:
    """The tree of ``Π x_j^{exps[j]}`` (exponent 0 leaves a variable out)."""
    parts = [power(var(j), Fraction(e)) for j, e in enumerate(exps) if e != 0]
    return mul(*parts) if parts else num(1.0)


def monomial_values(X: np.ndarray, exps: Sequence[Fraction | int]) -> np.ndarray:
    """Value of :func:`monomial` on the rows of ``X``."""
    out = np.ones(X.shape[0])
    with np.errstate(all="ignore"):
        for j, e in enumerate(exps):
            if e != 0:
                out = out * rational_power(X[:, j], Fraction(e))
    return out


# ------------------------------------------------------------------------------ column set
class ColumnSet:
    """Columns with their trees, deduplicated by value up to scale and offset.

    Parameters
    ----------
    n : int
        Number of samples.
    seed : int, default 0
        Seed of the random projections used as a hash of the values.
    """

    def __init__(self, n: int, seed: int = 0) -> None:
        self.n = n
        self._proj = np.random.default_rng(seed).standard_normal((2, n))
        self._keys: set[tuple[float, float]] = set()
        self.nodes: list[Node] = []
        self.cols: list[np.ndarray] = []

    def keys(self, V: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Validity mask and hash keys of the columns of ``V`` (shape (n, m))."""
        with np.errstate(all="ignore"):
            finite = np.all(np.isfinite(V), axis=0) & (np.max(np.abs(V), axis=0) < MAX_VALUE)
            Vc = np.where(finite, V, 0.0)
            Vc = Vc - Vc.mean(axis=0)
            norm = np.linalg.norm(Vc, axis=0)
            scale = np.linalg.norm(np.where(finite, V, 0.0), axis=0) + 1e-300
            ok = finite & (norm > 1e-9 * scale)
            Z = Vc / np.where(ok, norm, 1.0)
            h = self._proj @ Z
            sign = np.where(h[0] < 0, -1.0, 1.0)
            k = np.round(h * sign, 7)
        return ok, k

    def add_many(self, nodes: Sequence[Node], V: np.ndarray) -> list[int]:
        """Add the valid, new columns of ``V`` (one per node); return their indices here."""
        ok, k = self.keys(V)
        added = []
        for i in np.flatnonzero(ok):
            key = (float(k[0, i]), float(k[1, i]))
            if key in self._keys:
                continue
            self._keys.add(key)
            self.nodes.append(nodes[int(i)])
            self.cols.append(np.array(V[:, i], dtype=float))
            added.append(len(self.nodes) - 1)
        return added

    def matrix(self, idx: Sequence[int] | None = None) -> np.ndarray:
        """The columns (all, or those in ``idx``) as an (n, m) array."""
        ids = range(len(self.cols)) if idx is None else idx
        cols = [self.cols[i] for i in ids]
        return np.column_stack(cols) if cols else np.empty((self.n, 0))

    def __len__(self) -> int:
        return len(self.nodes)


# ------------------------------------------------------------------------------ factors
def _neg(g: Node) -> Node:
    if g.op == "add":
        return add(*[_neg(t) for t in g.args])
    if g.op == "num":
        return num(-float(g.value))  # type: ignore[arg-type]
    if g.op == "mul" and g.args[0].op == "num":
        c = -float(g.args[0].value)  # type: ignore[arg-type]
        rest = g.args[1:]
        return mul(*rest) if c == 1 else mul(num(c), *rest)
    return mul(num(-1.0), g)


def _arguments(X: np.ndarray, info: list[VarInfo]) -> Iterator[tuple[Node, np.ndarray, bool]]:
    """Arguments g of functions: (tree, values, simple) with simple = one unshifted monomial."""
    d = X.shape[1]
    singles: list[tuple[Node, np.ndarray]] = []
    basic: list[tuple[Node, np.ndarray]] = []
    for j, vi in enumerate(info):
        exps = [Fraction(1), Fraction(2), Fraction(3)]
        if vi.nonneg:
            exps.append(Fraction(1, 2))
        if vi.keeps_sign:
            exps.append(Fraction(-1))
        for e in exps:
            e_t = [Fraction(0)] * d
            e_t[j] = e
            item = (monomial(e_t), monomial_values(X, e_t))
            singles.append(item)
            if e in (1, 2):
                basic.append(item)
    for i, j in itertools.combinations(range(d), 2):
        for ei, ej in ((1, 1), (1, -1), (-1, 1), (2, 2), (2, -2), (-2, 2), (1, 2), (2, 1)):
            if (ej < 0 and not info[j].keeps_sign) or (ei < 0 and not info[i].keeps_sign):
                continue
            e_t = [Fraction(0)] * d
            e_t[i], e_t[j] = Fraction(ei), Fraction(ej)
            item = (monomial(e_t), monomial_values(X, e_t))
            singles.append(item)
            if ei == ej == 1:
                basic.append(item)
    for g, v in singles:
        yield g, v, True
        for s in (1.0, -1.0):
            yield add(g, num(s)), v + s, False
    for (g1, v1), (g2, v2) in itertools.combinations(basic, 2):
        for sign in (1.0, -1.0):
            g = add(g1, g2) if sign > 0 else add(g1, _neg(g2))
            yield g, v1 + sign * v2, False
            yield add(g, num(1.0)), v1 + sign * v2 + 1.0, False
    for i, j in itertools.combinations(range(d), 2):
        for a, b in itertools.product((1.0, -1.0), repeat=2):
            # (x_i + a)(x_j + b), expanded so that its numbers can be refined one by one
            g = add(mul(var(i), var(j)), mul(num(b), var(i)), mul(num(a), var(j)), num(a * b))
            yield g, (X[:, i] + a) * (X[:, j] + b), False


def frequencies(info: VarInfo, n_per_axis: float) -> list[float]:
    """Simple frequencies ``a`` (p/2 and p·π/2, p = 1 … 8) that the samples can resolve.

    A frequency is kept when ``sin(a·x)`` has at least 6 samples per period along the
    axis (``n_per_axis`` distinct values) and at most 20 periods over the sampled range.
    """
    width = info.hi - info.lo
    if width <= 0:
        return []
    spacing = width / max(n_per_axis, 2.0)
    out = []
    for a in [p / 2 for p in range(1, 9)] + [p * np.pi / 2 for p in range(1, 9)]:
        period = 2 * np.pi / a
        if period >= 6 * spacing and width / period <= 20:
            out.append(a)
    return out


_UNARY = ("sin", "cos", "tanh", "sinh", "cosh", "exp", "expneg", "log", "inv", "sqrt", "invsqrt")


def _apply(name: str, g: Node, v: np.ndarray) -> Iterator[tuple[Node, np.ndarray]]:
    with np.errstate(all="ignore"):
        if name == "expneg":
            yield fn("exp", _neg(g)), np.exp(-v)
        elif name in ("log", "sqrt", "invsqrt"):
            # a function defined only for positive arguments: g, or −g where g < 0
            for sign in (1.0, -1.0):
                if np.all(sign * v > 0):
                    h = g if sign > 0 else _neg(g)
                    if name == "log":
                        yield fn("log", h), np.log(sign * v)
                    else:
                        e = Fraction(1, 2) if name == "sqrt" else Fraction(-1, 2)
                        yield power(h, e), (sign * v) ** float(e)
                    return
        elif name == "inv":
            yield Node("pow", (g,), Fraction(-1)), 1.0 / v
        else:
            yield fn(name, g), getattr(np, name)(v)


def factor_columns(
    X: np.ndarray, info: list[VarInfo], cs: ColumnSet, simple_only: bool = False
) -> tuple[list[int], list[int]]:
    """Add the function factors ``u(g)`` to ``cs``.

    Returns
    -------
    (all_added, simple_added)
        Indices in ``cs`` of the new columns, and of those whose argument is a single
        unshifted monomial or a simple frequency (the ones products are built from).
    """
    n_axis = float(X.shape[0])  # distinct values along each axis (random samples)
    added: list[int] = []
    simple: list[int] = []
    for j, vi in enumerate(info):
        for a in frequencies(vi, n_axis):
            g = mul(num(a), var(j))
            for name in ("sin", "cos"):
                new = cs.add_many([fn(name, g)], getattr(np, name)(a * X[:, j])[:, None])
                added += new
                simple += new
    for i, j in itertools.permutations(range(X.shape[1]), 2):
        if info[i].nonneg:  # a variable power x_i^x_j (= exp(x_j·log x_i))
            with np.errstate(all="ignore"):
                new = cs.add_many(
                    [Node("powv", (var(i), var(j)))], np.power(X[:, i], X[:, j])[:, None]
                )
            added += new
            simple += new
    for g, v, is_simple in _arguments(X, info):
        if simple_only and not is_simple:
            continue
        nodes, cols = [], []
        for name in _UNARY:
            for node, col in _apply(name, g, v):
                nodes.append(node)
                cols.append(col)
        if not nodes:
            continue
        new = cs.add_many(nodes, np.column_stack(cols))
        added += new
        if is_simple:
            simple += new
    return added, simple


def product_columns(
    cs: ColumnSet, base: Sequence[int], targets: np.ndarray, keep: int, chunk: int = 2048
) -> list[tuple[Node, np.ndarray, float]]:
    """Products ``cs[i]·cs[j]`` of the ``base`` columns most correlated with ``targets``.

    The products are screened in chunks without being stored: only the ``keep`` with
    the largest absolute correlation with any of the ``targets`` (columns, centred) are
    returned, as (tree, values, score).
    """
    B = cs.matrix(base)
    pairs = np.array([(a, b) for a in range(len(base)) for b in range(a, len(base))], dtype=int)
    if len(pairs) == 0:
        return []
    T = targets - targets.mean(axis=0)
    T = T / np.maximum(np.linalg.norm(T, axis=0), 1e-300)
    best: list[tuple[float, int]] = []
    for s in range(0, len(pairs), chunk):
        pr = pairs[s : s + chunk]
        with np.errstate(all="ignore"):
            P = B[:, pr[:, 0]] * B[:, pr[:, 1]]
            ok = np.all(np.isfinite(P), axis=0) & (np.max(np.abs(P), axis=0) < MAX_VALUE)
            P = np.where(ok, P, 0.0)
            Pc = P - P.mean(axis=0)
            norm = np.linalg.norm(Pc, axis=0)
            score = np.max(np.abs(T.T @ Pc), axis=0) / np.where(norm > 0, norm, np.inf)
        score[~ok] = 0.0
        top = np.argsort(-score)[:keep]
        best += [(float(score[t]), s + int(t)) for t in top if score[t] > 0]
        best = sorted(best, reverse=True)[:keep]
    out = []
    for score, k in best:
        a, b = pairs[k]
        ia, ib = base[a], base[b]
        node = mul(cs.nodes[ia], cs.nodes[ib])
        out.append((node, cs.cols[ia] * cs.cols[ib], score))
    return out
