"""axe-core on every page (axe-playwright-python): no serious or critical violation from
the app's own content, and every chart has a text alternative.

Two exemptions, both narrow:

- Streamlit's own sidebar navigation: its ``<ul>`` holds the lecture headings beside the
  ``<li>`` page links, which axe reports as "list" and "listitem" violations. That markup
  is Streamlit's (upstream), not the app's; README's "Known limitations" says so. Only
  those two rules, and only inside that list, are ignored.
- Colour contrast of a disabled widget's label: WCAG 1.4.3 exempts "text that is part
  of an inactive user interface component" (a slider that does not apply to the chosen
  setting is greyed out on purpose).
"""

from __future__ import annotations

import pytest

from tests.e2e.browser import chart_defects, settle, whole_page
from tests.e2e.conftest import page_url, wait_for_script

pytestmark = pytest.mark.e2e

SERIOUS = ("serious", "critical")
UPSTREAM_NAV = '[data-testid="stSidebarNavItems"]'
UPSTREAM_RULES = ["list", "listitem"]

_EXEMPT_JS = """([sel, rule, nav, navRules]) => {
    const e = document.querySelector(sel);
    if (!e) return false;
    if (navRules.includes(rule) && e.closest(nav)) return true;
    if (rule === 'color-contrast') {
        const box = e.closest('[data-testid="stElementContainer"]');
        return !!(box && box.querySelector('[disabled], [aria-disabled="true"]'));
    }
    return false;
}"""


def _exempt(p, rule: str, node: dict) -> bool:
    target = node["target"][0]
    if not isinstance(target, str):  # inside a shadow root: not Streamlit's nav
        return False
    return bool(p.evaluate(_EXEMPT_JS, [target, rule, UPSTREAM_NAV, UPSTREAM_RULES]))


def own_violations(p, within: str | None = None) -> list[str]:
    """Serious and critical axe violations on the page (or only inside the element that
    the CSS selector ``within`` picks), minus the two exemptions."""
    from axe_playwright_python.sync_playwright import Axe

    context = {"include": [[within]]} if within else None
    results = Axe().run(p, context=context).response
    found = []
    for v in results["violations"]:
        if v["impact"] not in SERIOUS:
            continue
        nodes = [n for n in v["nodes"] if not _exempt(p, v["id"], n)]
        if nodes:
            where = "; ".join(n["html"][:140] for n in nodes[:4])
            found.append(f"{v['id']} ({v['impact']}, {len(nodes)}x): {v['help']}: {where}")
    return found


def charts_without_text(p) -> list[str]:
    """Drawn charts whose accessible name is Vega's default instead of a description."""
    return p.evaluate(
        """() => Array.from(document.querySelectorAll('[data-testid="stVegaLiteChart"]'))
            .filter(e => e.querySelector('svg, canvas'))  // drawn (not in a hidden tab)
            .map(e => e.getAttribute('aria-label') || '')
            .filter(name => !name.trim() || name === 'Vega visualization')"""
    )


MAX_ITEMS = 300
"""At most this many marks of one chart in the accessibility tree: a grid or a contour map
of hundreds of cells hides them (Vega-Lite ``aria=False``) and leaves its description to
speak for them, instead of making a screen reader step through every cell."""


def crowded_charts(p) -> list[int]:
    """Item counts of the drawn charts that expose more than :data:`MAX_ITEMS` marks."""
    return p.evaluate(
        """(limit) => Array.from(document.querySelectorAll('[data-testid="stVegaLiteChart"]'))
            .map(e => e.querySelectorAll('[role="graphics-symbol"]').length)
            .filter(n => n > limit)""",
        MAX_ITEMS,
    )


_CHOSEN_JS = """(i) => {
    const tab = document.querySelectorAll('[data-testid="stMain"] [role="tab"]')[i];
    if (!tab || tab.getAttribute('aria-selected') !== 'true') return false;
    const panel = document.getElementById(tab.getAttribute('aria-controls'));
    return !!(panel && panel.firstElementChild && panel.firstElementChild.childElementCount);
}"""


def choose_tab(p, i: int) -> tuple[str, str]:
    """Click tab ``i`` and wait until its panel shows content and the page has settled
    (a lazy tab's content comes from a rerun: no guessing how long that takes); the
    tab's name and a CSS selector of its panel."""
    tab = p.locator('[data-testid="stMain"] [role="tab"]').nth(i)
    name = tab.inner_text()
    tab.click()
    p.wait_for_function(_CHOSEN_JS, arg=i, timeout=120_000)
    settle(p)
    return name, f'[id="{tab.get_attribute("aria-controls")}"]'


def _open(desktop, server_url: str, path: str):
    p = desktop.new_page()
    p.goto(page_url(server_url, path))
    wait_for_script(p, new_page=True)
    return p


def _assert_accessible(p, where: str, within: str | None = None) -> None:
    whole_page(p)
    assert own_violations(p, within) == [], where
    missing = charts_without_text(p)
    assert missing == [], f"{where}: charts without a description (nnkit.plots.style)"
    assert crowded_charts(p) == [], f"{where}: charts whose every mark a screen reader visits"


def test_no_serious_accessibility_violation(shown):
    """Every page (``shown``: opened once at 1440 x 900 for all first-render checks), and
    every tab of it, as a visitor opens them: the page checked whole (the viewport made as
    tall as the page), then each other tab's panel once it is chosen (the rest of the page
    does not change with the tab, and was checked with the first one).

    Each tab is chosen in turn rather than all shown at once: axe checks colour contrast
    only inside the viewport, so a tab stacked below the first one would go unchecked.
    Checks wait until the page has settled (:func:`~tests.e2e.browser.settle`), not a
    fixed time: during a fade-in a grey caption reads lighter than it is. This check runs
    after the page's other first-render checks (tests/e2e/conftest.py orders them), so it
    leaves the page on its last tab and as tall as itself.
    """
    p = shown
    tabs = p.locator('[data-testid="stMain"] [role="tab"]')
    settle(p)
    _assert_accessible(p, "first tab, whole page")
    for i in range(1, tabs.count()):
        name, panel = choose_tab(p, i)
        _assert_accessible(p, name, within=panel)


def test_live_training_view_is_accessible(server_url, desktop):
    """The MLP page while it trains: the live images, their captions and the loss chart."""
    p = _open(desktop, server_url, "pages/mlp_fitting.py")
    try:
        p.locator('[data-testid="stMain"] [data-testid="stBaseButton-primary"]').first.click()
        p.locator('[data-testid="stMain"] figcaption').first.wait_for(timeout=60_000)
        # between two refreshes of the live view (none of it stale), while it trains
        settle(p, quiet_ms=50, script_done=False)
        assert own_violations(p) == []
        assert charts_without_text(p) == []
        assert chart_defects(p) == []
        stop = p.get_by_role("button", name="Stop")
        assert stop.is_enabled(), "the run ended before the check: it saw no live view"
        stop.click()
    finally:
        p.close()


def test_distilled_formula_view_is_accessible(server_url, desktop):
    """The symbolic page after Distil (its first screen only shows the button): the found
    formula, its metrics, the Pareto front, the maps and the scores, as a person sees them."""
    p = _open(desktop, server_url, "pages/symbolic.py")
    try:
        p.get_by_role("button", name="Distil").click()
        p.locator('[data-testid="stMain"] [data-testid="stMetric"]').first.wait_for(timeout=120_000)
        settle(p)
        assert p.locator('[data-testid="stMain"] .katex').count() >= 1  # the formula is drawn
        assert p.locator('[data-testid="stMain"] [data-testid="stVegaLiteChart"]').count() >= 2
        assert own_violations(p) == []
        assert charts_without_text(p) == []
        assert chart_defects(p) == []
    finally:
        p.close()
