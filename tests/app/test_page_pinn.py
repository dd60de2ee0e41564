"""AppTest of pages/pinn.py: every problem renders and trains a few steps; bad settings give messages."""

from __future__ import annotations

import time

import pytest

from nnkit.ui.course import page_title
from tests.app.conftest import assert_no_exception

PAGE = "pages/pinn.py"
JOB = "_live_pinn_job"


def _select(at, key):
    at.selectbox(key="pinn_problem").set_value(key).run()
    assert_no_exception(at)
    return at


def _tiny(at, key, adam=2, lbfgs=1, n=64):
    at.number_input(key=f"pinn_{key}_adam").set_value(adam)
    at.number_input(key=f"pinn_{key}_lbfgs").set_value(lbfgs)
    at.number_input(key=f"pinn_{key}_ncol").set_value(n)
    if f"pinn_{key}_ref_every" in [w.key for w in at.number_input]:
        at.number_input(key=f"pinn_{key}_ref_every").set_value(1)
    return at.run()


def _train(at, timeout=60.0):
    at.button(key="pinn_start").click().run()
    assert_no_exception(at)
    job = at.session_state[JOB]
    end = time.monotonic() + timeout
    while job.running and time.monotonic() < end:
        job.heartbeat()  # the live view's refresh does this in a browser
        time.sleep(0.1)
    assert not job.running
    at.run()
    assert_no_exception(at)
    return job


def _text(at) -> str:
    return "\n".join(m.value for m in at.markdown)


def test_first_load_shows_the_reference_and_setup_without_training(app_page):
    at = app_page(PAGE).run()
    assert_no_exception(at)
    assert at.title[0].value == page_title("pages/pinn.py")  # = its navigation label
    assert any("u''" in x.value or "pi" in x.value for x in at.latex)
    assert len(at.get("vega_lite_chart")) >= 1  # the reference solution
    assert JOB not in at.session_state  # nothing trains before the button
    assert any("Train" in i.value for i in at.info)


@pytest.mark.parametrize(
    "key", ["poisson", "oscillator", "oscillator_inverse", "heat", "burgers", "ode"]
)
def test_each_problem_renders_and_trains_a_few_steps(app_page, key):
    at = app_page(PAGE).run()
    _select(at, key)
    _tiny(at, key)
    job = _train(at)
    snap = job.snapshot()
    assert snap.error is None
    assert snap.epochs == 3 and snap.stop_reason == "completed"
    assert "residual" in snap.history.terms
    assert snap.history.monitor["rel_l2"]  # the error against the reference was measured
    text = _text(at)
    assert "Relative L2 error" in text and "against the reference" in text
    if key == "oscillator_inverse":
        assert "Estimated μ" in text and "true 4" in text
    if key == "burgers":
        assert job.trainer.added_.shape[0] > 0  # refinement added points, drawn on the domain
        assert "added by refinement" in text


def test_bfgs_can_be_chosen_and_trains(app_page):
    at = app_page(PAGE).run()
    _select(at, "heat")
    at.selectbox(key="pinn_heat_qn").set_value("bfgs")
    _tiny(at, "heat", adam=1, lbfgs=2)
    job = _train(at)
    snap = job.snapshot()
    assert snap.error is None and snap.stop_reason == "completed"
    assert type(job.trainer._trainer.optimizer).__name__ == "BFGS"
    assert [ph for _, ph in job.trainer.phase_starts_] == ["adam", "bfgs"]


def test_burgers_offers_the_papers_setup_with_its_own_settings(app_page):
    at = app_page(PAGE).run()
    _select(at, "burgers")
    at.radio(key="pinn_burgers_setup").set_value("paper").run()
    assert_no_exception(at)
    assert at.slider(key="pinn_burgers_paper_layers").value == 8
    assert at.select_slider(key="pinn_burgers_paper_width").value == 20
    assert at.number_input(key="pinn_burgers_paper_ncol").value == 10_000
    assert at.number_input(key="pinn_burgers_paper_ncond").value == 50
    assert at.toggle(key="pinn_burgers_paper_hard").value is False
    assert at.selectbox(key="pinn_burgers_paper_qn").value == "bfgs"
    from nnkit.pinn.presets import PAPER_BURGERS_MEASURED as measured

    # the caption quotes the benchmark's median from its one home, beside the paper's figure
    assert any(
        "capped" in c.value
        and f"{measured['bfgs_3min']:.1e}" in c.value
        and f"{measured['paper']:.1e}" in c.value
        for c in at.caption
    )
    # a tiny run of it trains with the paper's initialisation in float64
    at.number_input(key="pinn_burgers_paper_ncol").set_value(64)
    at.number_input(key="pinn_burgers_paper_lbfgs").set_value(1).run()
    job = _train(at)
    assert job.snapshot().error is None and job.snapshot().epochs == 1
    assert job.trainer.config.init == "glorot_normal"
    assert str(job.trainer.dtype) == "torch.float64"


def test_bfgs_with_a_network_too_big_for_its_matrix_gives_a_message(app_page):
    at = app_page(PAGE).run()
    _select(at, "heat")
    at.selectbox(key="pinn_heat_qn").set_value("bfgs")
    at.slider(key="pinn_heat_layers").set_value(8)
    at.select_slider(key="pinn_heat_width").set_value(64).run()
    assert_no_exception(at)
    assert any("choose L-BFGS" in e.value and "weights" in e.value for e in at.error)
    at.button(key="pinn_start").click().run()
    assert_no_exception(at)
    assert JOB not in at.session_state or not at.session_state[JOB].running
    assert at.selectbox(key="pinn_heat_qn").value == "bfgs"  # the user's choices are kept
    assert at.slider(key="pinn_heat_layers").value == 8


def test_zero_collocation_points_gives_a_message_and_no_crash(app_page):
    at = app_page(PAGE).run()
    at.number_input(key="pinn_poisson_ncol").set_value(0).run()
    assert_no_exception(at)
    assert any("collocation point" in e.value for e in at.error)
    at.button(key="pinn_start").click().run()
    assert_no_exception(at)
    assert any("Could not start training" in e.value for e in at.error)
    assert at.number_input(key="pinn_poisson_ncol").value == 0  # the user's input is kept


def test_negative_viscosity_gives_a_message(app_page):
    at = app_page(PAGE).run()
    _select(at, "burgers")
    at.number_input(key="pinn_burgers_nu").set_value(-0.01).run()
    assert_no_exception(at)
    assert any("viscosity" in e.value and "positive" in e.value for e in at.error)


def test_formula_that_is_not_a_function_of_t_and_u_gives_a_message(app_page):
    at = app_page(PAGE).run()
    _select(at, "ode")
    at.text_input(key="pinn_ode_f").set_value("sin(x) * u").run()
    assert_no_exception(at)
    shown = " ".join(e.value for e in at.error) + " ".join(m.value for m in at.markdown)
    assert "x" in shown and ("Unknown" in shown or "unknown" in shown)
    assert at.text_input(key="pinn_ode_f").value == "sin(x) * u"


def test_ode_that_blows_up_gives_a_message(app_page):
    at = app_page(PAGE).run()
    _select(at, "ode")
    at.text_input(key="pinn_ode_f").set_value("u^2").run()
    assert_no_exception(at)
    assert any("blow" in e.value or "grows" in e.value or "stopped" in e.value for e in at.error)


def test_an_ode_interval_too_long_to_solve_gives_a_message(app_page, monkeypatch):
    """T = 1e300 kept the page's reference solver stepping for ever (one core busy, the
    visitor waiting); its budget of evaluations (made small here) ends it with a message."""
    from nnkit.pinn import reference

    monkeypatch.setattr(reference, "MAX_ODE_EVALUATIONS", 3000)
    at = app_page(PAGE).run()
    _select(at, "ode")
    at.number_input(key="pinn_ode_t_end").set_value(1e300).run()
    assert_no_exception(at)
    assert any("shorten the interval" in e.value for e in at.error), [e.value for e in at.error]
    assert at.number_input(key="pinn_ode_t_end").value == 1e300  # what the user typed is kept
    # The refusal is remembered: the next rerun does not spend the solver's budget again.
    calls = []
    solve = reference.ode_reference
    monkeypatch.setattr(
        reference, "ode_reference", lambda *a, **kw: calls.append(1) or solve(*a, **kw)
    )
    at.run()
    assert any("shorten the interval" in e.value for e in at.error)
    assert calls == []


@pytest.mark.parametrize(("box", "value"), [("m", 1e-300), ("mu", 1e308)])
def test_an_oscillator_constant_at_an_extreme_gives_a_message(app_page, box, value):
    # one box alone (the hostile corpus sets every box at once): δ² overflowed in the reference
    at = _select(app_page(PAGE).run(), "oscillator")
    at.number_input(key=f"pinn_oscillator_{box}").set_value(value).run()
    assert_no_exception(at)
    assert any("under-damped" in e.value for e in at.error)


def _live_captions(at) -> list[str]:
    return [c.value for c in at.caption if "refreshed while it trains" in c.value]


def test_live_solution_view_while_training_and_its_switch(app_page):
    at = app_page(PAGE).run()
    _select(at, "heat")
    at.number_input(key="pinn_heat_adam").set_value(5000).run()  # long enough to still be running
    at.button(key="pinn_start").click().run()
    assert_no_exception(at)
    job = at.session_state[JOB]
    try:
        end = time.monotonic() + 60
        while job.snapshot().epochs < 2 and time.monotonic() < end:
            job.heartbeat()
            time.sleep(0.1)
        at.run()
        assert_no_exception(at)
        assert job.running
        (caption,) = _live_captions(at)
        assert "21 × 41 grid" in caption and "epoch" in caption
        charts = at.get("vega_lite_chart")
        assert any("Network now" in c.proto.spec for c in charts)  # the live map of u
        at.toggle(key="pinn_live_view").set_value(False).run()
        assert_no_exception(at)
        assert not _live_captions(at)
    finally:
        job.stop()
        end = time.monotonic() + 30
        while job.running and time.monotonic() < end:
            time.sleep(0.1)
    at.run()
    assert not _live_captions(at)  # after Stop: the full-resolution maps instead
    assert "Relative L2 error" in _text(at)
