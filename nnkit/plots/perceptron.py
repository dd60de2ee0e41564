"""Charts for the perceptron & activations page (Altair; usable in Jupyter too).

Builders take plain data (DataFrames, arrays, a :class:`~nnkit.perceptron.FrameState`)
and return Altair charts. Class 0 is blue, class 1 orange everywhere; misclassified
points get a red ring. A layer's neurons have Okabe–Ito colours (colour-blind safe),
and how many of them fire is shown on a sequential colour-blind-safe scale.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

import altair as alt
import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

from nnkit.perceptron import (
    FrameState,
    boundary_segment,
    half_plane_polygon,
    layer_regions,
    plane_grid,
)

__all__ = [
    "CLASS_COLORS",
    "FIRING_SCHEME",
    "MISTAKE_COLOR",
    "NEURON_COLORS",
    "activation_chart",
    "layer_chart",
    "mistakes_chart",
    "network_diagram",
    "neuron_cells",
    "neuron_chart",
    "replay_chart",
    "training_chart",
]

Range = tuple[float, float]

CLASS_COLORS = ("#4c78a8", "#f58518")
# Keep the requested plot height when the chart is stretched to the page width (the
# default "fit" autosize would squeeze legends and axes into the height).
_FIT_X = alt.AutoSizeParams(type="fit-x", contains="padding")
MISTAKE_COLOR = "#d62728"
NEURON_COLORS = ("#E69F00", "#0072B2", "#009E73", "#CC79A7", "#D55E00", "#56B4E9")
"""One colour per neuron of a layer (Okabe–Ito, distinguishable with colour blindness)."""
FIRING_SCHEME: Final = "yellowgreenblue"
"""Sequential scheme for "how many neurons fire" (ColorBrewer YlGnBu: light to dark,
readable with every common colour-vision deficiency, unlike near-equal greys)."""


def _axes(
    x_range: Range, y_range: Range, titles: Sequence[str] = ("x₁", "x₂")
) -> tuple[alt.X, alt.Y]:
    x = alt.X("x1:Q", title=titles[0], scale=alt.Scale(domain=list(x_range), nice=False))
    y = alt.Y("x2:Q", title=titles[1], scale=alt.Scale(domain=list(y_range), nice=False))
    return x, y


def _cells(x_range: Range, y_range: Range, steps: int) -> pd.DataFrame:
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


def _polygon_bands(poly: np.ndarray) -> pd.DataFrame:
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
        bands = _polygon_bands(half_plane_polygon(w, b, x_range, y_range, positive))
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
            y2="hi:Q",
            color=alt.Color(
                "side:N",
                title=title,
                scale=alt.Scale(domain=list(labels), range=list(CLASS_COLORS)),
            ),
            detail="side:N",
        )
    )


def _segment_chart(
    seg: np.ndarray | None,
    x_range: Range,
    y_range: Range,
    color: str = "black",
) -> alt.Chart | None:
    if seg is None:
        return None
    x, y = _axes(x_range, y_range)
    df = pd.DataFrame({"x1": seg[:, 0], "x2": seg[:, 1]})
    return alt.Chart(df).mark_line(color=color, strokeWidth=2.5, clip=True).encode(x=x, y=y)


def _rect_cells(
    cells: pd.DataFrame, x_range: Range, y_range: Range, titles: Sequence[str] = ("x₁", "x₂")
) -> alt.Chart:
    return (
        alt.Chart(cells)
        .mark_rect(clip=True, strokeWidth=0.8)
        .encode(
            x=alt.X("x1_lo:Q", title=titles[0], scale=alt.Scale(domain=list(x_range), nice=False)),
            x2="x1_hi:Q",
            y=alt.Y("x2_lo:Q", title=titles[1], scale=alt.Scale(domain=list(y_range), nice=False)),
            y2="x2_hi:Q",
        )
    )


# ---------------------------------------------------------------------------
# Activation gallery
# ---------------------------------------------------------------------------


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
                scale=alt.Scale(scheme="tableau10"),
                legend=alt.Legend(orient="bottom", columns=2, labelLimit=220),
            ),
            opacity=alt.condition(hover, alt.value(1.0), alt.value(0.15)),
            tooltip=[
                alt.Tooltip("label:N", title="activation"),
                alt.Tooltip("x:Q", format=".3f"),
                alt.Tooltip("value:Q", title="f(x)", format=".4f"),
                alt.Tooltip("derivative:Q", title="f′(x)", format=".4f"),
            ],
        )
        .add_params(hover)
        .properties(title=title, height=height, width="container", autosize=_FIT_X)
    )


# ---------------------------------------------------------------------------
# One neuron
# ---------------------------------------------------------------------------


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
    heat = _rect_cells(cells, x_range, y_range).encode(
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
    line = _segment_chart(boundary_segment(w, b, x_range, y_range), x_range, y_range)
    if line is not None:
        layers.append(line)
    if points is not None and len(points):
        layers.append(_points(points, x_range, y_range, title="H(z) at corner"))
    return (
        alt.layer(*layers)
        .resolve_scale(color="independent", shape="independent")
        .properties(height=height, width="container", autosize=_FIT_X)
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
    from nnkit.perceptron import neuron_output

    cells = _cells(x_range, y_range, steps)
    X = cells[["x1", "x2"]].to_numpy()
    cells["z"] = X @ np.asarray(w, dtype=float) + float(b)
    cells["output"] = neuron_output(X, w, b, activation)
    return cells


# ---------------------------------------------------------------------------
# Perceptron training replay
# ---------------------------------------------------------------------------


def _points(
    points: pd.DataFrame, x_range: Range, y_range: Range, size: int = 110, title: str = "class"
) -> alt.Chart:
    x, y = _axes(x_range, y_range)
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
    layers = [shade, _points(pts, x_range, y_range)]
    line = _segment_chart(boundary_segment(w, b, x_range, y_range), x_range, y_range)
    if line is not None:
        layers.append(line)
    x, yy = _axes(x_range, y_range)
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
    return (
        alt.layer(*layers)
        .resolve_scale(color="independent", shape="independent")
        .properties(height=height, width="container", autosize=_FIT_X, title=title)
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
                axis=alt.Axis(tickMinStep=1, format="d"),
            ),
            x2="hi:Q",
            y=alt.Y("mistakes:Q", title="mistakes (updates) in the epoch"),
            color=alt.condition("datum.now", alt.value(MISTAKE_COLOR), alt.value("#888888")),
            tooltip=[
                "epoch:Q",
                alt.Tooltip("mistakes:Q", title="mistakes during epoch"),
                alt.Tooltip("errors_after:Q", title="misclassified after epoch"),
            ],
        )
    )
    return bars.properties(height=height, width="container", autosize=_FIT_X)


# ---------------------------------------------------------------------------
# A layer of neurons
# ---------------------------------------------------------------------------


def network_diagram(
    W: ArrayLike, b: ArrayLike, activation_label: str = "", height: int = 300
) -> alt.LayerChart:
    """Inputs x₁, x₂ wired to a layer of neurons: edge colour = sign, width = |weight|.

    Each neuron's weights and bias are written once, beside the neuron (labels on the
    edges would pile up where the edges meet), and on each edge's tooltip.

    Parameters
    ----------
    W : array_like of shape (n_neurons, 2)
        One row of weights per neuron.
    b : array_like of shape (n_neurons,)
        Biases.
    activation_label : str, default ""
        Named in the title.
    height : int, default 300
        Plot height in pixels.

    Returns
    -------
    altair.LayerChart
    """
    Wa = np.atleast_2d(np.asarray(W, dtype=float))
    ba = np.asarray(b, dtype=float).reshape(-1)
    k = len(Wa)
    in_y = np.array([0.75, 0.25])
    h_y = np.linspace(0.9, 0.1, k) if k > 1 else np.array([0.5])
    names = [f"h{j + 1}" for j in range(k)]
    nodes = pd.DataFrame(
        {
            "x": [0.0, 0.0] + [1.0] * k,
            "y": list(in_y) + list(h_y),
            "name": ["x₁", "x₂", *names],
            "caption": ["", ""]
            + [f"w = ({Wa[j, 0]:+.2f}, {Wa[j, 1]:+.2f}), b = {ba[j]:+.2f}" for j in range(k)],
            "color": ["input", "input", *names],
        }
    )
    edges = pd.DataFrame(
        [
            {
                "x": 0.0,
                "y": in_y[i],
                "x2": 1.0,
                "y2": h_y[j],
                "w": Wa[j, i],
                "abs_w": abs(Wa[j, i]),
                "sign": "positive" if Wa[j, i] >= 0 else "negative",
                "edge": f"x{'₁₂'[i]} → {names[j]}",
            }
            for j in range(k)
            for i in range(2)
        ]
    )
    scale_x = alt.Scale(domain=[-0.2, 2.7])
    scale_y = alt.Scale(domain=[0, 1])
    ex = alt.X("x:Q", axis=None, scale=scale_x)
    ey = alt.Y("y:Q", axis=None, scale=scale_y)
    lines = (
        alt.Chart(edges)
        .mark_rule()
        .encode(
            x=ex,
            y=ey,
            x2="x2:Q",
            y2="y2:Q",
            color=alt.Color(
                "sign:N",
                title="weight",
                scale=alt.Scale(domain=["positive", "negative"], range=["#2a9d8f", MISTAKE_COLOR]),
                legend=alt.Legend(orient="bottom"),
            ),
            strokeWidth=alt.StrokeWidth("abs_w:Q", legend=None, scale=alt.Scale(range=[0.8, 6])),
            tooltip=[
                alt.Tooltip("edge:N", title="edge"),
                alt.Tooltip("w:Q", title="weight", format="+.3f"),
            ],
        )
    )
    circles = (
        alt.Chart(nodes)
        .mark_circle(size=1400, opacity=1, fill="white", strokeWidth=4)
        .encode(
            x=ex,
            y=ey,
            stroke=alt.Stroke(
                "color:N",
                scale=alt.Scale(domain=["input", *names], range=["#595959", *NEURON_COLORS[:k]]),
                legend=None,
            ),
        )
    )
    labels = (
        alt.Chart(nodes)
        .mark_text(fontSize=14, fontWeight="bold", color="black")
        .encode(x=ex, y=ey, text="name:N")
    )
    captions = (
        alt.Chart(nodes[nodes["caption"] != ""])
        .mark_text(fontSize=12, align="left", dx=28)
        .encode(x=ex, y=ey, text="caption:N")
    )
    title = (
        f"a layer of {k} {activation_label} neuron{'s' if k > 1 else ''}"
        if activation_label
        else ""
    )
    return (
        alt.layer(lines, circles, labels, captions)
        .properties(height=height, width="container", autosize=_FIT_X, title=title)
        .resolve_scale(color="independent")
        .configure_view(stroke=None)
    )


def layer_chart(
    W: ArrayLike,
    b: ArrayLike,
    x_range: Range,
    y_range: Range,
    height: int = 380,
) -> alt.LayerChart:
    """The plane coloured by how many neurons of the layer fire, with each neuron's line.

    "Fires" means net input z = w·x + b ≥ 0 (the side the neuron's weight vector points
    to), whatever the activation. The count uses :data:`FIRING_SCHEME`, light (none)
    to dark (all); each line has its neuron's colour on a white casing, so it stays
    visible over every shade.

    Parameters
    ----------
    W : array_like of shape (n_neurons, 2)
        One row of weights per neuron.
    b : array_like of shape (n_neurons,)
        Biases.
    x_range, y_range : (float, float)
        The view.
    height : int, default 380
        Plot height in pixels.

    Returns
    -------
    altair.LayerChart
    """
    Wa = np.atleast_2d(np.asarray(W, dtype=float))
    ba = np.asarray(b, dtype=float).reshape(-1)
    k = len(Wa)
    parts = []
    for r, (pattern, poly) in enumerate(layer_regions(Wa, ba, x_range, y_range)):
        bands = _polygon_bands(poly)
        bands["region"] = r
        bands["firing"] = int(sum(pattern))
        bands["who"] = ", ".join(f"h{j + 1}" for j, f in enumerate(pattern) if f) or "none"
        parts.append(bands)
    regions = pd.concat(parts, ignore_index=True)
    heat = (
        alt.Chart(regions)
        .mark_area(opacity=0.85, clip=True, line=False)
        .encode(
            x=alt.X("x1:Q", title="x₁", scale=alt.Scale(domain=list(x_range), nice=False)),
            y=alt.Y("lo:Q", title="x₂", scale=alt.Scale(domain=list(y_range), nice=False)),
            y2="hi:Q",
            detail="region:N",
            color=alt.Color(
                "firing:O",
                title="neurons firing",
                scale=alt.Scale(scheme=FIRING_SCHEME, domain=list(range(k + 1))),
            ),
            tooltip=[
                alt.Tooltip("firing:O", title="neurons firing"),
                alt.Tooltip("who:N", title="firing"),
            ],
        )
    )
    segs = []
    for j in range(k):
        seg = boundary_segment(Wa[j], float(ba[j]), x_range, y_range)
        if seg is not None:
            segs.append(pd.DataFrame({"x1": seg[:, 0], "x2": seg[:, 1], "neuron": f"h{j + 1}"}))
    layers: list[alt.Chart] = [heat]
    if segs:
        x, y = _axes(x_range, y_range)
        names = [f"h{j + 1}" for j in range(k)]
        lines = pd.concat(segs, ignore_index=True)
        casing = (
            alt.Chart(lines)
            .mark_line(strokeWidth=6, color="white", clip=True)
            .encode(x=x, y=y, detail="neuron:N")
        )
        coloured = (
            alt.Chart(lines)
            .mark_line(strokeWidth=3, clip=True)
            .encode(
                x=x,
                y=y,
                detail="neuron:N",
                color=alt.Color(
                    "neuron:N",
                    title="boundary of",
                    scale=alt.Scale(domain=names, range=list(NEURON_COLORS[:k])),
                ),
            )
        )
        layers += [casing, coloured]
    return (
        alt.layer(*layers)
        .resolve_scale(color="independent")
        .properties(height=height, width="container", autosize=_FIT_X)
    )
