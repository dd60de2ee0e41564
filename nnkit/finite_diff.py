"""Finite-difference stencils, their error, the optimal step, and the complex step.

A stencil approximates the d-th derivative from samples at ``x + s_j h``::

    f^(d)(x) ≈ (1 / h^d) · Σ_j w_j f(x + s_j h)

:func:`stencil` computes the weights ``w_j`` with Fornberg's algorithm in exact
rational arithmetic (``fractions.Fraction``), so the textbook formulas come out
exactly: ``stencil(1, 2, "central")`` is ``[-1/2, 0, 1/2]``, i.e.
``[f(x+h) - f(x-h)] / (2h)``.

Expanding each ``f(x + s h)`` in a Taylor series gives the error of a stencil::

    estimate - f^(d)(x) = C · h^p · f^(d+p)(x) + O(h^(p+1))

with ``p`` its order and ``C`` its leading error constant (both exact). In floating
point each sample also carries a rounding error of about ``ε·|f|``, amplified by
``S = Σ|w_j|`` and divided by ``h^d``. The total

    E(h) ≈ |C|·M·h^p + S·ε·F / h^d,   M = |f^(d+p)(x)|,

is the V shape of the log-log error plot: truncation on the right (slope ``p``),
round-off on the left (slope ``-d``). It is smallest at
``h* = (d·S·ε·F / (p·|C|·M))^(1/(p+d))``. :func:`error_sweep` measures the V on a
log-spaced grid of ``h`` and puts the model beside it; :func:`complex_step` and
:func:`autodiff_derivative` are the two methods without the round-off wall.
"""

from __future__ import annotations

import cmath
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from functools import cached_property, lru_cache
from typing import Any, NamedTuple

import numpy as np
import pandas as pd
import sympy

from nnkit.expr import Formula

__all__ = [
    "EPS",
    "KINDS",
    "LECTURE_SCHEMES",
    "DomainError",
    "Stencil",
    "Sweep",
    "Bottom",
    "apply",
    "autodiff_derivative",
    "complex_step",
    "error_sweep",
    "estimates_at",
    "what_you_see",
    "default_steps",
    "engine_derivative",
    "fit_order",
    "fornberg",
    "measured_minimum",
    "optimal_step",
    "stencil",
    "stencil_from_offsets",
    "taylor_derivatives",
]

#: Unit round-off of float64, 2**-53 ≈ 1.1e-16: the largest relative error of
#: rounding one real number to the nearest double (half of numpy's ``eps``).
EPS = 2.0**-53
KINDS = ("forward", "backward", "central")
#: The lecture's schemes, (kind, accuracy): first-order one-sided, then O(h²), O(h⁴).
LECTURE_SCHEMES: tuple[tuple[str, int], ...] = (
    ("forward", 1),
    ("backward", 1),
    ("central", 2),
    ("forward", 2),
    ("backward", 2),
    ("central", 4),
)
#: Largest derivative order and accuracy :func:`stencil` accepts (keeps Fractions small).
MAX_DERIVATIVE = 12
MAX_ACCURACY = 16


class DomainError(ValueError):
    """The function (or its derivative) is not defined, or not real, at the point."""


# ---------------------------------------------------------------------------
# Weights: Fornberg's algorithm, exact
# ---------------------------------------------------------------------------


def fornberg(
    points: Sequence[Fraction | int], m: int, z: Fraction | int = 0
) -> list[list[Fraction]]:
    """Finite-difference weights for derivatives 0..m at ``z`` from samples at ``points``.

    Fornberg's recursion (Math. Comp. 51, 1988; SIAM Review 40, 1998) run in exact
    rational arithmetic.

    Parameters
    ----------
    points : sequence of Fraction or int
        Distinct sample abscissae (in units of h).
    m : int
        Highest derivative order wanted.
    z : Fraction or int
        Where the derivatives are approximated.

    Returns
    -------
    list of list of Fraction
        ``c[k][j]`` is the weight of ``f(points[j])`` in the k-th derivative.
    """
    xs = [Fraction(p) for p in points]
    z = Fraction(z)
    n = len(xs) - 1
    if len(set(xs)) != len(xs):
        raise ValueError("stencil points must be distinct")
    if m > n:
        raise ValueError(f"{len(xs)} points give derivatives up to order {n}, not {m}")
    c = [[Fraction(0)] * (n + 1) for _ in range(m + 1)]
    c[0][0] = Fraction(1)
    c1 = Fraction(1)
    c4 = xs[0] - z
    for i in range(1, n + 1):
        mn = min(i, m)
        c2 = Fraction(1)
        c5, c4 = c4, xs[i] - z
        for j in range(i):
            c3 = xs[i] - xs[j]
            c2 *= c3
            if j == i - 1:
                for k in range(mn, 0, -1):
                    c[k][i] = c1 * (k * c[k - 1][i - 1] - c5 * c[k][i - 1]) / c2
                c[0][i] = -c1 * c5 * c[0][i - 1] / c2
            for k in range(mn, 0, -1):
                c[k][j] = (c4 * c[k][j] - k * c[k - 1][j]) / c3
            c[0][j] = c4 * c[0][j] / c3
        c1 = c2
    return c


# ---------------------------------------------------------------------------
# The stencil as data
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Stencil:
    """A finite-difference formula as data: offsets, exact weights, order, error constant.

    Attributes
    ----------
    derivative : int
        Which derivative it approximates (d).
    offsets : tuple of Fraction
        Sample points in units of h, in the order the weights are given.
    weights : tuple of Fraction
        Exact weights ``w_j``: ``f^(d)(x) ≈ Σ w_j f(x + s_j h) / h^d``.
    order : int
        Truncation order p: the error is ``C·h^p·f^(d+p)(x) + ...``.
    error_constant : Fraction
        C, from the first Taylor term the stencil does not cancel.
    kind : str
        "forward", "backward", "central" or "custom".
    accuracy : int
        The accuracy asked for (``order`` can exceed it, e.g. symmetric stencils).
    """

    derivative: int
    offsets: tuple[Fraction, ...]
    weights: tuple[Fraction, ...]
    order: int
    error_constant: Fraction
    kind: str = "custom"
    accuracy: int = 0

    @cached_property
    def float_weights(self) -> np.ndarray:
        """Weights as float64 (each the nearest double to the exact Fraction)."""
        return np.array([float(w) for w in self.weights])

    @cached_property
    def float_offsets(self) -> np.ndarray:
        """Offsets as float64."""
        return np.array([float(s) for s in self.offsets])

    @cached_property
    def abs_sum(self) -> Fraction:
        """S = Σ|w_j|: how much the stencil amplifies rounding errors in the samples."""
        return sum((abs(w) for w in self.weights), Fraction(0))

    @property
    def n_points(self) -> int:
        """Number of samples of f (zero weights excluded)."""
        return sum(1 for w in self.weights if w != 0)

    @property
    def name(self) -> str:
        """Short label, e.g. ``"central O(h^2)"``."""
        return f"{self.kind} O(h^{self.order})" if self.order != 1 else f"{self.kind} O(h)"

    @property
    def label(self) -> str:
        """Label with the order in unicode superscripts, e.g. ``"central O(h²)"``."""
        sup = str(self.order).translate(str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹"))
        return f"{self.kind} O(h{sup if self.order != 1 else ''})"

    def common_denominator(self) -> tuple[int, tuple[int, ...]]:
        """(L, integer numerators): ``w_j = n_j / L`` with the smallest such L."""
        lcm = 1
        for w in self.weights:
            lcm = lcm * w.denominator // math.gcd(lcm, w.denominator)
        return lcm, tuple(int(w * lcm) for w in self.weights)

    def terms(self) -> list[tuple[int, Fraction]]:
        """Nonzero (integer numerator, offset) pairs in the lecture's order.

        Forward stencils list offsets ascending, central and backward descending
        (as the lecture writes ``f(x+h) - f(x-h)`` and ``3f(x) - 4f(x-h) + f(x-2h)``).
        """
        _, nums = self.common_denominator()
        pairs = [(n, s) for n, s in zip(nums, self.offsets, strict=True) if n != 0]
        descending = self.kind in ("central", "backward") or (
            self.kind == "custom" and all(s <= 0 for _, s in pairs)
        )
        return sorted(pairs, key=lambda t: -t[1] if descending else t[1])

    def latex(self, f: str = "f", x: str = "x", h: str = "h") -> str:
        """The formula in LaTeX, e.g. ``f'(x) \\approx \\frac{f(x+h) - f(x-h)}{2h}``."""
        lcm, _ = self.common_denominator()
        parts = []
        for k, (num, s) in enumerate(self.terms()):
            sign = "-" if num < 0 else ("+" if k else "")
            coef = "" if abs(num) == 1 else str(abs(num))
            sep = " " if k else ""
            parts.append(f"{sep}{sign}{' ' if k else ''}{coef}{f}({_shift(x, s, h)})")
        numerator = "".join(parts)
        den_h = h if self.derivative == 1 else f"{h}^{{{self.derivative}}}"
        den = den_h if lcm == 1 else f"{lcm}{den_h}"
        d = self.derivative
        lhs = f"{f}{chr(39) * d}({x})" if d <= 3 else f"{f}^{{({d})}}({x})"
        return f"{lhs} \\approx \\frac{{{numerator}}}{{{den}}}"

    def error_latex(self, f: str = "f", x: str = "x", h: str = "h") -> str:
        """The leading error term in LaTeX, e.g. ``+\\tfrac{1}{6} h^{2} f'''(x)``."""
        c = self.error_constant
        k = self.derivative + self.order
        fk = f"{f}{chr(39) * k}({x})" if k <= 3 else f"{f}^{{({k})}}({x})"
        sign = "-" if c < 0 else "+"
        frac = (
            str(abs(c.numerator))
            if c.denominator == 1
            else f"\\tfrac{{{abs(c.numerator)}}}{{{c.denominator}}}"
        )
        hp = h if self.order == 1 else f"{h}^{{{self.order}}}"
        return f"{sign}{frac}\\,{hp}\\,{fk}"

    def table(self) -> pd.DataFrame:
        """One row per sample: ``s`` (offset), exact ``weight`` (text), ``float`` weight."""
        return pd.DataFrame(
            {
                "s": [str(s) for s in self.offsets],
                "weight": [str(w) for w in self.weights],
                "float": self.float_weights,
            }
        )


def _shift(x: str, s: Fraction, h: str) -> str:
    if s == 0:
        return x
    sign = "+" if s > 0 else "-"
    a = abs(s)
    mult = "" if a == 1 else (str(a.numerator) if a.denominator == 1 else f"\\tfrac{{{a.numerator}}}{{{a.denominator}}}")
    return f"{x}{sign}{mult}{h}"


def _offsets(derivative: int, accuracy: int, kind: str) -> list[int]:
    if kind == "central":
        if accuracy % 2:
            raise ValueError(
                f"a central stencil has even accuracy (2, 4, 6, ...), not {accuracy}: "
                "symmetric samples cancel every other Taylor term"
            )
        half = (2 * ((derivative + 1) // 2) - 1 + accuracy) // 2
        return list(range(-half, half + 1))
    n = derivative + accuracy
    if kind == "forward":
        return list(range(n))
    if kind == "backward":
        return [-k for k in range(n)]
    raise ValueError(f"kind must be one of {KINDS}, not {kind!r}")


def _error_terms(
    derivative: int, offsets: Sequence[Fraction], weights: Sequence[Fraction], count: int = 1
) -> list[tuple[int, Fraction]]:
    """First ``count`` nonzero Taylor moments beyond d: (k, Σ w s^k / k!)."""
    out: list[tuple[int, Fraction]] = []
    k = derivative + 1
    limit = len(offsets) + derivative + 4 * count + 8
    while len(out) < count and k <= limit:
        moment = sum((w * s**k for w, s in zip(weights, offsets, strict=True)), Fraction(0))
        moment /= math.factorial(k)
        if moment != 0:
            out.append((k, moment))
        k += 1
    return out


@lru_cache(maxsize=256)
def stencil(derivative: int, accuracy: int, kind: str = "central") -> Stencil:
    """The standard stencil for the ``derivative``-th derivative with error O(h^accuracy).

    Parameters
    ----------
    derivative : int
        d >= 1.
    accuracy : int
        Truncation order asked for, >= 1 (central stencils: even).
    kind : {"forward", "backward", "central"}
        Forward uses offsets 0, 1, ..., d+accuracy-1; backward their negatives;
        central the symmetric -q..q with the fewest points reaching the accuracy.

    Returns
    -------
    Stencil

    Raises
    ------
    ValueError
        With a message saying what to change (odd central accuracy, d < 1, ...).

    Examples
    --------
    >>> stencil(2, 2, "central").weights
    (Fraction(1, 1), Fraction(-2, 1), Fraction(1, 1))
    """
    if not isinstance(derivative, int | np.integer) or not 1 <= derivative <= MAX_DERIVATIVE:
        raise ValueError(f"derivative order must be an integer from 1 to {MAX_DERIVATIVE}")
    if not isinstance(accuracy, int | np.integer) or not 1 <= accuracy <= MAX_ACCURACY:
        raise ValueError(f"accuracy must be an integer from 1 to {MAX_ACCURACY}")
    offs = _offsets(int(derivative), int(accuracy), kind)
    st = stencil_from_offsets(offs, int(derivative))
    return Stencil(
        derivative=st.derivative,
        offsets=st.offsets,
        weights=st.weights,
        order=st.order,
        error_constant=st.error_constant,
        kind=kind,
        accuracy=int(accuracy),
    )


def stencil_from_offsets(offsets: Sequence[int | Fraction], derivative: int) -> Stencil:
    """The stencil through arbitrary distinct ``offsets`` (units of h) for ``derivative``.

    Raises
    ------
    ValueError
        If there are not more points than the derivative order, or offsets repeat.
    """
    offs = tuple(Fraction(s) for s in offsets)
    if derivative < 1:
        raise ValueError("derivative order must be >= 1")
    if len(offs) <= derivative:
        raise ValueError(
            f"the {derivative}-th derivative needs at least {derivative + 1} points, "
            f"got {len(offs)}"
        )
    weights = tuple(fornberg(offs, derivative)[derivative])
    terms = _error_terms(derivative, offs, weights)
    if not terms:  # pragma: no cover - a nonzero stencil always has a nonzero moment
        raise ValueError("could not find the stencil's error term")
    k, c = terms[0]
    return Stencil(derivative, offs, weights, k - derivative, c, "custom", k - derivative)


# ---------------------------------------------------------------------------
# Evaluation
# ---------------------------------------------------------------------------


def apply(st: Stencil, f: Callable[[np.ndarray], np.ndarray], x: Any, h: Any) -> np.ndarray:
    """Apply a stencil at many points and many steps at once.

    Parameters
    ----------
    st : Stencil
    f : callable
        Vectorised function of one array (e.g. ``Formula.numpy``).
    x, h : array_like
        Points and steps (h > 0). Every x is combined with every h.

    Returns
    -------
    numpy.ndarray
        Shape ``x.shape + h.shape``: ``out[i, j]`` estimates ``f^(d)(x[i])`` with step ``h[j]``.
    """
    x = np.asarray(x, dtype=float)
    h = _check_steps(h)
    pts = x[(...,) + (None,) * (h.ndim + 1)] + h[..., None] * st.float_offsets
    with np.errstate(all="ignore"):
        values = np.asarray(f(pts), dtype=float)
        return (values @ st.float_weights) / h**st.derivative


def complex_step(f: Callable[[np.ndarray], np.ndarray], x: Any, h: Any) -> np.ndarray:
    """Complex-step first derivative ``Im f(x + i h) / h`` (every x with every h).

    No subtraction, hence no cancellation: accurate to machine precision for tiny
    h, for any f that is analytic and real on the real axis.
    """
    x = np.asarray(x, dtype=float)
    h = _check_steps(h)
    z = x[(...,) + (None,) * h.ndim] + 1j * h
    with np.errstate(all="ignore"):
        return np.imag(np.asarray(f(z), dtype=complex)) / h


def _check_steps(h: Any) -> np.ndarray:
    h = np.asarray(h, dtype=float)
    if h.size == 0 or not np.all(np.isfinite(h)) or np.any(h <= 0):
        raise ValueError("every step h must be a finite number > 0")
    return h


def autodiff_derivative(formula: Formula, x0: float, derivative: int = 1) -> float:
    """The derivative of ``formula`` at ``x0`` by torch autograd in float64 (repeated grad)."""
    from nnkit._torch import torch

    x = torch.tensor(float(x0), dtype=torch.float64, requires_grad=True)
    y = formula.torch(x)
    for k in range(derivative):
        if not y.requires_grad:  # the derivative became a constant
            return 0.0
        (y,) = torch.autograd.grad(y, x, create_graph=k < derivative - 1)
    return float(y.detach())


def engine_derivative(formula: Formula, x0: float) -> tuple[float, str]:
    """f'(x0) by nnkit's own scalar reverse-mode engine (:mod:`nnkit.autodiff`).

    Returns
    -------
    (value, reason) : tuple
        ``reason`` is empty on success, else why the engine cannot do this formula
        (a function it has no node for); ``value`` is then ``nan``.
    """
    from nnkit.autodiff import UnsupportedOperation, graph_from_formula

    try:
        graph = graph_from_formula(formula, {formula.variables[0]: float(x0)})
    except UnsupportedOperation as err:
        return math.nan, str(err)
    graph.output.backward()
    return float(graph.inputs[formula.variables[0]].grad), ""


# ---------------------------------------------------------------------------
# Error model: optimal step, fitted order, measured minimum
# ---------------------------------------------------------------------------


def optimal_step(
    st: Stencil,
    m: float,
    f_scale: float,
    eps: float = EPS,
    order: int | None = None,
    constant: Fraction | None = None,
) -> tuple[float, float]:
    """Theoretical optimal step h* and minimum error E* of a stencil.

    Minimises ``E(h) = |C|·m·h^p + S·eps·f_scale / h^d``.

    Parameters
    ----------
    st : Stencil
    m : float
        ``|f^(d+p)(x)|``, the size of the derivative in the truncation term.
    f_scale : float
        Size of the rounding in each sample, in units of eps (|f| near x).
    eps : float
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
    h: np.ndarray,
    error: np.ndarray,
    roundoff: np.ndarray,
    margin: float = 100.0,
    decades: float = 1.5,
) -> float:
    """Empirical order: slope of log|error| vs log h in the truncation regime.

    The regime starts at the smallest h where the error exceeds ``margin`` times
    the round-off estimate (rounding then moves log10|error| by < 0.005) and spans
    ``decades`` decades of h from there: small enough h for the leading Taylor term
    to dominate, large enough for rounding not to matter. Returns ``nan`` with
    fewer than 4 such points (e.g. the stencil is exact for this f).
    """
    h = np.asarray(h, float)
    error = np.asarray(error, float)
    roundoff = np.asarray(roundoff, float)
    ok = np.isfinite(error) & (error > 0) & (error > margin * roundoff)
    if ok.sum() < 4:
        return math.nan
    h_lo = h[ok].min()
    ok &= h <= h_lo * 10**decades
    if ok.sum() < 4:
        return math.nan
    slope, _ = np.polyfit(np.log10(h[ok]), np.log10(error[ok]), 1)
    return float(slope)


class Bottom(NamedTuple):
    """The measured bottom of the V (see :func:`measured_minimum`)."""

    h: float  #: step where the smoothed error is smallest
    error: float  #: the smoothed error there
    h_lo: float  #: smallest step where the smoothed error is within ``factor`` of it
    h_hi: float  #: largest such step


def measured_minimum(
    h: np.ndarray, error: np.ndarray, window: int = 15, factor: float = 3.0
) -> Bottom:
    """Bottom of the measured V, and the region of h around it.

    Near the bottom the error is the truncation term plus a rounding term that
    looks random from one h to the next, so at single steps the two can cancel by
    luck. The error one should expect is the mean of |error| over ``window``
    neighbouring steps (about 1.2 decades of h on the default 200-step grid); the
    bottom is where that mean is smallest, and the region is the contiguous range
    of h where it stays within ``factor`` of the bottom.

    Returns
    -------
    Bottom
        ``(h, error, h_lo, h_hi)``; all ``nan`` if no finite error.
    """
    h = np.asarray(h, float)
    error = np.asarray(error, float)
    ok = np.isfinite(error)
    h, error = h[ok], error[ok]
    if h.size == 0:
        return Bottom(math.nan, math.nan, math.nan, math.nan)
    order = np.argsort(h)
    h, error = h[order], error[order]
    window = max(1, min(window, h.size))
    # Direct window sums (a running sum would lose the small values next to 1e16 ones).
    smooth = np.lib.stride_tricks.sliding_window_view(error, window).mean(axis=1)
    centres = h[window // 2 : window // 2 + smooth.size]
    k = int(np.argmin(smooth))
    best = smooth[k]
    lo = hi = k
    while lo > 0 and smooth[lo - 1] <= factor * best:
        lo -= 1
    while hi < smooth.size - 1 and smooth[hi + 1] <= factor * best:
        hi += 1
    return Bottom(float(centres[k]), float(best), float(centres[lo]), float(centres[hi]))


# ---------------------------------------------------------------------------
# The sweep the page shows
# ---------------------------------------------------------------------------


@dataclass
class Sweep:
    """Result of :func:`error_sweep`.

    Attributes
    ----------
    data : pandas.DataFrame
        Tidy, one row per (method, h): ``method`` (the scheme's label, "complex step"
        or "autodiff (torch)"), ``family`` ("finite difference" / "complex step" /
        "autodiff"), ``h``, ``estimate``, ``error`` (absolute, vs the exact value),
        ``truncation`` and ``roundoff`` (the model's two terms; NaN where not modelled).
    summary : pandas.DataFrame
        One row per method: ``method, order`` (the stencil's p), ``order_here`` (the
        order at this x0: higher when f^(d+p)(x0) = 0), ``fitted_order``, ``h_star,
        e_star`` (theory),
        ``h_best, e_best, h_lo, h_hi`` (measured bottom, see :func:`measured_minimum`),
        ``C, S`` (exact, as text), ``points`` (samples of f), and the model's
        coefficients ``A = |C|·M`` and ``B = S·ε·F``: ``E(h) = A·h^p + B/h^d``.
    exact : float
        The exact derivative (sympy, evaluated with 30 digits).
    f0 : float
        f(x0).
    derivative : int
    x0 : float
    stencils : dict
        label -> Stencil.
    notes : list of str
        Why a method was left out, or where samples left the domain.
    smooth : bool
        False when f has no Taylor expansion to the order the error model needs at
        x0 (a kink such as abs at 0): no theory lines, h*, E* nor fitted orders then.
    overflow : bool
        True when f is not "smooth" only because a needed derivative overflows double
        precision at x0 (log at 1e-300), not because of a kink.
    """

    data: pd.DataFrame
    summary: pd.DataFrame
    exact: float
    f0: float
    derivative: int
    x0: float
    stencils: dict[str, Stencil]
    notes: list[str] = field(default_factory=list)
    smooth: bool = True
    overflow: bool = False


def default_steps(n: int = 200, lo: float = 1e-16, hi: float = 1.0) -> np.ndarray:
    """``n`` log-spaced steps from ``lo`` to ``hi``."""
    return np.logspace(math.log10(lo), math.log10(hi), n)


def _value_at(expr: sympy.Expr, sym: sympy.Symbol, x0: float) -> complex:
    """expr at the exact binary x0, to 30 certified digits.

    ``evalf(subs=...)`` alone returns rounding noise when terms cancel to 0 (asin' at
    1: 1/sqrt(1 − x²) came out as 1.8e75 instead of a pole): ``strict=True`` makes it
    say so, and the point is then substituted exactly before evaluating.
    """
    from sympy.core.evalf import PrecisionExhausted

    point = sympy.Rational(x0)
    try:
        value = expr.evalf(30, subs={sym: point}, strict=True)
    except PrecisionExhausted:
        value = expr.subs(sym, point).evalf(30)
    return complex(value)


def taylor_derivatives(formula: Formula, x0: float, n: int, dps: int = 30) -> list[complex]:
    """``f^(k)(x0)`` for k = 0..n by Taylor-mode arithmetic, with ``dps`` digits.

    Propagates truncated Taylor series through the expression tree (Cauchy products,
    the usual recurrences for exp, log, powers, sin/cos ...) in mpmath arithmetic:
    O(n²) per node, where differentiating the formula n times with sympy grows
    exponentially (the 14th derivative of tanh has ~13,000 operations).

    The working precision adapts: ``dps`` digits are a start, and the evaluation is
    repeated with twice as many digits until two runs agree to 1e-12 in every
    coefficient (at most ``MAX_TAYLOR_DPS`` digits). Cancellation needs it: tanh'(30) =
    1 − tanh(30)² ≈ 3.5e-26 comes out as 0 with 20 digits.

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


MAX_TAYLOR_DPS = 320
"""Most digits ``taylor_derivatives`` uses before it returns what it has."""


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


def _taylor(e: sympy.Expr, sym: sympy.Symbol, x0: Any, n: int) -> list[Any]:
    import mpmath

    zero = mpmath.mpf(0)

    def const(v: Any) -> list[Any]:
        return [v] + [zero] * (n - 1)

    def mul(a: list[Any], b: list[Any]) -> list[Any]:
        return [mpmath.fsum(a[i] * b[k - i] for i in range(k + 1)) for k in range(n)]

    def recip(b: list[Any]) -> list[Any]:
        if b[0] == 0:
            raise ZeroDivisionError("pole")
        q = [1 / b[0]]
        for k in range(1, n):
            q.append(-mpmath.fsum(b[i] * q[k - i] for i in range(1, k + 1)) / b[0])
        return q

    def integrate(a: list[Any], h: list[Any], g0: Any) -> list[Any]:
        # g = F(a) with F' = h(a):  k g_k = Σ_j j a_j h_{k-j}
        g = [g0]
        for k in range(1, n):
            g.append(mpmath.fsum(j * a[j] * h[k - j] for j in range(1, k + 1)) / k)
        return g

    def exp(a: list[Any]) -> list[Any]:
        out = [mpmath.exp(a[0])]
        for k in range(1, n):
            out.append(mpmath.fsum(j * a[j] * out[k - j] for j in range(1, k + 1)) / k)
        return out

    def log(a: list[Any]) -> list[Any]:
        if a[0] == 0:
            raise ZeroDivisionError("log at 0")
        return integrate(a, recip(a), mpmath.log(a[0]))

    def power(a: list[Any], r: Any) -> list[Any]:
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

    def sincos(a: list[Any], hyperbolic: bool) -> tuple[list[Any], list[Any]]:
        sgn = 1 if hyperbolic else -1
        s = [mpmath.sinh(a[0]) if hyperbolic else mpmath.sin(a[0])]
        c = [mpmath.cosh(a[0]) if hyperbolic else mpmath.cos(a[0])]
        for k in range(1, n):
            s.append(mpmath.fsum(j * a[j] * c[k - j] for j in range(1, k + 1)) / k)
            c.append(sgn * mpmath.fsum(j * a[j] * s[k - j] for j in range(1, k + 1)) / k)
        return s, c

    def one_plus(a: list[Any], sign: int, c: int = 1) -> list[Any]:
        # c + sign·a²
        sq = mul(a, a)
        return [c + sign * sq[0]] + [sign * v for v in sq[1:]]

    cache: dict[sympy.Expr, list[Any]] = {}

    def walk(node: sympy.Expr) -> list[Any]:
        if node in cache:
            return cache[node]
        if node == sym:
            out = [x0, mpmath.mpf(1)] + [zero] * (n - 2) if n > 1 else [x0]
        elif not node.free_symbols:
            out = const(mpmath.mpmathify(complex(node.evalf(mpmath.mp.dps)))
                        if not node.is_real else mpmath.mpf(node.evalf(mpmath.mp.dps)))
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


def _real_or_raise(value: complex, what: str, x0: float) -> float:
    re, im = value.real, value.imag
    if math.isnan(re) or math.isnan(im):
        raise DomainError(f"{what} is undefined at x0 = {x0:g} (outside the domain, or a pole)")
    if math.isinf(re) or math.isinf(im):
        raise DomainError(f"{what} is infinite or overflows double precision at x0 = {x0:g}")
    if abs(im) > 1e-12 * max(1.0, abs(re)):
        raise DomainError(
            f"{what} is not real at x0 = {x0:g} (outside the domain: e.g. log or sqrt "
            "of a negative number)"
        )
    return float(re)


def error_sweep(
    formula: Formula,
    x0: float,
    derivative: int = 1,
    stencils: Sequence[Stencil] | None = None,
    h: Any = None,
    complex_step_too: bool = True,
    autodiff_too: bool = True,
    engine_too: bool = False,
) -> Sweep:
    """Error of each stencil (and of complex step and autograd) over a grid of h.

    Parameters
    ----------
    formula : Formula
        f, from :func:`nnkit.expr.parse` (one variable).
    x0 : float
        Where the derivative is taken.
    derivative : int
        d; every stencil must approximate this derivative.
    stencils : sequence of Stencil, optional
        Default: the lecture's schemes (:data:`LECTURE_SCHEMES`) for this d.
    h : array_like, optional
        Steps, > 0. Default :func:`default_steps` (200 from 1e-16 to 1).
    complex_step_too, autodiff_too, engine_too : bool
        Add the complex-step derivative (d = 1 and analytic f only), torch
        autograd's derivative, and that of nnkit's own reverse-mode engine
        (:mod:`nnkit.autodiff`, d = 1 and the functions it has nodes for).

    Returns
    -------
    Sweep

    Raises
    ------
    DomainError
        If f or its exact derivative is not finite and real at x0.
    ValueError
        For h <= 0, a stencil of another derivative order, or a formula with
        more than one variable.
    """
    # Overflow to inf and nan outside the domain are results here (the page shows
    # them as gaps or notes), not warnings.
    with np.errstate(all="ignore"):
        return _error_sweep(
            formula, x0, derivative, stencils, h, complex_step_too, autodiff_too, engine_too
        )


def _error_sweep(
    formula: Formula,
    x0: float,
    derivative: int,
    stencils: Sequence[Stencil] | None,
    h: Any,
    complex_step_too: bool,
    autodiff_too: bool,
    engine_too: bool,
) -> Sweep:
    if len(formula.variables) != 1:
        raise ValueError("error_sweep takes a formula of one variable")
    if not math.isfinite(x0):
        raise ValueError("x0 must be a finite number")
    steps = default_steps() if h is None else _check_steps(h).ravel()
    if stencils is None:
        stencils = [stencil(derivative, a, k) for k, a in LECTURE_SCHEMES]
    for st in stencils:
        if st.derivative != derivative:
            raise ValueError(
                f"stencil {st.label} approximates derivative {st.derivative}, not {derivative}"
            )
    sym = formula.symbols[0]
    # Derivatives up to 6 orders past each stencil's leading term: if f^(d+p)(x0)
    # vanishes, the next non-zero error term sets the order here.
    top = max([derivative + st.order + 6 for st in stencils] + [3])
    taylor = taylor_derivatives(formula, x0, top, dps=20)
    f0 = _real_or_raise(
        taylor[0] if np.isfinite(taylor[0]) else _value_at(formula.sympy, sym, x0), "f(x)", x0
    )
    # The reference: sympy's exact derivative, evaluated with 30 digits.
    exact = _real_or_raise(
        _value_at(sympy.diff(formula.sympy, sym, derivative), sym, x0),
        f"the exact derivative of order {derivative}",
        x0,
    )
    # The model needs f^(d+p)(x0) for each stencil: Taylor mode, cheap at any order.
    higher = [abs(v) if np.isfinite(v) else math.nan for v in taylor]
    notes: list[str] = []
    fprime = higher[1] if math.isfinite(higher[1]) else 0.0
    smooth = all(math.isfinite(v) for v in higher)
    scale = taylor_scale(higher)
    overflow = not smooth and not any(cmath.isnan(v) for v in taylor)
    if not smooth:
        why = (
            f"a derivative up to order {top} overflows double precision there: f changes "
            "on a scale far below the plotted steps"
            if overflow
            else f"a kink, a jump or a singularity in a derivative up to order {top}"
        )
        notes.append(
            f"f is not smooth enough at x0 = {x0:g} ({why}): the Taylor-based error "
            "model (theory lines, h*, E*) is left out; the measured errors are still shown."
        )
    # Each sample f(x0 + s h) is off by about EPS·|f(x0)| (rounding the value) plus
    # EPS·|x0·f'(x0)| (rounding the abscissa x0 + s h before f sees it).
    f_scale = abs(f0) + abs(x0) * fprime

    frames = []
    rows = []
    labels: dict[str, Stencil] = {}
    offsets = sorted({s for st in stencils for s in st.offsets})
    index = {s: i for i, s in enumerate(offsets)}
    grid = x0 + np.array([float(s) for s in offsets])[:, None] * steps[None, :]
    samples = formula.numpy(grid)
    if np.iscomplexobj(samples):
        bad = np.abs(samples.imag) > 0
        samples = np.where(bad, np.nan, samples.real)
    for st in stencils:
        label = st.label
        if label in labels:
            label = f"{label} [{','.join(str(s) for s in st.offsets)}]"
        labels[label] = st
        rows_idx = [index[s] for s in st.offsets]
        est = (st.float_weights @ samples[rows_idx]) / steps**derivative
        err = np.abs(est - exact)
        k_lead, c_lead, mk = _leading_term(st, higher, scale)
        p_here = k_lead - derivative
        coef_trunc = abs(float(c_lead)) * mk
        coef_round = float(st.abs_sum) * EPS * f_scale
        trunc = coef_trunc * steps**p_here
        # The samples themselves are about f0 + f'(x0)·s·h: near a zero of f (with
        # x0 = 0) their rounding shrinks with h, which the constant F misses.
        smax = max(abs(float(s)) for s in st.offsets)
        slope_term = EPS * float(st.abs_sum) * fprime * smax
        roundoff = coef_round / steps**derivative + slope_term * steps ** (1 - derivative)
        h_star, e_star = optimal_step(st, mk, f_scale, order=p_here, constant=c_lead)
        fitted = fit_order(steps, err, roundoff) if smooth else math.nan
        bottom = measured_minimum(steps, err)
        n_nan = int(np.sum(~np.isfinite(est)))
        if n_nan:
            notes.append(
                f"{label}: {n_nan} of {steps.size} steps give a non-finite sample (outside "
                "the domain of f, or an overflow); those steps are left out."
            )
        frames.append(_block(label, "finite difference", steps, est, err, trunc, roundoff))
        rows.append(
            {
                "method": label,
                "order": st.order,
                "order_here": p_here,
                "fitted_order": fitted,
                "h_star": h_star,
                "e_star": e_star,
                "h_best": bottom.h,
                "e_best": bottom.error,
                "h_lo": bottom.h_lo,
                "h_hi": bottom.h_hi,
                "C": str(st.error_constant),
                "S": str(st.abs_sum),
                "points": st.n_points,
                "A": coef_trunc,
                "B": coef_round,
            }
        )

    if complex_step_too:
        if derivative != 1:
            notes.append("Complex step: shown for the first derivative only.")
        elif not formula.is_analytic:
            notes.append(
                "Complex step: left out, f uses abs/sign/min/max, which are not analytic "
                "(Im f(x+ih)/h would be wrong)."
            )
        else:
            est = complex_step(formula.numpy, x0, steps)
            err = np.abs(est - exact)
            trunc = higher[3] / 6 * steps**2
            frames.append(_block("complex step", "complex step", steps, est, err, trunc, np.nan))
            bottom = measured_minimum(steps, err)
            row = _flat_row("complex step", 2, bottom.h, bottom.error, points=1)
            row.update(A=higher[3] / 6, B=0.0)  # Im f(x+ih)/h = f' - h^2 f'''/6 + ...
            rows.append(row)
    if autodiff_too:
        value = autodiff_derivative(formula, x0, derivative)
        err = abs(value - exact) if math.isfinite(value) else math.nan
        frames.append(_block("autodiff (torch)", "autodiff", steps, value, err, np.nan, np.nan))
        rows.append(_flat_row("autodiff (torch)", math.nan, math.nan, err, points=0))
    if engine_too:
        if derivative != 1:
            notes.append("nnkit's autodiff engine: first derivative only (float gradients).")
        else:
            value, why = engine_derivative(formula, x0)
            if why:
                notes.append(f"nnkit's autodiff engine left out: {why}")
            else:
                err = abs(value - exact) if math.isfinite(value) else math.nan
                frames.append(
                    _block("autodiff (nnkit engine)", "autodiff", steps, value, err, np.nan, np.nan)
                )
                rows.append(_flat_row("autodiff (nnkit engine)", math.nan, math.nan, err, 0))

    # One DataFrame from plain arrays: building one per method costs more than the math.
    columns = ("method", "family", "h", "estimate", "error", "truncation", "roundoff")
    data = pd.DataFrame(
        {
            c: (np.concatenate([b[c] for b in frames]) if frames else np.array([]))
            for c in columns
        }
    )
    summary = pd.DataFrame(rows)
    return Sweep(
        data, summary, exact, f0, derivative, float(x0), labels, notes, smooth, overflow
    )


def taylor_scale(higher: Sequence[float]) -> float:
    """``min(1, r)``, r an estimate of the radius of convergence of f's Taylor series.

    ``higher[k] = |f^(k)(x0)|``. r is the median of ``(|a_j| / |a_k|)^(1/(k-j))`` over
    consecutive non-zero Taylor coefficients ``a_k = f^(k)(x0)/k!`` (k ≥ 1): about
    ``x0`` for sqrt or log near 0, and 1 or more for sin, exp or a polynomial.
    Error terms ``C_k f^(k) h^k`` are compared at this h: at h = 1 the higher terms of
    sqrt(x) at x0 = 1e-3 look 10⁶ times larger than the leading one, yet they never
    lead at the small steps where the error is measured.
    """
    coef = [
        (k, v / math.factorial(k))
        for k, v in enumerate(higher)
        if k >= 1 and math.isfinite(v) and v > 0
    ]
    ratios = []
    for (j, aj), (k, ak) in zip(coef, coef[1:], strict=False):
        with np.errstate(all="ignore"):
            r = (aj / ak) ** (1.0 / (k - j))
        if math.isfinite(r) and r > 0:
            ratios.append(r)
    if not ratios:
        return 1.0
    return float(min(1.0, np.median(ratios)))


def _leading_term(
    st: Stencil, higher: Sequence[float], scale: float = 1.0
) -> tuple[int, Fraction, float]:
    """(k, C_k, |f^(k)(x0)|) of the first error term that does not vanish at x0.

    A term vanishes when ``|C_k f^(k)(x0)| scale^k`` is below 1e-13 of the largest
    of the next ones (``scale`` from :func:`taylor_scale`). Falls back to the
    stencil's own leading term when every candidate vanishes (the stencil is exact
    for f) or f is not smooth (nan derivatives).
    """
    terms = [(k, c) for k, c in _error_terms(st.derivative, st.offsets, st.weights, 4)]
    terms = [(k, c) for k, c in terms if k < len(higher)]
    sizes = [abs(float(c)) * higher[k] * scale**k for k, c in terms]
    if terms and all(math.isfinite(v) for v in sizes) and max(sizes) > 0:
        cutoff = 1e-13 * max(sizes)
        for (k, c), v in zip(terms, sizes, strict=True):
            if v > cutoff:
                return k, c, higher[k]
    k = st.derivative + st.order
    return k, st.error_constant, higher[k] if k < len(higher) else math.nan


def _block(method: str, family: str, h: np.ndarray, *values: Any) -> dict[str, np.ndarray]:
    n = h.size
    names = ("estimate", "error", "truncation", "roundoff")
    out = {"method": np.full(n, method, dtype=object), "family": np.full(n, family, dtype=object)}
    out["h"] = h
    for name, v in zip(names, values, strict=True):
        out[name] = np.broadcast_to(np.asarray(v, dtype=float), (n,))
    return out


def _flat_row(method: str, order: float, h_best: float, e_best: float, points: int) -> dict:
    return {
        "method": method,
        "order": order,
        "order_here": order,
        "fitted_order": math.nan,
        "h_star": math.nan,
        "e_star": math.nan,
        "h_best": h_best,
        "e_best": e_best,
        "h_lo": math.nan,
        "h_hi": math.nan,
        "C": "",
        "S": "",
        "points": points,
        "A": math.nan,
        "B": math.nan,
    }


def estimates_at(sweep: Sweep, formula: Formula, h: float) -> pd.DataFrame:
    """Each stencil of ``sweep`` (and complex step) at one step ``h``, beside the exact value.

    Returns
    -------
    pandas.DataFrame
        ``method, estimate, exact, error, model`` where ``model`` is the predicted
        error ``|C|·M·h^p + S·ε·F/h^d`` (a bound on the round-off part), and
        ``|f'''(x0)|·h²/6`` for the complex step.

    Raises
    ------
    ValueError
        If ``h`` is not a finite number > 0.
    """
    with np.errstate(all="ignore"):  # a huge h overflows: inf is the answer there
        return _estimates_at(sweep, formula, h)


def _estimates_at(sweep: Sweep, formula: Formula, h: float) -> pd.DataFrame:
    step = _check_steps([h])
    # numpy powers: h = 1e300 gives an inf model error, not Python's OverflowError.
    hf = np.float64(step[0])
    rows = []
    for label, st in sweep.stencils.items():
        est = float(apply(st, formula.numpy, sweep.x0, step)[0])
        row = sweep.summary.set_index("method").loc[label]
        rows.append(
            {
                "method": label,
                "estimate": est,
                "exact": sweep.exact,
                "error": abs(est - sweep.exact),
                "model": row.A * hf**st.order + row.B / hf**st.derivative,
            }
        )
    if (sweep.data.method == "complex step").any():
        est = float(complex_step(formula.numpy, sweep.x0, step)[0])
        rows.append(
            {
                "method": "complex step",
                "estimate": est,
                "exact": sweep.exact,
                "error": abs(est - sweep.exact),
                "model": sweep.summary.set_index("method").loc["complex step", "A"] * hf**2,
            }
        )
    return pd.DataFrame(rows)


def what_you_see(sweep: Sweep) -> list[str]:
    """Sentences describing the sweep's result, computed from it (for the page's note)."""
    out = []
    fd = sweep.summary[sweep.summary.method.isin(list(sweep.stencils))]
    if not sweep.smooth:
        out.append(
            "f's derivatives overflow double precision at this point (f changes on a "
            "scale far below any plotted h), so the Taylor argument behind every formula "
            "fails here: no step in range resolves f's variation, and the error need not "
            "shrink like h^p."
            if sweep.overflow
            else "f is not smooth at this point, so the Taylor argument behind every "
            "formula fails: the error need not shrink like h^p (one-sided formulas "
            "approach a one-sided slope, not the derivative sympy reports)."
        )
        fd = fd.iloc[0:0]
    fitted = fd.dropna(subset=["fitted_order"])
    if not fitted.empty:
        parts = [
            f"{r.method}: slope {r.fitted_order:.2f} (theory {int(r.order_here)}"
            + (
                f", not {int(r.order)}: f's derivative in the O(h^{int(r.order)}) term is 0 "
                "at this x₀)"
                if r.order_here != r.order
                else ")"
            )
            for r in fitted.itertuples()
        ]
        out.append("On the right of the V the error falls as h^p: " + "; ".join(parts) + ".")
        off = fitted[(fitted.fitted_order - fitted.order_here).abs() > 0.3]
        if not off.empty:
            out.append(
                f"{', '.join(off.method)}: the fitted slope is off the theory because the "
                "window where the leading Taylor term alone sets the error is narrow here: "
                "rounding is still felt at small h and the next Taylor terms at large h "
                "(typical of high orders and high derivatives)."
            )
    exact = fd[fd.fitted_order.isna() & fd.h_star.isna()]
    if not exact.empty:
        names = ", ".join(exact.method)
        out.append(
            f"{names}: no truncation error for this f at this point (the Taylor term "
            "the stencil neglects vanishes, e.g. a low-degree polynomial), so only "
            "round-off is left and the error grows as h shrinks."
        )
    valid = fd.dropna(subset=["e_best"])
    if not valid.empty:
        best = valid.loc[valid.e_best.idxmin()]
        star = (
            f"; theory: h* = {best.h_star:.1e}, E* = {best.e_star:.1e}"
            if math.isfinite(best.h_star)
            else ""
        )
        h_top = float(sweep.data.h.max()) if not sweep.data.empty else math.nan
        if math.isfinite(best.h_star) and best.h_star > h_top:
            tail = f". That h* lies beyond the largest plotted step ({h_top:.0e})"
            if best.h_star > 1 and best.e_best >= 0.1 * abs(sweep.exact):
                # tanh at 30, sin at 1e17: x0 + h rounds back to x0 or f barely moves.
                tail += (
                    ": no small step recovers this derivative in double precision (x₀ + h "
                    "rounds to x₀, or f barely changes), so even the best error is "
                    f"{best.e_best / abs(sweep.exact):.0%} of |exact|."
                    if sweep.exact
                    else "."
                )
            else:
                tail += ": widen the h range to see the bottom of the V."
        elif math.isfinite(best.h_star):
            tail = ". Going below that h only adds round-off."
            ratio = best.e_best / best.e_star if best.e_star > 0 else math.nan
            if math.isfinite(ratio) and ratio > 5:
                # d = 6, accuracy 10: the bottom sits at h ~ 0.05, where the Taylor terms
                # after the leading one are not small; the one-term model is too optimistic.
                tail += (
                    f" The measured bottom is {ratio:.0f}× above E*: near h* the Taylor "
                    "terms after the leading one are not negligible (common for high "
                    "derivatives and orders), so the one-term model is too optimistic there."
                )
        elif sweep.f0 == 0 and sweep.x0 == 0:
            tail = (
                ". There is no round-off wall here: f(x₀) = 0 at x₀ = 0, so every sample "
                "is rounded relative to its own small size."
            )
        else:
            tail = "."
        size = "0 (exact in double precision)" if best.e_best == 0 else f"{best.e_best:.1e}"
        out.append(
            f"The most accurate finite difference here is {best.method}: about "
            f"{size} at h ≈ {best.h_best:.1e}{star}{tail}"
        )
    flat = sweep.summary[~sweep.summary.method.isin(list(sweep.stencils))]
    for r in flat.itertuples():
        if r.method == "complex step" and math.isfinite(r.e_best):
            tiny = sweep.data[(sweep.data.method == "complex step") & (sweep.data.h <= 1e-8)]
            worst = float(tiny.error.max()) if not tiny.empty else math.nan
            rel = worst / abs(sweep.exact) if sweep.exact else math.nan
            text = (
                f"The complex step has no subtraction, so no round-off wall: for every "
                f"h ≤ 1e-8 its error is at most {worst:.1e}"
                + (f" ({rel:.1e} relative)." if math.isfinite(rel) else ".")
            )
            if math.isfinite(rel) and rel > 1e-6:
                # sqrt at 1e-10: h = 1e-8 is far from small next to x0's own scale.
                first = tiny.loc[tiny.h.idxmin()]
                text += (
                    " That worst case is truncation, not round-off: h = 1e-8 is not small "
                    "on the scale where f changes near this x₀; at h = "
                    f"{first.h:.1e} the error is {first.error:.1e}."
                )
            out.append(text)
        if r.method.startswith("autodiff") and math.isfinite(r.e_best):
            out.append(
                f"{r.method}: no h at all, the chain rule on exact local derivatives; "
                f"error {r.e_best:.1e}."
            )
    return out
