"""nnkit.function_fitting and nnkit.xor (through the old nnkit.fitting names): targets,
presets, the extrapolation verdict, notes computed from results, width sweep, XOR study."""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np
import pytest

from nnkit._torch import torch
from nnkit.datasets import xor
from nnkit.expr import parse
from nnkit.fitting import (
    PRESETS,
    builtin_target,
    evaluate_fit,
    fit_xor,
    formula_target,
    make_data,
    r2_score,
    target_from_name,
    train_xor_batch,
    width_sweep,
    xor_study,
)
from nnkit.function_fitting import (
    BEHAVIOURS,
    CONTROLS,
    LEARNED_R2,
    ROUGH_R2,
    TARGET_CHOICES,
    FitSettings,
    RunSummary,
    Target,
    compare_note,
    diagnose_recipe,
    live_view,
    target_for,
    width_sweep_note,
)
from nnkit.models import mlp, predict, torch_mlp
from nnkit.training import History, fit


def test_builtin_targets():
    r = builtin_target("rastrigin")
    assert r.dim == 2 and r.domain == (-5.12, 5.12)
    assert r(np.zeros((1, 2)))[0] == 0.0
    assert r(np.array([[1.0, 0.0]]))[0] == pytest.approx(1.0)  # 20 + 1 - 10 - 10
    s = builtin_target("sine")
    assert s.dim == 1 and s(np.array([[0.25]]))[0] == pytest.approx(1.0)
    with pytest.raises(ValueError):
        builtin_target("nope")


def test_formula_targets_1d_and_2d_and_bad_domain():
    t2 = formula_target(parse("x*y + 1", ("x", "y")), (-1, 1))
    assert t2.dim == 2 and t2(np.array([[2.0, 3.0]]))[0] == 7.0
    t1 = formula_target(parse("x^2", ("x", "y")), (-2, 2))
    assert t1.dim == 1 and t1(np.array([[3.0]]))[0] == 9.0
    const = formula_target(parse("3", ("x", "y")), (-1, 1))
    assert np.all(const(np.zeros((5, 1))) == 3.0)
    with pytest.raises(ValueError, match="not a finite number"):
        formula_target(parse("log(x)", ("x", "y")), (-1, 1))
    # Finite but far too large for float32 training (x^1000 reaches 1e301 on [-2, 2]).
    with pytest.raises(ValueError, match="too large to train"):
        formula_target(parse("x^1000", ("x", "y")), (-2, 2))
    with pytest.raises(ValueError, match="within"):
        formula_target(parse("x", ("x", "y")), (-1e300, 1e300))
    assert target_from_name(t2.name, (-1, 1))(np.array([[2.0, 3.0]]))[0] == 7.0


def test_make_data_is_seeded_and_inside_the_box():
    t = builtin_target("rastrigin")
    X, y = make_data(t, 100, 0.0, seed=3)
    X2, y2 = make_data(t, 100, 0.0, seed=3)
    assert X.shape == (100, 2) and np.array_equal(X, X2) and np.array_equal(y, y2)
    assert X.min() >= -5.12 and X.max() <= 5.12
    assert np.allclose(y, t(X))
    _, yn = make_data(t, 100, 0.1, seed=3)
    assert not np.allclose(yn, y)


def test_r2_score():
    t = np.array([1.0, 2.0, 3.0])
    assert r2_score(t, t) == 1.0
    assert r2_score(t, np.full(3, 2.0)) == 0.0
    assert math.isnan(r2_score(np.ones(3), t))


class _Fixed(torch.nn.Module):
    def __init__(self, fn):
        super().__init__()
        self.fn = fn

    def forward(self, x):
        return self.fn(x)


def _clipped_identity() -> Target:
    """f(x) = x on the box [-1, 1], flat (±1) beyond it."""
    return Target("clip", "clip", 1, lambda x: np.clip(x, -1, 1), (-1.0, 1.0), "clip(x)")


def _identity() -> Target:
    return Target("identity", "x", 1, lambda x: x, (-1.0, 1.0), "x")


def _outside(fn):
    """x inside [-1, 1]; ``fn(x)`` beyond it."""
    return _Fixed(lambda x: torch.where(x.abs() <= 1, x, fn(x)))


def _no_behaviour_claimed(note: str) -> bool:
    return not any(text.split("{")[0] in note for text in BEHAVIOURS.values())


@pytest.mark.parametrize(
    ("target", "model", "behaviour"),
    [
        (_identity(), _Fixed(lambda x: x), "follows the truth"),
        (_clipped_identity(), _Fixed(lambda x: x), "grows linearly"),
        (_identity(), _Fixed(lambda x: x.clamp(-1, 1)), "flattens"),
        (_clipped_identity(), _outside(lambda x: x + x.sign() * (x.abs() - 1) ** 3), "bends away"),
        (
            _identity(),
            _outside(lambda x: x.sign() + 0.3 * torch.sin(12 * (x.abs() - 1))),
            "oscillates",
        ),
    ],
)
def test_what_a_fitted_network_does_beyond_the_box_is_read_from_the_numbers(
    target, model, behaviour
):
    # every model here is exact inside the box, so the verdict may speak about outside
    ev = evaluate_fit(model, target, window_factor=3.0, n=121)
    assert ev.r2_inside == pytest.approx(1.0) and ev.inside_fit == "learned"
    assert ev.outside_behaviour == behaviour
    if behaviour == "follows the truth":
        assert ev.extrapolation == "extrapolates" and ev.r2_outside == pytest.approx(1.0)
    else:
        assert ev.extrapolation == "only inside" and ev.r2_outside < LEARNED_R2
        assert BEHAVIOURS[behaviour].split("{")[0] in ev.note()
    if behaviour == "grows linearly":
        assert ev.line_r2_outside > 0.999
        assert "ReLU" in ev.note("relu") and "ReLU" not in ev.note("tanh")
    if behaviour == "oscillates":
        assert ev.outside_turns >= 2
    else:
        assert ev.outside_turns <= 1
    assert f"{ev.r2_inside:.4f}" in ev.note() and f"{ev.r2_outside:.3f}" in ev.note()


def test_a_smooth_bowl_on_rastrigin_is_not_credited_with_extrapolation():
    # the old note said "beyond the box the prediction keeps wiggling ... only learned the
    # function where it saw data" for this network, which learned nothing inside either
    rast = builtin_target("rastrigin")
    ev = evaluate_fit(_Fixed(lambda x: (x**2).sum(1, keepdim=True) + 20), rast, n=31)
    assert len(ev.grid) == 31 * 31 and set(ev.grid.columns) >= {
        "x",
        "y",
        "truth",
        "prediction",
        "error",
    }
    assert ev.grid["inside"].any() and not ev.grid["inside"].all()
    assert ev.r2_inside < LEARNED_R2 and ev.inside_fit in ("not learned", "rough")
    assert ev.extrapolation is None
    note = ev.note("tanh")
    assert f"{ev.r2_inside:.4f}" in note and _no_behaviour_claimed(note)


def test_the_extrapolation_verdict_against_untrained_barely_trained_trained_and_diverged_runs():
    sine = builtin_target("sine")
    X, y = make_data(sine, 300, seed=0)
    plain = PRESETS["plain MLP"]

    untrained = evaluate_fit(plain.build_model(1, X, y, sine.domain), sine)
    assert untrained.r2_inside < ROUGH_R2 and untrained.inside_fit == "not learned"

    trainer = plain.trainer(sine, X, y)
    trainer.run(1)
    barely = evaluate_fit(trainer.model, sine)
    assert barely.r2_inside < LEARNED_R2 and barely.inside_fit in ("not learned", "rough")

    net = mlp(1, [32, 32], 1, input_bounds=([-1.0], [1.0]), seed=0)
    fit(net, X, y, optimizer="lbfgs", lr=1.0, epochs=30, batch_size=None)
    trained = evaluate_fit(net, sine)
    assert trained.r2_inside > 0.999 and trained.inside_fit == "learned"
    # a sine continues beyond the box, a tanh network does not: R² falls outside
    assert trained.r2_outside < LEARNED_R2 and trained.extrapolation == "only inside"
    assert f"{trained.r2_outside:.3f}" in trained.note("tanh")

    rast = builtin_target("rastrigin")
    Xr, yr = make_data(rast, 200, seed=0)
    wild = FitSettings(
        hidden=(16,), activation="relu", normalize=False, optimizer="sgd", lr=1.0,
        batch_size=None, reduction="sum",
    )  # fmt: skip
    run = wild.trainer(rast, Xr, yr)
    assert run.run(20).diverged_epoch is not None
    diverged = evaluate_fit(run.model, rast, n=31)
    assert diverged.inside_fit == "not finite" and diverged.non_finite == 31 * 31
    assert diverged.outside_behaviour is None and diverged.extrapolation is None
    assert str(diverged.non_finite) in diverged.note()

    for ev in (untrained, barely, diverged):
        assert ev.extrapolation is None
        assert _no_behaviour_claimed(ev.note("tanh"))
    assert not _no_behaviour_claimed(trained.note("tanh"))


def test_a_constant_target_is_judged_by_its_error():
    three = formula_target(parse("3", ("x", "y")), (-1, 1))
    exact = evaluate_fit(_Fixed(lambda x: torch.full_like(x, 3.0)), three)
    assert math.isnan(exact.r2_inside) and exact.inside_fit == "learned"
    off = evaluate_fit(_Fixed(lambda x: torch.full_like(x, 5.0)), three)
    assert off.inside_fit == "not learned" and off.extrapolation is None


def test_lecture_preset_is_exactly_the_lecture_torch_mlp():
    s = PRESETS["lecture TorchMLP · SGD lr 1e-6"]
    net = s.build_model(2)
    ref = torch_mlp(seed=s.seed)
    assert [type(m).__name__ for m in net] == [type(m).__name__ for m in ref]
    for a, b in zip(net.parameters(), ref.parameters(), strict=True):
        assert torch.equal(a, b)
    assert (s.optimizer, s.lr, s.reduction, s.batch_size, s.epochs) == (
        "sgd",
        1e-6,
        "sum",
        None,
        2000,
    )
    assert PRESETS["lecture TorchMLP · RMSprop lr 1e-3"].optimizer == "rmsprop"


@pytest.mark.parametrize("name", list(PRESETS))
def test_every_preset_trains(name):
    t = builtin_target("rastrigin")
    X, y = make_data(t, 200, seed=0)
    s = PRESETS[name]
    res = s.trainer(t, X, y).run(3)
    assert res.epochs == 3 and res.stop_reason == "completed"


@pytest.mark.parametrize("name", list(PRESETS))
def test_the_parameter_count_the_page_shows_is_the_networks(name):
    # the MLP page counts the weights without building the network (no torch on its
    # first screen): the count must be what torch builds, for 1 and 2 inputs, with and
    # without Fourier features, deeper and wider
    from nnkit.models import count_parameters

    base = PRESETS[name]
    variants = [base, replace(base, hidden=(7, 5, 3)), replace(base, fourier_features=9)]
    for s in variants:
        for dim in (1, 2):
            net = s.build_model(dim, np.zeros((4, dim)), np.arange(4.0), (-1.0, 1.0))
            assert s.n_parameters(dim) == count_parameters(net), (name, s.hidden, dim)


def test_a_view_before_training_draws_the_truth_without_a_network():
    # the page's first screen: the target on the live view's and the evaluation's grids,
    # from no network at all (so no torch); the numbers a network would give are NaN
    t = builtin_target("rastrigin")
    net = PRESETS["plain MLP"].build_model(2, None, None, t.domain)
    view = live_view(None, t, n=16, window_factor=1.0)
    ref = live_view(net, t, n=16, window_factor=1.0)
    assert np.array_equal(view.truth, ref.truth) and view.truth_range == ref.truth_range
    assert np.isnan(view.prediction).all() and math.isnan(view.r2_inside)
    ev, ref_ev = evaluate_fit(None, t, n=21), evaluate_fit(net, t, n=21)
    assert np.array_equal(ev.grid["truth"], ref_ev.grid["truth"])
    truth = ev.slice[ev.slice.series == "truth"]["value"].to_numpy()
    assert np.array_equal(truth, ref_ev.slice[ref_ev.slice.series == "truth"]["value"].to_numpy())
    assert ev.grid["prediction"].isna().all() and math.isnan(ev.r2_inside)
    assert ev.outside_behaviour is None


def test_fourier_preset_anneals_its_learning_rate_over_its_epochs():
    # the recipe behind the benchmark's R² (see PRESETS): cosine from lr to ~0 over s.epochs
    t = builtin_target("rastrigin")
    X, y = make_data(t, 200, seed=0)
    s = replace(PRESETS["Fourier features"], epochs=4)
    trainer = s.trainer(t, X, y)
    seen = []
    trainer.callbacks.append(lambda info: seen.append(trainer.optimizer.param_groups[0]["lr"]))
    trainer.run(s.epochs)
    lr = s.lr
    assert s.lr_schedule == "cosine" and "cosine lr schedule" in s.describe()
    assert seen == pytest.approx([lr, lr * (2 + 2**0.5) / 4, lr / 2, lr * (2 - 2**0.5) / 4])


def test_batched_xor_training_equals_one_fit_per_seed():
    X, y = xor()
    seeds = [0, 1, 5, 7]
    batched = train_xor_batch(X, y, [([2], s) for s in seeds] + [([3], 2)], epochs=150)
    single = [fit_xor(X, y, (2,), seed=s, epochs=150).accuracy for s in seeds]
    assert list(batched[:4]) == single
    assert batched[4] == fit_xor(X, y, (3,), seed=2, epochs=150).accuracy


def test_xor_study_no_hidden_layer_never_solves_it():
    X, y = xor()
    df = xor_study(X, y, layers=(0, 1), units=(2, 8), n_seeds=6, epochs=300)
    zero = df[df["layers"] == 0].iloc[0]
    assert zero["successes"] == 0 and zero["mean_accuracy"] <= 0.75
    wide = df[(df["layers"] == 1) & (df["units"] == 8)].iloc[0]
    assert wide["successes"] == 6
    assert set(df["architecture"]) == {"no hidden layer", "2 → 2 → 1", "2 → 8 → 1"}


def test_width_sweep_error_falls_with_width():
    df = width_sweep(builtin_target("abs"), (1, 16), epochs=5, n_samples=64)
    assert list(df["width"]) == [1, 16]
    assert df["rmse"].iloc[1] < 0.5 * df["rmse"].iloc[0]
    with pytest.raises(ValueError):
        width_sweep(builtin_target("rastrigin"), (1,))


def test_xor_study_stops_at_its_time_budget_and_says_so():
    X, y = xor()
    df = xor_study(X, y, layers=(0, 1), units=(2,), n_seeds=3, epochs=10**6, max_seconds=0.5)
    assert (df["epochs_trained"] < 10**6).all()
    assert (df["epochs_trained"] >= 1).all()
    full = xor_study(X, y, layers=(0,), n_seeds=2, epochs=20, max_seconds=60)
    assert (full["epochs_trained"] == 20).all()


def test_a_complex_valued_formula_is_refused_not_silently_made_real():
    # sympy turns sqrt(-1) into I; casting I*x to float would give a target of zeros.
    with pytest.raises(ValueError, match="not a finite number"):
        formula_target(parse("sqrt(-1)*x", ("x", "y")), (-1, 1))


def test_fit_settings_recipe_is_a_train_config_and_the_trainer_uses_it():
    s = PRESETS["Fourier features"]
    cfg = s.train_config(val_fraction=0.1)
    assert (cfg.optimizer, cfg.lr, cfg.batch_size, cfg.epochs, cfg.lr_schedule, cfg.loss) == (
        s.optimizer,
        s.lr,
        s.batch_size,
        s.epochs,
        s.lr_schedule,
        "mse",
    )
    assert cfg.val_fraction == 0.1 and cfg.seed == s.seed
    t = builtin_target("rastrigin")
    X, y = make_data(t, 301, seed=0)
    for settings in (s, PRESETS["plain MLP"], PRESETS["lecture TorchMLP · SGD lr 1e-6"]):
        trainer = settings.trainer(t, X, y, val_fraction=0.1, max_seconds=5.0)
        assert trainer.config == settings.train_config(val_fraction=0.1, max_seconds=5.0)
        assert settings.steps_per_epoch(len(X), 0.1) == trainer.steps_per_epoch
    with pytest.raises(ValueError):
        replace(s, lr=-1.0).train_config()


def test_recipe_diagnostics_measure_the_lecture_recipe():
    t = builtin_target("rastrigin")
    X, y = make_data(t, 200, seed=0)
    s = PRESETS["lecture TorchMLP · SGD lr 1e-6"]
    model = s.build_model(2, X, y, t.domain)
    d = diagnose_recipe(s, model, t, X, y, val_fraction=0.1)
    assert d.dead_output_fraction == pytest.approx(float(np.mean(predict(model, X)[:, 0] <= 0)))
    assert d.summed_batch_rows == 180 and d.effective_lr == pytest.approx(180 * s.lr)
    assert d.input_extent == 5.12 and d.target_range == (float(y.min()), float(y.max()))
    assert len(d.notes()) == 3 and "180" in d.notes()[1]
    plain = PRESETS["plain MLP"]
    assert diagnose_recipe(plain, model, t, X, y).notes() == []
    rms = PRESETS["lecture TorchMLP · RMSprop lr 1e-3"]
    assert diagnose_recipe(rms, model, t, X, y).summed_batch_rows is None


def _summary(r2, final_loss, mse_inside):
    h = History()
    h.epoch.append(1)
    h.train_loss.append(final_loss)
    return RunSummary(h, "done", 1.0, r2, r2 - 0.1, mse_inside)


def test_compare_note_names_the_better_run_divergence_and_over_fitting():
    note = compare_note({"A": _summary(0.5, 1.0, 1.0), "B": _summary(0.9, 0.1, 0.1)})
    assert "Run B" in note and "0.9000" in note and "0.5000" in note
    over = {"A": _summary(0.95, 0.01, 0.5), "B": _summary(0.4, 1.0, 1.0)}
    assert over["A"].overfits and not over["B"].overfits
    assert "run A (0.5 on the grid vs 0.01" in compare_note(over)
    broken = compare_note({"A": _summary(math.nan, math.nan, math.nan), "B": _summary(0.7, 1, 1)})
    assert "run A" in broken and "Run B fits" not in broken
    tie = compare_note({"A": _summary(0.8, 1, 1), "B": _summary(0.8, 1, 1)})
    assert "Run A" not in tie and "Run B" not in tie and "0.8000" in tie


def test_width_sweep_note_reads_the_table():
    import pandas as pd

    falling = pd.DataFrame(
        {"width": [1, 4, 16], "rmse": [0.4, 0.1, 0.01], "stop": ["completed"] * 3}
    )
    note = width_sweep_note(falling, "sigmoid")
    assert "0.4" in note and "0.01" in note and "40×" in note and "still falling" in note
    plateau = falling.assign(rmse=[0.4, 0.01, 0.02], stop=["completed", "time_limit", "time_limit"])
    note = width_sweep_note(plateau, "tanh", 4.0)
    assert "with 4 units" in note and "still falling" not in note and "(2 widths hit" in note
    nan = falling.assign(rmse=[math.nan] * 3)
    assert width_sweep_note(nan, "relu")  # no crash, says something


def test_live_view_truth_range_and_r2():
    t = builtin_target("sine")
    net = _Fixed(lambda x: torch.sin(2 * math.pi * x))
    lv = live_view(net, t, n=41, window_factor=1.0)
    assert lv.r2_inside == pytest.approx(1.0, abs=1e-6)
    lo, hi = lv.truth_range
    assert lo == pytest.approx(-1.0, abs=0.01) and hi == pytest.approx(1.0, abs=0.01)
    again = live_view(net, t, n=41, window_factor=1.0, truth=lv.truth)
    assert np.array_equal(again.truth, lv.truth)


@pytest.mark.parametrize("name", list(PRESETS))
def test_presets_round_trip_through_the_page_controls(name):
    s = PRESETS[name]
    assert set(s.controls()) == set(CONTROLS)
    assert FitSettings.from_controls(s.controls(), seed=s.seed) == s


def test_target_for_a_page_choice():
    assert set(TARGET_CHOICES) >= {"rastrigin", "formula", "sine"}
    assert target_for("sine", (0.0, 2.0)).domain == (0.0, 2.0)
    t = target_for("formula", (-1, 1), parse("x*y", ("x", "y")))
    assert t.dim == 2 and t(np.array([[2.0, 3.0]]))[0] == 6.0
    for bad in (("formula", (-1, 1), None), ("sine", (1.0, 0.0), None), ("nope", (0, 1), None)):
        with pytest.raises(ValueError):
            target_for(*bad)


def test_only_the_fourier_recipe_is_credited_over_the_library():
    from nnkit.function_fitting import RECIPE_NOT_LIBRARY, RecipeDiagnostics

    assert RECIPE_NOT_LIBRARY in RecipeDiagnostics(fourier_features=True).notes()
    assert RECIPE_NOT_LIBRARY not in RecipeDiagnostics(fourier_features=False).notes()
