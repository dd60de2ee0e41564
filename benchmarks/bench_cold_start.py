"""The app's cold start, and what the home page costs to import.

* Cold start: seconds from launching ``streamlit run app.py`` until the home page has
  rendered in headless Chromium (script finished, title on screen); median of 5.
  Peer: the same measurement for a one-line Streamlit app (``st.title``), i.e. what
  Streamlit itself costs on this machine. Goal: under 3 s.
* Import time of the home page's modules (streamlit + the course map) in a fresh
  interpreter, beside the same plus ``import torch``: what keeping torch out of the
  home page's import path saves.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks import Row
from tests.e2e.browser import (
    CHROMIUM,
    CHROMIUM_ARGS,
    ROOT,
    free_port,
    stop,
    wait_for_script,
)
from tests.e2e.browser import start_streamlit as _start

REPEAT = 5


def _cold_start(script: str, cwd: Path, heading: str) -> float:
    """Seconds from process launch to the rendered page, in a fresh browser page."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        port = free_port()
        t0 = time.perf_counter()
        proc = _start(port, script=script, cwd=cwd)
        try:
            page = browser.new_page()
            url = f"http://127.0.0.1:{port}/"
            while True:  # poll until the server accepts the connection
                try:
                    page.goto(url, timeout=2000)
                    break
                except Exception:
                    if proc.poll() is not None or time.perf_counter() - t0 > 60:
                        raise
                    time.sleep(0.02)
            wait_for_script(page, new_page=True)
            page.get_by_role("heading", name=heading).wait_for()
            elapsed = time.perf_counter() - t0
        finally:
            stop(proc)
            browser.close()
    return elapsed


def _import_time(code: str) -> float:
    """Median seconds for a fresh interpreter to run ``code`` (imports), minus bare start-up."""

    def once(c: str) -> float:
        t0 = time.perf_counter()
        subprocess.run([sys.executable, "-c", c], cwd=ROOT, check=True)
        return time.perf_counter() - t0

    bare = statistics.median(once("pass") for _ in range(REPEAT))
    return statistics.median(once(code) for _ in range(REPEAT)) - bare


def run() -> list[Row]:
    with tempfile.TemporaryDirectory() as tmp:
        hello = Path(tmp) / "hello.py"
        hello.write_text('import streamlit as st\nst.title("hello")\n')
        ours_t, peer_t = [], []
        for _ in range(REPEAT):  # interleaved, so load changes hit both alike
            ours_t.append(_cold_start("app.py", ROOT, "nnkit Lab"))
            peer_t.append(_cold_start(str(hello), Path(tmp), "hello"))
        ours, peer = statistics.median(ours_t), statistics.median(peer_t)
    home = "import streamlit, nnkit.ui.course"
    imp = _import_time(home)
    imp_torch = _import_time(home + "; import torch")
    return [
        Row(
            "cold start: launch -> home page rendered (median of 5)",
            ours,
            peer,
            "s",
            "one-line Streamlit app",
            goal="< 3 s",
        ),
        Row(
            "home page import time (streamlit + course map)",
            imp,
            imp_torch,
            "s",
            "same + import torch",
            note="ratio < 1: what keeping torch out of the home page saves",
        ),
    ]
