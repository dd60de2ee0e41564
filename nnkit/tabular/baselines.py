"""The honest references and the comparison: baselines, test metrics, predictions, a computed verdict.

:func:`fit_baselines` fits the mean of the training target, ridge regression and
histogram gradient boosting on the same split as the network, each as a
:class:`~nnkit.tabular.TabularModel` (same preprocessing, same target transform);
:func:`compare` scores every model on the held-out rows, :func:`verdict` says what the
scores show, computed from them.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike
from sklearn.dummy import DummyRegressor
from sklearn.ensemble import HistGradientBoostingRegressor
from sklearn.linear_model import RidgeCV

from nnkit.metrics import mae, r2_score, rmse
from nnkit.tabular.estimators import TabularModel
from nnkit.tabular.prepare import Prepared

__all__ = [
    "BASELINES",
    "Verdict",
    "compare",
    "fit_baselines",
    "prediction_gap",
    "predictions_frame",
    "regression_metrics",
    "verdict",
]

BASELINES = ("mean", "ridge", "gradient boosting")
"""Names of the baselines :func:`fit_baselines` fits, in table order."""


def fit_baselines(
    data: Prepared, names: Sequence[str] = BASELINES, *, n_threads: int | None = None
) -> dict[str, TabularModel]:
    """Fit the reference models on ``data``'s training rows (same split, same seed).

    * ``"mean"``: predicts the mean of the training target (R² ≈ 0 on test: the floor),
    * ``"ridge"``: linear regression with an L2 penalty chosen by leave-one-out
      cross-validation among 10⁻³ … 10³ (``RidgeCV``),
    * ``"gradient boosting"``: ``HistGradientBoostingRegressor`` with scikit-learn's
      defaults, ``random_state=data.seed``.

    All learn the same target (``log`` of it when ``data.log_target``) from the same
    preprocessing.

    Parameters
    ----------
    data : Prepared
        The split.
    names : sequence of str
        A subset of :data:`BASELINES`.
    n_threads : int, optional
        Native threads for scikit-learn's OpenMP/BLAS code (None: library default).

    Returns
    -------
    dict of str to TabularModel
    """
    makers: dict[str, Callable[[], Any]] = {
        "mean": lambda: DummyRegressor(strategy="mean"),
        "ridge": lambda: RidgeCV(alphas=np.logspace(-3, 3, 13)),
        "gradient boosting": lambda: HistGradientBoostingRegressor(random_state=data.seed),
    }
    out = {}
    for name in names:
        if name not in makers:
            raise ValueError(f"unknown baseline {name!r}; choose from {', '.join(BASELINES)}")
        model = TabularModel(
            makers[name](),
            data.numeric,
            data.categorical,
            log_target=data.log_target,
            target=data.target,
            name=name,
            n_threads=n_threads,
        )
        out[name] = model.fit(data.X_train, data.y_train)
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


def compare(models: Mapping[str, TabularModel], data: Prepared) -> pd.DataFrame:
    """Test-set metrics of every model, one row each (in the order given).

    Parameters
    ----------
    models : mapping of str to TabularModel
        Fitted models by name.
    data : Prepared
        The split (its test rows).

    Returns
    -------
    pandas.DataFrame
        Columns ``model, RMSE, MAE, R², MAPE %, train s``.
    """
    rows = []
    for name, model in models.items():
        m = regression_metrics(data.y_test, model.predict(data.X_test))
        rows.append({"model": name, **m, "train s": float(model.fit_seconds)})
    return pd.DataFrame(rows)


def predictions_frame(models: Mapping[str, TabularModel], data: Prepared) -> pd.DataFrame:
    """The test rows with the actual target and every model's prediction and residual.

    Parameters
    ----------
    models : mapping of str to TabularModel
        Fitted models by name.
    data : Prepared
        The split (its test rows).

    Returns
    -------
    pandas.DataFrame
        ``row`` (1-based data row of the table), the raw features, ``actual <target>``,
        then ``predicted (<model>)`` and ``residual (<model>)`` (predicted − actual) per
        model.
    """
    out = data.X_test.copy()
    out.insert(0, "row", data.X_test.index.to_numpy() + 1)
    out["actual " + data.target] = data.y_test
    for name, model in models.items():
        p = model.predict(data.X_test)
        out[f"predicted ({name})"] = p
        out[f"residual ({name})"] = p - data.y_test
    return out.reset_index(drop=True)


# ---------------------------------------------------------------------------------------
# What the table says
# ---------------------------------------------------------------------------------------

TIE = 0.005
"""Two test R² closer than this are "within" each other."""

RIDGE_BEHIND = 0.02
"""Ridge this far below the best R² is "behind": the target is not linear in the features."""

_CUT_SHORT = {
    "time_limit": "the time budget ran out",
    "epoch_limit": "the epoch cap was reached",
    "stopped": "you stopped it",
    "abandoned": "the page that watched it went away",
}


def _fmt(x: float) -> str:
    return f"{x:.4f}" if math.isfinite(x) else "n/a"


def _called(model: str) -> str:
    return {"MLP": "the MLP", "mean": "the mean predictor"}.get(model, model)


@dataclass(frozen=True)
class Verdict:
    """What a :func:`compare` table shows, computed from it (see :func:`verdict`).

    Attributes
    ----------
    r2 : dict of str to float
        Test R² by model.
    best_baseline : str
        The baseline with the highest test R².
    mlp_gap : float or None
        MLP minus best baseline (None without an "MLP" row).
    ridge_gap : float
        Best R² of any model minus ridge's (0 when ridge is best).
    best : str
        The model with the highest test R².
    cut_short : str or None
        Why the MLP's training ended early, when it did not end by itself.
    """

    r2: dict[str, float]
    best_baseline: str
    mlp_gap: float | None
    ridge_gap: float
    best: str
    cut_short: str | None = None

    @property
    def ridge_behind(self) -> bool:
        """Ridge is more than :data:`RIDGE_BEHIND` below the best model."""
        return self.ridge_gap > RIDGE_BEHIND

    def text(self) -> str:
        """The "what you see" sentences.

        Returns
        -------
        str
            Markdown.
        """
        r2, base = self.r2, self.best_baseline
        if self.mlp_gap is None:
            out = (
                f"The best baseline is {_called(base)} with a test R² of **{_fmt(r2[base])}**; "
                + self._others()
                + " That is the bar the MLP has to clear."
            )
        elif not math.isfinite(self.mlp_gap):
            out = (
                f"The MLP's test R² is **n/a**: its predictions are not finite numbers. The "
                f"best baseline, {_called(base)}, reaches {_fmt(r2[base])}."
            )
        else:
            gap = self.mlp_gap
            rel = (
                "better than" if gap > TIE else f"within {TIE} of" if gap >= -TIE else "worse than"
            )
            out = (
                f"The MLP's test R² is **{_fmt(r2['MLP'])}**, {rel} the best baseline, {_called(base)} "
                f"(**{_fmt(r2[base])}**, difference {gap:+.4f}); " + self._others()
            )
            if self.cut_short:
                out += (
                    f" Its training was cut short ({self.cut_short}), so this is not the "
                    "network's last word: press Continue to train it further."
                )
        return out + " " + self._ridge()

    def _others(self) -> str:
        rest = [m for m in ("ridge", "mean") if m in self.r2 and m != self.best_baseline]
        parts = [f"{_called(m)} reaches {_fmt(self.r2[m])}" for m in rest]
        return (" and ".join(parts) + ".") if parts else ""

    def _ridge(self) -> str:
        if "ridge" not in self.r2 or not math.isfinite(self.ridge_gap):
            return ""
        if self.best == "ridge":
            return (
                "Ridge, a straight line in the features, is the best model here: what the "
                "others learn beyond a line does not help on these test rows."
            )
        if self.ridge_behind:
            return (
                f"Ridge is {self.ridge_gap:.3f} behind {_called(self.best)}: the target depends on the "
                "features in a way a straight line cannot follow."
            )
        return (
            f"Ridge is within {self.ridge_gap:.3f} of {_called(self.best)}: a straight line in the "
            "features explains this target almost as well."
        )


def verdict(table: pd.DataFrame, *, mlp_stop_reason: str | None = None) -> Verdict:
    """Which model wins and by how much, computed from a :func:`compare` table.

    Parameters
    ----------
    table : pandas.DataFrame
        From :func:`compare`: the baselines, and an "MLP" row if trained.
    mlp_stop_reason : str, optional
        Why the MLP's last run ended (a key of :data:`nnkit.training.STOP_REASONS`): a
        run cut by a cap or by the user is said to be unfinished.

    Returns
    -------
    Verdict
    """
    r2 = {str(m): float(v) for m, v in zip(table["model"], table["R²"], strict=True)}
    baselines = [m for m in r2 if m != "MLP"]
    finite = [m for m in r2 if math.isfinite(r2[m])] or list(r2)
    best_baseline = max(baselines, key=lambda m: r2[m] if math.isfinite(r2[m]) else -math.inf)
    best = max(finite, key=lambda m: r2[m])
    mlp_gap = r2["MLP"] - r2[best_baseline] if "MLP" in r2 else None
    ridge_gap = max(r2[best] - r2["ridge"], 0.0) if "ridge" in r2 else math.nan
    cut = _CUT_SHORT.get(mlp_stop_reason or "")
    return Verdict(r2, best_baseline, mlp_gap, ridge_gap, best, cut)


def prediction_gap(a: TabularModel, b: TabularModel, X: pd.DataFrame) -> float:
    """Largest absolute difference between two models' predictions on the rows ``X``.

    Parameters
    ----------
    a, b : TabularModel
        Fitted models reading the same columns.
    X : pandas.DataFrame
        Rows.

    Returns
    -------
    float
        0.0 when they predict identically (e.g. a model and its exported copy).
    """
    return float(np.max(np.abs(a.predict(X) - b.predict(X)), initial=0.0))
