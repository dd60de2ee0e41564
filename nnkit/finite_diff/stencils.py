"""Finite-difference stencils as data: offsets, exact weights, order, error constant.

A stencil approximates the d-th derivative from samples at ``x + s_j h``::

    f^(d)(x) ≈ (1 / h^d) · Σ_j w_j f(x + s_j h)

:func:`stencil` computes the weights ``w_j`` with Fornberg's algorithm in exact
rational arithmetic (``fractions.Fraction``), so the textbook formulas come out
exactly: ``stencil(1, 2, "central")`` is ``[-1/2, 0, 1/2]``, i.e.
``[f(x+h) - f(x-h)] / (2h)``. Expanding each ``f(x + s h)`` in a Taylor series
gives the stencil's error ``C · h^p · f^(d+p)(x) + O(h^(p+1))`` with ``p`` its order
and ``C`` its leading error constant, both exact. :func:`apply` evaluates a
stencil at many points and steps at once.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from fractions import Fraction
from functools import cached_property, lru_cache

import numpy as np
import numpy.typing as npt
import pandas as pd

__all__ = [
    "KINDS",
    "LECTURE_SCHEMES",
    "MAX_ACCURACY",
    "MAX_DERIVATIVE",
    "Stencil",
    "apply",
    "derivative_notation",
    "fornberg",
    "scheme_labels",
    "stencil",
    "stencil_from_offsets",
    "stencils_for",
    "check_steps",
]

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
        """Write the weights over their smallest common denominator.

        Returns
        -------
        (L, numerators) : tuple
            ``w_j = n_j / L`` with the smallest such integer L.
        """
        lcm = 1
        for w in self.weights:
            lcm = lcm * w.denominator // math.gcd(lcm, w.denominator)
        return lcm, tuple(int(w * lcm) for w in self.weights)

    def terms(self) -> list[tuple[int, Fraction]]:
        """List the nonzero (integer numerator, offset) pairs in the lecture's order.

        Forward stencils list offsets ascending, central and backward descending
        (as the lecture writes ``f(x+h) - f(x-h)`` and ``3f(x) - 4f(x-h) + f(x-2h)``).

        Returns
        -------
        list of (int, Fraction)
            Numerators over :meth:`common_denominator`'s L, with their offsets.
        """
        _, nums = self.common_denominator()
        pairs = [(n, s) for n, s in zip(nums, self.offsets, strict=True) if n != 0]
        descending = self.kind in ("central", "backward") or (
            self.kind == "custom" and all(s <= 0 for _, s in pairs)
        )
        return sorted(pairs, key=lambda t: -t[1] if descending else t[1])

    def error_terms(self, count: int = 1) -> list[tuple[int, Fraction]]:
        """Find the first ``count`` Taylor terms the stencil does not cancel.

        Parameters
        ----------
        count : int, default 1
            How many terms.

        Returns
        -------
        list of (k, C_k)
            The error is ``Σ C_k h^(k-d) f^(k)(x)``; ``C_k = Σ_j w_j s_j^k / k!``.
        """
        return _error_terms(self.derivative, self.offsets, self.weights, count)

    def latex(self, f: str = "f", x: str = "x", h: str = "h") -> str:
        r"""Write the formula in LaTeX, e.g. ``f'(x) \approx \frac{f(x+h) - f(x-h)}{2h}``.

        Parameters
        ----------
        f, x, h : str
            The names of the function, the point and the step.

        Returns
        -------
        str
            LaTeX, without ``$``.
        """
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
        lhs = f"{f}{derivative_notation(self.derivative)}({x})"
        return f"{lhs} \\approx \\frac{{{numerator}}}{{{den}}}"

    def error_latex(self, f: str = "f", x: str = "x", h: str = "h") -> str:
        r"""Write the leading error term in LaTeX, e.g. ``+\tfrac{1}{6}\,h^{2}\,f'''(x)``.

        Parameters
        ----------
        f, x, h : str
            The names of the function, the point and the step.

        Returns
        -------
        str
            LaTeX with its sign in front.
        """
        c = self.error_constant
        k = self.derivative + self.order
        fk = f"{f}{derivative_notation(k)}({x})"
        sign = "-" if c < 0 else "+"
        frac = (
            str(abs(c.numerator))
            if c.denominator == 1
            else f"\\tfrac{{{abs(c.numerator)}}}{{{c.denominator}}}"
        )
        hp = h if self.order == 1 else f"{h}^{{{self.order}}}"
        return f"{sign}{frac}\\,{hp}\\,{fk}"

    def table(self) -> pd.DataFrame:
        """Tabulate the samples: offset, exact weight, float weight.

        Returns
        -------
        pandas.DataFrame
            One row per sample: ``s`` (offset), exact ``weight`` (text), ``float``.
        """
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
    mult = (
        ""
        if a == 1
        else (
            str(a.numerator)
            if a.denominator == 1
            else f"\\tfrac{{{a.numerator}}}{{{a.denominator}}}"
        )
    )
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
    """Build the standard stencil for the ``derivative``-th derivative with error O(h^accuracy).

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
        Exact weights, order and error constant.

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
    """Build the stencil through arbitrary distinct ``offsets`` (units of h).

    Parameters
    ----------
    offsets : sequence of int or Fraction
        Distinct sample points, in units of h.
    derivative : int
        Which derivative, >= 1.

    Returns
    -------
    Stencil
        Of kind ``"custom"``; its accuracy is the order it reaches.

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


def apply(
    st: Stencil, f: Callable[[np.ndarray], np.ndarray], x: npt.ArrayLike, h: npt.ArrayLike
) -> np.ndarray:
    """Apply a stencil at many points and many steps at once.

    Parameters
    ----------
    st : Stencil
        The formula.
    f : callable
        Vectorised function of one array (e.g. ``Formula.numpy``).
    x, h : array_like
        Points and steps (h > 0). Every x is combined with every h.

    Returns
    -------
    numpy.ndarray
        Shape ``x.shape + h.shape``: ``out[i, j]`` estimates ``f^(d)(x[i])`` with step ``h[j]``.
    """
    xs = np.asarray(x, dtype=float)
    hs = check_steps(h)
    pts = xs[(...,) + (None,) * (hs.ndim + 1)] + hs[..., None] * st.float_offsets
    with np.errstate(all="ignore"):
        values = np.asarray(f(pts), dtype=float)
        return (values @ st.float_weights) / hs**st.derivative


def check_steps(h: npt.ArrayLike) -> np.ndarray:
    """Check steps ``h``: finite, > 0, at least one.

    Parameters
    ----------
    h : array_like
        Steps.

    Returns
    -------
    numpy.ndarray
        As float64.

    Raises
    ------
    ValueError
        If a step is not a finite number > 0, or there is none.
    """
    steps = np.asarray(h, dtype=float)
    if steps.size == 0 or not np.all(np.isfinite(steps)) or np.any(steps <= 0):
        raise ValueError("every step h must be a finite number > 0")
    return steps


# ---------------------------------------------------------------------------
# Naming schemes and derivatives as the lecture writes them
# ---------------------------------------------------------------------------


def derivative_notation(d: int, *, unicode: bool = False) -> str:
    """Mark the d-th derivative: primes up to the third, else the order in brackets.

    Parameters
    ----------
    d : int
        Derivative order, >= 0.
    unicode : bool, default False
        False: LaTeX (three ``'`` for d = 3, ``^{(4)}``); True: plain text (three
        ``′``, ``^(4)``).

    Returns
    -------
    str
        What follows ``f`` in ``f'(x)``.
    """
    if d <= 3:
        return ("′" if unicode else "'") * d
    return f"^({d})" if unicode else f"^{{({d})}}"


def stencils_for(derivative: int, schemes: Sequence[tuple[str, int]]) -> list[Stencil]:
    """Build the stencils of the given schemes for one derivative.

    Parameters
    ----------
    derivative : int
        d >= 1.
    schemes : sequence of (kind, accuracy)
        E.g. :data:`LECTURE_SCHEMES`.

    Returns
    -------
    list of Stencil
        One per scheme, in order.

    Raises
    ------
    ValueError
        As :func:`stencil`.
    """
    return [stencil(derivative, accuracy, kind) for kind, accuracy in schemes]


def scheme_labels(derivative: int = 1) -> dict[str, tuple[str, int]]:
    """Name the lecture's schemes by their label (``"central O(h²)"``).

    Parameters
    ----------
    derivative : int, default 1
        The labels carry each stencil's order for this derivative.

    Returns
    -------
    dict
        :attr:`Stencil.label` -> ``(kind, accuracy)``, in :data:`LECTURE_SCHEMES` order.
    """
    return {stencil(derivative, a, k).label: (k, a) for k, a in LECTURE_SCHEMES}
