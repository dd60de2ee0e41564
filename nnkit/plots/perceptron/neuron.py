"""Activation functions and one neuron's output over the plane."""

from __future__ import annotations

import altair as alt
import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

from nnkit.perceptron import boundary_segment, neuron_output
from nnkit.plots.perceptron._base import (
    FIT_X,
    Range,
    grid_cells,
    points_chart,
    rect_cells,
    segment_chart,
)
from nnkit.plots.style import PALETTE, independent_scales

__all__ = ["activation_chart", "neuron_cells", "neuron_chart"]


def activation_chart(table: pd.DataFrame, kind: str = "value", height: int = 320) -> alt.Chart:
    """Activation functions (``kind="value"``) or their derivatives (``"derivative"``).

    Parameters
    ----------
    table : pandas.DataFrame
        Output of :func:`nnkit.activations.curves` (columns name, label, x, value,
        derivative).
    kind : {"value", "derivative"}
    height : int, default 320

    Returns
    -------
    altair.Chart
        One coloured line per activation; click a legend entry to highlight it.
    """
    if kind not in ("value", "derivative"):
        raise ValueError(f"kind must be 'value' or 'derivative', got {kind!r}")
    title = "Activation f(x)" if kind == "value" else "Derivative f′(x)"
    hover = alt.selection_point(fields=["label"], bind="legend")
    return (
        alt.Chart(table)
        .mark_line(strokeWidth=2.5)
        .encode(
            x=alt.X("x:Q", title="x"),
            y=alt.Y(f"{kind}:Q", title="f(x)" if kind == "value" else "f′(x)"),
            color=alt.Color(
                "label:N",
                title="activation",
                scale=alt.Scale(range=PALETTE),
                legend=alt.Legend(orient="bottom", columns=2, labelLimit=220),
            ),
            opacity=alt.OpacityValue(0.15, condition={"param": hover.name, "value": 1.0}),
            tooltip=[
                alt.Tooltip("label:N", title="activation"),
                alt.Tooltip("x:Q", format=".3f"),
                alt.Tooltip("value:Q", title="f(x)", format=".4f"),
                alt.Tooltip("derivative:Q", title="f′(x)", format=".4f"),
            ],
        )
        .add_params(hover)
        .properties(
            title=title,
            height=height,
            width="container",
            autosize=FIT_X,
            description=f"Line chart of {title} against x for: "
            + ", ".join(dict.fromkeys(table["label"]))
            + ".",
        )
    )


def neuron_chart(
    cells: pd.DataFrame,
    w: ArrayLike,
    b: float,
    x_range: Range,
    y_range: Range,
    output_range: Range | None = None,
    points: pd.DataFrame | None = None,
    height: int = 380,
) -> alt.LayerChart:
    """Output surface of one neuron as a heat map, with its decision line w·x + b = 0.

    Parameters
    ----------
    cells : pandas.DataFrame
        Columns x1, x2, x1_lo, x1_hi, x2_lo, x2_hi, output (see :func:`neuron_cells`).
    w : array_like of shape (2,)
        The neuron's weights (for the line).
    b : float
        Its bias.
    x_range, y_range : (float, float)
        The view.
    output_range : (float, float), optional
        Fixes the colour scale (e.g. (0, 1) for the sigmoid) so colours mean the
        same thing as the sliders move.
    points : pandas.DataFrame, optional
        Columns x1, x2, label (0/1): data to overlay.
    height : int, default 380
        Plot height in pixels.

    Returns
    -------
    altair.LayerChart
        The heat map, the line w·x + b = 0 where it crosses the view, the points.
    """
    scale = (
        alt.Scale(scheme="blueorange", domain=list(output_range))
        if output_range is not None
        else alt.Scale(scheme="blueorange")
    )
    heat = rect_cells(cells, x_range, y_range).encode(
        color=alt.Color("output:Q", title="output", scale=scale),
        stroke=alt.Stroke("output:Q", scale=scale, legend=None),  # hides hairline seams
        tooltip=[
            alt.Tooltip("x1:Q", format=".2f"),
            alt.Tooltip("x2:Q", format=".2f"),
            alt.Tooltip("z:Q", title="z = w·x + b", format=".3f"),
            alt.Tooltip("output:Q", format=".4f"),
        ],
    )
    layers = [heat]
    line = segment_chart(boundary_segment(w, b, x_range, y_range), x_range, y_range)
    if line is not None:
        layers.append(line)
    if points is not None and len(points):
        layers.append(points_chart(points, x_range, y_range, title="H(z) at corner"))
    return alt.layer(
        *layers,
        resolve=independent_scales("color", "shape"),
        height=height,
        width="container",
        autosize=FIT_X,
        description="Heat map of one neuron's output over the plane (x₁, x₂), "
        "with its decision line w·x + b = 0.",
    )


def neuron_cells(
    x_range: Range,
    y_range: Range,
    w: ArrayLike,
    b: float,
    activation: str,
    steps: int = 50,
) -> pd.DataFrame:
    """Heat-map cells of one neuron's net input z and output σ(z) over the view.

    Parameters
    ----------
    x_range, y_range : (float, float)
        The view.
    w : array_like of shape (2,)
        The neuron's weights.
    b : float
        Its bias.
    activation : str
        A name from :mod:`nnkit.activations`.
    steps : int, default 50
        Cells per side.

    Returns
    -------
    pandas.DataFrame
        Columns x1, x2 (centres), x1_lo, x1_hi, x2_lo, x2_hi (edges), z, output.
    """
    cells = grid_cells(x_range, y_range, steps)
    X = cells[["x1", "x2"]].to_numpy()
    cells["z"] = X @ np.asarray(w, dtype=float) + float(b)
    cells["output"] = neuron_output(X, w, b, activation)
    return cells
