"""Fitting a formula's constants: linear least squares, a local optimiser, then snapping.

A :class:`Model` is ``(c₀ + Σ cᵢ Tᵢ(θ)) / D(θ)``: terms ``Tᵢ`` that may hold inner
constants ``θ`` (``sin(θ₀ x + θ₁)``), an optional denominator ``D`` (a rational
function), and outer coefficients ``c`` that enter linearly. For given ``θ`` the best
``c`` is a least-squares solve, so only ``θ`` is optimised (variable projection,
Golub & Pereyra 1973) with ``scipy.optimize.least_squares``.

Snapping replaces each fitted number by the simplest rational or rational multiple of
π (:func:`nnkit.symbolic.snap.simple_values`) for which the refitted formula stays as
accurate as before, within ``tol``: an exact formula stays exact.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import sympy as sp
from scipy.optimize import least_squares

from nnkit.symbolic.grammar import Node, add, const, evaluate_node, mul, num, slots, to_sympy
from nnkit.symbolic.snap import simple_numbers, snap_linear

__all__ = ["Model", "fit_linear", "refine", "simplest_scale", "snap_model"]


@dataclass(eq=False)
class Model:
    """A formula with fitted constants (see the module docstring).

    Attributes
    ----------
    terms : list of Node
        The terms ``Tᵢ`` (the constant term ``c₀`` is implicit).
    theta : numpy.ndarray
        Inner constants: values of the ``"par"`` slots of ``terms`` and ``den``.
    den : Node or None
        Denominator ``D(θ)``, or None.
    coef : numpy.ndarray
        ``c₀, c₁, …``.
    rmse : float
        Root-mean-square error on the samples it was fitted to.
    exact_theta : dict
        Slot -> exact sympy number, for the inner constants that were snapped.
    exact_coef : list
        Per coefficient, its exact sympy number or None (free).
    origin : str
        Which stage of the search produced it.
    """

    terms: list[Node]
    theta: np.ndarray = field(default_factory=lambda: np.zeros(0))
    den: Node | None = None
    coef: np.ndarray = field(default_factory=lambda: np.zeros(0))
    rmse: float = float("inf")
    exact_theta: dict[int, sp.Expr] = field(default_factory=dict)
    exact_coef: list[sp.Expr | None] = field(default_factory=list)
    origin: str = ""

    def columns(self, X: np.ndarray, theta: np.ndarray | None = None) -> np.ndarray:
        """The design matrix ``[1, T₁, …] / D`` at ``theta`` (default: the fitted one)."""
        th = self.theta if theta is None else theta
        A = np.column_stack([np.ones(X.shape[0])] + [evaluate_node(t, X, th) for t in self.terms])
        if self.den is not None:
            A = A / evaluate_node(self.den, X, th)[:, None]
        return A

    def predict(self, X: np.ndarray) -> np.ndarray:
        """The formula's values at the rows of ``X``."""
        with np.errstate(all="ignore"):
            return self.columns(X) @ self.coef

    @property
    def n_free(self) -> int:
        """Fitted numbers that did not snap to a simple value."""
        free_c = sum(
            1 for e, c in zip(self.exact_coef, self.coef, strict=False) if e is None and c != 0
        )
        return free_c + len(self.theta) - len(self.exact_theta)

    def sympy(self, symbols: Sequence[sp.Symbol]) -> sp.Expr:
        """The formula in sympy, snapped numbers exact, the others as floats."""
        exact = self.exact_coef or [None] * len(self.coef)
        num = sp.Integer(0)
        for i, c in enumerate(self.coef):
            value = exact[i] if i < len(exact) and exact[i] is not None else sp.Float(float(c), 15)
            if value == 0:
                continue
            term = (
                sp.Integer(1)
                if i == 0
                else to_sympy(self.terms[i - 1], symbols, self.theta, self.exact_theta)
            )
            num += value * term
        if self.den is None:
            return num
        ratio = num / to_sympy(self.den, symbols, self.theta, self.exact_theta)
        # a common factor of numerator and denominator (x·P / x·Q) is cancelled when exact
        return sp.cancel(ratio) if not ratio.atoms(sp.Float) else ratio


class _TermColumns:
    """``model.columns(X, θ)``, each term recomputed only when its own constants change.

    A finite-difference Jacobian moves one constant at a time, and a move changes only
    the terms (or the denominator) that hold that constant: the others' columns are
    taken from the last few ``θ`` seen, keyed by the exact bytes of their constants, so
    the result is the same array ``model.columns`` gives.
    """

    KEEP = 4  # columns kept per term: the base point and the moves around it

    def __init__(self, model: Model, X: np.ndarray) -> None:
        self.X = X
        self.parts = list(model.terms) + ([model.den] if model.den is not None else [])
        self.has_den = model.den is not None
        self.slots = [np.array(slots(t), dtype=int) for t in self.parts]
        self.kept: list[dict[bytes, np.ndarray]] = [{} for _ in self.parts]

    def __call__(self, theta: np.ndarray) -> np.ndarray:
        cols = []
        for part, where, kept in zip(self.parts, self.slots, self.kept, strict=True):
            key = theta[where].tobytes()
            col = kept.get(key)
            if col is None:
                col = evaluate_node(part, self.X, theta)
                if len(kept) >= self.KEEP:
                    del kept[next(iter(kept))]  # the oldest
                kept[key] = col
            cols.append(col)
        den = cols.pop() if self.has_den else None
        A = np.column_stack([np.ones(self.X.shape[0]), *cols])
        return A if den is None else A / den[:, None]


def _solve(A: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    if not np.all(np.isfinite(A)):
        return np.zeros(A.shape[1]), np.full_like(y, 1e150)
    coef, *_ = np.linalg.lstsq(A, y, rcond=None)
    return coef, y - A @ coef


def fit_linear(model: Model, X: np.ndarray, y: np.ndarray) -> Model:
    """Least-squares outer coefficients at the model's current ``theta`` (in place)."""
    with np.errstate(all="ignore"):
        coef, r = _solve(model.columns(X), y)
    model.coef = coef
    model.rmse = float(np.sqrt(np.mean(r**2))) if np.all(np.isfinite(r)) else float("inf")
    return model


def refine(
    model: Model,
    X: np.ndarray,
    y: np.ndarray,
    fixed: dict[int, float] | None = None,
    max_nfev: int = 60,
    deadline: float = float("inf"),
) -> Model:
    """Optimise the free inner constants by variable projection (returns a new model).

    Parameters
    ----------
    model : Model
    X, y : numpy.ndarray
        Samples.
    fixed : dict, optional
        Slot -> value for inner constants held fixed.
    max_nfev : int, default 60
        Budget of residual evaluations per free constant.
    deadline : float, optional
        ``time.perf_counter()`` value at which the optimisation gives up (keeping the
        start).

    Returns
    -------
    Model
        With refined ``theta``, ``coef`` and ``rmse`` (the input if nothing improved).
    """
    fixed = fixed or {}
    theta0 = np.array(model.theta, dtype=float)
    for k, v in fixed.items():
        theta0[k] = v
    free = [k for k in range(len(theta0)) if k not in fixed]
    out = Model(
        list(model.terms),
        theta0.copy(),
        model.den,
        origin=model.origin,
        exact_theta=dict(model.exact_theta),
    )
    if not free:
        return fit_linear(out, X, y)

    columns = _TermColumns(out, X)

    def resid(z: np.ndarray) -> np.ndarray:
        if time.perf_counter() > deadline:
            raise TimeoutError
        th = theta0.copy()
        th[free] = z
        with np.errstate(all="ignore"):
            _, r = _solve(columns(th), y)
        return np.where(np.isfinite(r), r, 1e150)

    try:
        sol = least_squares(
            resid,
            theta0[free],
            method="lm",
            max_nfev=max_nfev * (len(free) + 1),
            xtol=1e-12,
            ftol=1e-12,
            gtol=1e-12,
        )
        z = sol.x
    except (ValueError, np.linalg.LinAlgError, TimeoutError):
        z = theta0[free]
    out.theta = theta0.copy()
    out.theta[free] = z
    fit_linear(out, X, y)
    start = fit_linear(Model(list(model.terms), theta0.copy(), model.den), X, y)
    if not out.rmse <= start.rmse:
        start.origin, start.exact_theta = model.origin, dict(model.exact_theta)
        return start
    return out


def snap_model(
    model: Model,
    X: np.ndarray,
    y: np.ndarray,
    rel: float,
    tol: float,
    deadline: float = float("inf"),
) -> Model:
    """Snap inner constants, then outer coefficients, to simple numbers while the RMSE allows.

    A snap is kept when the refitted RMSE stays below ``model.rmse · (1 + rel) + tol``:
    ``rel`` is a statistically insignificant relative increase (~3/√n), ``tol`` an
    absolute slack (numerical precision, or a network's known error).

    Parameters
    ----------
    model : Model
    X, y : numpy.ndarray
    rel, tol : float
    deadline : float, optional
        ``time.perf_counter()`` value after which no more inner constants are tried.

    Returns
    -------
    Model
    """
    limit = model.rmse * (1 + rel) + tol
    current = model
    fixed: dict[int, float] = {}
    exact: dict[int, sp.Expr] = {}
    order = sorted(range(len(model.theta)), key=lambda k: abs(model.theta[k]))
    for k in order:
        if time.perf_counter() > deadline:
            break
        for number in simple_numbers(float(current.theta[k]))[:4]:
            trial_fixed = dict(fixed)
            trial_fixed[k] = number.value
            trial = refine(current, X, y, fixed=trial_fixed, max_nfev=15, deadline=deadline)
            if trial.rmse <= limit:
                current, fixed = trial, trial_fixed
                exact[k] = number.sympy()
                break
    current.exact_theta = exact
    with np.errstate(all="ignore"):
        A = current.columns(X)
    if not np.all(np.isfinite(A)):
        return current
    ex, beta, rmse = snap_linear(A, y, rel_tol=rel, abs_tol=tol)
    if rmse <= limit:
        current.coef, current.exact_coef, current.rmse = beta, ex, rmse
    else:
        current.exact_coef = [None] * len(current.coef)
    return current


def used_slots(model: Model) -> list[int]:
    """The inner-constant slots the model's terms and denominator use."""
    out: list[int] = []
    for t in [*model.terms, *([model.den] if model.den is not None else [])]:
        out += [s for s in slots(t) if s not in out]
    return out


def _near_simple(v: float) -> bool:
    """``v`` is a rational with a small denominator, to 1e-7 relative."""
    return any(abs(v * q - round(v * q)) <= 1e-7 * max(abs(v * q), 1.0) for q in range(1, 13))


def simplest_scale(m: Model, lead: Node, rest: Sequence[Node]) -> Model:
    """A ratio ``m = P / (lead + Σ θₖ·restₖ)`` rescaled (``sP/sQ``) so that most numbers are simple.

    A ratio is fitted with its leading denominator coefficient fixed to 1; the law may
    have simple numbers under another normalisation (``(x⁴ + …)/(y⁴ − 8y³ + … + 26)``).

    Parameters
    ----------
    m : Model
        With ``den = lead + Σ θₖ·restₖ`` (``θ`` its only inner constants).
    lead : Node
    rest : sequence of Node

    Returns
    -------
    Model
    """
    best, best_count = m, -1
    for s in [1.0] + [1.0 / t for t in m.theta if abs(t) > 1e-12]:
        values = [s, *(s * m.theta), *(s * m.coef)]
        count = sum(_near_simple(float(v)) for v in values)
        if count > best_count:
            best_count = count
            den = add(mul(num(s), lead), *[mul(const(k), t) for k, t in enumerate(rest)])
            best = Model(
                list(m.terms),
                s * m.theta,
                den,
                s * m.coef,
                m.rmse,
                exact_coef=[None] * len(m.coef),
                origin=m.origin,
            )
    return best
