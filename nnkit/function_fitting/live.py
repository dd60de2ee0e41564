"""A cheap snapshot of truth vs prediction, for a view redrawn several times a second.

:func:`live_view` predicts on a coarse grid and reuses the truth of the previous frame;
:func:`~nnkit.function_fitting.evaluate_fit` does the full analysis once training stops.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from nnkit.function_fitting.targets import Target, grid_points
from nnkit.metrics import r2_score

if TYPE_CHECKING:
    from nnkit._torch import torch

__all__ = ["LiveView", "live_view"]


@dataclass
class LiveView:
    """Truth and prediction on a grid over a window, as arrays ready to draw.

    Attributes
    ----------
    dim : int
        Input dimension.
    window : (float, float)
        The grid spans this interval on every axis.
    truth, prediction : numpy.ndarray
        (n, n) arrays (row = y index, lowest y first) in 2-D; (n,) in 1-D.
    xs : numpy.ndarray, shape (n,)
        Grid coordinates along each axis.
    box : (i0, i1, j0, j1)
        Index range of the training box on the grid.
    r2_inside : float
        R² of the prediction against the truth on the grid points inside the box.
    """

    dim: int
    window: tuple[float, float]
    truth: np.ndarray
    prediction: np.ndarray
    xs: np.ndarray
    box: tuple[int, int, int, int]
    r2_inside: float

    def curves(self) -> pd.DataFrame:
        """1-D: the long table ``x, series ("truth"/"prediction"), value`` to draw.

        Returns
        -------
        DataFrame
        """
        n = len(self.xs)
        return pd.DataFrame(
            {
                "x": np.r_[self.xs, self.xs],
                "series": ["truth"] * n + ["prediction"] * n,
                "value": np.r_[self.truth.ravel(), self.prediction.ravel()],
            }
        )

    @property
    def truth_range(self) -> tuple[float, float]:
        """``(min, max)`` of the finite truth values: one colour scale for every frame."""
        t = self.truth[np.isfinite(self.truth)]
        if not t.size:
            return 0.0, 1.0
        return float(t.min()), float(t.max())


@functools.lru_cache(maxsize=16)
def _cached_grid(dim: int, lo: float, hi: float, n: int) -> np.ndarray:
    g = grid_points(dim, (lo, hi), n)
    g.setflags(write=False)
    return g


def live_view(
    model: torch.nn.Module | None,
    target: Target,
    *,
    n: int = 48,
    window_factor: float = 1.5,
    truth: np.ndarray | None = None,
) -> LiveView:
    """Truth and prediction on an n-point (per axis) grid over a window, fast.

    Parameters
    ----------
    model : torch.nn.Module or None
        The network (one output); None: the truth only (before any training; no torch),
        with NaN predictions and R².
    target : Target
        Its target and training box.
    n : int
        Grid points per axis.
    window_factor : float
        The window is the training box scaled by this factor about its centre.
    truth : numpy.ndarray, optional
        The ``truth`` of an earlier :class:`LiveView` with the same target, ``n`` and
        window, to skip recomputing it on every frame.

    Returns
    -------
    LiveView
    """
    lo, hi = target.domain
    c, h = (lo + hi) / 2, (hi - lo) / 2 * window_factor
    xs = np.linspace(c - h, c + h, n)
    G = _cached_grid(target.dim, c - h, c + h, n)
    truth = target(G) if truth is None else np.asarray(truth).ravel()
    pred = _predict(model, G)
    inside_1d = np.flatnonzero((xs >= lo - 1e-12) & (xs <= hi + 1e-12))
    i0, i1 = int(inside_1d[0]), int(inside_1d[-1])
    inside = np.all((G >= lo - 1e-12) & (G <= hi + 1e-12), axis=1)
    r2 = r2_score(truth[inside], pred[inside])
    if target.dim == 2:
        truth, pred = truth.reshape(n, n), pred.reshape(n, n)
    return LiveView(target.dim, (c - h, c + h), truth, pred, xs, (i0, i1, i0, i1), r2)


def _predict(model: torch.nn.Module | None, G: np.ndarray) -> np.ndarray:
    """The model's single output at the rows of ``G``; NaN everywhere without a model."""
    if model is None:
        return np.full(len(G), np.nan)
    from nnkit.models import predict

    return predict(model, G)[:, 0]
