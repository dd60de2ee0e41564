"""The one preprocessing definition every model shares, and the numbers it learns.

:func:`make_preprocessor` is the preprocessing, written once as a scikit-learn
``ColumnTransformer``: numeric columns are read as numbers and median-imputed; a
heavy-tailed one (:func:`~nnkit.tabular.profile.is_heavy_tailed`: far outliers, or a
strong skew) is mapped through its quantiles to a normal distribution, the others are
standardised and clipped to their training range; categorical columns are read as
texts, missing ones become the category ``"(missing)"``, then one-hot encoded (unknown
categories ignored). :data:`LEARNED` lists the numbers its steps learn in ``fit`` —
all that an exported model stores (:func:`learned_parameters`) and a loaded one sets
back (:func:`set_learned_parameters`) on the same objects.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike
from sklearn.base import BaseEstimator, TransformerMixin, clone
from sklearn.compose import ColumnTransformer
from sklearn.impute import SimpleImputer
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import (
    FunctionTransformer,
    OneHotEncoder,
    QuantileTransformer,
    StandardScaler,
)

__all__ = [
    "LEARNED",
    "MISSING_CATEGORY",
    "QUANTILES",
    "ClipToRange",
    "column_blocks",
    "fit_rows",
    "learned_parameters",
    "make_preprocessor",
    "model_input",
    "set_learned_parameters",
    "stand_in_frame",
]

MISSING_CATEGORY = "(missing)"
"""The category a missing categorical value is imputed with."""

QUANTILES = 1000
"""Most quantiles the transform of a heavy-tailed column learns (fewer with fewer rows)."""


class ClipToRange(TransformerMixin, BaseEstimator):
    """Clip each column to the range it had in training (``lo_``, ``hi_`` learned by fit).

    A test or user-entered value beyond anything seen in training (a 20,000 ft² house
    in a file whose largest is 5,000) is treated as the nearest training value. Without
    it, a linear model or a network extrapolates linearly, and with a log target the
    ``exp`` turns that into absurd prices; trees behave this way by construction.

    Attributes
    ----------
    lo_, hi_ : numpy.ndarray
        Per-column minimum and maximum of the training rows.
    """

    def fit(self, X: ArrayLike, y: object = None) -> ClipToRange:
        """Learn each column's range.

        Parameters
        ----------
        X : array_like, shape (n, d)
            Training rows (NaN ignored).
        y : None
            Ignored.

        Returns
        -------
        ClipToRange
            self.
        """
        A = np.asarray(X, dtype=float)
        self.lo_ = np.nanmin(A, axis=0)
        self.hi_ = np.nanmax(A, axis=0)
        return self

    def transform(self, X: ArrayLike) -> np.ndarray:
        """``X`` clipped to the training range, column by column.

        Parameters
        ----------
        X : array_like, shape (n, d)
            Rows to clip.

        Returns
        -------
        numpy.ndarray
        """
        return np.clip(np.asarray(X, dtype=float), self.lo_, self.hi_)

    def get_feature_names_out(self, input_features: ArrayLike | None = None) -> np.ndarray:
        """The input names, unchanged.

        Parameters
        ----------
        input_features : array_like of str
            Names of the input columns.

        Returns
        -------
        numpy.ndarray
        """
        return np.asarray(input_features, dtype=object)


def _category_text(v: Any) -> str:
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v)


def _to_numbers(frame: pd.DataFrame) -> pd.DataFrame:
    """Columns as float64 (anything that is not a number becomes NaN)."""
    return pd.DataFrame(
        {c: pd.to_numeric(frame[c], errors="coerce").astype(float) for c in frame.columns},
        index=frame.index,
    )


def _to_texts(frame: pd.DataFrame) -> pd.DataFrame:
    """Columns as object texts (``3.0`` -> ``"3"``), NaN where missing."""
    return pd.DataFrame(
        {
            c: pd.Series(
                [np.nan if pd.isna(v) else _category_text(v) for v in frame[c]],
                index=frame.index,
                dtype=object,
            )
            for c in frame.columns
        },
        index=frame.index,
    )


def model_input(
    frame: pd.DataFrame, numeric: Sequence[str], categorical: Sequence[str]
) -> pd.DataFrame:
    """The feature columns as the preprocessing reads them: numbers as float, categories as text.

    Parameters
    ----------
    frame : pandas.DataFrame
        Raw rows (e.g. the loaded CSV).
    numeric, categorical : sequence of str
        Feature columns by kind.

    Returns
    -------
    pandas.DataFrame
        Numeric columns then categorical ones, same index.
    """
    return pd.concat(
        [_to_numbers(frame[list(numeric)]), _to_texts(frame[list(categorical)])], axis=1
    )


def make_preprocessor(
    numeric: Sequence[str], categorical: Sequence[str], heavy_tailed: Sequence[str] = ()
) -> ColumnTransformer:
    """The (unfitted) preprocessing: a scikit-learn ``ColumnTransformer``.

    Numeric columns (block ``"num"``): read as numbers, median imputation, standard
    scaling, then clipping to the training range (:class:`ClipToRange`). Heavy-tailed
    numeric columns (block ``"tail"``): read as numbers, median imputation, then a
    ``QuantileTransformer`` to a standard normal (at most :data:`QUANTILES` quantiles;
    values beyond the training range map to its ends). Categorical columns (block
    ``"cat"``): read as texts, imputation with the category ``"(missing)"``, then
    one-hot encoding; a category not seen in training becomes all zeros
    (``handle_unknown="ignore"``).

    Parameters
    ----------
    numeric, categorical : sequence of str
        Column names.
    heavy_tailed : sequence of str, optional
        The numeric columns to transform by their quantiles (e.g. those
        :func:`~nnkit.tabular.profile.is_heavy_tailed` finds on the training rows).

    Returns
    -------
    sklearn.compose.ColumnTransformer
        Output columns: the plain numeric ones in order, the heavy-tailed ones in order,
        then the one-hot columns (see :func:`column_blocks`).
    """
    tail = [c for c in numeric if c in set(heavy_tailed)]
    plain = [c for c in numeric if c not in set(tail)]
    unknown = set(heavy_tailed) - set(numeric)
    if unknown:
        raise ValueError(f"heavy-tailed columns must be numeric: {sorted(unknown)}")
    to_number = FunctionTransformer(_to_numbers, feature_names_out="one-to-one")
    steps: list[tuple[str, Pipeline, list[str]]] = []
    if plain:
        num = Pipeline(
            [
                ("to_number", to_number),
                ("impute", SimpleImputer(strategy="median")),
                ("scale", StandardScaler()),
                ("clip", ClipToRange()),
            ]
        )
        steps.append(("num", num, plain))
    if tail:
        quantile = QuantileTransformer(
            n_quantiles=QUANTILES, output_distribution="normal", random_state=0
        )
        steps.append(
            (
                "tail",
                Pipeline(
                    [
                        ("to_number", clone(to_number)),
                        ("impute", SimpleImputer(strategy="median")),
                        ("quantile", quantile),
                    ]
                ),
                tail,
            )
        )
    if categorical:
        cat = Pipeline(
            [
                ("to_text", FunctionTransformer(_to_texts, feature_names_out="one-to-one")),
                ("impute", SimpleImputer(strategy="constant", fill_value=MISSING_CATEGORY)),
                ("onehot", OneHotEncoder(handle_unknown="ignore", sparse_output=False)),
            ]
        )
        steps.append(("cat", cat, list(categorical)))
    return ColumnTransformer(steps, remainder="drop", verbose_feature_names_out=False)


def fit_rows(pre: ColumnTransformer, n_rows: int) -> ColumnTransformer:
    """Set the quantile transform's number of quantiles for ``n_rows`` training rows.

    ``QuantileTransformer`` cannot learn more quantiles than it has rows (it warns and
    uses fewer): ask for ``min(QUANTILES, n_rows)`` before fitting.

    Parameters
    ----------
    pre : ColumnTransformer
        From :func:`make_preprocessor` (unfitted).
    n_rows : int
        Rows it will be fitted on.

    Returns
    -------
    ColumnTransformer
        ``pre`` itself.
    """
    if any(name == "tail" for name, _, _ in pre.transformers):
        pre.set_params(tail__quantile__n_quantiles=max(2, min(QUANTILES, int(n_rows))))
    return pre


LEARNED: tuple[tuple[str, str, str], ...] = (
    ("num", "impute", "statistics_"),
    ("num", "scale", "mean_"),
    ("num", "scale", "var_"),
    ("num", "scale", "scale_"),
    ("num", "clip", "lo_"),
    ("num", "clip", "hi_"),
    ("tail", "impute", "statistics_"),
    ("tail", "quantile", "quantiles_"),
    ("tail", "quantile", "references_"),
    ("cat", "onehot", "categories_"),
)
"""``(block, step, attribute)`` of every number :func:`make_preprocessor`'s steps learn.

Add a learning step there and list what it learns here: export and load follow."""

_ANY_LENGTH = {"quantiles_", "references_"}
"""Learned arrays whose length depends on the training rows (not on the columns)."""


def column_blocks(pre: ColumnTransformer) -> dict[str, np.ndarray]:
    """Which preprocessed columns each raw column becomes (one, or its one-hot block).

    The preprocessing works column by column and row by row, so shuffling a raw column
    is the same as shuffling its block of the preprocessed matrix.

    Parameters
    ----------
    pre : ColumnTransformer
        A fitted :func:`make_preprocessor`.

    Returns
    -------
    dict of str to numpy.ndarray
        Raw column name -> indices into the preprocessed matrix.
    """
    out: dict[str, np.ndarray] = {}
    for block, _, columns in pre.transformers_:
        if block not in ("num", "tail", "cat"):
            continue
        start = pre.output_indices_[block].start
        if block != "cat":
            widths = [1] * len(columns)
        else:
            widths = [len(c) for c in _step(pre, "cat", "onehot").categories_]
        for name, width in zip(columns, widths, strict=True):
            out[str(name)] = np.arange(start, start + width)
            start += width
    return out


def _step(pre: ColumnTransformer, block: str, step: str) -> Any:
    return pre.named_transformers_[block].named_steps[step]


def learned_parameters(pre: ColumnTransformer) -> dict[str, list[Any]]:
    """The numbers a fitted :func:`make_preprocessor` learned, as JSON-ready lists.

    Parameters
    ----------
    pre : ColumnTransformer
        Fitted.

    Returns
    -------
    dict
        ``{"num.scale.mean_": [...], ..., "cat.onehot.categories_": [[...], ...]}`` (the
        keys of :data:`LEARNED` whose block exists).
    """
    out: dict[str, list[Any]] = {}
    for block, step, attr in LEARNED:
        if block in pre.named_transformers_:
            value = getattr(_step(pre, block, step), attr)
            if attr == "categories_":
                out[f"{block}.{step}.{attr}"] = [[str(v) for v in cats] for cats in value]
            else:
                out[f"{block}.{step}.{attr}"] = np.asarray(value, dtype=float).tolist()
    return out


def stand_in_frame(
    numeric: Sequence[str],
    categorical: Sequence[str],
    categories: Sequence[Sequence[str]],
    min_rows: int = 8,
) -> pd.DataFrame:
    """A few rows on which :func:`make_preprocessor` fits to exactly ``categories``.

    Fitting on it lets scikit-learn set up every step (column names, dtypes, one-hot
    layout) before :func:`set_learned_parameters` puts the learned numbers back.

    Parameters
    ----------
    numeric, categorical : sequence of str
        Column names.
    categories : sequence of sequence of str
        The categories of each categorical column.
    min_rows : int, default 8
        At least this many rows (e.g. one per class of a classifier's stand-in target).

    Returns
    -------
    pandas.DataFrame
    """
    n = max([8, int(min_rows), *(len(c) for c in categories)])
    data: dict[str, Any] = {c: np.zeros(n) for c in numeric}
    for name, cats in zip(categorical, categories, strict=True):
        data[name] = pd.Series([cats[i % len(cats)] for i in range(n)], dtype=object)
    return pd.DataFrame(data)


def set_learned_parameters(pre: ColumnTransformer, params: Mapping[str, Any]) -> None:
    """Put learned numbers (from :func:`learned_parameters`) into a fitted preprocessor.

    Parameters
    ----------
    pre : ColumnTransformer
        Built by :func:`make_preprocessor` and fitted (e.g. on :func:`stand_in_frame`).
    params : mapping
        Every key :func:`learned_parameters` gives for it.

    Raises
    ------
    ValueError
        A key is missing, a value has the wrong shape or is not finite, or the one-hot
        categories differ from the ones ``pre`` was fitted with.
    """
    for block, step, attr in LEARNED:
        if block not in pre.named_transformers_:
            continue
        key = f"{block}.{step}.{attr}"
        if key not in params:
            raise ValueError(f"no {key}")
        est = _step(pre, block, step)
        if attr == "categories_":
            fitted = [[str(v) for v in cats] for cats in est.categories_]
            if params[key] != fitted:
                raise ValueError(f"{key} are not sorted, distinct texts")
            continue
        current = np.asarray(getattr(est, attr))
        value = np.asarray(params[key], dtype=float)
        shape = current.shape
        if attr in _ANY_LENGTH and value.ndim == current.ndim and 2 <= len(value) <= QUANTILES:
            shape = (len(value), *current.shape[1:])
        if value.shape != shape or not np.all(np.isfinite(value)):
            raise ValueError(f"{key} must be finite numbers of shape {shape}")
        if attr in _ANY_LENGTH and np.any(np.diff(value, axis=0) < 0):
            raise ValueError(f"{key} must be sorted")
        setattr(est, attr, value)
    if "tail" in pre.named_transformers_:
        q = _step(pre, "tail", "quantile")
        if len(q.quantiles_) != len(q.references_):
            raise ValueError("tail.quantile: as many quantiles as references")
        q.n_quantiles_ = len(q.references_)
