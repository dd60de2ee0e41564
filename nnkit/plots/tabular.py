"""Charts for the House prices page (Altair; usable in Jupyter too).

Builders take the DataFrames of :mod:`nnkit.tabular` (``predictions_frame``,
``importance``, ``compare``) and return Altair charts (and, for the metrics, a
formatted table). The MLP is orange and each baseline has its own colour everywhere.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

import altair as alt
import numpy as np
import pandas as pd
from numpy.typing import ArrayLike
from pandas.io.formats.style import Styler

if TYPE_CHECKING:
    from nnkit.tabular import Prepared, TabularClassifier, TabularModel

from nnkit.plots.style import (
    BLUE,
    GREY,
    ORANGE,
    PINK,
    SKY,
    WHOLE_NUMBERS,
    legend_columns,
    with_properties,
)

__all__ = [
    "MODEL_COLORS",
    "class_counts",
    "confusion_chart",
    "reliability_chart",
    "result_views",
    "importance_chart",
    "long_predictions",
    "metric_bars",
    "metrics_table",
    "predicted_vs_actual",
    "residuals_chart",
    "target_histogram",
]

MODEL_COLORS = {  # Okabe-Ito: told apart with colour-vision deficiencies too
    "MLP": ORANGE,
    "gradient boosting": BLUE,
    "ridge": PINK,
    "logistic regression": PINK,
    "mean": GREY,
    "majority": GREY,
}
"""Colour of each model on every chart."""


TENTHS = [k / 10 for k in range(11)]
"""Ticks of a probability axis."""


def _color(models: Sequence[str]) -> alt.Color:
    domain = list(models)
    rng = [MODEL_COLORS.get(m, SKY) for m in domain]
    # above the plot: beside it, a phone's plot kept about 130 px of its width
    legend = alt.Legend(orient="top", title=None, columns=legend_columns(domain))
    return alt.Color(
        "model:N", title="model", scale=alt.Scale(domain=domain, range=rng), legend=legend
    )


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

    Returns
    -------
    pandas.DataFrame
    """
    parts = []
    actual = predictions[f"actual {target}"].to_numpy(dtype=float)
    for m in models:
        p = predictions[f"predicted ({m})"].to_numpy(dtype=float)
        parts.append(
            pd.DataFrame(
                {
                    "row": predictions["row"],
                    "model": m,
                    "actual": actual,
                    "predicted": p,
                    "residual": p - actual,
                }
            )
        )
    return pd.concat(parts, ignore_index=True)


def _si_axis() -> alt.Axis:
    """An axis in SI units (250k, 1.2M) with about 8 ticks, and 0 written "0".

    Vega gives every tick the SI prefix of the step, which made the zero tick read "0k".
    """
    return alt.Axis(format="~s", tickCount=8, labelExpr="datum.value == 0 ? '0' : datum.label")


def predicted_vs_actual(long: pd.DataFrame, target: str = "target") -> alt.LayerChart:
    """Predicted against actual test values per model, with the diagonal y = x.

    A perfect model puts every point on the diagonal; points above it are
    over-estimates.

    Parameters
    ----------
    long : pandas.DataFrame
        From :func:`long_predictions`.
    target : str
        Target name (axis titles).

    Returns
    -------
    altair.LayerChart
    """
    lo = float(min(long["actual"].min(), long["predicted"].min()))
    hi = float(max(long["actual"].max(), long["predicted"].max()))
    pad = 0.02 * (hi - lo or 1.0)
    dom = [lo - pad, hi + pad]
    models = list(dict.fromkeys(long["model"]))
    points = (
        alt.Chart(long)
        .mark_circle(size=28, opacity=0.6, aria=False)  # one per test row: described by the chart
        .encode(
            x=alt.X(
                "actual:Q",
                title=f"actual {target}",
                scale=alt.Scale(domain=dom, nice=False),
                axis=_si_axis(),
            ),
            y=alt.Y(
                "predicted:Q",
                title=f"predicted {target}",
                scale=alt.Scale(domain=dom, nice=False),
                axis=_si_axis(),
            ),
            color=_color(models),
            tooltip=[
                alt.Tooltip("row:Q", title="row"),
                alt.Tooltip("model:N"),
                alt.Tooltip("actual:Q", format=",.4~g"),
                alt.Tooltip("predicted:Q", format=",.4~g"),
            ],
        )
    )
    diag = (
        alt.Chart(pd.DataFrame({"actual": dom, "predicted": dom}))
        .mark_line(color="black", strokeDash=[5, 4], strokeWidth=1.5)
        .encode(x=alt.X("actual:Q"), y=alt.Y("predicted:Q"))
    )
    return with_properties(
        points + diag,
        height=420,
        title="Predicted vs actual (test rows)",
        description=f"Scatter plot of the predicted against the actual {target} on the test rows, per model, with the diagonal y = x.",
    )


def residuals_chart(long: pd.DataFrame, target: str = "target") -> alt.LayerChart:
    """Residual (predicted − actual) against the prediction, per model, with the zero line.

    A structure-free band around zero means the model has used what the features
    know; a curve or a funnel says something is left to learn (or a log target
    would help).

    Parameters
    ----------
    long : pandas.DataFrame
        From :func:`long_predictions`.
    target : str
        Target name (axis title).

    Returns
    -------
    altair.LayerChart
    """
    models = list(dict.fromkeys(long["model"]))
    points = (
        alt.Chart(long)
        .mark_circle(size=24, opacity=0.55, aria=False)  # one per test row: described by the chart
        .encode(
            x=alt.X(
                "predicted:Q",
                title=f"predicted {target}",
                scale=alt.Scale(zero=False),
                axis=_si_axis(),
            ),
            y=alt.Y("residual:Q", title="residual = predicted − actual", axis=_si_axis()),
            color=_color(models),
            tooltip=[
                alt.Tooltip("row:Q"),
                alt.Tooltip("model:N"),
                alt.Tooltip("residual:Q", format=",.4~g"),
            ],
        )
    )
    zero = alt.Chart(pd.DataFrame({"y": [0.0]})).mark_rule(color="black").encode(y=alt.Y("y:Q"))
    return with_properties(
        points + zero,
        height=300,
        title="Residuals (test rows)",
        description=f"Scatter plot of each model's residual against its predicted {target} on the test rows, with the zero line.",
    )


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

    Returns
    -------
    altair.LayerChart
    """
    d = imp.head(top).copy()
    d["lo"] = d["importance"] - d["std"]
    d["hi"] = d["importance"] + d["std"]
    order = list(d["feature"])
    metric = imp.attrs.get("metric", "R²")
    points = metric == "accuracy"  # an accuracy drop is read in points, as the caption says
    # a column's whole name up to ~30 characters (the theme cut at ~100 px), a phone's plot kept
    y = alt.Y("feature:N", sort=order, title=None, axis=alt.Axis(labelLimit=190))
    bars = (
        alt.Chart(d)
        .mark_bar(color=MODEL_COLORS.get(model, SKY))
        .encode(
            x=alt.X(
                "importance:Q",
                title=f"drop in test {metric}",
                axis=alt.Axis(format=".1~%" if points else "~g"),  # the caption's unit
            ),
            y=y,
            tooltip=[
                alt.Tooltip("feature:N"),
                alt.Tooltip("importance:Q", format=".2%" if points else ".4f"),
                alt.Tooltip("std:Q", format=".2%" if points else ".4f"),
            ],
        )
    )
    err = alt.Chart(d).mark_rule(color="black").encode(x=alt.X("lo:Q"), x2=alt.X2("hi:Q"), y=y)
    return with_properties(
        bars + err,
        height=alt.Step(24),
        title=f"Permutation importance ({model})",
        description=f"Bar chart of the drop in test {metric} when each of "
        f"the {len(d)} most important features is shuffled, for the {model}, with ± one "
        "standard deviation over the shuffles as error bars.",
    )


def metric_bars(table: pd.DataFrame, metric: str = "R²") -> alt.Chart:
    """One bar per model for a metric of :func:`nnkit.tabular.compare`.

    Parameters
    ----------
    table : pandas.DataFrame
        From :func:`nnkit.tabular.compare`.
    metric : str
        A column of it.

    Returns
    -------
    altair.Chart
    """
    models = list(table["model"])
    d = table[["model", metric]].rename(columns={metric: "value"})
    return (
        alt.Chart(d)
        .mark_bar()
        .encode(
            x=alt.X("value:Q", title=f"test {metric}"),
            y=alt.Y("model:N", sort=models, title=None),
            color=_color(models),
            tooltip=[alt.Tooltip("model:N"), alt.Tooltip("value:Q", format=".4f")],
        )
        .properties(
            height=30 * len(models) + 20,
            description=f"Bar chart of the test {metric} of each model: " + ", ".join(models) + ".",
        )
    )


def target_histogram(
    y: ArrayLike, target: str = "target", log: bool = False, bins: int = 40
) -> alt.Chart:
    """Histogram of the target (of its log when ``log``): a long right tail suggests log.

    Parameters
    ----------
    y : array_like
        Target values (non-finite ones are left out).
    target : str
        Target name (axis title).
    log : bool
        Histogram of ``log(y)`` (positive values only).
    bins : int
        Number of bins.

    Returns
    -------
    altair.Chart
    """
    v = np.asarray(y, dtype=float)
    v = v[np.isfinite(v)]
    values = np.log(v[v > 0]) if log else v
    counts, edges = np.histogram(values, bins=bins)
    d = pd.DataFrame({"lo": edges[:-1], "hi": edges[1:], "count": counts})
    return (
        alt.Chart(d)
        .mark_rect(color=BLUE, opacity=0.85)
        .encode(
            x=alt.X("lo:Q", title=f"log({target})" if log else target, scale=alt.Scale(zero=False)),
            x2=alt.X2("hi:Q"),
            y=alt.Y("count:Q", title="rows", axis=alt.Axis(**WHOLE_NUMBERS)),
            tooltip=[
                alt.Tooltip("lo:Q", format=",.4~g"),
                alt.Tooltip("hi:Q", format=",.4~g"),
                alt.Tooltip("count:Q"),
            ],
        )
        .properties(
            height=200,
            title=f"Distribution of {'log ' if log else ''}{target}",
            description=f"Histogram of the {'log of the ' if log else ''}{target} on the training rows.",
        )
    )


def metrics_table(table: pd.DataFrame) -> Styler:
    """The :func:`nnkit.tabular.compare` table, formatted for reading.

    Regression: RMSE and MAE with thousands separators when they are large (prices),
    R² to four decimals, MAPE to two. Classification: accuracy in %, log-loss to four
    decimals, ROC AUC to three. The training time in seconds; NaN as "n/a".

    Parameters
    ----------
    table : pandas.DataFrame
        From :func:`nnkit.tabular.compare`.

    Returns
    -------
    pandas.io.formats.style.Styler
        Without the index; the column ``train s`` is called "training time (s)".
    """
    formats = {
        "training time (s)": "{:.2f}",
        "accuracy": "{:.1%}",
        "log-loss": "{:.4f}",
        "ROC AUC": "{:.3f}",
    }
    if "RMSE" in table:
        size = "{:,.0f}" if bool(table["RMSE"].max() > 100) else "{:.4g}"
        formats.update({"RMSE": size, "MAE": size, "R²": "{:.4f}", "MAPE %": "{:.2f}"})
    shown = table.rename(columns={"train s": "training time (s)"})
    formats = {k: v for k, v in formats.items() if k in shown}
    return shown.style.format(formats, na_rep="n/a").hide(axis="index")


def class_counts(y: ArrayLike, target: str = "target") -> alt.Chart:
    """One bar per class: how many rows have it (is one class rare?).

    Parameters
    ----------
    y : array_like
        Class labels.
    target : str
        Target name (title).

    Returns
    -------
    altair.Chart
    """
    labels, counts = np.unique(np.asarray(y).astype(str), return_counts=True)
    d = pd.DataFrame({"class": labels, "rows": counts, "share": counts / counts.sum()})
    return (
        alt.Chart(d)
        .mark_bar(color="#4c78a8")
        .encode(
            x=alt.X("rows:Q", title="rows", axis=alt.Axis(**WHOLE_NUMBERS, tickCount=8)),
            y=alt.Y("class:N", title=target, sort=list(labels)),
            tooltip=[
                alt.Tooltip("class:N"),
                alt.Tooltip("rows:Q"),
                alt.Tooltip("share:Q", format=".1%"),
            ],
        )
        .properties(
            height=alt.Step(22),
            title=f"Classes of {target}",
            description=f"Bar chart of the number of rows of each class of {target}: "
            + ", ".join(f"{c} {n:,}" for c, n in zip(labels, counts, strict=True))
            + ".",
        )
    )


def confusion_chart(conf: pd.DataFrame, model: str = "MLP") -> alt.LayerChart:
    """The confusion matrix as a heat map with counts: the diagonal is right.

    Parameters
    ----------
    conf : pandas.DataFrame
        From :func:`nnkit.tabular.confusion_table` (``actual, predicted, count, share``).
    model : str
        Name for the title.

    Returns
    -------
    altair.LayerChart
    """
    order = list(dict.fromkeys(conf["actual"]))
    # Class names side by side under up to three columns, slanted under more; the legend
    # goes below, so that on a phone the cells get the width (two classes' names overlapped
    # on a 390-px screen with the legend beside them).
    base = alt.Chart(conf).encode(
        x=alt.X(
            "predicted:N",
            sort=order,
            title="predicted class",
            axis=alt.Axis(labelAngle=0 if len(order) <= 3 else -40),
        ),
        y=alt.Y("actual:N", sort=order, title="actual class"),
    )
    cells = base.mark_rect().encode(
        color=alt.Color(
            "share:Q",
            title="share of the actual class",
            scale=alt.Scale(scheme="blues", domain=[0, 1]),
            legend=alt.Legend(orient="bottom"),
        ),
        tooltip=[
            alt.Tooltip("actual:N"),
            alt.Tooltip("predicted:N"),
            alt.Tooltip("count:Q"),
            alt.Tooltip("share:Q", format=".1%"),
        ],
    )
    text = base.mark_text(fontSize=13).encode(
        text=alt.Text("count:Q"),
        color=alt.ColorValue("black", condition={"test": "datum.share > 0.5", "value": "white"}),
    )
    right = int(conf.loc[conf["actual"] == conf["predicted"], "count"].sum())
    return with_properties(
        cells + text,
        height=alt.Step(40),
        width=alt.Step(60),
        title=f"Confusion matrix ({model}, test rows)",
        description=f"Heat map of the {model}'s confusion matrix on the test rows: the actual "
        f"class (rows) against the predicted class (columns), with the number of rows in "
        f"each cell; {right:,} of {int(conf['count'].sum()):,} are on the diagonal (right).",
    )


def reliability_chart(tables: dict[str, pd.DataFrame]) -> alt.LayerChart:
    """Predicted probability against observed frequency per model, with the diagonal.

    Parameters
    ----------
    tables : dict of str to pandas.DataFrame
        Model name -> :func:`nnkit.tabular.reliability_table`.

    Returns
    -------
    altair.LayerChart
        Points on the diagonal: the probabilities mean what they say.
    """
    d = pd.concat([t.assign(model=m) for m, t in tables.items()], ignore_index=True)
    models = list(tables)
    lines = (
        alt.Chart(d)
        .mark_line(point=True)
        .encode(
            x=alt.X(  # tenths: 21 labels (0.00, 0.05, …) crowded the axis
                "predicted:Q",
                title="predicted probability",
                scale=alt.Scale(domain=[0, 1]),
                axis=alt.Axis(values=TENTHS, format=".1f"),
            ),
            y=alt.Y(  # quarters: the plot is short, and Vega dropped 1.0 from the tenths
                "observed:Q",
                title="observed frequency",
                scale=alt.Scale(domain=[0, 1]),
                axis=alt.Axis(values=[0, 0.25, 0.5, 0.75, 1], format=".2~f"),
            ),
            color=_color(models),
            tooltip=[
                alt.Tooltip("model:N"),
                alt.Tooltip("predicted:Q", format=".2f"),
                alt.Tooltip("observed:Q", format=".2f"),
                alt.Tooltip("count:Q"),
            ],
        )
    )
    diag = (
        alt.Chart(pd.DataFrame({"predicted": [0.0, 1.0], "observed": [0.0, 1.0]}))
        .mark_line(color="black", strokeDash=[5, 4], strokeWidth=1.5)
        .encode(x=alt.X("predicted:Q"), y=alt.Y("observed:Q"))
    )
    return with_properties(
        lines + diag,
        height=320,
        title="Reliability (calibration) on the test rows",
        description="Line chart of the observed frequency against the predicted probability, "
        f"in bins, for {' and '.join(models)}, with the dashed diagonal where a probability "
        "means what it says.",
    )


def _calibration_error(t: pd.DataFrame) -> float:
    return float(
        np.sum(t["count"] * np.abs(t["observed"] - t["predicted"])) / max(int(t["count"].sum()), 1)
    )


def result_views(
    models: Mapping[str, TabularModel | TabularClassifier],
    data: Prepared,
    shown: Sequence[str],
    predictions: Mapping[str, np.ndarray] | None = None,
) -> list[tuple[alt.TopLevelMixin, str]]:
    """The charts of section "results" for the models ``shown``, each with its caption.

    Regression: predicted vs actual and the residuals. Classification: the confusion
    matrix of the first model and the reliability curves. Captions are computed from
    the numbers drawn.

    Parameters
    ----------
    models : mapping of str to TabularModel or TabularClassifier
        Fitted models by name.
    data : nnkit.tabular.Prepared
        The split.
    shown : sequence of str
        Models to draw (the first one gets the confusion matrix).
    predictions : mapping of str to numpy.ndarray, optional
        The models' outputs from :func:`nnkit.tabular.predict_test_rows`, if already
        computed (the page shares them with its table and its download).

    Returns
    -------
    list of (chart, caption)
    """
    from nnkit import tabular

    fitted = {m: models[m] for m in shown}
    outputs = tabular.predict_test_rows(fitted, data) if predictions is None else predictions
    if data.task != "classification":
        frame = tabular.predictions_frame(fitted, data, outputs)
        long = long_predictions(frame, data.target, list(shown))
        return [
            (
                predicted_vs_actual(long, data.target),
                f"{' and '.join(shown)} on the test rows. On the dashed diagonal the prediction "
                "equals the actual value; points above it are over-estimates.",
            ),
            (
                residuals_chart(long, data.target),
                "Residuals should be a band around 0 with no shape; a funnel or a curve is "
                "something left to learn (a funnel that widens with the price is what a log "
                "target fixes).",
            ),
        ]
    first = shown[0]
    proba = {m: outputs[m] for m in shown}
    labels = np.asarray(data.classes, dtype=object)
    pred = labels[proba[first].argmax(axis=1)]
    conf = tabular.confusion_table(data.y_test, pred, data.classes)
    right = int(conf.loc[conf["actual"] == conf["predicted"], "count"].sum())
    rel = {m: tabular.reliability_table(data.y_test, p, data.classes) for m, p in proba.items()}
    errors = "; ".join(f"{m}: {_calibration_error(t):.3f}" for m, t in rel.items())
    what = (
        f"class {str(labels[1])!r} against how often the row is {str(labels[1])!r}"
        if len(labels) == 2
        else "the predicted class against how often it is right"
    )
    return [
        (
            confusion_chart(conf, first),
            f"Rows: the actual class; columns: the {first}'s prediction. {right:,} of "
            f"{len(pred):,} test rows are on the diagonal (right).",
        ),
        (
            reliability_chart(rel),
            f"The probability given to {what}, in bins: on the "
            "diagonal a probability of 0.8 is right 8 times in 10. Mean gap to the diagonal "
            f"(expected calibration error): {errors}.",
        ),
    ]
