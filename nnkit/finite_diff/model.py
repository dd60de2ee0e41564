"""The error model of a stencil: where the V has its bottom, and what slope it has.

Each sample ``f(x + s h)`` carries a rounding error of about ``ε·|f|``, amplified by
``S = Σ|w_j|`` and divided by ``h^d``; the stencil's neglected Taylor term adds
``|C|·M·h^p``. The total

    E(h) ≈ |C|·M·h^p + S·ε·F / h^d,   M = |f^(d+p)(x)|,

is the V shape of the log-log error plot: truncation on the right (slope ``p``),
round-off on the left (slope ``-d``). :func:`optimal_step` gives its minimum,
:func:`fit_order` the measured slope and :func:`measured_minimum` the measured
bottom.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from fractions import Fraction
from typing import NamedTuple

import numpy as np
import numpy.typing as npt

from nnkit.finite_diff.stencils import Stencil

__all__ = ["EPS", "Bottom", "fit_order", "leading_term", "measured_minimum", "optimal_step"]

#: Unit round-off of float64, 2**-53 ≈ 1.1e-16: the largest relative error of
#: rounding one real number to the nearest double (half of numpy's ``eps``).
EPS = 2.0**-53


def optimal_step(
    st: Stencil,
    m: float,
    f_scale: float,
    eps: float = EPS,
    order: int | None = None,
    constant: Fraction | None = None,
) -> tuple[float, float]:
    """Compute the theoretical optimal step h* and minimum error E* of a stencil.

    Minimises ``E(h) = |C|·m·h^p + S·eps·f_scale / h^d``.

    Parameters
    ----------
    st : Stencil
        The formula.
    m : float
        ``|f^(d+p)(x)|``, the size of the derivative in the truncation term.
    f_scale : float
        Size of the rounding in each sample, in units of eps (|f| near x).
    eps : float
        Unit round-off.
    order, constant : optional
        Use this error term instead of the stencil's leading one (when
        ``f^(d+p)(x) = 0`` the next non-vanishing term leads; ``m`` is then its
        derivative).

    Returns
    -------
    (h_star, e_star) : tuple of float
        ``nan`` when one of the two terms vanishes (no V: e.g. a polynomial the
        stencil differentiates exactly, or f = 0 near x).
    """
    c = st.error_constant if constant is None else constant
    a = abs(float(c)) * abs(m)
    b = float(st.abs_sum) * eps * abs(f_scale)
    p = st.order if order is None else order
    d = st.derivative
    if not (a > 0 and b > 0 and math.isfinite(a) and math.isfinite(b)):
        return math.nan, math.nan
    h_star = (d * b / (p * a)) ** (1.0 / (p + d))
    return h_star, a * h_star**p + b / h_star**d


def fit_order(
    h: npt.ArrayLike,
    error: npt.ArrayLike,
    roundoff: npt.ArrayLike,
    margin: float = 100.0,
    decades: float = 1.5,
) -> float:
    """Fit the empirical order: the slope of log|error| vs log h where truncation leads.

    The regime starts at the smallest h where the error exceeds ``margin`` times
    the round-off estimate (rounding then moves log10|error| by < 0.005) and spans
    ``decades`` decades of h from there: small enough h for the leading Taylor term
    to dominate, large enough for rounding not to matter.

    Parameters
    ----------
    h, error, roundoff : array_like
        Steps, measured errors and the model's round-off term at each step.
    margin : float, default 100
        How far above the round-off an error must be.
    decades : float, default 1.5
        Width of the fitted window, in decades of h.

    Returns
    -------
    float
        The slope; ``nan`` with fewer than 4 such points (e.g. the stencil is exact
        for this f).
    """
    hs = np.asarray(h, float)
    err = np.asarray(error, float)
    rnd = np.asarray(roundoff, float)
    ok = np.isfinite(err) & (err > 0) & (err > margin * rnd)
    if ok.sum() < 4:
        return math.nan
    h_lo = hs[ok].min()
    ok &= hs <= h_lo * 10**decades
    if ok.sum() < 4:
        return math.nan
    slope, _ = np.polyfit(np.log10(hs[ok]), np.log10(err[ok]), 1)
    return float(slope)


class Bottom(NamedTuple):
    """The measured bottom of the V (see :func:`measured_minimum`)."""

    h: float  #: step where the smoothed error is smallest
    error: float  #: the smoothed error there
    h_lo: float  #: smallest step where the smoothed error is within ``factor`` of it
    h_hi: float  #: largest such step


def measured_minimum(
    h: npt.ArrayLike, error: npt.ArrayLike, window: int = 15, factor: float = 3.0
) -> Bottom:
    """Find the bottom of the measured V, and the region of h around it.

    Near the bottom the error is the truncation term plus a rounding term that
    looks random from one h to the next, so at single steps the two can cancel by
    luck. The error one should expect is the mean of |error| over ``window``
    neighbouring steps (about 1.2 decades of h on the default 200-step grid); the
    bottom is where that mean is smallest, and the region is the contiguous range
    of h where it stays within ``factor`` of the bottom.

    Parameters
    ----------
    h, error : array_like
        Steps and measured errors (non-finite errors are left out).
    window : int, default 15
        Number of neighbouring steps averaged.
    factor : float, default 3
        How far above the bottom the region extends.

    Returns
    -------
    Bottom
        ``(h, error, h_lo, h_hi)``; all ``nan`` if no finite error.
    """
    hs = np.asarray(h, float)
    err = np.asarray(error, float)
    ok = np.isfinite(err)
    hs, err = hs[ok], err[ok]
    if hs.size == 0:
        return Bottom(math.nan, math.nan, math.nan, math.nan)
    order = np.argsort(hs)
    hs, err = hs[order], err[order]
    window = max(1, min(window, hs.size))
    # Direct window sums (a running sum would lose the small values next to 1e16 ones).
    smooth = np.lib.stride_tricks.sliding_window_view(err, window).mean(axis=1)
    centres = hs[window // 2 : window // 2 + smooth.size]
    k = int(np.argmin(smooth))
    best = smooth[k]
    lo = hi = k
    while lo > 0 and smooth[lo - 1] <= factor * best:
        lo -= 1
    while hi < smooth.size - 1 and smooth[hi + 1] <= factor * best:
        hi += 1
    return Bottom(float(centres[k]), float(best), float(centres[lo]), float(centres[hi]))


def leading_term(
    st: Stencil, higher: Sequence[float], scale: float = 1.0
) -> tuple[int, Fraction, float]:
    """Find the first error term of ``st`` that does not vanish at x0.

    A term vanishes when ``|C_k f^(k)(x0)| scale^k`` is below 1e-13 of the largest
    of the next ones (``scale`` from :func:`taylor_scale`). Falls back to the
    stencil's own leading term when every candidate vanishes (the stencil is exact
    for f) or f is not smooth (nan derivatives).

    Parameters
    ----------
    st : Stencil
        The formula.
    higher : sequence of float
        ``|f^(k)(x0)|`` for k = 0, 1, ...
    scale : float, default 1.0
        The step at which the terms are compared.

    Returns
    -------
    (k, C_k, M) : tuple
        The term's derivative order, its exact constant and ``|f^(k)(x0)|``.
    """
    terms = st.error_terms(4)
    terms = [(k, c) for k, c in terms if k < len(higher)]
    sizes = [abs(float(c)) * higher[k] * scale**k for k, c in terms]
    if terms and all(math.isfinite(v) for v in sizes) and max(sizes) > 0:
        cutoff = 1e-13 * max(sizes)
        for (k, c), v in zip(terms, sizes, strict=True):
            if v > cutoff:
                return k, c, higher[k]
    k = st.derivative + st.order
    return k, st.error_constant, higher[k] if k < len(higher) else math.nan
