"""nnkit.tabular.seeds (issue 18): the spread of every model's score over seeds is computed,
not guessed, and the page's steps are repeated per seed within a budget."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from nnkit import tabular

pytestmark = pytest.mark.usefixtures("one_torch_thread")  # tests/unit/conftest.py


def table_of(**r2):
    return pd.DataFrame({"model": [m.replace("_", " ") for m in r2], "R²": list(r2.values())})


def runs_of(scores: dict[str, list[float]]) -> pd.DataFrame:
    rows = [
        {"seed": s, "model": m, "score": v, "train s": 1.0}
        for m, values in scores.items()
        for s, v in enumerate(values)
    ]
    out = pd.DataFrame(rows)
    out.attrs["metric"] = "R²"
    return out


def test_spread_and_its_sentences_follow_the_numbers():
    runs = runs_of(
        {"MLP": [0.80, 0.70, 0.90], "gradient boosting": [0.78, 0.75, 0.85], "ridge": [0.6] * 3}
    )
    table = tabular.spread(runs).set_index("model")
    assert table.loc["MLP", "median"] == pytest.approx(0.8) and table.loc["MLP", "min"] == 0.7
    assert table.loc["MLP", "max"] == 0.9 and table.loc["MLP", "seeds"] == 3
    text = tabular.spread_text(runs)
    assert "Over 3 seeds" in text and "the MLP 0.800 (0.700 to 0.900)" in text
    assert "beats gradient boosting on 2 of 3" in text and "beats ridge on 3 of 3" in text
    assert "moves by 0.200" in text
    # An accuracy moves by points (a share's difference), not by a percentage of it.
    acc = runs_of({"MLP": [0.95, 0.97, 0.96], "logistic regression": [0.96, 0.96, 0.95]})
    acc.attrs["metric"] = "accuracy"
    text = tabular.spread_text(acc)
    assert "the MLP 96.0% (95.0% to 97.0%)" in text and "moves by 2.0 points" in text
    # The page's own run joins the others; a seed listed twice counts once.
    current = tabular.as_run(table_of(MLP=0.5, gradient_boosting=0.9, ridge=0.6), seed=7)
    both = tabular.spread([current, runs, current]).set_index("model")
    assert both.loc["MLP", "seeds"] == 4 and both.loc["MLP", "min"] == 0.5


def test_seed_runs_repeat_the_pages_steps_within_a_budget():
    rng = np.random.default_rng(1)
    n = 300
    frame = pd.DataFrame({"x": rng.uniform(0, 1, n), "z": rng.uniform(0, 1, n)})
    frame["price"] = 3 * frame["x"] + frame["z"] ** 2 + rng.normal(0, 0.05, n)
    cfg = tabular.MLPConfig(hidden=(8,), epochs=5)
    done: list[float] = []
    runs = tabular.seed_runs(frame, "price", ["x", "z"], [3, 4], config=cfg, progress=done.append)
    assert done == [0.5, 1.0] and sorted(set(runs["seed"])) == [3, 4]
    assert set(runs["model"]) == {"mean", "ridge", "gradient boosting", "MLP"}
    data = tabular.prepare(frame, "price", ["x", "z"], seed=4)
    ridge = tabular.compare(tabular.fit_baselines(data, ["ridge"]), data)["R²"].iloc[0]
    got = runs[(runs["seed"] == 4) & (runs["model"] == "ridge")]["score"].iloc[0]
    assert got == pytest.approx(ridge, abs=1e-12)  # the same split the page makes for seed 4
    none = tabular.seed_runs(frame, "price", ["x", "z"], [1, 2], config=cfg, max_seconds=0.0)
    assert none.empty and none.attrs["skipped"] == [1, 2]
    assert "did not fit in the time budget" in tabular.spread_text([runs, none])
