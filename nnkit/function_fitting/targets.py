"""What a network is asked to fit: a function on a training box, and samples of it.

A :class:`Target` is Rastrigin (exercise 1), a 1-D function of
:data:`nnkit.datasets.TARGETS_1D`, or a formula typed by a student
(:func:`formula_target`, parsed by :mod:`nnkit.expr`, never evaluated).
:func:`make_data` draws seeded samples of it; :func:`grid_points` is the regular grid
every evaluation uses.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import ArrayLike

from nnkit._float32 import check_float32_box
from nnkit.datasets import RASTRIGIN_DOMAIN, TARGETS_1D, rastrigin

if TYPE_CHECKING:
    from nnkit.expr import Formula

__all__ = [
    "MAX_DOMAIN",
    "MAX_TARGET",
    "TARGET_CHOICES",
    "Target",
    "builtin_target",
    "formula_target",
    "grid_points",
    "make_data",
    "target_for",
    "target_from_name",
]

MAX_DOMAIN = 1e6
"""Largest |bound| of a training box: training runs in float32 and the plots sample a
window 1.5× the box."""

MAX_TARGET = 1e15
"""Largest |f| a typed formula may reach on its box: training runs in float32 (max
~3.4e38) and the output scaling squares the values."""


@dataclass(frozen=True)
class Target:
    """A function to fit on a training box.

    Attributes
    ----------
    name : str
        Identifier (also a cache key: two targets with the same name are the same).
    label : str
        For titles, e.g. "Rastrigin".
    dim : int
        1 or 2 input variables.
    fn : callable
        Vectorised numpy function of ``dim`` arrays.
    domain : (float, float)
        Training box: [lo, hi] on every axis.
    formula : str
        Human-readable formula.
    """

    name: str
    label: str
    dim: int
    fn: Callable[..., ArrayLike] = field(repr=False, compare=False, hash=False)
    domain: tuple[float, float]
    formula: str

    def __call__(self, X: ArrayLike) -> np.ndarray:
        """The target's values at the rows of ``X``.

        Parameters
        ----------
        X : array_like, shape (n, dim) or (n,)
            Points (a 1-D array is one variable).

        Returns
        -------
        numpy.ndarray, shape (n,)
            Float values; NaN where the function is not a real number.
        """
        X = np.asarray(X, dtype=float)
        if X.ndim == 1:
            X = X[:, None]
        with np.errstate(all="ignore"):
            out = np.asarray(self.fn(*[X[:, i] for i in range(self.dim)]))
        if np.iscomplexobj(out):  # e.g. a typed sqrt(-1)*x: not a real target, not 0
            out = np.where(out.imag == 0, out.real, np.nan)
        out = np.asarray(out, dtype=float)
        return np.broadcast_to(out, (len(X),)).copy() if out.ndim == 0 else out.reshape(len(X))

    def with_domain(self, lo: float, hi: float) -> Target:
        """The same function on another training box.

        Parameters
        ----------
        lo, hi : float
            The new box [lo, hi] on every axis.

        Returns
        -------
        Target

        Raises
        ------
        ValueError
            Unless ``lo < hi``, both finite and within ±:data:`MAX_DOMAIN`, and the box
            wide enough for a float32 network (:func:`nnkit._float32.check_float32_box`).
        """
        if not (math.isfinite(lo) and math.isfinite(hi) and hi > lo):
            raise ValueError("the training domain needs finite bounds with upper > lower")
        if max(abs(lo), abs(hi)) > MAX_DOMAIN:
            raise ValueError(
                f"the training box must lie within ±{MAX_DOMAIN:g}: the network trains in "
                "float32 and its plots sample a window 1.5× the box"
            )
        check_float32_box([lo], [hi])  # e.g. [10⁶ − 0.01, 10⁶]: one float32 input
        return replace(self, domain=(float(lo), float(hi)))


def builtin_target(name: str) -> Target:
    """A built-in target by name.

    Parameters
    ----------
    name : str
        ``"rastrigin"`` (2-D, on [-5.12, 5.12]²) or a key of
        :data:`nnkit.datasets.TARGETS_1D`.

    Returns
    -------
    Target

    Raises
    ------
    ValueError
        On an unknown name (the message lists the known ones).
    """
    if name == "rastrigin":
        return Target(
            "rastrigin",
            "Rastrigin",
            2,
            lambda x, y: rastrigin(x, y),
            RASTRIGIN_DOMAIN,
            "20 + (x² − 10 cos 2πx) + (y² − 10 cos 2πy)",
        )
    if name in TARGETS_1D:
        t = TARGETS_1D[name]
        return Target(t.name, t.label, 1, t.fn, t.domain, t.formula)
    raise ValueError(f"unknown target {name!r}; choose rastrigin or one of {', '.join(TARGETS_1D)}")


def formula_target(formula: Formula, domain: tuple[float, float]) -> Target:
    """A target from a parsed formula in ``x`` or in ``x, y``.

    Parameters
    ----------
    formula : nnkit.expr.Formula
        Parsed with ``variables=("x", "y")`` (or ``("x",)``); a formula that uses only
        ``x`` is a 1-D target.
    domain : (float, float)
        Training box.

    Returns
    -------
    Target
        Named ``"formula:<text>"`` (see :func:`target_from_name`).

    Raises
    ------
    ValueError
        If the formula is not finite at some points of the training box (the message
        says how many and an example point), or too large to train on in float32.
    """
    used = {str(s) for s in formula.sympy.free_symbols}
    dim = 2 if "y" in used else 1
    f = formula.numpy
    two_variables = len(formula.variables) == 2

    def fn(*arrays: np.ndarray) -> ArrayLike:
        if dim == 1:
            return f(arrays[0], np.zeros_like(arrays[0])) if two_variables else f(arrays[0])
        return f(*arrays)

    target = Target(f"formula:{formula.text}", formula.text, dim, fn, (0.0, 1.0), formula.text)
    target = target.with_domain(*domain)
    grid = grid_points(target.dim, target.domain, 41)
    vals = target(grid)
    bad = ~np.isfinite(vals)
    if bad.any():
        p = grid[np.argmax(bad)]
        where = ", ".join(f"{v}={c:.3g}" for v, c in zip("xy", p, strict=False))
        raise ValueError(
            f"the formula is not a finite number at {int(bad.sum())} of {len(vals)} test points "
            f"of the training domain (e.g. at {where}): change the formula or the domain"
        )
    biggest = float(np.max(np.abs(vals)))
    if biggest > MAX_TARGET:
        raise ValueError(
            f"the formula reaches |f| = {biggest:.3g} on the training domain, too large to train "
            f"on in float32 (at most {MAX_TARGET:g}): shrink the domain or rescale the formula"
        )
    return target


TARGET_CHOICES: dict[str, str] = (
    {"rastrigin": "Rastrigin (exercise 1, 2-D)"}
    | {k: f"{t.label} (1-D)" for k, t in TARGETS_1D.items()}
    | {"formula": "your formula f(x) or f(x, y)"}
)
"""What a page offers to fit: choice -> label (see :func:`target_for`)."""


def target_for(choice: str, domain: tuple[float, float], formula: Formula | None = None) -> Target:
    """The target a page's choice names, on the training box ``domain``.

    Parameters
    ----------
    choice : str
        A key of :data:`TARGET_CHOICES`: a built-in name, or ``"formula"``.
    domain : (float, float)
        Training box.
    formula : nnkit.expr.Formula, optional
        The parsed formula, for ``choice="formula"``.

    Returns
    -------
    Target

    Raises
    ------
    ValueError
        On a bad box, or a formula that cannot be fitted on it (the message says what
        to change).
    """
    if choice == "formula":
        if formula is None:
            raise ValueError("type a formula in x (and y) to fit")
        return formula_target(formula, domain)
    return builtin_target(choice).with_domain(*domain)


def target_from_name(name: str, domain: tuple[float, float] | None = None) -> Target:
    """Rebuild a target from its ``name``: targets hold a function, so caches key them by name.

    Parameters
    ----------
    name : str
        A built-in name or ``"formula:<text>"`` (the text is parsed, never evaluated).
    domain : (float, float), optional
        Training box (default: the built-in target's own, or [-1, 1] for a formula).

    Returns
    -------
    Target
    """
    if name.startswith("formula:"):
        from nnkit.expr import parse

        return formula_target(parse(name[len("formula:") :], ("x", "y")), domain or (-1.0, 1.0))
    t = builtin_target(name)
    return t.with_domain(*domain) if domain is not None else t


def grid_points(dim: int, domain: tuple[float, float], n: int) -> np.ndarray:
    """A regular grid of ``n`` points per axis on ``domain``.

    Parameters
    ----------
    dim : int
        1 or 2.
    domain : (float, float)
        The interval on every axis.
    n : int
        Points per axis.

    Returns
    -------
    numpy.ndarray, shape (n**dim, dim)
        In 2-D, x varies fastest (row-major like ``numpy.meshgrid``).
    """
    g = np.linspace(domain[0], domain[1], n)
    if dim == 1:
        return g[:, None]
    gx, gy = np.meshgrid(g, g)
    return np.c_[gx.ravel(), gy.ravel()]


def make_data(
    target: Target, n_samples: int = 2000, noise: float = 0.0, seed: int = 0
) -> tuple[np.ndarray, np.ndarray]:
    """Uniform random samples of ``target`` on its box, plus Gaussian noise.

    Parameters
    ----------
    target : Target
        What to sample.
    n_samples : int
        Number of samples (≥ 2).
    noise : float
        Standard deviation of the noise, as a fraction of the target's standard
        deviation on the samples (0.1 = 10 %).
    seed : int
        Seeds the points and the noise (a local generator).

    Returns
    -------
    X : numpy.ndarray, shape (n_samples, dim)
        Inputs.
    y : numpy.ndarray, shape (n_samples,)
        Noisy target values.
    """
    if n_samples < 2:
        raise ValueError("n_samples must be at least 2")
    if not (0 <= noise <= 10):
        raise ValueError("noise must be between 0 and 10 (a fraction of the target's spread)")
    rng = np.random.default_rng(seed)
    X = rng.uniform(target.domain[0], target.domain[1], (int(n_samples), target.dim))
    y = target(X)
    if noise > 0:
        y = y + noise * float(np.std(y)) * rng.standard_normal(len(y))
    return X, y
