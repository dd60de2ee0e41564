"""nnkit.tabular's verdict says why the winner wins, from measured facts only (issue 18)."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

from nnkit import tabular
from nnkit.tabular import Facts
from nnkit.tabular.verdict import FEW_TEST_ROWS

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


def class_table(**scores):
    """A classification table: model=(accuracy, log-loss)."""
    return pd.DataFrame(
        {
            "model": [m.replace("_", " ") for m in scores],
            "accuracy": [a for a, _ in scores.values()],
            "log-loss": [ll for _, ll in scores.values()],
        }
    )


def test_the_log_loss_is_said_when_it_tells_something_the_accuracy_does_not():
    # Best accuracy, but probabilities twice as far from the outcomes as logistic regression's.
    sure = class_table(MLP=(0.974, 0.194), gradient_boosting=(0.965, 0.126),
                       logistic_regression=(0.956, 0.091), majority=(0.632, 0.658))  # fmt: skip
    v = tabular.verdict(sure)
    assert "0.194" in v.confidence() and "logistic regression's 0.091" in v.confidence()
    assert "further from the outcomes" in v.confidence() and v.confidence() in v.text()
    # Behind on accuracy and on log-loss: no "though".
    behind = class_table(MLP=(0.90, 0.300), logistic_regression=(0.956, 0.091))
    said = tabular.verdict(behind).confidence()
    assert "0.300" in said and "though" not in said and "accuracy suggests" not in said
    # The other way: the MLP's log-loss is the lowest.
    calibrated = class_table(MLP=(0.974, 0.080), gradient_boosting=(0.965, 0.126),
                             logistic_regression=(0.956, 0.091), majority=(0.632, 0.658))  # fmt: skip
    v = tabular.verdict(calibrated)
    assert "0.080" in v.confidence() and "lowest" in v.confidence()
    assert "further" not in v.confidence()
    # Within 10 % of the lowest: nothing to add; a regression has no log-loss at all.
    close = class_table(MLP=(0.974, 0.095), logistic_regression=(0.956, 0.091))
    assert tabular.verdict(close).confidence() == ""
    assert tabular.verdict(table_of(MLP=0.8, ridge=0.7)).confidence() == ""
    # Without an MLP (or with a non-finite log-loss) nothing is said either.
    base = class_table(logistic_regression=(0.956, 0.091), majority=(0.632, 0.658))
    assert tabular.verdict(base).confidence() == ""
    assert "  " not in tabular.verdict(base).text()  # no why without an MLP: no gap left
    broken = class_table(MLP=(0.5, float("nan")), logistic_regression=(0.956, 0.091))
    assert tabular.verdict(broken).confidence() == ""


def test_a_classification_win_is_not_explained_by_a_regression_target():
    numbers = Facts(n_train=455, n_inputs=30, n_onehot=0, task="classification")
    wins = class_table(MLP=(0.974, 0.09), gradient_boosting=(0.965, 0.126))
    why = tabular.verdict(wins, facts=numbers).why()
    assert "The MLP wins by 0.9 points" in why and "30 of its 30 inputs are numbers" in why
    assert "capped" not in why and "target" not in why
    # The same facts for a regression keep their regression reason.
    why = tabular.verdict(table_of(MLP=0.85, gradient_boosting=0.83), facts=PLAIN).why()
    assert "the target is not capped" in why
    frame = pd.DataFrame({"x": np.arange(60.0), "label": ["a", "b", "c"] * 20})
    assert tabular.facts(tabular.prepare(frame, "label", ["x"])).task == "classification"


def test_the_metrics_note_explains_the_columns_of_the_task():
    rng = np.random.default_rng(1)
    frame = pd.DataFrame({"x": rng.normal(size=200), "price": rng.normal(size=200)})
    frame["diagnosis"] = np.where(frame["x"] > 0, "malignant", "benign")
    reg = tabular.metrics_note(tabular.prepare(frame, "price", ["x"]))
    assert reg.startswith("40 test rows") and "R²" in reg and "units of price" in reg
    assert "log-loss" not in reg.lower()
    binary = tabular.metrics_note(tabular.prepare(frame, "diagnosis", ["x"]))
    assert binary.startswith("40 test rows") and "Log-loss" in binary and "ROC AUC" in binary
    assert "'malignant'" in binary and "'benign'" in binary and "R²" not in binary
    frame["grade"] = np.array(["low", "mid", "top"])[np.digitize(frame["x"], [-0.5, 0.5])]
    multi = tabular.metrics_note(tabular.prepare(frame, "grade", ["x"]))
    assert "averaged over the classes" in multi and "'low'" not in multi


def test_one_test_row_decides_nothing_between_classifiers():
    thirty = Facts(n_train=120, n_inputs=4, n_onehot=0, task="classification", n_test=30,
                   best_epoch=30, stop_reason="early_stopping")  # fmt: skip
    # One row of 30 (3.3 points) between the MLP and each baseline: a tie, said with its rows.
    one = class_table(MLP=(1.0, 0.02), logistic_regression=(29 / 30, 0.14),
                      gradient_boosting=(29 / 30, 0.2))  # fmt: skip
    v = tabular.verdict(one, facts=thirty)
    assert (
        "within one test row of the best baseline" in v.text() and "(1 of 30 test rows)" in v.text()
    )
    assert "Neither the MLP nor gradient boosting has an edge" in v.why()
    assert "too few rows to tell" in v.text() and "not separated" not in v.text()
    # Two rows: a win, with its rows; the line three rows behind is behind.
    two = class_table(MLP=(1.0, 0.02), logistic_regression=(27 / 30, 0.14),
                      gradient_boosting=(28 / 30, 0.2))  # fmt: skip
    v = tabular.verdict(two, facts=thirty)
    assert "better than the best baseline" in v.text() and "(2 of 30 test rows)" in v.text()
    assert "The MLP wins by 6.7 points** (2 of 30 test rows)" in v.why()
    assert "not separated by a straight boundary" in v.text() and "too few" not in v.text()
    # Many test rows: three rows of 1,000 are within 0.5 points, not "one test row".
    many = Facts(n_train=4000, n_inputs=4, n_onehot=0, task="classification", n_test=1000)
    close = class_table(MLP=(0.903, 0.2), logistic_regression=(0.900, 0.2))
    text = tabular.verdict(close, facts=many).text()
    assert "within 0.5 points of" in text and "3 of 1,000 test rows" in text
    # Without the number of test rows (or for R²) nothing changes: 0.5 points is the tie.
    v = tabular.verdict(one)
    assert "better than the best baseline" in v.text() and "test rows)" not in v.text()
    reg = tabular.verdict(table_of(MLP=0.90, gradient_boosting=0.85, ridge=0.897), facts=PLAIN)
    assert "test row" not in reg.text() and "almost as well" in reg.text()
    # The line as good as the MLP: the same score, not "within 0.0 points" of it.
    level = class_table(MLP=(1.0, 0.001), logistic_regression=(1.0, 0.02),
                        gradient_boosting=(35 / 36, 0.06))  # fmt: skip
    text = tabular.verdict(level, facts=replace(thirty, n_test=36)).text()
    assert "Logistic regression scores the same as the MLP" in text and "within 0.0" not in text
    assert "**100.0%**, the same as the best baseline" in text and "within one test row" not in text
    # Scores that differ where they are shown (R² to 4 decimals) are not "the same".
    near = tabular.verdict(
        table_of(MLP=0.9852, gradient_boosting=0.9849, ridge=0.9851), facts=PLAIN
    )
    assert "the same as" not in near.text() and "scores the same" not in near.text()


def test_a_regression_on_few_test_rows_says_the_split_decides_much():
    scores = table_of(MLP=0.9949, gradient_boosting=-0.5016, ridge=0.9485, mean=-0.5016)
    few = replace(PLAIN, n_train=32, n_test=8)
    text = tabular.verdict(scores, facts=few).text()
    assert "from 8 test rows only" in text and "other seeds" in text
    # enough test rows, or an unknown count: nothing said
    for facts in (replace(PLAIN, n_test=FEW_TEST_ROWS), PLAIN, None):
        assert "test rows only" not in tabular.verdict(scores, facts=facts).text()
    # a classification counts its differences in test rows instead
    thirty = Facts(n_train=120, n_inputs=4, n_onehot=0, task="classification", n_test=30)
    two = class_table(MLP=(1.0, 0.02), logistic_regression=(27 / 30, 0.14))
    assert "test rows only" not in tabular.verdict(two, facts=thirty).text()
