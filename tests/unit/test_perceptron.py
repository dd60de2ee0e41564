"""Perceptron: learning rule, convergence bound (Novikoff), XOR, seeds, sklearn cross-check."""

from __future__ import annotations

import numpy as np
import pytest

from nnkit import datasets as ds
from nnkit.perceptron import (
    Perceptron,
    is_linearly_separable,
    layer_output,
    max_margin_separator,
    neuron_output,
    novikoff_bound,
    plane_grid,
)


@pytest.mark.parametrize("gate", ["and", "or", "nand", "nor"])
@pytest.mark.parametrize("output", ["heaviside", "sign"])
def test_linearly_separable_gates_converge(gate, output):
    X, y = ds.logic_gate(gate)
    p = Perceptron(max_epochs=100, output=output).fit(X, y)
    assert p.converged_
    assert p.score(X, y) == 1.0
    ep = p.history_.epochs
    assert ep["mistakes"].iloc[-1] == 0 and (ep["mistakes"].iloc[:-1] > 0).all()
    assert "no mistake" in p.stop_reason_


@pytest.mark.parametrize("output", ["heaviside", "sign"])
def test_xor_never_converges(output):
    X, y = ds.xor()
    p = Perceptron(max_epochs=200, output=output).fit(X, y)
    assert not p.converged_
    assert p.n_epochs_ == 200
    assert (p.history_.epochs["mistakes"] > 0).all()
    assert (p.history_.epochs["errors_after"] >= 1).all()
    assert p.score(X, y) <= 0.75  # a line gets at most 3 of the 4 XOR points right
    assert "max_epochs" in p.stop_reason_


def test_the_update_rule_by_hand():
    # one point of class 1 at (2, 1), zero weights: H(0) = 1 is already right,
    # a class-0 point at (1, 1) is a mistake: w <- w + lr (0 - 1) x
    X = np.array([[1.0, 1.0], [2.0, -1.0]])
    y = np.array([0, 1])
    p = Perceptron(lr=0.5, max_epochs=1, shuffle=False).fit(X, y)
    f = p.history_.frames
    np.testing.assert_allclose(f.loc[1, ["w1", "w2", "b"]], [-0.5, -0.5, -0.5])
    assert f.loc[1, "sample"] == 0 and f.loc[1, "target"] == 0 and f.loc[1, "output"] == 1
    # second sample: z = -1 + 0.5 - 0.5 = -1 < 0 -> output 0, target 1 -> w += 0.5 x
    np.testing.assert_allclose(f.loc[2, ["w1", "w2", "b"]], [0.5, -1.0, 0.0])
    np.testing.assert_allclose(p.coef_, [[0.5, -1.0]])
    np.testing.assert_allclose(p.intercept_, [0.0])


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("margin", [0.05, 0.2, 0.5])
def test_updates_stay_within_novikoff_bound_on_known_margin_data(seed, margin):
    angle = 25.0 + 40 * seed
    X, y = ds.separable_blobs(120, margin=margin, noise=0.5, angle=angle, seed=seed)
    u = np.array([np.cos(np.radians(angle)), np.sin(np.radians(angle))])
    sep = novikoff_bound(X, y, u, 0.0)  # the generator's own line through 0
    assert sep.gamma >= margin  # ‖(u, 0)‖ = 1: the augmented margin is the margin
    r = np.sqrt(np.max(np.sum(X**2, axis=1)) + 1)
    assert sep.bound == pytest.approx((r / sep.gamma) ** 2)
    for lr in (1.0, 0.01):
        p = Perceptron(lr=lr, max_epochs=10_000, seed=seed).fit(X, y)
        assert p.converged_ and p.score(X, y) == 1.0
        assert p.n_updates_ <= sep.bound


def test_learning_rate_does_not_change_updates_from_zero_weights():
    X, y = ds.separable_blobs(80, margin=0.1, noise=0.8, seed=2)
    a = Perceptron(lr=1.0, seed=4).fit(X, y)
    b = Perceptron(lr=0.003, seed=4).fit(X, y)
    assert a.n_updates_ == b.n_updates_
    np.testing.assert_allclose(a.coef_ * 0.003, b.coef_, rtol=1e-9)


def test_max_margin_separator_gives_a_valid_tighter_bound():
    X, y = ds.separable_blobs(100, margin=0.2, noise=0.6, seed=5)
    sep = max_margin_separator(X, y)
    generator = novikoff_bound(X, y, np.array([np.cos(np.pi / 6), np.sin(np.pi / 6)]), 0.0)
    assert sep is not None and sep.gamma >= generator.gamma * (1 - 1e-9)
    p = Perceptron(max_epochs=10_000).fit(X, y)
    assert p.n_updates_ <= sep.bound <= generator.bound * (1 + 1e-9)
    # For AND the best augmented margin is known: v = (2, 2, -3), γ = 1/√17.
    sep = max_margin_separator(*ds.logic_gate("and"))
    assert sep.gamma == pytest.approx(1 / np.sqrt(17), rel=1e-6)
    assert max_margin_separator(*ds.xor()) is None


@pytest.mark.parametrize(
    ("make", "separable"),
    [
        (lambda: ds.logic_gate("and"), True),
        (lambda: ds.logic_gate("or"), True),
        (lambda: ds.xor(), False),
        (lambda: ds.xor(40, 0.1, seed=1), False),
        (lambda: ds.separable_blobs(60, margin=0.2, seed=3), True),
        (lambda: ds.circles(60, 0.05, seed=0), False),
        (lambda: ds.moons(60, 0.1, seed=0), False),
    ],
)
def test_agrees_with_sklearn_and_linear_programming_on_separability(make, separable):
    from sklearn.linear_model import Perceptron as SkPerceptron

    X, y = make()
    ours = Perceptron(max_epochs=300, seed=0).fit(X, y)
    sk = SkPerceptron(max_iter=300, tol=None, shuffle=True, random_state=0).fit(X, y)
    assert is_linearly_separable(X, y) == separable
    assert ours.converged_ == separable
    assert (ours.score(X, y) == 1.0) == separable
    assert (sk.score(X, y) == 1.0) == separable


def test_same_seed_same_history_and_different_seed_different_order():
    X, y = ds.moons(60, 0.2, seed=1)
    a = Perceptron(max_epochs=20, seed=3).fit(X, y)
    b = Perceptron(max_epochs=20, seed=3).fit(X, y)
    c = Perceptron(max_epochs=20, seed=4).fit(X, y)
    assert a.history_.frames.equals(b.history_.frames)
    assert a.history_.epochs.equals(b.history_.epochs)
    assert not a.history_.frames.equals(c.history_.frames)


def test_history_replays_to_the_final_weights_and_epochs_match_frames():
    X, y = ds.separable_blobs(50, margin=0.1, noise=0.7, seed=9)
    p = Perceptron(max_epochs=500, init="random", seed=1).fit(X, y)
    h = p.history_
    assert h.n_frames == p.n_updates_ + 1
    w, b = p.weights_at(h.n_frames - 1)
    np.testing.assert_array_equal(w, p.coef_[0])
    assert b == p.intercept_[0]
    assert h.epochs["mistakes"].sum() == p.n_updates_
    last = h.epochs["last_frame"].to_numpy()
    np.testing.assert_array_equal(np.diff(np.concatenate([[0], last])), h.epochs["mistakes"])
    # every update really was a mistake of the weights before it
    for k in range(1, h.n_frames):
        w_prev, b_prev = p.weights_at(k - 1)
        i = h.frames.loc[k, "sample"]
        out = 1.0 if X[i] @ w_prev + b_prev >= 0 else 0.0
        assert out == h.frames.loc[k, "output"] != h.frames.loc[k, "target"]
    # errors_after is what predict says with the end-of-epoch weights
    row = h.epochs.iloc[0]
    z = X @ row[["w1", "w2"]].to_numpy(dtype=float) + row["b"]
    assert row["errors_after"] == np.sum((z >= 0).astype(int) != y)


def test_any_two_labels_and_predict_maps_back():
    X, y01 = ds.logic_gate("or")
    y = np.where(y01 == 1, "yes", "no")
    p = Perceptron().fit(X, y)
    assert list(p.classes_) == ["no", "yes"]
    assert list(p.predict(X)) == list(y)


@pytest.mark.parametrize("lr", [0, -1.0, float("nan"), "abc"])
def test_bad_learning_rate_is_a_clear_error(lr):
    with pytest.raises(ValueError, match="learning rate"):
        Perceptron(lr=lr).fit(*ds.logic_gate("and"))


def test_other_bad_input_is_a_clear_error():
    X, y = ds.logic_gate("and")
    with pytest.raises(ValueError, match="max_epochs"):
        Perceptron(max_epochs=0).fit(X, y)
    with pytest.raises(ValueError, match="no samples"):
        Perceptron().fit(np.empty((0, 2)), np.empty(0))
    with pytest.raises(ValueError, match="exactly two classes"):
        Perceptron().fit(X, np.zeros(4))
    with pytest.raises(ValueError, match="output"):
        Perceptron(output="relu").fit(X, y)
    with pytest.raises(ValueError, match="not fitted"):
        Perceptron().predict(X)


def test_time_budget_stops_and_keeps_history():
    X, y = ds.xor(200, 0.3, seed=0)
    p = Perceptron(max_epochs=100_000, max_seconds=0.05).fit(X, y)
    assert "time budget" in p.stop_reason_ and p.n_epochs_ < 100_000
    assert len(p.history_.epochs) == p.n_epochs_


def test_neuron_and_layer_outputs():
    X = plane_grid((-1, 1), (-2, 2), steps=5)
    assert X.shape == (25, 2) and X[:, 0].min() == -1 and X[:, 1].max() == 2
    z = X @ np.array([1.0, -2.0]) + 0.5
    np.testing.assert_allclose(neuron_output(X, [1.0, -2.0], 0.5, "sigmoid"), 1 / (1 + np.exp(-z)))
    np.testing.assert_array_equal(neuron_output(X, [1.0, -2.0], 0.5, "heaviside"), z >= 0)
    W = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]])
    out = layer_output(X, W, [0.0, 0.5, -1.0], "relu")
    assert out.shape == (25, 3)
    np.testing.assert_allclose(out[:, 2], np.maximum(X.sum(axis=1) - 1.0, 0))
    with pytest.raises(ValueError, match="layer shapes"):
        layer_output(X, W, [0.0, 1.0])


def test_replay_frame_state_matches_the_history():
    from nnkit.perceptron import FrameState

    X, y = ds.logic_gate("or")
    p = Perceptron(lr=0.5, max_epochs=50, seed=2).fit(X, y)
    start = p.replay(X, y, 0)
    assert isinstance(start, FrameState)
    assert start.frame == 0 and start.sample == -1 and start.step == 0.0
    assert start.n_errors == int(np.sum(y == 0))  # H(0) = 1: only class-0 points are wrong
    for k in range(1, p.history_.n_frames):
        s = p.replay(X, y, k)
        row = p.history_.frames.iloc[k]
        assert s.step == 0.5 * (row["target"] - row["output"])
        np.testing.assert_allclose(s.w, s.w_before + s.step * X[s.sample])
        assert s.b == pytest.approx(s.b_before + s.step)
        z = X @ s.w + s.b
        np.testing.assert_array_equal(s.misclassified, (z >= 0).astype(int) != y)
    end = p.replay(X, y, 10**6)  # clipped to the last frame
    assert end.frame == p.n_updates_ and end.n_errors == 0


def test_gate_of_neuron():
    from nnkit.perceptron import gate_of_neuron

    assert gate_of_neuron([1, 1], -1.5) == ((0, 0, 0, 1), "and")
    assert gate_of_neuron([1, 1], -0.5) == ((0, 1, 1, 1), "or")
    assert gate_of_neuron([-1, -1], 1.5) == ((1, 1, 1, 0), "nand")
    assert gate_of_neuron([-1, -1], 0.5) == ((1, 0, 0, 0), "nor")
    assert gate_of_neuron([1, 0], -0.5) == ((0, 0, 1, 1), None)  # x1 alone
    # no threshold neuron computes XOR: search a grid of weights and biases
    grid = np.linspace(-2, 2, 17)
    found = {
        gate_of_neuron([a, c], b)[1] for a in grid for c in grid for b in grid
    }
    assert {"and", "or", "nand", "nor"} <= found and "xor" not in found


def test_layer_firing_shares_of_a_known_triangle():
    from nnkit.perceptron import layer_firing_shares

    W = [[0.0, 1.0], [-1.0, -1.0], [1.0, -1.0]]
    b = [0.5, 1.0, 1.0]
    shares = layer_firing_shares(W, b, (-2, 2), (-2, 2))
    assert shares.sum() == pytest.approx(1.0)
    assert shares[3] == pytest.approx(2.25 / 16, rel=1e-12)  # triangle of area 2.25
    # the exact shares agree with counting a fine grid
    from nnkit.perceptron import plane_grid

    P = plane_grid((-2, 2), (-2, 2), 401)
    counts = np.sum(P @ np.array(W).T + b >= 0, axis=1)
    np.testing.assert_allclose(shares, np.bincount(counts, minlength=4) / len(P), atol=0.01)
    assert shares[0] == 0.0  # every point is on the firing side of some neuron


def test_boundary_segment_and_view_box():
    from nnkit.perceptron import boundary_segment, view_box

    seg = boundary_segment([1.0, 1.0], -1.0, (-2, 2), (-2, 2))
    assert seg.shape == (2, 2)
    np.testing.assert_allclose(seg.sum(axis=1), [1.0, 1.0])  # both ends on x1 + x2 = 1
    assert {tuple(p) for p in seg} == {(-1.0, 2.0), (2.0, -1.0)}
    vertical = boundary_segment([2.0, 0.0], -1.0, (-2, 2), (-3, 3))
    np.testing.assert_allclose(vertical[:, 0], [0.5, 0.5])
    assert sorted(vertical[:, 1]) == [-3.0, 3.0]
    assert boundary_segment([1.0, 1.0], -10.0, (-2, 2), (-2, 2)) is None  # misses the box
    assert boundary_segment([0.0, 0.0], 1.0, (-2, 2), (-2, 2)) is None  # no line
    (x0, x1), (y0, y1) = view_box(np.array([[0.0, 0.0], [1.0, 3.0]]), pad=0.1)
    assert (x0, x1, y0, y1) == pytest.approx((-0.3, 1.3, -0.3, 3.3))


@pytest.mark.parametrize(
    ("w", "b"), [([1.0, 1.0], -1.0), ([0.0, 1.0], 0.3), ([2.0, 0.0], -1.0), ([1.0, -3.0], 10.0)]
)
def test_half_plane_polygons_split_the_box(w, b):
    from nnkit.perceptron import half_plane_polygon

    def area(poly):
        if len(poly) < 3:
            return 0.0
        x, y = poly[:, 0], poly[:, 1]
        return 0.5 * abs(np.dot(x, np.roll(y, -1)) - np.dot(y, np.roll(x, -1)))

    box = ((-2.0, 2.0), (-1.0, 3.0))
    pos = half_plane_polygon(w, b, *box, positive=True)
    neg = half_plane_polygon(w, b, *box, positive=False)
    assert area(pos) + area(neg) == pytest.approx(16.0)
    # Monte-Carlo check of which side is which
    rng = np.random.default_rng(0)
    P = rng.uniform([-2, -1], [2, 3], size=(20000, 2))
    share = np.mean(P @ np.array(w) + b >= 0)
    assert area(pos) / 16.0 == pytest.approx(share, abs=0.01)


@pytest.mark.parametrize("lr", [1e308, 1e7, 5e-324, 1e-9])
def test_learning_rate_outside_the_safe_range_is_refused(lr):
    # Review: η = 1e308 gave w = inf and a "converged" model (nan with a sign unit), and a
    # subnormal η changed the number of updates, which from zero weights must not depend on η.
    with pytest.raises(ValueError, match="between 1e-06 and 1e"):
        Perceptron(lr=lr).fit(*ds.logic_gate("and"))


@pytest.mark.parametrize("lr", [1e-6, 1e-3, 1.0, 1e3, 1e6])
def test_updates_do_not_depend_on_eta_over_the_whole_accepted_range(lr):
    X, y = ds.TOY_2D["blobs"].make(60, 0.4, 0)
    for output in ("heaviside", "sign"):
        ref = Perceptron(lr=1.0, seed=0, output=output).fit(X, y)
        p = Perceptron(lr=lr, seed=0, output=output).fit(X, y)
        assert p.n_updates_ == ref.n_updates_ and p.converged_
        assert np.all(np.isfinite(p.coef_))
        np.testing.assert_allclose(p.coef_ / lr, ref.coef_, rtol=1e-9)
