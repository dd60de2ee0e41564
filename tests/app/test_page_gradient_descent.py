"""AppTest: the gradient-descent page renders each part, reacts, and survives divergence."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlsplit

import pytest

from nnkit import landscapes as L
from tests.app.conftest import assert_no_exception

PAGE = "pages/gradient_descent.py"
PART2 = "Batch vs SGD"
PART3 = "Optimizer race"


def texts(elements) -> str:
    return "\n".join(str(e.value) for e in elements)


def metric(at, label_start: str) -> str:
    return next(m.value for m in at.metric if m.label.startswith(label_start))


def open_share(at, key: str) -> str:
    """Open the part's "Share" popover as a click would (drawn only while open): its link."""
    assert not at.code  # closed: no link box (nor the highlighter it loads in a browser)
    at.session_state[key] = True
    at.run()
    return at.code[-1].value


def link_params(at, key: str = "p1_share") -> list[tuple[str, str]]:
    return parse_qsl(urlsplit(open_share(at, key)).query)


@pytest.fixture(scope="module")
def lecture():
    problem = L.lecture_problem(0)
    return problem, L.analyse(problem)


def test_part1_shows_the_lecture_result_with_references(app_page, lecture):
    problem, a = lecture
    at = app_page(PAGE).run()
    assert_no_exception(at)
    run = L.gradient_descent(problem, lr=0.01, epochs=1000)
    assert metric(at, "w after 1000") == f"{run.final[0]:.5f}"
    assert metric(at, "b after 1000") == f"{run.final[1]:.5f}"
    assert metric(at, "Critical") == f"{a.critical_lr:.5f}"
    note = texts(at.info)
    need = a.steps_to_reach((problem.w0, problem.b0), 0.01, 1e-3)
    assert need > 1000 and str(need) in note  # the lecture's 1000 epochs are not enough
    assert f"{run.final[1]:.4f}" in note and f"{a.b_star:.4f}" in note
    assert not at.error
    assert at.slider(key="p1_step").value == 1000  # the animation starts on the last frame


def test_part1_learning_rate_changes_the_run(app_page):
    at = app_page(PAGE).run()
    before = metric(at, "b after")
    at.slider(key="p1_lr").set_value(0.02).run()
    assert_no_exception(at)
    assert metric(at, "b after") != before
    at.number_input(key="p1_seed").set_value(3).run()
    assert_no_exception(at)
    problem = L.lecture_problem(3)
    run = L.gradient_descent(problem, lr=0.02, epochs=1000)
    assert metric(at, "b after") == f"{run.final[1]:.5f}"


def test_exploding_learning_rate_gives_a_message_and_a_truncated_path(app_page, lecture):
    problem, a = lecture
    at = app_page(PAGE).run()
    at.slider(key="p1_lr").set_value(0.04).run()
    assert_no_exception(at)
    run = L.gradient_descent(problem, lr=0.04, epochs=1000)
    assert run.diverged
    assert len(at.error) == 1
    err = texts(at.error)
    assert f"epoch {run.diverged_at}" in err and f"{a.critical_lr:.4f}" in err
    # the animation runs over the truncated path only
    assert at.slider(key="p1_step").value == run.steps < 1000


def test_play_and_pause(app_page):
    at = app_page(PAGE).run()
    at.button(key="p1_play").click().run()  # at the last frame: Play restarts from 0
    assert_no_exception(at)
    assert at.session_state["p1_playing"] is True
    stride = 1000 // 40
    assert stride <= at.slider(key="p1_step").value < 1000  # restarted, a frame or more on
    at.run()  # the next tick moves on
    assert at.slider(key="p1_step").value >= 2 * stride
    at.button(key="p1_play").click().run()  # Pause
    assert at.session_state["p1_playing"] is False
    at.slider(key="p1_step").set_value(250).run()
    assert_no_exception(at)
    w, b = L.gradient_descent(L.lecture_problem(0), lr=0.01, epochs=1000).path[250]
    assert f"y = {w:.4f}\\,x {b:+.4f}$ after 250 epochs" in texts(at.caption)
    at.slider(key="p1_epochs").set_value(600).run()  # a new run starts on its last frame
    assert at.slider(key="p1_step").value == 600


def test_part2_renders_and_batch_size_changes_results(app_page):
    at = app_page(PAGE)
    at.query_params["part"] = PART2
    at.run()
    assert_no_exception(at)
    table = at.dataframe[0].value
    assert list(table["steps"]) == [50, 5000, 200]
    at.number_input(key="p2_batch").set_value(10).run()
    assert_no_exception(at)
    table = at.dataframe[0].value
    assert table["steps"].iloc[2] == 500 and "10" in table["mode"].iloc[2]
    problem = L.lecture_problem(0)
    run = L.gradient_descent(problem, lr=0.01, epochs=50, batch_size=10, seed=0)
    assert table["final b"].iloc[2] == pytest.approx(run.final[1], rel=1e-12)
    # the note names the run with the lowest final loss, and its loss
    best = table.loc[table["final J"].idxmin()]
    assert best["mode"] in texts(at.info) and f"{best['final J']:.5f}" in texts(at.info)


def test_part2_sgd_diverges_where_batch_does_not(app_page):
    at = app_page(PAGE)
    at.query_params["part"] = PART2
    at.run()

    def paths() -> str:  # the caption of the three paths on the contours
        return next(c.value for c in at.caption if "on the contours of" in c.value)

    fast = 1 - 0.01 * L.analyse(L.lecture_problem(0)).lambda_max  # α = 0.01: factor > 0
    assert f"batch drops straight into the valley (1 − αλ_max = {fast:.3f}" in paths()
    assert "diverged" not in paths()
    at.slider(key="p2_lr").set_value(0.03).run()
    assert_no_exception(at)
    sgd = L.gradient_descent(L.lecture_problem(0), lr=0.03, epochs=50, batch_size=1, seed=0)
    assert sgd.diverged
    table = at.dataframe[0].value
    assert len(at.error) == 1  # SGD only: batch is stable at this α
    assert table["mode"].iloc[1] in at.error[0].value
    assert f"step {sgd.diverged_at}" in at.error[0].value
    assert table["diverged at step"].iloc[1] == sgd.diverged_at
    assert table["diverged at step"].iloc[[0, 2]].isna().all()
    # the paths' caption: SGD's ends where it diverged; batch zig-zags (α > 1/λ_max)
    assert f"{table['mode'].iloc[1]} diverged at step {sgd.diverged_at}" in paths()
    assert "batch zig-zags" in paths() and "noisy" not in paths()
    at.slider(key="p2_lr").set_value(0.05).run()  # all three diverge: no path "glides"
    assert len(at.error) == 3 and paths().count("diverged at step") == 3


def test_part3_renders_and_optimizer_choice_changes_results(app_page):
    at = app_page(PAGE)
    at.query_params["part"] = PART3
    at.query_params["steps"] = "60"
    at.run()
    assert_no_exception(at)
    table = at.dataframe[0].value
    assert list(table["optimizer"]) == [s.label for s in L.OPTIMIZERS.values()]
    surf = L.surface("rosenbrock")
    adam = L.trajectory(surf, "adam", start=(-1.2, 1.0), steps=60)
    row = table[table["optimizer"] == "Adam"].iloc[0]
    assert row["final x"] == pytest.approx(adam.final[0], rel=1e-12)
    at.multiselect(key="opts").set_value(["sgd", "adam"]).run()
    assert list(at.dataframe[0].value["optimizer"]) == ["SGD", "Adam"]
    at.number_input(key="hp_adam_lr").set_value(0.1).run()
    assert_no_exception(at)
    row = at.dataframe[0].value.iloc[1]
    assert "lr=0.1" in row["hyper-parameters"]
    assert row["final x"] == pytest.approx(
        L.trajectory(surf, "adam", start=(-1.2, 1.0), steps=60, lr=0.1).final[0], rel=1e-12
    )
    at.multiselect(key="opts").set_value([]).run()
    assert_no_exception(at)
    assert len(at.warning) == 1 and not at.dataframe  # asks for an optimizer, runs nothing


def test_part3_exploding_learning_rate_is_reported(app_page):
    at = app_page(PAGE)
    at.query_params["part"] = PART3
    at.query_params["steps"] = "60"
    at.run()
    at.number_input(key="hp_sgd_lr").set_value(0.01).run()
    assert_no_exception(at)
    tr = L.trajectory(L.surface("rosenbrock"), "sgd", start=(-1.2, 1.0), steps=60, lr=0.01)
    assert tr.diverged
    assert len(at.error) == 1 and f"step {tr.diverged_at}" in at.error[0].value
    assert at.dataframe[0].value["diverged at step"].iloc[0] == tr.diverged_at


def test_part3_presets_and_surface_switch(app_page):
    at = app_page(PAGE)
    at.query_params["part"] = PART3
    at.query_params["steps"] = "60"
    at.run()
    at.button(key="preset_momentum_ravine").click().run()
    assert_no_exception(at)
    preset = L.PRESETS["momentum_ravine"]
    assert at.selectbox(key="surface").value == "quadratic"
    assert at.slider(key="kappa").value == preset.params["condition"]
    assert list(at.dataframe[0].value["optimizer"]) == ["SGD", "SGD + momentum", "Nesterov"]
    assert preset.title in texts(at.info)  # the picture's explanation is shown
    assert at.session_state["p3_playing"] is True  # the picture plays from the start
    assert 0 < at.slider(key="p3_step").value < preset.steps
    runs = L.race(
        L.surface("quadratic", condition=50), preset.optimizers, preset.start, preset.steps
    )
    mom = at.dataframe[0].value.iloc[1]
    assert mom["final x"] == pytest.approx(runs[1].final[0], rel=1e-12)
    at.number_input(key="hp_nesterov_lr").set_value(0.035).run()  # no longer the preset
    assert preset.title not in texts(at.info)
    nesterov = at.dataframe[0].value.iloc[2]
    assert len(at.error) == 1 and f"step {int(nesterov['diverged at step'])}" in at.error[0].value
    at.selectbox(key="surface").set_value("himmelblau").run()
    assert_no_exception(at)
    assert (at.number_input(key="x0").value, at.number_input(key="y0").value) == L.surface(
        "himmelblau"
    ).start
    at.selectbox(key="surface").set_value("saddle").run()
    assert_no_exception(at)
    table = at.dataframe[0].value
    assert (table["nearest known minimum"] == "—").all()
    ok = table[table["diverged at step"].isna()]
    far = ok.loc[(ok["final x"] ** 2 + ok["final y"] ** 2).idxmax()]
    assert far["optimizer"] in texts(at.info)  # the note names the run that went farthest
    assert f"({far['final x']:.3g}, {far['final y']:.3g})" in texts(at.info)


def test_link_restores_the_settings(app_page):
    at = app_page(PAGE).run()
    at.slider(key="p1_lr").set_value(0.02).run()
    at.slider(key="p1_epochs").set_value(400).run()
    params = link_params(at)
    assert ("p1_lr", "0.02") in params and ("p1_epochs", "400") in params
    fresh = app_page(PAGE)
    for k, v in params:
        fresh.query_params[k] = v
    fresh.run()
    assert_no_exception(fresh)
    assert fresh.slider(key="p1_lr").value == 0.02
    assert fresh.slider(key="p1_epochs").value == 400
    assert metric(fresh, "b after 400") == metric(at, "b after 400")

    at3 = app_page(PAGE)
    at3.query_params["part"] = PART3
    at3.query_params["steps"] = "40"
    at3.run()
    at3.selectbox(key="surface").set_value("beale").run()
    at3.multiselect(key="opts").set_value(["momentum", "rmsprop"]).run()
    at3.number_input(key="hp_rmsprop_alpha").set_value(0.9).run()
    # the tab travels as plain words (no "3+%C2%B7+..." in the link)
    assert "part=" + PART3.replace(" ", "+") in open_share(at3, "p3_share")
    fresh3 = app_page(PAGE)
    grouped: dict[str, list[str]] = {}
    for k, v in parse_qsl(urlsplit(at3.code[-1].value).query):
        grouped.setdefault(k, []).append(v)
    for k, v in grouped.items():
        fresh3.query_params[k] = v if len(v) > 1 else v[0]
    fresh3.run()
    assert_no_exception(fresh3)
    assert fresh3.selectbox(key="surface").value == "beale"
    assert fresh3.multiselect(key="opts").value == ["momentum", "rmsprop"]
    assert fresh3.number_input(key="hp_rmsprop_alpha").value == 0.9
    assert fresh3.dataframe[0].value.equals(at3.dataframe[0].value)


def test_fair_use_cap_bounds_epochs_and_steps(app_page, monkeypatch):
    import nnkit.limits
    import nnkit.ui.policy

    monkeypatch.setattr(nnkit.ui.policy, "LIMITS", nnkit.limits.Limits(max_epochs=300))
    at = app_page(PAGE).run()
    assert_no_exception(at)
    epochs = at.slider(key="p1_epochs")
    assert epochs.max == 300 and epochs.value == 300
    assert metric(at, "w after 300 epochs")
    at.session_state["part"] = PART3
    at.run()
    assert at.slider(key="steps").max == 300


def test_part3_reports_a_local_minimum(app_page):
    at = app_page(PAGE)
    at.query_params["part"] = PART3
    at.query_params["surface"] = "Rastrigin"
    at.query_params["x0"] = "2.3"
    at.query_params["y0"] = "1.7"
    at.query_params["steps"] = "200"
    at.query_params["opts"] = ["SGD", "SGD + momentum"]
    at.run()
    assert_no_exception(at)
    assert at.selectbox(key="surface").value == "rastrigin"
    assert (at.number_input(key="x0").value, at.number_input(key="y0").value) == (2.3, 1.7)
    surf = L.surface("rastrigin")
    runs = L.race(surf, {"sgd": {}, "momentum": {}}, start=(2.3, 1.7), steps=200)
    stuck = L.stuck_runs(surf, runs)
    assert [r.label for r in stuck] == ["SGD", "SGD + momentum"]
    note = texts(at.info)
    assert f"{stuck[0].loss[-1]:.4g}" in note  # the value where it stopped, above the minimum
    assert f"({stuck[0].final[0]:.3g}, {stuck[0].final[1]:.3g})" in note


def test_bad_url_values_are_ignored(app_page):
    at = app_page(PAGE)
    for k, v in {
        "part": PART3,
        "surface": "Nope",
        "x0": "nan",
        "y0": "inf",
        "steps": "60",
        "opts": "Foo",
        "hp_adam_lr": "-1",
        "hp_adam_beta1": "2",
    }.items():
        at.query_params[k] = v
    at.run()
    assert_no_exception(at)
    assert at.selectbox(key="surface").value == "rosenbrock"
    assert at.number_input(key="x0").value == -1.2
    assert at.number_input(key="hp_adam_lr").value == 0.001
    assert at.number_input(key="hp_adam_beta1").value == 0.9
    assert len(at.dataframe[0].value) == len(L.OPTIMIZERS)


@pytest.mark.parametrize(("lr", "epochs"), [(0.02, 1000), (0.001, 50), (0.035, 1000)])
def test_part1_note_describes_the_run_on_screen(app_page, lr, epochs):
    # The "what you see" note used to describe the lecture's α = 0.01 run whatever the
    # sliders said, so at α = 0.035 a diverged picture came with "ends at w = 2.9676".
    problem = L.lecture_problem(0)
    a = L.analyse(problem)
    run = L.gradient_descent(problem, lr=lr, epochs=epochs)
    at = app_page(PAGE).run()
    at.slider(key="p1_lr").set_value(lr).run()
    at.slider(key="p1_epochs").set_value(epochs).run()
    assert_no_exception(at)
    note = texts(at.info)
    assert f"{lr:.3f}" in note
    if run.diverged:
        assert f"epoch {run.diverged_at}" in note
    else:
        w, b = run.final
        assert f"{w:.4f}" in note and f"{b:.4f}" in note
        need = a.steps_to_reach((problem.w0, problem.b0), lr, 1e-3)
        dist = float(((w - a.w_star) ** 2 + (b - a.b_star) ** 2) ** 0.5)
        if dist > 1e-3:
            assert str(need) in note and str(need - run.steps) in note
