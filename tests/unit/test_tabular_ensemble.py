"""nnkit.tabular (issue 18): the network's options for small tables — a linear path from the
inputs to the output, an ensemble of networks trained in turn — and the search's first round
sized in optimizer steps."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import torch

from nnkit import tabular
from nnkit.models import mlp
from nnkit.tabular import HalvingSearch, MLPConfig, SearchSpace
from nnkit.tabular.networks import mean_of, with_linear_path

pytestmark = pytest.mark.usefixtures("one_torch_thread")  # tests/unit/conftest.py


def line_plus_bump(n=400, seed=0) -> pd.DataFrame:
    """Mostly a straight line in four columns, plus a small bump in the first."""
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, 4))
    y = x @ np.array([1.5, -2.0, 0.7, 0.3]) + 0.3 * np.exp(-4 * x[:, 0] ** 2) + 10
    frame = pd.DataFrame(x, columns=list("abcd"))
    frame["value"] = y + rng.normal(0, 0.05, n)
    return frame


def test_the_linear_path_starts_at_zero_and_keeps_the_layer_names():
    net = mlp(3, [5, 5], 2, activation="silu", seed=1)
    x = torch.randn(7, 3)
    expected = net(x)
    both = with_linear_path(net, 3, 2)
    torch.testing.assert_close(both(x), expected)  # at first: the MLP alone
    keys = list(both.state_dict())
    assert keys[:6] == list(net.state_dict()) and keys[6:] == ["linear.weight", "linear.bias"]
    with torch.no_grad():
        both.linear.weight.fill_(1.0)
    torch.testing.assert_close(both(x), expected + x.sum(dim=1, keepdim=True))


def test_an_ensemble_trains_one_member_per_step_and_predicts_their_mean():
    members = [mlp(2, [4], 1, seed=s) for s in range(3)]
    ens = mean_of(members)
    x = torch.randn(5, 2)
    with torch.no_grad():  # validation and predict: the mean of the members
        torch.testing.assert_close(ens(x), torch.stack([m(x) for m in members]).mean(0))
    ens.train()
    for k in range(4):  # optimizer steps: the members in turn, each with its own gradient
        ens.zero_grad(set_to_none=True)
        ens(x).sum().backward()
        with_grad = [i for i, m in enumerate(members) if m[0].weight.grad is not None]
        assert with_grad == [k % 3]
    with pytest.raises(ValueError):
        mean_of([])


def test_an_ensemble_regressor_is_the_mean_of_its_members_and_exports_exactly():
    data = tabular.prepare(line_plus_bump(), "value", list("abcd"), seed=0)
    config = MLPConfig(hidden=(16,), epochs=60, patience=20, members=3, linear_path=True)
    model, result = tabular.train_mlp(data, config)
    net = model.estimator_
    assert net.members == 3 and net.linear_path
    best = net._best_network()
    assert len(best.members) == 3 and all(hasattr(m, "linear") for m in best.members)
    Z = data.Z_test
    each = [net.y_loc_ + net.y_scale_ * m(torch.tensor(Z, dtype=torch.float32)).detach().numpy()
            for m in best.members]  # fmt: skip
    np.testing.assert_allclose(
        net.predict(Z),
        np.mean(each, axis=0)[:, 0],
        rtol=1e-5,
        atol=1e-5,
    )
    r2 = tabular.compare({"MLP": model}, data).set_index("model").loc["MLP", "R²"]
    assert r2 > 0.95
    again = tabular.load_model(tabular.export_model(model))
    np.testing.assert_array_equal(again.predict(data.X_test), model.predict(data.X_test))
    assert again.estimator_.members == 3 and again.estimator_.linear_path
    text, _ = tabular.loaded_summary(again, data.X_test.assign(value=data.y_test), data, model)
    assert "4 → 16 → 1" in text


def test_a_bad_member_count_in_a_file_is_refused():
    import json

    data = tabular.prepare(line_plus_bump(120), "value", list("abcd"), seed=0)
    model, _ = tabular.train_mlp(data, MLPConfig(hidden=(4,), epochs=3, members=2))
    doc = json.loads(tabular.export_model(model))
    for bad in (0, 10**6, True, 1.5):
        doc["network"]["params"]["members"] = bad
        with pytest.raises(tabular.TabularError):
            tabular.load_model(json.dumps(doc).encode())
    doc["network"]["params"]["members"] = 2
    assert doc["network"]["params"]["average_best"] == 3  # MLPConfig's, written and read
    assert tabular.load_model(json.dumps(doc).encode()).estimator_.average_best == 3
    for bad in (0, 10**6, True, 1.5, "3"):
        doc["network"]["params"]["average_best"] = bad
        with pytest.raises(tabular.TabularError):
            tabular.load_model(json.dumps(doc).encode())


def test_one_member_without_a_path_is_the_plain_network():
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(50, 3)), rng.normal(size=50)
    plain = tabular.TorchMLPRegressor(hidden=(4,), epochs=0, seed=3).fit(X, y)
    assert isinstance(plain.model_, torch.nn.Sequential) and len(plain.model_) == 3
    same = mlp(3, [4], 1, activation="silu", seed=3)
    for a, b in zip(plain.model_.state_dict().values(), same.state_dict().values(), strict=True):
        torch.testing.assert_close(a, b)


def test_the_first_round_lasts_at_least_first_steps_optimizer_steps():
    space = SearchSpace(first_epochs=2, first_steps=100)
    assert space.first_round(10) == 10 and space.first_round(64) == 2
    assert space.first_round(33) == 4 and SearchSpace().first_round(1) == 5
    with pytest.raises(ValueError):
        SearchSpace(first_steps=-1)
    data = tabular.prepare(line_plus_bump(300), "value", list("abcd"), seed=0)
    base = MLPConfig(hidden=(8,), epochs=40, patience=5)
    tiny = SearchSpace(widths=(4, 8), weight_decays=(0.0, 0.1), lrs=(1e-2,), first_epochs=1,
                       first_steps=40)  # fmt: skip
    search = HalvingSearch(data, base, tiny)
    search.run()
    steps = search.candidates[0].trainer.steps_per_epoch
    first = -(-40 // steps)
    assert first > 1
    out = search.table()
    assert set(out.loc[out["status"] == "out after round 1", "epochs"]) == {first}


def test_the_search_averages_networks_on_small_tables_only():
    space = SearchSpace(members=3, ensemble_rows=1000)
    assert space.members_for(1000) == 3 and space.members_for(1001) == 1
    with pytest.raises(ValueError):
        SearchSpace(members=0)
    small = tabular.prepare(line_plus_bump(300), "value", list("abcd"), seed=0)
    base = MLPConfig(hidden=(8,), epochs=30, patience=5)
    tiny = SearchSpace(widths=(4, 8), weight_decays=(0.0,), lrs=(1e-2,), first_epochs=2)
    search = HalvingSearch(small, base, tiny)
    search.run()
    assert search.chosen.members == tiny.members > 1 and search.chosen.linear_path
    net = search.tabular_model.estimator_
    assert len(net.model_.members) == tiny.members
    assert f"mean of {tiny.members}" in search.summary()
    network, _ = tabular.network_text(small, base, tiny)
    assert f"mean of {tiny.members}" in network and "linear path" in network
    one = SearchSpace(widths=(4,), weight_decays=(0.0,), lrs=(1e-2,), ensemble_rows=10,
                      linear_path=False)  # fmt: skip
    single = HalvingSearch(small, base, one)
    single.run(3)
    assert single.chosen.members == 1 and not single.chosen.linear_path
    assert isinstance(single.tabular_model.estimator_.model_, torch.nn.Sequential)
    assert "mean of" not in tabular.network_text(small, base, one)[0]
