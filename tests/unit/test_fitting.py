"""nnkit.fitting: targets, presets, extrapolation read-out, width sweep, XOR study."""

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
from nnkit.models import torch_mlp


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


def test_evaluate_fit_reads_extrapolation_from_the_numbers():
    abs_t = builtin_target("abs")
    exact = evaluate_fit(_Fixed(lambda x: x.abs()), abs_t, n=101)
    assert exact.r2_inside == pytest.approx(1.0) and exact.r2_outside == pytest.approx(1.0)
    assert exact.outside_behaviour == "follows the truth"
    assert exact.window == (-1.5, 1.5)

    sine = builtin_target("sine")
    linear = evaluate_fit(_Fixed(lambda x: 0.5 * x), sine, n=101)
    assert linear.outside_behaviour == "grows linearly" and linear.line_r2_outside > 0.999
    assert "straight line" in linear.note("relu") and "ReLU" in linear.note("relu")
    assert "ReLU" not in linear.note("tanh")

    flat = evaluate_fit(_Fixed(lambda x: torch.tanh(20 * x)), sine, n=101)
    assert flat.outside_behaviour == "flattens"

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
    assert f"{ev.r2_inside:.4f}" in ev.note()


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
