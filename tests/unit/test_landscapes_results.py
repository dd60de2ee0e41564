"""nnkit.landscapes: the tables, curves and notes computed from runs (once page code).

Each result is checked against a direct computation from the run, and each note
against runs that go both ways (converged / diverged, stuck / not stuck).
"""

from __future__ import annotations

import inspect
import math
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import torch

from nnkit import landscapes as L
from nnkit.landscapes import explain
from nnkit.landscapes.optimizers import TORCH_DEFAULTS

ROOT = Path(__file__).resolve().parents[2]

SEED = 0


@pytest.fixture(scope="module")
def problem() -> L.RegressionProblem:
    return L.lecture_problem(SEED)


@pytest.fixture(scope="module")
def analysis(problem) -> L.QuadraticAnalysis:
    return L.analyse(problem)


@pytest.fixture(scope="module")
def modes(problem) -> dict[str, L.GDRun]:
    """Batch, SGD and mini-batch runs with the same α and epochs, by display name."""
    return {
        "batch": L.gradient_descent(problem, lr=0.01, epochs=30),
        "sgd": L.gradient_descent(problem, lr=0.01, epochs=30, batch_size=1, seed=SEED),
        "mini": L.gradient_descent(problem, lr=0.01, epochs=30, batch_size=32, seed=SEED),
    }


# --------------------------------------------------------------------------- surfaces


LITERATURE = {  # the textbook formulas, written independently of the surfaces' definitions
    "rosenbrock": lambda x, y: (1 - x) ** 2 + 100 * (y - x**2) ** 2,
    "beale": lambda x, y: (
        (1.5 - x + x * y) ** 2 + (2.25 - x + x * y**2) ** 2 + (2.625 - x + x * y**3) ** 2
    ),
    "himmelblau": lambda x, y: (x**2 + y - 11) ** 2 + (x + y**2 - 7) ** 2,
    "rastrigin": lambda x, y: (
        20 + x**2 - 10 * np.cos(2 * np.pi * x) + y**2 - 10 * np.cos(2 * np.pi * y)
    ),
    "saddle": lambda x, y: x**2 - y**2,
    "quadratic": lambda x, y: 0.5 * (x**2 + 10 * y**2),
}


@pytest.mark.parametrize("key", list(LITERATURE))
def test_each_surface_is_its_textbook_formula(key):
    s = L.surface(key)
    rng = np.random.default_rng(5)
    (x0, x1), (y0, y1) = s.domain
    x, y = rng.uniform(x0, x1, 200), rng.uniform(y0, y1, 200)
    want = LITERATURE[key](x, y)
    np.testing.assert_allclose(s.f(x, y), want, rtol=1e-12, atol=1e-11)
    # the gradient (sympy's derivative) against central differences of the textbook formula
    h = 1e-6
    gx, gy = s.grad(x, y)
    fd_x = (LITERATURE[key](x + h, y) - LITERATURE[key](x - h, y)) / (2 * h)
    fd_y = (LITERATURE[key](x, y + h) - LITERATURE[key](x, y - h)) / (2 * h)
    scale = 1 + np.abs(want)
    assert np.max(np.abs(gx - fd_x) / scale) < 1e-5 and np.max(np.abs(gy - fd_y) / scale) < 1e-5


def test_rotated_bowl_has_its_steep_axis_rotated():
    s = L.surface("quadratic", condition=30, angle=30)
    H = torch.autograd.functional.hessian(
        lambda p: s.torch_f(p[0], p[1]), torch.zeros(2, dtype=torch.float64)
    ).numpy()
    lam, vec = np.linalg.eigh(H)
    np.testing.assert_allclose(lam, [1, 30], rtol=1e-12)
    steep = vec[:, 1] * np.sign(vec[1, 1])
    a = math.radians(30)
    np.testing.assert_allclose(steep, [-math.sin(a), math.cos(a)], atol=1e-12)


def test_a_used_surface_pickles():
    """A notebook or a cache can store a surface after running an optimizer on it."""
    import pickle

    s = L.surface("beale")
    L.trajectory(s, "adam", steps=3)
    s.grad(1.0, 1.0)
    back = pickle.loads(pickle.dumps(s))  # noqa: S301 - our own object, as st.cache_data does
    assert back.name == s.name and float(back.f(3.0, 0.5)) == 0.0
    np.testing.assert_array_equal(
        L.trajectory(back, "adam", steps=20).path, L.trajectory(s, "adam", steps=20).path
    )


def test_surface_parameters_are_checked():
    with pytest.raises(ValueError):
        L.surface("rosenbrock", condition=3)
    with pytest.raises(ValueError):
        L.surface("quadratic", kappa=3)
    with pytest.raises(ValueError):
        L.surface("quadratic", angle=math.nan)
    assert L.surface("quadratic", condition=7).name != L.surface("quadratic", condition=8).name


# --------------------------------------------------------------------------- regression runs


def test_dataloader_order_does_not_depend_on_the_batch_size():
    loader = torch.utils.data.DataLoader(
        list(range(10)), batch_size=4, shuffle=True, generator=torch.Generator().manual_seed(2)
    )
    expected = np.array([torch.cat(list(loader)).numpy() for _ in range(3)])
    np.testing.assert_array_equal(L.dataloader_permutations(10, 3, 2), expected)
    assert L.dataloader_permutations(10, 0, 2).shape == (0, 10)


def test_view_box_holds_start_and_optimum(problem, analysis):
    (w0, w1), (b0, b1) = L.view_box(problem, analysis, margin=(0.5, 0.25))
    for w, b in ((problem.w0, problem.b0), (analysis.w_star, analysis.b_star)):
        assert w0 + 0.5 <= w <= w1 - 0.5 and b0 + 0.25 <= b <= b1 - 0.25
    assert math.isclose(min(problem.w0, analysis.w_star) - 0.5, w0)


def test_steepest_sample(problem):
    i = problem.steepest_sample()
    assert abs(problem.x[i]) == np.abs(problem.x).max()


def test_path_after_an_epoch(modes):
    mini = modes["mini"]
    assert mini.steps_per_epoch == 4
    np.testing.assert_array_equal(mini.path_after(2), mini.path[:9])
    np.testing.assert_array_equal(mini.path_after(0), mini.path[:1])
    np.testing.assert_array_equal(mini.path_after(10**6), mini.path)


def test_prediction_curves_coincide_for_full_batch(problem, analysis):
    run = L.gradient_descent(problem, lr=0.01, epochs=1000)
    curves = L.prediction_curves(run, analysis)
    ran = curves[curves["curve"] == L.descent.RUN_CURVE]
    pred = curves[curves["curve"] == L.descent.PREDICTION_CURVE]
    assert len(ran) == len(pred) <= 500
    assert ran["epoch"].iloc[0] == 0 and ran["epoch"].iloc[-1] == 1000
    np.testing.assert_array_equal(ran["epoch"], pred["epoch"])
    np.testing.assert_allclose(ran[L.EXCESS], pred[L.EXCESS], rtol=1e-6)
    direct = analysis.excess_loss(*run.path[ran["epoch"].to_numpy()].T)
    np.testing.assert_allclose(ran[L.EXCESS], direct, rtol=1e-12)


def test_excess_loss_frames(modes, analysis, problem):
    by_epoch = L.excess_loss_by_epoch(modes, analysis)
    sgd = by_epoch[by_epoch["mode"] == "sgd"]
    assert list(sgd["epoch"]) == list(range(31))
    w, b = modes["sgd"].path[2 * problem.n]  # after two epochs of single-point steps
    assert sgd[L.EXCESS].iloc[2] == pytest.approx(problem.loss(w, b) - analysis.loss_star)
    by_work = L.excess_loss_by_work(modes, analysis)
    for name, r in modes.items():
        rows = by_work[by_work["mode"] == name]
        assert len(rows) <= 600
        assert rows["gradient evaluations"].iloc[-1] == 30 * problem.n == r.grad_evals[-1]


def test_first_hit_is_the_first_point_below_the_level(modes, analysis):
    r = modes["sgd"]
    for factor in (2.0, 1.2, 1.05):
        level = factor * analysis.loss_star
        first = next(i for i, v in enumerate(r.loss) if v <= level)
        assert L.first_hit(r, level) == r.grad_evals[first] == first  # one sample per step
    assert L.first_hit(r, 0.5 * analysis.loss_star) is None  # J ≥ J* everywhere


def test_mode_table(modes, analysis, problem):
    table = L.mode_table(modes, analysis)
    assert list(table["mode"]) == list(modes)
    assert list(table["steps"]) == [30, 3000, 120]
    hits = table["gradient evals until first J ≤ 1.05 J*"]
    for (_, row), r in zip(table.iterrows(), modes.values(), strict=True):
        assert (row["final w"], row["final b"]) == r.final
        h = L.first_hit(r, 1.05 * analysis.loss_star)
        assert (math.isnan(row[hits.name]) and h is None) or row[hits.name] == h
    sgd = modes["sgd"]
    floor = np.mean(sgd.loss[-101:]) - analysis.loss_star
    assert table["J − J* (last epoch, mean)"].iloc[1] == pytest.approx(floor)
    assert table["diverged at step"].isna().all()
    bad = L.gradient_descent(problem, lr=0.03, epochs=5, batch_size=1)
    assert L.mode_table({"x": bad}, analysis)["diverged at step"].iloc[0] == bad.diverged_at


# --------------------------------------------------------------------------- races


def test_race_table_and_losses():
    s = L.surface("himmelblau")
    runs = L.race(s, {"sgd": {"lr": 0.01}, "adam": {"lr": 0.05}}, steps=700)
    table = L.race_table(s, runs)
    for (_, row), r in zip(table.iterrows(), runs, strict=True):
        length = sum(math.dist(r.path[i], r.path[i + 1]) for i in range(len(r.path) - 1))
        assert row["path length"] == pytest.approx(length, rel=1e-12)
        m, d = s.nearest_minimum(r.final)
        assert (
            row["distance to it"] == d and row["nearest known minimum"] == f"({m[0]:g}, {m[1]:g})"
        )
        assert row["final f"] == r.loss[-1]
    losses = L.race_losses(runs)
    for r in runs:
        rows = losses[losses["optimizer"] == r.label]
        assert len(rows) <= 600 and rows["step"].iloc[-1] == r.steps
        np.testing.assert_array_equal(rows["f"], r.loss[rows["step"]])
    saddle = L.surface("saddle")
    assert (
        L.race_table(saddle, L.race(saddle, {"sgd": {}}, steps=5))["nearest known minimum"] == "—"
    ).all()


def test_stuck_runs_are_local_minima_only():
    r = L.surface("rastrigin")
    runs = L.race(r, {"sgd": {}, "momentum": {}}, start=(2.3, 1.7), steps=200)
    stuck = L.stuck_runs(r, runs)
    assert [t.optimizer for t in stuck] == ["sgd", "momentum"]
    assert all(np.hypot(*t.final) > 2 and t.loss[-1] > 1 for t in stuck)
    bowl = L.surface("quadratic")
    assert L.stuck_runs(bowl, L.race(bowl, {"sgd": {"lr": 0.1}}, steps=1000)) == []


def test_hyper_fields_cover_what_a_form_may_set():
    fields = L.hyper_fields()
    for key, spec in L.OPTIMIZERS.items():
        mine = {f.name: f for f in fields if f.optimizer == key}
        d = spec.defaults()
        want = {n for n in d if n not in ("eps", "betas")} | (
            {"beta1", "beta2"} if "betas" in d else set()
        )
        assert set(mine) == want
        assert all(f.low <= f.default <= f.high for f in mine.values())
        hyper = L.hyper_from_fields(key, {n: f.default for n, f in mine.items()})
        assert hyper == {k: v for k, v in d.items() if k != "eps"}
    # Nesterov's smallest momentum is one torch accepts
    low = next(f.low for f in fields if f.optimizer == "nesterov" and f.name == "momentum")
    p = torch.zeros(1, requires_grad=True)
    torch.optim.SGD([p], lr=0.1, momentum=low, nesterov=True)
    with pytest.raises(ValueError):
        torch.optim.SGD([p], lr=0.1, momentum=0.0, nesterov=True)


def test_the_written_out_defaults_are_the_installed_torchs():
    # the form's defaults come from TORCH_DEFAULTS (no torch import on a first visit):
    # they must be what torch.optim's own signatures say
    for name, defaults in TORCH_DEFAULTS.items():
        sig = inspect.signature(getattr(torch.optim, name))
        assert defaults == {n: sig.parameters[n].default for n in defaults}
    for spec in L.OPTIMIZERS.values():
        assert set(spec.exposed) <= set(TORCH_DEFAULTS[spec.torch_name])
        assert spec.torch_class() is getattr(torch.optim, spec.torch_name)


def test_the_landscape_forms_need_no_torch():
    code = (
        "import sys; from nnkit import landscapes as L; L.hyper_fields(); "
        "L.hyper_from_fields('adam', {'lr': 0.1, 'beta1': 0.9, 'beta2': 0.99}); "
        "assert 'torch' not in sys.modules, 'torch imported'"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT)


# --------------------------------------------------------------------------- notes


def test_lecture_stories_follow_the_sign_of_the_steep_factor(problem, analysis):
    straight = L.gradient_descent(problem, lr=0.01, epochs=10)
    zigzag = L.gradient_descent(problem, lr=0.02, epochs=10)
    blown = L.gradient_descent(problem, lr=0.035, epochs=200)
    stories = [explain.lecture_stories(r, analysis) for r in (straight, zigzag, blown)]
    for r, (path, _) in zip((straight, zigzag, blown), stories, strict=True):
        assert f"{1 - r.lr * analysis.lambda_max:.3f}" in path
    assert len({path for path, _ in stories}) == 3
    assert stories[0][1] == stories[1][1] != stories[2][1]  # slope: slow direction vs blow-up


def test_why_slow_converging_and_diverging(problem, analysis):
    theta0 = (problem.w0, problem.b0)
    run = L.gradient_descent(problem, lr=0.01, epochs=1000)
    text = explain.why_slow(problem, analysis, run)
    assert f"{analysis.hessian[0, 0]:.3f}" in text and f"{analysis.critical_lr:.5f}" in text
    assert f"**{analysis.steps_to_reach(theta0, 0.01)}**" in text
    assert str(analysis.steps_to_reach(theta0, analysis.best_lr)) in text
    bad = L.gradient_descent(problem, lr=0.035, epochs=1000)
    text = explain.why_slow(problem, analysis, bad)
    assert f"{analysis.rate(0.035):.3f}" in text and "None" not in text


def test_lecture_note_three_cases(problem, analysis):
    theta0 = (problem.w0, problem.b0)
    lecture = L.gradient_descent(problem, lr=0.01, epochs=1000)
    need = analysis.steps_to_reach(theta0, 0.01)
    note = explain.lecture_note(analysis, lecture, lecture, SEED)
    assert str(need) in note and f"{lecture.final[1]:.4f}" in note
    bad = L.gradient_descent(problem, lr=0.035, epochs=1000)
    note = explain.lecture_note(analysis, bad, lecture, SEED)
    assert f"epoch {bad.diverged_at}" in note and f"{lecture.final[0]:.4f}" in note
    short = L.gradient_descent(problem, lr=0.005, epochs=500)
    note = explain.lecture_note(analysis, short, lecture, SEED)
    need = analysis.steps_to_reach(theta0, 0.005)
    assert f"{short.final[0]:.4f}" in note and str(need) in note and str(need - 500) in note
    long = L.gradient_descent(problem, lr=0.02, epochs=1000)  # already within 1e-3
    assert np.hypot(*(long.path[-1] - analysis.theta_star)) <= 1e-3
    note = explain.lecture_note(analysis, long, lecture, SEED)
    assert str(analysis.steps_to_reach(theta0, 0.02) - 1000) not in note


def test_divergence_messages_carry_the_numbers(problem, analysis):
    bad = L.gradient_descent(problem, lr=0.035, epochs=100)
    text = explain.lecture_divergence(bad, analysis)
    assert f"epoch {bad.diverged_at}" in text and f"{analysis.critical_lr:.4f}" in text
    sgd = L.gradient_descent(problem, lr=0.03, epochs=50, batch_size=1)
    text = explain.mode_divergence("SGD", sgd, problem, analysis)
    i = problem.steepest_sample()
    assert f"step {sgd.diverged_at}" in text and f"{problem.x[i]:.2f}" in text
    assert f"{1 / (1 + problem.x[i] ** 2):.4f}" in text  # 2 / curvature: the overshoot α
    tr = L.trajectory(L.surface("rosenbrock"), "sgd", start=(-1.5, 2.5), steps=200, lr=0.01)
    text = explain.trajectory_divergence(tr)
    assert tr.label in text and f"step {tr.diverged_at}" in text and "0.01" in text


def test_modes_note_names_the_best_and_the_fastest(modes, analysis, problem):
    note = explain.modes_note(modes, analysis)
    best = min(modes, key=lambda k: modes[k].loss[-1])
    assert f"{best}'s, J = {modes[best].loss[-1]:.5f}" in note
    assert f"{L.last_epoch_excess(modes['sgd'], analysis):.2e}" in note
    hits = {k: L.first_hit(r, 1.05 * analysis.loss_star) for k, r in modes.items()}
    fastest = min((k for k in hits if hits[k] is not None), key=lambda k: hits[k])
    assert f"{fastest} is the first" in note and f"({hits[fastest]} per-sample" in note
    blown = {
        k: L.gradient_descent(problem, lr=1.0, epochs=5, batch_size=b)
        for k, b in (("a", None), ("b", 1))
    }
    assert explain.modes_note(blown, analysis) == ""


def test_modes_paths_describe_each_path_from_its_run(modes, analysis, problem):
    text = explain.modes_paths(modes, problem, analysis, 30)
    assert text.startswith("The 3 paths after 30 epochs")
    # below 1/λ_max the steep direction's factor is positive: no zig-zag
    fast = 1 - 0.01 * analysis.lambda_max
    assert fast > 0 and f"drops straight into the valley (1 − αλ_max = {fast:.3f}" in text
    assert "zig-zag" not in text and "diverged" not in text
    assert "100 steps per epoch, each on the gradient of one point" in text  # SGD
    assert "4 steps per epoch, each on the gradient of up to 32 points" in text  # 32+32+32+4
    halves = {"mini": L.gradient_descent(problem, lr=0.01, epochs=2, batch_size=50, seed=SEED)}
    assert "each on the gradient of 50 points" in explain.modes_paths(halves, problem, analysis, 2)
    # between 1/λ_max and 2/λ_max: zig-zag; above: SGD diverges first, then all of them
    lr = 1.5 / analysis.lambda_max
    zig = {"batch": L.gradient_descent(problem, lr=lr, epochs=5)}
    said = explain.modes_paths(zig, problem, analysis, 5)
    assert "zig-zags across the valley" in said and "drops straight" not in said
    blown = {
        name: L.gradient_descent(problem, lr=0.05, epochs=20, batch_size=b, seed=SEED)
        for name, b in (("batch", None), ("SGD", 1), ("mini", 32))
    }
    said = explain.modes_paths(blown, problem, analysis, 15)
    for name, run in blown.items():
        assert run.diverged and f"{name} diverged at step {run.diverged_at}" in said
    assert "zig-zag" not in said and "drops" not in said and "noisy" not in said


def test_race_note_best_worst_and_saddle():
    p = L.PRESETS["adam_rosenbrock"]
    s = L.surface(p.surface, **p.params)
    runs = L.race(s, p.optimizers, p.start, p.steps)
    note = explain.race_note(s, runs, p.steps)
    dist = {r.label: s.nearest_minimum(r.final)[1] for r in runs}
    best, worst = min(dist, key=dist.get), max(dist, key=dist.get)
    assert best in note and worst in note and best != worst
    assert note.index(f"{dist[best]:.2e}") < note.index(f"{dist[worst]:.2e}")  # closest first
    saddle = L.surface("saddle")
    runs = L.race(saddle, {"sgd": {"lr": 0.01}, "adam": {"lr": 0.1}}, steps=100)
    far = max(runs, key=lambda r: np.hypot(*r.final))
    note = explain.race_note(saddle, runs, 100)
    assert far.label in note and f"({far.final[0]:.3g}, {far.final[1]:.3g})" in note
    assert explain.race_note(s, L.race(s, {"sgd": {"lr": 1.0}}, steps=50), 50) == ""
