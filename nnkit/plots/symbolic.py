"""Charts of the symbolic-distillation page: Pareto front, curves and maps beyond the domain."""

from __future__ import annotations

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
    YELLOW,
    legend_columns,
    with_properties,
)

__all__ = ["comparison_curves", "comparison_maps", "pareto_chart", "structure_chart"]

SERIES_COLORS = {
    "truth": BLACK,
    "network": VERMILLION,
    "formula": BLUE,  # Okabe-Ito
    "gplearn": ORANGE,
    "data": GREY,
}


def _color(series: list[str]) -> alt.Scale:
    palette = [GREEN, PINK, SKY, YELLOW]
    rng = [SERIES_COLORS.get(s) or palette[i % len(palette)] for i, s in enumerate(series)]
    return alt.Scale(domain=series, range=rng)


def pareto_chart(
    candidates: pd.DataFrame, front: pd.DataFrame, height: int = 300, threshold: float | None = None
) -> alt.Chart:
    """Complexity vs relative error of every candidate, the Pareto front and the choice.

    Parameters
    ----------
    candidates : DataFrame
        Columns ``complexity``, ``nrmse``, ``formula`` (every formula evaluated).
    front : DataFrame
        :attr:`nnkit.symbolic.Distillation.front` (``complexity``, ``nrmse``,
        ``formula``, ``chosen``, and ``exact`` if known).
    height : int, default 300
    threshold : float, optional
        The noise level below which a formula is exact: drawn as a dashed line.

    Returns
    -------
    altair.Chart
    """
    floor = 1e-12
    cands = candidates.assign(error=np.maximum(candidates["nrmse"], floor))
    fr = front.assign(error=np.maximum(front["nrmse"], floor))
    if "exact" not in fr:
        fr = fr.assign(exact=False)
    fr = fr.assign(label=np.where(fr["exact"], "exact", "approximation"))
    y = alt.Y(
        "error:Q",
        scale=alt.Scale(type="log"),
        title="relative RMSE (RMSE / std)",
        axis=alt.Axis(format=".1~e"),
    )
    x = alt.X("complexity:Q", title="complexity (nodes of the expression tree)")
    tip = [
        alt.Tooltip("formula:N"),
        alt.Tooltip("complexity:Q"),
        alt.Tooltip("nrmse:Q", format=".3g"),
    ]
    cloud = alt.Chart(cands).mark_circle(size=30, color=GREY, opacity=0.6).encode(x, y, tooltip=tip)
    line = alt.Chart(fr).mark_line(interpolate="step-after", color=BLUE).encode(x, y)
    dots = (
        alt.Chart(fr)
        .mark_point(size=60, filled=True)
        .encode(
            x,
            y,
            tooltip=tip,
            color=alt.Color(
                "label:N",
                title=None,
                scale=alt.Scale(domain=["exact", "approximation"], range=[GREEN, BLUE]),
                legend=alt.Legend(orient="top"),  # beside the plot, a phone's kept 150 px
            ),
        )
    )
    chosen = (
        alt.Chart(fr[fr["chosen"]])
        .mark_point(size=250, shape="diamond", filled=True, color=VERMILLION)
        .encode(x, y, tooltip=tip)
    )
    chart = cloud + line + dots + chosen
    noise_line = threshold is not None and threshold > 0
    if noise_line:
        rule = (
            alt.Chart(pd.DataFrame({"error": [max(float(threshold or 0.0), floor)]}))
            .mark_rule(strokeDash=[4, 4], color=GREEN)
            .encode(y=alt.Y("error:Q"))
        )
        chart = chart + rule
    return with_properties(
        chart,
        height=height,
        title="Pareto front: complexity vs error",
        description="Scatter plot of the candidate formulas' error against their complexity, the "
        "Pareto front as a step line (exact formulas marked), "
        + ("the noise level as a dashed line " if noise_line else "")
        + "and the chosen formula as a diamond.",
    )


def structure_chart(table: pd.DataFrame, tolerance: float, height: int = 220) -> alt.Chart:
    """The structure tests' scores (log scale) against the tolerance below which they hold.

    Parameters
    ----------
    table : DataFrame
        :meth:`nnkit.symbolic.structure.Structure.table` (``test``, ``score``, ``holds``).
    tolerance : float
        Scores below it count as "holds" (drawn as a dashed line).
    height : int, default 220
        Chart height in pixels.

    Returns
    -------
    altair.Chart
    """
    floor = 1e-12
    df = table[~table["test"].str.startswith("f is ")].assign(
        value=lambda d: np.maximum(d["score"].astype(float), floor),
        verdict=lambda d: np.where(d["holds"], "holds", "does not hold"),
    )
    bars = (
        alt.Chart(df)
        .mark_bar()
        .encode(
            y=alt.Y("test:N", sort=None, title=None),
            x=alt.X(
                "value:Q",
                scale=alt.Scale(type="log"),
                title="score (0 = the property holds exactly)",
                axis=alt.Axis(format=".0e"),
            ),
            color=alt.Color(
                "verdict:N",
                title=None,
                scale=alt.Scale(domain=["holds", "does not hold"], range=[GREEN, GREY]),
            ),
            tooltip=[
                alt.Tooltip("test:N"),
                alt.Tooltip("score:Q", format=".2e"),
                alt.Tooltip("verdict:N"),
            ],
        )
    )
    rule = (
        alt.Chart(pd.DataFrame({"value": [tolerance]}))
        .mark_rule(strokeDash=[4, 4], color=VERMILLION)
        .encode(x=alt.X("value:Q"))
    )
    return with_properties(
        bars + rule,
        height=height,
        title="Structure tests on the surrogate",
        description="Bar chart of each structure test's score on a log scale, green where the "
        "property holds, with the tolerance as a dashed line.",
    )


def comparison_curves(
    slice_df: pd.DataFrame,
    domain: tuple[float, float],
    height: int = 320,
    title: str = "",
    points: pd.DataFrame | None = None,
) -> alt.Chart:
    """Lines of each series along x; the training domain shaded.

    Parameters
    ----------
    slice_df : DataFrame
        :attr:`nnkit.symbolic.Comparison.slice` (``x, series, value, inside``).
    domain : (low, high)
        Training interval of x.
    points : DataFrame, optional
        Data to show as dots (columns ``x``, ``value``), e.g. an uploaded data set.
    """
    df = slice_df[np.isfinite(slice_df["value"])]
    series = list(dict.fromkeys(slice_df["series"]))
    band = (
        alt.Chart(pd.DataFrame({"lo": [domain[0]], "hi": [domain[1]]}))
        .mark_rect(color="#4c78a8", opacity=0.08)
        .encode(x=alt.X("lo:Q"), x2=alt.X2("hi:Q"))
    )
    dash = alt.StrokeDashValue(
        [6, 3], condition={"test": alt.datum.series == "truth", "value": [1, 0]}
    )
    lines = (
        alt.Chart(df)
        .mark_line(strokeWidth=2)
        .encode(
            x=alt.X("x:Q", title="x"),
            y=alt.Y("value:Q", title="value"),
            color=alt.Color(  # above the plot: beside it, a phone's plot kept 200 px
                "series:N",
                scale=_color(series),
                title=None,
                legend=alt.Legend(orient="top", columns=legend_columns(series)),
            ),
            strokeDash=dash,
            tooltip=[
                alt.Tooltip("series:N"),
                alt.Tooltip("x:Q", format=".3f"),
                alt.Tooltip("value:Q", format=".4g"),
            ],
        )
    )
    chart = band + lines
    if points is not None:
        chart = chart + alt.Chart(points).mark_circle(size=14, color="#9d9d9d", opacity=0.6).encode(
            x=alt.X("x:Q"), y=alt.Y("value:Q")
        )
    return with_properties(
        chart,
        height=height,
        title=title or "Inside (shaded) and outside the domain",  # whole on a phone
        description="Line chart of "
        + ", ".join(dict.fromkeys(slice_df["series"]))
        + " against x, the training domain shaded.",
    )


def comparison_maps(
    grid: pd.DataFrame, domain: tuple[tuple[float, float], ...], size: int = 230
) -> alt.Chart:
    """One heat-map per series over the window; the training box drawn as a rectangle.

    Parameters
    ----------
    grid : DataFrame
        :attr:`nnkit.symbolic.Comparison.grid` with ``x, y, series, value``.
    domain : ((x0, x1), (y0, y1))
    """
    df = grid[np.isfinite(grid["value"])]
    xs = np.sort(df["x"].unique())
    ys = np.sort(df["y"].unique())
    dx = float(xs[1] - xs[0]) if len(xs) > 1 else 1.0
    dy = float(ys[1] - ys[0]) if len(ys) > 1 else 1.0
    df = df.assign(x2=df["x"] + dx, y2=df["y"] + dy)
    lo, hi = np.nanpercentile(df["value"], [1, 99]) if len(df) else (0.0, 1.0)
    box = pd.DataFrame(
        {"x": [domain[0][0]], "x2": [domain[0][1]], "y": [domain[1][0]], "y2": [domain[1][1]]}
    )
    charts = []
    for name in dict.fromkeys(grid["series"]):
        part = df[df["series"] == name]
        heat = (
            alt.Chart(part)
            .mark_rect(aria=False)  # grid cells: the chart's description speaks for them
            .encode(
                x=alt.X("x:Q", title="x", scale=alt.Scale(zero=False, nice=False)),
                x2=alt.X2("x2:Q"),
                y=alt.Y("y:Q", title="y", scale=alt.Scale(zero=False, nice=False)),
                y2=alt.Y2("y2:Q"),
                color=alt.Color(
                    "value:Q",
                    scale=alt.Scale(scheme="viridis", domain=[float(lo), float(hi)], clamp=True),
                    title="value",
                ),
                tooltip=[
                    alt.Tooltip("x:Q", format=".2f"),
                    alt.Tooltip("y:Q", format=".2f"),
                    alt.Tooltip("value:Q", format=".4g"),
                ],
            )
        )
        outline = (
            alt.Chart(box)
            .mark_rect(fill=None, stroke="white", strokeDash=[5, 3], strokeWidth=2)
            .encode(x=alt.X("x:Q"), x2=alt.X2("x2:Q"), y=alt.Y("y:Q"), y2=alt.Y2("y2:Q"))
        )
        charts.append(with_properties(heat + outline, width=size, height=size, title=name))
    return alt.hconcat(
        *charts,
        resolve=alt.Resolve(scale=alt.ScaleResolveMap(color="shared")),
        description="Heat maps over x and y of "
        + ", ".join(dict.fromkeys(grid["series"]))
        + ", the training box dashed.",
    )
