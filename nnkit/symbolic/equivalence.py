"""Is a recovered formula the true one? Symbolic simplification plus numerical agreement."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import sympy as sp

from nnkit.symbolic.evaluate import evaluate, node_count

__all__ = ["Equivalence", "check_equivalence", "is_equivalent"]


@dataclass(frozen=True)
class Equivalence:
    """Outcome of :func:`check_equivalence`.

    Attributes
    ----------
    equivalent : bool
        The two formulas agree numerically to ``rtol`` at every test point of the
        domain (and, where sympy could decide, their difference simplifies to 0).
    symbolic : bool or None
        True if sympy simplified the difference to 0; False if it simplified to a
        nonzero constant; None if sympy could not decide.
    max_abs_diff : float
        Largest difference at the test points.
    n_points : int
        Test points where both formulas are finite.
    """

    equivalent: bool
    symbolic: bool | None
    max_abs_diff: float
    n_points: int


def _simplifies_to_zero(diff: sp.Expr) -> bool | None:
    if diff == 0:
        return True
    if node_count(diff) > 400:
        return None
    for step in (
        sp.expand,
        lambda e: sp.expand(sp.expand_trig(e)),
        sp.expand_log,
        lambda e: sp.simplify(sp.expand_trig(e)),
    ):
        try:
            d = step(diff)
        except Exception:  # sympy may give up on odd expressions: undecided, not an error
            continue
        if d == 0:
            return True
        if d.is_Number:
            return False
    return None


def check_equivalence(
    found: sp.Expr,
    truth: sp.Expr,
    domain: Sequence[tuple[float, float]] | None = None,
    symbols: Sequence[sp.Symbol] | None = None,
    n_points: int = 400,
    rtol: float = 1e-9,
    seed: int = 0,
) -> Equivalence:
    """Compare two formulas symbolically and on random points of ``domain``.

    Symbols are matched by name, so a formula built with ``Symbol("x", real=True)``
    compares equal to one with plain ``Symbol("x")``.

    Parameters
    ----------
    found, truth : sympy.Expr
    domain : sequence of (low, high), optional
        Box of test points per symbol (``[-1, 1]`` each by default).
    symbols : sequence of sympy.Symbol, optional
        Order of the symbols for ``domain`` (default: the free symbols sorted by name).
    n_points : int, default 400
    rtol : float, default 1e-9
        Agreement means ``|found − truth| ≤ rtol · (1 + max|truth|)`` at every point.
    seed : int, default 0

    Returns
    -------
    Equivalence
    """
    names = sorted({s.name for s in found.free_symbols | truth.free_symbols})
    if symbols is not None:
        names = [s.name if isinstance(s, sp.Symbol) else str(s) for s in symbols]
    plain = {n: sp.Symbol(n) for n in names}
    f = found.xreplace({s: plain[s.name] for s in found.free_symbols if s.name in plain})
    t = truth.xreplace({s: plain[s.name] for s in truth.free_symbols if s.name in plain})
    domain = list(domain) if domain is not None else [(-1.0, 1.0)] * len(names)
    rng = np.random.default_rng(seed)
    pts = {n: rng.uniform(lo, hi, n_points) for n, (lo, hi) in zip(names, domain, strict=True)}
    fv = evaluate(f, pts) if names else np.full(n_points, float(evaluate(f, {})))
    tv = evaluate(t, pts) if names else np.full(n_points, float(evaluate(t, {})))
    ok = np.isfinite(fv) & np.isfinite(tv)
    if ok.sum() < max(10, n_points // 4):
        return Equivalence(False, None, float("nan"), int(ok.sum()))
    diff = float(np.max(np.abs(fv[ok] - tv[ok])))
    numeric = diff <= rtol * (1.0 + float(np.max(np.abs(tv[ok]))))
    positive = {
        plain[n]: sp.Symbol(n, positive=True)
        for n, (lo, _) in zip(names, domain, strict=True)
        if lo > 0
    }
    symbolic = _simplifies_to_zero(sp.expand((f - t).xreplace(positive))) if numeric else None
    if symbolic is None and not numeric:
        symbolic = None
    return Equivalence(bool(numeric and symbolic is not False), symbolic, diff, int(ok.sum()))


def is_equivalent(
    found: sp.Expr,
    truth: sp.Expr,
    domain: Sequence[tuple[float, float]] | None = None,
    symbols: Sequence[sp.Symbol] | None = None,
) -> bool:
    """True if ``found`` and ``truth`` are the same function on ``domain``.

    See :func:`check_equivalence` (this returns its ``equivalent`` field).
    """
    return check_equivalence(found, truth, domain, symbols).equivalent
