"""nnkit.tabular's verdict says why the winner wins, from measured facts only (issue 18)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from nnkit import tabular
from nnkit.tabular import Facts

pytestmark = pytest.mark.usefixtures("one_torch_thread")  # tests/unit/conftest.py


def table_of(**r2):
    return pd.DataFrame({"model": [m.replace("_", " ") for m in r2], "R²": list(r2.values())})


CALIFORNIA = Facts(
    n_train=16_512, n_inputs=13, n_onehot=5, cap=500_001.0, capped_fraction=0.048,
    coordinates=["longitude", "latitude"], best_epoch=40, epochs=80, stop_reason="early_stopping",
)  # fmt: skip
PLAIN = Facts(
    n_train=8_000, n_inputs=6, n_onehot=0, best_epoch=120, epochs=160, stop_reason="early_stopping"
)


def test_the_why_names_the_measured_traits_of_the_winner_only():
    trees_win = table_of(MLP=0.72, gradient_boosting=0.83, ridge=0.64, mean=0.0)
    text = tabular.verdict(trees_win, facts=CALIFORNIA).text()
    assert "Gradient boosting wins by 0.110" in text
    assert "capped target (4.8% of the training rows sit at 500,001" in text
    assert "map coordinates (longitude, latitude" in text
    assert "validation loss stopped improving at epoch 40" in text
    assert "one-hot" not in text and "few rows" not in text  # not traits of this table
    # The same table the other way round: the cap is no reason for the MLP to win.
    mlp_wins = table_of(MLP=0.85, gradient_boosting=0.83, ridge=0.64, mean=0.0)
    text = tabular.verdict(mlp_wins, facts=CALIFORNIA).text()
    assert "The MLP wins by 0.020" in text and "capped target" not in text and "map" not in text
    assert "16,512 training rows are enough" in text
    # Numbers only, no cap: the MLP's win is explained by that; a loss is not explained away.
    text = tabular.verdict(mlp_wins, facts=PLAIN).text()
    assert "6 of its 6 inputs are numbers and the target is not capped" in text
    text = tabular.verdict(trees_win, facts=PLAIN).text()
    assert "none of the traits measured here" in text and "capped target (" not in text
    # A tie names no winner; a cut run gets no why; no facts, no why.
    tie = table_of(MLP=0.830, gradient_boosting=0.832, ridge=0.64, mean=0.0)
    assert (
        "Neither the MLP nor gradient boosting has an edge"
        in tabular.verdict(tie, facts=PLAIN).text()
    )
    cut = tabular.verdict(trees_win, facts=CALIFORNIA, mlp_stop_reason="time_limit")
    assert cut.why() == "" and "cut short" in cut.text()
    assert tabular.verdict(trees_win).why() == ""
    few = Facts(n_train=1_168, n_inputs=290, n_onehot=250, stop_reason="time_limit", epochs=36)
    text = tabular.verdict(trees_win, facts=few).why()
    assert "one-hot columns (250 of 290 inputs" in text and "few rows (1,168" in text
    assert "training was cut at epoch 36" in text


def test_facts_are_measured_on_the_split_and_the_run():
    rng = np.random.default_rng(0)
    n = 600
    frame = pd.DataFrame(
        {
            "longitude": rng.uniform(-124, -114, n),
            "latitude": rng.uniform(32, 42, n),
            "income": rng.uniform(1, 10, n),
            "zone": rng.choice(list("abcdefgh"), n),
        }
    )
    frame["value"] = np.minimum(50_000 * frame["income"], 300_000.0)
    data = tabular.prepare(frame, "value", ["longitude", "latitude", "income", "zone"])
    f = tabular.facts(data)
    assert f.cap == 300_000 and f.capped_fraction == pytest.approx(np.mean(data.y_train == 300_000))
    assert f.coordinates == ["longitude", "latitude"] and f.n_onehot == 8 and f.n_inputs == 11
    assert f.best_epoch is None and f.mostly_categorical and f.few_rows  # 8 of 11 one-hot
    model, result = tabular.train_mlp(data, tabular.MLPConfig(hidden=(8,), epochs=4))
    f = tabular.facts(data, model, stop_reason=result.stop_reason)
    assert f.epochs == 4 and f.best_epoch == model.estimator_.best_epoch_
    free = tabular.prepare(frame.assign(value=frame["income"] ** 2), "value", ["income"])
    assert tabular.facts(free).cap is None and tabular.facts(free).coordinates == []
