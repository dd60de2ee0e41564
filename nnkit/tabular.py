"""Regression on a table of data (a CSV): loading, profiling, preprocessing, baselines.

The House prices page of lecture 1 (exercise 3) runs on this module, and so can a
notebook::

    from nnkit import tabular
    table = tabular.load_csv("data/house_prices.csv")
    prof = tabular.profile(table.frame)
    data = tabular.prepare(table.frame, prof.target, prof.features, test_size=0.2, seed=0)
    models = tabular.fit_baselines(data)
    models["MLP"], result = tabular.train_mlp(data)  # result.history: the loss curves
    tabular.compare(models, data)              # RMSE, MAE, R², MAPE on the test set

The steps, one function each:

* :func:`load_csv` reads bytes or a path as *data only* (never executed, never
  unpickled; the bytes are not modified): it detects the delimiter (comma,
  semicolon, tab), a decimal comma, the encoding (UTF-8 with or without BOM, else
  Windows-1252/Latin-1), refuses binary files (Excel, zip, PDF, ...), and enforces the
  caps of :data:`nnkit.limits.LIMITS` (size, rows, columns). Every problem raises
  :class:`TabularError` with a message that says what to change.
* :func:`profile` types every column (numeric, categorical, id-like, constant,
  mostly-missing), counts missing values and suggests a target and features, each with
  its reason.
* :func:`prepare` drops rows whose target is missing, splits train/test (seeded) and
  fits a scikit-learn ``ColumnTransformer`` (median imputation, standard scaling and
  clipping to the training range of numeric columns; constant imputation and one-hot encoding of categorical columns,
  unknown categories ignored) **on the training rows only**; optionally the model
  learns ``log(target)``.
* :func:`fit_baselines` fits the honest references on the same split: the mean of the
  training target, ridge regression and histogram gradient boosting;
  :func:`train_mlp` trains nnkit's MLP with :func:`nnkit.training.fit` (early stopping
  on a validation part of the training rows).
* :func:`compare` scores every model on the held-out test rows (RMSE, MAE, R², MAPE);
  :func:`importance` is permutation importance of the original columns.
* :func:`export_model` / :func:`load_model` write and read a fitted MLP pipeline as one
  JSON file (preprocessing parameters and network weights as numbers, nothing
  executable); :func:`to_csv_bytes` writes a table with spreadsheet formula injection
  neutralised.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
import json
import math
import os
import re
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, RegressorMixin, TransformerMixin
from sklearn.compose import ColumnTransformer
from sklearn.dummy import DummyRegressor
from sklearn.ensemble import HistGradientBoostingRegressor
from sklearn.impute import SimpleImputer
from sklearn.linear_model import RidgeCV
from sklearn.model_selection import train_test_split
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

from nnkit.limits import Limits

__all__ = [
    "DELIMITERS",
    "KINDS",
    "ColumnProfile",
    "LoadedTable",
    "BestWeights",
    "ClipToRange",
    "MLPConfig",
    "MLPRun",
    "NetRegressor",
    "Prepared",
    "Profile",
    "TabularError",
    "TabularModel",
    "compare",
    "escape_formula",
    "export_model",
    "fit_baselines",
    "importance",
    "input_template",
    "load_csv",
    "load_model",
    "make_preprocessor",
    "mlp_trainer",
    "predictions_frame",
    "prepare",
    "profile",
    "regression_metrics",
    "suggest_log_target",
    "to_csv_bytes",
    "train_mlp",
]


class TabularError(ValueError):
    """A problem with the user's table, with a message meant for the user.

    The message says what is wrong and what to change; pages show it as is.
    """


# ---------------------------------------------------------------------------------------
# Loading
# ---------------------------------------------------------------------------------------

DELIMITERS: dict[str, str] = {",": "comma", ";": "semicolon", "\t": "tab"}
"""Delimiters :func:`load_csv` recognises, with the names used in messages."""

MISSING_TOKENS = frozenset(
    {"", "na", "n/a", "nan", "null", "none", "-", "?", "#n/a", "missing", "<na>", "nat"}
)
"""Cell texts read as a missing value (after stripping; in lower, UPPER or Title case)."""

_MISSING_CASED = frozenset(
    v for t in MISSING_TOKENS for v in (t, t.upper(), t.title(), t.capitalize(), t.replace("n/a", "N/a"))
) | {"NaN", "NaT", "#N/A", "N/A", "<NA>"}

# (magic prefix, what it is, what to do). Checked before any decoding.
_MAGIC: list[tuple[bytes, str]] = [
    (b"PK\x03\x04", "a ZIP archive (an Excel .xlsx or .ods file is one)"),
    (b"PK\x05\x06", "an empty ZIP archive"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "an old Excel .xls (or Word .doc) file"),
    (b"%PDF", "a PDF document"),
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"\x1f\x8b", "a gzip-compressed file"),
    (b"BZh", "a bzip2-compressed file"),
    (b"\xfd7zXZ\x00", "an xz-compressed file"),
    (b"7z\xbc\xaf\x27\x1c", "a 7-Zip archive"),
    (b"PAR1", "a Parquet file"),
    (b"SQLite format 3\x00", "an SQLite database"),
    (b"\x80\x02", "a Python pickle"),
    (b"\x80\x03", "a Python pickle"),
    (b"\x80\x04", "a Python pickle"),
    (b"\x80\x05", "a Python pickle"),
    (b"\x93NUMPY", "a NumPy .npy file"),
]

_SAVE_AS_CSV = (
    "Open it in a spreadsheet and save the sheet as CSV "
    "(File › Save as › CSV UTF-8, comma-delimited), then upload that file."
)


@dataclass
class LoadedTable:
    """A CSV read by :func:`load_csv`.

    Attributes
    ----------
    frame : pandas.DataFrame
        One column per CSV column: ``float64`` where every non-missing cell is a number,
        else ``object`` holding the stripped cell texts; missing cells are ``NaN``.
    delimiter : str
        The delimiter found (``","``, ``";"`` or ``"\\t"``).
    decimal : str
        The decimal separator found (``"."`` or ``","``).
    encoding : str
        How the bytes were decoded (``"UTF-8"``, ``"UTF-8 with BOM"``, ``"UTF-16"``,
        ``"Windows-1252"`` or ``"Latin-1"``).
    n_bytes : int
        Size of the original file.
    sha256 : str
        Hash of the original bytes (they are never modified).
    notes : list of str
        What the loader changed or skipped, for the user (empty when nothing).
    """

    frame: pd.DataFrame
    delimiter: str
    decimal: str
    encoding: str
    n_bytes: int
    sha256: str
    notes: list[str] = field(default_factory=list)

    @property
    def delimiter_name(self) -> str:
        """``"comma"``, ``"semicolon"`` or ``"tab"``."""
        return DELIMITERS.get(self.delimiter, repr(self.delimiter))

    def summary(self) -> str:
        """One sentence: rows, columns, delimiter, decimal separator and encoding."""
        rows, cols = self.frame.shape
        return (
            f"{rows:,} rows × {cols} columns, {self.delimiter_name}-delimited, decimal "
            f"{'comma' if self.decimal == ',' else 'point'}, {self.encoding}, "
            f"{self.n_bytes / 1e3:,.1f} kB"
        )


def _mb(n: float) -> str:
    return f"{n / (1024 * 1024):.1f} MB"


def _read_source(source: bytes | bytearray | memoryview | str | os.PathLike, limits: Limits) -> bytes:
    cap = limits.max_upload_mb * 1024 * 1024  # math.inf: no cap
    if isinstance(source, (bytes, bytearray, memoryview)):
        data = bytes(source)  # a copy: the caller's buffer is never touched
    else:
        path = Path(source)
        if not path.is_file():
            raise TabularError(f"No file at {path}.")
        size = path.stat().st_size
        if size > cap:
            raise TabularError(
                f"The file is {_mb(size)}; the limit is {limits.max_upload_mb:g} MB. Upload a "
                "sample of its rows, or raise NNKIT_MAX_UPLOAD_MB on your own machine."
            )
        data = path.read_bytes()
    if len(data) > cap:
        raise TabularError(
            f"The file is {_mb(len(data))}; the limit is {limits.max_upload_mb:g} MB. Upload a "
            "sample of its rows, or raise NNKIT_MAX_UPLOAD_MB on your own machine."
        )
    return data


def _decode(data: bytes) -> tuple[str, str, list[str]]:
    """Text, encoding name and notes; raises on binary content."""
    if not data.strip():
        raise TabularError("The file is empty. Upload a CSV with a header row and data rows.")
    for magic, what in _MAGIC:
        if data.startswith(magic):
            raise TabularError(f"This is not a CSV file: it is {what}. {_SAVE_AS_CSV}")
    if data.startswith(codecs.BOM_UTF16_LE) or data.startswith(codecs.BOM_UTF16_BE):
        try:
            return data.decode("utf-16"), "UTF-16", []
        except UnicodeDecodeError as err:
            raise TabularError(
                "The file starts like UTF-16 text but is not valid UTF-16. " + _SAVE_AS_CSV
            ) from err
    if b"\x00" in data:
        raise TabularError(
            "This is not a text file: it contains NUL bytes, so it is binary (a spreadsheet, "
            "an archive or an image renamed to .csv?). " + _SAVE_AS_CSV
        )
    if data.startswith(codecs.BOM_UTF8):
        try:
            return data[3:].decode("utf-8"), "UTF-8 with BOM", []
        except UnicodeDecodeError:
            data = data[3:]  # a BOM followed by non-UTF-8 bytes: fall through
    try:
        return data.decode("utf-8"), "UTF-8", []
    except UnicodeDecodeError as err:
        where = f"byte {err.start} (0x{data[err.start]:02x})"
    for codec, name in (("cp1252", "Windows-1252"), ("latin-1", "Latin-1")):
        try:
            text = data.decode(codec)
        except UnicodeDecodeError:
            continue
        return text, name, [
            f"The file is not UTF-8 (first non-UTF-8 {where}); it was read as {name}. "
            "If accented letters look wrong, save it as CSV UTF-8 and upload again."
        ]
    raise AssertionError("latin-1 decodes every byte")  # pragma: no cover


def _control_fraction(text: str) -> float:
    sample = text[:20000]
    bad = sum(1 for ch in sample if ord(ch) < 32 and ch not in "\t\r\n")
    return bad / max(len(sample), 1)


def _sniff_delimiter(text: str) -> str:
    sample_lines = text[:65536].splitlines()[:60]
    sample_lines = [ln for ln in sample_lines if ln.strip()]
    best, best_score = ",", (-1.0, 0)
    for delim in DELIMITERS:
        try:
            rows = list(csv.reader(sample_lines, delimiter=delim))
        except csv.Error:
            continue
        counts = [len(r) for r in rows if r]
        if not counts:
            continue
        header = counts[0]
        consistent = sum(c == header for c in counts) / len(counts)
        score = (consistent if header > 1 else 0.0, header)
        if score > best_score:
            best, best_score = delim, score
    return best


_NUM_DOT = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$")
_NUM_COMMA = re.compile(r"^[+-]?(\d{1,3}(\.\d{3})+|\d+)?,\d+$")
_THOUSANDS_COMMA = re.compile(r"^[+-]?\d{1,3}(,\d{3})+(\.\d+)?$")
_THOUSANDS_DOT = re.compile(r"^[+-]?\d{1,3}(\.\d{3})+(,\d+)?$")


def _sniff_decimal(columns: list[list[str]], delimiter: str) -> str:
    if delimiter == ",":
        return "."
    comma = dot = 0
    for values in columns:
        for v in values[:500]:
            if "," not in v and "." not in v:
                continue
            v = v.strip()
            if _NUM_COMMA.match(v):
                comma += 1
            elif _NUM_DOT.match(v) and "." in v and not _THOUSANDS_DOT.match(v):
                dot += 1
    return "," if comma > 0 and dot == 0 else "."


def _numeric_text(v: str, decimal: str) -> str:
    """A cell's text as ``to_numeric`` reads it (decimal comma and thousands removed)."""
    if decimal == ",":
        # The sniffer chose a decimal comma only if no cell uses a decimal point, so
        # every point here separates thousands ("1.234,5").
        return v.replace(".", "").replace(",", ".") if ("," in v or "." in v) else v
    if "," in v and _THOUSANDS_COMMA.match(v):
        return v.replace(",", "")
    return v


def _parse(cells: list[str], decimal: str) -> np.ndarray:
    fixed = [_numeric_text(v, decimal) for v in cells]
    return pd.to_numeric(pd.Series(fixed, dtype=object), errors="coerce").to_numpy(dtype=float)


def _to_column(values: list[str], decimal: str, name: str, notes: list[str]) -> pd.Series:
    """A float64 column when (almost) every cell is a number, else object of texts."""
    stripped = [v.strip() for v in values]
    missing = np.array([v in _MISSING_CASED for v in stripped], dtype=bool)
    texts = pd.Series(np.where(missing, np.nan, np.array(stripped, dtype=object)), dtype=object)
    present = [v for v, m in zip(stripped, missing, strict=True) if not m]
    n_present = len(present)
    if n_present == 0:
        return pd.Series(np.full(len(values), np.nan))
    # Text columns are recognised from a sample, without parsing every cell.
    sample = _parse(present[:200], decimal)
    if np.isfinite(sample).sum() < 0.9 * len(sample):
        return texts
    numbers = np.full(len(values), np.nan)
    numbers[~missing] = _parse(present, decimal)
    parsed = int(np.isfinite(numbers).sum())
    infinite = int(np.isinf(numbers).sum())
    if parsed == n_present:
        return pd.Series(numbers)
    finite = pd.Series(np.where(np.isfinite(numbers), numbers, np.nan))
    if parsed + infinite == n_present and parsed > 0:
        notes.append(f"Column '{name}': {infinite} infinite value(s) read as missing.")
        return finite
    if parsed >= 10 and parsed >= 0.98 * n_present:
        bad = texts[~missing & ~np.isfinite(numbers)].tolist()
        shown = ", ".join(repr(b[:20]) for b in bad[:3])
        notes.append(
            f"Column '{name}': {len(bad)} value(s) that are not numbers ({shown}) read as missing."
        )
        return finite
    return texts


def load_csv(
    source: bytes | bytearray | memoryview | str | os.PathLike,
    *,
    limits: Limits | None = None,
    min_columns: int = 2,
) -> LoadedTable:
    """Read a CSV file as data (never executed, never unpickled).

    Parameters
    ----------
    source : bytes or path
        The file's bytes (e.g. from an upload) or a path. Bytes are copied, never
        modified.
    limits : Limits, optional
        Caps on size (``max_upload_mb``), rows (``max_rows``) and columns
        (``max_columns``); default :data:`nnkit.limits.LIMITS`.
    min_columns : int, default 2
        Fewest columns accepted (a target and at least one feature).

    Returns
    -------
    LoadedTable
        The data frame with what was detected and any notes.

    Raises
    ------
    TabularError
        Empty, binary (Excel, zip, PDF, pickle, ...) or too large a file; too many rows or
        columns; too few columns; no data rows; most rows ragged. The message says what to
        change.

    Notes
    -----
    Rows with *more* fields than the header are skipped (which field is the stray one
    cannot be known) and reported with their line numbers; rows with *fewer* fields are
    padded with missing values and reported. Duplicate column names get a suffix
    ``" (2)"``, blank ones a name ``column_<k>``; both are reported.
    """
    limits = limits or Limits()
    data = _read_source(source, limits)
    sha = hashlib.sha256(data).hexdigest()
    text, encoding, notes = _decode(data)
    if _control_fraction(text) > 0.01:
        raise TabularError(
            "This does not look like a text file (it is full of control characters). "
            + _SAVE_AS_CSV
        )
    delimiter = _sniff_delimiter(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    header: list[str] | None = None
    rows: list[list[str]] = []
    long_lines: list[int] = []
    short_lines: list[int] = []
    try:
        for row in reader:
            if not row or (not row[0].strip() and not any(c.strip() for c in row)):
                continue
            if header is None:
                header = row
                while len(header) > 1 and not header[-1].strip():
                    header = header[:-1]  # trailing delimiter on the header line
                if len(header) > limits.max_columns:
                    raise TabularError(
                        f"The file has {len(header):,} columns; the limit is "
                        f"{limits.max_columns:,}. Keep the columns you need (a target and "
                        "its features) or raise NNKIT_MAX_COLUMNS on your own machine."
                    )
                continue
            n = len(header)
            if len(row) > n:
                if any(c.strip() for c in row[n:]):
                    long_lines.append(reader.line_num)
                    continue
                row = row[:n]
            elif len(row) < n:
                short_lines.append(reader.line_num)
                row = row + [""] * (n - len(row))
            rows.append(row)
            if len(rows) > limits.max_rows:
                raise TabularError(
                    f"The file has more than {limits.max_rows:,} data rows (the limit). "
                    "Upload a random sample of the rows, or raise NNKIT_MAX_ROWS on your "
                    "own machine."
                )
    except csv.Error as err:
        raise TabularError(
            f"The file could not be read as CSV near line {reader.line_num}: {err}. Check "
            "the quoting (a value containing the delimiter must be in double quotes)."
        ) from err
    if header is None:
        raise TabularError("The file is empty. Upload a CSV with a header row and data rows.")
    names = [h.strip() for h in header]
    if len(names) < min_columns:
        raise TabularError(
            f"The file has only {len(names)} column ({names[0]!r}); at least {min_columns} are "
            "needed (a target and a feature). If it has more, check the delimiter: nnkit "
            "recognises comma, semicolon and tab."
        )
    total = len(rows) + len(long_lines)
    if not rows:
        raise TabularError(
            "The file has a header but no data rows."
            if not long_lines
            else f"Every data row has more fields than the header ({len(names)}): check the "
            "delimiter and the quoting."
        )
    if long_lines:
        shown = ", ".join(str(i) for i in long_lines[:5]) + (" ..." if len(long_lines) > 5 else "")
        if len(long_lines) > 0.1 * total:
            raise TabularError(
                f"{len(long_lines):,} of {total:,} rows have more fields than the header "
                f"({len(names)}), e.g. line(s) {shown}. A value containing the delimiter must "
                "be in double quotes; fix those lines and upload again."
            )
        notes.append(
            f"Skipped {len(long_lines):,} row(s) with more fields than the header "
            f"({len(names)}): line(s) {shown}."
        )
    if short_lines:
        shown = ", ".join(str(i) for i in short_lines[:5]) + (" ..." if len(short_lines) > 5 else "")
        notes.append(
            f"{len(short_lines):,} row(s) had fewer fields than the header; the missing cells "
            f"were read as missing values: line(s) {shown}."
        )
    # Column names: blank -> column_<k>, duplicates -> "name (2)".
    seen: dict[str, int] = {}
    final: list[str] = []
    for k, name in enumerate(names, start=1):
        if not name:
            name = f"column_{k}"
            notes.append(f"Column {k} has no name; it is called '{name}'.")
        base = name
        while name in seen:
            seen[base] += 1
            name = f"{base} ({seen[base]})"
        if name != base:
            notes.append(f"Column name '{base}' appears more than once; this one is '{name}'.")
        seen.setdefault(base, 1)
        seen.setdefault(name, 1)
        final.append(name)
    columns = [list(c) for c in zip(*rows, strict=True)]
    decimal = _sniff_decimal(columns, delimiter)
    frame = pd.DataFrame(
        {name: _to_column(values, decimal, name, notes) for name, values in zip(final, columns, strict=True)}
    )
    return LoadedTable(frame, delimiter, decimal, encoding, len(data), sha, notes)


# ---------------------------------------------------------------------------------------
# Profiling
# ---------------------------------------------------------------------------------------

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
_TARGET_WORDS = ("price", "value", "target", "cost", "amount", "label")


@dataclass(frozen=True)
class ColumnProfile:
    """One column as :func:`profile` sees it.

    Attributes
    ----------
    name : str
    kind : str
        One of :data:`KINDS`.
    n_missing : int
    missing_fraction : float
    n_unique : int
        Distinct non-missing values.
    reason : str
        Why the column got its kind (for the user).
    """

    name: str
    kind: str
    n_missing: int
    missing_fraction: float
    n_unique: int
    reason: str


@dataclass
class Profile:
    """What :func:`profile` found: per-column kinds and suggestions.

    Attributes
    ----------
    columns : list of ColumnProfile
    target : str or None
        Suggested target (None when no column is numeric).
    target_reason : str
    features : list of str
        Suggested features (every usable column except the target).
    excluded : dict of str to str
        Columns not suggested as features, with the reason.
    n_rows : int
    """

    columns: list[ColumnProfile]
    target: str | None
    target_reason: str
    features: list[str]
    excluded: dict[str, str]
    n_rows: int

    def table(self) -> pd.DataFrame:
        """One row per column: kind, missing count and %, distinct values, role, reason."""
        rows = []
        for c in self.columns:
            if c.name == self.target:
                role = "target"
            elif c.name in self.features:
                role = "feature"
            else:
                role = "not used"
            rows.append(
                {
                    "column": c.name,
                    "kind": c.kind,
                    "missing": c.n_missing,
                    "missing %": round(100 * c.missing_fraction, 1),
                    "distinct": c.n_unique,
                    "suggested role": role,
                    "why": self.excluded.get(c.name, c.reason)
                    if c.name != self.target
                    else self.target_reason,
                }
            )
        return pd.DataFrame(rows)

    def kind(self, name: str) -> str:
        """The kind of column ``name``."""
        for c in self.columns:
            if c.name == name:
                return c.kind
        raise KeyError(name)

    @property
    def numeric(self) -> list[str]:
        """Columns of kind numeric (the possible targets)."""
        return [c.name for c in self.columns if c.kind == "numeric"]


def _is_numeric(s: pd.Series) -> bool:
    return pd.api.types.is_numeric_dtype(s) and not pd.api.types.is_bool_dtype(s)


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
    if _is_numeric(s):
        x = present.to_numpy(dtype=float)
        if every_distinct and len(x) >= 20 and np.all(x == np.round(x)):
            d = np.diff(np.sort(x))
            if np.all(d == 1):
                return make("id-like", "consecutive whole numbers, one per row: a row number")
        return make("numeric", "numbers")
    if len(present) >= 20 and n_unique >= 0.95 * len(present):
        return make("id-like", f"text with {n_unique:,} distinct values in {len(present):,} rows")
    try:
        pd.to_datetime(present.head(200), format="mixed")
        looks_date = present.astype(str).str.contains(r"\d{1,4}[-/.]\d{1,2}[-/.]\d{1,4}").mean() > 0.9
    except (ValueError, TypeError, OverflowError):
        looks_date = False
    if looks_date:
        return make("categorical", "dates (used as categories)")
    return make("categorical", f"text with {n_unique:,} distinct values")


def profile(frame: pd.DataFrame) -> Profile:
    """Type every column and suggest a target and features, with reasons.

    Parameters
    ----------
    frame : pandas.DataFrame
        E.g. :attr:`LoadedTable.frame`.

    Returns
    -------
    Profile

    Notes
    -----
    Kinds, checked in this order: *mostly-missing* (every value missing, or more than
    :data:`MOSTLY_MISSING` of them), *constant* (one distinct value), *id-like* (a name
    like ``id``/``*_id`` with all values distinct; consecutive whole numbers; text with a
    different value in almost every row), *numeric*, *categorical*.

    The suggested target is the first numeric column whose name contains ``price``,
    then ``value``, ``target``, ``cost``, ``amount``, ``label``; else the last numeric
    column. Suggested features are the other numeric and categorical columns, except
    categorical ones with more than :data:`MAX_LEVELS` distinct values.
    """
    cols = [_column_profile(str(name), frame[name]) for name in frame.columns]
    numeric = [c.name for c in cols if c.kind == "numeric"]
    target, reason = None, "no numeric column: nothing a regression can predict"
    for word in _TARGET_WORDS:
        hits = [c for c in numeric if word in c.lower()]
        if hits:
            target, reason = hits[0], f"numeric, and its name contains '{word}'"
            break
    if target is None and numeric:
        target, reason = numeric[-1], "the last numeric column (no column is named like a price)"
    features, excluded = [], {}
    for c in cols:
        if c.name == target:
            continue
        if c.kind in ("numeric", "categorical"):
            if c.kind == "categorical" and c.n_unique > MAX_LEVELS:
                excluded[c.name] = (
                    f"{c.n_unique:,} distinct values: one-hot encoding would add "
                    f"{c.n_unique:,} columns (more than {MAX_LEVELS})"
                )
            else:
                features.append(c.name)
        else:
            excluded[c.name] = f"{c.kind}: {c.reason}"
    return Profile(cols, target, reason, features, excluded, len(frame))


# ---------------------------------------------------------------------------------------
# Preprocessing and the split
# ---------------------------------------------------------------------------------------

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
    """

    def fit(self, X, y=None):  # noqa: D102
        X = np.asarray(X, dtype=float)
        self.lo_ = np.nanmin(X, axis=0)
        self.hi_ = np.nanmax(X, axis=0)
        return self

    def transform(self, X):  # noqa: D102
        return np.clip(np.asarray(X, dtype=float), self.lo_, self.hi_)

    def get_feature_names_out(self, input_features=None):  # noqa: D102
        return np.asarray(input_features, dtype=object)


def make_preprocessor(numeric: Sequence[str], categorical: Sequence[str]) -> ColumnTransformer:
    """The (unfitted) preprocessing: a scikit-learn ``ColumnTransformer``.

    Numeric columns: median imputation, standard scaling, then clipping to the
    training range (:class:`ClipToRange`). Categorical columns:
    imputation with the category ``"(missing)"``, then one-hot encoding; a category not
    seen in training becomes all zeros (``handle_unknown="ignore"``).

    Parameters
    ----------
    numeric, categorical : sequence of str
        Column names.

    Returns
    -------
    sklearn.compose.ColumnTransformer
        Output columns: the numeric ones in order, then the one-hot columns.
    """
    steps = []
    if numeric:
        steps.append(
            (
                "num",
                Pipeline(
                    [
                        ("impute", SimpleImputer(strategy="median")),
                        ("scale", StandardScaler()),
                        ("clip", ClipToRange()),
                    ]
                ),
                list(numeric),
            )
        )
    if categorical:
        steps.append(
            (
                "cat",
                Pipeline(
                    [
                        ("impute", SimpleImputer(strategy="constant", fill_value=MISSING_CATEGORY)),
                        ("onehot", OneHotEncoder(handle_unknown="ignore", sparse_output=False)),
                    ]
                ),
                list(categorical),
            )
        )
    return ColumnTransformer(steps, remainder="drop", verbose_feature_names_out=False)


def _as_model_input(frame: pd.DataFrame, numeric: Sequence[str], categorical: Sequence[str]) -> pd.DataFrame:
    """Numeric columns as float64, categorical ones as object texts with NaN for missing."""
    out = {}
    for c in numeric:
        out[c] = pd.to_numeric(frame[c], errors="coerce").astype(float)
    for c in categorical:
        s = frame[c]
        out[c] = pd.Series(
            [np.nan if pd.isna(v) else _category_text(v) for v in s], index=frame.index, dtype=object
        )
    return pd.DataFrame(out, index=frame.index)


def _category_text(v) -> str:
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v)


@dataclass
class Prepared:
    """A train/test split with its fitted preprocessing (see :func:`prepare`).

    Attributes
    ----------
    target : str
    numeric, categorical : list of str
        The feature columns by kind, in model input order.
    X_train, X_test : pandas.DataFrame
        Raw feature columns (numeric as float, categorical as text); the index is the
        0-based row number in the table.
    y_train, y_test : numpy.ndarray
        Target in the user's units.
    preprocessor : ColumnTransformer
        Fitted on ``X_train`` only.
    Z_train, Z_test : numpy.ndarray
        Preprocessed features (float64).
    log_target : bool
        Whether models learn ``log(target)``.
    test_size : float
    seed : int
    notes : list of str
        Rows dropped, columns dropped, and why.
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

    @property
    def features(self) -> list[str]:
        """All feature columns (numeric then categorical)."""
        return self.numeric + self.categorical

    @property
    def t_train(self) -> np.ndarray:
        """The training target as the models learn it (``log`` of it if ``log_target``)."""
        return np.log(self.y_train) if self.log_target else self.y_train

    @property
    def encoded_names(self) -> list[str]:
        """Names of the preprocessed columns (``Neighborhood_A`` for one-hot columns)."""
        return [str(n) for n in self.preprocessor.get_feature_names_out()]


def prepare(
    frame: pd.DataFrame,
    target: str,
    features: Sequence[str],
    *,
    test_size: float = 0.2,
    seed: int = 0,
    log_target: bool = False,
    categorical: Sequence[str] | None = None,
) -> Prepared:
    """Drop rows without a target, split train/test, fit the preprocessing on train only.

    Parameters
    ----------
    frame : pandas.DataFrame
    target : str
        A numeric column.
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

    Returns
    -------
    Prepared

    Raises
    ------
    TabularError
        Unknown or non-numeric target, no features, a constant target, too few rows,
        ``log_target`` with a non-positive target, no usable feature.
    """
    if target not in frame.columns:
        raise TabularError(f"There is no column '{target}' in the table.")
    notes: list[str] = []
    y_all = frame[target]
    if not _is_numeric(y_all):
        examples = ", ".join(repr(v) for v in y_all.dropna().unique()[:3])
        raise TabularError(
            f"The target '{target}' is not numeric (values like {examples}); regression needs "
            "a number to predict. Pick a numeric column as the target."
        )
    features = [f for f in features if f != target]
    missing_cols = [f for f in features if f not in frame.columns]
    if missing_cols:
        raise TabularError(f"No column(s) {', '.join(map(repr, missing_cols))} in the table.")
    if not features:
        raise TabularError("Pick at least one feature column (besides the target).")
    if not 0.05 <= float(test_size) <= 0.5:
        raise TabularError(f"The test-set size must be between 5% and 50%, got {test_size:.0%}.")
    y_all = pd.to_numeric(y_all, errors="coerce").astype(float)
    keep = np.isfinite(y_all.to_numpy())
    dropped = int((~keep).sum())
    if dropped:
        notes.append(
            f"Dropped {dropped:,} row(s) whose target '{target}' is missing; "
            f"{int(keep.sum()):,} rows remain."
        )
    rows = frame.loc[keep]
    y = y_all.to_numpy()[keep]
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
    if categorical is None:
        categorical = [f for f in features if not _is_numeric(frame[f])]
    categorical = [f for f in features if f in set(categorical)]
    numeric = [f for f in features if f not in set(categorical)]
    X = _as_model_input(rows, numeric, categorical)
    X.index = np.flatnonzero(keep)
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, test_size=float(test_size), random_state=int(seed)
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
        worst = sorted(levels, key=levels.get, reverse=True)[:3]
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
        y_train=np.asarray(y_train, dtype=float),
        y_test=np.asarray(y_test, dtype=float),
        preprocessor=pre,
        Z_train=Z_train,
        Z_test=Z_test,
        log_target=bool(log_target),
        test_size=float(test_size),
        seed=int(seed),
        notes=notes,
    )


def suggest_log_target(y: np.ndarray) -> tuple[bool, str]:
    """Whether to learn ``log(target)``, with the reason.

    Suggested when every value is positive and the distribution is right-skewed
    (sample skewness > 1): prices and sizes often are, and on a log scale a model's
    errors become relative ("10% too high") instead of absolute.

    Returns
    -------
    (bool, str)
    """
    y = np.asarray(y, dtype=float)
    y = y[np.isfinite(y)]
    if y.size < 3 or np.ptp(y) == 0:
        return False, "too few distinct values to judge"
    if np.any(y <= 0):
        return False, f"{int(np.sum(y <= 0)):,} value(s) are ≤ 0, so log is undefined"
    d = y - y.mean()
    skew = float(np.mean(d**3) / np.mean(d**2) ** 1.5)
    if skew > 1:
        return True, f"positive and right-skewed (skewness {skew:.2f} > 1)"
    return False, f"roughly symmetric (skewness {skew:.2f} ≤ 1)"


# ---------------------------------------------------------------------------------------
# Models
# ---------------------------------------------------------------------------------------


class TabularModel(RegressorMixin, BaseEstimator):
    """A fitted pipeline: preprocessing, a regressor on its output, the target transform.

    ``predict`` takes a DataFrame with the raw feature columns (as in the CSV) and
    returns predictions in the target's units, so scikit-learn tools that permute raw
    columns (permutation importance) work on it.

    Parameters
    ----------
    preprocessor : fitted ColumnTransformer (or the exported equivalent)
    regressor : object with ``predict(Z) -> ndarray``
        Learns the (possibly log-) target from the preprocessed matrix ``Z``.
    numeric, categorical : list of str
        The raw feature columns, by kind.
    log_target : bool
        The regressor predicts ``log(target)``.
    name : str
        Label shown in tables ("MLP", "ridge", ...).
    fit_seconds : float
        Wall time the regressor took to train.
    target : str or None
        Name of the target column.
    """

    def __init__(
        self,
        preprocessor=None,
        regressor=None,
        numeric: Sequence[str] = (),
        categorical: Sequence[str] = (),
        log_target: bool = False,
        name: str = "",
        fit_seconds: float = 0.0,
        target: str | None = None,
    ):
        self.preprocessor = preprocessor
        self.regressor = regressor
        self.numeric = numeric
        self.categorical = categorical
        self.log_target = log_target
        self.name = name
        self.fit_seconds = fit_seconds
        self.target = target

    @property
    def features(self) -> list[str]:
        """The raw feature columns ``predict`` reads."""
        return list(self.numeric) + list(self.categorical)

    def fit(self, X, y):  # noqa: D102 - fitted by construction (see fit_baselines)
        raise TypeError("TabularModel is built fitted: use nnkit.tabular.fit_baselines / train_mlp")

    def transform(self, X: pd.DataFrame) -> np.ndarray:
        """The preprocessed matrix of raw rows ``X``."""
        missing = [c for c in self.features if c not in X.columns]
        if missing:
            raise TabularError(f"Missing column(s) {', '.join(map(repr, missing))}.")
        Xm = _as_model_input(X, list(self.numeric), list(self.categorical))
        return np.asarray(self.preprocessor.transform(Xm), dtype=float)

    def predict(self, X: pd.DataFrame) -> np.ndarray:
        """Predictions in the target's units, one per row of ``X``."""
        from threadpoolctl import threadpool_limits

        Z = self.transform(X)
        with threadpool_limits(limits=_threads()):
            t = np.asarray(self.regressor.predict(Z), dtype=float).reshape(-1)
        return np.exp(t) if self.log_target else t


def _threads() -> int:
    """Native threads for scikit-learn's OpenMP/BLAS code: ``NNKIT_TORCH_THREADS`` or 1.

    Gradient boosting spin-waits on every core it is given; on a small shared server
    that is many times slower than one thread (see ``benchmarks/bench_tabular.py``).
    """
    try:
        n = int(os.environ.get("NNKIT_TORCH_THREADS", "1"))
    except ValueError:
        n = 1
    return max(1, min(n, os.cpu_count() or 1))


def _timed_fit(estimator, Z, t) -> float:
    from threadpoolctl import threadpool_limits

    with threadpool_limits(limits=_threads()):
        t0 = time.perf_counter()
        estimator.fit(Z, t)
        return time.perf_counter() - t0


BASELINES = ("mean", "ridge", "gradient boosting")
"""Names of the baselines :func:`fit_baselines` fits, in table order."""


def fit_baselines(data: Prepared, names: Sequence[str] = BASELINES) -> dict[str, TabularModel]:
    """Fit the reference models on ``data``'s training rows (same split, same seed).

    * ``"mean"``: predicts the mean of the training target (R² ≈ 0 on test: the floor),
    * ``"ridge"``: linear regression with an L2 penalty chosen by leave-one-out
      cross-validation among 10⁻³ … 10³ (``RidgeCV``),
    * ``"gradient boosting"``: ``HistGradientBoostingRegressor`` with scikit-learn's
      defaults, ``random_state=data.seed``.

    All learn the same target (``log`` of it when ``data.log_target``) from the same
    preprocessed matrix.

    Parameters
    ----------
    data : Prepared
    names : sequence of str
        A subset of :data:`BASELINES`.

    Returns
    -------
    dict of str to TabularModel
    """
    makers: dict[str, Callable[[], object]] = {
        "mean": lambda: DummyRegressor(strategy="mean"),
        "ridge": lambda: RidgeCV(alphas=np.logspace(-3, 3, 13)),
        "gradient boosting": lambda: HistGradientBoostingRegressor(random_state=data.seed),
    }
    out = {}
    for name in names:
        if name not in makers:
            raise ValueError(f"unknown baseline {name!r}; choose from {', '.join(BASELINES)}")
        est = makers[name]()
        seconds = _timed_fit(est, data.Z_train, data.t_train)
        out[name] = _wrap(data, est, name, seconds)
    return out


def _wrap(data: Prepared, regressor, name: str, seconds: float) -> TabularModel:
    return TabularModel(
        preprocessor=data.preprocessor,
        regressor=regressor,
        numeric=list(data.numeric),
        categorical=list(data.categorical),
        log_target=data.log_target,
        name=name,
        fit_seconds=seconds,
        target=data.target,
    )


# ---------------------------------------------------------------------------------------
# Metrics and importance
# ---------------------------------------------------------------------------------------


def regression_metrics(y_true: np.ndarray, y_pred: np.ndarray) -> dict[str, float]:
    """RMSE, MAE, R² and MAPE (in %) of predictions.

    Parameters
    ----------
    y_true, y_pred : array_like

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
    err = p - y
    sse = float(np.sum(err**2))
    sst = float(np.sum((y - y.mean()) ** 2))
    r2 = 1.0 - sse / sst if sst > 0 else float("nan")
    mape = float(np.mean(np.abs(err) / np.abs(y)) * 100) if np.all(y != 0) else float("nan")
    return {
        "RMSE": math.sqrt(sse / y.size),
        "MAE": float(np.mean(np.abs(err))),
        "R²": r2,
        "MAPE %": mape,
    }


def compare(models: Mapping[str, TabularModel], data: Prepared) -> pd.DataFrame:
    """Test-set metrics of every model, one row each (in the order given).

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


def importance(
    model: TabularModel, data: Prepared, *, n_repeats: int = 5, seed: int | None = None
) -> pd.DataFrame:
    """Permutation importance of each raw feature column on the test rows.

    The drop in test R² when one column's values are shuffled (breaking its link to the
    target), averaged over ``n_repeats`` shuffles (scikit-learn's
    ``permutation_importance``).

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


def predictions_frame(models: Mapping[str, TabularModel], data: Prepared) -> pd.DataFrame:
    """The test rows with the actual target and every model's prediction and residual.

    Returns
    -------
    pandas.DataFrame
        ``row`` (1-based data row of the table), the raw features, ``actual``, then
        ``predicted (<model>)`` and ``residual (<model>)`` (predicted − actual) per model.
    """
    out = data.X_test.copy()
    out.insert(0, "row", data.X_test.index.to_numpy() + 1)
    out["actual " + data.target] = data.y_test
    for name, model in models.items():
        p = model.predict(data.X_test)
        out[f"predicted ({name})"] = p
        out[f"residual ({name})"] = p - data.y_test
    return out.reset_index(drop=True)


def input_template(data: Prepared) -> dict[str, dict]:
    """What a "price this house" form needs per feature: kind, default and range.

    Returns
    -------
    dict
        ``{column: {"kind": "numeric", "default": median, "min": .., "max": ..,
        "integer": bool}}`` or ``{column: {"kind": "categorical", "default": most
        frequent, "options": [...]}}``, from the training rows.
    """
    out: dict[str, dict] = {}
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
        out[c] = {"kind": "categorical", "default": str(counts.index[0]), "options": sorted(map(str, counts.index))}
    return out


# ---------------------------------------------------------------------------------------
# CSV export (formula injection neutralised)
# ---------------------------------------------------------------------------------------

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def escape_formula(value):
    """Prefix a text cell that a spreadsheet would run as a formula with ``'``.

    Cells starting with ``= + - @``, a tab or a carriage return are formulas to Excel,
    LibreOffice and Google Sheets (``=cmd|' /C calc'!A0``, ``=HYPERLINK(...)``). Numbers
    are returned unchanged (a negative number is not text).
    """
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def to_csv_bytes(frame: pd.DataFrame) -> bytes:
    """The frame as UTF-8 CSV bytes, text cells and column names escaped.

    Every text cell (and header) goes through :func:`escape_formula`; numeric columns
    are written as numbers (full precision).
    """
    out = frame.copy()
    out.columns = [escape_formula(str(c)) for c in out.columns]
    for c in out.columns:
        if not _is_numeric(out[c]):
            out[c] = out[c].map(escape_formula)
    return out.to_csv(index=False, lineterminator="\r\n").encode("utf-8")


# ---------------------------------------------------------------------------------------
# The MLP (trained by nnkit.training)
# ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class MLPConfig:
    """Settings of the tabular MLP and of its training.

    Attributes
    ----------
    hidden : tuple of int, default (64, 64)
        Hidden layer widths.
    activation : str, default "silu"
        A name of :data:`nnkit.activations.ACTIVATIONS`.
    lr : float, default 1e-3
        Adam's learning rate.
    batch_size : int, default 32
    epochs : int, default 1000
        Upper bound; early stopping usually ends the run much sooner.
    patience : int, default 40
        Early stopping: epochs without a better validation loss before stopping.
    val_fraction : float, default 0.15
        Part of the *training* rows held out for the validation loss (the test rows
        are never seen during training).
    weight_decay : float, default 1e-2
        Adam's L2 penalty. With the one-hot columns of a real file (Kaggle's Ames: 278
        inputs, 1,168 training rows) it keeps the network within 0.02 R² of gradient
        boosting, where without it the gap was 0.03–0.05 (``benchmarks/bench_tabular.py``).
    max_seconds : float or None
        Time budget (capped by ``LIMITS.max_train_seconds``).
    """

    hidden: tuple[int, ...] = (64, 64)
    activation: str = "silu"
    lr: float = 1e-3
    batch_size: int = 32
    epochs: int = 1000
    patience: int = 40
    val_fraction: float = 0.15
    weight_decay: float = 1e-2
    max_seconds: float | None = None


class BestWeights:
    """Callback for :mod:`nnkit.training`: keeps a copy of the weights at the best epoch.

    "Best" is the lowest validation loss (the training loss when there is no
    validation set). Thread-safe: a page may read :meth:`best` while a
    :class:`nnkit.training.TrainingJob` trains, and after Stop it still has the best
    model seen so far.
    """

    def __init__(self):
        import threading

        self._lock = threading.Lock()
        self.loss = math.inf
        self.epoch: int | None = None
        self._state: dict | None = None

    def __call__(self, info) -> bool:
        value = info.val_loss if math.isfinite(info.val_loss) else info.train_loss
        if math.isfinite(value) and value < self.loss:
            state = {k: v.detach().clone() for k, v in info.model.state_dict().items()}
            with self._lock:
                self.loss, self.epoch, self._state = float(value), int(info.epoch), state
        return False

    def best(self) -> tuple[dict | None, int | None, float]:
        """``(state_dict copy, epoch, loss)`` of the best epoch so far (None before one)."""
        with self._lock:
            return self._state, self.epoch, self.loss


class NetRegressor:
    """A torch network on the preprocessed matrix, in the target's units.

    ``predict(Z) = y_loc + y_scale * net(Z)``: the network learns the standardised
    (possibly log-) target.

    Parameters
    ----------
    spec : dict
        ``{"in_features", "hidden", "activation"}``: rebuilt with :func:`nnkit.models.mlp`.
    state_dict : dict of str to tensor
        The weights.
    y_loc, y_scale : float
        Mean and standard deviation of the training target.
    """

    def __init__(self, spec: Mapping, state_dict: Mapping, y_loc: float, y_scale: float):
        from nnkit.models import mlp

        self.spec = {
            "in_features": int(spec["in_features"]),
            "hidden": [int(h) for h in spec["hidden"]],
            "activation": str(spec["activation"]),
        }
        self.net = mlp(self.spec["in_features"], self.spec["hidden"], 1, activation=self.spec["activation"], seed=0)
        self.net.load_state_dict(dict(state_dict))
        self.net.eval()
        self.y_loc = float(y_loc)
        self.y_scale = float(y_scale)

    def predict(self, Z: np.ndarray) -> np.ndarray:
        """Predictions (log-target units when the pipeline uses a log target)."""
        from nnkit.models import predict

        return self.y_loc + self.y_scale * predict(self.net, np.asarray(Z))[:, 0]


@dataclass
class MLPRun:
    """An MLP being trained on a :class:`Prepared` split (see :func:`mlp_trainer`).

    Attributes
    ----------
    trainer : nnkit.training.Trainer
        Run it (``trainer.run(epochs)``) or hand it to a ``TrainingJob``.
    best : BestWeights
        The callback that keeps the best weights.
    spec : dict
        Architecture (for :class:`NetRegressor`).
    y_loc, y_scale : float
        Target standardisation.
    config : MLPConfig
    """

    trainer: object
    best: BestWeights
    spec: dict
    y_loc: float
    y_scale: float
    config: MLPConfig

    def model(self, data: Prepared, state_dict: Mapping | None = None, seconds: float | None = None) -> TabularModel:
        """The fitted pipeline with the best weights so far (or ``state_dict`` if given).

        Before the first finished epoch there is no best yet: the current weights are used.
        """
        if state_dict is None:
            state_dict, _, _ = self.best.best()
        if state_dict is None:
            state_dict = {k: v.detach().clone() for k, v in self.trainer.model.state_dict().items()}
        reg = NetRegressor(self.spec, state_dict, self.y_loc, self.y_scale)
        wall = self.trainer.wall_time if seconds is None else seconds
        return _wrap(data, reg, "MLP", float(wall))


def mlp_trainer(
    data: Prepared, config: MLPConfig | None = None, *, seed: int | None = None, limits: Limits | None = None
) -> MLPRun:
    """Build nnkit's MLP and a :class:`nnkit.training.Trainer` for it, not yet run.

    The network (:func:`nnkit.models.mlp`) learns the standardised training target
    from the preprocessed matrix with Adam on mini-batches; :func:`nnkit.training`'s
    loop holds out ``config.val_fraction`` of the training rows as the validation set,
    :class:`nnkit.training.EarlyStopping` ends the run after ``config.patience`` epochs
    without improvement and :class:`BestWeights` keeps the best weights.

    Parameters
    ----------
    data : Prepared
    config : MLPConfig, optional
    seed : int, optional
        Default ``data.seed``: the weights, the validation split and the batch order.
    limits : Limits, optional
        Caps on the run (default: none).

    Returns
    -------
    MLPRun
    """
    from nnkit.models import mlp
    from nnkit.training import EarlyStopping, supervised_trainer

    config = config or MLPConfig()
    seed = data.seed if seed is None else int(seed)
    t = data.t_train
    y_loc, y_scale = float(np.mean(t)), float(np.std(t))
    if not y_scale > 0:
        y_scale = 1.0
    spec = {"in_features": int(data.Z_train.shape[1]), "hidden": list(config.hidden), "activation": config.activation}
    net = mlp(spec["in_features"], spec["hidden"], 1, activation=config.activation, seed=seed)
    best = BestWeights()
    trainer = supervised_trainer(
        net,
        data.Z_train,
        (t - y_loc) / y_scale,
        optimizer="adam",
        lr=config.lr,
        weight_decay=config.weight_decay,
        batch_size=config.batch_size,
        val_fraction=config.val_fraction,
        seed=seed,
        callbacks=[best, EarlyStopping(patience=config.patience)],
        max_seconds=config.max_seconds,
        limits=limits,
    )
    return MLPRun(trainer, best, spec, y_loc, y_scale, config)


def train_mlp(data: Prepared, config: MLPConfig | None = None, *, seed: int | None = None):
    """Train the MLP to the end (early stopping, epoch or time cap) and keep the best epoch.

    Parameters
    ----------
    data : Prepared
    config : MLPConfig, optional
    seed : int, optional

    Returns
    -------
    model : TabularModel
        Named "MLP"; ``fit_seconds`` is the training wall time.
    result : nnkit.training.TrainResult
        History (training and validation loss per epoch, on the standardised target),
        stop reason.
    """
    run = mlp_trainer(data, config, seed=seed)
    result = run.trainer.run((config or MLPConfig()).epochs)
    return run.model(data), result


# ---------------------------------------------------------------------------------------
# Export / load of a fitted MLP pipeline (one JSON file, numbers only)
# ---------------------------------------------------------------------------------------

FORMAT = "nnkit-tabular-model"
FORMAT_VERSION = 1
_MAX_LAYERS = 16
_MAX_WIDTH = 4096
_MAX_PARAMS = 5_000_000


class _ExportedPreprocessor:
    """The ColumnTransformer of :func:`make_preprocessor`, rebuilt from its parameters."""

    def __init__(self, numeric: list[dict], categorical: list[dict]):
        self.numeric = numeric
        self.categorical = categorical

    def transform(self, X: pd.DataFrame) -> np.ndarray:
        blocks = []
        if self.numeric:
            A = np.column_stack([X[c["name"]].to_numpy(dtype=float) for c in self.numeric])
            med = np.array([c["median"] for c in self.numeric])
            A = np.where(np.isnan(A), med, A)
            A -= np.array([c["mean"] for c in self.numeric])
            A /= np.array([c["scale"] for c in self.numeric])
            A = np.clip(A, np.array([c["lo"] for c in self.numeric]), np.array([c["hi"] for c in self.numeric]))
            blocks.append(A)
        for c in self.categorical:
            values = X[c["name"]].to_numpy(dtype=object)
            values = np.array([MISSING_CATEGORY if _missing(v) else v for v in values], dtype=object)
            cats = np.array(c["categories"], dtype=object)
            blocks.append((values[:, None] == cats[None, :]).astype(float))
        return np.hstack(blocks) if blocks else np.zeros((len(X), 0))


def _missing(v) -> bool:
    return v is None or (isinstance(v, float) and math.isnan(v))


def _preprocessing_params(pre) -> tuple[list[dict], list[dict]]:
    if isinstance(pre, _ExportedPreprocessor):
        return pre.numeric, pre.categorical
    numeric, categorical = [], []
    for name, transformer, cols in pre.transformers_:
        if name == "num":
            med = transformer.named_steps["impute"].statistics_
            sc = transformer.named_steps["scale"]
            clip = transformer.named_steps["clip"]
            for c, m, mu, s, lo, hi in zip(cols, med, sc.mean_, sc.scale_, clip.lo_, clip.hi_, strict=True):
                numeric.append(
                    {
                        "name": str(c),
                        "median": float(m),
                        "mean": float(mu),
                        "scale": float(s),
                        "lo": float(lo),
                        "hi": float(hi),
                    }
                )
        elif name == "cat":
            ohe = transformer.named_steps["onehot"]
            for c, cats in zip(cols, ohe.categories_, strict=True):
                categorical.append({"name": str(c), "categories": [str(v) for v in cats]})
    return numeric, categorical


def export_model(model: TabularModel, *, metrics: Mapping[str, float] | None = None) -> bytes:
    """The fitted MLP pipeline as one JSON file (UTF-8 bytes).

    The file holds numbers and names only: per numeric column its median (imputation),
    mean and scale (standardisation) and training range (clipping); per categorical column its categories (one-hot
    order); the network's architecture, weights (float32 values written exactly) and
    target standardisation; the target's name and whether it is log-transformed.
    Nothing in it is executable: :func:`load_model` reads it with ``json`` and checks
    every field.

    Parameters
    ----------
    model : TabularModel
        With a :class:`NetRegressor` (the MLP from :func:`train_mlp`).
    metrics : mapping, optional
        Test metrics to record beside the model (informational).

    Returns
    -------
    bytes
    """
    reg = model.regressor
    if not isinstance(reg, NetRegressor):
        raise TypeError("only the MLP pipeline can be exported (baselines are cheap to refit)")
    numeric, categorical = _preprocessing_params(model.preprocessor)
    weights = {
        k: {"shape": list(v.shape), "data": v.detach().cpu().numpy().astype(np.float64).ravel().tolist()}
        for k, v in reg.net.state_dict().items()
    }
    doc = {
        "format": FORMAT,
        "version": FORMAT_VERSION,
        "target": getattr(model, "target", None),
        "log_target": bool(model.log_target),
        "numeric": numeric,
        "categorical": categorical,
        "network": {
            **reg.spec,
            "y_loc": reg.y_loc,
            "y_scale": reg.y_scale,
            "weights": weights,
        },
        "metrics": {k: float(v) for k, v in (metrics or {}).items()},
    }
    return json.dumps(doc, allow_nan=False, separators=(",", ":")).encode("utf-8")


def _need(cond: bool, what: str) -> None:
    if not cond:
        raise TabularError(f"This is not a valid nnkit model file: {what}.")


def _finite(x) -> bool:
    return isinstance(x, (int, float)) and not isinstance(x, bool) and math.isfinite(x)


def load_model(source: bytes | str | os.PathLike, *, limits: Limits | None = None) -> TabularModel:
    """Load a pipeline written by :func:`export_model`, ready to ``predict``.

    Safe on untrusted files: the bytes are parsed as JSON (no pickle, no code), every
    field is type- and range-checked, the network is rebuilt with
    :func:`nnkit.models.mlp` and its weights must match the architecture's shapes
    exactly.

    Parameters
    ----------
    source : bytes or path
    limits : Limits, optional
        ``max_upload_mb`` caps the file size.

    Returns
    -------
    TabularModel
        ``predict(frame)`` gives the same numbers as the exported model.

    Raises
    ------
    TabularError
        Not JSON, wrong format or version, missing or malformed fields.
    """
    from nnkit import activations
    from nnkit._torch import torch

    limits = limits or Limits()
    data = _read_source(source, limits)
    try:
        doc = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as err:
        raise TabularError("This is not a valid nnkit model file: it is not JSON.") from err
    except RecursionError as err:  # e.g. 200,000 nested '[': json recurses per level
        raise TabularError(
            "This is not a valid nnkit model file: it is nested far too deeply."
        ) from err
    _need(isinstance(doc, dict) and doc.get("format") == FORMAT, f"'format' is not {FORMAT!r}")
    _need(doc.get("version") == FORMAT_VERSION, f"unsupported version {doc.get('version')!r}")
    numeric, categorical = doc.get("numeric"), doc.get("categorical")
    _need(isinstance(numeric, list) and isinstance(categorical, list), "columns missing")
    for c in numeric:
        _need(isinstance(c, dict) and isinstance(c.get("name"), str), "bad numeric column")
        _need(
            all(_finite(c.get(k)) for k in ("median", "mean", "scale", "lo", "hi")),
            f"bad numbers for {c.get('name')!r}",
        )
        _need(c["scale"] != 0 and c["lo"] <= c["hi"], f"bad scale or range for {c['name']!r}")
    for c in categorical:
        _need(isinstance(c, dict) and isinstance(c.get("name"), str), "bad categorical column")
        cats = c.get("categories")
        _need(isinstance(cats, list) and all(isinstance(v, str) for v in cats), f"bad categories for {c['name']!r}")
    names = [c["name"] for c in numeric + categorical]
    _need(len(set(names)) == len(names) and names, "duplicate or no columns")
    net = doc.get("network")
    _need(isinstance(net, dict), "no network")
    hidden = net.get("hidden")
    _need(
        isinstance(hidden, list)
        and len(hidden) <= _MAX_LAYERS
        and all(isinstance(h, int) and not isinstance(h, bool) and 1 <= h <= _MAX_WIDTH for h in hidden),
        "bad hidden layers",
    )
    n_in = len(numeric) + sum(len(c["categories"]) for c in categorical)
    _need(net.get("in_features") == n_in, "input size does not match the columns")
    _need(net.get("activation") in activations.ACTIVATIONS, "unknown activation")
    _need(_finite(net.get("y_loc")) and _finite(net.get("y_scale")), "bad target scaling")
    sizes = [n_in, *hidden, 1]
    _need(sum(a * b + b for a, b in zip(sizes[:-1], sizes[1:], strict=True)) <= _MAX_PARAMS, "network too large")
    weights = net.get("weights")
    _need(isinstance(weights, dict), "no weights")
    from nnkit.models import mlp

    template = mlp(n_in, hidden, 1, activation=net["activation"], seed=0).state_dict()
    _need(set(weights) == set(template), "weights do not match the architecture")
    state = {}
    for k, ref in template.items():
        w = weights[k]
        _need(isinstance(w, dict) and w.get("shape") == list(ref.shape), f"shape of {k}")
        values = w.get("data")
        _need(isinstance(values, list) and len(values) == ref.numel(), f"size of {k}")
        arr = np.asarray(values, dtype=np.float64)
        _need(bool(np.all(np.isfinite(arr))), f"non-finite weights in {k}")
        state[k] = torch.from_numpy(arr.astype(np.float32).reshape(ref.shape))
    reg = NetRegressor(
        {"in_features": n_in, "hidden": hidden, "activation": net["activation"]},
        state,
        net["y_loc"],
        net["y_scale"],
    )
    model = TabularModel(
        preprocessor=_ExportedPreprocessor(numeric, categorical),
        regressor=reg,
        numeric=[c["name"] for c in numeric],
        categorical=[c["name"] for c in categorical],
        log_target=bool(doc.get("log_target")),
        name="MLP (loaded)",
        target=doc.get("target") if isinstance(doc.get("target"), str) else None,
    )
    return model
