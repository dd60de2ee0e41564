"""Structure of a function, read from a differentiable surrogate (lecture 3, AI Feynman).

A trained network can be evaluated and differentiated anywhere in its domain, which the
samples alone cannot. Udrescu & Tegmark (AI Feynman, 2020) use this to simplify a
problem before searching a formula; the tests here are theirs:

* **dependence** on ``x_i``: the size of ``∂f/∂x_i`` over the domain (times the
  variable's range, relative to the spread of ``f``); an input with none is dropped;
* **additive separability** ``f = g(x_i) + h(x_j)`` ⇔ ``∂²f/∂x_i∂x_j = 0``, tested in
  integrated form: ``f(a_i, a_j) − f(a_i, b_j) − f(b_i, a_j) + f(b_i, b_j) = 0`` for pairs
  of random points ``a, b``;
* **multiplicative separability** ``f = g(x_i)·h(x_j)`` ⇔ ``∂²log|f|/∂x_i∂x_j = 0``:
  ``f(a_i, a_j)·f(b_i, b_j) − f(a_i, b_j)·f(b_i, a_j) = 0``;
* **symmetry** – ``f`` depends on ``x_i`` and ``x_j`` only through ``x_i + x_j``
  (``∂_i f = ∂_j f``), ``x_i − x_j`` (``∂_i f = −∂_j f``), ``x_i·x_j``
  (``x_i ∂_i f = x_j ∂_j f``) or ``x_i / x_j`` (``x_i ∂_i f = −x_j ∂_j f``);
* **parity** in each input whose domain is symmetric about 0.

Every test gives a score near 0 when the property holds and of order 1 when it does
not; a property is reported when its score is below ``tolerance`` (a few times the
surrogate's own relative error). The search then works on the parts
(:mod:`nnkit.symbolic.distil`) and checks the result against the samples themselves,
so a wrong verdict costs time, never a wrong label.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

__all__ = ["Structure", "detect_structure", "finite_difference_gradient", "surrogate"]

Fn = Callable[[np.ndarray], np.ndarray]

SYMMETRIES = ("+", "-", "*", "/")


@dataclass(frozen=True)
class Structure:
    """What :func:`detect_structure` found.

    Attributes
    ----------
    names : tuple of str
        Input names.
    importance : tuple of float
        Per input: rms of ``∂f/∂x_i`` times its range, relative to std(f).
    uses : tuple of bool
        Per input: ``importance`` above ``tolerance``.
    additive, multiplicative : float or None
        Separability scores of the first two used inputs (None with fewer than two).
    symmetry : dict
        ``{"+": score, "-": …, "*": …, "/": …}`` for the first two used inputs.
    parity : tuple of (str or None)
        Per input ``"even"``, ``"odd"`` or None (not tested, or neither).
    tolerance : float
        Scores below it count as 0.
    pair : tuple of int
        The two inputs the pair tests are about.
    accuracy : float
        Relative error of the surrogate the tests ran on.
    """

    names: tuple[str, ...]
    importance: tuple[float, ...]
    uses: tuple[bool, ...]
    additive: float | None
    multiplicative: float | None
    symmetry: dict[str, float] = field(default_factory=dict)
    parity: tuple[str | None, ...] = ()
    tolerance: float = 1e-3
    pair: tuple[int, int] = (0, 1)
    accuracy: float = 0.0

    #: Above this relative error the surrogate is too inaccurate for the tests to mean anything.
    MAX_ACCURACY = 0.05

    @property
    def reliable(self) -> bool:
        """The surrogate is accurate enough for its verdicts to be used."""
        return self.accuracy <= self.MAX_ACCURACY

    @property
    def separable(self) -> str | None:
        """``"additive"``, ``"multiplicative"`` or None (the lower score wins a tie)."""
        scores = {
            k: v
            for k, v in (("additive", self.additive), ("multiplicative", self.multiplicative))
            if v is not None and v < self.tolerance
        }
        return min(scores, key=scores.__getitem__) if scores else None

    @property
    def combination(self) -> str | None:
        """The symmetry that holds (``"+"``, ``"-"``, ``"*"``, ``"/"``), best score first."""
        ok = {k: v for k, v in self.symmetry.items() if v < self.tolerance}
        return min(ok, key=ok.__getitem__) if ok else None

    def table(self) -> pd.DataFrame:
        """One row per test: ``test``, ``score``, ``holds`` (score < tolerance)."""
        rows = []
        for name, imp in zip(self.names, self.importance, strict=True):
            rows.append(
                {
                    "test": f"f does not depend on {name}",
                    "score": imp,
                    "holds": imp < self.tolerance,
                }
            )
        i, j = self.pair
        if self.additive is not None and len(self.names) > 1:
            a, b = self.names[i], self.names[j]
            rows.append(
                {
                    "test": f"f = g({a}) + h({b})",
                    "score": self.additive,
                    "holds": self.additive < self.tolerance,
                }
            )
            rows.append(
                {
                    "test": f"f = g({a})·h({b})",
                    "score": self.multiplicative,
                    "holds": (self.multiplicative or 1.0) < self.tolerance,
                }
            )
            for op, s in self.symmetry.items():
                rows.append(
                    {
                        "test": f"f depends on {a} {op} {b} only",
                        "score": s,
                        "holds": s < self.tolerance,
                    }
                )
        for name, p in zip(self.names, self.parity, strict=True):
            if p is not None:
                rows.append({"test": f"f is {p} in {name}", "score": 0.0, "holds": True})
        return pd.DataFrame(rows, columns=["test", "score", "holds"])

    def summary(self) -> str:
        """The structure in one line, e.g. ``f = g(x) + h(y)``; empty when none was found."""
        if not self.reliable:
            return ""
        used = [n for n, u in zip(self.names, self.uses, strict=True) if u]
        parts = []
        if len(used) < len(self.names):
            parts.append(f"f depends on {', '.join(used) or 'no input'} only")
        if self.additive is not None:
            a, b = self.names[self.pair[0]], self.names[self.pair[1]]
            if self.combination is not None:
                parts.append(f"f depends on {a} {self.combination} {b}")
            elif self.separable == "additive":
                parts.append(f"f = g({a}) + h({b})")
            elif self.separable == "multiplicative":
                parts.append(f"f = g({a})·h({b})")
        parts += [f"f is {p} in {n}" for n, p in zip(self.names, self.parity, strict=True) if p]
        return "; ".join(parts)


def finite_difference_gradient(
    f: Fn, X: np.ndarray, domain: Sequence[tuple[float, float]], rel_step: float = 1e-3
) -> np.ndarray:
    """Central-difference gradient of ``f`` at the rows of ``X`` (steps relative to the ranges)."""
    X = np.asarray(X, dtype=float)
    n, d = X.shape
    G = np.empty((n, d))
    for i, (lo, hi) in enumerate(domain):
        h = rel_step * (hi - lo)
        up, dn = X.copy(), X.copy()
        up[:, i] = np.minimum(X[:, i] + h, hi)
        dn[:, i] = np.maximum(X[:, i] - h, lo)
        G[:, i] = (
            np.asarray(f(up), dtype=float).reshape(-1) - np.asarray(f(dn), dtype=float).reshape(-1)
        ) / (up[:, i] - dn[:, i])
    return G


def surrogate(X: np.ndarray, y: np.ndarray, seed: int = 0) -> tuple[Fn, float]:
    """A smooth interpolant of data (quintic radial basis functions) and its hold-out error.

    Data alone cannot be evaluated between the samples; this stands in for the
    network so that the structure tests can run on a CSV too.

    Returns
    -------
    (callable, float)
        The surrogate ``f(X)`` and its robust relative error (median absolute deviation)
        on 10 % held-out samples.
    """
    from scipy.interpolate import RBFInterpolator

    X = np.asarray(X, dtype=float)
    lo, span = X.min(axis=0), np.ptp(X, axis=0)
    span[span == 0] = 1.0
    Z = (X - lo) / span
    n = len(y)
    rng = np.random.default_rng(seed)
    test = rng.random(n) < 0.1
    kw = {"kernel": "quintic", "degree": 2, "smoothing": 0.0}
    try:
        held = RBFInterpolator(Z[~test], y[~test], **kw)
        # robust: a few held-out points outside the others' hull extrapolate badly
        err = float(1.4826 * np.median(np.abs(held(Z[test]) - y[test])) / (np.std(y) or 1.0))
        full = RBFInterpolator(Z, y, **kw)
    except (np.linalg.LinAlgError, ValueError):
        return (lambda A: np.full(len(A), float(np.mean(y)))), 1.0

    def f(A: np.ndarray) -> np.ndarray:
        return np.asarray(full((np.asarray(A, dtype=float) - lo) / span), dtype=float)

    return f, err


def _score(num: np.ndarray, den: np.ndarray) -> float:
    """Typical size of ``num`` relative to ``den``.

    Robust (a median), as a surrogate errs most at the edges of its domain.
    """
    d = float(np.sqrt(np.mean(den**2)))
    return float(np.sqrt(np.median(num**2)) / d) if d > 0 else 0.0


def detect_structure(
    f: Fn,
    domain: Sequence[tuple[float, float]],
    names: Sequence[str] | None = None,
    *,
    gradient: Fn | None = None,
    accuracy: float = 0.0,
    n: int = 400,
    seed: int = 0,
) -> Structure:
    """Run the tests of the module docstring on ``f`` over ``domain``.

    Parameters
    ----------
    f : callable
        ``f(X) -> (n,)`` for ``X`` of shape (n, d): a trained network, a surrogate.
    domain : sequence of (low, high)
    names : sequence of str, optional
    gradient : callable, optional
        ``gradient(X) -> (n, d)`` (e.g. the network's, by automatic differentiation);
        central differences of ``f`` otherwise.
    accuracy : float, default 0
        Relative error of ``f`` itself; scores below ``20·accuracy`` (at least 1e-3, at
        most 0.05) count as 0. Above 5 % the result is marked unreliable and not used.
    n : int, default 400
        Random points per test.
    seed : int, default 0

    Returns
    -------
    Structure
    """
    dom = [(float(a), float(b)) for a, b in domain]
    d = len(dom)
    names = tuple(names) if names is not None else tuple(f"x{i + 1}" for i in range(d))
    rng = np.random.default_rng(seed)
    lo = np.array([a for a, _ in dom])
    hi = np.array([b for _, b in dom])

    def pts(m: int) -> np.ndarray:
        return lo + (hi - lo) * rng.random((m, d))

    def F(A: np.ndarray) -> np.ndarray:
        with np.errstate(all="ignore"):
            return np.asarray(f(A), dtype=float).reshape(-1)

    tol = min(max(20.0 * accuracy, 1e-3), 0.05)
    P = pts(n)
    fp = F(P)
    std = float(np.std(fp)) or 1.0
    G = gradient(P) if gradient is not None else finite_difference_gradient(F, P, dom)
    G = np.asarray(G, dtype=float).reshape(n, d)
    importance = tuple(
        float(np.sqrt(np.mean(G[:, i] ** 2)) * (hi[i] - lo[i]) / std) for i in range(d)
    )
    uses = tuple(v >= tol for v in importance)

    parity: list[str | None] = []
    for i in range(d):
        if abs(lo[i] + hi[i]) > 0.05 * (hi[i] - lo[i]):
            parity.append(None)
            continue
        M = P.copy()
        M[:, i] = -M[:, i]
        fm = F(M)
        even, odd = _score(fm - fp, 2 * std + 0 * fp), _score(fm + fp, 2 * std + 0 * fp)
        parity.append("even" if even < tol else "odd" if odd < tol else None)

    used = [i for i in range(d) if uses[i]]
    if len(used) < 2:
        return Structure(
            names, importance, uses, None, None, {}, tuple(parity), tol, (0, 0), accuracy
        )
    i, j = used[0], used[1]
    A, B = pts(n), pts(n)
    B[:, [k for k in range(d) if k not in (i, j)]] = A[:, [k for k in range(d) if k not in (i, j)]]
    AB, BA = A.copy(), A.copy()
    AB[:, j] = B[:, j]
    BA[:, i] = B[:, i]
    fa, fb, fab, fba = F(A), F(B), F(AB), F(BA)
    additive = _score(fa - fab - fba + fb, 2 * std + 0 * fa)
    mean_sq = float(np.mean(fa**2)) or 1.0
    multiplicative = _score(fa * fb - fab * fba, np.full_like(fa, mean_sq))
    gi, gj = G[:, i], G[:, j]
    xi, xj = P[:, i], P[:, j]
    both = np.sqrt(gi**2 + gj**2)
    sym = {"+": _score(gi - gj, both), "-": _score(gi + gj, both)}
    if np.all(xi != 0) and np.all(xj != 0):
        wi, wj = xi * gi, xj * gj
        bothw = np.sqrt(wi**2 + wj**2)
        sym["*"] = _score(wi - wj, bothw)
        sym["/"] = _score(wi + wj, bothw)
    return Structure(
        names, importance, uses, additive, multiplicative, sym, tuple(parity), tol, (i, j), accuracy
    )
