"""Altair charts for physics-informed networks (``nnkit.pinn``).

Every builder takes plain data (a DataFrame from :meth:`nnkit.pinn.PINN.field_frame`,
:meth:`~nnkit.pinn.PINN.points_frame`, :func:`nnkit.pinn.solver.reference_frame`, or a
:class:`nnkit.training.History`) and returns an Altair chart.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, TypeAlias

import altair as alt
import numpy as np
import pandas as pd

from nnkit.plots.style import (
    BLACK,
    BLUE,
    GREEN,
    GREY,
    ORANGE,
    PINK,
    SKY,
    VERMILLION,
    WHOLE_NUMBERS,
    describe,
    independent_scales,
    legend_columns,
    log_axis,
    log_format,
    with_properties,
)

if TYPE_CHECKING:
    from nnkit.training import History

Chart: TypeAlias = "alt.Chart | alt.LayerChart | alt.HConcatChart | alt.VConcatChart"
"""Any chart these builders return (display it, or ``.save(...)`` it)."""

__all__ = [
    "drawn_terms",
    "loss_terms_chart",
    "error_chart",
    "parameter_chart",
    "field_heatmap",
    "fields_row",
    "live_heatmap",
    "slices_chart",
    "solution_1d_chart",
    "points_chart",
    "residual_chart",
]

# Okabe-Ito colours (nnkit.plots.style): distinguishable with colour-vision deficiencies.
TERM_COLORS = {
    "residual": BLUE,
    "ic": ORANGE,
    "bc": GREEN,
    "data": VERMILLION,
    "total": BLACK,
}
ROLE_COLORS = {
    "collocation": SKY,
    "added by refinement": VERMILLION,
    "initial condition": ORANGE,
    "initial condition (slope)": PINK,
    "boundary condition": GREEN,
    "measurement": BLACK,
}


def drawn_terms(history: History) -> list[str]:
    """The curves :func:`loss_terms_chart` draws (a caption should describe exactly these).

    Parameters
    ----------
    history : nnkit.training.History
        A PINN's history (its ``terms``).

    Returns
    -------
    list of str
        Each named term, then "total" (drawn dashed) only when there are several terms.
    """
    return [*history.terms, "total"] if len(history.terms) > 1 else list(history.terms)


def _history_terms(history: History) -> pd.DataFrame:
    rows = []
    for name, values in history.terms.items():
        for e, v in zip(history.epoch, values, strict=False):
            if math.isfinite(v) and v > 0:
                rows.append((e, name, v))
    if "total" in drawn_terms(history):
        for e, v in zip(history.epoch, history.train_loss, strict=False):
            if math.isfinite(v) and v > 0:
                rows.append((e, "total", v))
    return pd.DataFrame(rows, columns=["epoch", "term", "loss"])


def _phase_rules(phase_starts: Sequence[tuple[int, str]] | None) -> alt.LayerChart | None:
    if not phase_starts:
        return None
    starts = [(e, p) for e, p in phase_starts if e > 0]
    if not starts:
        return None
    df = pd.DataFrame(starts, columns=["epoch", "phase"])
    df["label"] = (
        df["phase"]
        .map({"lbfgs": "L-BFGS starts", "bfgs": "BFGS starts", "adam": "Adam"})
        .fillna(df["phase"])
    )
    rule = alt.Chart(df).mark_rule(strokeDash=[4, 3], color="gray").encode(x=alt.X("epoch:Q"))
    text = (
        alt.Chart(df)
        .mark_text(align="left", dx=3, dy=-4, color="gray", baseline="top")
        .encode(x=alt.X("epoch:Q"), y=alt.YValue(0), text=alt.Text("label:N"))
    )
    return rule + text


def loss_terms_chart(
    history: History, phase_starts: Sequence[tuple[int, str]] | None = None, height: int = 260
) -> Chart:
    """Each weighted loss term (and their sum) per epoch, log scale.

    Parameters
    ----------
    history : nnkit.training.History
    phase_starts : sequence of (epoch, phase), optional
        Draws a dashed rule where (L-)BFGS took over.
    """
    df = _history_terms(history)
    if df.empty:
        df = pd.DataFrame({"epoch": [0], "term": ["residual"], "loss": [np.nan]})
    present = [t for t in TERM_COLORS if t in set(df["term"])]
    # above the plot: beside it, a phone's plot kept about 180 px of its width
    above = alt.Legend(orient="top", title=None, columns=legend_columns(present))
    # One legend for colour and dash (same field, same title): "total" is dashed in
    # the chart and in its legend, as the page's caption says.
    base = (
        alt.Chart(df)
        .mark_line()
        .encode(
            x=alt.X("epoch:Q", title="epoch", axis=alt.Axis(**WHOLE_NUMBERS)),
            y=alt.Y(
                "loss:Q",
                scale=alt.Scale(type="log"),
                title="weighted loss term",
                axis=alt.Axis(**log_axis(df["loss"])),
            ),
            color=alt.Color(
                "term:N",
                scale=alt.Scale(domain=present, range=[TERM_COLORS[t] for t in present]),
                title="term",
                legend=above,
            ),
            strokeDash=alt.StrokeDash(
                "term:N",
                scale=alt.Scale(
                    domain=present, range=[[5, 3] if t == "total" else [1, 0] for t in present]
                ),
                title="term",
                legend=above,  # the same legend as the colours': Vega-Lite draws one
            ),
            tooltip=[
                alt.Tooltip("epoch"),
                alt.Tooltip("term"),
                alt.Tooltip("loss:Q", format=".3e"),
            ],
        )
    )
    rules = _phase_rules(phase_starts)
    chart = base if rules is None else base + rules
    return describe(
        with_properties(chart, height=height, title="Loss terms"),
        "Line chart of each weighted loss term per epoch on a log scale: "
        + ", ".join(present)
        + (" (dashed: their sum)" if "total" in present else "")
        + ".",
    )


def error_chart(history: History, height: int = 260, goal: float | None = None) -> Chart:
    """Relative L2 error against the reference solution per evaluated epoch (log scale)."""
    vals = history.monitor.get("rel_l2", [])
    df = pd.DataFrame({"epoch": history.monitor_epoch[: len(vals)], "rel_l2": vals})
    df = df[np.isfinite(df["rel_l2"]) & (df["rel_l2"] > 0)]
    if df.empty:
        df = pd.DataFrame({"epoch": [0], "rel_l2": [np.nan]})
    chart = (
        alt.Chart(df)
        .mark_line(point=True, color=BLUE)
        .encode(
            x=alt.X("epoch:Q", axis=alt.Axis(**WHOLE_NUMBERS)),
            y=alt.Y(
                "rel_l2:Q",
                scale=alt.Scale(type="log"),
                title="relative L2 error",
                axis=alt.Axis(**log_axis(df["rel_l2"])),
            ),
            tooltip=[alt.Tooltip("epoch"), alt.Tooltip("rel_l2:Q", format=".3e")],
        )
    )
    if goal is not None:
        chart = chart + alt.Chart(pd.DataFrame({"goal": [goal]})).mark_rule(
            color="gray", strokeDash=[4, 3]
        ).encode(y=alt.Y("goal:Q"))
    return describe(
        with_properties(chart, height=height, title="Error vs the reference"),
        "Line chart of the relative L2 error of the network against the reference solution "
        "per evaluated epoch, on a log scale.",
    )


def parameter_chart(
    history: History, name: str, true_value: float, label: str | None = None, height: int = 260
) -> Chart:
    """An identified coefficient per evaluated epoch, with the true value as a rule."""
    vals = history.monitor.get(name, [])
    df = pd.DataFrame({"epoch": history.monitor_epoch[: len(vals)], "estimate": vals})
    label = label or name
    line = (
        alt.Chart(df)
        .mark_line(point=True, color=VERMILLION)
        .encode(
            x=alt.X("epoch:Q", axis=alt.Axis(**WHOLE_NUMBERS)),
            y=alt.Y("estimate:Q", title=f"estimated {label}", scale=alt.Scale(zero=False)),
            tooltip=[alt.Tooltip("epoch"), alt.Tooltip("estimate:Q", format=".4f")],
        )
    )
    truth = alt.Chart(
        pd.DataFrame({"truth": [true_value], "label": [f"true {label} = {true_value:g}"]})
    )
    rule = truth.mark_rule(color="black", strokeDash=[4, 3]).encode(y=alt.Y("truth:Q"))
    text = truth.mark_text(align="left", dx=4, dy=-6, x=0).encode(
        y=alt.Y("truth:Q"), text=alt.Text("label:N")
    )
    return describe(
        with_properties(line + rule + text, height=height, title=f"Estimate of {label}"),
        f"Line chart of the estimated {label} per evaluated epoch, with a dashed rule at the "
        f"true value {true_value:g}.",
    )


def _edges(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    v = np.unique(values)
    if v.size == 1:
        return v - 0.5, v + 0.5
    mid = (v[1:] + v[:-1]) / 2
    lo = np.concatenate([[v[0] - (mid[0] - v[0])], mid])
    hi = np.concatenate([mid, [v[-1] + (v[-1] - mid[-1])]])
    return lo, hi


def _with_cells(df: pd.DataFrame) -> pd.DataFrame:
    out = df.copy()
    for col in ("t", "x"):
        v = np.unique(out[col])
        lo, hi = _edges(v)
        idx = np.searchsorted(v, out[col])
        out[col + "0"], out[col + "1"] = lo[idx], hi[idx]
    return out


def field_heatmap(
    df: pd.DataFrame,
    column: str,
    title: str,
    scheme: str = "redblue",
    domain: tuple[float, float] | None = None,
    log: bool = False,
    width: int = 260,
    height: int = 200,
    standalone: bool = True,
    legend: str = "right",
) -> Chart:
    """Heat map of ``column`` over (t, x): t across, x up (as in Raissi et al.).

    ``standalone=True`` sizes the chart by padding (``autosize="pad"``): Streamlit's
    default "fit" squeezes the axes, title and legend into ``width × height`` and left
    a 260-pixel map a few pixels wide. Set it to False inside a concatenation (autosize
    belongs to the top-level chart).
    """
    cells = _with_cells(df[["t", "x", column]])
    if log:
        floor = max(float(cells[column].abs().max()) * 1e-6, 1e-12)
        cells[column] = cells[column].abs().clip(lower=floor)
    scale = alt.Scale(scheme=scheme, type="log" if log else "linear", reverse=scheme == "redblue")
    if domain is not None:
        scale = alt.Scale(
            scheme=scheme,
            domain=list(domain),
            reverse=scheme == "redblue",
            type="log" if log else "linear",
        )
    chart = (
        alt.Chart(cells)
        .mark_rect(aria=False)  # a grid of cells: the chart's description speaks for them
        .encode(
            x=alt.X("t0:Q", title="t", scale=alt.Scale(nice=False)),
            x2=alt.X2("t1:Q"),
            y=alt.Y("x0:Q", title="x", scale=alt.Scale(nice=False)),
            y2=alt.Y2("x1:Q"),
            color=alt.Color(
                f"{column}:Q",
                scale=scale,
                title=column.replace("_", " "),
                # one number format along a log legend (not 0.000001 beside 1e-8)
                legend=alt.Legend(
                    orient=legend, **({"format": log_format(cells[column])} if log else {})
                ),
            ),
            tooltip=[
                alt.Tooltip("t:Q", format=".3f"),
                alt.Tooltip("x:Q", format=".3f"),
                alt.Tooltip(f"{column}:Q", format=".3e"),
            ],
        )
        .properties(width=width, height=height, title=title)
    )
    if not standalone:
        return chart
    return describe(
        with_properties(chart, autosize=alt.AutoSizeParams(type="pad")),
        f"Heat map of {title} over time t (across) and space x (up)"
        + (", log colour scale." if log else "."),
    )


def fields_row(df: pd.DataFrame, width: int = 190, height: int = 170) -> Chart:
    """Network solution, reference and absolute error side by side (shared u colours)."""
    lim = float(max(df["reference"].abs().max(), df["u"].abs().max(), 1e-12))
    dom = (-lim, lim)
    # colour bars under the maps: three side-by-side legends would push the row
    # wider than a laptop's page
    kw: dict[str, Any] = dict(width=width, height=height, standalone=False, legend="bottom")
    u = field_heatmap(df, "u", "PINN u(t, x)", domain=dom, **kw)
    r = field_heatmap(df, "reference", "Reference", domain=dom, **kw)
    e = field_heatmap(df, "abs_error", "|PINN − reference|", scheme="viridis", **kw)
    row = alt.hconcat(
        u, r, e, resolve=independent_scales("color"), autosize=alt.AutoSizeParams(type="pad")
    )
    return describe(
        row,
        "Three heat maps over time t and space x: the network's u, the reference solution "
        "(same colours) and their absolute difference.",
    )


def live_heatmap(df: pd.DataFrame, width: int = 260, height: int = 170) -> Chart:
    """The network's u(t, x) on a coarse grid, in the reference map's colours (live view).

    One panel (drawn on every refresh while training, so kept cheap); ``df`` from
    ``PINN.field_frame(..., residual=False)``.
    """
    lo, hi = float(df["reference"].min()), float(df["reference"].max())
    if hi <= lo:
        lo, hi = lo - 1.0, hi + 1.0
    return field_heatmap(
        df,
        "u",
        "Network now (same colours as the reference)",
        domain=(lo, hi),
        width=width,
        height=height,
    )


def slices_chart(df: pd.DataFrame, times: Sequence[float], height: int = 220) -> Chart:
    """u(x) at a few times: network (solid) beside the reference (dashed)."""
    tv = np.unique(df["t"])
    picked = sorted({float(tv[np.abs(tv - t).argmin()]) for t in times})
    sub = df[df["t"].isin(picked)]
    long = pd.concat(
        [
            sub[["t", "x"]].assign(u=sub["u"], curve="PINN"),
            sub[["t", "x"]].assign(u=sub["reference"], curve="reference"),
        ]
    )
    long["time"] = long["t"].map(lambda t: f"t = {t:.2f}")
    chart = (
        alt.Chart(long)
        .mark_line()
        .encode(
            x=alt.X("x:Q"),
            y=alt.Y("u:Q"),
            color=alt.Color("time:N", title="slice"),
            strokeDash=alt.StrokeDash(
                "curve:N", scale=alt.Scale(domain=["PINN", "reference"], range=[[1, 0], [5, 3]])
            ),
            tooltip=[
                alt.Tooltip("time"),
                alt.Tooltip("curve"),
                alt.Tooltip("x:Q", format=".3f"),
                alt.Tooltip("u:Q", format=".4f"),
            ],
        )
        .properties(height=height, title="Slices u(x) at fixed times")
    )
    return describe(
        chart,
        "Line chart of u against x at the times "
        + ", ".join(f"{t:.2f}" for t in picked)
        + ": the network solid, the reference dashed.",
    )


def solution_1d_chart(
    df: pd.DataFrame,
    points: pd.DataFrame | None = None,
    height: int = 280,
    title: str = "Network vs reference",
) -> Chart:
    """1-D problems: network and reference over the input, with measurements if any.

    ``df`` from ``field_frame`` (or ``reference_frame`` before training: then only the
    reference is drawn). ``points`` from ``points_frame``: measurements are drawn as dots
    and collocation points as ticks on the axis.
    """
    var = "t" if "t" in df.columns else "x"
    curves = [df[[var]].assign(u=df["reference"], curve="reference")]
    if "u" in df.columns:
        curves.append(df[[var]].assign(u=df["u"], curve="PINN"))
    long = pd.concat(curves)
    chart = (
        alt.Chart(long)
        .mark_line()
        .encode(
            x=alt.X(f"{var}:Q"),
            y=alt.Y("u:Q", title="u"),
            color=alt.Color(
                "curve:N", scale=alt.Scale(domain=["reference", "PINN"], range=[GREY, BLUE])
            ),
            strokeDash=alt.StrokeDash(
                "curve:N",
                scale=alt.Scale(domain=["reference", "PINN"], range=[[5, 3], [1, 0]]),
                legend=None,
            ),
            tooltip=[
                alt.Tooltip("curve"),
                alt.Tooltip(f"{var}:Q", format=".3f"),
                alt.Tooltip("u:Q", format=".4f"),
            ],
        )
    )
    if points is not None:
        meas = points[points["role"] == "measurement"]
        if len(meas):
            chart = chart + alt.Chart(meas).mark_circle(color="black", size=30).encode(
                x=alt.X(f"{var}:Q"),
                y=alt.Y("value:Q", title="u"),
                tooltip=[alt.Tooltip(f"{var}:Q", format=".3f"), alt.Tooltip("value:Q")],
            )
        col = points[points["role"].isin(["collocation", "added by refinement"])]
        if len(col):
            lo = float(long["u"].min())
            span = float(long["u"].max()) - lo or 1.0
            ticks = col.assign(level=lo - 0.08 * span)
            chart = chart + alt.Chart(ticks).mark_tick(thickness=1, size=8).encode(
                x=alt.X(f"{var}:Q"),
                y=alt.Y("level:Q", title="u"),
                color=alt.Color(
                    "role:N",
                    scale=alt.Scale(domain=list(ROLE_COLORS), range=list(ROLE_COLORS.values())),
                    legend=None,
                ),
            )
    what = (
        "the network (solid) and the reference solution (dashed)"
        if "u" in df.columns
        else "the reference solution"
    )
    return describe(
        with_properties(chart, height=height, title=title),
        f"Line chart of {what} u against {var}"
        + (
            "; dots: the noisy measurements."
            if points is not None and (points["role"] == "measurement").any()
            else "."
        ),
    )


def points_chart(
    points: pd.DataFrame, lows: Sequence[float], highs: Sequence[float], height: int = 330
) -> Chart:
    """Training points on the domain, coloured by role (collocation, refinement, IC, BC)."""
    cols = [c for c in ("t", "x") if c in points.columns]
    roles = [r for r in ROLE_COLORS if r in set(points["role"])]
    color = alt.Color(
        "role:N",
        scale=alt.Scale(domain=roles, range=[ROLE_COLORS[r] for r in roles]),
        title="point",
        legend=alt.Legend(
            orient="top", title=None, columns=legend_columns(roles)
        ),  # whole width to the plot
    )
    if len(cols) == 2:
        enc = {
            "x": alt.X("t:Q", scale=alt.Scale(domain=[lows[0], highs[0]])),
            "y": alt.Y("x:Q", scale=alt.Scale(domain=[lows[1], highs[1]])),
        }
    else:
        var = cols[0]
        rank = {r: i for i, r in enumerate(ROLE_COLORS)}
        points = points.assign(row=points["role"].map(rank))
        enc = {
            "x": alt.X(f"{var}:Q", scale=alt.Scale(domain=[lows[0], highs[0]])),
            "y": alt.Y("role:N", title=None, sort=list(ROLE_COLORS)),
        }
    chart = (
        alt.Chart(points)
        .mark_circle(size=14, opacity=0.8)
        .encode(**enc, color=color, tooltip=[alt.Tooltip(c) for c in ["role", *cols]])
        .properties(height=height, title=f"Training points ({len(points)})")
    )
    return describe(
        chart,
        f"Scatter plot of the {len(points)} training points by role: " + ", ".join(roles) + ".",
    )


def residual_chart(df: pd.DataFrame, height: int = 220) -> Chart:
    """|residual| over the domain: heat map (log colours) in 2-D, line (log y) in 1-D."""
    if "x" in df.columns and "t" in df.columns:
        return field_heatmap(
            df,
            "residual",
            "|equation residual|",
            scheme="inferno",
            log=True,
            width=300,
            height=height,
        )
    var = "t" if "t" in df.columns else "x"
    d = df[[var]].assign(abs_residual=np.abs(df["residual"]).clip(lower=1e-16))
    chart = (
        alt.Chart(d)
        .mark_line(color=VERMILLION)
        .encode(
            x=alt.X(f"{var}:Q"),
            y=alt.Y(
                "abs_residual:Q",
                scale=alt.Scale(type="log"),
                title="|residual|",
                axis=alt.Axis(**log_axis(d["abs_residual"])),
            ),
            tooltip=[
                alt.Tooltip(f"{var}:Q", format=".3f"),
                alt.Tooltip("abs_residual:Q", format=".2e"),
            ],
        )
        .properties(height=height, title="|equation residual|")
    )
    return describe(
        chart, f"Line chart of the absolute equation residual against {var}, log scale."
    )
