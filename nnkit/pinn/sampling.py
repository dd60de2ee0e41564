"""Collocation points: where the PDE residual is enforced.

Three ways to spread ``n`` points over a box ``[lows, highs]`` (uniform random, Latin
hypercube, Sobol, the last two from :mod:`scipy.stats.qmc`) and residual-based
adaptive refinement (RAR): draw many candidate points, keep those where the current
residual is largest.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Sequence

import numpy as np

__all__ = ["SAMPLINGS", "sample_box", "refine_by_residual"]

SAMPLINGS: dict[str, str] = {
    "lhs": "Latin hypercube",
    "sobol": "Sobol (scrambled)",
    "uniform": "uniform random",
}
"""Sampling kinds: key → label shown on the page."""


def sample_box(
    n: int, lows: Sequence[float], highs: Sequence[float], kind: str = "lhs", seed: int = 0
) -> np.ndarray:
    """``n`` points in the box ``[lows, highs]``.

    Parameters
    ----------
    n : int
        Number of points, ≥ 1.
    lows, highs : sequence of float
        Box corners, one entry per input (e.g. ``(t_min, x_min)``).
    kind : {"lhs", "sobol", "uniform"}
        Latin hypercube (one point in each of ``n`` slabs along every axis), scrambled
        Sobol sequence (low discrepancy; exactly balanced when n is a power of 2) or
        independent uniform draws.
    seed : int
        Seed; the same seed gives the same points.

    Returns
    -------
    numpy.ndarray, shape (n, len(lows))
    """
    n = int(n)
    if n < 1:
        raise ValueError(f"the number of collocation points must be at least 1, got {n}")
    lo = np.asarray(lows, dtype=float)
    hi = np.asarray(highs, dtype=float)
    d = lo.size
    if kind == "uniform":
        unit = np.random.default_rng(seed).random((n, d))
    elif kind in ("lhs", "sobol"):
        from scipy.stats import qmc

        if kind == "lhs":
            engine = qmc.LatinHypercube(d=d, seed=seed)
        else:
            engine = qmc.Sobol(d=d, scramble=True, seed=seed)
        with warnings.catch_warnings():  # Sobol warns when n is not a power of 2
            warnings.simplefilter("ignore", UserWarning)
            unit = engine.random(n)
    else:
        raise ValueError(f"unknown sampling {kind!r}; choose one of {', '.join(SAMPLINGS)}")
    return lo + unit * (hi - lo)


def refine_by_residual(
    residual: Callable[[np.ndarray], np.ndarray],
    n_add: int,
    lows: Sequence[float],
    highs: Sequence[float],
    n_candidates: int | None = None,
    seed: int = 0,
) -> np.ndarray:
    """Residual-based adaptive refinement: the ``n_add`` candidates with largest |residual|.

    Parameters
    ----------
    residual : callable
        Maps points (m, d) to residual values (m,) of the current network.
    n_add : int
        Points to return.
    lows, highs : sequence of float
        Box to draw candidates from.
    n_candidates : int, optional
        Uniform candidates to score (default ``max(20·n_add, 2000)``).
    seed : int
        Seed of the candidates.

    Returns
    -------
    numpy.ndarray, shape (n_add, d)
        The new points, largest residual first.
    """
    n_add = int(n_add)
    if n_add < 1:
        raise ValueError(f"refinement must add at least 1 point, got {n_add}")
    m = int(n_candidates or max(20 * n_add, 2000))
    cand = sample_box(m, lows, highs, kind="uniform", seed=seed)
    score = np.abs(np.asarray(residual(cand), dtype=float).reshape(-1))
    score = np.where(np.isfinite(score), score, np.inf)
    top = np.argsort(-score, kind="stable")[:n_add]
    return cand[top]
