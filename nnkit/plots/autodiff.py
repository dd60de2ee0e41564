"""Charts for the autodiff page: how closely the engine's gradients match their references."""

from __future__ import annotations

import altair as alt
import pandas as pd

from nnkit.plots.style import describe, with_properties

__all__ = ["FLOOR", "agreement_chart"]

#: Differences below this (including exact zeros) are drawn at this height: a log
#: axis cannot show 0. The tooltip keeps the true value.
FLOOR = 1e-18


def agreement_chart(table: pd.DataFrame) -> alt.LayerChart:
    """Absolute gap between the engine's gradient and each reference, per variable.

    Parameters
    ----------
    table : pandas.DataFrame
        From :func:`nnkit.autodiff.check_gradients` (columns ``variable``,
        ``|autodiff − torch|``, ``|autodiff − central|``, ``autodiff``).

    Returns
    -------
    altair.LayerChart
        Points on a log axis; exact agreement (a gap of 0) sits on the floor line
        labelled "identical". A dashed rule marks float64's machine epsilon (2.2e-16).
    """
    refs = {
        "|autodiff − torch|": "torch.autograd",
        "|autodiff − central|": "central difference",
    }
    rows = []
    for _, r in table.iterrows():
        for col, name in refs.items():
            gap = float(r[col])
            shown = gap if gap >= FLOOR else FLOOR
            rows.append(
                {
                    "variable": r["variable"],
                    "reference": name,
                    "gap": gap,
                    "shown": shown,
                    "gradient": float(r["autodiff"]),
                    "status": "identical (gap 0)" if gap == 0 else f"{gap:.3g}",
                }
            )
    data = pd.DataFrame(rows)
    data = data[pd.notna(data["shown"]) & (data["shown"] < float("inf"))]
    y = alt.Y(
        "shown:Q",
        scale=alt.Scale(type="log", domain=[FLOOR / 2, 1e-2]),
        title="|autodiff − reference| (log scale)",
        axis=alt.Axis(format=".0e"),
    )
    points = (
        alt.Chart(data)
        .mark_point(size=110, filled=True)
        .encode(
            x=alt.X("variable:N", title="variable", sort=None, axis=alt.Axis(labelAngle=0)),
            y=y,
            color=alt.Color("reference:N", title="reference"),
            shape=alt.Shape("reference:N", title="reference"),
            xOffset=alt.XOffset("reference:N"),
            tooltip=[
                alt.Tooltip("variable"),
                alt.Tooltip("reference"),
                alt.Tooltip("gradient:Q", format=".15g"),
                alt.Tooltip("status:N", title="gap"),
            ],
        )
    )
    eps = (
        alt.Chart(pd.DataFrame({"y": [2.220446049250313e-16], "label": ["machine ε"]}))
        .mark_rule(strokeDash=[4, 4], color="#888")
        .encode(y=alt.Y("y:Q"))
    )
    eps_text = (
        alt.Chart(pd.DataFrame({"y": [2.220446049250313e-16], "label": ["float64 ε"]}))
        .mark_text(align="left", dx=4, dy=-6, color="#666")
        .encode(y=alt.Y("y:Q"), text=alt.Text("label:N"), x=alt.XValue(0))
    )
    floor = (
        alt.Chart(pd.DataFrame({"y": [FLOOR], "label": ["identical (gap 0)"]}))
        .mark_text(align="left", dx=4, dy=-6, color="#666")
        .encode(y=alt.Y("y:Q"), text=alt.Text("label:N"), x=alt.XValue(0))
    )
    chart = with_properties(eps + eps_text + floor + points, height=260)
    gaps = "; ".join(f"{r.variable} vs {r.reference}: {r.status}" for r in data.itertuples())
    return describe(
        chart,
        f"Dot plot of the gap between nnkit's gradient and each reference, log scale: {gaps}.",
    )
