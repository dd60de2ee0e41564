"""nnkit.tabular.search (issue 18): successive halving over width, weight decay and learning
rate on the validation rows, inside the run's budget, as a job that can stop and continue."""

from __future__ import annotations

import math
import threading

import numpy as np
import pandas as pd
import pytest

from nnkit import tabular
from nnkit.limits import Limits
from nnkit.tabular import HalvingSearch, MLPConfig, SearchSpace, auto_batch_size
from nnkit.training import TrainingJob

pytestmark = pytest.mark.usefixtures("one_torch_thread")  # tests/unit/conftest.py


def smooth(n=1200, seed=0) -> pd.DataFrame:
    """Plenty of rows, a smooth noise-free law: weight decay can only hold the network back."""
    rng = np.random.default_rng(seed)
    x = rng.uniform(-2, 2, (n, 3))
    y = np.sin(2 * x[:, 0]) + x[:, 1] * x[:, 2] + 3
    return pd.DataFrame({"a": x[:, 0], "b": x[:, 1], "c": x[:, 2], "value": y})


TINY = SearchSpace(widths=(8, 16), weight_decays=(0.0, 0.3), lrs=(1e-2, 3e-3), first_epochs=3)
"""Four candidates: one round of halving (4 -> 1)."""


def test_batch_size_follows_the_rows():
    assert auto_batch_size(700) == 32 and auto_batch_size(1000) == 32
    assert auto_batch_size(14_000) == 256 and auto_batch_size(10**6) == 512
    assert all(auto_batch_size(n) & (auto_batch_size(n) - 1) == 0 for n in (1, 50, 3000, 9000))


def test_the_grid_pairs_every_width_with_every_weight_decay_and_both_rates():
    space = SearchSpace()
    configs = space.configs(MLPConfig(hidden=(64, 64), patience=7), seed=0)
    assert len(configs) == len(space.widths) * len(space.weight_decays) == 12
    assert {c.weight_decay for c in configs} == set(
        space.weight_decays
    ) and 0.0 in space.weight_decays
    for decay in space.weight_decays:  # each decay is tried with each learning rate
        assert {c.lr for c in configs if c.weight_decay == decay} == set(space.lrs)
    for width in space.widths:
        assert {c.lr for c in configs if c.hidden == (width, width)} == set(space.lrs)
    assert all(c.patience == 7 and len(c.hidden) == 2 for c in configs)  # the rest is kept
    assert configs == space.configs(MLPConfig(hidden=(64, 64), patience=7), seed=0)
    with pytest.raises(ValueError):
        SearchSpace(widths=())


def test_halving_keeps_the_best_third_and_the_winner_trains_on():
    data = tabular.prepare(smooth(), "value", ["a", "b", "c"], seed=0)
    space = SearchSpace(
        widths=(8, 16, 32), weight_decays=(0.0, 1e-3, 0.3), first_epochs=2, members=1
    )  # one network per candidate: 40 epochs train it to R² > 0.9
    search = HalvingSearch(data, MLPConfig(hidden=(8, 8), epochs=40, patience=5), space)
    result = search.run()
    table = search.table()
    assert len(table) == 9 and list(table["status"]).count("chosen") == 1
    # Round 1: all nine trained 2 epochs; the best three (by validation loss) went on to
    # 6; of those, the best one was chosen and trained on to early stopping.
    first = table[table["status"] == "out after round 1"]
    second = table[table["status"] == "out after round 2"]
    assert len(first) == 6 and set(first["epochs"]) == {2} and len(second) == 2
    assert set(second["epochs"]) == {6}
    chosen = table.iloc[0]
    assert chosen["status"] == "chosen" and chosen["epochs"] > 6
    assert chosen["weight decay"] < 0.3  # a strong penalty loses on plentiful, clean rows
    assert (
        result.stop_reason in ("early_stopping", "completed") and result.epochs == chosen["epochs"]
    )
    assert search.steps_done > result.history.steps[-1]  # the search's work counts too
    model = search.tabular_model
    assert model.fit_seconds == pytest.approx(search.wall_time)
    r2 = tabular.compare({"MLP": model}, data).set_index("model").loc["MLP", "R²"]
    assert r2 > 0.9
    assert "successive halving" in search.summary() and "Chose" in search.summary()
    # The chosen model exports and reloads like any other.
    again = tabular.load_model(tabular.export_model(model))
    np.testing.assert_array_equal(again.predict(data.X_test), model.predict(data.X_test))


def test_train_mlp_searches_unless_given_settings():
    data = tabular.prepare(smooth(300), "value", ["a", "b", "c"], seed=1)
    model, result = tabular.train_mlp(data, search=TINY)
    assert model.estimator_.hidden in ((8, 8), (16, 16))  # the default two layers
    assert model.estimator_.weight_decay == 0.0 and result.epochs > TINY.first_epochs
    fixed, _ = tabular.train_mlp(data, MLPConfig(hidden=(4,), epochs=2))
    assert fixed.estimator_.hidden == (4,)  # settings given: trained as they are


def test_a_budget_covers_search_and_training_and_continue_goes_on():
    data = tabular.prepare(smooth(1500), "value", ["a", "b", "c"], seed=0)
    search = HalvingSearch(
        data, MLPConfig(hidden=(32, 32), epochs=500, patience=400), SearchSpace(),
        limits=Limits(max_train_seconds=1.5),
    )  # fmt: skip
    res = search.run()
    assert res.stop_reason == "time_limit" and search.wall_time < 3.0
    assert search.searched  # the search always ends with a choice, cut rounds or not
    epochs = search.epochs_done
    search.run(5)
    assert search.epochs_done == epochs + 5 and search.winner is not None


def test_a_job_stops_the_search_and_continue_finishes_it():
    data = tabular.prepare(smooth(600), "value", ["a", "b", "c"], seed=0)
    run = tabular.mlp_trainer(data, MLPConfig(hidden=(8,), epochs=30, patience=5), search=TINY)
    assert run.search is run.trainer
    stop = threading.Event()
    stop.set()  # stopped before its first step: nothing chosen, nothing lost
    res = run.trainer.run(stop_event=stop)
    assert res.stop_reason == "stopped" and not run.search.searched
    assert math.isinf(run.search.leader.loss)
    job = TrainingJob(run.trainer, epochs=30).start()
    assert job.join(120)
    snap = job.snapshot()
    assert run.search.searched and snap.stop_reason in ("early_stopping", "completed")
    assert snap.epochs == run.model.estimator_.trainer_.epochs_done
    assert run.best is run.model.estimator_.best_
    assert list(snap.history.epoch) == list(range(1, snap.epochs + 1))


def test_a_classifier_is_searched_on_its_cross_entropy():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(500, 2))
    frame = pd.DataFrame(
        {"x": x[:, 0], "y": x[:, 1], "label": np.where(x[:, 0] * x[:, 1] > 0, "a", "b")}
    )
    data = tabular.prepare(frame, "label", ["x", "y"])
    model, result = tabular.train_mlp(data, MLPConfig(hidden=(16,), epochs=60), search=TINY)
    acc = tabular.compare({"MLP": model}, data).set_index("model").loc["MLP", "accuracy"]
    assert acc > 0.85 and model.predict_proba(data.X_test).shape == (len(data.y_test), 2)


def test_denormals_are_flushed_in_the_training_thread_only_while_it_trains():
    from nnkit.tabular.networks import _denormals_flushed

    seen: list[bool] = []
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(64, 3)), rng.normal(size=64)
    net = tabular.TorchMLPRegressor(hidden=(4,), epochs=0).fit(X, y)
    net.trainer_.callbacks.append(lambda info: seen.append(_denormals_flushed()))
    assert not _denormals_flushed()
    net.trainer_.run(2)
    assert seen == [True, True] and not _denormals_flushed()  # put back afterwards


def test_a_small_table_holds_out_at_least_30_validation_rows():
    config = MLPConfig()  # 15 %, at least 30 rows, at most 30 %
    assert config.for_rows(200) is config and config.for_rows(5000) is config
    assert config.for_rows(142).val_fraction == pytest.approx(30 / 142)  # wine: 21 rows → 30
    assert config.for_rows(60).val_fraction == 0.3
    assert MLPConfig(min_val_rows=0).for_rows(60).val_fraction == 0.15
    # the network trains with it, and the page's text counts the rows it holds out
    labels = pd.DataFrame({"x": np.arange(150.0), "kind": ["a", "b", "c"] * 50})
    data = tabular.prepare(labels, "kind", ["x"])  # 120 training rows
    model = tabular.mlp_model(data, MLPConfig(hidden=(4,)))
    assert model.classifier.val_fraction == pytest.approx(30 / 120)
    assert "(30 rows: at least 30" in tabular.network_text(data, MLPConfig())[1]
    tiny = tabular.prepare(labels.head(60), "kind", ["x"])  # 48 training rows: 30 % = 14
    assert "(14 rows: the most" in tabular.network_text(tiny, MLPConfig())[1]
    search = HalvingSearch(data, MLPConfig(hidden=(4,), epochs=1))
    assert search.base.val_fraction == pytest.approx(30 / 120)


def test_the_network_text_follows_the_settings():
    data = tabular.prepare(smooth(200), "value", ["a", "b", "c"])
    network, training = tabular.network_text(
        data, MLPConfig(hidden=(64, 64), patience=9), SearchSpace(), 60
    )
    assert "(3 inputs → width → width → 1)" in network and "first chooses" in network
    assert (
        "Batches sized by the rows" in training
        and "after 9 epochs" in training
        and "60 s" in training
    )
    network, training = tabular.network_text(data, MLPConfig(hidden=(16,), batch_size=64))
    assert "(3 inputs → 16 → 1)" in network and "first chooses" not in network
    assert "Mini-batches of 64" in training and "fair-use" not in training
    labels = pd.DataFrame({"x": np.arange(90.0), "kind": ["a", "b", "c"] * 30})
    three = tabular.prepare(labels, "kind", ["x"])
    assert "→ 3 (softmax))" in tabular.network_text(three, MLPConfig(hidden=(8,)))[0]
    assert "cross-entropy" in tabular.network_text(three, MLPConfig(hidden=(8,)))[1]
