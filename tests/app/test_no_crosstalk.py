"""No cross-talk between visitors (AppTest): two sessions of the same server process,
with the caches they share left in place, never see each other's upload, formula,
trained model or history.

What the two sessions share in a real server is exactly what they share here: the
process, ``st.cache_data`` / ``st.cache_resource`` and module globals; each has its own
``st.session_state``. The browser load test (``python -m benchmarks load``) checks
the same for typed formulas with 10 real sessions.
"""

from __future__ import annotations

import time

import numpy as np

from tests.app.conftest import assert_no_exception

MARKER = "crosstalk_marker_7731"


def page_dump(at) -> str:
    """Every element of the page as text: values, labels, chart specs, table bytes."""
    out = []

    def walk(node) -> None:
        proto = getattr(node, "proto", None)
        if proto is not None:
            out.append(str(proto))
        children = getattr(node, "children", None) or {}
        for child in children.values():
            walk(child)

    walk(at._tree)
    return "\n".join(out)


def csv_with_marker() -> bytes:
    rng = np.random.default_rng(3)
    area = rng.uniform(40, 200, 120)
    price = 3000 * area + rng.normal(0, 10_000, 120)
    lines = [f"{MARKER}_area,{MARKER}_price"] + [
        f"{a:.1f},{p:.0f}" for a, p in zip(area, price, strict=True)
    ]
    return ("\n".join(lines) + "\n").encode()


def test_an_upload_and_its_model_stay_in_their_session(app_page):
    alice = app_page("pages/house_prices.py").run()
    alice.file_uploader[0].upload("mine.csv", csv_with_marker(), "text/csv").run()
    assert_no_exception(alice)
    assert f"{MARKER}_area" in page_dump(alice), "the upload did not reach its own page"
    alice.button(key="house_start").click().run()
    job = alice.session_state["_live_house_job"]
    deadline = time.monotonic() + 60
    while job.snapshot().epochs < 2 and job.running and time.monotonic() < deadline:
        time.sleep(0.05)
    job.stop()
    assert job.join(30)
    alice.run()

    bob = app_page("pages/house_prices.py").run()  # same process, same caches
    assert_no_exception(bob)
    assert MARKER not in page_dump(bob), "another visitor's upload appeared"
    assert "_live_house_job" not in bob.session_state, "another visitor's model appeared"
    assert "house_run" not in bob.session_state


def test_a_typed_formula_stays_in_its_session(app_page):
    alice = app_page("pages/derivatives.py").run()
    box = alice.text_input[0]
    box.set_value("sin(x) + 0.77313*x").run()
    assert_no_exception(alice)
    assert "0.77313" in page_dump(alice)

    bob = app_page("pages/derivatives.py").run()
    assert_no_exception(bob)
    assert "0.77313" not in page_dump(bob), "another visitor's formula appeared"


def test_a_training_history_stays_in_its_session(app_page):
    alice = app_page("pages/mlp_fitting.py").run()
    start = next(b for b in alice.button if (b.key or "").endswith("_start"))
    key = start.key[: -len("_start")]
    start.click().run()
    job = alice.session_state[f"_live_{key}_job"]
    deadline = time.monotonic() + 60
    while job.snapshot().epochs < 1 and job.running and time.monotonic() < deadline:
        time.sleep(0.05)
    assert job.snapshot().epochs >= 1
    job.stop()
    assert job.join(30)

    bob = app_page("pages/mlp_fitting.py").run()
    assert_no_exception(bob)
    assert f"_live_{key}_job" not in bob.session_state, "another visitor's run appeared"
    assert not any("epoch" in m.value and "optimizer steps" in m.value for m in bob.markdown), (
        "another visitor's training status appeared"
    )
