"""Which columns a model relies on: permutation importance of the raw columns, within a budget.

Shuffling a raw column is the same as shuffling its block of the preprocessed matrix
(the preprocessing works column by column, row by row), so :func:`importance`
preprocesses the test rows once and predicts many shuffled copies in large batches. It
can subsample the rows, stop when a time budget runs out (each column gets at least the
shuffles done by then) and report progress.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable

import numpy as np
import pandas as pd

from nnkit._text import counted, noun
from nnkit.metrics import r2_score
from nnkit.tabular.estimators import TabularClassifier, TabularModel
from nnkit.tabular.prepare import Prepared, column_blocks

__all__ = ["MATTERS", "MIN_ROWS", "importance", "importance_text"]

BATCH_VALUES = 4_000_000
"""Most values (rows × preprocessed columns) predicted in one batch: bounds memory."""

MIN_ROWS = 50
"""Fewest test rows a time budget may shrink the sample to."""


def _rows_for(model: TabularModel, Z: np.ndarray, k: int, seconds: float) -> int:
    """How many rows one round of ``k`` shuffled copies can have to take ``seconds``."""
    probe = np.tile(Z[:256], (min(k, 4), 1))
    t = time.perf_counter()
    model.predict_preprocessed(probe)
    per_row = (time.perf_counter() - t) / max(len(probe), 1)
    return int(seconds / max(per_row * k, 1e-12))


def _accuracy(y: np.ndarray, pred: np.ndarray) -> float:
    return float(np.mean(y == pred))


def importance(
    model: TabularModel | TabularClassifier,
    data: Prepared,
    *,
    n_repeats: int = 5,
    seed: int | None = None,
    max_rows: int | None = None,
    max_seconds: float | None = None,
    progress: Callable[[float], None] | None = None,
) -> pd.DataFrame:
    """Permutation importance of each raw feature column on the test rows.

    The drop in test R² (accuracy, for a classifier) when one column's values are
    shuffled (breaking its link to the target), averaged over up to ``n_repeats``
    shuffles, as scikit-learn's ``permutation_importance`` defines it.

    Parameters
    ----------
    model : TabularModel or TabularClassifier
        A fitted model.
    data : Prepared
        The split (its test rows are shuffled).
    n_repeats : int, default 5
        Most shuffles per column.
    seed : int, optional
        Seeds the row sample and the shuffles (default ``data.seed``).
    max_rows : int, optional
        Use a random sample of at most this many test rows (default: all).
    max_seconds : float, optional
        Time budget (default: none). The row sample is shrunk (to no fewer than
        :data:`MIN_ROWS`) so that one shuffle of every column takes about half of it,
        and no new batch starts after it; a column the budget left without any shuffle
        gets NaN (and ``repeats`` 0).
    progress : callable, optional
        ``progress(fraction_done)`` after every batch.

    Returns
    -------
    pandas.DataFrame
        Columns ``feature, importance, std, repeats``, most important first (NaN last);
        ``attrs["rows"]`` is the number of test rows used, ``attrs["seconds"]`` the time,
        ``attrs["metric"]`` the score (``"R²"`` or ``"accuracy"``).
    """
    rng = np.random.default_rng(data.seed if seed is None else int(seed))
    X, y = data.X_test, data.y_test
    if max_rows is not None and len(X) > max_rows:
        rows = np.sort(rng.choice(len(X), int(max_rows), replace=False))
        X, y = X.iloc[rows], y[rows]
    t0 = time.perf_counter()
    deadline = math.inf if max_seconds is None else t0 + float(max_seconds)
    Z = model.transform(X)
    y = np.asarray(y)
    features = list(model.features)
    k = len(features)
    if max_seconds is not None:  # one round over every column in half the budget
        fit = _rows_for(model, Z, k, 0.5 * float(max_seconds))
        if fit < len(Z):
            rows = np.sort(rng.choice(len(Z), max(fit, min(MIN_ROWS, len(Z))), replace=False))
            Z, y = Z[rows], y[rows]
    score = _accuracy if isinstance(model, TabularClassifier) else r2_score
    base = score(y, model.predict_preprocessed(Z))
    blocks = column_blocks(model.preprocessor_)
    n = len(Z)
    scores = np.full((int(n_repeats), k), np.nan)
    tried = np.zeros(scores.shape, dtype=bool)
    chunk = max(1, BATCH_VALUES // max(1, n * Z.shape[1]))
    done, total, last = 0, int(n_repeats) * k, 0.0
    for r in range(int(n_repeats)):
        perms = [rng.permutation(n) for _ in features]
        for start in range(0, k, chunk):
            if time.perf_counter() + last > deadline:  # the next batch would overrun
                break
            t_batch = time.perf_counter()
            cols = range(start, min(k, start + chunk))
            big = np.tile(Z, (len(cols), 1))
            for j, c in enumerate(cols):
                idx = blocks[features[c]]
                big[j * n : (j + 1) * n, idx] = Z[perms[c]][:, idx]
            pred = model.predict_preprocessed(big)
            for j, c in enumerate(cols):
                scores[r, c] = base - score(y, pred[j * n : (j + 1) * n])
                tried[r, c] = True
            done += len(cols)
            last = time.perf_counter() - t_batch
            if progress is not None:
                progress(done / total)
    repeats = tried.sum(axis=0)
    some = np.maximum(repeats, 1)
    got = np.where(tried, scores, 0.0)  # a NaN score (non-finite predictions) stays NaN
    mean = np.where(repeats > 0, got.sum(axis=0) / some, np.nan)
    spread = np.where(
        repeats > 0, np.sqrt((np.where(tried, got - mean, 0.0) ** 2).sum(axis=0) / some), np.nan
    )
    out = pd.DataFrame({"feature": features, "importance": mean, "std": spread, "repeats": repeats})
    metric = "accuracy" if isinstance(model, TabularClassifier) else "R²"
    out.attrs.update(rows=n, seconds=time.perf_counter() - t0, metric=metric)
    return out.sort_values(
        "importance", ascending=False, kind="stable", na_position="last"
    ).reset_index(drop=True)


MATTERS = 0.005
"""A column whose shuffling costs less test R² than this does not matter to the model."""


def importance_text(imp: pd.DataFrame, model: str, budget: float | None = None) -> str:
    """What an :func:`importance` table says, computed from it.

    Parameters
    ----------
    imp : pandas.DataFrame
        From :func:`importance` (most important first).
    model : str
        The model's name.
    budget : float, optional
        The time budget it had (said with the number of rows and shuffles).

    Returns
    -------
    str
        Markdown: what was done (which score a shuffled column lowers), then what it showed.
    """
    metric = imp.attrs.get("metric", "R²")
    method = f"Shuffle one column of the test rows and see how much the {model}'s {metric} drops. "

    def cost(x: float) -> str:
        return f"{100 * x:.1f} points of accuracy" if metric == "accuracy" else f"{x:.3f} R²"

    top = imp.iloc[0]
    skipped = int((imp["repeats"] == 0).sum()) if "repeats" in imp else 0
    if skipped == len(imp):
        return method + "The time budget ran out before any column was shuffled."
    if not top["importance"] >= MATTERS:
        text = (
            f"No column matters to the {model}: shuffling any one of them costs less than "
            f"{cost(MATTERS)} (it predicts about as well without each of them)."
        )
    else:
        useful = int((imp["importance"] >= MATTERS).sum())
        text = (
            f"**{top['feature']}** matters most to the {model}: shuffling it costs "
            f"{cost(top['importance'])} (± {cost(top['std'])} over the shuffles); {useful} of "
            f"{counted(len(imp), 'column')} cost at least {cost(MATTERS)}."
        )
    if skipped:
        text += (
            f" The time budget ran out before {counted(skipped, 'column')} "
            f"{noun(skipped, 'was', 'were')} shuffled "
            "(not shown)."
        )
    text = method + text
    if "repeats" not in imp:
        return text
    lo, hi = int(imp["repeats"].min()), int(imp["repeats"].max())
    shuffles = f"{hi}" if lo == hi else f"{lo}–{hi}"
    within = f" within the {budget:g} s budget" if budget is not None else ""
    rows = imp.attrs.get("rows")
    on = f" on {rows:,} test rows" if rows else ""
    each = "shuffle" if shuffles == "1" else "shuffles"
    return f"{text} ({shuffles} {each} per column{on}{within}.)"
