"""Downloads never carry a spreadsheet formula-injection payload unescaped.

A cell that starts with ``= + - @``, a tab or a carriage return is run as a formula by
Excel, LibreOffice and Google Sheets when the CSV is opened (``=cmd|' /C calc'!A0``,
``=HYPERLINK(...)``). The CSV export (:func:`nnkit.tabular.to_csv_bytes`) must prefix
such text cells with ``'``; the page tests upload a CSV whose text cells and headers are
payloads and read back every CSV download the page offers.
"""

from __future__ import annotations

import csv
import io
import math

import pandas as pd
import pytest
from streamlit.runtime.media_file_manager import MediaFileManager

from nnkit import tabular
from nnkit.ui.course import LECTURES
from tests.app.conftest import ROOT, assert_no_exception
from tests.app.test_hostile_inputs import choose, find, reveal

PAYLOADS = [
    "=cmd|' /C calc'!A0",
    '=HYPERLINK("http://example.invalid","click")',
    "+1+1",
    "-2+3",
    "@SUM(A1:A2)",
    "\t=1+1",
    "\r=1+1",
    "=1+1",
]
DANGEROUS = ("=", "+", "-", "@", "\t", "\r")


def _is_number(cell: str) -> bool:
    try:
        return math.isfinite(float(cell)) or cell.lower() in ("nan", "inf", "-inf")
    except ValueError:
        return False


def assert_escaped(data: bytes, what: str) -> int:
    """Every cell a spreadsheet would run is escaped; returns how many payloads were seen."""
    seen = 0
    for r, row in enumerate(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline=""))):
        for cell in row:
            if cell.startswith("'") and cell[1:].startswith(DANGEROUS):
                seen += 1
            assert not (cell.startswith(DANGEROUS) and not _is_number(cell)), (
                f"{what}: row {r} carries an unescaped formula cell {cell!r}"
            )
    return seen


# ------------------------------------------------------------------------------ nnkit


def test_to_csv_bytes_escapes_every_payload_prefix():
    frame = pd.DataFrame(
        {
            "name": PAYLOADS,
            "mixed": [1.5, "=2+2", -3, "@x", None, "+", "-", "plain"],
            "value": [-1.0, 2.0, -3.5, 4.0, 5.0, -6.0, 7.0, 8.0],
            '=HYPERLINK("x")': ["a"] * 8,
            "+header": range(8),
        }
    )
    data = tabular.to_csv_bytes(frame)
    seen = assert_escaped(data, "to_csv_bytes")
    assert seen >= len(PAYLOADS) + 4 + 2  # name column, the mixed column's texts, both headers
    back = pd.read_csv(io.BytesIO(data))
    # Escaping adds one quote and changes nothing else: text round-trips, numbers stay numbers.
    assert list(back["name"]) == ["'" + p for p in PAYLOADS]
    assert back["value"].tolist() == frame["value"].tolist()
    assert list(back.columns[-2:]) == ['\'=HYPERLINK("x")', "'+header"]
    assert back["mixed"].tolist()[-1] == "plain"


def test_escape_formula_leaves_numbers_and_plain_text():
    assert tabular.escape_formula(-3.5) == -3.5
    assert tabular.escape_formula("plain") == "plain"
    for p in PAYLOADS:
        assert tabular.escape_formula(p) == "'" + p


# ------------------------------------------------------------------------------ pages


@pytest.fixture
def captured_downloads(monkeypatch):
    """Bytes handed to Streamlit's media manager (download buttons), with their mime type."""
    got: list[tuple[bytes, str, str]] = []
    original = MediaFileManager.add

    def add(
        self, path_or_data, mimetype, coordinates, file_name=None, is_for_static_download=False
    ):
        if isinstance(path_or_data, bytes | str):
            data = path_or_data.encode() if isinstance(path_or_data, str) else path_or_data
            got.append((data, mimetype, file_name or ""))
        return original(
            self, path_or_data, mimetype, coordinates, file_name, is_for_static_download
        )

    monkeypatch.setattr(MediaFileManager, "add", add)
    return got


def payload_csv(n: int = 120) -> bytes:
    rows = ['area,rooms,@label,=HYPERLINK("x"),price']
    for i in range(n):
        p = PAYLOADS[i % len(PAYLOADS)].replace("\r", "").replace('"', "")
        rows.append(
            f'{50 + i},{1 + i % 5},"{p}",{PAYLOADS[(i + 3) % 4][:3]!s}x,{1000 + 7 * i + (i % 5) * 50}'
        )
    return ("\n".join(rows) + "\n").encode()


# Pages that offer a download at all (a page without one has nothing to escape).
PAGES = [
    p.path
    for lecture in LECTURES
    for p in lecture.pages
    if "download_button" in (ROOT / p.path).read_text(encoding="utf-8")
]


def test_some_page_offers_a_download():
    assert PAGES, "no page offers a download: this file tests nothing"


@pytest.mark.parametrize("path", PAGES)
def test_page_csv_downloads_are_escaped(app_page, captured_downloads, path):
    """Upload payload cells wherever the page takes a CSV; every CSV it offers is escaped."""
    at = app_page(path).run()
    assert_no_exception(at)
    uploaders = [w for w in at.get("file_uploader") if "csv" in " ".join(w.allowed_type)]
    if not uploaders:
        for kind, wid, i in reveal(at):
            choose(find(at, kind, wid), i)
            at.run()
            uploaders = [w for w in at.get("file_uploader") if "csv" in " ".join(w.allowed_type)]
            if uploaders:
                break
    csv_downloads = 0
    for w in uploaders:
        captured_downloads.clear()
        w.set_value(("payload.csv", payload_csv(), "text/csv"))
        at.run()
        assert_no_exception(at)
        for data, mime, name in captured_downloads:
            if "csv" in mime or name.endswith(".csv"):
                assert_escaped(data, f"{path} {name}")
                assert (
                    b"'=cmd" in data or b"'=HYPERLINK" in data or b"'@" in data or b"'+" in data
                ), f"{path} {name}: the uploaded payload cells are not in the download"
                csv_downloads += 1
    if not csv_downloads:
        pytest.skip(f"{path} offers no CSV download of uploaded data")
