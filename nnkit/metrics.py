"""Regression metrics, one implementation each: R², RMSE, MAE and the relative L2 error.

Every page and module that reports one of these numbers calls this module, so an
R² on the MLP page, the house-price table and the symbolic page is the same number
for the same predictions. They agree with :mod:`sklearn.metrics` (tested), but never
raise: a constant truth or a non-finite prediction gives NaN, which the pages show as
"n/a" instead of crashing.
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import ArrayLike

__all__ = ["mae", "r2_score", "relative_l2", "rmse"]


def _pair(truth: ArrayLike, pred: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
    t = np.asarray(truth, dtype=float).ravel()
    p = np.asarray(pred, dtype=float).ravel()
    if t.shape != p.shape:
        raise ValueError(f"truth has {t.size} values but pred has {p.size}")
    return t, p


def r2_score(truth: ArrayLike, pred: ArrayLike) -> float:
    """Coefficient of determination ``1 − SS_res / SS_tot``.

    Parameters
    ----------
    truth, pred : array_like
        True and predicted values (flattened).

    Returns
    -------
    float
        1 for a perfect prediction, 0 for predicting the mean, negative for worse;
        NaN when the truth is constant, empty, or a prediction is not finite.
    """
    t, p = _pair(truth, pred)
    if t.size == 0 or not np.all(np.isfinite(p)):
        return math.nan
    ss_tot = float(np.sum((t - t.mean()) ** 2))
    if ss_tot == 0:
        return math.nan
    return 1.0 - float(np.sum((t - p) ** 2)) / ss_tot


def rmse(truth: ArrayLike, pred: ArrayLike) -> float:
    """Root-mean-square error ``sqrt(mean((truth − pred)²))`` (NaN when empty).

    Parameters
    ----------
    truth, pred : array_like
        True and predicted values (flattened).

    Returns
    -------
    float
    """
    t, p = _pair(truth, pred)
    if t.size == 0:
        return math.nan
    return float(np.sqrt(np.mean((t - p) ** 2)))


def mae(truth: ArrayLike, pred: ArrayLike) -> float:
    """Mean absolute error ``mean(|truth − pred|)`` (NaN when empty).

    Parameters
    ----------
    truth, pred : array_like
        True and predicted values (flattened).

    Returns
    -------
    float
    """
    t, p = _pair(truth, pred)
    if t.size == 0:
        return math.nan
    return float(np.mean(np.abs(t - p)))


def relative_l2(pred: ArrayLike, reference: ArrayLike) -> float:
    """Relative L2 error ``‖pred − reference‖₂ / ‖reference‖₂`` (what PINN papers report).

    Parameters
    ----------
    pred : array_like
        The approximation (flattened).
    reference : array_like
        The reference solution (flattened); NaN is returned when it is all zeros.

    Returns
    -------
    float
    """
    p, r = _pair(pred, reference)
    norm = float(np.linalg.norm(r))
    if norm == 0:
        return math.nan
    return float(np.linalg.norm(p - r) / norm)
