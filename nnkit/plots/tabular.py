"""Charts for the House prices page (Altair; usable in Jupyter too).

Builders take the DataFrames of :mod:`nnkit.tabular` (``predictions_frame``,
``importance``, ``compare``) and return Altair charts. The MLP is orange and each
baseline has its own colour everywhere.
"""

from __future__ import annotations

from collections.abc import Sequence

import altair as alt
import numpy as np
import pandas as pd

from nnkit.plots.style import BLUE, GREY, ORANGE, PINK, SKY

__all__ = [
    "MODEL_COLORS",
    "importance_chart",
    "long_predictions",
    "metric_bars",
    "predicted_vs_actual",
    "residuals_chart",
    "target_histogram",
]

MODEL_COLORS = {  # Okabe-Ito: told apart with colour-vision deficiencies too
    "MLP": ORANGE,
    "gradient boosting": BLUE,
    "ridge": PINK,
    "mean": GREY,
}
"""Colour of each model on every chart."""


def _color(models: Sequence[str]) -> alt.Color:
    domain = list(models)
    rng = [MODEL_COLORS.get(m, SKY) for m in domain]
    return alt.Color("model:N", title="model", scale=alt.Scale(domain=domain, range=rng))


def long_predictions(predictions: pd.DataFrame, target: str, models: Sequence[str]) -> pd.DataFrame:
    """Long table ``row, model, actual, predicted, residual`` from a predictions frame.

    Parameters
    ----------
    predictions : pandas.DataFrame
        From :func:`nnkit.tabular.predictions_frame`.
    target : str
        Target name (the ``actual <target>`` column).
    models : sequence of str
        Models to keep, in legend order.
    """
    parts = []
    actual = predictions[f"actual {target}"].to_numpy(dtype=float)
    for m in models:
        p = predictions[f"predicted ({m})"].to_numpy(dtype=float)
        parts.append(
            pd.DataFrame(
                {"row": predictions["row"], "model": m, "actual": actual, "predicted": p, "residual": p - actual}
            )
        )
    return pd.concat(parts, ignore_index=True)


def predicted_vs_actual(long: pd.DataFrame, target: str = "target") -> alt.LayerChart:
    """Predicted against actual test values per model, with the diagonal y = x.

    A perfect model puts every point on the diagonal; points above it are
    over-estimates.
    """
    lo = float(min(long["actual"].min(), long["predicted"].min()))
    hi = float(max(long["actual"].max(), long["predicted"].max()))
    pad = 0.02 * (hi - lo or 1.0)
    dom = [lo - pad, hi + pad]
    models = list(dict.fromkeys(long["model"]))
    points = (
        alt.Chart(long)
        .mark_circle(size=28, opacity=0.6)
        .encode(
            x=alt.X(
                "actual:Q",
                title=f"actual {target}",
                scale=alt.Scale(domain=dom, nice=False),
                axis=alt.Axis(format="~s"),
            ),
            y=alt.Y(
                "predicted:Q",
                title=f"predicted {target}",
                scale=alt.Scale(domain=dom, nice=False),
                axis=alt.Axis(format="~s"),
            ),
            color=_color(models),
            tooltip=[
                alt.Tooltip("row:Q", title="row"),
                "model:N",
                alt.Tooltip("actual:Q", format=",.4~g"),
                alt.Tooltip("predicted:Q", format=",.4~g"),
            ],
        )
    )
    diag = (
        alt.Chart(pd.DataFrame({"actual": dom, "predicted": dom}))
        .mark_line(color="black", strokeDash=[5, 4], strokeWidth=1.5)
        .encode(x="actual:Q", y="predicted:Q")
    )
    return (points + diag).properties(height=420, title="Predicted vs actual (test rows)",
                                      description=f"Scatter plot of the predicted against the actual {target} on the test rows, per model, with the diagonal y = x.")


def residuals_chart(long: pd.DataFrame, target: str = "target") -> alt.LayerChart:
    """Residual (predicted − actual) against the prediction, per model, with the zero line.

    A structure-free band around zero means the model has used what the features
    know; a curve or a funnel says something is left to learn (or a log target
    would help).
    """
    models = list(dict.fromkeys(long["model"]))
    points = (
        alt.Chart(long)
        .mark_circle(size=24, opacity=0.55)
        .encode(
            x=alt.X(
                "predicted:Q",
                title=f"predicted {target}",
                scale=alt.Scale(zero=False),
                axis=alt.Axis(format="~s"),
            ),
            y=alt.Y("residual:Q", title="residual = predicted − actual", axis=alt.Axis(format="~s")),
            color=_color(models),
            tooltip=["row:Q", "model:N", alt.Tooltip("residual:Q", format=",.4~g")],
        )
    )
    zero = alt.Chart(pd.DataFrame({"y": [0.0]})).mark_rule(color="black").encode(y="y:Q")
    return (points + zero).properties(height=300, title="Residuals (test rows)",
                                      description=f"Scatter plot of each model's residual against the actual {target} on the test rows.")


def importance_chart(imp: pd.DataFrame, model: str = "MLP", top: int = 20) -> alt.LayerChart:
    """Permutation importance: drop in test R² when one column is shuffled, ± one std.

    Parameters
    ----------
    imp : pandas.DataFrame
        From :func:`nnkit.tabular.importance` (``feature, importance, std``).
    model : str
        Name for the title.
    top : int
        Show the ``top`` most important columns.
    """
    d = imp.head(top).copy()
    d["lo"] = d["importance"] - d["std"]
    d["hi"] = d["importance"] + d["std"]
    order = list(d["feature"])
    y = alt.Y("feature:N", sort=order, title=None)
    bars = (
        alt.Chart(d)
        .mark_bar(color=MODEL_COLORS.get(model, SKY))
        .encode(
            x=alt.X("importance:Q", title="drop in test R² when shuffled"),
            y=y,
            tooltip=["feature:N", alt.Tooltip("importance:Q", format=".4f"), alt.Tooltip("std:Q", format=".4f")],
        )
    )
    err = alt.Chart(d).mark_rule(color="black").encode(x="lo:Q", x2="hi:Q", y=y)
    return (bars + err).properties(height=alt.Step(24), title=f"Permutation importance ({model})",
                                   description=f"Bar chart of the permutation importance of each feature for the {model}, with error bars.")


def metric_bars(table: pd.DataFrame, metric: str = "R²") -> alt.Chart:
    """One bar per model for a metric of :func:`nnkit.tabular.compare`."""
    models = list(table["model"])
    d = table[["model", metric]].rename(columns={metric: "value"})
    return (
        alt.Chart(d)
        .mark_bar()
        .encode(
            x=alt.X("value:Q", title=f"test {metric}"),
            y=alt.Y("model:N", sort=models, title=None),
            color=_color(models),
            tooltip=["model:N", alt.Tooltip("value:Q", format=".4f")],
        )
        .properties(height=30 * len(models) + 20,
                    description=f"Bar chart of the test {metric} of each model: " + ", ".join(models) + ".")
    )


def target_histogram(y: np.ndarray, target: str = "target", log: bool = False, bins: int = 40) -> alt.Chart:
    """Histogram of the target (of its log when ``log``): a long right tail suggests log."""
    y = np.asarray(y, dtype=float)
    y = y[np.isfinite(y)]
    values = np.log(y[y > 0]) if log else y
    counts, edges = np.histogram(values, bins=bins)
    d = pd.DataFrame({"lo": edges[:-1], "hi": edges[1:], "count": counts})
    return (
        alt.Chart(d)
        .mark_rect(color=BLUE, opacity=0.85)
        .encode(
            x=alt.X("lo:Q", title=f"log({target})" if log else target, scale=alt.Scale(zero=False)),
            x2="hi:Q",
            y=alt.Y("count:Q", title="rows"),
            tooltip=[alt.Tooltip("lo:Q", format=",.4~g"), alt.Tooltip("hi:Q", format=",.4~g"), "count:Q"],
        )
        .properties(height=200, title=f"Distribution of {'log ' if log else ''}{target}",
                    description=f"Histogram of the {'log of the ' if log else ''}{target} on the training rows.")
    )
