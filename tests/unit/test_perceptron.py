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
    found = {gate_of_neuron([a, c], b)[1] for a in grid for c in grid for b in grid}
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


# ---------------------------------------------------------------------------
# Replay: one frame state gives the label, the text and the weights
# ---------------------------------------------------------------------------


def _numbers(text):
    import re

    return [float(v) for v in re.findall(r"[-+]?\d*\.?\d+(?:e[-+]?\d+)?", text)]


def test_frame_position_and_description_come_from_the_same_frame():
    import re

    X, y = ds.separable_blobs(40, margin=0.1, noise=0.7, seed=3)
    p = Perceptron(max_epochs=200, seed=1).fit(X, y)
    last = p.history_.last_frame
    assert last == p.n_updates_ > 3
    for k in (0, 1, last // 2, last):
        s = p.replay(X, y, k)
        assert s.last == last
        kind, frame, of = re.fullmatch(r"(update|frame) (\d+) of (\d+)", s.position).groups()
        assert (int(frame), int(of)) == (k, last) and (kind == "update") == (k > 0)
        text = s.describe(X)
        head = re.match(r"\*\*(Update|Frame) (\d+) of (\d+)\*\*", text)
        assert head and (int(head.group(2)), int(head.group(3))) == (k, last)
        # the weights printed after "w =" are this frame's, to the 3 digits shown
        w_txt = re.findall(r"w = \(([^)]*)\)", text)[-1]
        np.testing.assert_allclose(_numbers(w_txt), s.w, rtol=5e-3, atol=1e-12)
        errors = int(re.findall(r"(\d+) of \d+ points", text)[-1])
        assert errors == s.n_errors
    assert p.history_.clip(-5) == 0 and p.history_.clip(10**9) == last


def test_history_last_epoch_mistakes():
    X, y = ds.xor()
    p = Perceptron(max_epochs=7).fit(X, y)
    assert p.history_.last_epoch_mistakes == p.history_.epochs["mistakes"].iloc[-1] > 0
    q = Perceptron().fit(*ds.logic_gate("and"))
    assert q.history_.last_epoch_mistakes == 0


# ---------------------------------------------------------------------------
# References and the verdict
# ---------------------------------------------------------------------------


def test_convergence_reference_and_verdict_on_each_kind_of_ending():
    from nnkit.perceptron import convergence_reference, training_verdict

    # converged, with a bound the run respects
    X, y = ds.separable_blobs(60, margin=0.2, noise=0.5, seed=0)
    ref = convergence_reference(X, y, max_epochs=100, seed=0)
    assert ref.separable and ref.separator is not None and ref.sklearn_accuracy == 1.0
    p = Perceptron(max_epochs=1000).fit(X, y)
    v = training_verdict(p, ref)
    assert v.status == "converged"
    assert p.n_updates_ <= ref.separator.bound
    assert f"{p.n_updates_} updates" in v.text and f"{ref.separator.bound:.1f}" in v.text
    # separable but cut by the epoch cap: the verdict must not claim convergence
    X, y = ds.separable_blobs(200, margin=0.02, noise=1.0, seed=4)
    ref = convergence_reference(X, y, max_epochs=1, seed=0)
    p = Perceptron(max_epochs=1, seed=0).fit(X, y)
    assert not p.converged_ and ref.separable
    v = training_verdict(p, ref)
    assert v.status == "stopped" and "onverged" not in v.text
    # not separable: never converges, with the last epoch's mistakes
    X, y = ds.xor()
    ref = convergence_reference(X, y, max_epochs=50, seed=0)
    assert not ref.separable and ref.separator is None and ref.sklearn_accuracy < 1.0
    p = Perceptron(max_epochs=50).fit(X, y)
    v = training_verdict(p, ref, explain_xor=True)
    assert v.status == "never"
    assert f"still made {p.history_.last_epoch_mistakes} mistakes" in v.text
    assert len(training_verdict(p, ref).text) < len(v.text)  # the XOR argument is extra


# ---------------------------------------------------------------------------
# One neuron, one layer
# ---------------------------------------------------------------------------


def test_neuron_summary_numbers():
    from nnkit.perceptron import neuron_summary

    s = neuron_summary([1.0, 1.0], -1.5, "sigmoid")
    assert s.has_line and s.gate == "and" and s.corner_outputs == (0, 0, 0, 1)
    assert s.distance == pytest.approx(1.5 / np.sqrt(2))
    assert s.output_at_origin == pytest.approx(1 / (1 + np.exp(1.5)))
    assert s.output_range == (0.0, 1.0)
    assert list(s.corners["label"]) == [0, 0, 0, 1]
    assert f"{s.distance:.3f}" in s.describe() and "AND" in s.describe()
    assert neuron_summary([1.0, 1.0], 0.0, "relu").output_range is None  # unbounded
    flat = neuron_summary([0.0, 0.0], 0.7, "tanh")
    assert not flat.has_line and flat.distance == float("inf")
    assert f"{np.tanh(0.7):.4f}" in flat.describe()
    # a truth table that is no gate is named as such, not as a gate
    odd = neuron_summary([1.0, 0.0], -0.5, "heaviside")
    assert odd.gate is None and "[0, 0, 1, 1]" in odd.describe()


def test_layer_from_table_reads_numbers_and_refuses_unusable_tables():
    import pandas as pd

    from nnkit.perceptron import layer_from_table

    t = pd.DataFrame({"w1": [1.0, 0.0], "w2": ["2", 3.0], "b": [0.5, -1.0]})
    W, b = layer_from_table(t)
    np.testing.assert_array_equal(W, [[1.0, 2.0], [0.0, 3.0]])
    np.testing.assert_array_equal(b, [0.5, -1.0])
    with pytest.raises(ValueError, match="at least one neuron"):
        layer_from_table(t.iloc[:0])
    with pytest.raises(ValueError, match=r"remove 1 row"):
        layer_from_table(pd.concat([t] * 4).iloc[:7])
    assert len(layer_from_table(pd.concat([t] * 4), max_neurons=None)[0]) == 8
    for bad in (None, float("nan"), float("inf"), "abc"):
        u = t.astype(object).copy()
        u.loc[1, "b"] = bad
        with pytest.raises(ValueError, match="fill the empty cells"):
            layer_from_table(u)


def test_layer_summary_shares_and_lineless_neurons():
    from nnkit.perceptron import layer_firing_shares, layer_summary

    W = [[0.0, 1.0], [-1.0, -1.0], [1.0, -1.0]]
    b = [0.5, 1.0, 1.0]
    s = layer_summary(W, b, (-2, 2), (-2, 2))
    assert s.n_neurons == 3 and s.lineless == ()
    np.testing.assert_array_equal(s.shares, layer_firing_shares(W, b, (-2, 2), (-2, 2)))
    assert s.all_fire == pytest.approx(2.25 / 16) and s.none_fire == 0.0
    s = layer_summary([[0.0, 0.0], [1.0, 0.0]], [1.0, 0.0], (-2, 2), (-2, 2))
    assert s.lineless == (0,)
    assert s.shares[0] == 0.0 and s.all_fire == pytest.approx(0.5)  # h1 fires everywhere


# ---------------------------------------------------------------------------
# XOR: uniform output fields and the study's numbers
# ---------------------------------------------------------------------------


def _grid(p):
    import pandas as pd

    n = int(np.sqrt(len(p)))
    g = np.linspace(-0.5, 1.5, n)
    a, c = np.meshgrid(g, g)
    side = (np.asarray(p) > 0.5).reshape(n, n)
    edge = np.zeros_like(side)
    edge[:, :-1] |= side[:, :-1] != side[:, 1:]
    edge[:-1, :] |= side[:-1, :] != side[1:, :]
    return pd.DataFrame({"x": a.ravel(), "y": c.ravel(), "p": p, "boundary": edge.ravel()})


def test_output_field_draws_no_boundary_through_a_uniform_field():
    from nnkit.perceptron import output_field

    rng = np.random.default_rng(0)
    flat = _grid(0.5 + 0.004 * rng.standard_normal(400))  # noise crosses ½ everywhere
    assert flat["boundary"].any()
    f = output_field(flat)
    assert f.uniform and f.spread < 0.2 and not f.grid["boundary"].any()
    assert f.low == flat["p"].min() and f.high == flat["p"].max()
    pd_xy = f.grid[["x", "y", "p"]]
    assert pd_xy.equals(flat[["x", "y", "p"]])  # only the boundary is dropped
    x = np.tile(np.linspace(0, 1, 20), 20)
    decided = _grid(x)  # p goes from 0 to 1 across the picture
    g = output_field(decided)
    assert not g.uniform and g.grid["boundary"].equals(decided["boundary"])
    assert g.grid["boundary"].sum() > 0


def test_summarize_xor_study_reads_the_table_and_handles_missing_rows():
    import pandas as pd

    from nnkit.perceptron import solves_xor, summarize_xor_study

    rows = [(0, 0, "no hidden layer", 0, 0.5, 300)]
    rows += [
        (1, u, f"2 → {u} → 1", s, a, e)
        for u, s, a, e in [
            (1, 0, 0.7, 300),
            (2, 13, 0.93, 300),
            (3, 20, 1.0, 120),
            (4, 20, 1.0, 300),
        ]
    ]
    rows += [(2, 2, "2 → 2 → 2 → 1", 20, 1.0, 80)]
    df = pd.DataFrame(
        rows,
        columns=["layers", "units", "architecture", "successes", "mean_accuracy", "epochs_trained"],
    ).assign(seeds=20)
    s = summarize_xor_study(df, epochs=300)
    assert (s.seeds, s.no_hidden_successes, s.two_units_successes) == (20, 0, 13)
    assert s.two_units_mean_accuracy == pytest.approx(0.93)
    assert (s.smallest_reliable, s.smallest_reliable_layers) == ("2 → 3 → 1", 1)
    assert (s.n_capped, s.fewest_epochs) == (2, 80)
    # nothing reliable, nothing capped, no 2-unit row
    worse = df[df["units"] != 2].assign(successes=lambda d: d["successes"] // 2)
    s = summarize_xor_study(worse, epochs=80)
    assert s.smallest_reliable is None and s.smallest_reliable_layers == 0
    assert s.two_units_successes is None and s.two_units_mean_accuracy is None
    assert (s.n_capped, s.fewest_epochs) == (0, None)
    assert solves_xor(1.0, 1.0) and solves_xor(0.9 + 1e-12, 0.9) and not solves_xor(0.75, 1.0)


def _study(rows, seeds=20):
    import pandas as pd

    from nnkit.xor import _architecture

    return pd.DataFrame(
        [
            (layers, units, _architecture([units] * layers), ok, acc, epochs)
            for layers, units, ok, acc, epochs in rows
        ],
        columns=["layers", "units", "architecture", "successes", "mean_accuracy", "epochs_trained"],
    ).assign(seeds=seeds)


def test_the_xor_study_text_says_what_the_counts_say_about_the_readers_architecture():
    from nnkit.perceptron import summarize_xor_study

    rows = [(0, 0, 0, 0.5, 300), (1, 1, 0, 0.7, 300), (1, 2, 11, 0.9, 300), (1, 3, 20, 1.0, 300)]
    rows += [(1, 4, 20, 1.0, 300), (2, 2, 14, 0.95, 120)]
    df = _study(rows)

    def text(layers, units, table=df):
        return summarize_xor_study(table, 300, layers, units).text()

    # the lecture's 2 units, 11 of 20: the 9 that got stuck, and a nudge to try a seed
    two = text(1, 2)
    assert "11 of 20" in two and "9 seeds got stuck; try another seed above" in two
    assert "Yours" not in two  # said once, in the 2-unit sentence
    # someone else's 2 units: the count, without the nudge
    assert "9 seeds got stuck." in text(1, 4) and "try another seed" not in text(1, 4)
    # reliable: never "can fail or succeed"
    four = text(1, 4)
    assert "Yours, 2 → 4 → 1, solves it for all 20 seeds." in four
    assert "fail or succeed" not in four
    # the smallest reliable one is named once, as yours
    three = text(1, 3)
    assert "smallest architecture that succeeded for every seed is yours, 2 → 3 → 1" in three
    assert "Yours, 2 → 3 → 1" not in three
    assert "is 2 → 3 → 1" in four  # (not yours)
    # never solved: no hope offered
    one = text(1, 1)
    assert "Yours, 2 → 1 → 1, solves it for none of the 20 seeds." in one
    assert "try another seed" not in one and "fail or succeed" not in one
    # sometimes, and cut by the time cap: a lower bound, said so
    deep = text(2, 2)
    assert "Yours, 2 → 2 → 2 → 1, solves it for 14 of 20 seeds in the epochs the time cap" in deep
    assert "fail or succeed; try another seed above" in deep
    # no hidden layer: the first sentence says it already; none asked: no "Yours"
    assert "Yours" not in text(0, 5) and "Yours" not in summarize_xor_study(df, 300).text()
    assert text(0, 5).startswith("With no hidden layer XOR is solved in 0 of 20 seeds.")
    # 2 units that always or never find it: no "got stuck"
    always = df.assign(successes=lambda d: d["successes"].where(d["units"] != 2, 20))
    never = df.assign(successes=lambda d: d["successes"].where(d["units"] != 2, 0))
    assert "every seed found the solution" in text(1, 2, always) and "stuck" not in text(
        1, 2, always
    )
    assert "no seed found the solution" in text(1, 2, never) and "stuck" not in text(1, 2, never)
    # nothing reliable
    shaky = df.assign(successes=lambda d: d["successes"].clip(upper=19))
    assert text(1, 4, shaky).endswith(
        "No architecture here succeeded for every seed with these settings."
    )
    assert "19 of 20 seeds: the same architecture can fail or succeed" in text(1, 4, shaky)
