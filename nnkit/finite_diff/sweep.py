"""The sweep the Derivatives page shows: every method's error over a grid of steps h.

:func:`error_sweep` measures each stencil's error against the exact derivative on
a log-spaced grid of h, puts the error model beside it (truncation and round-off
terms, h*, E*, the fitted order, the measured bottom), and adds the complex step
and autodiff, which have no step to tune. :func:`estimates_at` gives every
method's estimate at one step.
"""

from __future__ import annotations

import cmath
import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt
import pandas as pd
import sympy

from nnkit.expr import Formula
from nnkit.finite_diff.methods import autodiff_derivative, complex_step, engine_derivative
from nnkit.finite_diff.model import (
    EPS,
    fit_order,
    leading_term,
    measured_minimum,
    optimal_step,
)
from nnkit.finite_diff.stencils import LECTURE_SCHEMES, Stencil, apply, check_steps, stencils_for
from nnkit.finite_diff.taylor import exact_value, taylor_derivatives, taylor_scale

__all__ = [
    "DomainError",
    "Sweep",
    "default_steps",
    "error_sweep",
    "estimates_at",
    "failed_methods",
    "summary_table",
    "SUMMARY_COLUMNS",
]


class DomainError(ValueError):
    """The function (or its derivative) is not defined, or not real, at the point."""


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
        d.
    x0 : float
        The point.
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
    """Make ``n`` log-spaced steps from ``lo`` to ``hi``.

    Parameters
    ----------
    n : int, default 200
        Number of steps.
    lo, hi : float
        Smallest and largest step, > 0.

    Returns
    -------
    numpy.ndarray
        Ascending.
    """
    return np.logspace(math.log10(lo), math.log10(hi), n)


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
    h: npt.ArrayLike | None = None,
    complex_step_too: bool = True,
    autodiff_too: bool = True,
    engine_too: bool = False,
) -> Sweep:
    """Measure the error of each stencil (and of complex step and autodiff) over a grid of h.

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
        The measured errors, the model and the notes.

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
    h: npt.ArrayLike | None,
    complex_step_too: bool,
    autodiff_too: bool,
    engine_too: bool,
) -> Sweep:
    if len(formula.variables) != 1:
        raise ValueError("error_sweep takes a formula of one variable")
    if not math.isfinite(x0):
        raise ValueError("x0 must be a finite number")
    steps = default_steps() if h is None else check_steps(h).ravel()
    if stencils is None:
        stencils = stencils_for(derivative, LECTURE_SCHEMES)
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
        taylor[0] if np.isfinite(taylor[0]) else exact_value(formula.sympy, sym, x0), "f(x)", x0
    )
    # The reference: sympy's exact derivative, evaluated with 30 digits.
    exact = _real_or_raise(
        exact_value(sympy.diff(formula.sympy, sym, derivative), sym, x0),
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
        k_lead, c_lead, mk = leading_term(st, higher, scale)
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
        {c: (np.concatenate([b[c] for b in frames]) if frames else np.array([])) for c in columns}
    )
    summary = pd.DataFrame(rows)
    return Sweep(data, summary, exact, f0, derivative, float(x0), labels, notes, smooth, overflow)


def _block(
    method: str, family: str, h: np.ndarray, *values: npt.ArrayLike
) -> dict[str, np.ndarray]:
    n = h.size
    names = ("estimate", "error", "truncation", "roundoff")
    out = {"method": np.full(n, method, dtype=object), "family": np.full(n, family, dtype=object)}
    out["h"] = h
    for name, v in zip(names, values, strict=True):
        out[name] = np.broadcast_to(np.asarray(v, dtype=float), (n,))
    return out


def _flat_row(
    method: str, order: float, h_best: float, e_best: float, points: int
) -> dict[str, object]:
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
    """Estimate with each stencil of ``sweep`` (and complex step) at one step ``h``.

    Parameters
    ----------
    sweep : Sweep
        From :func:`error_sweep`.
    formula : Formula
        The same f.
    h : float
        The step, > 0.

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
    step = check_steps([h])
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


#: The columns :func:`summary_table` shows, with their display names.
SUMMARY_COLUMNS: dict[str, str] = {
    "method": "method",
    "order": "p (theory)",
    "order_here": "order at x₀",
    "fitted_order": "fitted slope",
    "C": "C",
    "S": "S = Σ|w|",
    "h_star": "h* (theory)",
    "e_star": "E* (theory)",
    "h_best": "best h (meas.)",
    "e_best": "min error (meas.)",
}


def summary_table(sweep: Sweep) -> pd.DataFrame:
    """Tabulate the finite differences' orders, optimal steps and smallest errors.

    Parameters
    ----------
    sweep : Sweep
        From :func:`error_sweep`.

    Returns
    -------
    pandas.DataFrame
        One row per stencil (complex step and autodiff left out), the columns of
        :data:`SUMMARY_COLUMNS` under their display names.
    """
    rows = sweep.summary[sweep.summary.method.isin(list(sweep.stencils))]
    return rows[list(SUMMARY_COLUMNS)].rename(columns=SUMMARY_COLUMNS)


def failed_methods(table: pd.DataFrame) -> list[str]:
    """List the methods of an :func:`estimates_at` table that gave no finite number.

    Parameters
    ----------
    table : pandas.DataFrame
        From :func:`estimates_at`.

    Returns
    -------
    list of str
        Methods whose estimate is ``nan`` or infinite (a sample overflowed or left
        f's domain).
    """
    return table.loc[~np.isfinite(table.estimate.to_numpy(float)), "method"].tolist()
