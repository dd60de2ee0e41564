"""Shared pieces of the perceptron page's charts: colours, axes, grids, polygons, points."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

import altair as alt
import numpy as np
import pandas as pd

from nnkit.perceptron import plane_grid

Range = tuple[float, float]

CLASS_COLORS = ("#4c78a8", "#f58518")
"""Class 0 blue, class 1 orange, in every chart of the page."""
MISTAKE_COLOR = "#d62728"
"""Red rings around misclassified points; negative weights."""
NEURON_COLORS = ("#E69F00", "#0072B2", "#009E73", "#CC79A7", "#D55E00", "#56B4E9")
"""One colour per neuron of a layer (Okabe–Ito, distinguishable with colour blindness)."""
FIRING_SCHEME: Final = "yellowgreenblue"
"""Sequential scheme for "how many neurons fire" (ColorBrewer YlGnBu: light to dark,
readable with every common colour-vision deficiency, unlike near-equal greys)."""
# Keep the requested plot height when the chart is stretched to the page width (the
# default "fit" autosize would squeeze legends and axes into the height).
FIT_X = alt.AutoSizeParams(type="fit-x", contains="padding")


def axes(
    x_range: Range, y_range: Range, titles: Sequence[str] = ("x₁", "x₂")
) -> tuple[alt.X, alt.Y]:
    x = alt.X("x1:Q", title=titles[0], scale=alt.Scale(domain=list(x_range), nice=False))
    y = alt.Y("x2:Q", title=titles[1], scale=alt.Scale(domain=list(y_range), nice=False))
    return x, y


def grid_cells(x_range: Range, y_range: Range, steps: int) -> pd.DataFrame:
    """Grid cells (centre and edges) covering the view, for heat maps."""
    pts = plane_grid(x_range, y_range, steps)
    dx = (x_range[1] - x_range[0]) / (steps - 1)
    dy = (y_range[1] - y_range[0]) / (steps - 1)
    return pd.DataFrame(
        {
            "x1": pts[:, 0],
            "x2": pts[:, 1],
            # cells overlap by 2% so no hairline seams show between them
            "x1_lo": pts[:, 0] - 0.51 * dx,
            "x1_hi": pts[:, 0] + 0.51 * dx,
            "x2_lo": pts[:, 1] - 0.51 * dy,
            "x2_hi": pts[:, 1] + 0.51 * dy,
        }
    )


def polygon_bands(poly: np.ndarray) -> pd.DataFrame:
    """A convex polygon as vertical bands (x, lower y, upper y) for an area mark.

    Between two consecutive vertex abscissae both boundaries are straight, so the
    area mark's linear interpolation draws the polygon exactly.
    """
    if len(poly) < 3:
        return pd.DataFrame({"x1": [], "lo": [], "hi": []})
    xs = np.unique(poly[:, 0])
    edges = list(zip(poly, np.roll(poly, -1, axis=0), strict=True))
    lo, hi = [], []
    for x in xs:
        ys = []
        for p, q in edges:
            if min(p[0], q[0]) <= x <= max(p[0], q[0]):
                if p[0] == q[0]:
                    ys += [p[1], q[1]]
                else:
                    t = (x - p[0]) / (q[0] - p[0])
                    ys.append(p[1] + t * (q[1] - p[1]))
        lo.append(min(ys))
        hi.append(max(ys))
    return pd.DataFrame({"x1": xs, "lo": lo, "hi": hi})


def segment_chart(
    seg: np.ndarray | None,
    x_range: Range,
    y_range: Range,
    color: str = "black",
) -> alt.Chart | None:
    if seg is None:
        return None
    x, y = axes(x_range, y_range)
    df = pd.DataFrame({"x1": seg[:, 0], "x2": seg[:, 1]})
    return alt.Chart(df).mark_line(color=color, strokeWidth=2.5, clip=True).encode(x=x, y=y)


def rect_cells(
    cells: pd.DataFrame, x_range: Range, y_range: Range, titles: Sequence[str] = ("x₁", "x₂")
) -> alt.Chart:
    return (
        alt.Chart(cells)
        .mark_rect(clip=True, strokeWidth=0.8, aria=False)  # grid cells: described by the chart
        .encode(
            x=alt.X("x1_lo:Q", title=titles[0], scale=alt.Scale(domain=list(x_range), nice=False)),
            x2=alt.X2("x1_hi:Q"),
            y=alt.Y("x2_lo:Q", title=titles[1], scale=alt.Scale(domain=list(y_range), nice=False)),
            y2=alt.Y2("x2_hi:Q"),
        )
    )


def points_chart(
    points: pd.DataFrame, x_range: Range, y_range: Range, size: int = 110, title: str = "class"
) -> alt.Chart:
    x, y = axes(x_range, y_range)
    df = points.copy()
    df["class"] = df["label"].astype(int).astype(str)
    return (
        alt.Chart(df)
        .mark_point(filled=True, size=size, opacity=0.9, clip=True)
        .encode(
            x=x,
            y=y,
            color=alt.Color(
                "class:N",
                title=title,
                scale=alt.Scale(domain=["0", "1"], range=list(CLASS_COLORS)),
            ),
            shape=alt.Shape(
                "class:N",
                title=title,
                scale=alt.Scale(domain=["0", "1"], range=["circle", "square"]),
            ),
            tooltip=[
                alt.Tooltip("x1:Q", format=".3f"),
                alt.Tooltip("x2:Q", format=".3f"),
                alt.Tooltip("class:N"),
            ],
        )
    )
