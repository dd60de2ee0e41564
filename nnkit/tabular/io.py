"""Reading a CSV as data (never executed, never unpickled) and writing one safely.

:func:`load_csv` detects what a spreadsheet export can throw at a student — the
delimiter (comma, semicolon, tab), a decimal comma, the encoding (UTF-8 with or without
BOM, UTF-16, else Windows-1252/Latin-1), a binary file renamed ``.csv`` (Excel, zip,
PDF, pickle, ...), ragged rows, duplicate or blank column names — and says what to
change in a :class:`TabularError`. The rows are split by :mod:`csv` (which knows the
line numbers the messages quote); typing the cells is pandas' job
(``Series.str``, :func:`pandas.to_numeric`). :func:`to_csv_bytes` writes a table with
spreadsheet formula injection neutralised.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from nnkit._text import counted, noun
from nnkit.limits import Limits

__all__ = [
    "DELIMITERS",
    "MISSING_TOKENS",
    "NONE_TOKENS",
    "LoadedTable",
    "TabularError",
    "escape_formula",
    "is_numeric",
    "load_csv",
    "read_source",
    "to_csv_bytes",
]

Source = bytes | bytearray | memoryview | str | os.PathLike[str]
"""What :func:`load_csv` reads: the file's bytes or a path."""


class TabularError(ValueError):
    """A problem with the user's table, with a message meant for the user.

    The message says what is wrong and what to change; pages show it as is.
    """


DELIMITERS: dict[str, str] = {",": "comma", ";": "semicolon", "\t": "tab"}
"""Delimiters :func:`load_csv` recognises, with the names used in messages."""

MISSING_TOKENS = frozenset(
    {"", "na", "n/a", "nan", "null", "none", "-", "?", "#n/a", "missing", "<na>", "nat"}
)
"""Cell texts read as a missing value (after stripping; in lower, UPPER or Title case)."""

NONE_TOKENS = frozenset({"NA", "None", "none"})
"""Texts that mean "none" (no alley, no pool) in a column of other text labels: there they
are kept as a category of their own instead of being read as missing."""

_MISSING_CASED = frozenset(
    v
    for t in MISSING_TOKENS
    for v in (t, t.upper(), t.title(), t.capitalize(), t.replace("n/a", "N/a"))
) | {"NaN", "NaT", "#N/A", "N/A", "<NA>"}

# (magic prefix, what it is). Checked before any decoding.
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
_EMPTY = "The file is empty. Upload a CSV with a header row and data rows."


@dataclass
class LoadedTable:
    """A CSV read by :func:`load_csv`.

    Attributes
    ----------
    frame : pandas.DataFrame
        One column per CSV column: ``float64`` where every non-missing cell is a number,
        else ``object`` holding the stripped cell texts; missing cells are ``NaN``.
    delimiter : str
        The delimiter found (comma, semicolon or tab).
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


def is_numeric(s: pd.Series) -> bool:
    """Whether a column holds numbers (booleans do not count).

    Parameters
    ----------
    s : pandas.Series
        A column.

    Returns
    -------
    bool
    """
    return bool(pd.api.types.is_numeric_dtype(s) and not pd.api.types.is_bool_dtype(s))


def _too_big(size: float, limits: Limits) -> TabularError:
    return TabularError(
        f"The file is {size / 2**20:.1f} MB; the limit is {limits.max_upload_mb:g} MB. Upload "
        "a sample of its rows, or raise NNKIT_MAX_UPLOAD_MB on your own machine."
    )


def read_source(source: Source, limits: Limits) -> bytes:
    """The bytes of ``source`` (a copy), refusing more than ``limits.max_upload_mb``.

    Parameters
    ----------
    source : bytes or path
        The file's bytes or a path; a path is checked for size before it is read.
    limits : Limits
        Supplies ``max_upload_mb``.

    Returns
    -------
    bytes

    Raises
    ------
    TabularError
        No such file, or too large.
    """
    cap = limits.max_upload_mb * 2**20  # math.inf: no cap
    if isinstance(source, bytes | bytearray | memoryview):
        data = bytes(source)  # a copy: the caller's buffer is never touched
    else:
        path = Path(source)
        if not path.is_file():
            raise TabularError(f"No file at {path}.")
        if path.stat().st_size > cap:
            raise _too_big(path.stat().st_size, limits)
        data = path.read_bytes()
    if len(data) > cap:
        raise _too_big(len(data), limits)
    return data


def _decode(data: bytes) -> tuple[str, str, list[str]]:
    """Text, encoding name and notes; raises on binary content."""
    if not data.strip():
        raise TabularError(_EMPTY)
    for magic, what in _MAGIC:
        if data.startswith(magic):
            raise TabularError(f"This is not a CSV file: it is {what}. {_SAVE_AS_CSV}")
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
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
    try:
        text, name = data.decode("cp1252"), "Windows-1252"
    except UnicodeDecodeError:  # bytes cp1252 leaves undefined (0x81, 0x8d, ...)
        text, name = data.decode("latin-1"), "Latin-1"
    return (
        text,
        name,
        [
            f"The file is not UTF-8 (first non-UTF-8 {where}); it was read as {name}. "
            "If accented letters look wrong, save it as CSV UTF-8 and upload again."
        ],
    )


def _sniff_delimiter(text: str) -> str:
    """The delimiter that splits the first lines into the most, equally long rows."""
    lines = [ln for ln in text[:65536].splitlines()[:60] if ln.strip()]
    best, best_score = ",", (-1.0, 0)
    for delim in DELIMITERS:
        counts = [len(r) for r in csv.reader(lines, delimiter=delim) if r]
        if not counts:
            continue
        consistent = sum(c == counts[0] for c in counts) / len(counts)
        score = (consistent if counts[0] > 1 else 0.0, counts[0])
        if score > best_score:
            best, best_score = delim, score
    return best


_NUM_DOT = r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?"
_NUM_COMMA = r"[+-]?(\d{1,3}(\.\d{3})+|\d+)?,\d+"
_THOUSANDS_COMMA = r"[+-]?\d{1,3}(,\d{3})+(\.\d+)?"
_THOUSANDS_DOT = r"[+-]?\d{1,3}(\.\d{3})+(,\d+)?"


def _sniff_decimal(frame: pd.DataFrame, delimiter: str) -> str:
    """``","`` when some cells are decimal-comma numbers and none a decimal-point one."""
    if delimiter == ",":
        return "."
    cells = pd.concat([frame[c].head(500) for c in frame.columns], ignore_index=True).str.strip()
    cells = cells[cells.str.contains(r"[.,]", regex=True)]
    comma = cells.str.fullmatch(_NUM_COMMA)
    dot = ~comma & cells.str.fullmatch(_NUM_DOT) & ~cells.str.fullmatch(_THOUSANDS_DOT)
    return "," if comma.any() and not dot.any() else "."


def _parse(cells: pd.Series, decimal: str) -> np.ndarray:
    """Cell texts as floats (NaN where not a number), decimal comma and thousands handled."""
    if decimal == ",":
        # A decimal comma is chosen only if no cell uses a decimal point, so every point
        # here separates thousands ("1.234,5").
        cells = cells.str.replace(".", "", regex=False).str.replace(",", ".", regex=False)
    else:
        thousands = cells.str.fullmatch(_THOUSANDS_COMMA)
        cells = cells.where(~thousands, cells.str.replace(",", "", regex=False))
    return pd.to_numeric(cells, errors="coerce").to_numpy(dtype=float)


def _to_column(
    cells: pd.Series, decimal: str, name: str, notes: list[str], kept: dict[str, int]
) -> pd.Series:
    """A float64 column when (almost) every cell is a number, else object of texts."""
    stripped = cells.str.strip()
    missing = stripped.isin(_MISSING_CASED).to_numpy()
    texts = stripped.where(~missing, np.nan)
    present = stripped[~missing]
    if present.empty:
        return pd.Series(np.full(len(cells), np.nan))
    sample = _parse(present.head(200), decimal)  # text columns: known without parsing all
    if np.isfinite(sample).sum() < 0.9 * len(sample):
        return _texts(stripped, missing, name, kept)
    numbers = np.full(len(cells), np.nan)
    numbers[~missing] = _parse(present, decimal)
    parsed, infinite = int(np.isfinite(numbers).sum()), int(np.isinf(numbers).sum())
    if parsed == len(present):
        return pd.Series(numbers)
    finite = pd.Series(np.where(np.isfinite(numbers), numbers, np.nan))
    if parsed + infinite == len(present) and parsed > 0:
        notes.append(f"Column '{name}': {counted(infinite, 'infinite value')} read as missing.")
        return finite
    if parsed >= 10 and parsed >= 0.98 * len(present):
        bad = texts[~missing & ~np.isfinite(numbers)].tolist()
        shown = ", ".join(repr(b[:20]) for b in bad[:3])
        notes.append(
            f"Column '{name}': {counted(len(bad), 'value')} that {noun(len(bad), 'is', 'are')} "
            f"not {noun(len(bad), 'a number', 'numbers')} ({shown}) read as missing."
        )
        return finite
    return _texts(stripped, missing, name, kept)


def _texts(stripped: pd.Series, missing: np.ndarray, name: str, kept: dict[str, int]) -> pd.Series:
    """A text column; ``NA``/``None`` beside other labels are kept as a category (counted in ``kept``)."""
    none = stripped.isin(NONE_TOKENS).to_numpy()
    if none.any():
        kept[name] = int(none.sum())
        missing = missing & ~none
    return stripped.where(~missing, np.nan)


def _kept_note(kept: dict[str, int]) -> str:
    shown = ", ".join(f"'{c}' ({n:,})" for c, n in list(kept.items())[:6])
    more = f" and {len(kept) - 6} more" if len(kept) > 6 else ""
    return (
        f"Cells that say NA or None in text {noun(len(kept), 'column')} {shown}{more} are kept as a category "
        "of their own, not read as missing: beside other text labels, files in this style "
        "write NA for 'none' (no alley, no pool). Missing cells elsewhere are still missing."
    )


def _lines(numbers: list[int]) -> str:
    return ", ".join(str(i) for i in numbers[:5]) + (" ..." if len(numbers) > 5 else "")


def _split_rows(
    text: str, delimiter: str, limits: Limits
) -> tuple[list[str], list[list[str]], list[int], list[int]]:
    """Header, rows cut or padded to its width, and the line numbers of long and short rows."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    header: list[str] | None = None
    rows: list[list[str]] = []
    long_lines: list[int] = []
    short_lines: list[int] = []
    try:
        for row in reader:
            if not any(c.strip() for c in row):
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
        raise TabularError(_EMPTY)
    return header, rows, long_lines, short_lines


def _column_names(header: list[str], notes: list[str]) -> list[str]:
    """Stripped names; blank -> ``column_<k>``, duplicates -> ``"name (2)"``, with notes."""
    seen: dict[str, int] = {}
    final: list[str] = []
    for k, raw in enumerate(header, start=1):
        name = raw.strip()
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
    return final


def load_csv(source: Source, *, limits: Limits | None = None, min_columns: int = 2) -> LoadedTable:
    """Read a CSV file as data (never executed, never unpickled).

    Parameters
    ----------
    source : bytes or path
        The file's bytes (e.g. from an upload) or a path. Bytes are copied, never
        modified.
    limits : Limits, optional
        Caps on size (``max_upload_mb``), rows (``max_rows``) and columns
        (``max_columns``); default: none.
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
    ``" (2)"``, blank ones a name ``column_<k>``; both are reported. In a text column,
    cells that say ``NA`` or ``None`` (:data:`NONE_TOKENS`) beside other labels are kept
    as a category of their own (reported): files in this style mean "none" by it.
    """
    limits = limits or Limits()
    data = read_source(source, limits)
    sha = hashlib.sha256(data).hexdigest()
    text, encoding, notes = _decode(data)
    sample = text[:20000]
    if sum(1 for ch in sample if ord(ch) < 32 and ch not in "\t\r\n") > 0.01 * len(sample):
        raise TabularError(
            "This does not look like a text file (it is full of control characters). "
            + _SAVE_AS_CSV
        )
    delimiter = _sniff_delimiter(text)
    header, rows, long_lines, short_lines = _split_rows(text, delimiter, limits)
    if len(header) < min_columns:
        raise TabularError(
            f"The file has only {len(header)} column ({header[0].strip()!r}); at least "
            f"{min_columns} are needed (a target and a feature). If it has more, check the "
            "delimiter: nnkit recognises comma, semicolon and tab."
        )
    total = len(rows) + len(long_lines)
    if not rows:
        raise TabularError(
            "The file has a header but no data rows."
            if not long_lines
            else f"Every data row has more fields than the header ({len(header)}): check the "
            "delimiter and the quoting."
        )
    if long_lines:
        if len(long_lines) > 0.1 * total:
            raise TabularError(
                f"{len(long_lines):,} of {total:,} rows have more fields than the header "
                f"({len(header)}), e.g. {noun(len(long_lines), 'line')} {_lines(long_lines)}. A value containing the "
                "delimiter must be in double quotes; fix those lines and upload again."
            )
        notes.append(
            f"Skipped {counted(len(long_lines), 'row')} with more fields than the header "
            f"({len(header)}): {noun(len(long_lines), 'line')} {_lines(long_lines)}."
        )
    if short_lines:
        notes.append(
            f"{counted(len(short_lines), 'row')} had fewer fields than the header; the missing "
            f"cells were read as missing values: {noun(len(short_lines), 'line')} "
            f"{_lines(short_lines)}."
        )
    names = _column_names(header, notes)
    cells = pd.DataFrame(rows, columns=range(len(names)), dtype=object)
    decimal = _sniff_decimal(cells, delimiter)
    kept: dict[str, int] = {}
    frame = pd.DataFrame(
        {name: _to_column(cells[k], decimal, name, notes, kept) for k, name in enumerate(names)}
    )
    if kept:
        notes.append(_kept_note(kept))
    return LoadedTable(frame, delimiter, decimal, encoding, len(data), sha, notes)


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def escape_formula(value: Any) -> Any:
    """Prefix a text cell that a spreadsheet would run as a formula with ``'``.

    Cells starting with ``= + - @``, a tab or a carriage return are formulas to Excel,
    LibreOffice and Google Sheets (``=cmd|' /C calc'!A0``, ``=HYPERLINK(...)``). Numbers
    are returned unchanged (a negative number is not text).

    Parameters
    ----------
    value : object
        A cell.

    Returns
    -------
    object
        The cell, escaped if it is such a text.
    """
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def to_csv_bytes(frame: pd.DataFrame) -> bytes:
    """The frame as UTF-8 CSV bytes, text cells and column names escaped.

    Every text cell (and header) goes through :func:`escape_formula`; numeric columns
    are written as numbers (full precision).

    Parameters
    ----------
    frame : pandas.DataFrame
        Any table (e.g. :func:`~nnkit.tabular.predictions_frame`).

    Returns
    -------
    bytes
    """
    out = frame.copy()
    out.columns = [escape_formula(str(c)) for c in out.columns]
    for c in out.columns:
        if not is_numeric(out[c]):
            out[c] = out[c].map(escape_formula)
    return out.to_csv(index=False, lineterminator="\r\n").encode("utf-8")
