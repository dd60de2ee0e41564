"""The honest references and the comparison: baselines, test scores, predictions.

:func:`fit_baselines` fits the references on the same split as the network, each as a
:class:`~nnkit.tabular.TabularModel` (same preprocessing, same target transform) or,
for class labels, a :class:`~nnkit.tabular.TabularClassifier`: the mean, ridge
regression and gradient boosting; or the majority class, logistic regression and
gradient boosting. :func:`compare` scores every model on the held-out rows.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike
from sklearn.dummy import DummyRegressor
from sklearn.ensemble import HistGradientBoostingRegressor
from sklearn.linear_model import RidgeCV

from nnkit.metrics import mae, r2_score, rmse
from nnkit.tabular.classification import (
    CLASSIFICATION_BASELINES,
    boosting_leaf,
    classification_makers,
    classification_metrics,
)
from nnkit.tabular.estimators import TabularClassifier, TabularModel
from nnkit.tabular.prepare import Prepared

Model = TabularModel | TabularClassifier

__all__ = [
    "BASELINES",
    "class_probabilities",
    "compare",
    "fit_baselines",
    "metrics_note",
    "prediction_gap",
    "predictions_frame",
    "regression_metrics",
    "ridge_model",
    "what_if",
]

BASELINES = ("mean", "ridge", "gradient boosting")
"""Names of the baselines :func:`fit_baselines` fits, in table order."""


def ridge_model() -> RidgeCV:
    """The ridge baseline, unfitted: L2 penalty chosen by leave-one-out among 10⁻³ … 10³.

    Returns
    -------
    sklearn.linear_model.RidgeCV
    """
    return RidgeCV(alphas=np.logspace(-3, 3, 13))


def fit_baselines(
    data: Prepared, names: Sequence[str] | None = None, *, n_threads: int | None = None
) -> dict[str, Model]:
    """Fit the reference models on ``data``'s training rows (same split, same seed).

    A regression:

    * ``"mean"``: predicts the mean of the training target (R² ≈ 0 on test: the floor),
    * ``"ridge"``: linear regression with an L2 penalty chosen by leave-one-out
      cross-validation among 10⁻³ … 10³ (``RidgeCV``),
    * ``"gradient boosting"``: ``HistGradientBoostingRegressor`` with scikit-learn's
      defaults, ``random_state=data.seed``, but leaves of a tenth of the training rows
      on fewer than 200 of them (:func:`~nnkit.tabular.classification.boosting_leaf`:
      leaves of 20 rows make no split at all below 40 rows);

    all learn the same target (``log`` of it when ``data.log_target``) from the same
    preprocessing, and their predictions are clipped to the training target's range
    when it is capped (``data.target_cap``). A classification: ``"majority"``, ``"logistic regression"`` and
    ``"gradient boosting"`` (see :func:`~nnkit.tabular.classification.classification_makers`).

    Parameters
    ----------
    data : Prepared
        The split.
    names : sequence of str, optional
        A subset of :data:`BASELINES` (regression) or
        :data:`~nnkit.tabular.classification.CLASSIFICATION_BASELINES`; default all.
    n_threads : int, optional
        Native threads for scikit-learn's OpenMP/BLAS code (None: library default).

    Returns
    -------
    dict of str to TabularModel or TabularClassifier
    """
    classify = data.task == "classification"
    if classify:
        makers = classification_makers(data.seed, len(data.y_train))
    else:
        leaf = boosting_leaf(len(data.y_train))
        makers = {
            "mean": lambda: DummyRegressor(strategy="mean"),
            "ridge": ridge_model,
            "gradient boosting": lambda: HistGradientBoostingRegressor(
                random_state=data.seed, min_samples_leaf=leaf
            ),
        }
    out: dict[str, Model] = {}
    for name in names or (CLASSIFICATION_BASELINES if classify else BASELINES):
        if name not in makers:
            raise ValueError(f"unknown baseline {name!r}; choose from {', '.join(makers)}")
        common: dict[str, Any] = {
            "target": data.target,
            "name": name,
            "n_threads": n_threads,
            "heavy_tailed": data.heavy_tailed,
        }
        cols = (data.numeric, data.categorical)
        model: Model = (
            TabularClassifier(makers[name](), *cols, **common)
            if classify
            else TabularModel(
                makers[name](),
                *cols,
                log_target=data.log_target,
                clip_target=data.target_cap is not None,
                **common,
            )
        )
        out[name] = model.fit(data.X_train, data.y_train)
    return out


def class_probabilities(model: Model, X: pd.DataFrame, classes: Sequence[str]) -> np.ndarray:
    """A classifier's probabilities over ``classes`` (0 for a class it never saw in training).

    Parameters
    ----------
    model : TabularClassifier
        Fitted.
    X : pandas.DataFrame
        Raw rows.
    classes : sequence of str
        All class labels (e.g. ``Prepared.classes``), in the order wanted.

    Returns
    -------
    numpy.ndarray, shape (n, len(classes))
    """
    assert isinstance(model, TabularClassifier)
    p = model.predict_proba(X)
    out = np.zeros((len(X), len(classes)))
    where = {str(c): i for i, c in enumerate(classes)}
    for j, c in enumerate(model.classes_):
        out[:, where[str(c)]] = p[:, j]
    return out


def regression_metrics(y_true: ArrayLike, y_pred: ArrayLike) -> dict[str, float]:
    """RMSE, MAE, R² and MAPE (in %) of predictions (:mod:`nnkit.metrics`).

    Parameters
    ----------
    y_true, y_pred : array_like
        Actual and predicted values.

    Returns
    -------
    dict
        ``{"RMSE", "MAE", "R²", "MAPE %"}``. R² = 1 − SSE/SST with SST about the mean of
        ``y_true`` (0 for predicting that mean, negative when worse). MAPE is ``nan`` when
        some ``y_true`` is 0 (undefined).
    """
    y = np.asarray(y_true, dtype=float).reshape(-1)
    p = np.asarray(y_pred, dtype=float).reshape(-1)
    if y.shape != p.shape or y.size == 0:
        raise ValueError("y_true and y_pred must be non-empty and of the same length")
    mape = float(np.mean(np.abs(p - y) / np.abs(y)) * 100) if np.all(y != 0) else math.nan
    return {"RMSE": rmse(y, p), "MAE": mae(y, p), "R²": r2_score(y, p), "MAPE %": mape}


def predict_test_rows(models: Mapping[str, Model], data: Prepared) -> dict[str, np.ndarray]:
    """Every model's output on the test rows, computed once for the views that share it.

    :func:`compare`, :func:`predictions_frame` and ``nnkit.plots.tabular.result_views``
    take it, so that a page showing all three predicts each model once.

    Parameters
    ----------
    models : mapping of str to TabularModel or TabularClassifier
        Fitted models by name.
    data : Prepared
        The split (its test rows).

    Returns
    -------
    dict of str to numpy.ndarray
        Per model: its predictions (regression), or its probabilities of ``data.classes``,
        one column per class (classification).
    """
    if data.task == "classification":
        return {n: class_probabilities(m, data.X_test, data.classes) for n, m in models.items()}
    return {name: model.predict(data.X_test) for name, model in models.items()}


def compare(
    models: Mapping[str, Model],
    data: Prepared,
    predictions: Mapping[str, np.ndarray] | None = None,
) -> pd.DataFrame:
    """Test-set scores of every model, one row each (in the order given).

    Parameters
    ----------
    models : mapping of str to TabularModel or TabularClassifier
        Fitted models by name.
    data : Prepared
        The split (its test rows).
    predictions : mapping of str to numpy.ndarray, optional
        The models' outputs from :func:`predict_test_rows`, if already computed.

    Returns
    -------
    pandas.DataFrame
        Columns ``model, RMSE, MAE, R², MAPE %, train s`` for a regression;
        ``model, accuracy, log-loss, ROC AUC, train s`` for a classification.
    """
    out = predict_test_rows(models, data) if predictions is None else predictions
    rows = []
    for name, model in models.items():
        if data.task == "classification":
            m = classification_metrics(data.y_test, out[name], data.classes)
        else:
            m = regression_metrics(data.y_test, out[name])
        rows.append({"model": name, **m, "train s": float(model.fit_seconds)})
    return pd.DataFrame(rows)


def metrics_note(data: Prepared) -> str:
    """What the columns of a :func:`compare` table mean, for this split's task and target.

    Parameters
    ----------
    data : Prepared
        The split (its task, classes, target and test rows).

    Returns
    -------
    str
        One caption: how many test rows, and how to read each score.
    """
    rows = f"{len(data.y_test):,} test rows never seen in training."
    if data.task == "classification":
        classes = [str(c) for c in data.classes]
        auc = (
            f"the chance that a row of class {classes[1]!r} gets a higher probability of "
            f"{classes[1]!r} than a row of class {classes[0]!r} does"
            if len(classes) == 2
            else "that chance for each class against the others, averaged over the classes"
        )
        return (
            f"{rows} Accuracy: the share of them whose most probable class is the actual one. "
            "Log-loss: the mean of −ln(the probability given to the actual class); lower is "
            "better, and a confident mistake costs more than a hesitant right answer. "
            f"ROC AUC: {auc} (1 is perfect, 0.5 is guessing)."
        )
    return (
        f"{rows} R² = 1 − SSE/SST: 1 is perfect, 0 is the mean predictor, below 0 is worse "
        f"than predicting the mean. RMSE and MAE are in the units of {data.target}; MAPE is "
        "the mean absolute error in % of the actual value."
    )


def predictions_frame(
    models: Mapping[str, Model],
    data: Prepared,
    predictions: Mapping[str, np.ndarray] | None = None,
) -> pd.DataFrame:
    """The test rows with the actual target and every model's prediction.

    Parameters
    ----------
    models : mapping of str to TabularModel or TabularClassifier
        Fitted models by name.
    data : Prepared
        The split (its test rows).
    predictions : mapping of str to numpy.ndarray, optional
        The models' outputs from :func:`predict_test_rows`, if already computed.

    Returns
    -------
    pandas.DataFrame
        ``row`` (1-based data row of the table), the raw features, ``actual <target>``,
        then per model ``predicted (<model>)`` and ``residual (<model>)`` (predicted −
        actual) for a regression, or ``predicted (<model>)`` and ``probability
        (<model>)`` (of the predicted class) for a classification.
    """
    out = data.X_test.copy()
    out.insert(0, "row", data.X_test.index.to_numpy() + 1)
    out["actual " + data.target] = data.y_test
    outputs = predict_test_rows(models, data) if predictions is None else predictions
    for name in models:
        if data.task == "classification":
            proba = outputs[name]
            out[f"predicted ({name})"] = np.asarray(data.classes, dtype=object)[
                proba.argmax(axis=1)
            ]
            out[f"probability ({name})"] = proba.max(axis=1)
        else:
            p = outputs[name]
            out[f"predicted ({name})"] = p
            out[f"residual ({name})"] = p - data.y_test
    return out.reset_index(drop=True)


def prediction_gap(a: Model, b: Model, X: pd.DataFrame) -> float:
    """Largest absolute difference between two models' predictions on the rows ``X``.

    Parameters
    ----------
    a, b : TabularModel or TabularClassifier
        Fitted models reading the same columns (classifiers: their probabilities).
    X : pandas.DataFrame
        Rows.

    Returns
    -------
    float
        0.0 when they predict identically (e.g. a model and its exported copy).
    """
    if isinstance(a, TabularClassifier) and isinstance(b, TabularClassifier):
        pa, pb = a.predict_proba(X), b.predict_proba(X)
        if pa.shape != pb.shape:
            return math.inf
        return float(np.max(np.abs(pa - pb), initial=0.0))
    return float(np.max(np.abs(a.predict(X) - b.predict(X)), initial=0.0))


def what_if(models: Mapping[str, Model], rows: pd.DataFrame, data: Prepared) -> pd.DataFrame:
    """Every model's answer for a few rows (a what-if form's entries).

    Parameters
    ----------
    models : mapping of str to TabularModel or TabularClassifier
        Fitted models by name.
    rows : pandas.DataFrame
        Raw rows with the feature columns.
    data : Prepared
        The split (its task and classes).

    Returns
    -------
    pandas.DataFrame
        One row per model and input row: ``model`` and ``prediction`` (in the target's
        units, or the most probable class), and for a classification one column per
        class with its probability.
    """
    out = []
    for name, model in models.items():
        if data.task == "classification":
            proba = class_probabilities(model, rows, data.classes)
            best = np.asarray(data.classes, dtype=object)[proba.argmax(axis=1)]
            for i in range(len(rows)):
                out.append(
                    {
                        "model": name,
                        "prediction": best[i],
                        **dict(zip(data.classes, proba[i], strict=True)),
                    }
                )
        else:
            for p in model.predict(rows):
                out.append({"model": name, "prediction": float(p)})
    return pd.DataFrame(out)
