"""Charts of the XOR page: a network's decision boundary, and success rates over seeds.

Both take plain data (a grid from :func:`nnkit.xor.decision_grid`, the table of
:func:`nnkit.xor.xor_study`) and return Altair charts.
"""

from __future__ import annotations

import altair as alt
import numpy as np
import pandas as pd

from nnkit.plots.style import BLUE, ORANGE, describe, stretch, with_properties

__all__ = ["decision_boundary", "success_rates"]


def decision_boundary(
    grid: pd.DataFrame, X: np.ndarray, y: np.ndarray, *, title: str = "", size: int = 300
) -> alt.LayerChart:
    """P(class 1) as a heat-map, the decision boundary (p = ½) and the data points by class.

    Parameters
    ----------
    grid : DataFrame
        ``x, y, p`` (and ``boundary``) from :func:`nnkit.xor.decision_grid`.
    X : numpy.ndarray, shape (n, 2)
        Data points.
    y : numpy.ndarray, shape (n,)
        Their classes (0 or 1).
    title : str
        Chart title.
    size : int
        Width and height in pixels.

    Returns
    -------
    altair.LayerChart
    """
    xs = np.sort(grid["x"].unique())
    step = float(xs[1] - xs[0]) if len(xs) > 1 else 0.05
    half = 0.6 * step
    df = grid.assign(
        x2=grid["x"] + half,
        y2=grid["y"] + half,
        x=grid["x"] - half,
        y=grid["y"] - half,
    )
    lo, hi = float(df["x"].min()), float(df["x2"].max())
    sc = alt.Scale(domain=[lo, hi], nice=False)
    field = (
        alt.Chart(df, title=title, width=size, height=size)
        .mark_rect(aria=False)  # hundreds of cells: the chart's description speaks for them
        .encode(
            x=alt.X("x:Q", scale=sc, title="x₁"),
            x2=alt.X2("x2:Q"),
            y=alt.Y("y:Q", scale=sc, title="x₂"),
            y2=alt.Y2("y2:Q"),
            color=alt.Color(
                "p:Q",
                scale=alt.Scale(scheme="blueorange", domain=[0, 1]),
                title="P(class 1)",
                legend=alt.Legend(orient="bottom", gradientLength=size - 40),
            ),
        )
    )
    pts = pd.DataFrame(
        {"x": np.asarray(X)[:, 0], "y": np.asarray(X)[:, 1], "class": np.asarray(y).astype(str)}
    )
    dots = (
        alt.Chart(pts)
        .mark_point(filled=True, size=90, stroke="black", strokeWidth=1)
        .encode(
            x=alt.X("x:Q", scale=sc),
            y=alt.Y("y:Q", scale=sc),
            shape=alt.Shape(
                "class:N",
                title="class",
                scale=alt.Scale(domain=["0", "1"], range=["circle", "square"]),
            ),
            fill=alt.Fill(
                "class:N",
                scale=alt.Scale(domain=["0", "1"], range=[BLUE, ORANGE]),
                legend=None,
            ),
        )
    )
    edge = grid[grid["boundary"]] if "boundary" in grid else grid.iloc[:0]
    boundary = (
        alt.Chart(edge)
        .mark_square(size=5, color="black", opacity=0.8)
        .encode(x=alt.X("x:Q", scale=sc), y=alt.Y("y:Q", scale=sc))
    )
    chart = with_properties(field + boundary + dots, autosize=alt.AutoSizeParams(type="pad"))
    return describe(
        chart,
        "Heat map of the network's probability of class 1 over (x₁, x₂), "
        + (
            "its decision boundary (p = ½)"
            if len(edge)
            else "with no decision boundary (p never crosses ½ here)"
        )
        + " and the data: class 0 circles, class 1 squares.",
    )


def success_rates(df: pd.DataFrame, *, height: int = 260) -> alt.Chart:
    """Success rate (over seeds) per architecture: hidden units on x, one line per depth.

    Parameters
    ----------
    df : DataFrame
        From :func:`nnkit.xor.xor_study`; the no-hidden-layer row is a dashed rule.
    height : int
        Plot height in pixels.

    Returns
    -------
    altair.Chart
    """
    d = df.assign(depth=df["layers"].map(lambda k: f"{k} hidden layer{'s' if k != 1 else ''}"))
    zero = d[d["layers"] == 0]
    rest = d[d["layers"] > 0]
    lines = (
        alt.Chart(rest, title="XOR solved (out of the seeds tried)", height=height)
        .mark_line(point=True)
        .encode(
            x=alt.X("units:O", title="units per hidden layer", axis=alt.Axis(labelAngle=0)),
            y=alt.Y(
                "success_rate:Q",
                scale=alt.Scale(domain=[0, 1]),
                axis=alt.Axis(format="%"),
                title="success rate",
            ),
            color=alt.Color("depth:N", title=None, legend=alt.Legend(orient="top")),
            tooltip=[
                alt.Tooltip("architecture"),
                alt.Tooltip("successes"),
                alt.Tooltip("seeds"),
                alt.Tooltip("mean_accuracy:Q", format=".0%", title="mean accuracy"),
            ],
        )
    )
    if len(zero):  # a dashed rule for the one neuron
        rule = (
            alt.Chart(zero)
            .mark_rule(strokeDash=[4, 3], color="gray")
            .encode(
                y=alt.Y("success_rate:Q"),
                tooltip=[
                    alt.Tooltip("architecture"),
                    alt.Tooltip("successes"),
                    alt.Tooltip("seeds"),
                ],
            )
        )
    text = "Line chart of the share of seeds that solve XOR against the units per hidden layer"
    if len(zero):
        return stretch(lines + rule, text + ", one line per depth; dashed: no hidden layer.")
    return stretch(lines, text + ", one line per depth.")


# ----------------------------------------------------------------------------- fast live views
# Building and validating an Altair chart costs tens of milliseconds (hundreds on a busy
# server). A live view redraws 5 times a second beside a training thread that needs the
# CPU, so while training runs the pages draw with these cheap forms instead: a raw
# Vega-Lite dict (no Altair validation) and a colour-mapped image (numpy only).
