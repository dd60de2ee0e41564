"""The router and the home page (course map)."""

from __future__ import annotations

import subprocess
import sys

from nnkit.ui.course import HOME, LECTURES, all_pages
from tests.app.conftest import ROOT, assert_no_exception


def test_router_runs_and_shows_the_course_map(app_page):
    at = app_page("app.py").run()
    assert_no_exception(at)
    assert at.title[0].value == "nnkit Lab"
    headers = [s.value for s in at.header]
    assert headers == [lecture.title for lecture in LECTURES]
    # The path: every page numbered in the suggested order, each with a first experiment.
    labels = [link.label for link in at.get("page_link")]
    pages = all_pages()
    assert labels == [f"**{i}. {p.title}**" for i, p in enumerate(pages, start=1)]
    text = " ".join(m.value for m in at.markdown)
    assert all(p.first_try and p.first_try in text for p in pages)


def test_sidebar_section_titles_are_short_forms_of_the_lectures():
    # The sidebar is ~250 px wide: its section titles must fit on one line there
    # (tests/e2e/test_first_screen.py checks the rendering).
    for lecture in LECTURES:
        number = lecture.title.split(" · ")[0]
        assert lecture.nav_title.startswith(number + " · ")
        assert len(lecture.nav_title) <= 34, lecture.nav_title


def test_lecture_section_titles_are_the_courses():
    titles = [lecture.title for lecture in LECTURES]
    assert titles == [
        "Lecture 1 · Automatic differentiation & neural networks",
        "Lecture 2 · Physics-informed neural networks",
        "Lecture 3 · Symbolic distillation",
    ]


def test_every_listed_page_exists_and_is_linked_from_home(app_page):
    # Through the router: st.page_link only accepts pages known to st.navigation.
    at = app_page("app.py").run()
    assert_no_exception(at)
    for lecture in LECTURES:
        for page in lecture.pages:
            assert (ROOT / page.path).is_file(), page.path
    # One st.page_link per listed page.
    links = at.get("page_link")
    assert len(links) == sum(len(lecture.pages) for lecture in LECTURES)


LIGHT_PAGES = {
    "pages/home.py": (),
    "pages/derivatives.py": (),
    "pages/autodiff.py": (),
    "pages/symbolic.py": (),
    "pages/pinn.py": (),  # the problem, its reference solution and the settings
    "pages/mlp_fitting.py": (),  # the target and the settings; the network comes with Start
    "pages/perceptron.py": ("sklearn",),  # its reference: scikit-learn's Perceptron
    "pages/house_prices.py": ("sklearn",),  # the baselines; the MLP trains on Start
}
"""First screens that need no torch, and what heavy library each needs (visited in this
order: what one page imported stays imported)."""


def test_first_screens_that_need_no_torch_import_none():
    # The server's warm-up imports them in a background thread on purpose (policy.warm_up,
    # tested in tests/unit/test_fair_use.py), once the first visitor's page is drawn. The
    # course map, the derivatives (torch's autograd is a tick away), nnkit's own autodiff
    # engine, the symbolic page before Distil, the PINN page before Train, MLP fitting,
    # the perceptron and House prices before Start need no torch: a freshly started server's first visitor there does not
    # wait for it (torch's import and first call: two seconds and more).
    # One fresh interpreter visits them in turn and reads sys.modules after each visit
    # (what a page imported stays imported, so the first page to import one is named).
    code = (
        "import sys\n"
        "import nnkit.ui.policy\n"
        "nnkit.ui.policy.warm_up = lambda: None\n"
        "from streamlit.testing.v1 import AppTest\n"
        f"at = AppTest.from_file({str(ROOT / 'app.py')!r}, default_timeout=60).run()\n"
        f"for path in {list(LIGHT_PAGES)!r}:\n"
        "    at = at.switch_page(path).run()\n"
        "    assert not at.exception, (path, at.exception)\n"
        "    assert at.title, f'{path} drew nothing'\n"
        "    heavy = sorted(m for m in ('torch', 'sklearn') if m in sys.modules)\n"
        "    print(path, ','.join(heavy))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=120
    )
    assert out.returncode == 0, out.stderr
    lines = [line.split(" ", 1) for line in out.stdout.splitlines()]
    assert [path for path, _ in lines] == list(LIGHT_PAGES)
    allowed: set[str] = set()
    for path, heavy in lines:
        allowed.update(LIGHT_PAGES[path])
        extra = set(heavy.split(",")) - {""} - allowed
        assert not extra, f"{path} imported {sorted(extra)}"
    assert "sklearn" in lines[-1][1]  # the check sees an import when there is one


def test_readme_lists_every_page_with_its_summary():
    sys.path.insert(0, str(ROOT / "scripts"))
    from update_readme import END, START, page_block

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = readme.split(START)[1].split(END)[0].strip("\n")
    assert block == page_block(), "README is stale: run python scripts/update_readme.py"
    for lecture in LECTURES:
        for p in lecture.pages:
            assert f"- **{p.title}**: {p.summary}" in block


def test_readme_python_example_runs_and_prints_what_it_says():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    code = readme.split("```python\n")[1].split("```")[0]
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=120
    )
    assert out.returncode == 0, out.stderr
    promised = code.split("# ")[-1].strip()  # the comment on the print line
    assert out.stdout.strip() == promised


def test_every_page_goes_through_the_router_even_by_deep_link():
    # See nnkit/ui/router.py: without this call, the first visitor after a server
    # start who opens /<page> directly gets Streamlit's old pages-folder mode.
    for page in [HOME] + [p for lecture in LECTURES for p in lecture.pages]:
        source = (ROOT / page.path).read_text(encoding="utf-8")
        assert "\nensure_router()\n" in source, f"{page.path} does not call ensure_router()"


def test_no_page_prints_a_stray_string():
    """Streamlit's "magic" writes any bare string statement of a page script on the page
    (only the module docstring is skipped): an attribute docstring after a constant
    showed up as a sentence in the middle of the PINN page."""
    import ast

    for page in [HOME] + [p for lecture in LECTURES for p in lecture.pages]:
        tree = ast.parse((ROOT / page.path).read_text(encoding="utf-8"))
        stray = [
            node.lineno
            for node in tree.body[1:]
            if isinstance(node, ast.Expr)
            and isinstance(node.value, ast.Constant)
            and isinstance(node.value.value, str)
        ]
        assert not stray, f"{page.path}: bare strings at lines {stray} would be shown on the page"


def test_the_warm_up_starts_after_the_visitors_page_even_one_that_stops(app_page, monkeypatch):
    """A freshly started server's first visitor may arrive by a deep link: that page's
    own imports go first, then the warm-up's (which would otherwise compete for the
    interpreter while the visitor waits)."""
    from nnkit.ui import policy

    order: list[str] = []
    apply = policy.apply
    # the page runs as a visit (a running warm-up waits for it); the warm-up starts after
    monkeypatch.setattr(
        policy, "apply", lambda: (order.append(f"page, visitors {policy.visitors()}"), apply())[1]
    )
    monkeypatch.setattr(policy, "warm_up", lambda: order.append("warm-up"))
    at = app_page("app.py").run()  # the course map
    assert_no_exception(at)
    assert order and order[0] == "page, visitors 1" and order[-1] == "warm-up"
    assert policy.visitors() == 0
    order.clear()
    at.switch_page("pages/symbolic.py").run()  # a page that stops until Distil is pressed
    assert_no_exception(at)
    assert at.button(key="sym_go") is not None  # it did stop there
    # (a page opened by its own path may first run on its own, outside app.py, then rerun
    # through it: see nnkit.ui.router; no warm-up has started before app.py's first run)
    assert order[-1] == "warm-up" and "page, visitors 1" in order[:-1]
    assert policy.visitors() == 0
