"""A layer of neurons: its wiring diagram and the regions its lines cut the plane into."""

from __future__ import annotations

import altair as alt
import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

from nnkit.perceptron import boundary_segment, layer_regions
from nnkit.plots.perceptron._base import (
    FIRING_SCHEME,
    FIT_X,
    MISTAKE_COLOR,
    NEURON_COLORS,
    Range,
    axes,
    polygon_bands,
)
from nnkit.plots.style import independent_scales

__all__ = ["layer_chart", "network_diagram"]


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
            x2=alt.X2("x2:Q"),
            y2=alt.Y2("y2:Q"),
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
        .encode(x=ex, y=ey, text=alt.Text("name:N"))
    )
    captions = (
        alt.Chart(nodes[nodes["caption"] != ""])
        .mark_text(fontSize=12, align="left", dx=28)
        .encode(x=ex, y=ey, text=alt.Text("caption:N"))
    )
    title = (
        f"a layer of {k} {activation_label} neuron{'s' if k > 1 else ''}"
        if activation_label
        else ""
    )
    return alt.layer(  # one constructor call: each later copy would deep-copy the layers
        lines,
        circles,
        labels,
        captions,
        resolve=independent_scales("color"),
        config=alt.Config(view=alt.ViewConfig(stroke=None)),
        height=height,
        width="container",
        autosize=FIT_X,
        title=title,
        description=f"Diagram of the inputs x₁, x₂ wired to {title or 'a layer'}: "
        "edge colour is the weight's sign, edge width its size.",
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
        bands = polygon_bands(poly)
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
            y2=alt.Y2("hi:Q"),
            detail=alt.Detail("region:N"),
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
        x, y = axes(x_range, y_range)
        names = [f"h{j + 1}" for j in range(k)]
        lines = pd.concat(segs, ignore_index=True)
        casing = (
            alt.Chart(lines)
            .mark_line(strokeWidth=6, color="white", clip=True)
            .encode(x=x, y=y, detail=alt.Detail("neuron:N"))
        )
        coloured = (
            alt.Chart(lines)
            .mark_line(strokeWidth=3, clip=True)
            .encode(
                x=x,
                y=y,
                detail=alt.Detail("neuron:N"),
                color=alt.Color(
                    "neuron:N",
                    title="boundary of",
                    scale=alt.Scale(domain=names, range=list(NEURON_COLORS[:k])),
                ),
            )
        )
        layers += [casing, coloured]
    return alt.layer(
        *layers,
        resolve=independent_scales("color"),
        height=height,
        width="container",
        autosize=FIT_X,
        description="Map of the plane coloured by how many of the layer's neurons "
        "fire, with each neuron's line.",
    )
