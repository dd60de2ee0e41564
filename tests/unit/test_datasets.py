"""2-D toy classification sets: shapes, labels, margins, seeds and argument checks."""

from __future__ import annotations

import numpy as np
import pytest

from nnkit import datasets as ds

MAKERS = {
    "blobs": lambda n, e, s: ds.separable_blobs(n, margin=0.3, noise=e, seed=s),
    "xor": lambda n, e, s: ds.logic_gate("xor", n, e, s),
    "circles": lambda n, e, s: ds.circles(n, e, seed=s),
    "moons": lambda n, e, s: ds.moons(n, e, seed=s),
    "spiral": lambda n, e, s: ds.spiral(n, e, seed=s),
}


@pytest.mark.parametrize("name", MAKERS)
def test_shapes_labels_and_balance(name):
    X, y = MAKERS[name](101, 0.1, 3)
    assert X.shape == (101, 2) and X.dtype == float and np.all(np.isfinite(X))
    assert y.shape == (101,) and y.dtype.kind == "i"
    assert set(np.unique(y)) == {0, 1}
    if name != "xor":  # gates cycle through the 4 corners instead
        assert np.sum(y == 0) == 50 and np.sum(y == 1) == 51


@pytest.mark.parametrize("name", MAKERS)
def test_same_seed_same_points_other_seed_other_points(name):
    X1, y1 = MAKERS[name](40, 0.2, 7)
    X2, y2 = MAKERS[name](40, 0.2, 7)
    X3, _ = MAKERS[name](40, 0.2, 8)
    np.testing.assert_array_equal(X1, X2)
    np.testing.assert_array_equal(y1, y2)
    assert not np.array_equal(X1, X3)


@pytest.mark.parametrize("name", MAKERS)
@pytest.mark.parametrize("n", [0, 1, -5])
def test_too_few_samples_is_a_clear_error(name, n):
    with pytest.raises(ValueError, match="n_samples must be at least"):
        MAKERS[name](n, 0.1, 0)


@pytest.mark.parametrize("name", MAKERS)
@pytest.mark.parametrize("noise", [-0.1, 1.5, float("nan"), float("inf")])
def test_noise_out_of_range_is_a_clear_error(name, noise):
    with pytest.raises(ValueError, match="noise must be between 0 and 1"):
        MAKERS[name](20, noise, 0)


def test_non_integer_sample_count_is_rejected():
    with pytest.raises(ValueError, match="whole number"):
        ds.moons(10.5)
    X, _ = ds.moons(10.0)  # an integral float is fine
    assert len(X) == 10


@pytest.mark.parametrize(
    ("gate", "table"),
    [("and", [0, 0, 0, 1]), ("or", [0, 1, 1, 1]), ("xor", [0, 1, 1, 0]),
     ("nand", [1, 1, 1, 0]), ("nor", [1, 0, 0, 0])],
)  # fmt: skip
def test_truth_tables(gate, table):
    X, y = ds.logic_gate(gate)
    np.testing.assert_array_equal(X, [[0, 0], [0, 1], [1, 0], [1, 1]])
    np.testing.assert_array_equal(y, table)
    # the truth table is the rule behind every noisy sample too
    Xn, yn = ds.logic_gate(gate, n_samples=40, noise=0.05, seed=1)
    corner = np.rint(np.clip(Xn, 0, 1)).astype(int)
    np.testing.assert_array_equal(yn, np.array(table)[2 * corner[:, 0] + corner[:, 1]])


def test_xor_is_the_xor_gate_and_unknown_gates_fail():
    np.testing.assert_array_equal(ds.xor()[1], [0, 1, 1, 0])
    with pytest.raises(ValueError, match="unknown gate"):
        ds.logic_gate("xnand")
    with pytest.raises(ValueError, match="at least 4"):
        ds.logic_gate("and", n_samples=3)


@pytest.mark.parametrize("seed", range(5))
@pytest.mark.parametrize(
    ("margin", "angle", "noise"), [(0.3, 30.0, 0.4), (0.05, -70.0, 1.0), (1.0, 135.0, 0.0)]
)
def test_blobs_have_at_least_the_requested_margin(seed, margin, angle, noise):
    X, y = ds.separable_blobs(80, margin=margin, noise=noise, angle=angle, seed=seed)
    u = np.array([np.cos(np.radians(angle)), np.sin(np.radians(angle))])
    signed = (2 * y - 1) * (X @ u)
    assert signed.min() >= margin


def test_blobs_reject_a_non_positive_margin():
    with pytest.raises(ValueError, match="margin"):
        ds.separable_blobs(10, margin=0.0)


def test_circles_radii_and_moons_shape_without_noise():
    X, y = ds.circles(60, noise=0.0, factor=0.4)
    r = np.hypot(X[:, 0], X[:, 1])
    np.testing.assert_allclose(r[y == 0], 1.0)
    np.testing.assert_allclose(r[y == 1], 0.4)
    X, y = ds.moons(50, noise=0.0)
    np.testing.assert_allclose(np.hypot(X[y == 0, 0], X[y == 0, 1]), 1.0)
    np.testing.assert_allclose(np.hypot(X[y == 1, 0] - 1, X[y == 1, 1] - 0.5), 1.0)


def test_spiral_arms_are_point_reflections():
    X, y = ds.spiral(100, noise=0.0)
    a0 = X[y == 0][np.argsort(np.hypot(*X[y == 0].T))]
    a1 = X[y == 1][np.argsort(np.hypot(*X[y == 1].T))]
    np.testing.assert_allclose(a1, -a0, atol=1e-12)


def test_registry_makes_every_set_with_its_defaults():
    assert set(ds.TOY_2D) == {"and", "or", "xor", "blobs", "circles", "moons", "spiral"}
    for toy in ds.TOY_2D.values():
        X, y = toy.make(toy.default_samples, toy.default_noise, 0)
        assert X.shape == (toy.default_samples, 2) and set(np.unique(y)) == {0, 1}
        with pytest.raises(ValueError):
            toy.make(0, toy.default_noise, 0)
