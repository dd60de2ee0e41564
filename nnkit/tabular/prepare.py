"""The split: rows with a target, train/test (seeded), the preprocessing fitted on train only.

:func:`prepare` drops rows whose target is missing, splits train/test (seeded), decides
which numeric columns are heavy-tailed (on the training rows) and fits the one
preprocessing definition, :func:`~nnkit.tabular.preprocess.make_preprocessor`, **on the
training rows only**. The preprocessing's names are re-exported here, where they lived
before :mod:`nnkit.tabular.preprocess` held them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from sklearn.compose import ColumnTransformer
from sklearn.model_selection import train_test_split

from nnkit._text import counted, noun
from nnkit.tabular.io import TabularError, is_numeric
from nnkit.tabular.preprocess import (
    LEARNED,
    MISSING_CATEGORY,
    ClipToRange,
    _category_text,
    column_blocks,
    fit_rows,
    learned_parameters,
    make_preprocessor,
    model_input,
    set_learned_parameters,
    stand_in_frame,
)
from nnkit.tabular.profile import MAX_CLASSES, describe_target, is_heavy_tailed, target_kind

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
    heavy_tailed : list of str
        The numeric columns transformed by their quantiles (heavy-tailed on the training
        rows, :func:`~nnkit.tabular.profile.is_heavy_tailed`).
    target_cap : float or None
        The training target's cap, when it has one
        (:func:`~nnkit.tabular.describe_target`): regression models' predictions are
        then clipped to the training target's range.
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
    heavy_tailed: list[str] = field(default_factory=list)
    target_cap: float | None = None

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

    def describe(self) -> str:
        """The split and the preprocessing in two or three sentences (for a page).

        Returns
        -------
        str
            Rows per side, features by kind, how each kind is preprocessed (naming the
            heavy-tailed columns), the number of inputs, and the clipping of a capped
            target.
        """
        n_onehot = self.Z_train.shape[1] - len(self.numeric)
        tails = (
            f"; heavy-tailed, so mapped through their quantiles to a normal: "
            f"{', '.join(self.heavy_tailed)}"
            if self.heavy_tailed
            else ""
        )
        text = (
            f"{len(self.y_train):,} training rows and {len(self.y_test):,} test rows (seed "
            f"{self.seed}); {counted(len(self.numeric), 'numeric feature')} (median-imputed, "
            f"standardised, clipped to the training range{tails}) and {len(self.categorical)} "
            f"categorical (one-hot: {counted(n_onehot, 'column')}); {counted(self.Z_train.shape[1], 'input')} to "
            "every model. The preprocessing is fitted on the training rows only."
        )
        if self.target_cap is not None:
            text += (
                f" The target is capped at {self.target_cap:,.6g}: every model's predictions "
                "are clipped to the training target's range."
            )
        return text

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
            f"Dropped {counted(int((~keep).sum()), 'row')} whose target '{target}' is missing; "
            f"{int(keep.sum()):,} rows remain."
        )
    y = y_all.to_numpy(dtype=float)[keep]
    if len(y) < 20:
        raise TabularError(
            f"Only {counted(len(y), 'row has', 'rows have')} a target value; at least 20 are "
            "needed to train and test."
        )
    if np.ptp(y) == 0:
        raise TabularError(
            f"The target '{target}' has the same value ({y[0]:g}) in every row: there is "
            "nothing to predict. Pick another target."
        )
    n_low = int(np.sum(y <= 0))
    if log_target and n_low:
        raise TabularError(
            f"log(target) needs a positive target, but {counted(n_low, 'value')} of "
            f"'{target}' {noun(n_low, 'is', 'are')} ≤ 0. Turn off the log transform."
        )
    return keep, notes


def _check_classes(frame: pd.DataFrame, target: str) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """Rows with a label (mask), the labels as text, and the notes; raises when unusable."""
    y_all = frame[target]
    keep = y_all.notna().to_numpy()
    notes = []
    if (~keep).any():
        notes.append(
            f"Dropped {counted(int((~keep).sum()), 'row')} whose target '{target}' is missing; "
            f"{int(keep.sum()):,} rows remain."
        )
    labels = np.array([_category_text(v) for v in y_all[keep]], dtype=object)
    if len(labels) < 20:
        raise TabularError(
            f"Only {counted(len(labels), 'row has', 'rows have')} a target value; at least 20 are needed to train "
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
    heavy_tailed: Sequence[str] | None = None,
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
    heavy_tailed : sequence of str, optional
        The numeric columns to transform by their quantiles; default: those
        :func:`~nnkit.tabular.profile.is_heavy_tailed` finds on the training rows.

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
        raise TabularError(
            f"No {noun(len(absent), 'column')} {', '.join(map(repr, absent))} in the table."
        )
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
    if heavy_tailed is None:
        heavy = [c for c in numeric if is_heavy_tailed(X_train[c].to_numpy(dtype=float))]
    else:
        heavy = [c for c in numeric if c in set(heavy_tailed)]
    cap = None if task == "classification" else describe_target(y_train).cap
    pre = fit_rows(make_preprocessor(numeric, categorical, heavy), len(X_train))
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
        heavy_tailed=heavy,
        target_cap=cap,
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
