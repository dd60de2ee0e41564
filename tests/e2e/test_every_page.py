"""Visit every page in the navigation in a real browser: no exception, no console error."""

from __future__ import annotations

from pathlib import Path

import pytest

from nnkit.ui.course import HOME, LECTURES
from tests.e2e.browser import chart_defects, cut_tables, settle
from tests.e2e.conftest import page_url, wait_for_script

pytestmark = pytest.mark.e2e

# Chromium logs these for reasons outside the app (no network in the sandbox).
IGNORED_CONSOLE = ("favicon", "net::ERR_NAME_NOT_RESOLVED", "net::ERR_INTERNET_DISCONNECTED")


def test_page_renders_without_exception(shown, screenshot):
    page, info = shown, shown.info
    settle(page)  # every chart drawn (none still a placeholder), nothing fading in
    screenshot(page, Path(info.path).stem)
    exceptions = page.locator('[data-testid="stException"]')
    assert exceptions.count() == 0, exceptions.first.inner_text()
    errors = [e for e in page.console_errors if not any(s in e for s in IGNORED_CONSOLE)]
    assert not errors, errors
    assert not page.bad_responses, page.bad_responses
    assert chart_defects(page) == []
    assert cut_tables(page) == []
    # The page's own title is on screen (the sidebar navigation lists it too).
    assert page.get_by_text(info.title).first.is_visible() or info is HOME


@pytest.mark.parametrize("shown", [HOME], indirect=True, ids=["home"])
def test_home_links_open_every_page(shown):
    page = shown  # the course map, as first opened (shared with its other checks)
    assert page.get_by_role("heading", name="nnkit Lab").is_visible()
    for lecture in LECTURES:
        assert page.get_by_text(lecture.title).first.is_visible()


def test_deep_link_on_a_fresh_server_gets_the_app_navigation(browser, fresh_server_url):
    """The first visitor after a (re)start who opens a page by its URL still gets
    app.py's navigation (lecture sections, wide layout), not Streamlit's old
    pages-folder mode (see nnkit/ui/router.py)."""
    pages = [p for lecture in LECTURES for p in lecture.pages]
    if not pages:
        pytest.skip("no lecture page listed yet")
    p = browser.new_page(viewport={"width": 1400, "height": 1000})
    try:
        p.goto(page_url(fresh_server_url, pages[0].path))
        wait_for_script(p, new_page=True)
        nav = p.locator('[data-testid="stSidebarNav"]')
        nav.get_by_text(LECTURES[0].nav_title).first.wait_for(timeout=30_000)
        assert nav.get_by_text(HOME.title).first.is_visible()
    finally:
        p.close()
