"""The data's own noise level, and the honest label of a formula against it.

The noise is estimated without any formula, from local differences: for every sample,
the weights of its nearest neighbours that cancel every polynomial up to some degree
(a k-th order divided difference in 1-D; the residual of a leave-one-out local
polynomial fit in more dimensions) leave only noise plus a smoothness bias that
shrinks like ``hᵏ``. Each order gives a robust estimate (median absolute value, so a few
outliers do not count); the smallest over the orders is taken, so noiseless data of a
smooth function estimate ≈ 0 and pure noise ≈ its standard deviation.

A formula is **exact** when its relative RMSE on the samples is within the noise level
(with a margin for the estimate's own uncertainty, ~1/√n); otherwise it is an
**approximation** with that relative error.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from itertools import combinations_with_replacement

import numpy as np

__all__ = ["NUMERICAL_FLOOR", "Verdict", "estimate_noise", "exact_threshold", "judge"]

#: Relative errors below this are numerically zero (float64 evaluation of the same
#: formula in two orders, or data written with ~10 significant digits).
NUMERICAL_FLOOR = 1e-11

_MAD = 1.4826  # median |N(0, 1)| = 1 / 1.4826


def _robust_scale(d: np.ndarray) -> float:
    d = d[np.isfinite(d)]
    return float(_MAD * np.median(np.abs(d))) if d.size else float("inf")


def _difference_1d(x: np.ndarray, y: np.ndarray, order: int) -> np.ndarray:
    """Normalised divided differences of ``order`` over consecutive sorted samples."""
    idx = np.argsort(x, kind="stable")
    xs, ys = x[idx], y[idx]
    k = order + 1
    n = len(xs) - order
    if n < 3:
        return np.array([])
    W = np.lib.stride_tricks.sliding_window_view(xs, k)
    Y = np.lib.stride_tricks.sliding_window_view(ys, k)
    t = (W - W.mean(axis=1, keepdims=True)) / np.maximum(np.ptp(W, axis=1, keepdims=True), 1e-300)
    # weights orthogonal to 1, t, …, t^(order−1) in each window: the last left-singular
    # direction of the window's Vandermonde matrix
    V = np.stack([t**p for p in range(order)], axis=2)  # (n, k, order)
    Q, _ = np.linalg.qr(V, mode="complete")
    w = Q[:, :, order]  # (n, k), unit norm
    return np.einsum("ij,ij->i", w, Y)


def _local_residuals(X: np.ndarray, y: np.ndarray, degree: int) -> np.ndarray:
    """Leave-one-out residuals of local polynomial fits over nearest neighbours, normalised."""
    from scipy.spatial import cKDTree

    n, d = X.shape
    powers = [p for deg in range(degree + 1) for p in combinations_with_replacement(range(d), deg)]
    m = len(powers)
    k = min(n - 1, m + max(4, m // 2))
    if k <= m:
        return np.array([])
    _, nb = cKDTree(X).query(X, k=k + 1)
    nb = nb[:, 1:]
    D = X[nb] - X[:, None, :]  # (n, k, d)
    scale = np.maximum(np.max(np.abs(D), axis=(1, 2)), 1e-300)[:, None, None]
    D = D / scale
    V = np.stack(
        [np.prod(D[:, :, list(p)], axis=2) if p else np.ones(D.shape[:2]) for p in powers], axis=2
    )  # (n, k, m)
    # prediction at the centre (offset 0) is the constant coefficient: row 0 of pinv(V).
    # With V = QR that row is (Q z)^T where R^T z = e0: a QR and a triangular solve per
    # point, 2-3x faster than the SVD behind pinv; rank-deficient neighbourhoods (points
    # on a line) keep pinv.
    Q, R = np.linalg.qr(V)  # (n, k, m), (n, m, m)
    diag = np.abs(np.diagonal(R, axis1=1, axis2=2))
    full = np.all(np.isfinite(diag), axis=1) & (diag.min(axis=1) > 1e-8 * diag.max(axis=1))
    w0 = np.empty((n, k))
    if full.any():
        e0 = np.zeros((int(full.sum()), m, 1))
        e0[:, 0, 0] = 1.0
        z = np.linalg.solve(np.swapaxes(R[full], 1, 2), e0)[..., 0]
        w0[full] = np.einsum("nkm,nm->nk", Q[full], z)
    if not full.all():
        w0[~full] = np.linalg.pinv(V[~full])[:, 0, :]
    r = y - np.einsum("ij,ij->i", w0, y[nb])
    return r / np.sqrt(1.0 + np.sum(w0**2, axis=1))


def estimate_noise(X: np.ndarray, y: np.ndarray) -> float:
    """Noise standard deviation of a data set relative to std(y), from local differences.

    Parameters
    ----------
    X : numpy.ndarray, shape (n, d)
    y : numpy.ndarray, shape (n,)

    Returns
    -------
    float
        ≈ 0 for noiseless samples of a smooth function, ≈ σ / std(y) for added noise
        of standard deviation σ; 0 for constant ``y``.
    """
    X = np.asarray(X, dtype=float)
    if X.ndim == 1:
        X = X[:, None]
    y = np.asarray(y, dtype=float).reshape(-1)
    std = float(np.std(y))
    if std == 0 or len(y) < 5:
        return 0.0
    span = X.max(axis=0) - X.min(axis=0)
    Xs = (X - X.min(axis=0)) / np.where(span > 0, span, 1.0)
    estimates = []
    if X.shape[1] == 1:
        for order in (1, 2, 3, 4, 5, 6):
            d = _difference_1d(Xs[:, 0], y, order)
            if d.size >= 3:
                estimates.append(_robust_scale(d))
    else:
        for degree in (1, 2, 3, 4, 5) if X.shape[1] == 2 else (1, 2, 3):
            r = _local_residuals(Xs, y, degree)
            if r.size >= 3:
                estimates.append(_robust_scale(r))
    if not estimates:
        return 0.0
    return float(min(estimates) / std)


def exact_threshold(noise: float, n: int) -> float:
    """Largest relative RMSE an exact formula may leave: the noise level plus a margin.

    ``noise · (1 + 4/√n) + NUMERICAL_FLOOR``: the sample RMSE of pure noise and the
    noise estimate both scatter by ~1/√n.
    """
    return float(noise * (1.0 + 4.0 / math.sqrt(max(n, 1))) + NUMERICAL_FLOOR)


@dataclass(frozen=True)
class Verdict:
    """How a formula compares with the samples' noise.

    Attributes
    ----------
    exact : bool
        Its relative RMSE is within :func:`exact_threshold` of the noise level.
    relative_error : float
        Its RMSE divided by std(y).
    noise : float
        The noise level it was judged against (relative to std(y)).
    threshold : float
    """

    exact: bool
    relative_error: float
    noise: float
    threshold: float


def judge(prediction: np.ndarray, y: np.ndarray, noise: float) -> Verdict:
    """Exact or approximation: a formula's values against the samples and their noise level.

    Parameters
    ----------
    prediction : numpy.ndarray
        The formula at the sample points.
    y : numpy.ndarray
        The samples.
    noise : float
        Relative noise level (:func:`estimate_noise`, or a source's known accuracy).

    Returns
    -------
    Verdict
    """
    y = np.asarray(y, dtype=float)
    std = float(np.std(y)) or 1.0
    r = np.asarray(prediction, dtype=float) - y
    rel = float(np.sqrt(np.mean(r**2)) / std) if np.all(np.isfinite(r)) else float("inf")
    thr = exact_threshold(noise, len(y))
    return Verdict(bool(rel <= thr), rel, float(noise), thr)
