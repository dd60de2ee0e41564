"""Chart builders for finite differences (the "Derivatives" page).

Each builder takes a result from :mod:`nnkit.finite_diff` and returns an Altair chart::

    from nnkit.expr import parse
    from nnkit.finite_diff import error_sweep, stencil
    from nnkit.plots.finite_diff import error_chart, weight_chart
    error_chart(error_sweep(parse("sin(x)"), 1.0))
    weight_chart(stencil(2, 4, "central"))
"""

from __future__ import annotations

import altair as alt
import numpy as np
import pandas as pd

from nnkit.finite_diff import Stencil, Sweep
from nnkit.plots.style import BLUE, GREY, PALETTE, VERMILLION, describe

__all__ = ["FLOOR", "error_chart", "error_frame", "weight_chart"]

#: Errors below this (including exact zeros) are drawn at this value on the log axis.
FLOOR = 1e-17
_PALETTE = PALETTE + ["#882255", "#44AA99"]  # more methods than Okabe-Ito: Tol's wine, teal
_CURVES = ["measured", "truncation C·M·hᵖ", "round-off S·ε·F/hᵈ"]


def error_frame(sweep: Sweep, ceiling: float = 1e3, model: bool = True) -> pd.DataFrame:
    """Long frame for :func:`error_chart`: ``method, curve, h, error, shown``.

    ``shown`` is the error clipped below at :data:`FLOOR` (so exact results stay on a
    log axis); model lines are kept only between FLOOR and ``ceiling``.

    Parameters
    ----------
    sweep : Sweep
        From :func:`nnkit.finite_diff.error_sweep`.
    ceiling : float, default 1e3
        Errors above this are clipped to it.
    model : bool, default True
        Add the truncation and round-off lines of each stencil.

    Returns
    -------
    pandas.DataFrame
        One row per drawn point: ``method, curve, h, error, estimate, shown``.
    """
    d = sweep.data
    measured = d[np.isfinite(d.error)]
    frames = [
        pd.DataFrame(
            {
                "method": measured.method,
                "curve": _CURVES[0],
                "h": measured.h,
                "error": measured.error,
                "estimate": measured.estimate,
            }
        )
    ]
    if model:
        fd = d[d.family == "finite difference"]
        for col, name in (("truncation", _CURVES[1]), ("roundoff", _CURVES[2])):
            part = fd[(fd[col] >= FLOOR) & (fd[col] <= ceiling)]
            frames.append(
                pd.DataFrame(
                    {
                        "method": part.method,
                        "curve": name,
                        "h": part.h,
                        "error": part[col],
                        "estimate": np.nan,
                    }
                )
            )
    out = pd.concat(frames, ignore_index=True)
    out["shown"] = out.error.clip(lower=FLOOR, upper=ceiling)
    return out


def error_chart(
    sweep: Sweep, model: bool = True, ceiling: float = 1e3, height: int = 680
) -> alt.LayerChart:
    """Log-log |error| vs h: one line per method, the model's two lines, h* marked.

    Parameters
    ----------
    sweep : Sweep
        From :func:`nnkit.finite_diff.error_sweep`.
    model : bool
        Draw the truncation and round-off lines of each stencil (dashed, dotted).
    ceiling : float
        Errors above this are drawn at the top edge (tiny h for second derivatives
        reach 1e16).
    height : int, default 680
        Chart height in pixels, legends included (above and below the plot, so that
        the plot keeps the whole width on a phone).

    Returns
    -------
    altair.LayerChart
        Zoomable along h; diamonds mark the theoretical optimum (h*, E*).
    """
    frame = error_frame(sweep, ceiling=ceiling, model=model)
    methods = list(dict.fromkeys(sweep.data.method))
    color = alt.Color(
        "method:N",
        title="method",
        scale=alt.Scale(domain=methods, range=_PALETTE[: len(methods)]),
        # below the plot, not beside it: on a phone a legend on the right left the V 90 px
        legend=alt.Legend(orient="bottom", columns=1),
    )
    x = alt.X(
        "h:Q",
        scale=alt.Scale(type="log"),
        axis=alt.Axis(format=".0e", tickCount=9),
        title="step h",
    )
    y = alt.Y(
        "shown:Q",
        scale=alt.Scale(type="log", domain=[FLOOR, ceiling]),
        axis=alt.Axis(format=".0e"),
        title="|estimate − exact|",
    )
    measured = alt.datum.curve == _CURVES[0]  # drawn bolder than its error models
    lines = (
        alt.Chart(frame)
        .mark_line(clip=True)
        .encode(
            x=x,
            y=y,
            color=color,
            strokeDash=alt.StrokeDash(
                "curve:N",
                title="line",
                scale=alt.Scale(domain=_CURVES, range=[[1, 0], [6, 3], [2, 2]]),
                legend=alt.Legend(orient="top", columns=1),  # beside "method" it overflowed a phone
            ),
            strokeWidth=alt.StrokeWidthValue(1.2, condition={"test": measured, "value": 2}),
            opacity=alt.OpacityValue(0.55, condition={"test": measured, "value": 1.0}),
            detail=alt.Detail("curve:N"),
            tooltip=[
                alt.Tooltip("method:N"),
                alt.Tooltip("curve:N"),
                alt.Tooltip("h:Q", format=".3e"),
                alt.Tooltip("error:Q", format=".3e", title="|error|"),
                alt.Tooltip("estimate:Q", format=".17g"),
            ],
        )
    )
    layers = [lines]
    stars = sweep.summary.dropna(subset=["h_star", "e_star"])
    stars = stars[(stars.e_star >= FLOOR) & (stars.e_star <= ceiling)]
    if not stars.empty:
        layers.append(
            alt.Chart(stars)
            .mark_point(shape="diamond", size=120, filled=True, stroke="black", strokeWidth=1)
            .encode(
                x=alt.X("h_star:Q", scale=alt.Scale(type="log")),
                y=alt.Y("e_star:Q", scale=alt.Scale(type="log")),
                color=color,
                tooltip=[
                    alt.Tooltip("method:N"),
                    alt.Tooltip("h_star:Q", format=".2e", title="theoretical h*"),
                    alt.Tooltip("e_star:Q", format=".2e", title="theoretical E*"),
                    alt.Tooltip("h_best:Q", format=".2e", title="measured best h"),
                    alt.Tooltip("e_best:Q", format=".2e", title="measured min error"),
                ],
            )
        )
    # zoom along h (LayerChart.interactive puts it on the first layer, after a copy that
    # deep-copies every layer: set on the first layer before layering, the spec is the same)
    layers[0] = layers[0].interactive(bind_y=False)
    chart = alt.LayerChart(layer=layers, height=height)
    return describe(
        chart,
        "Log-log plot of the absolute error of each method against the step h, "
        f"for h from {frame.h.min():.0e} to {frame.h.max():.0e}; methods: {', '.join(methods)}"
        + (
            "; dashed and dotted lines: each stencil's truncation and round-off model"
            if model
            else ""
        )
        + ("; diamonds: the theoretical best step" if not stars.empty else "")
        + ".",
    )


def weight_chart(st: Stencil, height: int = 200) -> alt.LayerChart:
    """Weight diagram: a stem at each sample point x + s·h, as tall as its weight.

    Labels give the exact weights as fractions (the common denominator shown in the
    stencil's LaTeX is already divided out).

    Parameters
    ----------
    st : Stencil
        The formula.
    height : int, default 200
        Chart height in pixels.

    Returns
    -------
    altair.LayerChart
        Blue stems for positive weights, red for negative ones.
    """
    offsets = st.float_offsets
    frame = pd.DataFrame(
        {
            "offset": offsets,
            "weight": st.float_weights,
            "label": [str(w).replace("-", "−") for w in st.weights],
            "point": [_point_label(s) for s in st.offsets],
            "sign": ["+" if w > 0 else ("−" if w < 0 else "0") for w in st.weights],
        }
    )
    lo, hi = float(offsets.min()) - 0.6, float(offsets.max()) + 0.6
    # Room above the highest and below the lowest stem for their labels, so that a
    # label never sits on the axis's own tick labels.
    w_lo, w_hi = min(0.0, float(st.float_weights.min())), max(0.0, float(st.float_weights.max()))
    pad = 0.3 * (w_hi - w_lo)
    y = alt.Y(
        "weight:Q", title="weight", scale=alt.Scale(domain=[w_lo - pad, w_hi + pad], nice=False)
    )
    x = alt.X(
        "offset:Q",
        scale=alt.Scale(domain=[lo, hi]),
        axis=alt.Axis(values=[float(s) for s in st.offsets], title="sample at x + s·h (s)"),
    )
    base = alt.Chart(frame).encode(x=x)
    sign_color = alt.Color(
        "sign:N",
        scale=alt.Scale(domain=["+", "−", "0"], range=[BLUE, VERMILLION, GREY]),
        legend=None,
    )
    stems = base.mark_rule(strokeWidth=3).encode(y=y, y2=alt.Y2Datum(0), color=sign_color)
    heads = base.mark_circle(size=90, opacity=1).encode(
        y=y,
        color=sign_color,
        tooltip=[
            alt.Tooltip("point:N"),
            alt.Tooltip("label:N"),
            alt.Tooltip("weight:Q", format=".6g"),
        ],
    )
    text = (
        base.mark_text(dy=-12, fontSize=13)
        .encode(y=y, text=alt.Text("label:N"))
        .transform_filter(alt.datum.weight >= 0)
    )
    text_neg = (
        base.mark_text(dy=14, fontSize=13)
        .encode(y=y, text=alt.Text("label:N"))
        .transform_filter(alt.datum.weight < 0)
    )
    zero = alt.Chart(pd.DataFrame({"y": [0.0]})).mark_rule(color=GREY).encode(y=alt.Y("y:Q"))
    chart = alt.LayerChart(layer=[zero, stems, heads, text, text_neg], height=height)
    pairs = ", ".join(
        f"{_point_label(s)}: {lab}" for s, lab in zip(st.offsets, frame.label, strict=True)
    )
    return describe(chart, f"Stem plot of the stencil's weights at its sample points: {pairs}.")


def _point_label(s: object) -> str:
    v = float(s)  # type: ignore[arg-type]
    if v == 0:
        return "x"
    mult = "" if abs(v) == 1 else f"{abs(v):g}"
    return f"x {'+' if v > 0 else '−'} {mult}h"
