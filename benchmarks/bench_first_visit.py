"""Each page's first render after the server starts, in a real browser (issue #17, part 2).

``python -m benchmarks first_visit`` starts ``streamlit run app.py``, waits until its
home page answers (the server's background warm-up starts then), and opens every page
of the course map once, in course order, each in a new browser tab (a new session):
seconds from navigation to "script finished" in Debian's Chromium. Goal: each ≤ 2.5 s,
median ≤ 1 s. Peer: the same first visits of the home page, which imports no heavy
library. The slowest page is named in its row.

Figures move with the machine's load (a browser on the same two cores as the server):
note ``uptime`` beside them.
"""

from __future__ import annotations

import os
import statistics
import time

from benchmarks import Row
from nnkit.ui.course import HOME, LECTURES
from tests.e2e.browser import (
    CHROMIUM,
    CHROMIUM_ARGS,
    free_port,
    page_url,
    start_streamlit,
    stop,
    wait_for_script,
    wait_healthy,
)


def _visit(browser, url: str) -> float:
    page = browser.new_page(viewport={"width": 1440, "height": 900})
    try:
        t0 = time.perf_counter()
        page.goto(url)
        wait_for_script(page)
        return time.perf_counter() - t0
    finally:
        page.close()


def run() -> list[Row]:
    from playwright.sync_api import sync_playwright

    load = os.getloadavg()[0]
    port = free_port()
    proc = start_streamlit(port)
    try:
        wait_healthy(port, proc)
        base = f"http://127.0.0.1:{port}"
        with sync_playwright() as pw:
            browser = pw.chromium.launch(
                executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
            )
            home_first = _visit(browser, page_url(base, HOME.path))
            firsts = {
                p.title: _visit(browser, page_url(base, p.path))
                for lecture in LECTURES
                for p in lecture.pages
            }
            home_again = _visit(browser, page_url(base, HOME.path))
            browser.close()
    finally:
        stop(proc)
    worst = max(firsts, key=firsts.get)
    return [
        Row(
            "first visit of each page after start: median",
            statistics.median(firsts.values()),
            home_again,
            peer_name="home page, same server",
            goal="≤ 1 s",
            note=f"load {load:.1f}; home's very first visit {home_first:.2f} s",
        ),
        Row(
            "first visit of each page after start: slowest",
            firsts[worst],
            home_again,
            peer_name="home page, same server",
            goal="≤ 2.5 s",
            note=worst,
        ),
    ]


if __name__ == "__main__":
    for r in run():
        print(r)
