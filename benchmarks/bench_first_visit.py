"""Each page's first render after the server starts, in a real browser (issue #17, part 2).

``python -m benchmarks first_visit`` measures, in Debian's Chromium at 1440 x 900, the
seconds from navigation until the page has drawn its title and its script has finished
(no fixed wait: the title proves the script has started, then its "not running" state
that it has ended). Goal: each ≤ 2.5 s, median ≤ 1 s. Each median row's note also says
when the title and the page's main action or live result (a primary button, a chart, a
metric: ``FRESH_MAIN``, what ``tests/e2e/test_first_screen.py`` requires on the first
screen) were first both drawn. The two differ both ways: a page streams its elements
(in-app navigation draws the first screen before the script ends), and a new tab loads
the code of each kind of widget and chart when its first one arrives (it draws them
after). Two ways a student meets a page
for the first time on a freshly started server:

* **after the course map**: the home page is opened (the server's background warm-up of
  torch, scikit-learn, SciPy and SymPy starts with that first session), and once the
  server logs that the warm-up has finished (``nnkit.ui.policy.WARM_UP_LOG``; a student
  reading the map takes longer), every page of the course map is opened once, in
  course order, each in a new tab of the same browser (a new session; the browser
  keeps Streamlit's static files in its cache, as a real one does);
* **by the sidebar, in one session**: on a fresh server, one tab opens the home page,
  waits for the warm-up's end as above, then clicks each page's link in the sidebar, in
  course order (Streamlit swaps the page in place: no new session, no reload), timed
  from the click to the new page's drawn title and finished script;
* **a first click while the warm-up is still running**: a fresh server per page; the
  home page is opened and, as soon as it is drawn (a student who does not stop to
  read), or 2 s later, the page is chosen in the sidebar: the page's own imports and
  computations race the warm-up, which gives way to a visitor's script between its
  steps and imports first what most pages need;
* **a deep link on a cold server**: a fresh server per page, and that page is the
  server's first visit, racing the warm-up it starts.

Peer: the floor of any Streamlit app here: a one-line app (``st.title``) served and
opened the same way in the same run. A page cannot be drawn faster than it. The
"after the course map" row also names the floor of an app of this shape: the same
navigation (sections, titles, page paths) with pages that only draw their title, each
opened in a new tab the same way: what Streamlit's multipage app costs before a page's
own content.

Figures move with the machine's load (the browser shares the two cores with the
server): note ``uptime`` beside them.
"""

from __future__ import annotations

import os
import statistics
import tempfile
import threading
import time
from pathlib import Path

from benchmarks import Row
from nnkit.ui.course import HOME, LECTURES
from nnkit.ui.policy import WARM_UP_LOG
from tests.e2e.browser import (
    CHROMIUM,
    CHROMIUM_ARGS,
    FRESH_MAIN,
    SCRIPT_DONE,
    free_port,
    page_url,
    start_streamlit,
    stop,
    wait_healthy,
)

PAGES = [p for lecture in LECTURES for p in lecture.pages]
READ_SECONDS = 2.0  # a student who reads the course map a little before choosing a page
VIEWPORT = {"width": 1440, "height": 900}


_WATCH = """([title, main, done]) => new Promise((resolve) => {
    // On every animation frame (as Playwright's own waits do: a state is seen when the
    // frame that will paint it starts), the first time the page titled `title` shows its
    // main action or result, and the first time its script has finished.
    let shown = null, finished = null;
    const giveUp = performance.now() + 120000;
    const tick = () => {
        const now = performance.now();
        if (now > giveUp) return resolve([shown, finished]);
        const titled = [...document.querySelectorAll('[data-testid="stMain"] h1')]
            .some((e) => e.textContent.includes(title));
        const drawn = main === null || [...document.querySelectorAll(main)].some((e) => {
            const b = e.getBoundingClientRect();
            return b.width > 0 && b.height > 0;
        });
        if (titled && drawn && shown === null) shown = now;
        if (titled && document.querySelector(done) && finished === null) finished = now;
        if (shown !== null && finished !== null) resolve([shown, finished]);
        else requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
})"""


def _drawn(tab, t0: float, title: str, main: bool = True) -> tuple[float, float]:
    """Seconds from ``t0`` until the page titled ``title`` ("": any) shows its main action
    or live result (``FRESH_MAIN``: the first screen a student can play; ``main=False``:
    the title alone), and until its script has finished: both watched in the page on
    every animation frame, so neither waits for the other."""
    offset = time.perf_counter() - tab.evaluate("performance.now()") / 1000 - t0
    shown, done = tab.evaluate(_WATCH, [title, FRESH_MAIN if main else None, SCRIPT_DONE])
    if shown is None or done is None:
        raise TimeoutError(f"{title!r}: not drawn, or its script not finished, within 120 s")
    return offset + shown / 1000, offset + done / 1000


def _visit(context, url: str, title: str, main: bool = True) -> tuple[float, float]:
    """:func:`_drawn` for ``url`` opened in a new tab (timed from navigation)."""
    page = context.new_page()
    try:
        t0 = time.perf_counter()
        page.goto(url)
        return _drawn(page, t0, title, main)
    finally:
        page.close()


class _Server:
    """``streamlit run`` on a free port; remembers when the warm-up's log line appears."""

    def __init__(self, port: int, cwd: Path | None = None) -> None:
        self.port = port
        self.proc = start_streamlit(port, **({"cwd": cwd} if cwd else {}))
        self.warm = threading.Event()
        marker = WARM_UP_LOG.split("%")[0].strip()
        threading.Thread(target=self._read, args=(marker,), daemon=True).start()
        wait_healthy(self.port, self.proc)
        self.base = f"http://127.0.0.1:{self.port}"

    def _read(self, marker: str) -> None:
        for line in self.proc.stdout:  # also keeps the pipe from filling up
            if marker in line:
                self.warm.set()

    def close(self) -> None:
        stop(self.proc)


def _click(tab, base: str, p) -> tuple[float, float]:
    """:func:`_drawn` for page ``p``, timed from a click on its sidebar link."""
    t0 = time.perf_counter()
    tab.click(f'[data-testid="stSidebarNavLink"][href="{page_url(base, p.path)}"]')
    return _drawn(tab, t0, p.title)


def _clicks(context, server: _Server) -> dict[str, tuple[float, float]]:
    """Each page's first render on a fresh server, in the session that opened the home
    page, reached by its sidebar link in course order once the warm-up has ended."""
    page = context.new_page()
    try:
        page.goto(page_url(server.base, HOME.path))
        page.wait_for_selector(SCRIPT_DONE, timeout=120_000)
        server.warm.wait(120)
        return {p.title: _click(page, server.base, p) for p in PAGES}
    finally:
        page.close()


def _first_click(context, port: int, p, read: float) -> tuple[float, float]:
    """Page ``p`` chosen in the sidebar ``read`` seconds after a fresh server has drawn the
    course map, while the warm-up is still running (0: a student who does not stop to
    read)."""
    server = _Server(port)
    page = context.new_page()
    try:
        page.goto(page_url(server.base, HOME.path))
        page.wait_for_selector(SCRIPT_DONE, timeout=120_000)
        time.sleep(read)
        return _click(page, server.base, p)
    finally:
        page.close()
        server.close()


def _floor(context, port: int) -> float:
    """A one-line Streamlit app; its first visit fills the browser's cache of Streamlit's
    static files, the same for every server on this port; the median of three more."""
    with tempfile.TemporaryDirectory() as tmp:
        Path(tmp, "app.py").write_text('import streamlit as st\nst.title("Empty")\n')
        server = _Server(port, cwd=Path(tmp))
        try:
            times = [_visit(context, server.base + "/", "Empty", main=False)[1] for _ in range(4)]
        finally:
            server.close()
    return statistics.median(times[1:])


def _course_floor(context, port: int) -> float:
    """The same course map with nothing on its pages: an app with app.py's navigation
    (its sections, titles and page paths) whose every page only draws its title, each
    page opened once in a new tab as in "after the course map"; the median. What a
    Streamlit app of this shape costs before a page's own content."""
    with tempfile.TemporaryDirectory() as tmp:
        sections: dict[str, list[str]] = {"": [HOME.path]}
        for lecture in LECTURES:
            if lecture.pages:
                sections[lecture.nav_title] = [p.path for p in lecture.pages]
        titles = {p.path: p.title for p in [HOME, *PAGES]}
        for path, title in titles.items():
            Path(tmp, path).parent.mkdir(parents=True, exist_ok=True)
            Path(tmp, path).write_text(f"import streamlit as st\nst.title({title!r})\n")
        nav = {
            name: [f"st.Page({path!r}, title={titles[path]!r})" for path in paths]
            for name, paths in sections.items()
        }
        Path(tmp, "app.py").write_text(
            "import streamlit as st\n"
            'st.set_page_config(page_title="nnkit Lab", layout="wide")\n'
            "st.navigation({"
            + ", ".join(f"{name!r}: [{', '.join(pages)}]" for name, pages in nav.items())
            + "}).run()\n"
        )
        server = _Server(port, cwd=Path(tmp))
        try:
            times = [
                _visit(context, page_url(server.base, p.path), p.title, main=False)[1]
                for p in PAGES
            ]
        finally:
            server.close()
    return statistics.median(times)


def run() -> list[Row]:
    from playwright.sync_api import sync_playwright

    load = os.getloadavg()[0]
    with sync_playwright() as pw:
        # One browser with a profile (its disk and code caches), as a student's browser is;
        # a profile-less context keeps no compiled code between tabs.
        profile = tempfile.TemporaryDirectory()
        context = pw.chromium.launch_persistent_context(
            profile.name, executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS,
            viewport=VIEWPORT,
        )  # fmt: skip
        port = free_port()  # every server here: one origin, one cache of the static files
        floor = _floor(context, port)
        course_floor = _course_floor(context, port)

        server = _Server(port)
        try:
            home_first = _visit(context, page_url(server.base, HOME.path), "")[1]  # "nnkit Lab"
            t0 = time.perf_counter()
            warmed = server.warm.wait(120)
            warm_s = time.perf_counter() - t0
            after_map = {
                p.title: _visit(context, page_url(server.base, p.path), p.title) for p in PAGES
            }
        finally:
            server.close()
        server = _Server(port)
        try:
            clicked = _clicks(context, server)
        finally:
            server.close()

        quick = {p.title: _first_click(context, port, p, 0.0) for p in PAGES}
        read = {p.title: _first_click(context, port, p, READ_SECONDS) for p in PAGES}
        deep = {}
        for p in PAGES:
            server = _Server(port)
            try:
                deep[p.title] = _visit(context, page_url(server.base, p.path), p.title)
            finally:
                server.close()
        context.close()
        profile.cleanup()

    rows = []
    warm_note = (
        f"warm-up ended {warm_s:.1f} s after the home page was drawn"
        if warmed
        else "the warm-up did not log its end within 120 s"
    )
    for name, both, note in (
        (
            "after the course map",
            after_map,
            f"{warm_note}; home's first visit {home_first:.2f} s; the same course map with "
            f"one-line pages, opened the same way: median {course_floor:.2f} s",
        ),
        (
            "by the sidebar, one session",
            clicked,
            "a fresh server; clicks start once it has warmed up",
        ),
        (
            "first click, warm-up still running",
            quick,
            "a fresh server per page; chosen in the sidebar as soon as the course map is drawn",
        ),
        (
            f"first click {READ_SECONDS:.0f} s after the course map",
            read,
            f"a fresh server per page; chosen {READ_SECONDS:.0f} s after the course map is drawn",
        ),
        ("deep link, cold server", deep, "each page is its server's first visit"),
    ):
        times = {k: done for k, (_, done) in both.items()}
        shown = {k: first for k, (first, _) in both.items()}
        worst, worst_shown = max(times, key=times.get), max(shown, key=shown.get)
        peer = "one-line Streamlit app, same browser"
        screen = (
            f"title and main action or result drawn: median {statistics.median(shown.values()):.2f} s, "
            f"slowest {shown[worst_shown]:.2f} s ({worst_shown})"
        )
        rows.append(
            Row(f"first visit, {name}: median of {len(times)} pages", statistics.median(times.values()),
                floor, peer_name=peer, goal="≤ 1 s", note=f"load {load:.1f}; {note}; {screen}")
        )  # fmt: skip
        rows.append(
            Row(f"first visit, {name}: slowest", times[worst], floor, peer_name=peer, goal="≤ 2.5 s",
                note=f"{worst}; " + ", ".join(f"{k.split()[0]} {v:.1f}" for k, v in times.items()))
        )  # fmt: skip
    return rows


if __name__ == "__main__":
    for r in run():
        print(r)
