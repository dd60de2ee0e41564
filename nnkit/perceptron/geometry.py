"""Geometry of threshold units on the plane: boundaries, half-planes, a layer's cells.

A neuron with weights w and bias b splits the plane along the line w · x + b = 0.
:func:`boundary_segment` clips that line to a view, :func:`half_plane_polygon` gives
either side as a polygon, and :func:`layer_regions` the convex cells into which the
lines of a whole layer cut a rectangle (with who fires in each), from which
:func:`layer_firing_shares` reads exact areas. :func:`plane_grid` and :func:`view_box`
give the grids and fixed axes of the pictures.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

__all__ = [
    "Range",
    "boundary_segment",
    "half_plane_polygon",
    "layer_firing_shares",
    "layer_regions",
    "plane_grid",
    "view_box",
]

Range = tuple[float, float]
"""An interval (low, high) of one axis."""


def plane_grid(x_range: Range, y_range: Range, steps: int = 60) -> np.ndarray:
    """Points of a regular ``steps × steps`` grid covering a rectangle.

    Parameters
    ----------
    x_range, y_range : (float, float)
        The rectangle.
    steps : int, default 60
        Points per side (at least 2).

    Returns
    -------
    ndarray of shape (steps * steps, 2)
        Columns x1, x2.
    """
    if steps < 2:
        raise ValueError(f"steps must be at least 2, got {steps}")
    g1 = np.linspace(*x_range, steps)
    g2 = np.linspace(*y_range, steps)
    a, c = np.meshgrid(g1, g2)
    return np.column_stack([a.ravel(), c.ravel()])


def view_box(X: ArrayLike, pad: float = 0.25, min_span: float = 1.0) -> tuple[Range, Range]:
    """A rectangle around 2-D points with a margin, for fixed chart axes.

    Parameters
    ----------
    X : array_like of shape (n_samples, 2)
    pad : float, default 0.25
        Margin added on every side, as a fraction of the larger span.
    min_span : float, default 1
        Smallest span used for the margin (so 4 gate points get room too).

    Returns
    -------
    ((x1_low, x1_high), (x2_low, x2_high))
    """
    P = np.asarray(X, dtype=float)
    lo, hi = P.min(axis=0), P.max(axis=0)
    m = pad * max(float(np.max(hi - lo)), min_span)
    return (float(lo[0] - m), float(hi[0] + m)), (float(lo[1] - m), float(hi[1] + m))


def boundary_segment(w: ArrayLike, b: float, x_range: Range, y_range: Range) -> np.ndarray | None:
    """The part of the line w1·x1 + w2·x2 + b = 0 inside a rectangle.

    Parameters
    ----------
    w : array_like of shape (2,)
    b : float
    x_range, y_range : (float, float)
        The rectangle.

    Returns
    -------
    ndarray of shape (2, 2) or None
        The two end points (rows, as (x1, x2)), or None when the line misses the
        rectangle or w = 0 (no line: the neuron's output is constant).
    """
    w1, w2 = (float(v) for v in np.asarray(w, dtype=float)[:2])
    b = float(b)
    (x0, x1), (y0, y1) = x_range, y_range
    pts: list[tuple[float, float]] = []
    if w2 != 0:
        for x in (x0, x1):
            y = -(w1 * x + b) / w2
            if y0 <= y <= y1:
                pts.append((x, y))
    if w1 != 0:
        for y in (y0, y1):
            x = -(w2 * y + b) / w1
            if x0 <= x <= x1:
                pts.append((x, y))
    if len(pts) < 2:
        return None
    pts_arr = np.unique(np.round(np.array(pts), 12), axis=0)
    if len(pts_arr) < 2:
        return None
    # the two points farthest apart (corners can appear twice)
    d = np.linalg.norm(pts_arr[:, None, :] - pts_arr[None, :, :], axis=-1)
    i, j = np.unravel_index(np.argmax(d), d.shape)
    return pts_arr[[i, j]]


def half_plane_polygon(
    w: ArrayLike, b: float, x_range: Range, y_range: Range, positive: bool = True
) -> np.ndarray:
    """The part of a rectangle where w · x + b ≥ 0 (``positive``) or < 0, as a polygon.

    The rectangle is clipped by the line (Sutherland–Hodgman with one edge), so the
    result is convex.

    Parameters
    ----------
    w : array_like of shape (2,)
    b : float
    x_range, y_range : (float, float)
        The rectangle.
    positive : bool, default True
        Which side: z ≥ 0 (where a Heaviside unit outputs 1) or z < 0.

    Returns
    -------
    ndarray of shape (k, 2)
        Vertices in order (k = 0 when that side misses the rectangle).
    """
    (x0, x1), (y0, y1) = x_range, y_range
    box = np.array([(x0, y0), (x1, y0), (x1, y1), (x0, y1)], dtype=float)
    return _clip(box, w, b, positive)


def layer_regions(
    W: ArrayLike, b: ArrayLike, x_range: Range, y_range: Range
) -> list[tuple[tuple[bool, ...], np.ndarray]]:
    """The cells into which a layer's lines cut a rectangle, with who fires in each.

    Parameters
    ----------
    W : array_like of shape (n_neurons, 2)
    b : array_like of shape (n_neurons,)
    x_range, y_range : (float, float)

    Returns
    -------
    list of (pattern, polygon)
        ``pattern[j]`` is True where neuron j fires (w_j · x + b_j ≥ 0); ``polygon``
        the convex cell (vertices in order). Only non-empty cells are listed; they
        tile the rectangle.
    """
    Wa = np.atleast_2d(np.asarray(W, dtype=float))
    ba = np.asarray(b, dtype=float).reshape(-1)
    (x0, x1), (y0, y1) = x_range, y_range
    cells: list[tuple[tuple[bool, ...], np.ndarray]] = [
        ((), np.array([(x0, y0), (x1, y0), (x1, y1), (x0, y1)], dtype=float))
    ]
    for j in range(len(Wa)):
        nxt = []
        for pattern, poly in cells:
            for fires in (True, False):
                part = _clip(poly, Wa[j], float(ba[j]), fires)
                if len(part) >= 3 and _area(part) > 1e-12:
                    nxt.append(((*pattern, fires), part))
        cells = nxt
    return cells


def layer_firing_shares(W: ArrayLike, b: ArrayLike, x_range: Range, y_range: Range) -> np.ndarray:
    """Share of a rectangle where exactly 0, 1, …, k neurons of a layer fire (w·x + b ≥ 0).

    Exact: the areas of the cells of :func:`layer_regions` divided by the rectangle's.

    Parameters
    ----------
    W : array_like of shape (n_neurons, 2)
    b : array_like of shape (n_neurons,)
    x_range, y_range : (float, float)
        The rectangle.

    Returns
    -------
    ndarray of shape (k + 1,)
        Entry j is the share of the rectangle where exactly j neurons fire (sums to 1).
    """
    k = len(np.atleast_2d(np.asarray(W, dtype=float)))
    total = (x_range[1] - x_range[0]) * (y_range[1] - y_range[0])
    shares = np.zeros(k + 1)
    for pattern, poly in layer_regions(W, b, x_range, y_range):
        shares[sum(pattern)] += _area(poly) / total
    return shares


def _clip(poly: np.ndarray, w: ArrayLike, b: float, positive: bool) -> np.ndarray:
    """Clip a convex polygon to the side w · x + b ≥ 0 (or < 0): Sutherland–Hodgman."""
    wa = np.asarray(w, dtype=float)
    sign = 1.0 if positive else -1.0

    def value(p: np.ndarray) -> float:
        return float(sign * (wa[0] * p[0] + wa[1] * p[1] + b))

    out: list[tuple[float, float]] = []
    for k in range(len(poly)):
        cur, prev = poly[k], poly[k - 1]
        vc, vp = value(cur), value(prev)
        if (vc >= 0) != (vp >= 0):  # the edge crosses the line
            t = vp / (vp - vc)
            out.append((prev[0] + t * (cur[0] - prev[0]), prev[1] + t * (cur[1] - prev[1])))
        if vc >= 0:
            out.append((cur[0], cur[1]))
    return np.array(out, dtype=float).reshape(-1, 2)


def _area(poly: np.ndarray) -> float:
    x, y = poly[:, 0], poly[:, 1]
    return 0.5 * abs(float(np.dot(x, np.roll(y, -1)) - np.dot(y, np.roll(x, -1))))
