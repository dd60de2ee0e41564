"""nnkit.tabular (issue 18): a network with a linear path that starts as the linear baseline
of its training rows (ridge or logistic regression), and the search that uses it."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.linear_model import LogisticRegression, RidgeCV

from nnkit import tabular
from nnkit.models import mlp
from nnkit.tabular import HalvingSearch, MLPConfig, SearchSpace
from nnkit.tabular.layers import linear_fit, start_at_linear
from nnkit.tabular.networks import TorchMLPClassifier, TorchMLPRegressor, with_linear_path

pytestmark = pytest.mark.usefixtures("one_torch_thread")  # tests/unit/conftest.py


def rows(n=300, d=5, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, d))
    y = X @ rng.normal(size=d) + 0.5 * np.sin(2 * X[:, 0]) + rng.normal(0, 0.3, n) + 4
    return X, y


def fit_rows(est):
    """The rows the network trains on (its validation rows left out)."""
    obj = est.trainer_.objective
    return obj.X.numpy().astype(np.float64), obj.y.numpy()


def test_an_untrained_regressor_predicts_what_ridge_of_its_training_rows_predicts():
    X, y = rows()
    net = TorchMLPRegressor(hidden=(16, 16), linear_path=True, linear_start=True, val_fraction=0.2)
    net.fit(X, y, epochs=0)
    A, t = fit_rows(net)
    assert len(A) == 240  # the validation rows are not in the linear fit
    ridge = RidgeCV(alphas=np.logspace(-3, 3, 13)).fit(A, t[:, 0])
    expected = net.y_loc_ + net.y_scale_ * ridge.predict(X)
    np.testing.assert_allclose(net.predict(X), expected, rtol=1e-4, atol=1e-4 * np.std(y))
    # a zero start (the default) predicts something else: the random MLP
    plain = TorchMLPRegressor(hidden=(16, 16), linear_path=True, val_fraction=0.2).fit(
        X, y, epochs=0
    )
    assert np.max(np.abs(plain.predict(X) - expected)) > 0.1 * np.std(y)


@pytest.mark.parametrize("n_classes", [2, 3])
def test_an_untrained_classifier_gives_logistic_regressions_probabilities(n_classes):
    X, y = rows(seed=1)
    labels = np.array(["low", "mid", "top"])[:n_classes][
        np.digitize(y, np.quantile(y, np.linspace(0, 1, n_classes + 1)[1:-1]))
    ]
    net = TorchMLPClassifier(hidden=(8,), linear_path=True, linear_start=True, members=2)
    net.fit(X, labels, epochs=0)
    A, codes = fit_rows(net)
    logit = LogisticRegression(max_iter=2000).fit(A, codes.reshape(-1).astype(int))
    np.testing.assert_allclose(net.predict_proba(X), logit.predict_proba(X), atol=1e-4)


def test_training_from_the_linear_start_keeps_improving_on_the_validation_rows():
    X, y = rows(n=400, seed=2)
    net = TorchMLPRegressor(hidden=(32, 32), linear_path=True, linear_start=True, lr=3e-3,
                            epochs=60, patience=None, seed=3)  # fmt: skip
    net.fit(X, y)
    val = np.asarray(net.history_.val_loss)
    assert np.nanmin(val) < val[0]  # the bump the line misses is learned
    assert net.best_.loss < 0.5  # standardised target: far below the mean predictor's 1


def test_a_linear_start_is_exported_and_reloaded_exactly():
    frame = pd.DataFrame(rows(n=200, d=3, seed=4)[0], columns=list("abc"))
    frame["kind"] = np.where(frame["a"] > 0, "x", "y")
    frame["value"] = rows(n=200, d=3, seed=4)[1]
    data = tabular.prepare(frame, "value", ["a", "b", "c", "kind"], seed=0)
    config = MLPConfig(hidden=(8,), epochs=5, linear_path=True, linear_start=True, members=2)
    model, _ = tabular.train_mlp(data, config)
    again = tabular.load_model(tabular.export_model(model))
    assert again.estimator_.linear_start and again.estimator_.members == 2
    np.testing.assert_array_equal(again.predict(data.X_test), model.predict(data.X_test))


def test_start_at_linear_needs_a_linear_path_of_the_right_shape():
    W, b = np.ones((1, 3)), np.zeros(1)
    with pytest.raises(ValueError):
        start_at_linear(mlp(3, [4], 1), W, b)
    with pytest.raises(ValueError):
        start_at_linear(with_linear_path(mlp(3, [4], 2), 3, 2), W, b)


def test_a_class_missing_from_the_training_rows_gets_a_zero_logit():
    X = np.random.default_rng(0).normal(size=(40, 2))
    codes = (X[:, 0] > 0).astype(int) * 2  # classes 0 and 2 of three
    W, b = linear_fit(X, codes, "cross_entropy")
    assert W.shape == (3, 2) and not W[1].any() and b[1] == 0 and W[2].any()
    one = linear_fit(X, np.zeros(40), "bce")
    assert not one[0].any() and not one[1].any()


def test_the_search_starts_candidates_at_the_linear_baseline_of_the_chosen_tasks():
    X, y = rows(n=200, d=3, seed=5)
    frame = pd.DataFrame(X, columns=list("abc"))
    frame["value"] = y
    frame["label"] = np.where(y > np.median(y), "high", "low")
    small = dict(widths=(8,), weight_decays=(0.0,), first_epochs=1)
    reg = tabular.prepare(frame, "value", list("abc"), seed=0)
    assert HalvingSearch(reg, space=SearchSpace(**small)).base.linear_start
    assert not HalvingSearch(reg, space=SearchSpace(**small, linear_path=False)).base.linear_start
    cls = tabular.prepare(frame, "label", list("abc"), seed=0, task="classification")
    assert HalvingSearch(cls, space=SearchSpace(**small)).base.linear_start
    only_regression = SearchSpace(**small, linear_start=("regression",))
    assert not HalvingSearch(cls, space=only_regression).base.linear_start
    assert HalvingSearch(reg, space=only_regression).base.linear_start
