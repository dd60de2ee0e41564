"""Truth, network and formula side by side, inside the training domain and beyond it."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from nnkit.metrics import r2_score, rmse

__all__ = ["Comparison", "compare_functions"]

Fn = Callable[[np.ndarray], np.ndarray]


@dataclass
class Comparison:
    """Curves (1-D) or maps (2-D) of several functions on a window around the domain.

    Attributes
    ----------
    grid : pandas.DataFrame
        Long format: ``x`` (and ``y`` in 2-D), ``series``, ``value``, ``inside``.
    slice : pandas.DataFrame
        Long format along a line: ``x, series, value, inside`` (the whole line in 1-D;
        in 2-D the line through the centre of the domain parallel to the first axis).
    scores : pandas.DataFrame
        One row per compared function: ``series``, ``r2_inside``, ``r2_outside``,
        ``rmse_inside``, ``rmse_outside`` against ``reference_name``.
    reference_name : str
        The series the scores are computed against.
    domain, window : tuple of (low, high)
    """

    grid: pd.DataFrame
    slice: pd.DataFrame
    scores: pd.DataFrame
    reference_name: str
    domain: tuple[tuple[float, float], ...]
    window: tuple[tuple[float, float], ...]


def _r2(pred: np.ndarray, ref: np.ndarray) -> tuple[float, float]:
    """R² and RMSE of ``pred`` against ``ref`` where both are finite (NaN below 2 points)."""
    ok = np.isfinite(pred) & np.isfinite(ref)
    if ok.sum() < 2:
        return float("nan"), float("nan")
    return r2_score(ref[ok], pred[ok]), rmse(ref[ok], pred[ok])


def compare_functions(
    functions: Mapping[str, Fn],
    domain: Sequence[tuple[float, float]],
    window: Sequence[tuple[float, float]],
    reference: str,
    n: int | None = None,
) -> Comparison:
    """Evaluate each function on a grid over ``window`` and score it against ``reference``.

    Parameters
    ----------
    functions : mapping
        Name -> ``f(X) -> y`` for ``X`` of shape (m, d) (e.g. ``"truth"``,
        ``"network"``, ``"formula"``). Values that are not finite (a formula outside its
        natural domain) are kept as NaN and left out of the scores.
    domain : sequence of (low, high)
        The training domain (``inside`` marks points in it).
    window : sequence of (low, high)
        The wider window to plot and to score extrapolation on.
    reference : str
        Key of ``functions`` the others are scored against (it is scored too).
    n : int, optional
        Grid points per axis (default 400 in 1-D, 61 in 2-D).

    Returns
    -------
    Comparison
    """
    d = len(domain)
    if d not in (1, 2):
        raise ValueError("curves and maps are drawn for 1 or 2 inputs")
    if reference not in functions:
        raise ValueError(f"reference {reference!r} is not one of the functions")
    n = n or (400 if d == 1 else 61)
    axes = [np.linspace(lo, hi, n) for lo, hi in window]
    if d == 1:
        X = axes[0][:, None]
    else:
        gx, gy = np.meshgrid(axes[0], axes[1], indexing="xy")
        X = np.column_stack([gx.ravel(), gy.ravel()])
    tol = 1e-12
    inside = np.all(
        [(X[:, i] >= lo - tol) & (X[:, i] <= hi + tol) for i, (lo, hi) in enumerate(domain)], axis=0
    )
    values = {}
    for name, f in functions.items():
        with np.errstate(all="ignore"):
            values[name] = np.asarray(f(X), dtype=float).reshape(-1)
    cols = {"x": X[:, 0]} | ({"y": X[:, 1]} if d == 2 else {})
    grid = pd.concat(
        [
            pd.DataFrame(cols | {"series": name, "value": v, "inside": inside})
            for name, v in values.items()
        ],
        ignore_index=True,
    )
    # a line through the domain's centre (1-D: everything)
    if d == 1:
        line = np.linspace(window[0][0], window[0][1], 600)[:, None]
    else:
        yc = 0.5 * (domain[1][0] + domain[1][1])
        xs = np.linspace(window[0][0], window[0][1], 600)
        line = np.column_stack([xs, np.full_like(xs, yc)])
    lin_inside = (line[:, 0] >= domain[0][0] - tol) & (line[:, 0] <= domain[0][1] + tol)
    parts = []
    for name, f in functions.items():
        with np.errstate(all="ignore"):
            v = np.asarray(f(line), dtype=float).reshape(-1)
        parts.append(
            pd.DataFrame({"x": line[:, 0], "series": name, "value": v, "inside": lin_inside})
        )
    sl = pd.concat(parts, ignore_index=True)
    ref = values[reference]
    rows = []
    for name, v in values.items():
        r2_in, rmse_in = _r2(v[inside], ref[inside])
        r2_out, rmse_out = _r2(v[~inside], ref[~inside]) if (~inside).any() else (float("nan"),) * 2
        rows.append(
            {
                "series": name,
                "r2_inside": r2_in,
                "r2_outside": r2_out,
                "rmse_inside": rmse_in,
                "rmse_outside": rmse_out,
            }
        )
    return Comparison(
        grid,
        sl,
        pd.DataFrame(rows),
        reference,
        tuple((float(a), float(b)) for a, b in domain),
        tuple((float(a), float(b)) for a, b in window),
    )
