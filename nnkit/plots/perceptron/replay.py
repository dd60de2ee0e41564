"""A perceptron's training replayed: the line and mistakes at one frame, mistakes per epoch."""

from __future__ import annotations

from collections.abc import Sequence

import altair as alt
import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

from nnkit.perceptron import FrameState, boundary_segment, half_plane_polygon
from nnkit.plots.perceptron._base import (
    CLASS_COLORS,
    FIT_X,
    MISTAKE_COLOR,
    Range,
    axes,
    points_chart,
    polygon_bands,
    segment_chart,
)
from nnkit.plots.style import WHOLE_NUMBERS, independent_scales

__all__ = ["mistakes_chart", "replay_chart", "training_chart"]


def _half_planes(
    w: ArrayLike,
    b: float,
    x_range: Range,
    y_range: Range,
    labels: Sequence[str] = ("predicted 0", "predicted 1"),
    title: str = "perceptron says",
) -> alt.Chart:
    """Two shaded areas: where w·x + b < 0 and where it is ≥ 0."""
    parts = []
    for positive, label in ((False, labels[0]), (True, labels[1])):
        bands = polygon_bands(half_plane_polygon(w, b, x_range, y_range, positive))
        if len(bands):
            bands["side"] = label
            parts.append(bands)
    df = pd.concat(parts, ignore_index=True)
    return (
        alt.Chart(df)
        .mark_area(opacity=0.16, clip=True, line=False)
        .encode(
            x=alt.X("x1:Q", title="x₁", scale=alt.Scale(domain=list(x_range), nice=False)),
            y=alt.Y("lo:Q", title="x₂", scale=alt.Scale(domain=list(y_range), nice=False)),
            y2=alt.Y2("hi:Q"),
            color=alt.Color(
                "side:N",
                title=title,
                scale=alt.Scale(domain=list(labels), range=list(CLASS_COLORS)),
            ),
            detail=alt.Detail("side:N"),
        )
    )


def training_chart(
    X: np.ndarray,
    y01: np.ndarray,
    w: ArrayLike,
    b: float,
    x_range: Range,
    y_range: Range,
    misclassified: np.ndarray,
    current: int | None = None,
    height: int = 400,
    title: str = "",
) -> alt.LayerChart:
    """The data, the perceptron's line at one frame, its two half-planes and its mistakes.

    Parameters
    ----------
    X : ndarray of shape (n, 2)
    y01 : ndarray of shape (n,)
        True class, 0 or 1.
    w : array_like of shape (2,)
        Weights at this frame.
    b : float
        Bias at this frame.
    x_range, y_range : (float, float)
        The fixed view.
    misclassified : bool ndarray of shape (n,)
        Points on the wrong side at this frame (red rings).
    current : int or None
        Row of the sample whose mistake caused this frame's update (black diamond).
    height : int, default 400
        Plot height in pixels.
    title : str, default ""
        Chart title.

    Returns
    -------
    altair.LayerChart
    """
    shade = _half_planes(w, b, x_range, y_range)
    pts = pd.DataFrame({"index": np.arange(len(X)), "x1": X[:, 0], "x2": X[:, 1], "label": y01})
    layers = [shade, points_chart(pts, x_range, y_range)]
    line = segment_chart(boundary_segment(w, b, x_range, y_range), x_range, y_range)
    if line is not None:
        layers.append(line)
    x, yy = axes(x_range, y_range)
    wrong = pts[np.asarray(misclassified, dtype=bool)]
    if len(wrong):
        layers.append(
            alt.Chart(wrong)
            .mark_point(shape="circle", size=260, strokeWidth=2, color=MISTAKE_COLOR, clip=True)
            .encode(x=x, y=yy)
        )
    if current is not None and 0 <= current < len(X):
        layers.append(
            alt.Chart(pts.iloc[[current]])
            .mark_point(shape="diamond", size=500, strokeWidth=2.5, color="black", clip=True)
            .encode(x=x, y=yy)
        )
    return alt.layer(  # one constructor call: each later copy would deep-copy the layers
        *layers,
        resolve=independent_scales("color", "shape"),
        height=height,
        width="container",
        autosize=FIT_X,
        title=title,
        description="Scatter plot of the data by class with the perceptron's line, "
        f"its two half-planes and its mistakes ringed. {title}",
    )


def replay_chart(
    X: np.ndarray,
    y01: np.ndarray,
    state: FrameState,
    x_range: Range,
    y_range: Range,
    height: int = 400,
) -> alt.LayerChart:
    """One frame of a perceptron's replay: :func:`training_chart` drawn from a frame state.

    The line, the shading, the rings, the diamond and the title (the frame's
    :attr:`~nnkit.perceptron.FrameState.position` with its w and b) all come from the
    one ``state``, so the picture and the text built from the same state agree.

    Parameters
    ----------
    X : ndarray of shape (n, 2)
    y01 : ndarray of shape (n,)
        True class, 0 or 1.
    state : FrameState
        From :meth:`nnkit.perceptron.Perceptron.replay`.
    x_range, y_range : (float, float)
        The fixed view.
    height : int, default 400
        Plot height in pixels.

    Returns
    -------
    altair.LayerChart
    """
    w_txt = ", ".join(f"{float(v):.3g}" for v in state.w)
    return training_chart(
        X,
        y01,
        state.w,
        state.b,
        x_range,
        y_range,
        state.misclassified,
        state.sample if state.is_update else None,
        height=height,
        title=f"{state.position}: w = ({w_txt}), b = {state.b:.3g}",
    )


def mistakes_chart(
    epochs: pd.DataFrame, current_epoch: int | None = None, height: int = 260
) -> alt.Chart:
    """Mistakes (updates) made in each epoch; the epoch being replayed is highlighted.

    Parameters
    ----------
    epochs : pandas.DataFrame
        ``Perceptron.history_.epochs`` (columns epoch, mistakes, errors_after).
    current_epoch : int or None
        Epoch to highlight (None: none).
    height : int, default 260
        Plot height in pixels.

    Returns
    -------
    altair.Chart
    """
    df = epochs[["epoch", "mistakes", "errors_after"]].copy()
    df["now"] = df["epoch"] == (current_epoch if current_epoch is not None else -1)
    df["lo"] = df["epoch"] - 0.42
    df["hi"] = df["epoch"] + 0.42
    bars = (
        alt.Chart(df)
        .mark_rect()
        .encode(
            x=alt.X(
                "lo:Q",
                title="epoch",
                scale=alt.Scale(domain=[0.5, float(df["epoch"].max()) + 0.5], nice=False),
                axis=alt.Axis(**WHOLE_NUMBERS),
            ),
            x2=alt.X2("hi:Q"),
            y=alt.Y(  # a count: whole-number ticks (it read 0.5, 1.5, 2.5 mistakes)
                "mistakes:Q",
                title="mistakes (updates) in the epoch",
                axis=alt.Axis(**WHOLE_NUMBERS),
            ),
            color=alt.ColorValue(
                "#888888", condition={"test": "datum.now", "value": MISTAKE_COLOR}
            ),
            tooltip=[
                alt.Tooltip("epoch:Q"),
                alt.Tooltip("mistakes:Q", title="mistakes during epoch"),
                alt.Tooltip("errors_after:Q", title="misclassified after epoch"),
            ],
        )
    )
    return bars.properties(
        height=height,
        width="container",
        autosize=FIT_X,
        description="Bar chart of the perceptron's mistakes in each epoch.",
    )
