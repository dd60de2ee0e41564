"""Real-browser harness: `streamlit run app.py` on a free 127.0.0.1 port, driven through
Playwright's Python package by the first browser found (see ``launch_browser``).

No browser: outside CI the browser tests are skipped (the run ends with one line saying
why and how to get one); under CI (``CI=true``) they fail with the same reason.
All of them run on one xdist worker (one server and one browser for the run), and the
desktop checks open their tabs in one browser context (:func:`desktop`).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from nnkit.ui.course import HOME, all_pages
from tests.e2e.browser import (  # noqa: F401  (re-exported for tests and scripts)
    CHROMIUM,
    CHROMIUM_ARGS,
    NO_BROWSER,
    ROOT,
    SCRIPT_DONE,
    TITLE,
    BrowserNotFound,
    free_port,
    in_ci,
    launch_browser,
    page_url,
    settle,
    start_streamlit,
    stop,
    wait_for_script,
    wait_healthy,
    whole_page,
)


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config, items):
    """Keep every browser test on one xdist worker (``--dist loadgroup``): one Streamlit
    server and one browser serve them all, instead of one per worker."""
    for item in items:
        if item.get_closest_marker("e2e"):
            item.add_marker(pytest.mark.xdist_group("browser"))


def missing_browser(reason: str, env=None) -> None:
    """No browser: skip outside CI, fail under CI (so CI never silently drops them)."""
    if in_ci(env):
        pytest.fail(reason, pytrace=False)
    pytest.skip(reason)


@pytest.hookimpl(trylast=True, specname="pytest_collection_modifyitems")
def pytest_fresh_server_tests_first(items):
    """Run the tests that ask for a fresh server (``fresh_server_url``) first, after
    pytest's own reordering: then the shared server is still fresh for them. Among the
    checks of one page's shared tab (:func:`shown`, which pytest runs one after the
    other), the accessibility check goes last: it chooses the page's other tabs and
    makes the viewport as tall as the page (the next page's :func:`shown` puts the
    viewport back)."""
    items.sort(key=lambda item: "fresh_server_url" not in getattr(item, "fixturenames", ()))
    start = 0
    while start < len(items):
        page = _shown_page(items[start])
        end = start + 1
        while page is not None and end < len(items) and _shown_page(items[end]) is page:
            end += 1
        items[start:end] = sorted(items[start:end], key=lambda item: item.name.startswith(LAST))
        start = end


LAST = "test_no_serious_accessibility_violation"
"""The check of a :func:`shown` page that changes it (tabs, viewport): run last."""


def _shown_page(item):
    """The page (a :data:`SHOWN` entry) an item checks through :func:`shown`, if any."""
    spec = getattr(item, "callspec", None)
    return spec.params.get("shown") if spec is not None else None


_SHARED: list[str] = []
"""The shared server's URL, once :func:`server_url` has started it (in this process)."""


@pytest.fixture(scope="session")
def server_url(browser) -> Iterator[str]:
    """Base URL of a Streamlit server running this repository's app.py.

    Asks for ``browser`` first, so that without one no server is started for nothing.
    """
    port = free_port()
    proc = start_streamlit(port)
    try:
        wait_healthy(port, proc)
        _SHARED.append(f"http://127.0.0.1:{port}")
        yield _SHARED[-1]
    finally:
        stop(proc)


@pytest.fixture
def fresh_server_url(request, browser) -> Iterator[str]:
    """Base URL of a server that no visitor has opened yet: the shared one while no test
    has started it (tests asking for this fixture run first), else a server of its own."""
    if not _SHARED:
        yield request.getfixturevalue("server_url")
        return
    port = free_port()
    proc = start_streamlit(port)
    try:
        wait_healthy(port, proc)
        yield f"http://127.0.0.1:{port}"
    finally:
        stop(proc)


@pytest.fixture(scope="session")
def launched():
    """``(playwright, browser, choice)``: one headless browser for the whole session, the
    first one ``launch_browser`` finds, and which one it is (``BrowserChoice``)."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        missing_browser(
            f"{NO_BROWSER}: Playwright is not installed; pip install -r requirements-dev.txt"
        )
    with sync_playwright() as pw:
        try:
            b, choice = launch_browser(pw, headless=True, args=CHROMIUM_ARGS)
        except BrowserNotFound as e:
            missing_browser(str(e))
        yield pw, b, choice
        b.close()


@pytest.fixture(scope="session")
def browser(launched):
    """The session's headless browser (:func:`launched`): new contexts for phones and
    for visitors who arrive with nothing cached."""
    return launched[1]


def _listen(p) -> None:
    """``p.console_errors`` collects console errors and uncaught page errors;
    ``p.bad_responses`` collects HTTP responses >= 400, except the probes that
    Streamlit's frontend makes when a page is opened by its own URL (it first tries
    ``/<page>/_stcore/health`` as if the page path were the app's base URL, gets a
    404 and falls back to ``/_stcore/health``)."""
    p.console_errors = []
    p.bad_responses = []

    def on_console(m):
        # "Failed to load resource" carries no URL; bad_responses has the details.
        if m.type == "error" and not m.text.startswith("Failed to load resource"):
            p.console_errors.append(m.text)

    def on_response(r):
        probe = r.status == 404 and r.url.endswith(("/_stcore/health", "/_stcore/host-config"))
        if r.status >= 400 and not probe:
            p.bad_responses.append(f"{r.status} {r.url}")

    p.on("console", on_console)
    p.on("pageerror", lambda e: p.console_errors.append(str(e)))
    p.on("response", on_response)


@pytest.fixture(scope="session")
def desktop(launched, tmp_path_factory):
    """One desktop browser (1440 x 900) for the whole run, as one visitor's browser: each
    test opens its own tab in it, and each tab is its own Streamlit session (its own
    websocket), so no test sees another's state. What the tabs share is the browser's
    caches: Streamlit's 5 MB of JavaScript is fetched once, not once per test (a fresh
    context per tab cost about 0.6 s of CPU per page load, server included).

    It is the same browser (``launched``'s choice) with a profile of its own, in a
    temporary folder, as a visitor's browser has (a disk cache and V8's code cache,
    which a profile-less, incognito-like context does without): five page loads took
    11.5 core-s of the browser's and the server's CPU
    instead of 13.8, and the browser 81 core-s instead of 84-89 over these tests (read
    from /proc, two runs each, 2026-12-07).
    A first visit with an empty cache is measured by ``benchmarks/bench_first_visit.py``.
    """
    pw, _, choice = launched
    context = pw.chromium.launch_persistent_context(
        tmp_path_factory.mktemp("desktop-profile"),
        executable_path=choice.executable_path,
        channel=choice.channel,
        headless=True,
        args=CHROMIUM_ARGS,
        viewport={"width": 1440, "height": 900},
    )
    yield context
    context.close()


@pytest.fixture
def page(desktop):
    """A new tab (its own Streamlit session) at 1400 x 1000, listening for console errors
    and bad responses (``page.console_errors``, ``page.bad_responses``)."""
    p = desktop.new_page()
    p.set_viewport_size({"width": 1400, "height": 1000})
    _listen(p)
    yield p
    p.close()


SHOWN = [HOME, *all_pages()]
"""The pages :func:`shown` opens: the course map and every page of it."""


@pytest.fixture(scope="session")
def _visitor(desktop, server_url):
    """The tab of :func:`shown`: one visitor who opens the course map, then chooses each
    page in the sidebar, listening as :func:`page` does."""
    p = desktop.new_page()
    _listen(p)
    p.goto(server_url + "/")
    wait_for_script(p, new_page=True)
    yield p
    p.close()


@pytest.fixture(scope="session", params=SHOWN, ids=[Path(p.path).stem for p in SHOWN])
def shown(request, _visitor):
    """Each page as a visitor first sees it at 1440 x 900, having chosen it in the
    sidebar: its script finished, the console errors and bad responses of this page only
    (``p.console_errors``, ``p.bad_responses``); ``shown.info`` is its
    :class:`~nnkit.ui.course.PageInfo`.

    Shared by the read-only checks of a first render (``test_every_page``,
    ``test_first_screen``, then ``test_accessibility``, which chooses the page's tabs):
    pytest runs the tests of one page one after the other (a session-scoped parameter).
    One tab goes from page to page, as a visitor's does: a new tab per page loaded
    Streamlit's frontend again, 2.0 core-s of Chromium a page against 0.7 for a choice in
    the sidebar (18 pages each way, 2026-12-07). A page opened by its own URL is checked
    by the tests that click (``page``) and by ``test_deep_link_on_a_fresh_server_…``.
    """
    p = _visitor
    info = request.param
    p.set_viewport_size({"width": 1440, "height": 900})  # the page before may have grown it
    title = "nnkit Lab" if info is HOME else info.title  # the course map's heading
    if not p.locator(TITLE, has_text=title).count():  # (the tab starts on the course map)
        p.locator('[data-testid="stSidebarNav"]').get_by_role("link", name=info.title).click()
        # the page's own title: its script has started (the old page's is there until then)
        p.locator(TITLE, has_text=title).first.wait_for(timeout=120_000)
        wait_for_script(p, new_page=True)
    del p.console_errors[:], p.bad_responses[:]  # this page's own, from here on
    p.info = info
    return p


@pytest.fixture(scope="session")
def screenshot():
    """``screenshot(page, name)`` saves a full-page PNG of ``page`` as ``name``.png in the
    folder ``NNKIT_SCREENSHOTS`` names, and does nothing when it is not set: nothing
    asserts on the pictures (they are for a person to look at:
    ``NNKIT_SCREENSHOTS=/tmp/shots python -m pytest tests/e2e``), each waits about 0.4 s
    for the page to settle at its full height, and a folder of them is not left behind
    after every run."""
    folder = os.environ.get("NNKIT_SCREENSHOTS")
    if not folder:
        return lambda page, name: None
    d = Path(folder)
    d.mkdir(parents=True, exist_ok=True)
    print(f"\nscreenshots go to {d}")

    def shoot(page, name: str) -> None:
        size = dict(page.viewport_size)
        settle(page)  # no chart still a placeholder
        whole_page(page)  # Streamlit scrolls inside the window: make the window the page
        page.screenshot(path=str(d / f"{name}.png"), full_page=True)
        page.set_viewport_size(size)  # as the next check expects it
        settle(page)

    return shoot
