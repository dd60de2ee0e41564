"""AppTest of pages/symbolic.py: choose a source, distil, see the formula; honest failures."""

from __future__ import annotations

import numpy as np
import pytest

from tests.app.conftest import assert_no_exception

PAGE = "pages/symbolic.py"


def _texts(elements) -> str:
    return "\n".join(str(e.value) for e in elements)


@pytest.mark.slow
def test_default_recovers_rastrigin_and_shows_extrapolation(app_page):
    at = app_page(PAGE).run()
    assert_no_exception(at)
    assert "Found" in _texts(at.success)
    latex = _texts(at.latex)
    assert r"\cos{\left(2 \pi x \right)}" in latex and "x^{2}" in latex
    md = _texts(at.markdown)
    assert "Exact recovery" in md
    assert "What you see" in md and "outside it drops" in md
    assert len(at.dataframe) >= 1  # R² inside / outside table


def test_choose_a_target_and_distil(app_page):
    at = app_page(PAGE)
    at.session_state["sym_target"] = "nguyen1"
    at.session_state["sym_epochs_nguyen1"] = 600
    at.run()
    assert_no_exception(at)
    assert at.selectbox(key="sym_target").value == "nguyen1"
    assert len(at.latex) == 1 and "x" in at.latex[0].value
    assert at.success or at.warning  # a verdict, computed from the result
    assert any(m.label == "complexity" for m in at.metric)


def test_pure_noise_gives_an_honest_no_formula(app_page):
    at = app_page(PAGE)
    at.session_state["sym_target"] = "noise"
    at.session_state["sym_epochs_noise"] = 300
    at.run()
    assert_no_exception(at)
    assert "No simple formula found" in _texts(at.warning)
    assert not at.success
    assert len(at.dataframe) >= 1  # the best candidates are listed


def test_constant_formula_gives_an_honest_no_formula(app_page):
    at = app_page(PAGE)
    at.session_state["sym_target"] = "formula"
    at.session_state["sym_formula"] = "3"
    at.session_state["sym_epochs_formula"] = 200
    at.run()
    assert_no_exception(at)
    warning = _texts(at.warning)
    assert "No simple formula found" in warning and "constant" in warning
    assert "f \\approx 3" in at.latex[0].value


def test_csv_source_with_both_methods(app_page):
    at = app_page(PAGE)
    at.session_state["sym_source"] = "csv"
    at.run()
    assert_no_exception(at)
    assert "Upload a CSV" in _texts(at.info)
    x = np.linspace(-1, 1, 60)
    rows = "\n".join(f"{a:.6f},{2 * a + 1:.6f}" for a in x)
    at.get("file_uploader")[0].upload("line.csv", f"x,y\n{rows}\n".encode(), "text/csv")
    at.session_state["sym_method"] = "both"
    at.session_state["sym_budget"] = 2
    at.run()
    assert_no_exception(at)
    assert "Found" in _texts(at.success)
    assert "f=2x+1" in at.latex[0].value.replace(" ", "")
    table = at.dataframe[0].value
    assert list(table["method"]) == ["sparse regression (best subset)", "genetic programming (gplearn)"]


def test_bad_csv_and_bad_formula_keep_the_page(app_page):
    at = app_page(PAGE)
    at.session_state["sym_source"] = "csv"
    at.run()
    at.get("file_uploader")[0].upload("text.csv", b"a,b\nfoo,bar\n", "text/csv")
    at.run()
    assert_no_exception(at)
    assert at.error  # says what to change

    at = app_page(PAGE)
    at.session_state["sym_target"] = "formula"
    at.session_state["sym_formula"] = "sin(x"
    at.run()
    assert_no_exception(at)
    assert at.text_input(key="sym_formula").value == "sin(x"  # the text is kept


def test_mlp_source_without_a_network_says_where_to_get_one(app_page):
    at = app_page(PAGE)
    at.session_state["sym_source"] = "mlp"
    at.run()
    assert_no_exception(at)
    assert "MLP fitting" in _texts(at.info)


def test_network_from_the_mlp_page_is_distilled(app_page):
    # A finished job of the MLP page's live-training widget, as that page leaves it in the session.
    from dataclasses import replace

    from nnkit.fitting import PRESETS, builtin_target, make_data
    from nnkit.training import TrainingJob
    from nnkit.ui.live_training import _keys

    target = builtin_target("sine")
    settings = replace(PRESETS["plain MLP"], hidden=(32, 32), epochs=40, batch_size=None, lr=1e-2)
    X, y = make_data(target, 300, 0.0, 0)
    job = TrainingJob(settings.trainer(target, X, y), epochs=settings.epochs)
    job.start()
    job.join(120)
    job_key, config_key, _ = _keys("mlp")
    at = app_page(PAGE)
    at.session_state["sym_source"] = "mlp"
    at.session_state[job_key] = job
    at.session_state[config_key] = (target.name, target.domain, 300, 0.0, 0, settings)
    at.run()
    assert_no_exception(at)
    assert "The MLP page's network" in _texts(at.caption)
    assert len(at.latex) == 1
    scores = at.dataframe[0].value
    assert list(scores["model"]) == ["network", "formula"]  # both scored against sin(2πx)
