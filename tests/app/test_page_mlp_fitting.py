"""AppTest: the MLP fitting page trains live, stops, continues, extrapolates, applies presets."""

from __future__ import annotations

import json
import time

from nnkit.function_fitting import (
    BEHAVIOURS,
    LEARNED_R2,
    PRESETS,
    builtin_target,
    diagnose_recipe,
    make_data,
)
from tests.app.conftest import assert_no_exception

PAGE = "pages/mlp_fitting.py"
JOB = "_live_mlp_job"


def _job(at):
    return at.session_state[JOB] if JOB in at.session_state else None


def _wait(at, until, seconds: float = 60.0):
    """Re-run the page until ``until(snapshot)`` holds (the live view refreshes itself)."""
    deadline = time.monotonic() + seconds
    while not until(_job(at).snapshot()) and time.monotonic() < deadline:
        time.sleep(0.3)
        at.run()
    return _job(at).snapshot()


def _markdown(at) -> list[str]:
    return [m.value for m in at.markdown]


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
    assert len(at.info) == 1 and _job(at) is None
    assert at.selectbox(key="mlp_preset").value == "plain MLP"


def test_start_stop_continue_and_extrapolation_view(app_page):
    at = _small(app_page(PAGE).run())
    at.button(key="mlp_start").click().run()
    assert_no_exception(at)
    assert _job(at).running and not at.button(key="mlp_stop").disabled
    _wait(at, lambda s: s.epochs >= 2)
    at.button(key="mlp_stop").click().run()
    assert_no_exception(at)
    snap = _job(at).snapshot()
    assert not snap.running and snap.stop_reason == "stopped"
    stopped_at = snap.epochs
    assert stopped_at >= 2
    # The last live frame is not live any more: it no longer asks for Stop (now disabled).
    assert at.button(key="mlp_stop").disabled
    live = [c.value for c in at.caption if "R² inside the box" in c.value]
    assert live and not any("press Stop" in c for c in live)
    # extrapolation view: R² inside and outside the box, and the note computed from them
    labels = [m.label for m in at.metric]
    assert "R² inside the box" in labels and "R² outside the box" in labels
    r2_in = float(at.metric[labels.index("R² inside the box")].value)
    r2_out = float(at.metric[labels.index("R² outside the box")].value)
    note = next(m for m in _markdown(at) if f"R² = {r2_in:.4f}" in m)
    assert f"R² = {r2_out:.3f}" in note
    if r2_in < LEARNED_R2:  # a few epochs: the note must not judge extrapolation
        assert not any(text.split("{")[0] in note for text in BEHAVIOURS.values())
    # continue: same model, more epochs
    assert not at.button(key="mlp_continue").disabled
    at.button(key="mlp_continue").click().run()
    _wait(at, lambda s: s.epochs > stopped_at + 1)
    at.button(key="mlp_stop").click().run()
    assert_no_exception(at)
    assert _job(at).snapshot().epochs > stopped_at + 1


def _caption_describes(at, settings) -> bool:
    return any(settings.describe() in c.value for c in at.caption)


def test_presets_fill_in_the_settings(app_page):
    at = app_page(PAGE).run()
    assert _caption_describes(at, PRESETS["plain MLP"])
    at.selectbox(key="mlp_preset").set_value("Fourier features").run()
    assert_no_exception(at)
    fourier = PRESETS["Fourier features"]
    assert at.number_input(key="mlp_fourier_features").value == fourier.fourier_features == 128
    assert at.select_slider(key="mlp_lr_decay").value == 1.0
    assert at.checkbox(key="mlp_cosine").value is True
    assert at.number_input(key="mlp_layers").value == 2
    assert _caption_describes(at, fourier)
    at.selectbox(key="mlp_preset").set_value("lecture TorchMLP · SGD lr 1e-6").run()
    assert_no_exception(at)
    assert at.number_input(key="mlp_width").value == 3
    assert at.checkbox(key="mlp_output_relu").value is True
    assert at.checkbox(key="mlp_summed").value is True
    assert at.checkbox(key="mlp_cosine").value is False
    assert at.select_slider(key="mlp_lr").value == 1e-6
    assert at.selectbox(key="mlp_batch_size").value == "full batch"
    assert _caption_describes(at, PRESETS["lecture TorchMLP · SGD lr 1e-6"])


def test_lecture_preset_trains_and_reports_what_its_recipe_does(app_page):
    at = app_page(PAGE).run()
    preset = "lecture TorchMLP · RMSprop lr 1e-3"
    at.selectbox(key="mlp_preset").set_value(preset).run()
    at.number_input(key="mlp_n").set_value(200)
    at.number_input(key="mlp_epochs").set_value(20)
    at.run()
    at.button(key="mlp_start").click().run()
    snap = _wait(at, lambda s: not s.running)
    at.run()
    assert_no_exception(at)
    assert snap.stop_reason == "completed" and snap.epochs == 20
    # the page's notes are the diagnostics of the trained model, with its numbers
    target = builtin_target("rastrigin")
    X, y = make_data(target, 200, 0.0, 0)
    settings = PRESETS[preset]
    expected = diagnose_recipe(
        settings, _job(at).model_at(snap), target, X, y, val_fraction=0.1
    ).notes()
    assert len(expected) == 2  # dead output ReLU and unscaled data (RMSprop: no SGD note)
    assert all(paragraph in _markdown(at) for paragraph in expected)


def test_bad_inputs_give_messages_not_crashes(app_page):
    at = app_page(PAGE).run()
    at.number_input(key="mlp_lo_rastrigin").set_value(3.0)
    at.number_input(key="mlp_hi_rastrigin").set_value(1.0)
    at.run()
    assert_no_exception(at)
    assert len(at.error) == 1 and not any(b.key == "mlp_start" for b in at.button)
    at.number_input(key="mlp_hi_rastrigin").set_value(5.0).run()
    assert not at.error and at.button(key="mlp_start")
    # a box a float32 network sees as one point (float32 steps of 1/16 near 10^6)
    at.number_input(key="mlp_lo_rastrigin").set_value(999_999.0)
    at.number_input(key="mlp_hi_rastrigin").set_value(1e6).run()
    assert_no_exception(at)
    assert any("float32" in e.value and "widen" in e.value for e in at.error)
    assert not any(b.key == "mlp_start" for b in at.button)
    at.number_input(key="mlp_lo_rastrigin").set_value(-5.0).run()
    assert not at.error and at.button(key="mlp_start")
    at.selectbox(key="mlp_target").set_value("formula").run()
    assert_no_exception(at)
    at.text_input(key="mlp_formula").set_value("log(x)").run()
    assert_no_exception(at)
    assert len(at.error) == 1 and not any(b.key == "mlp_start" for b in at.button)
    at.text_input(key="mlp_formula").set_value("sin(x) +* y").run()
    assert_no_exception(at)
    assert at.error  # the parser's message, text kept
    assert at.text_input(key="mlp_formula").value == "sin(x) +* y"
    assert at.number_input(key="mlp_lo_formula").value == -2.0  # the box stays editable


def test_one_dimensional_target_and_universal_approximation(app_page):
    at = app_page(PAGE).run()
    at.selectbox(key="mlp_target").set_value("runge").run()
    assert_no_exception(at)
    at.segmented_control(key="mlp_part").set_value("Universal approximation").run()
    at.select_slider(key="ua_max").set_value(16).run()
    assert_no_exception(at)
    df = at.dataframe[0].value  # headers in words, no snake_case
    assert not any("_" in c for c in df.columns)
    assert list(df["hidden units"]) == [1, 2, 4, 8, 16]
    best = df["RMS error"].min()
    note = next(m for m in _markdown(at) if f"{df['RMS error'].iloc[0]:.3g}" in m)
    assert (
        f"{best:.3g}" in note and str(int(df.loc[df["RMS error"].idxmin(), "hidden units"])) in note
    )
    # The chart names the activation the sweep used (its title said "sigmoids" for all).
    for act in ("sigmoid", "tanh"):
        at.selectbox(key="ua_act").set_value(act)
        at.select_slider(key="ua_max").set_value(2).run()
        titles = [json.loads(c.proto.spec).get("title") for c in at.get("vega_lite_chart")]
        assert any(f"hidden {act} units" in str(t) for t in titles), titles


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
    assert len(at.metric) == 2
    r2 = {run: float(m.value) for run, m in zip("AB", at.metric, strict=True)}
    better = max(r2, key=r2.get)
    note = next(m for m in _markdown(at) if f"{r2[better]:.4f}" in m)
    assert f"Run {better}" in note or r2["A"] == r2["B"]
