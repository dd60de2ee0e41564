"""A file over the upload cap, through the real browser: refused before it reaches the
page, with a message, and the page keeps working (issue 11).

AppTest hands files straight to the page (``tests/app/test_hostile_inputs.py`` checks the
page's own caps there); only a browser goes through Streamlit's ``server.maxUploadSize``.
"""

from __future__ import annotations

import re
import tomllib

import pytest

from nnkit.ui.course import LECTURES
from tests.e2e.browser import settle
from tests.e2e.conftest import ROOT, page_url, wait_for_script

pytestmark = pytest.mark.e2e

PAGES = [
    p.path
    for lecture in LECTURES
    for p in lecture.pages
    if "file_uploader" in (ROOT / p.path).read_text(encoding="utf-8")
]
MAX_MB = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())["server"]["maxUploadSize"]


@pytest.fixture(scope="module")
def big_file(tmp_path_factory):
    """A 50 MB CSV (written once; Playwright refuses in-memory buffers above 50 MB)."""
    path = tmp_path_factory.mktemp("big") / "big.csv"
    with path.open("wb") as f:
        f.write(b"a,b\n")
        chunk = b"1,2\n" * 262_144  # 1 MiB
        for _ in range(50):
            f.write(chunk)
    return path


def _appears(locator, timeout_ms: float) -> bool:
    """The locator's first element is in the page within ``timeout_ms`` (widgets render
    after the script's first deltas; a loaded machine takes seconds)."""
    try:
        locator.first.wait_for(state="attached", timeout=timeout_ms)
    except Exception:  # noqa: BLE001 - Playwright's TimeoutError: not there
        return False
    return True


@pytest.mark.parametrize("path", PAGES)
def test_a_file_over_the_cap_is_refused_with_a_message(server_url, page, big_file, path):
    assert big_file.stat().st_size > MAX_MB * 2**20
    page.goto(page_url(server_url, path))
    wait_for_script(page, new_page=True)
    inputs = page.locator('[data-testid="stFileUploader"] input[type="file"]')
    # the page has settled: an uploader not drawn by now is behind a choice such as
    # "a CSV file": pick it
    settle(page)
    if not inputs.count():
        choice = page.locator('[data-testid="stRadio"] label').filter(
            has_text=re.compile("csv|upload", re.I)
        )
        if choice.count():
            choice.first.click()
            wait_for_script(page)
    # every page here calls st.file_uploader: not finding it is a failure, not a skip
    assert _appears(inputs, 30_000), f"{path}: no uploader in the browser"
    before = page.locator('[data-testid="stMain"]').inner_text()
    inputs.first.set_input_files(str(big_file))
    uploader = page.locator('[data-testid="stFileUploader"]').first
    # Streamlit's own message, e.g. "File must be 5.0MB or smaller."
    uploader.get_by_text("or smaller").first.wait_for(timeout=30_000)
    text = uploader.inner_text()
    assert "big.csv" in text and "File must be" in text, text
    wait_for_script(page)
    assert page.locator('[data-testid="stException"]').count() == 0
    # The file never reached the page: it still shows what it showed before.
    after = page.locator('[data-testid="stMain"]').inner_text()
    assert "big.csv:" not in after and "cannot be used" not in after
    assert before.splitlines()[0] == after.splitlines()[0]
