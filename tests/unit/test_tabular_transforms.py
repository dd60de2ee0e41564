"""nnkit.tabular's input and target transforms (issue 18): heavy-tailed columns go through
their quantiles, a capped target's predictions are clipped to its range, and both survive
export and load bit for bit."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from nnkit import tabular
from nnkit.tabular import TabularError
from nnkit.tabular.profile import heavy_tail, is_heavy_tailed

pytestmark = pytest.mark.usefixtures("one_torch_thread")  # tests/unit/conftest.py


def block_groups(n=1500, seed=0) -> pd.DataFrame:
    """Households per block (heavy tail: a few institutions), income, a capped value."""
    rng = np.random.default_rng(seed)
    households = np.round(np.exp(rng.normal(6, 0.5, n)))
    households[rng.choice(n, 20, replace=False)] *= 30  # institutions: far out
    income = rng.uniform(1, 10, n)
    age = rng.integers(1, 53, n).astype(float)
    value = 40_000 * income + 30_000 * np.log(households) + 500 * age + rng.normal(0, 20_000, n)
    return pd.DataFrame(
        {
            "households": households,
            "income": income,
            "age": age,
            "zone": rng.choice(["a", "b", "c"], n),
            "value": np.minimum(value, 450_000.0),  # the census' top code
        }
    )


def test_heavy_tails_are_told_from_the_numbers():
    rng = np.random.default_rng(1)
    bulk = rng.normal(100, 10, 2000)
    assert not is_heavy_tailed(bulk) and heavy_tail(rng.uniform(0, 1, 2000)) is None
    with_far = bulk.copy()
    with_far[:40] = 1000  # 2% far out
    assert "2.0% of the values lie far out" in heavy_tail(with_far)
    mostly_zero = np.where(rng.uniform(size=2000) < 0.9, 0.0, rng.exponential(200, 2000))
    assert "skewness" in heavy_tail(mostly_zero)
    assert not is_heavy_tailed(np.repeat([1.0, 2.0, 50.0], [900, 90, 10]))  # three codes
    prof = tabular.profile(block_groups())
    assert prof.kind("households") == "numeric"
    why = prof.table().set_index("column")["why"]
    assert "heavy-tailed" in why["households"] and "heavy-tailed" not in why["income"]


def test_heavy_tailed_columns_are_mapped_through_their_training_quantiles():
    frame = block_groups()
    data = tabular.prepare(frame, "value", ["households", "income", "age", "zone"], seed=0)
    assert data.heavy_tailed == ["households"]
    names = data.encoded_names
    z = data.Z_train[:, names.index("households")]
    # Standardising would put most rows in a sliver near the mean; the quantiles spread
    # them as a standard normal, far outliers included.
    assert abs(np.median(z)) < 0.05 and 0.9 < np.std(z) < 1.1 and np.abs(z).max() < 5.5
    x = data.X_train["households"].to_numpy()
    assert np.all(np.diff(z[np.argsort(x, kind="stable")]) >= 0)  # order is kept
    # Fitted on the training rows only: a test value beyond them maps to the top end.
    beyond = data.X_test.iloc[:1].copy()
    beyond["households"] = 10 * x.max()
    model = tabular.fit_baselines(data, ["ridge"])["ridge"]
    assert model.transform(beyond)[0, names.index("households")] == pytest.approx(z.max(), abs=1e-9)
    # Nothing heavy-tailed, nothing transformed; and the caller can decide.
    assert tabular.prepare(frame, "value", ["income", "age"]).heavy_tailed == []
    assert (
        tabular.prepare(frame, "value", ["households", "income"], heavy_tailed=[]).heavy_tailed
        == []
    )


def test_a_capped_targets_predictions_stay_within_its_range():
    frame = block_groups()
    data = tabular.prepare(frame, "value", ["households", "income", "age", "zone"], log_target=True)
    assert data.target_cap == 450_000
    models = tabular.fit_baselines(data, ["ridge", "gradient boosting"])
    rich = data.X_test.copy()
    rich["income"] = 50.0  # beyond anything in training
    for model in models.values():
        assert model.clip_target and model.predict(rich).max() <= 450_000
    # The same models without the cap's clipping: the line's exp() overshoots the cap.
    ridge = models["ridge"].set_params(clip_target=False)
    assert ridge.predict(data.X_test).max() > 450_000
    uncapped = tabular.prepare(frame.assign(value=frame["income"] ** 2), "value", ["income"])
    assert uncapped.target_cap is None
    assert not tabular.fit_baselines(uncapped, ["ridge"])["ridge"].clip_target


def test_export_keeps_the_quantiles_and_the_clip_bit_for_bit():
    frame = block_groups()
    data = tabular.prepare(frame, "value", ["households", "income", "age", "zone"], log_target=True)
    model, _ = tabular.train_mlp(data, tabular.MLPConfig(hidden=(8,), epochs=3))
    blob = tabular.export_model(model)
    doc = json.loads(blob)
    assert doc["heavy_tailed"] == ["households"] and doc["clip_target"] is True
    assert len(doc["preprocess"]["tail.quantile.quantiles_"]) == min(1000, len(data.X_train))
    loaded = tabular.load_model(blob)
    assert tabular.export_model(loaded) == blob
    np.testing.assert_array_equal(loaded.predict(data.X_test), model.predict(data.X_test))
    # Broken quantiles, a clip without its range, a heavy column that is not numeric.
    bad_quantiles = json.loads(blob)
    q = bad_quantiles["preprocess"]["tail.quantile.quantiles_"]
    q[0], q[-1] = q[-1], q[0]
    bad_clip = json.loads(blob)
    del bad_clip["target_range"]
    bad_heavy = json.loads(blob)
    bad_heavy["heavy_tailed"] = ["zone"]
    for doc in (bad_quantiles, bad_clip, bad_heavy):
        with pytest.raises(TabularError, match="not a valid nnkit model file"):
            tabular.load_model(json.dumps(doc).encode())
    # A version-2 file (no heavy columns, no clip) still loads and predicts the same.
    plain = tabular.prepare(frame, "value", ["income", "age", "zone"], heavy_tailed=[])
    old, _ = tabular.train_mlp(plain, tabular.MLPConfig(hidden=(8,), epochs=2))
    v2 = json.loads(tabular.export_model(old))
    for key in ("heavy_tailed", "clip_target", "target_range"):
        v2.pop(key)
    v2["version"] = 2
    again = tabular.load_model(json.dumps(v2).encode())
    np.testing.assert_array_equal(again.predict(plain.X_test), old.predict(plain.X_test))


def test_the_split_describes_its_preprocessing():
    frame = block_groups()
    text = tabular.prepare(frame, "value", ["households", "income", "zone"]).describe()
    assert "1,200 training rows and 300 test rows" in text and "households" in text
    assert "quantiles" in text and "capped at 450,000" in text and "3 input(s)" not in text
    plain = tabular.prepare(
        frame.assign(value=frame["income"] ** 2), "value", ["income"]
    ).describe()
    assert "quantiles" not in plain and "capped" not in plain and "1 input to every model" in plain
