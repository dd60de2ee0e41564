"""nnkit.metrics: one implementation of each metric, equal to scikit-learn's."""

import math

import numpy as np
import pytest
from sklearn import metrics as skm

from nnkit.metrics import mae, r2_score, relative_l2, rmse


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_metrics_equal_sklearn(seed):
    rng = np.random.default_rng(seed)
    truth = rng.normal(size=200)
    pred = truth + rng.normal(scale=0.3, size=200)
    assert r2_score(truth, pred) == pytest.approx(skm.r2_score(truth, pred), rel=1e-12)
    assert rmse(truth, pred) == pytest.approx(skm.root_mean_squared_error(truth, pred), rel=1e-12)
    assert mae(truth, pred) == pytest.approx(skm.mean_absolute_error(truth, pred), rel=1e-12)


def test_r2_of_the_mean_is_zero_and_of_the_truth_one():
    truth = np.array([1.0, 2.0, 4.0, 8.0])
    assert r2_score(truth, np.full(4, truth.mean())) == pytest.approx(0.0, abs=1e-15)
    assert r2_score(truth, truth) == 1.0
    assert r2_score(truth, -truth) < 0


def test_degenerate_inputs_give_nan_not_an_exception():
    assert math.isnan(r2_score([3.0, 3.0, 3.0], [1.0, 2.0, 3.0]))
    assert math.isnan(r2_score([1.0, 2.0], [1.0, np.inf]))
    assert math.isnan(rmse([], []))
    assert math.isnan(relative_l2([1.0, 2.0], [0.0, 0.0]))
    with pytest.raises(ValueError, match="3 values"):
        rmse([1.0, 2.0, 3.0], [1.0, 2.0])


def test_relative_l2_is_the_norm_ratio():
    ref = np.array([3.0, 4.0])  # norm 5
    assert relative_l2(ref + np.array([0.0, 0.5]), ref) == pytest.approx(0.1)
