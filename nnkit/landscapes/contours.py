"""Grids and contour lines for contour maps, drawn with Altair alone.

:class:`SurfaceGrid` holds a function sampled on a regular grid;
:func:`contour_segments` turns it into contour lines by vectorised marching squares
(one row per line segment, ready for an Altair ``mark_rule``), at levels chosen by
:func:`contour_levels`. :func:`thin_indices` picks the points of a long path or
curve that a chart needs.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

__all__ = ["SurfaceGrid", "contour_levels", "contour_segments", "contours", "thin_indices"]

_SEGMENT_COLUMNS = ["x", "y", "x2", "y2", "level"]


@dataclass(frozen=True)
class SurfaceGrid:
    """A function sampled on a regular grid: ``z[i, j] = f(x[j], y[i])``.

    Attributes
    ----------
    x : numpy.ndarray
        Grid abscissae, shape ``(nx,)``.
    y : numpy.ndarray
        Grid ordinates, shape ``(ny,)``.
    z : numpy.ndarray
        Values, shape ``(ny, nx)``.
    """

    x: np.ndarray
    y: np.ndarray
    z: np.ndarray

    def frame(self) -> pd.DataFrame:
        """Long format ``x, y, z`` (one row per grid point).

        Returns
        -------
        pandas.DataFrame
        """
        X, Y = np.meshgrid(self.x, self.y)
        return pd.DataFrame({"x": X.ravel(), "y": Y.ravel(), "z": self.z.ravel()})


def contour_levels(z: np.ndarray, n: int = 14, log: bool = True) -> np.ndarray:
    """``n`` contour levels for ``z``: geometric above the minimum if ``log``, else linear.

    Levels span the 0.5 % to 90 % quantiles of ``z − min z`` (log) or the 2 % to 98 %
    quantiles of ``z`` (linear), so a few huge values at the edge of the box do not
    flatten everything.

    Parameters
    ----------
    z : numpy.ndarray
        Values (non-finite ones are ignored).
    n : int, default 14
        Number of levels.
    log : bool, default True
        Geometric spacing above ``min z`` (for surfaces with a large range).

    Returns
    -------
    numpy.ndarray
        The levels, increasing (empty if ``z`` has no finite spread).
    """
    zf = z[np.isfinite(z)]
    if zf.size == 0:
        return np.empty(0)
    lo = float(zf.min())
    if log:
        s = zf - lo
        pos = s[s > 0]
        if pos.size == 0:
            return np.empty(0)
        a = float(np.quantile(pos, 0.005))
        b = float(np.quantile(pos, 0.9))
        if not b > a:
            return np.array([lo + a])
        return lo + np.geomspace(a, b, n)
    a, b = np.quantile(zf, [0.02, 0.98])
    return np.linspace(a, b, n)


def contour_segments(grid: SurfaceGrid, levels: Sequence[float] | np.ndarray) -> pd.DataFrame:
    """Contour lines of a grid as line segments (vectorised marching squares).

    Parameters
    ----------
    grid : SurfaceGrid
        The sampled function.
    levels : sequence of float or numpy.ndarray
        Values whose level sets are drawn.

    Returns
    -------
    pandas.DataFrame
        Columns ``x, y, x2, y2, level``: one row per segment, ready for an Altair
        ``mark_rule``.
    """
    x, y, z = grid.x, grid.y, grid.z
    z00, z01 = z[:-1, :-1], z[:-1, 1:]  # bottom-left, bottom-right
    z10, z11 = z[1:, :-1], z[1:, 1:]  # top-left, top-right
    xl = np.broadcast_to(x[:-1][None, :], z00.shape)
    xr = np.broadcast_to(x[1:][None, :], z00.shape)
    yb = np.broadcast_to(y[:-1][:, None], z00.shape)
    yt = np.broadcast_to(y[1:][:, None], z00.shape)
    centre = (z00 + z01 + z10 + z11) / 4
    frames = []
    with np.errstate(divide="ignore", invalid="ignore"):
        for level in levels:
            a00, a01, a10, a11 = z00 > level, z01 > level, z10 > level, z11 > level
            # crossing points on the four edges (nan where the edge is not crossed)
            tb = (level - z00) / (z01 - z00)
            tr = (level - z01) / (z11 - z01)
            tt = (level - z10) / (z11 - z10)
            tl = (level - z00) / (z10 - z00)
            cross = np.stack([a00 != a01, a01 != a11, a10 != a11, a00 != a10])  # b, r, t, l
            px = np.stack([xl + tb * (xr - xl), xr, xl + tt * (xr - xl), xl])
            py = np.stack([yb, yb + tr * (yt - yb), yt, yb + tl * (yt - yb)])
            count = cross.sum(axis=0)
            # cells with one segment: the two crossed edges, in b, r, t, l order
            two = count == 2
            if two.any():
                idx = np.argsort(~cross[:, two], axis=0, kind="stable")[:2]
                cols = np.nonzero(two.ravel())[0]
                pxs = px.reshape(4, -1)[:, cols]
                pys = py.reshape(4, -1)[:, cols]
                j = np.arange(cols.size)
                frames.append(
                    pd.DataFrame(
                        {
                            "x": pxs[idx[0], j],
                            "y": pys[idx[0], j],
                            "x2": pxs[idx[1], j],
                            "y2": pys[idx[1], j],
                            "level": level,
                        }
                    )
                )
            # saddle cells: two segments, disambiguated by the centre value
            four = count == 4
            if four.any():
                same = (centre > level)[four] == a00[four]
                pxs = px[:, four]
                pys = py[:, four]
                # same side as bottom-left: (b, r) and (t, l); otherwise (b, l) and (t, r)
                e1 = np.where(same, 1, 3)
                e2 = np.where(same, 3, 1)
                j = np.arange(pxs.shape[1])
                for a_, b_ in ((np.zeros_like(e1), e1), (np.full_like(e1, 2), e2)):
                    frames.append(
                        pd.DataFrame(
                            {
                                "x": pxs[a_, j],
                                "y": pys[a_, j],
                                "x2": pxs[b_, j],
                                "y2": pys[b_, j],
                                "level": level,
                            }
                        )
                    )
    if not frames:
        return pd.DataFrame({c: [] for c in _SEGMENT_COLUMNS})
    out = pd.concat(frames, ignore_index=True)
    # 5 significant digits of the box are plenty for a picture and halve the JSON size
    span = max(float(np.ptp(x)), float(np.ptp(y)), 1e-300)
    digits = max(0, 5 - int(math.floor(math.log10(span))))
    out[["x", "y", "x2", "y2"]] = out[["x", "y", "x2", "y2"]].round(digits)
    return out


def contours(
    grid: SurfaceGrid, levels: int = 14, log: bool = True, max_rows: int | None = None
) -> pd.DataFrame:
    """Contour segments of ``grid`` at ``levels`` automatic levels, at most ``max_rows``.

    Altair refuses to embed more than 5000 rows by default (and every row is sent to
    the browser on each animation frame), so with ``max_rows`` a bumpy surface gets
    fewer levels (down to 3) until its segments fit, and is cut there if they still
    do not.

    Parameters
    ----------
    grid : SurfaceGrid
        The sampled function.
    levels : int, default 14
        Number of levels (see :func:`contour_levels`).
    log : bool, default True
        Geometric spacing of the levels.
    max_rows : int, optional
        Largest number of segments returned.

    Returns
    -------
    pandas.DataFrame
        ``x, y, x2, y2, level`` (see :func:`contour_segments`).
    """
    k = levels
    while True:
        seg = contour_segments(grid, contour_levels(grid.z, n=k, log=log))
        if max_rows is None:
            return seg
        if len(seg) <= max_rows or k <= 3:
            return seg.iloc[:max_rows]
        k -= 1


def thin_indices(n: int, max_points: int = 400) -> np.ndarray:
    """At most ``max_points`` indices of ``range(n)``, evenly spread, first and last kept.

    Parameters
    ----------
    n : int
        Length of the sequence.
    max_points : int, default 400
        Largest number of indices returned.

    Returns
    -------
    numpy.ndarray
        Increasing integer indices.
    """
    if n <= max_points:
        return np.arange(n)
    return np.unique(np.round(np.linspace(0, n - 1, max_points)).astype(int))
