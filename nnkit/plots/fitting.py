"""Charts of lecture 1's function-fitting page: loss curves, heat-maps, slices, width sweep.

The XOR page's charts are in :mod:`nnkit.plots.xor` (re-exported here under their old
names).

Every builder takes plain data (a :class:`nnkit.training.History`, a
:class:`~nnkit.function_fitting.FitEvaluation`, a DataFrame from
:mod:`nnkit.function_fitting` or :mod:`nnkit.xor`) and returns an Altair chart. Heat-maps of fine grids have more
than Altair's default 5,000 rows: in Jupyter call ``alt.data_transformers.disable_max_rows()``
(Streamlit has no such limit).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import replace
from typing import TYPE_CHECKING, Any, TypeVar

import altair as alt
import numpy as np
import pandas as pd

from nnkit.plots.style import (
    BLUE,
    EDGE_PADDING,
    GREY,
    VERMILLION,
    WHOLE_NUMBERS,
    describe,
    independent_scales,
    log_axis,
    stretch,
    with_properties,
)

if TYPE_CHECKING:
    from nnkit.function_fitting import FitEvaluation
    from nnkit.training import History

__all__ = [
    "compare_losses",
    "curves_spec",
    "field_image",
    "loss_spec",
    "decision_boundary",
    "fit_heatmaps",
    "fit_slice",
    "heatmap",
    "loss_curves",
    "success_rates",
    "width_sweep_chart",
]

from nnkit.plots.xor import decision_boundary, success_rates  # noqa: E402 - re-exported

MAX_POINTS = 400
"""Loss curves are thinned to at most this many points per series (the last one kept)."""


_FIT_X: dict[str, Any] = {"type": "fit-x", "contains": "padding"}
"""Vega-Lite ``autosize`` of full-width charts."""

_Chart = TypeVar("_Chart", bound=alt.TopLevelMixin)


def _thin(df: pd.DataFrame, by: str = "series", max_points: int = MAX_POINTS) -> pd.DataFrame:
    parts = []
    for _, g in df.groupby(by, sort=False):
        if len(g) > max_points:
            idx = np.unique(np.r_[np.linspace(0, len(g) - 1, max_points).astype(int), len(g) - 1])
            g = g.iloc[idx]
        parts.append(g)
    return pd.concat(parts, ignore_index=True) if parts else df


def loss_curves(
    history: History, *, title: str = "loss (log scale)", height: int = 220
) -> alt.Chart:
    """Training (and validation, and each named term) loss per epoch, log-scale y.

    Parameters
    ----------
    history : nnkit.training.History
        Losses per epoch (thinned to :data:`MAX_POINTS` per series).
    title : str
        Chart title.
    height : int
        Plot height in pixels.

    Returns
    -------
    altair.Chart
        Full width; non-positive losses are left out (log scale).
    """
    df = _thin(history.to_frame())
    df = df[df["loss"] > 0]
    return stretch(
        alt.Chart(df, title=title, height=height)
        .mark_line()
        .encode(
            x=alt.X("epoch:Q", title="epoch", axis=alt.Axis(**WHOLE_NUMBERS)),
            y=alt.Y(
                "loss:Q",
                scale=alt.Scale(type="log"),
                title="loss",
                axis=alt.Axis(**log_axis(df["loss"])),
            ),
            color=alt.Color("series:N", title=None, legend=alt.Legend(orient="top")),
            tooltip=[
                alt.Tooltip("series"),
                alt.Tooltip("epoch"),
                alt.Tooltip("loss:Q", format=".4g"),
                alt.Tooltip("time:Q", format=".2f"),
            ],
        ),
        f"Line chart of the {title} per epoch; series: {', '.join(df['series'].unique())}.",
    )


def compare_losses(runs: Mapping[str, History], *, height: int = 260) -> alt.Chart:
    """Training-loss curves of several runs overlaid.

    Parameters
    ----------
    runs : mapping of str to nnkit.training.History
        Label (shown in the legend) -> history.
    height : int
        Plot height in pixels.

    Returns
    -------
    altair.Chart
    """
    frames = []
    for label, h in runs.items():
        f = h.to_frame()
        f = f[f["series"] == "train"].assign(run=label)
        frames.append(f)
    df = (
        _thin(pd.concat(frames, ignore_index=True), by="run")
        if frames
        else pd.DataFrame(columns=["epoch", "loss", "run", "time"])
    )
    df = df[df["loss"] > 0]
    return stretch(
        alt.Chart(df, title="training loss (log scale)", height=height)
        .mark_line()
        .encode(
            x=alt.X("epoch:Q", axis=alt.Axis(**WHOLE_NUMBERS)),
            y=alt.Y("loss:Q", scale=alt.Scale(type="log"), axis=alt.Axis(**log_axis(df["loss"]))),
            color=alt.Color("run:N", title=None, legend=alt.Legend(orient="top", labelLimit=400)),
            tooltip=[alt.Tooltip("run"), alt.Tooltip("epoch"), alt.Tooltip("loss:Q", format=".4g")],
        ),
        "Line chart of the training loss per epoch, log scale, of the runs " + "; ".join(runs),
    )


def _box(domain: tuple[float, float], dim: int) -> alt.Chart:
    lo, hi = domain
    if dim == 2:
        box = pd.DataFrame({"x": [lo], "x2": [hi], "y": [lo], "y2": [hi]})
        return (
            alt.Chart(box)
            .mark_rect(fill=None, stroke="black", strokeWidth=2, strokeDash=[6, 3])
            .encode(x=alt.X("x:Q"), x2=alt.X2("x2:Q"), y=alt.Y("y:Q"), y2=alt.Y2("y2:Q"))
        )
    edges = pd.DataFrame({"x": [lo, hi]})
    return alt.Chart(edges).mark_rule(color="black", strokeDash=[6, 3]).encode(x=alt.X("x:Q"))


def heatmap(
    grid: pd.DataFrame,
    field: str,
    *,
    title: str,
    domain: tuple[float, float] | None = None,
    scheme: str = "viridis",
    color_domain: tuple[float, float] | None = None,
    size: int = 260,
    standalone: bool = True,
) -> alt.Chart:
    """A 2-D field on a regular grid (columns ``x, y, field``) with the training box outlined.

    Parameters
    ----------
    grid : DataFrame
        Columns ``x``, ``y`` and ``field`` on a regular grid.
    field : str
        The column to colour by.
    title : str
        Chart title.
    domain : (float, float), optional
        Training box to outline (dashed).
    scheme : str
        A Vega colour scheme name.
    color_domain : (float, float), optional
        Colour range (default: the data's).
    size : int
        Width and height in pixels.
    standalone : bool
        False for a chart placed inside a concatenation (no top-level ``autosize``,
        which keeps the plot area square when Streamlit fits the chart).

    Returns
    -------
    altair.Chart
    """
    xs = np.sort(grid["x"].unique())
    step = float(xs[1] - xs[0]) if len(xs) > 1 else 1.0
    df = grid[["x", "y", field]].copy()
    half = 0.6 * step  # some overlap: no hairline gaps between cells
    df["x2"], df["y2"] = df["x"] + half, df["y"] + half
    df["x"], df["y"] = df["x"] - half, df["y"] - half
    scale = (
        alt.Scale(scheme={"name": scheme}, domain=list(color_domain))
        if color_domain
        else alt.Scale(scheme={"name": scheme})
    )
    lo, hi = float(df["x"].min()), float(df["x2"].max())
    base = (
        alt.Chart(df, title=title, width=size, height=size)
        .mark_rect(aria=False)  # hundreds of cells: the chart's description speaks for them
        .encode(
            x=alt.X("x:Q", scale=alt.Scale(domain=[lo, hi], nice=False), title="x"),
            x2=alt.X2("x2:Q"),
            y=alt.Y("y:Q", scale=alt.Scale(domain=[lo, hi], nice=False), title="y"),
            y2=alt.Y2("y2:Q"),
            color=alt.Color(
                f"{field}:Q",
                scale=scale,
                title=None,
                legend=alt.Legend(orient="bottom", gradientLength=size - 20),
            ),
        )
    )
    chart = base + _box(domain, 2) if domain is not None else base
    if not standalone:
        return chart
    text = f"Heat map of the {title} over x and y, {scheme} colours" + (
        ", training box dashed." if domain is not None else "."
    )
    return describe(with_properties(chart, autosize=alt.AutoSizeParams(type="pad")), text)


def fit_heatmaps(
    evaluation: FitEvaluation,
    *,
    size: int = 250,
    parts: tuple[str, ...] = ("truth", "prediction", "error"),
) -> alt.HConcatChart:
    """Truth, prediction and error side by side on the window, training box outlined.

    Truth and prediction share one colour scale (the truth's range), the error uses a
    diverging scale symmetric about 0.

    Parameters
    ----------
    evaluation : nnkit.function_fitting.FitEvaluation
        A 2-D evaluation.
    size : int
        Width and height of each heat-map in pixels.
    parts : tuple of {"truth", "prediction", "error"}
        Which of the three to draw, in order.

    Returns
    -------
    altair.HConcatChart
    """
    g = evaluation.grid
    lo, hi = float(np.nanmin(g["truth"])), float(np.nanmax(g["truth"]))
    err = g["error"].to_numpy()
    m = float(np.nanmax(np.abs(err))) if np.isfinite(err).any() else 1.0
    m = m if m > 0 and math.isfinite(m) else 1.0
    pred = g.assign(prediction=g["prediction"].clip(lo - (hi - lo), hi + (hi - lo)))
    d = evaluation.domain
    charts = {
        "truth": lambda: heatmap(g, "truth", title="truth", domain=d, color_domain=(lo, hi),
                                 size=size, standalone=False),
        "prediction": lambda: heatmap(pred, "prediction", title="network", domain=d,
                                      color_domain=(lo, hi), size=size, standalone=False),
        "error": lambda: heatmap(g, "error", title="error = network − truth", domain=d,
                                 scheme="redblue", color_domain=(m, -m), size=size,
                                 standalone=False),
    }  # fmt: skip
    row = alt.hconcat(*[charts[p]() for p in parts], resolve=independent_scales("color"))
    return describe(
        row, "Heat maps over x and y of the " + ", ".join(parts) + " (training box dashed)."
    )


def fit_slice(
    evaluation: FitEvaluation, *, title: str | None = None, height: int = 260
) -> alt.LayerChart:
    """Truth and prediction along a line through the window; the training interval marked.

    Parameters
    ----------
    evaluation : nnkit.function_fitting.FitEvaluation
        Its ``slice`` is drawn.
    title : str, optional
        Default: names the slice.
    height : int
        Plot height in pixels.

    Returns
    -------
    altair.LayerChart
        Full width.
    """
    text = "Line chart of the exact target (dashed) and the network along a line; rules: the box."
    return stretch(_slice_layers(evaluation, title=title, height=height), text)


def _slice_layers(
    evaluation: FitEvaluation, *, title: str | None = None, height: int = 260
) -> alt.LayerChart:
    df = evaluation.slice
    if title is None:
        title = "slice y = centre of the box" if evaluation.dim == 2 else "truth and network"
    truth = df[df["series"] == "truth"]
    lo, hi = float(truth["value"].min()), float(truth["value"].max())
    pad = 0.5 * (hi - lo) if hi > lo else 1.0
    df = df.assign(value=df["value"].clip(lo - pad, hi + pad))
    lines = (
        alt.Chart(df, title=title, height=height)
        .mark_line()
        .encode(
            x=alt.X("x:Q", scale=alt.Scale(nice=False)),
            y=alt.Y("value:Q", title="f"),
            color=alt.Color(
                "series:N",
                title=None,
                legend=alt.Legend(orient="top"),
                scale=alt.Scale(domain=["truth", "prediction"], range=[GREY, VERMILLION]),
            ),
            strokeDash=alt.StrokeDash(
                "series:N",
                legend=None,
                scale=alt.Scale(domain=["truth", "prediction"], range=[[4, 2], [1, 0]]),
            ),
        )
    )
    return lines + _box(evaluation.domain, 1)


def fit_1d(
    evaluation: FitEvaluation,
    X: np.ndarray | None = None,
    y: np.ndarray | None = None,
    *,
    height: int = 300,
    prediction: bool = True,
) -> alt.LayerChart:
    """1-D target: truth and network on the window, the data samples as dots, box edges.

    Parameters
    ----------
    evaluation : nnkit.function_fitting.FitEvaluation
        A 1-D evaluation.
    X, y : numpy.ndarray, optional
        Training samples (at most 400 of them are drawn).
    height : int
        Plot height in pixels.
    prediction : bool
        False draws the truth and the samples only (before any training).

    Returns
    -------
    altair.LayerChart
        Full width.
    """
    ev = evaluation
    if not prediction:
        ev = replace(ev, slice=ev.slice[ev.slice["series"] == "truth"])
    # the samples drawn are the run's data, its validation share included
    title = "truth, network and data samples" if prediction else "truth and data samples"
    chart = _slice_layers(ev, title=title, height=height)
    if X is not None and y is not None:
        n = min(len(X), 400)
        idx = np.linspace(0, len(X) - 1, n).astype(int)
        pts = pd.DataFrame({"x": np.asarray(X)[idx, 0], "value": np.asarray(y)[idx]})
        chart = chart + alt.Chart(pts).mark_circle(size=12, opacity=0.35, color=BLUE).encode(
            x=alt.X("x:Q"), y=alt.Y("value:Q")
        )
    return stretch(
        chart,
        "Line chart of the exact target and the network against x, with the data samples as "
        "dots; dashed rules: the training interval."
        if prediction
        else "Line chart of the exact target against x, with the data samples as dots; dashed "
        "rules: the training interval.",
    )


def width_sweep_chart(df: pd.DataFrame, *, height: int = 280) -> alt.Chart:
    """RMSE and max error vs hidden width, both axes logarithmic.

    Parameters
    ----------
    df : DataFrame
        From :func:`nnkit.function_fitting.width_sweep`.
    height : int
        Plot height in pixels.

    Returns
    -------
    altair.Chart
    """
    long = df.melt(
        id_vars=["width"], value_vars=["rmse", "max_error"], var_name="error", value_name="value"
    )
    long = long[long["value"] > 0]
    long["error"] = long["error"].map({"rmse": "RMS error", "max_error": "max error"})
    activation = df.attrs.get("activation")
    units = f"{activation} units" if activation else "units"
    return stretch(
        alt.Chart(long, title=f"error vs hidden {units} (log–log)", height=height)  # fits a phone
        .mark_line(point=True)
        .encode(
            x=alt.X(
                "width:Q", scale=alt.Scale(type="log", base=2), title="hidden units (one layer)"
            ),
            y=alt.Y(
                "value:Q",
                scale=alt.Scale(type="log"),
                title="error on test points",
                axis=alt.Axis(**log_axis(long["value"])),
            ),
            color=alt.Color("error:N", title=None, legend=alt.Legend(orient="top")),
            tooltip=[
                alt.Tooltip("width"),
                alt.Tooltip("error"),
                alt.Tooltip("value:Q", format=".3g"),
            ],
        ),
        f"Log-log line chart of the RMS and max error against the number of hidden {units}.",
    )


_VIRIDIS = np.array(
    [
        (68, 1, 84), (72, 35, 116), (64, 67, 135), (52, 94, 141), (41, 120, 142),
        (32, 144, 140), (34, 167, 132), (68, 190, 112), (121, 209, 81), (189, 222, 38),
        (253, 231, 37),
    ],
    dtype=float,
)  # fmt: skip
"""Viridis at 11 evenly spaced stops (the same colour map the Altair heat-maps use)."""


def field_image(
    values: np.ndarray,
    vmin: float,
    vmax: float,
    *,
    box: tuple[int, int, int, int] | None = None,
    pixels: int = 6,
) -> np.ndarray:
    """A 2-D field as an RGB image (uint8), viridis colours, optional dashed box.

    Parameters
    ----------
    values : ndarray (ny, nx)
        Row 0 is the *lowest* y (as from a meshgrid); the image is flipped so y grows up.
    vmin, vmax : float
        Colour range (values outside are clipped; NaN is drawn grey).
    box : (i0, i1, j0, j1), optional
        Grid index range of the training box to outline (rows i, columns j).
    pixels : int
        Each grid cell becomes a pixels × pixels square.

    Returns
    -------
    numpy.ndarray, shape (ny * pixels, nx * pixels, 3)
        uint8, C-contiguous (ready for PNG encoding).
    """
    v = np.asarray(values, dtype=float)
    span = vmax - vmin if vmax > vmin else 1.0
    t = np.clip((v - vmin) / span, 0.0, 1.0) * (len(_VIRIDIS) - 1)
    t = np.nan_to_num(t, nan=0.0)
    k = np.minimum(t.astype(int), len(_VIRIDIS) - 2)
    frac = (t - k)[..., None]
    rgb = _VIRIDIS[k] * (1 - frac) + _VIRIDIS[k + 1] * frac
    rgb[~np.isfinite(v)] = (160, 160, 160)
    img = np.repeat(np.repeat(rgb, pixels, axis=0), pixels, axis=1)
    if box is not None:
        i0, i1, j0, j1 = (int(b) * pixels for b in box)
        i1, j1 = min(i1 + pixels, img.shape[0]) - 2, min(j1 + pixels, img.shape[1]) - 2
        dash_j = (np.arange(img.shape[1]) // 8) % 2 == 0
        dash_i = (np.arange(img.shape[0]) // 8) % 2 == 0
        for i in (i0, i1):  # 2-pixel dashed edges
            for w in (0, 1):
                img[i + w, j0 : j1 + 2][dash_j[j0 : j1 + 2]] = 0
        for j in (j0, j1):
            for w in (0, 1):
                img[i0 : i1 + 2, j + w][dash_i[i0 : i1 + 2]] = 0
    return np.ascontiguousarray(img.astype(np.uint8)[::-1])


def loss_spec(
    history: History, *, title: str = "loss (log scale)", height: int = 220
) -> tuple[pd.DataFrame, dict[str, Any]]:
    """The chart of :func:`loss_curves` as data and a raw Vega-Lite spec (no Altair).

    Parameters
    ----------
    history : nnkit.training.History
        Losses per epoch.
    title : str
        Chart title.
    height : int
        Plot height in pixels.

    Returns
    -------
    data : DataFrame
        ``epoch, loss, series, ...`` (thinned, positive losses only).
    spec : dict
        For ``st.vega_lite_chart(data, spec)``.
    """
    df = _thin(history.to_frame())
    df = df[df["loss"] > 0]
    spec = {
        "title": title,
        "description": f"Line chart of the {title} per epoch; series: "
        + ", ".join(map(str, df["series"].unique())),
        "height": height,
        "autosize": dict(_FIT_X),
        "padding": dict(EDGE_PADDING),
        "mark": {"type": "line"},
        "encoding": {
            "x": {
                "field": "epoch",
                "type": "quantitative",
                "title": "epoch",
                "axis": WHOLE_NUMBERS,
            },
            "y": {
                "field": "loss",
                "type": "quantitative",
                "scale": {"type": "log"},
                "axis": log_axis(df["loss"]),  # not 0.00001 beside 1e-7; decades only
                "title": "loss",
            },
            "color": {
                "field": "series",
                "type": "nominal",
                "title": None,
                "legend": {"orient": "top"},
            },
        },
    }
    return df, spec


def curves_spec(
    df: pd.DataFrame, domain: tuple[float, float], *, height: int = 260
) -> dict[str, Any]:
    """Vega-Lite spec of truth vs prediction lines with the box edges (no Altair).

    Parameters
    ----------
    df : DataFrame
        ``x, series ("truth"/"prediction"), value``, e.g. from
        :meth:`nnkit.function_fitting.LiveView.curves`.
    domain : (float, float)
        Training interval, drawn as two dashed rules.
    height : int
        Plot height in pixels.

    Returns
    -------
    dict
        For ``st.vega_lite_chart(df, spec)``.
    """
    lo, hi = domain
    return {
        "description": "Line chart of the exact target (grey) and the network (red) against x; "
        "dashed rules: the training interval.",
        "height": height,
        "autosize": dict(_FIT_X),
        "padding": dict(EDGE_PADDING),
        "layer": [
            {
                "mark": {"type": "line"},
                "encoding": {
                    "x": {"field": "x", "type": "quantitative", "scale": {"nice": False}},
                    "y": {"field": "value", "type": "quantitative", "title": "f"},
                    "color": {
                        "field": "series",
                        "type": "nominal",
                        "title": None,
                        "legend": {"orient": "top"},
                        "scale": {
                            "domain": ["truth", "prediction"],
                            "range": [GREY, VERMILLION],
                        },
                    },
                },
            },
            {
                "data": {"values": [{"edge": lo}, {"edge": hi}]},
                "mark": {"type": "rule", "strokeDash": [6, 3], "color": "black"},
                "encoding": {"x": {"field": "edge", "type": "quantitative"}},
            },
        ],
    }
