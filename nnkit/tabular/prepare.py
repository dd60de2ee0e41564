"""The split and the one preprocessing definition every model shares.

:func:`make_preprocessor` is the preprocessing, written once as a scikit-learn
``ColumnTransformer``: numeric columns are read as numbers, median-imputed,
standardised and clipped to their training range; categorical columns are read as
texts, missing ones become the category ``"(missing)"``, then one-hot encoded (unknown
categories ignored). :data:`LEARNED` lists the numbers its steps learn in ``fit`` —
all that an exported model stores (:func:`learned_parameters`) and a loaded one sets
back (:func:`set_learned_parameters`) on the same objects.

:func:`prepare` drops rows whose target is missing, splits train/test (seeded) and
fits the preprocessing **on the training rows only**.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.compose import ColumnTransformer
from sklearn.impute import SimpleImputer
from sklearn.model_selection import train_test_split
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import FunctionTransformer, OneHotEncoder, StandardScaler

from nnkit.tabular.io import TabularError, is_numeric
from nnkit.tabular.profile import MAX_CLASSES, target_kind

__all__ = [
    "LEARNED",
    "MAX_INPUTS",
    "MISSING_CATEGORY",
    "ClipToRange",
    "Prepared",
    "column_blocks",
    "input_template",
    "learned_parameters",
    "make_preprocessor",
    "model_input",
    "outside_range",
    "prepare",
    "set_learned_parameters",
    "stand_in_frame",
]

MAX_INPUTS = 2000
"""Most preprocessed columns :func:`prepare` accepts (numeric + one-hot): bounds memory."""

MISSING_CATEGORY = "(missing)"
"""The category a missing categorical value is imputed with."""


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


def make_preprocessor(numeric: Sequence[str], categorical: Sequence[str]) -> ColumnTransformer:
    """The (unfitted) preprocessing: a scikit-learn ``ColumnTransformer``.

    Numeric columns: read as numbers, median imputation, standard scaling, then
    clipping to the training range (:class:`ClipToRange`). Categorical columns: read as
    texts, imputation with the category ``"(missing)"``, then one-hot encoding; a
    category not seen in training becomes all zeros (``handle_unknown="ignore"``).

    Parameters
    ----------
    numeric, categorical : sequence of str
        Column names.

    Returns
    -------
    sklearn.compose.ColumnTransformer
        Output columns: the numeric ones in order, then the one-hot columns.
    """
    steps: list[tuple[str, Pipeline, list[str]]] = []
    if numeric:
        num = Pipeline(
            [
                ("to_number", FunctionTransformer(_to_numbers, feature_names_out="one-to-one")),
                ("impute", SimpleImputer(strategy="median")),
                ("scale", StandardScaler()),
                ("clip", ClipToRange()),
            ]
        )
        steps.append(("num", num, list(numeric)))
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


LEARNED: tuple[tuple[str, str, str], ...] = (
    ("num", "impute", "statistics_"),
    ("num", "scale", "mean_"),
    ("num", "scale", "var_"),
    ("num", "scale", "scale_"),
    ("num", "clip", "lo_"),
    ("num", "clip", "hi_"),
    ("cat", "onehot", "categories_"),
)
"""``(block, step, attribute)`` of every number :func:`make_preprocessor`'s steps learn.

Add a learning step there and list what it learns here: export and load follow."""


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
        if block not in ("num", "cat"):
            continue
        start = pre.output_indices_[block].start
        if block == "num":
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
        if value.shape != current.shape or not np.all(np.isfinite(value)):
            raise ValueError(f"{key} must be {current.size} finite numbers")
        setattr(est, attr, value)


@dataclass
class Prepared:
    """A train/test split with its fitted preprocessing (see :func:`prepare`).

    Attributes
    ----------
    target : str
        The target column.
    numeric, categorical : list of str
        The feature columns by kind, in model input order.
    X_train, X_test : pandas.DataFrame
        Feature columns (numeric as float, categorical as text, see :func:`model_input`);
        the index is the 0-based row number in the table.
    y_train, y_test : numpy.ndarray
        Target in the user's units (float), or class labels (text) for a
        classification.
    preprocessor : ColumnTransformer
        :func:`make_preprocessor`, fitted on ``X_train`` only.
    Z_train, Z_test : numpy.ndarray
        Preprocessed features (float64).
    log_target : bool
        Whether models learn ``log(target)``.
    test_size : float
        Fraction of the rows held out.
    seed : int
        Seed of the split (and of what is trained on it).
    notes : list of str
        Rows dropped, columns dropped, and why.
    task : {"regression", "classification"}
        What the models learn.
    classes : list of str
        The class labels, sorted (classification only).
    """

    target: str
    numeric: list[str]
    categorical: list[str]
    X_train: pd.DataFrame
    X_test: pd.DataFrame
    y_train: np.ndarray
    y_test: np.ndarray
    preprocessor: ColumnTransformer
    Z_train: np.ndarray
    Z_test: np.ndarray
    log_target: bool
    test_size: float
    seed: int
    notes: list[str] = field(default_factory=list)
    task: str = "regression"
    classes: list[str] = field(default_factory=list)

    @property
    def features(self) -> list[str]:
        """All feature columns (numeric then categorical)."""
        return self.numeric + self.categorical

    @property
    def t_train(self) -> np.ndarray:
        """The training target as the models learn it (``log`` of it if ``log_target``)."""
        if self.task == "classification":
            return self.y_train
        return np.log(self.y_train) if self.log_target else self.y_train

    @property
    def encoded_names(self) -> list[str]:
        """Names of the preprocessed columns (``Neighborhood_A`` for one-hot columns)."""
        return [str(n) for n in self.preprocessor.get_feature_names_out()]


def _check_target(
    frame: pd.DataFrame, target: str, log_target: bool
) -> tuple[np.ndarray, list[str]]:
    """The rows with a finite target (mask) and the notes; raises on an unusable target."""
    y_all = frame[target]
    if not is_numeric(y_all):
        examples = ", ".join(repr(v) for v in y_all.dropna().unique()[:3])
        raise TabularError(
            f"The target '{target}' is not numeric (values like {examples}); regression needs "
            "a number to predict. Pick a numeric column as the target."
        )
    keep = np.isfinite(pd.to_numeric(y_all, errors="coerce").to_numpy(dtype=float))
    notes = []
    if (~keep).any():
        notes.append(
            f"Dropped {int((~keep).sum()):,} row(s) whose target '{target}' is missing; "
            f"{int(keep.sum()):,} rows remain."
        )
    y = y_all.to_numpy(dtype=float)[keep]
    if len(y) < 20:
        raise TabularError(
            f"Only {len(y)} row(s) have a target value; at least 20 are needed to train and test."
        )
    if np.ptp(y) == 0:
        raise TabularError(
            f"The target '{target}' has the same value ({y[0]:g}) in every row: there is "
            "nothing to predict. Pick another target."
        )
    if log_target and np.any(y <= 0):
        raise TabularError(
            f"log(target) needs a positive target, but {int(np.sum(y <= 0)):,} value(s) of "
            f"'{target}' are ≤ 0. Turn off the log transform."
        )
    return keep, notes


def _check_classes(frame: pd.DataFrame, target: str) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """Rows with a label (mask), the labels as text, and the notes; raises when unusable."""
    y_all = frame[target]
    keep = y_all.notna().to_numpy()
    notes = []
    if (~keep).any():
        notes.append(
            f"Dropped {int((~keep).sum()):,} row(s) whose target '{target}' is missing; "
            f"{int(keep.sum()):,} rows remain."
        )
    labels = np.array([_category_text(v) for v in y_all[keep]], dtype=object)
    if len(labels) < 20:
        raise TabularError(
            f"Only {len(labels)} row(s) have a target value; at least 20 are needed to train "
            "and test."
        )
    classes = sorted(set(labels))
    if len(classes) < 2:
        raise TabularError(
            f"The target '{target}' has the same value ({classes[0]!r}) in every row: there is "
            "nothing to predict. Pick another target."
        )
    if len(classes) > MAX_CLASSES:
        raise TabularError(
            f"The target '{target}' has {len(classes):,} distinct values: too many classes "
            f"for a classification (the limit is {MAX_CLASSES}). If it is a number, choose "
            "regression; else pick another target."
        )
    return keep, labels, notes


def _split(X: pd.DataFrame, y: np.ndarray, test_size: float, seed: int, classes: bool) -> list[Any]:
    """Train/test split, stratified by class when every class has two rows or more."""
    if classes:
        _, counts = np.unique(y, return_counts=True)
        if counts.min() >= 2:
            try:
                return list(
                    train_test_split(X, y, test_size=test_size, random_state=seed, stratify=y)
                )
            except ValueError:  # more classes than test rows: a plain split
                pass
    return list(train_test_split(X, y, test_size=test_size, random_state=seed))


def prepare(
    frame: pd.DataFrame,
    target: str,
    features: Sequence[str],
    *,
    test_size: float = 0.2,
    seed: int = 0,
    log_target: bool = False,
    categorical: Sequence[str] | None = None,
    task: str | None = None,
) -> Prepared:
    """Drop rows without a target, split train/test, fit the preprocessing on train only.

    Parameters
    ----------
    frame : pandas.DataFrame
        The table.
    target : str
        The column to predict: numeric for a regression, labels for a classification.
    features : sequence of str
        Feature columns (the target is removed if listed).
    test_size : float, default 0.2
        Fraction of the rows held out for testing (between 0.05 and 0.5).
    seed : int, default 0
        Seed of the split (and of everything downstream that takes ``data.seed``).
    log_target : bool, default False
        Models learn ``log(target)`` (needs a positive target); predictions are
        transformed back with ``exp``, and metrics are in the user's units.
    categorical : sequence of str, optional
        Columns to treat as categorical; default: every non-numeric feature.
    task : {"regression", "classification"}, optional
        Default: :func:`~nnkit.tabular.target_kind` of the target. A classification
        splits stratified by class (when every class has two rows or more).

    Returns
    -------
    Prepared

    Raises
    ------
    TabularError
        Unknown or (for a regression) non-numeric target, no features, a constant
        target, too few rows, too many classes, ``log_target`` with a non-positive
        target or a classification, no usable feature, too many inputs.
    """
    if target not in frame.columns:
        raise TabularError(f"There is no column '{target}' in the table.")
    features = [f for f in features if f != target]
    absent = [f for f in features if f not in frame.columns]
    if absent:
        raise TabularError(f"No column(s) {', '.join(map(repr, absent))} in the table.")
    if not features:
        raise TabularError("Pick at least one feature column (besides the target).")
    if not 0.05 <= float(test_size) <= 0.5:
        raise TabularError(f"The test-set size must be between 5% and 50%, got {test_size:.0%}.")
    task = task or target_kind(frame[target])[0]
    if task not in ("regression", "classification"):
        raise ValueError(f"task must be 'regression' or 'classification', got {task!r}")
    if task == "classification":
        if log_target:
            raise TabularError("log(target) is for a regression; turn it off for class labels.")
        keep, y, notes = _check_classes(frame, target)
    else:
        keep, notes = _check_target(frame, target, log_target)
        y = frame[target].to_numpy(dtype=float)[keep]
    if categorical is None:
        categorical = [f for f in features if not is_numeric(frame[f])]
    cat_set = set(categorical)
    categorical = [f for f in features if f in cat_set]
    numeric = [f for f in features if f not in cat_set]
    X = model_input(frame.loc[keep], numeric, categorical)
    X.index = pd.Index(np.flatnonzero(keep))
    X_train, X_test, y_train, y_test = _split(
        X, y, float(test_size), int(seed), task == "classification"
    )
    empty = [c for c in numeric + categorical if X_train[c].isna().all()]
    if empty:
        notes.append(
            "Not used (no value in the training rows): " + ", ".join(f"'{c}'" for c in empty) + "."
        )
        numeric = [c for c in numeric if c not in empty]
        categorical = [c for c in categorical if c not in empty]
        if not numeric and not categorical:
            raise TabularError("Every chosen feature is empty. Pick features that have values.")
        X_train, X_test = X_train[numeric + categorical], X_test[numeric + categorical]
    levels = {c: int(X_train[c].nunique()) + int(X_train[c].isna().any()) for c in categorical}
    width = len(numeric) + sum(levels.values())
    if width > MAX_INPUTS:
        worst = sorted(levels, key=lambda c: levels[c], reverse=True)[:3]
        raise TabularError(
            f"One-hot encoding would give the models {width:,} input columns (the limit is "
            f"{MAX_INPUTS:,}): "
            + ", ".join(f"'{c}' has {levels[c]:,} distinct values" for c in worst)
            + ". Remove such columns from the features (an id or free text does not "
            "generalise anyway)."
        )
    pre = make_preprocessor(numeric, categorical)
    Z_train = np.asarray(pre.fit_transform(X_train), dtype=float)
    Z_test = np.asarray(pre.transform(X_test), dtype=float)
    return Prepared(
        target=target,
        numeric=list(numeric),
        categorical=list(categorical),
        X_train=X_train,
        X_test=X_test,
        y_train=np.asarray(y_train, dtype=object if task == "classification" else float),
        y_test=np.asarray(y_test, dtype=object if task == "classification" else float),
        preprocessor=pre,
        Z_train=Z_train,
        Z_test=Z_test,
        log_target=bool(log_target),
        test_size=float(test_size),
        seed=int(seed),
        notes=notes,
        task=task,
        classes=sorted(set(y)) if task == "classification" else [],
    )


def input_template(data: Prepared) -> dict[str, dict[str, Any]]:
    """What a "price this house" form needs per feature: kind, default and range.

    Parameters
    ----------
    data : Prepared
        The split whose training rows give defaults and ranges.

    Returns
    -------
    dict
        ``{column: {"kind": "numeric", "default": median, "min": .., "max": ..,
        "integer": bool}}`` or ``{column: {"kind": "categorical", "default": most
        frequent, "options": [...]}}``, from the training rows.
    """
    out: dict[str, dict[str, Any]] = {}
    for c in data.numeric:
        x = data.X_train[c].dropna().to_numpy(dtype=float)
        out[c] = {
            "kind": "numeric",
            "default": float(np.median(x)),
            "min": float(x.min()),
            "max": float(x.max()),
            "integer": bool(np.all(x == np.round(x))),
        }
    for c in data.categorical:
        counts = data.X_train[c].fillna(MISSING_CATEGORY).value_counts()
        out[c] = {
            "kind": "categorical",
            "default": str(counts.index[0]),
            "options": sorted(map(str, counts.index)),
        }
    return out


def outside_range(template: Mapping[str, Mapping[str, Any]], row: Mapping[str, Any]) -> list[str]:
    """The numeric entries of ``row`` beyond the training range of :func:`input_template`.

    Parameters
    ----------
    template : mapping
        From :func:`input_template`.
    row : mapping
        Column -> value (e.g. a form's entries).

    Returns
    -------
    list of str
        Column names, in template order.
    """
    return [
        name
        for name, spec in template.items()
        if spec["kind"] == "numeric" and not spec["min"] <= float(row[name]) <= spec["max"]
    ]
