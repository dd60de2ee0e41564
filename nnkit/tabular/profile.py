"""What is in a table: the kind of every column, a suggested target and features, the target's shape.

:func:`profile` types every column (numeric, categorical, id-like, constant,
mostly-missing), counts missing values and suggests a target and features, each with
its reason. :func:`describe_target` measures the target's distribution (skewness, a cap
at its maximum) and :func:`suggest_log_target` says whether to learn ``log(target)``.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

from nnkit._text import counted
from nnkit.tabular.io import is_numeric

__all__ = [
    "KINDS",
    "LABEL_WORDS",
    "MAX_CLASSES",
    "MAX_CODES",
    "TAIL_FAR",
    "TAIL_SHARE",
    "TAIL_SKEW",
    "TARGET_WORDS",
    "MAX_LEVELS",
    "MOSTLY_MISSING",
    "ColumnProfile",
    "Profile",
    "TargetShape",
    "describe_target",
    "heavy_tail",
    "is_date_part",
    "is_heavy_tailed",
    "profile",
    "suggest_log_target",
    "target_kind",
]

KINDS = ("numeric", "categorical", "id-like", "constant", "mostly-missing")
"""Column kinds reported by :func:`profile`."""

MOSTLY_MISSING = 0.5
"""A column with more than this fraction of missing cells is "mostly-missing"."""

MAX_LEVELS = 50
"""Categorical columns with more distinct values are not suggested as features."""

_ID_NAMES = re.compile(
    r"^(id|index|idx|key|uuid|guid|row|row_?id|row_?num(ber)?|record_?id|unnamed: ?\d+)$"
    r"|([_\s.-]id$)|([a-z]Id$)|([_\s.-]ID$)|^ID$",
)
TARGET_WORDS = (
    "price",
    "value",
    "target",
    "cost",
    "amount",
    "label",
    "salary",
    "income",
    "revenue",
)
"""Words that make a numeric column the suggested target, in order of preference."""

LABEL_WORDS = ("label", "class", "target", "survived", "outcome", "species", "churn",
               "diagnosis", "default", "disease", "y")  # fmt: skip
"""Whole words (of a name split at ``_``, spaces and camelCase) that make a column with few
distinct values the suggested target of a classification."""

MAX_CLASSES = 20
"""Most distinct values a classification target may have."""

MAX_CODES = 10
"""Whole numbers with at most this many distinct values are suggested as class codes."""

TAIL_FAR = 3.0
"""A value is "far out" beyond this many interquartile ranges outside the quartiles."""

TAIL_SHARE = 0.005
"""A numeric column is heavy-tailed when more than this fraction of its values is far out..."""

TAIL_SKEW = 2.0
"""... or when its skewness is beyond ±this (a column that is mostly zeros, say)."""

_TAIL_DISTINCT = 10  # fewer distinct values: codes or counts, not a tail to tame

_DATE_PART = re.compile(r"(?i)(year|yr|month|week|day|date|time|quarter)|^Mo[A-Z_]")


@dataclass(frozen=True)
class ColumnProfile:
    """One column as :func:`profile` sees it.

    Attributes
    ----------
    name : str
        Column name.
    kind : str
        One of :data:`KINDS`.
    n_missing : int
        Missing cells.
    missing_fraction : float
        ``n_missing`` over the number of rows.
    n_unique : int
        Distinct non-missing values.
    reason : str
        Why the column got its kind (for the user).
    heavy_tail : str or None
        For a numeric column with a heavy tail (:func:`heavy_tail`), what makes it one.
    """

    name: str
    kind: str
    n_missing: int
    missing_fraction: float
    n_unique: int
    reason: str
    heavy_tail: str | None = None


@dataclass
class Profile:
    """What :func:`profile` found: per-column kinds and suggestions.

    Attributes
    ----------
    columns : list of ColumnProfile
        One per column, in table order.
    target : str or None
        Suggested target (None when no column is numeric).
    target_reason : str
        Why that column.
    features : list of str
        Suggested features (every usable column except the target).
    excluded : dict of str to str
        Columns not suggested as features, with the reason.
    n_rows : int
        Rows in the table.
    target_guessed : bool
        The suggested target is only the last numeric column (nothing is named like a
        target): a guess the user should check.
    """

    columns: list[ColumnProfile]
    target: str | None
    target_reason: str
    features: list[str]
    excluded: dict[str, str]
    n_rows: int
    target_guessed: bool = False

    def table(self) -> pd.DataFrame:
        """One row per column: kind, missing count and %, distinct values, role, reason.

        Returns
        -------
        pandas.DataFrame
            Columns ``column, kind, missing, missing %, distinct, suggested role, why``.
        """
        rows = []
        for c in self.columns:
            if c.name == self.target:
                role, why = "target", self.target_reason
            else:
                role = "feature" if c.name in self.features else "not used"
                why = self.excluded.get(c.name, c.reason)
            rows.append(
                {
                    "column": c.name,
                    "kind": c.kind,
                    "missing": c.n_missing,
                    "missing %": round(100 * c.missing_fraction, 1),
                    "distinct": c.n_unique,
                    "suggested role": role,
                    "why": why,
                }
            )
        return pd.DataFrame(rows)

    def kind(self, name: str) -> str:
        """The kind of column ``name``.

        Parameters
        ----------
        name : str
            A column of the table.

        Returns
        -------
        str
            One of :data:`KINDS`.
        """
        for c in self.columns:
            if c.name == name:
                return c.kind
        raise KeyError(name)

    @property
    def numeric(self) -> list[str]:
        """Columns of kind numeric."""
        return [c.name for c in self.columns if c.kind == "numeric"]

    @property
    def targets(self) -> list[str]:
        """The possible targets: numeric columns and categorical ones with few values."""
        return [
            c.name
            for c in self.columns
            if c.kind == "numeric" or (c.kind == "categorical" and c.n_unique <= MAX_CLASSES)
        ]


def _column_profile(name: str, s: pd.Series) -> ColumnProfile:
    n = len(s)
    n_missing = int(s.isna().sum())
    frac = n_missing / n if n else 1.0
    present = s.dropna()
    n_unique = int(present.nunique())

    def make(kind: str, reason: str) -> ColumnProfile:
        return ColumnProfile(name, kind, n_missing, frac, n_unique, reason)

    if n_missing == n:
        return make("mostly-missing", "every value is missing")
    if frac > MOSTLY_MISSING:
        return make("mostly-missing", f"{100 * frac:.0f}% of the values are missing")
    if n_unique <= 1:
        return make("constant", f"the same value ({present.iloc[0]!r}) in every non-missing row")
    every_distinct = n_unique == len(present)
    if every_distinct and _ID_NAMES.search(str(name)):
        return make("id-like", "its name says identifier and every value is different")
    if is_numeric(s):
        x = present.to_numpy(dtype=float)
        if every_distinct and len(x) >= 20 and np.all(x == np.round(x)):
            if np.all(np.diff(np.sort(x)) == 1):
                return make("id-like", "consecutive whole numbers, one per row: a row number")
        tail = heavy_tail(x)
        if tail:
            return ColumnProfile(
                name, "numeric", n_missing, frac, n_unique, f"numbers, heavy-tailed: {tail}", tail
            )
        return make("numeric", "numbers")
    if len(present) >= 20 and n_unique >= 0.95 * len(present):
        return make("id-like", f"text with {n_unique:,} distinct values in {len(present):,} rows")
    try:
        pd.to_datetime(present.head(200), format="mixed")
        dates = present.astype(str).str.contains(r"\d{1,4}[-/.]\d{1,2}[-/.]\d{1,4}").mean() > 0.9
    except (ValueError, TypeError, OverflowError):
        dates = False
    if dates:
        return make("categorical", "dates (used as categories)")
    return make("categorical", f"text with {n_unique:,} distinct values")


def profile(frame: pd.DataFrame) -> Profile:
    """Type every column and suggest a target and features, with reasons.

    Parameters
    ----------
    frame : pandas.DataFrame
        E.g. :attr:`LoadedTable.frame <nnkit.tabular.LoadedTable>`.

    Returns
    -------
    Profile

    Notes
    -----
    Kinds, checked in this order: *mostly-missing* (every value missing, or more than
    :data:`MOSTLY_MISSING` of them), *constant* (one distinct value), *id-like* (a name
    like ``id``/``*_id`` with all values distinct; consecutive whole numbers; text with a
    different value in almost every row), *numeric*, *categorical*.

    The suggested target is the first numeric column whose name contains a word of
    :data:`TARGET_WORDS` (``price`` first); else a column with few distinct values
    whose name has a word of :data:`LABEL_WORDS` (``Survived``: a class label). A column
    named like a target that cannot be one (empty, constant, an id, a label with more
    than :data:`MAX_CLASSES` classes) is named in :attr:`Profile.target_reason` and no
    target is suggested. Else the last numeric column is a guess
    (:attr:`Profile.target_guessed`), unless that one is a date part (a year, a month: a
    competition's test file ends with its sale year), where no target is suggested and
    :attr:`Profile.target_reason` says what was looked for and what to pick. Suggested features are the other numeric and
    categorical columns, except categorical ones with more than :data:`MAX_LEVELS`
    distinct values.
    """
    cols = [_column_profile(str(name), frame[name]) for name in frame.columns]
    target, reason = _suggest_target(cols, frame)
    features: list[str] = []
    excluded: dict[str, str] = {}
    for c in cols:
        if c.name == target:
            continue
        if c.kind == "categorical" and c.n_unique > MAX_LEVELS:
            excluded[c.name] = (
                f"{c.n_unique:,} distinct values: one-hot encoding would add "
                f"{c.n_unique:,} columns (more than {MAX_LEVELS})"
            )
        elif c.kind in ("numeric", "categorical"):
            features.append(c.name)
        else:
            excluded[c.name] = f"{c.kind}: {c.reason}"
    guessed = target is not None and reason.startswith(_GUESS)
    return Profile(cols, target, reason, features, excluded, len(frame), guessed)


def is_date_part(name: str, values: pd.Series) -> bool:
    """Whether a numeric column is a year, month, day, ... (by its name or its values).

    Parameters
    ----------
    name : str
        Column name.
    values : pandas.Series
        Its values.

    Returns
    -------
    bool
        True for a name like ``YearBuilt``, ``YrSold``, ``MoSold``, ``month``, or whole
        numbers all between 1800 and 2100.
    """
    if _DATE_PART.search(name):
        return True
    x = pd.to_numeric(values, errors="coerce").dropna().to_numpy(dtype=float)
    return bool(x.size and np.all(x == np.round(x)) and x.min() >= 1800 and x.max() <= 2100)


def heavy_tail(values: ArrayLike) -> str | None:
    """What makes a numeric column heavy-tailed, or None when it is not.

    Heavy-tailed: at least 10 distinct values, and more than :data:`TAIL_SHARE` of them
    lie more than :data:`TAIL_FAR` interquartile ranges beyond the quartiles (outliers
    far from the bulk: a resort's 60 rooms per household), or the skewness is beyond
    ±:data:`TAIL_SKEW` (a column that is mostly zeros with a long tail). Standardising
    such a column squeezes its bulk into a sliver; a quantile transform spreads it out.

    Parameters
    ----------
    values : array_like
        The column (non-finite values are ignored).

    Returns
    -------
    str or None
        E.g. ``"1.2% of the values lie far out (skewness 4.10)"``.
    """
    x = np.asarray(values, dtype=float).ravel()
    x = x[np.isfinite(x)]
    if x.size < 20 or np.unique(x).size < _TAIL_DISTINCT:
        return None
    q1, q3 = np.percentile(x, [25, 75])
    iqr = q3 - q1
    far = float(np.mean((x < q1 - TAIL_FAR * iqr) | (x > q3 + TAIL_FAR * iqr))) if iqr > 0 else 0.0
    d = x - x.mean()
    skew = float(np.mean(d**3) / np.mean(d**2) ** 1.5)
    if far > TAIL_SHARE:
        return f"{100 * far:.1f}% of the values lie far out (skewness {skew:.2f})"
    if abs(skew) > TAIL_SKEW:
        return f"skewness {skew:.2f}"
    return None


def is_heavy_tailed(values: ArrayLike) -> bool:
    """Whether a numeric column is heavy-tailed (see :func:`heavy_tail`).

    Parameters
    ----------
    values : array_like
        The column.

    Returns
    -------
    bool
    """
    return heavy_tail(values) is not None


def _words(name: str) -> list[str]:
    return [w.lower() for w in re.findall(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])|\d+", name)]


_GUESS = "the last numeric column"


def _unusable_named(cols: list[ColumnProfile]) -> str:
    """A column named like the target that cannot be one, and why ("" when none)."""
    for c in cols:
        words = _words(c.name)
        price = any(w in c.name.lower() for w in TARGET_WORDS)
        label = any(w in words for w in LABEL_WORDS)
        if not (price or label):
            continue
        if c.kind in ("mostly-missing", "constant", "id-like"):
            return f"'{c.name}' is named like the target, but it is {c.kind} ({c.reason})"
        if label and c.kind == "categorical" and c.n_unique > MAX_CLASSES:
            return (
                f"'{c.name}' is named like a class label, but it has {c.n_unique:,} distinct "
                f"values (a classification takes at most {MAX_CLASSES})"
            )
    return ""


def _suggest_target(cols: list[ColumnProfile], frame: pd.DataFrame) -> tuple[str | None, str]:
    numeric = [c.name for c in cols if c.kind == "numeric"]
    for word in TARGET_WORDS:
        hits = [c for c in numeric if word in c.lower()]
        if hits:
            return hits[0], f"numeric, and its name contains '{word}'"
    few = [
        c.name
        for c in cols
        if c.kind in ("numeric", "categorical") and 2 <= c.n_unique <= MAX_CLASSES
    ]
    for word in LABEL_WORDS:
        hits = [c for c in few if word in _words(c)]
        if hits:
            return hits[0], f"its name says '{word}', and it has few distinct values: a class label"
    looked = (
        f"no column is named like a price or a value (looked for {', '.join(TARGET_WORDS)}) "
        f"or a label (looked for {', '.join(LABEL_WORDS)})"
    )
    named = _unusable_named(cols)
    if named:
        return None, (f"{named}. Choose the column to predict, or fix that column in the file")
    if not numeric:
        unusable = [f"'{c.name}' is {c.kind}" for c in cols if c.kind in ("id-like", "constant")]
        return None, (
            f"{looked}, and no column is numeric"
            + (f" ({', '.join(unusable[:4])})" if unusable else "")
        )
    last = numeric[-1]
    if is_date_part(last, frame[last]):
        return None, (
            f"{looked}, and the last numeric column, '{last}', is a date part (a year, a "
            "month, ...), not something to predict. Choose the column to predict; a "
            "competition's test file has no target column at all: upload the training file"
        )
    return last, f"{_GUESS} ({looked})"


def target_kind(values: pd.Series) -> tuple[str, str]:
    """Regression or classification for a target column, with the reason.

    Parameters
    ----------
    values : pandas.Series
        The target column (missing values are ignored).

    Returns
    -------
    (str, str)
        ``"classification"`` for text labels, two distinct values (0/1) or a handful of
        whole-number codes (at most :data:`MAX_CODES`), else ``"regression"``; and why.
    """
    present = values.dropna()
    k = int(present.nunique())
    if not is_numeric(values):
        return "classification", f"text labels ({k} distinct values)"
    if k == 2:
        shown = " and ".join(_label(v) for v in sorted(present.unique()))
        return "classification", f"only two values ({shown}): a class label"
    x = present.to_numpy(dtype=float)
    if 2 < k <= MAX_CODES and np.all(x == np.round(x)):
        return "classification", (
            f"whole numbers with only {k} distinct values: class codes (choose regression if "
            "they are counts or amounts)"
        )
    return "regression", f"numbers with {k:,} distinct values"


def _label(v: object) -> str:
    return str(int(v)) if isinstance(v, float) and v.is_integer() else str(v)


# ---------------------------------------------------------------------------------------
# The target's distribution
# ---------------------------------------------------------------------------------------

CAPPED_FRACTION = 0.01
"""A target is "capped" when at least this fraction of its values equal its maximum."""


@dataclass(frozen=True)
class TargetShape:
    """The distribution of a target, measured (see :func:`describe_target`).

    Attributes
    ----------
    n : int
        Finite values.
    skewness : float
        Sample skewness (NaN with fewer than 3 distinct values).
    n_nonpositive : int
        Values ≤ 0 (log is undefined for them).
    cap : float or None
        The maximum, when at least :data:`CAPPED_FRACTION` of the values (and at least 5)
        equal it: the data were cut off there, the true values above it are unknown.
    capped_fraction : float
        Fraction of the values equal to the maximum.
    """

    n: int
    skewness: float
    n_nonpositive: int
    cap: float | None
    capped_fraction: float

    @property
    def skew_words(self) -> str:
        """The skew in words: roughly symmetric, moderately or strongly right/left-skewed."""
        g = self.skewness
        if not math.isfinite(g):
            return "too few distinct values to judge"
        if abs(g) <= 0.5:
            return "roughly symmetric"
        side = "right" if g > 0 else "left"
        return f"{'moderately' if abs(g) <= 1 else 'strongly'} {side}-skewed"

    def description(self) -> str:
        """One clause for the user, e.g. "moderately right-skewed (skewness 0.98), capped at ...".

        Returns
        -------
        str
        """
        if not math.isfinite(self.skewness):
            return self.skew_words
        text = f"{self.skew_words} (skewness {self.skewness:.2f})"
        if self.cap is not None:
            text += (
                f", capped at {self.cap:,.6g} ({100 * self.capped_fraction:.1f}% of the values "
                "sit at the cap, whose true values are unknown)"
            )
        return text


def describe_target(y: ArrayLike) -> TargetShape:
    """Measure a target's distribution: skewness, values ≤ 0, a cap at its maximum.

    Parameters
    ----------
    y : array_like
        The target values (non-finite ones are ignored).

    Returns
    -------
    TargetShape
    """
    v = np.asarray(y, dtype=float).ravel()
    v = v[np.isfinite(v)]
    n = int(v.size)
    if n < 3 or np.ptp(v) == 0:
        return TargetShape(n, math.nan, int(np.sum(v <= 0)), None, 0.0)
    d = v - v.mean()
    skew = float(np.mean(d**3) / np.mean(d**2) ** 1.5)
    top = float(v.max())
    at_top = int(np.sum(v == top))
    frac = at_top / n
    cap = top if frac >= CAPPED_FRACTION and at_top >= 5 else None
    return TargetShape(n, skew, int(np.sum(v <= 0)), cap, frac)


def suggest_log_target(y: ArrayLike) -> tuple[bool, str]:
    """Whether to learn ``log(target)``, with the reason.

    Suggested when every value is positive and the distribution is strongly
    right-skewed (sample skewness > 1): prices and sizes often are, and on a log scale
    a model's errors become relative ("10% too high") instead of absolute.

    Parameters
    ----------
    y : array_like
        The target values.

    Returns
    -------
    (bool, str)
        The suggestion and why, as a clause ("the target is ..." reads well before it).
    """
    shape = describe_target(y)
    if not math.isfinite(shape.skewness):
        return False, shape.description()
    if shape.n_nonpositive:
        return False, (
            f"{shape.description()}, with {counted(shape.n_nonpositive, 'value')} ≤ 0 (log is "
            "undefined for them)"
        )
    if shape.skewness > 1:
        return True, f"positive and {shape.description()}"
    return False, f"{shape.description()}: not skewed enough for a log to help (skewness ≤ 1)"
