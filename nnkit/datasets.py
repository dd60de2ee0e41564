"""Test functions and toy data sets used across the course (all seeded).

Several pages share these: the Rastrigin exercise (MLP, symbolic distillation), the
2-D toy classification sets (perceptron, XOR), 1-D targets (universal approximation).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

RASTRIGIN_DOMAIN = (-5.12, 5.12)


def rastrigin(x: np.ndarray, y: np.ndarray, a: float = 10.0) -> np.ndarray:
    """The 2-D Rastrigin function of the lecture's exercise 1.

    f(x, y) = 2a + (x² − a cos 2πx) + (y² − a cos 2πy); with a = 10 this is
    20 + (x² − 10 cos 2πx) + (y² − 10 cos 2πy), minimum 0 at the origin.

    Parameters
    ----------
    x, y : array_like
        Coordinates (broadcast together).
    a : float, default 10
        Amplitude of the cosine bumps.

    Returns
    -------
    numpy.ndarray
        f(x, y), same shape as the broadcast inputs.
    """
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    return 2 * a + (x**2 - a * np.cos(2 * np.pi * x)) + (y**2 - a * np.cos(2 * np.pi * y))


# ---------------------------------------------------------------------------
# 1-D target functions (function fitting, universal approximation)
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Target1D:
    """A 1-D function to fit: ``fn`` (numpy, vectorised) on its training ``domain``.

    Attributes
    ----------
    name : str
        Registry key.
    label : str
        Menu label.
    formula : str
        The function in the syntax of :mod:`nnkit.expr`.
    fn : callable
        ``fn(x) -> ndarray``, vectorised over a float array.
    domain : (float, float)
        The interval the networks are trained on.
    description : str
        One sentence: what makes it easy or hard to fit.
    """

    name: str
    label: str
    formula: str
    fn: Callable[[np.ndarray], np.ndarray] = field(repr=False)
    domain: tuple[float, float]
    description: str

    def __call__(self, x: np.ndarray) -> np.ndarray:
        """The target at ``x`` (array_like, read as floats); same shape as ``x``."""
        return self.fn(np.asarray(x, dtype=float))


def _step(x: np.ndarray) -> np.ndarray:
    return (x >= 0).astype(float)


TARGETS_1D: dict[str, Target1D] = {
    t.name: t
    for t in [
        Target1D("sine", "sin(2πx)", "sin(2*pi*x)", lambda x: np.sin(2 * np.pi * x), (-1.0, 1.0),
                 "One period of a sine each unit: smooth, easy for any network."),
        Target1D("rastrigin_1d", "Rastrigin 1-D", "10 + x^2 - 10*cos(2*pi*x)",
                 lambda x: 10 + x**2 - 10 * np.cos(2 * np.pi * x), RASTRIGIN_DOMAIN,
                 "A slice of exercise 1: a parabola with ten bumps, hard for plain MLPs."),
        Target1D("abs", "|x|", "abs(x)", np.abs, (-1.0, 1.0),
                 "A kink at 0: exactly two ReLUs, many sigmoids."),
        Target1D("step", "step H(x)", "heaviside(x)", _step, (-1.0, 1.0),
                 "A jump at 0: continuous networks can only approach it."),
        Target1D("runge", "Runge 1/(1+25x²)", "1/(1+25*x^2)",
                 lambda x: 1.0 / (1.0 + 25.0 * x**2), (-1.0, 1.0),
                 "A narrow bump; polynomials oscillate on it, networks need not."),
        Target1D("chirp", "chirp sin(x²)", "sin(x^2)", lambda x: np.sin(x**2), (-6.0, 6.0),
                 "Frequency grows with |x|: shows the spectral bias at the edges."),
    ]
}  # fmt: skip
"""1-D targets by name, for pages' menus (the universal-approximation sweep uses them)."""


# ---------------------------------------------------------------------------
# 2-D toy classification sets (perceptron, XOR, decision boundaries)
#
# Every maker returns ``(X, y)``: ``X`` float array of shape (n_samples, 2), ``y`` int
# array of shape (n_samples,) with labels in {0, 1}. Classes are balanced: class 0 gets
# n_samples // 2 points, class 1 the rest. ``noise`` is the standard deviation of an
# isotropic Gaussian jitter added to every point (0 ≤ noise ≤ 1, in the units of the
# picture, whose features lie roughly in [-1.5, 1.5]). Same seed, same points.
# ---------------------------------------------------------------------------

NOISE_RANGE = (0.0, 1.0)
"""Allowed ``noise`` (standard deviation of the jitter) for the 2-D toy sets."""

LOGIC_GATES = {
    "and": (0, 0, 0, 1),
    "or": (0, 1, 1, 1),
    "xor": (0, 1, 1, 0),
    "nand": (1, 1, 1, 0),
    "nor": (1, 0, 0, 0),
}
"""Truth tables on the inputs (0,0), (0,1), (1,0), (1,1), in that order."""


def _check_toy_args(n_samples: int, noise: float, min_samples: int = 2) -> int:
    """Validate ``n_samples`` and ``noise``; return ``n_samples`` as int.

    Raises ValueError with a message that says what to change.
    """
    if isinstance(n_samples, bool) or not isinstance(n_samples, (int, np.integer)):
        if isinstance(n_samples, float) and float(n_samples).is_integer():
            n_samples = int(n_samples)
        else:
            raise ValueError(f"n_samples must be a whole number, got {n_samples!r}")
    n_samples = int(n_samples)
    if n_samples < min_samples:
        raise ValueError(
            f"n_samples must be at least {min_samples} (at least one point per class), "
            f"got {n_samples}"
        )
    try:
        noise = float(noise)
    except (TypeError, ValueError):
        raise ValueError(f"noise must be a number, got {noise!r}") from None
    lo, hi = NOISE_RANGE
    if not (lo <= noise <= hi):  # also rejects nan
        raise ValueError(
            f"noise must be between {lo:g} and {hi:g} (the standard deviation of the "
            f"Gaussian jitter), got {noise:g}"
        )
    return n_samples


def _class_sizes(n_samples: int) -> tuple[int, int]:
    return n_samples // 2, n_samples - n_samples // 2


def _jitter_and_shuffle(
    X: np.ndarray, y: np.ndarray, noise: float, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    if noise > 0:
        X = X + noise * rng.standard_normal(X.shape)
    order = rng.permutation(len(y))
    return np.ascontiguousarray(X[order], dtype=float), y[order].astype(int)


def separable_blobs(
    n_samples: int = 100,
    margin: float = 0.3,
    noise: float = 0.4,
    angle: float = 30.0,
    seed: int = 0,
) -> tuple[np.ndarray, np.ndarray]:
    """Two Gaussian blobs, linearly separable with at least a chosen margin.

    The separator is the line through the origin with unit normal
    ``u = (cos angle, sin angle)``. Class 1 is centred at ``(margin + 1)·u``, class 0
    at ``-(margin + 1)·u``, each with standard deviation ``noise``; points that fall
    closer than ``margin`` to the line (or on the wrong side) are redrawn. So
    ``y_± · (u · x) ≥ margin`` for every point (``y_± = 2y − 1``): the data have
    geometric margin at least ``margin`` and the perceptron convergence theorem
    (Novikoff) applies with that ``γ`` and ``R = max ‖x‖``.

    Parameters
    ----------
    n_samples : int, default 100
        Number of points (≥ 2).
    margin : float, default 0.3
        Minimum distance γ > 0 from every point to the separating line.
    noise : float, default 0.4
        Standard deviation of each blob, in [0, 1].
    angle : float, default 30
        Direction of the separator's normal, in degrees.
    seed : int, default 0
        Random seed.

    Returns
    -------
    X : ndarray of shape (n_samples, 2)
    y : ndarray of shape (n_samples,), labels 0 (the ``-u`` side) and 1 (the ``+u`` side)

    Raises
    ------
    ValueError
        If ``n_samples < 2``, ``noise`` outside [0, 1] or ``margin`` not positive.
    """
    n_samples = _check_toy_args(n_samples, noise)
    margin = float(margin)
    if not (0 < margin <= 2):
        raise ValueError(f"margin must be in (0, 2], got {margin:g}")
    rng = np.random.default_rng(seed)
    u = np.array([np.cos(np.radians(angle)), np.sin(np.radians(angle))])
    n0, n1 = _class_sizes(n_samples)
    parts = []
    for label, count in ((0, n0), (1, n1)):
        sign = 2 * label - 1
        centre = sign * (margin + 1.0) * u
        kept = np.empty((0, 2))
        while len(kept) < count:  # rejection: at least ~50% accepted per round
            draw = centre + noise * rng.standard_normal((2 * (count - len(kept)) + 4, 2))
            draw = draw[sign * (draw @ u) >= margin]
            kept = np.vstack([kept, draw])
        parts.append(kept[:count])
    X = np.vstack(parts)
    y = np.repeat([0, 1], [n0, n1])
    order = rng.permutation(n_samples)
    return np.ascontiguousarray(X[order]), y[order].astype(int)


def logic_gate(
    gate: str, n_samples: int = 4, noise: float = 0.0, seed: int = 0
) -> tuple[np.ndarray, np.ndarray]:
    """A Boolean gate's truth table as 2-D points, optionally repeated with jitter.

    With the defaults (``n_samples=4, noise=0``) this is exactly the truth table:
    ``X = [[0, 0], [0, 1], [1, 0], [1, 1]]`` and ``y`` the gate's outputs, in that
    order. With more samples, point ``k`` sits at corner ``k mod 4`` plus Gaussian
    jitter of standard deviation ``noise``; the points are then shuffled.

    Parameters
    ----------
    gate : {"and", "or", "xor", "nand", "nor"}
        The Boolean function (case-insensitive).
    n_samples : int, default 4
        Number of points (≥ 4 so that every corner appears).
    noise : float, default 0
        Standard deviation of the jitter, in [0, 1].
    seed : int, default 0
        Random seed (unused when ``noise == 0`` and ``n_samples == 4``).

    Returns
    -------
    X : ndarray of shape (n_samples, 2), inputs near {0, 1}²
    y : ndarray of shape (n_samples,), the gate's output in {0, 1}

    Raises
    ------
    ValueError
        Unknown gate, ``n_samples < 4`` or ``noise`` outside [0, 1].
    """
    key = str(gate).strip().lower()
    if key not in LOGIC_GATES:
        raise ValueError(f"unknown gate {gate!r}; choose one of: {', '.join(LOGIC_GATES)}")
    n_samples = _check_toy_args(n_samples, noise, min_samples=4)
    corners = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
    table = np.array(LOGIC_GATES[key])
    idx = np.arange(n_samples) % 4
    X, y = corners[idx], table[idx].astype(int)
    if n_samples == 4 and noise == 0:
        return X.copy(), y
    return _jitter_and_shuffle(X, y, noise, np.random.default_rng(seed))


def xor(n_samples: int = 4, noise: float = 0.0, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """XOR data: ``logic_gate("xor", n_samples, noise, seed)`` (not linearly separable).

    Parameters
    ----------
    n_samples : int, default 4
        Number of points (≥ 4); 4 with no noise is the truth table itself.
    noise : float, default 0
        Standard deviation of the jitter, in [0, 1].
    seed : int, default 0
        Random seed.

    Returns
    -------
    X : ndarray of shape (n_samples, 2)
    y : ndarray of shape (n_samples,), 1 where exactly one input is 1
    """
    return logic_gate("xor", n_samples=n_samples, noise=noise, seed=seed)


def circles(
    n_samples: int = 200, noise: float = 0.05, factor: float = 0.5, seed: int = 0
) -> tuple[np.ndarray, np.ndarray]:
    """Two concentric circles: class 0 on radius 1, class 1 on radius ``factor``.

    Angles are evenly spaced on each circle, then jitter of standard deviation
    ``noise`` is added and the points shuffled.

    Parameters
    ----------
    n_samples : int, default 200
    noise : float, default 0.05
        In [0, 1].
    factor : float, default 0.5
        Inner radius, in (0, 1).
    seed : int, default 0

    Returns
    -------
    X : ndarray of shape (n_samples, 2)
    y : ndarray of shape (n_samples,), 0 = outer circle, 1 = inner circle
    """
    n_samples = _check_toy_args(n_samples, noise)
    if not (0 < factor < 1):
        raise ValueError(f"factor (inner radius) must be in (0, 1), got {factor:g}")
    n0, n1 = _class_sizes(n_samples)
    t0 = np.linspace(0, 2 * np.pi, n0, endpoint=False)
    t1 = np.linspace(0, 2 * np.pi, n1, endpoint=False)
    X = np.vstack(
        [
            np.column_stack([np.cos(t0), np.sin(t0)]),
            factor * np.column_stack([np.cos(t1), np.sin(t1)]),
        ]
    )
    y = np.repeat([0, 1], [n0, n1])
    return _jitter_and_shuffle(X, y, noise, np.random.default_rng(seed))


def moons(n_samples: int = 200, noise: float = 0.1, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Two interleaving half circles ("moons").

    Class 0: ``(cos t, sin t)``; class 1: ``(1 − cos t, 0.5 − sin t)``, ``t`` evenly
    spaced in [0, π]; then jitter of standard deviation ``noise`` and a shuffle. Not
    linearly separable at any noise level.

    Parameters
    ----------
    n_samples : int, default 200
    noise : float, default 0.1
        In [0, 1].
    seed : int, default 0

    Returns
    -------
    X : ndarray of shape (n_samples, 2), roughly in [-1, 2] × [-0.5, 1]
    y : ndarray of shape (n_samples,), 0 = upper moon, 1 = lower moon
    """
    n_samples = _check_toy_args(n_samples, noise)
    n0, n1 = _class_sizes(n_samples)
    t0 = np.linspace(0, np.pi, n0)
    t1 = np.linspace(0, np.pi, n1)
    X = np.vstack(
        [
            np.column_stack([np.cos(t0), np.sin(t0)]),
            np.column_stack([1 - np.cos(t1), 0.5 - np.sin(t1)]),
        ]
    )
    y = np.repeat([0, 1], [n0, n1])
    return _jitter_and_shuffle(X, y, noise, np.random.default_rng(seed))


def spiral(
    n_samples: int = 200, noise: float = 0.02, turns: float = 1.5, seed: int = 0
) -> tuple[np.ndarray, np.ndarray]:
    """Two interleaved spiral arms (class 1 is class 0 rotated by 180°).

    Arm point at parameter ``s`` in [0, 1]: radius ``0.1 + 0.9 s``, angle
    ``2π · turns · s`` (+ π for class 1); ``s`` evenly spaced; then jitter of standard
    deviation ``noise`` and a shuffle.

    Parameters
    ----------
    n_samples : int, default 200
    noise : float, default 0.02
        In [0, 1].
    turns : float, default 1.5
        Number of turns of each arm, in (0, 5].
    seed : int, default 0

    Returns
    -------
    X : ndarray of shape (n_samples, 2), inside the unit disc before jitter
    y : ndarray of shape (n_samples,), the arm (0 or 1)
    """
    n_samples = _check_toy_args(n_samples, noise)
    if not (0 < turns <= 5):
        raise ValueError(f"turns must be in (0, 5], got {turns:g}")
    parts = []
    for label, count in enumerate(_class_sizes(n_samples)):
        s = np.linspace(0, 1, count)
        r = 0.1 + 0.9 * s
        a = 2 * np.pi * turns * s + np.pi * label
        parts.append(np.column_stack([r * np.cos(a), r * np.sin(a)]))
    X = np.vstack(parts)
    y = np.repeat([0, 1], _class_sizes(n_samples))
    return _jitter_and_shuffle(X, y, noise, np.random.default_rng(seed))


@dataclass(frozen=True)
class Toy2D:
    """One 2-D toy classification set for menus: its maker with the common arguments.

    Attributes
    ----------
    name : str
        Registry key.
    label : str
        Menu label.
    make : callable
        ``make(n_samples, noise, seed) -> (X, y)``.
    default_samples, default_noise : int, float
        Defaults that show the set well.
    min_samples : int
        Smallest valid ``n_samples``.
    description : str
        One sentence: what it is and whether a line can separate it.
    """

    name: str
    label: str
    make: Callable[[int, float, int], tuple[np.ndarray, np.ndarray]] = field(repr=False)
    default_samples: int
    default_noise: float
    min_samples: int
    description: str


TOY_2D: dict[str, Toy2D] = {
    t.name: t
    for t in [
        Toy2D("and", "AND gate", lambda n, e, s: logic_gate("and", n, e, s), 4, 0.0, 4,
              "The AND truth table: only (1, 1) is class 1. A line separates it."),
        Toy2D("or", "OR gate", lambda n, e, s: logic_gate("or", n, e, s), 4, 0.0, 4,
              "The OR truth table: only (0, 0) is class 0. A line separates it."),
        Toy2D("xor", "XOR gate", lambda n, e, s: logic_gate("xor", n, e, s), 4, 0.0, 4,
              "The XOR truth table: opposite corners share a class. No line separates it."),
        Toy2D("blobs", "Separable blobs (margin 0.3)",
              lambda n, e, s: separable_blobs(n, margin=0.3, noise=e, seed=s), 60, 0.4, 2,
              "Two Gaussian blobs kept at least 0.3 away from a line: separable by construction."),
        Toy2D("circles", "Circles", lambda n, e, s: circles(n, e, seed=s), 200, 0.05, 2,
              "A ring around a disc: no line separates them."),
        Toy2D("moons", "Moons", lambda n, e, s: moons(n, e, seed=s), 200, 0.1, 2,
              "Two interleaving half circles: no line separates them."),
        Toy2D("spiral", "Spiral", lambda n, e, s: spiral(n, e, seed=s), 200, 0.02, 2,
              "Two interleaved spiral arms: needs a deep, curved boundary."),
    ]
}  # fmt: skip
"""The 2-D toy sets by name, for pages' menus."""
