"""Classification on a table: the baselines, the scores, the confusion matrix, the calibration.

The honest references for a class label are the majority class (the floor), logistic
regression (a straight line in the features, the classifier's ridge) and histogram
gradient boosting. Scores (:func:`classification_metrics`, from
:mod:`sklearn.metrics`): accuracy, log-loss (the cross-entropy the network minimises)
and ROC AUC. :func:`confusion_table` and :func:`reliability_table` are plain data for
:mod:`nnkit.plots.tabular`.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

__all__ = [
    "CLASSIFICATION_BASELINES",
    "classification_makers",
    "classification_metrics",
    "confusion_table",
    "reliability_table",
]

CLASSIFICATION_BASELINES = ("majority", "logistic regression", "gradient boosting")
"""Names of the classification baselines, in table order."""


def boosting_leaf(n_train: int) -> int:
    """``min_samples_leaf`` of the gradient-boosting baselines on ``n_train`` training rows.

    scikit-learn's default, 20, except on tables of fewer than 200 training rows, where
    it is a tenth of them (at least 1): with leaves of 20 rows, fewer than 40 rows allow
    no split at all, and the "gradient boosting" baseline quietly predicted the mean.

    Parameters
    ----------
    n_train : int
        Training rows.

    Returns
    -------
    int
    """
    return max(1, min(20, int(n_train) // 10))


def classification_makers(seed: int, n_train: int | None = None) -> dict[str, Callable[[], Any]]:
    """The unfitted classification baselines by name.

    Parameters
    ----------
    seed : int
        ``random_state`` of gradient boosting.
    n_train : int, optional
        Training rows: gradient boosting's smallest leaf (:func:`boosting_leaf`); default
        scikit-learn's.

    Returns
    -------
    dict of str to callable
        ``"majority"``: ``DummyClassifier("prior")`` (predicts the most frequent class,
        with the training frequencies as probabilities); ``"logistic regression"``:
        ``LogisticRegression(max_iter=2000)`` (L2, C = 1); ``"gradient boosting"``:
        ``HistGradientBoostingClassifier`` with scikit-learn's defaults but the leaf size.
    """
    from sklearn.dummy import DummyClassifier
    from sklearn.ensemble import HistGradientBoostingClassifier
    from sklearn.linear_model import LogisticRegression

    leaf = 20 if n_train is None else boosting_leaf(n_train)
    return {
        "majority": lambda: DummyClassifier(strategy="prior"),
        "logistic regression": lambda: LogisticRegression(max_iter=2000),
        "gradient boosting": lambda: HistGradientBoostingClassifier(
            random_state=seed, min_samples_leaf=leaf
        ),
    }


def classification_metrics(
    y_true: ArrayLike, proba: ArrayLike, classes: Sequence[Any]
) -> dict[str, float]:
    """Accuracy, log-loss and ROC AUC of predicted class probabilities.

    Parameters
    ----------
    y_true : array_like
        The actual labels.
    proba : array_like, shape (n, n_classes)
        Predicted probabilities, columns in the order of ``classes``.
    classes : sequence
        The class labels.

    Returns
    -------
    dict
        ``{"accuracy", "log-loss", "ROC AUC"}``. Accuracy counts the most probable class;
        log-loss is the mean cross-entropy (natural log); ROC AUC is for the second
        class against the first with two classes, else one-vs-rest, macro-averaged
        (NaN when a class is missing from ``y_true``).
    """
    from sklearn.metrics import accuracy_score, log_loss, roc_auc_score

    y = np.asarray(y_true).reshape(-1)
    p = np.asarray(proba, dtype=float)
    labels = np.asarray(list(classes))
    if p.shape != (len(y), len(labels)) or len(y) == 0:
        raise ValueError("proba must have one row per label and one column per class")
    acc = float(accuracy_score(y, labels[np.argmax(p, axis=1)]))
    loss = float(log_loss(y, np.clip(p, 1e-15, 1.0), labels=labels))
    present = set(y.tolist())
    if not all(c in present for c in labels.tolist()):
        auc = math.nan
    elif len(labels) == 2:
        auc = float(roc_auc_score(y == labels[1], p[:, 1]))
    else:
        auc = float(roc_auc_score(y, p, multi_class="ovr", labels=labels))
    return {"accuracy": acc, "log-loss": loss, "ROC AUC": auc}


def confusion_table(y_true: ArrayLike, y_pred: ArrayLike, classes: Sequence[Any]) -> pd.DataFrame:
    """The confusion matrix as a long table (one row per actual × predicted class).

    Parameters
    ----------
    y_true, y_pred : array_like
        Actual and predicted labels.
    classes : sequence
        The class labels (the order of the matrix).

    Returns
    -------
    pandas.DataFrame
        Columns ``actual, predicted, count, share`` (``share``: of the actual class's
        rows, so each actual class's shares add up to 1).
    """
    from sklearn.metrics import confusion_matrix

    labels = list(classes)
    m = confusion_matrix(np.asarray(y_true), np.asarray(y_pred), labels=labels)
    totals = m.sum(axis=1, keepdims=True)
    share = np.divide(m, totals, out=np.zeros(m.shape), where=totals > 0)
    rows = [
        {"actual": str(a), "predicted": str(b), "count": int(m[i, j]), "share": float(share[i, j])}
        for i, a in enumerate(labels)
        for j, b in enumerate(labels)
    ]
    return pd.DataFrame(rows)


def reliability_table(
    y_true: ArrayLike, proba: ArrayLike, classes: Sequence[Any], bins: int = 10
) -> pd.DataFrame:
    """Predicted probability against observed frequency, in bins (a calibration curve).

    With two classes: the probability of the second class against how often it is the
    actual one. With more: the probability of the predicted class (the confidence)
    against how often the prediction is right.

    Parameters
    ----------
    y_true : array_like
        The actual labels.
    proba : array_like, shape (n, n_classes)
        Predicted probabilities, columns in the order of ``classes``.
    classes : sequence
        The class labels.
    bins : int, default 10
        Equal-width bins over [0, 1].

    Returns
    -------
    pandas.DataFrame
        Columns ``predicted`` (mean predicted probability in the bin), ``observed``
        (frequency), ``count``; empty bins are left out. A well calibrated model lies on
        the diagonal.
    """
    y = np.asarray(y_true).reshape(-1)
    p = np.asarray(proba, dtype=float)
    labels = np.asarray(list(classes))
    if len(labels) == 2:
        conf, hit = p[:, 1], (y == labels[1])
    else:
        conf, hit = p.max(axis=1), (labels[np.argmax(p, axis=1)] == y)
    which = np.minimum((conf * bins).astype(int), bins - 1)
    rows = []
    for b in range(bins):
        inside = which == b
        if inside.any():
            rows.append(
                {
                    "predicted": float(conf[inside].mean()),
                    "observed": float(hit[inside].mean()),
                    "count": int(inside.sum()),
                }
            )
    return pd.DataFrame(rows, columns=["predicted", "observed", "count"])
