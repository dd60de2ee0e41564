"""Chart builders for loss surfaces and optimizer paths (the "Gradient descent" page).

Every builder takes plain data (DataFrames from :mod:`nnkit.landscapes`) and returns
an Altair chart, so the same figures work in Jupyter::

    from nnkit import landscapes as L
    from nnkit.plots.landscapes import contour_map
    s = L.surface("rosenbrock")
    g = s.grid(120)
    contour_map(L.contour_segments(g, L.contour_levels(g.z)), domain=s.domain)
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Literal, cast

import altair as alt
import numpy as np
import pandas as pd

from nnkit.landscapes.contours import thin_indices
from nnkit.plots.style import (
    BLACK,
    BLUE,
    GREEN,
    ORANGE,
    PINK,
    SKY,
    VERMILLION,
    WHOLE_NUMBERS,
    describe,
    legend_columns,
    log_axis,
)

__all__ = ["contour_map", "fit_chart", "loss_chart", "marker_frame", "path_frame"]

# Okabe-Ito (nnkit.plots.style): the current fit / first path in vermillion, as before.
_PALETTE = [VERMILLION, BLUE, ORANGE, GREEN, PINK, SKY, BLACK]


def path_frame(
    paths: dict[str, np.ndarray], upto: int | None = None, max_points: int = 400
) -> pd.DataFrame:
    """Long frame ``series, step, x, y`` of several paths, each cut at ``upto`` and thinned.

    Parameters
    ----------
    paths : dict of str to array of shape (k, 2)
    upto : int, optional
        Keep steps ``0..upto`` (the animation's current step).
    max_points : int, default 400
        Thin each path to at most this many points (first and last kept).

    Returns
    -------
    pandas.DataFrame
        ``series, step, x, y``, ready for :func:`contour_map`.
    """
    frames = []
    for name, p in paths.items():
        p = np.asarray(p, dtype=float)
        if upto is not None:
            p = p[: upto + 1]
        n = p.shape[0]
        if n == 0:
            continue
        idx = thin_indices(n, max_points)
        frames.append(pd.DataFrame({"series": name, "step": idx, "x": p[idx, 0], "y": p[idx, 1]}))
    if not frames:
        return pd.DataFrame({"series": [], "step": [], "x": [], "y": []})
    return pd.concat(frames, ignore_index=True)


def marker_frame(points: Mapping[str, Sequence[Sequence[float]]]) -> pd.DataFrame:
    """Reference points for :func:`contour_map`, labelled: ``{label: [(x, y), ...]}``.

    Parameters
    ----------
    points : mapping of str to sequence of (float, float)
        Points by label (e.g. ``{"minimum": surface.minima}``); a label may have none.

    Returns
    -------
    pandas.DataFrame
        ``x, y, label``, one row per point, in the order given.
    """
    rows = [(float(p[0]), float(p[1]), label) for label, pts in points.items() for p in pts]
    return pd.DataFrame(rows, columns=["x", "y", "label"])


def _series_scale(names: Sequence[str]) -> alt.Scale:
    return alt.Scale(domain=list(names), range=_PALETTE[: max(1, len(names))])


def contour_map(
    segments: pd.DataFrame,
    domain: tuple[tuple[float, float], tuple[float, float]],
    paths: pd.DataFrame | None = None,
    markers: pd.DataFrame | None = None,
    x_title: str = "x",
    y_title: str = "y",
    log_levels: bool = True,
    level_title: str = "level",
    height: int = 420,
    series_order: Sequence[str] | None = None,
) -> alt.LayerChart:
    """Contour lines with optional paths (lines + a dot at their head) and reference markers.

    Parameters
    ----------
    segments : DataFrame
        ``x, y, x2, y2, level`` from :func:`nnkit.landscapes.contour_segments`.
    domain : ((x0, x1), (y0, y1))
        Plot box; anything outside is clipped (a diverging path leaves the frame).
    paths : DataFrame, optional
        ``series, step, x, y`` (see :func:`path_frame`).
    markers : DataFrame, optional
        ``x, y, label``: reference points (closed-form optimum, known minima).
    x_title, y_title : str
        Axis titles.
    log_levels : bool
        Colour the contour levels on a log scale.
    level_title : str
        What the contour levels are (tooltip).
    height : int, default 420
        Height in pixels.
    series_order : sequence of str, optional
        Order of the paths' colours (default: as they appear).

    Returns
    -------
    altair.LayerChart
    """
    (x0, x1), (y0, y1) = domain
    xs = alt.Scale(domain=[x0, x1], nice=False, zero=False)
    ys = alt.Scale(domain=[y0, y1], nice=False, zero=False)
    positive = bool(len(segments)) and float(segments["level"].min()) > 0
    color_scale = alt.Scale(type="log" if (log_levels and positive) else "linear", scheme="viridis")
    base = (
        alt.Chart(segments)
        .mark_rule(strokeWidth=1.2, opacity=0.75, clip=True, aria=False)  # contour pieces
        .encode(
            x=alt.X("x:Q", scale=xs, title=x_title),
            y=alt.Y("y:Q", scale=ys, title=y_title),
            x2=alt.X2("x2:Q"),
            y2=alt.Y2("y2:Q"),
            color=alt.Color("level:Q", scale=color_scale, title=level_title, legend=None),
            tooltip=[alt.Tooltip("level:Q", format=".4g", title=level_title)],
        )
    )
    layers: list[alt.Chart] = [base]
    if paths is not None and len(paths):
        names = list(series_order) if series_order else list(dict.fromkeys(paths["series"]))
        color = alt.Color(
            "series:N",
            scale=_series_scale(names),
            title=None,
            legend=alt.Legend(
                orient="top-left", columns=1, labelLimit=300, fillColor="white", padding=4
            ),
        )
        layers.append(
            alt.Chart(paths)
            .mark_line(strokeWidth=2.2, clip=True, point=False)
            .encode(
                x=alt.X("x:Q", scale=xs),
                y=alt.Y("y:Q", scale=ys),
                order=alt.Order("step:Q"),
                color=color,
                detail=alt.Detail("series:N"),
                tooltip=[
                    alt.Tooltip("series:N"),
                    alt.Tooltip("step:Q"),
                    alt.Tooltip("x:Q", format=".5g"),
                    alt.Tooltip("y:Q", format=".5g"),
                ],
            )
        )
        heads = paths.sort_values("step").groupby("series", as_index=False).tail(1)
        head_color = alt.Color("series:N", scale=_series_scale(names), legend=None)
        layers.append(
            alt.Chart(heads)
            .mark_point(filled=True, size=110, stroke="black", strokeWidth=1, opacity=1, clip=True)
            .encode(
                x=alt.X("x:Q", scale=xs),
                y=alt.Y("y:Q", scale=ys),
                color=head_color,
                tooltip=[
                    alt.Tooltip("series:N"),
                    alt.Tooltip("step:Q"),
                    alt.Tooltip("x:Q", format=".5g"),
                    alt.Tooltip("y:Q", format=".5g"),
                ],
            )
        )
    if markers is not None and len(markers):
        layers.append(
            alt.Chart(markers)
            .mark_point(shape="cross", size=220, color="black", filled=True, clip=True)
            .encode(
                x=alt.X("x:Q", scale=xs),
                y=alt.Y("y:Q", scale=ys),
                tooltip=[
                    alt.Tooltip("label:N"),
                    alt.Tooltip("x:Q", format=".6g"),
                    alt.Tooltip("y:Q", format=".6g"),
                ],
            )
        )
        # labels point inwards so they are not cut by the frame
        right = markers["x"] > (x0 + x1) / 2
        sides: tuple[tuple[pd.DataFrame, Literal["left", "right"], int], ...] = (
            (markers[~right], "left", 9),
            (markers[right], "right", -9),
        )
        for part, align, dx in sides:
            if len(part):
                layers.append(
                    alt.Chart(part)
                    .mark_text(align=align, dx=dx, dy=-10, fontSize=12, fontWeight="bold")
                    .encode(
                        x=alt.X("x:Q", scale=xs), y=alt.Y("y:Q", scale=ys), text=alt.Text("label:N")
                    )
                )
    chart = cast(alt.LayerChart, alt.layer(*layers, height=height))
    text = f"Contour map of {level_title} over {x_title} and {y_title}"
    if paths is not None and len(paths):
        text += "; paths of " + ", ".join(dict.fromkeys(paths["series"]))
    if markers is not None and len(markers):
        text += "; markers: " + ", ".join(dict.fromkeys(markers["label"]))
    return describe(chart, text + ".")


def fit_chart(
    x: np.ndarray,
    y: np.ndarray,
    lines: dict[str, tuple[float, float]],
    height: int = 320,
) -> alt.LayerChart:
    """Data scatter with straight lines ``y = w·x + b``, one per entry of ``lines``.

    Parameters
    ----------
    x, y : array
        The data.
    lines : dict of label to (w, b)
        The first entry is drawn solid (the current fit), the others dashed.
    height : int, default 320
        Height in pixels.

    Returns
    -------
    altair.LayerChart
    """
    pts = pd.DataFrame({"x": x, "y": y})
    xmin, xmax = float(np.min(x)), float(np.max(x))
    rows = []
    for name, (w, b) in lines.items():
        for xv in (xmin, xmax):
            rows.append({"line": name, "x": xv, "y": w * xv + b})
    ldf = pd.DataFrame(rows)
    names = list(lines)
    ylo, yhi = float(np.min(y)), float(np.max(y))
    pad = 0.15 * (yhi - ylo)
    ys = alt.Scale(domain=[ylo - pad, yhi + pad], nice=True, zero=False)
    scatter = (
        alt.Chart(pts)
        .mark_circle(size=35, color="#888", opacity=0.7)
        .encode(
            x=alt.X("x:Q", title="x"),
            y=alt.Y("y:Q", title="y", scale=ys),
            tooltip=[alt.Tooltip("x:Q", format=".4g"), alt.Tooltip("y:Q", format=".4g")],
        )
    )
    line = (
        alt.Chart(ldf)
        .mark_line(strokeWidth=2.5, clip=True)
        .encode(
            x=alt.X("x:Q"),
            y=alt.Y("y:Q", scale=ys),
            color=alt.Color(
                "line:N",
                scale=_series_scale(names),
                title=None,
                legend=alt.Legend(
                    orient="top-left", columns=1, labelLimit=300, fillColor="white", padding=4
                ),
            ),
            strokeDash=alt.StrokeDash(
                "line:N",
                scale=alt.Scale(domain=names, range=[[1, 0]] + [[6, 4]] * (len(names) - 1)),
                legend=None,
            ),
        )
    )
    chart = cast(alt.LayerChart, alt.layer(scatter, line, height=height))
    return describe(
        chart, f"Scatter plot of the {len(pts)} data points with the lines: {', '.join(names)}."
    )


def loss_chart(
    df: pd.DataFrame,
    x: str,
    y: str,
    color: str | None = None,
    log: bool = True,
    x_title: str | None = None,
    y_title: str | None = None,
    rule_x: float | None = None,
    rule_y: float | None = None,
    rule_y_label: str = "",
    height: int = 300,
    series_order: Sequence[str] | None = None,
    dash: str | None = None,
    legend: bool = True,
) -> alt.LayerChart:
    """Loss curve(s): ``y`` against ``x``, log scale by default.

    Parameters
    ----------
    df : DataFrame
    x, y : str
        Columns. Non-positive values are dropped on a log scale.
    color : str, optional
        Column that separates several curves.
    rule_x : float, optional
        A vertical line (the animation's current step).
    rule_y : float, optional
        A horizontal reference line (e.g. the optimum loss J*), labelled ``rule_y_label``.
    dash : str, optional
        Column whose values select dashed lines (e.g. "predicted" vs "run").
    log : bool, default True
        Logarithmic y axis.
    x_title, y_title : str, optional
        Axis titles (default: the column names).
    rule_y_label : str
        Label of the horizontal line.
    height : int, default 300
        Height in pixels.
    series_order : sequence of str, optional
        Order of the colours (default: as they appear).
    legend : bool, default True
        Hide it when a neighbouring chart already shows the same colours.

    Returns
    -------
    altair.LayerChart
    """
    data = df
    if log:
        data = df[np.isfinite(df[y]) & (df[y] > 0)]
    # whole numbers on an axis of epochs or steps; one number format along a log axis
    x_axis = alt.Axis(**WHOLE_NUMBERS) if pd.api.types.is_integer_dtype(data[x]) else alt.Axis()
    y_axis = alt.Axis(**log_axis(data[y])) if log else alt.Axis()
    enc = {
        "x": alt.X(f"{x}:Q", title=x_title or x, axis=x_axis),
        "y": alt.Y(
            f"{y}:Q",
            title=y_title or y,
            scale=alt.Scale(type="log" if log else "linear"),
            axis=y_axis,
        ),
        "tooltip": [alt.Tooltip(f"{x}:Q", format=".6g"), alt.Tooltip(f"{y}:Q", format=".6g")],
    }
    if color:
        names = list(series_order) if series_order else list(dict.fromkeys(data[color]))
        enc["color"] = alt.Color(
            f"{color}:N",
            scale=_series_scale(names),
            title=None,
            legend=alt.Legend(orient="top", columns=legend_columns(names), labelLimit=240)
            if legend
            else None,
        )
        enc["tooltip"] = [alt.Tooltip(f"{color}:N"), *enc["tooltip"]]
    if dash:
        # the colours' field: the same legend, which Vega-Lite merges with theirs
        kinds = names if dash == color else list(dict.fromkeys(data[dash]))
        enc["strokeDash"] = alt.StrokeDash(
            f"{dash}:N",
            title=None,
            legend=alt.Legend(orient="top", columns=legend_columns(kinds), labelLimit=240),
        )
    layers: list[alt.Chart] = [alt.Chart(data).mark_line(strokeWidth=2, clip=True).encode(**enc)]
    if rule_y is not None and (not log or rule_y > 0):
        ref = pd.DataFrame({"y": [rule_y], "label": [rule_y_label]})
        layers.append(
            alt.Chart(ref).mark_rule(color="black", strokeDash=[4, 4]).encode(y=alt.Y("y:Q"))
        )
        if rule_y_label:
            layers.append(
                alt.Chart(ref)
                .mark_text(align="left", dy=-7, x=5, fontSize=11)
                .encode(y=alt.Y("y:Q"), text=alt.Text("label:N"))
            )
    if rule_x is not None:
        layers.append(
            alt.Chart(pd.DataFrame({"x": [rule_x]}))
            .mark_rule(color="#666", strokeWidth=1.5)
            .encode(x=alt.X("x:Q"))
        )
    chart = cast(alt.LayerChart, alt.layer(*layers, height=height))
    series = f" for {', '.join(map(str, dict.fromkeys(data[color])))}" if color else ""
    scale = ", log scale" if log else ""
    return describe(chart, f"Line chart of {y_title or y} against {x_title or x}{series}{scale}.")
