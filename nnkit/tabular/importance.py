"""Which columns a model relies on: permutation importance of the raw feature columns."""

from __future__ import annotations

import pandas as pd

from nnkit.tabular.estimators import TabularModel
from nnkit.tabular.prepare import Prepared

__all__ = ["MATTERS", "importance", "importance_text"]


def importance(
    model: TabularModel, data: Prepared, *, n_repeats: int = 5, seed: int | None = None
) -> pd.DataFrame:
    """Permutation importance of each raw feature column on the test rows.

    The drop in test R² when one column's values are shuffled (breaking its link to the
    target), averaged over ``n_repeats`` shuffles (scikit-learn's
    ``permutation_importance``).

    Parameters
    ----------
    model : TabularModel
        A fitted model.
    data : Prepared
        The split (its test rows are shuffled).
    n_repeats : int, default 5
        Shuffles per column.
    seed : int, optional
        Seeds the shuffles (default ``data.seed``).

    Returns
    -------
    pandas.DataFrame
        Columns ``feature, importance, std``, most important first.
    """
    from sklearn.inspection import permutation_importance

    res = permutation_importance(
        model,
        data.X_test,
        data.y_test,
        scoring="r2",
        n_repeats=int(n_repeats),
        random_state=data.seed if seed is None else int(seed),
    )
    out = pd.DataFrame(
        {
            "feature": list(data.X_test.columns),
            "importance": res.importances_mean,
            "std": res.importances_std,
        }
    )
    return out.sort_values("importance", ascending=False, kind="stable").reset_index(drop=True)


MATTERS = 0.005
"""A column whose shuffling costs less test R² than this does not matter to the model."""


def importance_text(imp: pd.DataFrame, model: str) -> str:
    """What an :func:`importance` table says, computed from it.

    Parameters
    ----------
    imp : pandas.DataFrame
        From :func:`importance` (most important first).
    model : str
        The model's name.

    Returns
    -------
    str
        Markdown.
    """
    top = imp.iloc[0]
    if not top["importance"] >= MATTERS:
        return (
            f"No column matters to the {model}: shuffling any one of them costs less than "
            f"{MATTERS} R² (it predicts about as well without each of them)."
        )
    useful = int((imp["importance"] >= MATTERS).sum())
    return (
        f"**{top['feature']}** matters most to the {model}: shuffling it costs "
        f"{top['importance']:.3f} R² (± {top['std']:.3f} over the shuffles); {useful} of "
        f"{len(imp)} column(s) cost at least {MATTERS} R²."
    )
