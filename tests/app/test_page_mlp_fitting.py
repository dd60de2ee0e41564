"""AppTest: the MLP fitting page trains live, stops, continues, extrapolates, applies presets."""

from __future__ import annotations

import re
import time

from tests.app.conftest import assert_no_exception

PAGE = "pages/mlp_fitting.py"


def _status(at) -> str:
    for m in at.markdown:
        if m.value.startswith(("Training…", "Stopped", "Ready")):
            return m.value
    return ""


def _epoch(at) -> int:
    m = re.search(r"epoch \*\*(\d+)\*\*", _status(at))
    return int(m.group(1)) if m else -1


def _small(at):
    at.number_input(key="mlp_n").set_value(300)
    at.number_input(key="mlp_width").set_value(16)
    at.number_input(key="mlp_layers").set_value(1)
    at.number_input(key="mlp_epochs").set_value(5000)
    return at.run()


def test_first_load_shows_the_target_and_start_button(app_page):
    at = app_page(PAGE).run()
    assert_no_exception(at)
    assert [b.label for b in at.button][:3] == ["Start", "Stop", "Continue"]
    assert at.button(key="mlp_stop").disabled and at.button(key="mlp_continue").disabled
    assert any("Press **Start**" in i.value for i in at.info)
    assert at.selectbox(key="mlp_preset").value == "plain MLP"


def test_start_stop_continue_and_extrapolation_view(app_page):
    at = _small(app_page(PAGE).run())
    at.button(key="mlp_start").click().run()
    assert_no_exception(at)
    assert _status(at).startswith("Training…")
    assert not at.button(key="mlp_stop").disabled
    deadline = time.monotonic() + 60
    while _epoch(at) < 2 and time.monotonic() < deadline:
        time.sleep(0.3)
        at.run()
    at.button(key="mlp_stop").click().run()
    assert_no_exception(at)
    assert _status(at).startswith("Stopped (stopped by the user)")
    stopped_at = _epoch(at)
    assert stopped_at >= 2
    # extrapolation view: R² inside and outside the box, the computed note
    labels = [m.label for m in at.metric]
    assert "R² inside the box" in labels and "R² outside the box" in labels
    r2_in = float(at.metric[labels.index("R² inside the box")].value)
    assert any("What you see" in m.value and f"R² = {r2_in:.4f}" in m.value for m in at.markdown)
    # continue: same model, more epochs
    assert not at.button(key="mlp_continue").disabled
    at.button(key="mlp_continue").click().run()
    deadline = time.monotonic() + 60
    while _epoch(at) <= stopped_at + 1 and time.monotonic() < deadline:
        time.sleep(0.3)
        at.run()
    at.button(key="mlp_stop").click().run()
    assert_no_exception(at)
    assert _epoch(at) > stopped_at + 1


def test_presets_fill_in_the_settings(app_page):
    at = app_page(PAGE).run()
    at.selectbox(key="mlp_preset").set_value("Fourier features").run()
    assert_no_exception(at)
    assert at.number_input(key="mlp_ff").value == 128
    assert at.select_slider(key="mlp_decay").value == 1.0
    assert at.checkbox(key="mlp_cosine").value is True
    assert any("cosine lr schedule" in c.value for c in at.caption)
    assert at.number_input(key="mlp_layers").value == 2
    at.selectbox(key="mlp_preset").set_value("lecture TorchMLP · SGD lr 1e-6").run()
    assert_no_exception(at)
    assert at.number_input(key="mlp_width").value == 3
    assert at.checkbox(key="mlp_outrelu").value is True
    assert at.checkbox(key="mlp_sum").value is True
    assert at.checkbox(key="mlp_cosine").value is False
    assert at.select_slider(key="mlp_lr").value == 1e-6
    assert at.selectbox(key="mlp_bs").value == "full batch"
    assert any("2→3→1" in c.value or "3 relu" in c.value for c in at.caption)


def test_lecture_preset_trains_and_reports_the_output_relu(app_page):
    at = app_page(PAGE).run()
    at.selectbox(key="mlp_preset").set_value("lecture TorchMLP · RMSprop lr 1e-3").run()
    at.number_input(key="mlp_n").set_value(200)
    at.number_input(key="mlp_epochs").set_value(20)
    at.run()
    at.button(key="mlp_start").click().run()
    deadline = time.monotonic() + 60
    while not _status(at).startswith("Stopped") and time.monotonic() < deadline:
        time.sleep(0.3)
        at.run()
    assert_no_exception(at)
    assert _status(at).startswith("Stopped (all requested epochs done)")
    assert any("output ReLU returns exactly 0" in m.value for m in at.markdown)
    assert any("Inputs enter unscaled (±5.12)" in m.value for m in at.markdown)


def test_bad_inputs_give_messages_not_crashes(app_page):
    at = app_page(PAGE).run()
    at.number_input(key="mlp_lo_rastrigin").set_value(3.0)
    at.number_input(key="mlp_hi_rastrigin").set_value(1.0)
    at.run()
    assert_no_exception(at)
    assert any("to* > *from*" in e.value for e in at.error)
    at.number_input(key="mlp_hi_rastrigin").set_value(5.0).run()
    at.selectbox(key="mlp_target").set_value("formula").run()
    assert_no_exception(at)
    at.text_input(key="mlp_formula").set_value("log(x)").run()
    assert_no_exception(at)
    assert any("not a finite number" in e.value for e in at.error)
    at.text_input(key="mlp_formula").set_value("sin(x) +* y").run()
    assert_no_exception(at)
    assert at.error  # the parser's message, text kept
    assert at.text_input(key="mlp_formula").value == "sin(x) +* y"


def test_one_dimensional_target_and_universal_approximation(app_page):
    at = app_page(PAGE).run()
    at.selectbox(key="mlp_target").set_value("runge").run()
    assert_no_exception(at)
    at.segmented_control(key="mlp_part").set_value("Universal approximation").run()
    at.select_slider(key="ua_max").set_value(16).run()
    assert_no_exception(at)
    note = next(m.value for m in at.markdown if m.value.startswith("**What you see.**"))
    assert "With 1 sigmoid unit the RMS error is" in note
    assert len(at.dataframe[0].value) == 5  # widths 1, 2, 4, 8, 16


def test_compare_two_runs(app_page):
    at = app_page(PAGE).run()
    at.segmented_control(key="mlp_part").set_value("Compare two runs").run()
    assert_no_exception(at)
    at.number_input(key="cmp_n").set_value(200)
    for p in ("cmpa_", "cmpb_"):
        at.number_input(key=f"{p}epochs").set_value(3)
        at.number_input(key=f"{p}width").set_value(8)
    at.run()
    at.button(key="cmp_go").click().run()
    assert_no_exception(at)
    labels = [m.label for m in at.metric]
    assert labels == ["run A: R² inside the box", "run B: R² inside the box"]
    assert any("fits the box better" in m.value for m in at.markdown)
