"""House prices page (AppTest): default data, upload, pick target, train, read metrics,
bad files give messages and the page recovers."""

from __future__ import annotations

import io
import pickle
import re
import time

import numpy as np
import pandas as pd
import pytest

from nnkit import tabular
from nnkit.tabular.verdict import LOG_LOSS_WORSE
from nnkit.ui.live_training import stopped_text
from tests.app.conftest import ROOT, assert_missing_numbers_show_a_dash, assert_no_exception

PAGE = "pages/house_prices.py"
JOB = "_live_house_job"


def assert_ended_once(at, snap) -> None:
    """The page says how the run ended (the live view's status line) and says it once
    (the results' verdict below may name the best epoch as a reason)."""
    said = stopped_text(snap)
    texts = [e.value for e in (*at.markdown, *at.caption, *at.info, *at.warning)]
    texts = [t for t in texts if not t.startswith("**What you see.**")]
    assert sum(said in t for t in texts) == 1, texts
    why = {
        "early_stopping": "stopped improving",
        "stopped": "by you",
        "time_limit": "train further",
    }
    if snap.stop_reason in why:  # in no other words either
        assert sum(why[snap.stop_reason] in t for t in texts) == 1, texts


def metrics_table(at) -> pd.DataFrame:
    for df in at.table:
        v = df.value
        if isinstance(v, pd.DataFrame) and ("R²" in v.columns or "accuracy" in v.columns):
            return v
    raise AssertionError("no metrics table on the page")


def train(at, epochs: int | None = None, patience: int | None = None):
    """Press Start (after setting the page's max epochs and patience, as a visitor would)
    and wait for the run to end."""
    if epochs is not None:
        at.number_input(key="house_epochs").set_value(epochs)
        at.run()
    if patience is not None:
        at.number_input(key="house_patience").set_value(patience)
        at.run()
    at.button(key="house_start").click().run()
    job = at.session_state[JOB]
    assert job.join(120), "training did not finish"
    return at.run()


def test_default_data_baselines_then_mlp(app_page):
    at = app_page(PAGE).run()
    assert_no_exception(at)
    assert any("Synthetic data" in i.value for i in at.info)
    table = metrics_table(at)
    assert list(table["model"]) == ["gradient boosting", "ridge", "mean"]
    # The page's numbers are nnkit.tabular's, on the same split.
    t = tabular.load_csv(ROOT / "data" / "house_prices.csv")
    data = tabular.prepare(
        t.frame, "House_Price", [c for c in t.frame.columns if c != "House_Price"]
    )
    ref = tabular.compare(tabular.fit_baselines(data), data).set_index("model")
    for _, row in table.iterrows():
        assert row["R²"] == pytest.approx(ref.loc[row["model"], "R²"], abs=1e-12)

    at = train(at)
    assert_no_exception(at)
    assert_missing_numbers_show_a_dash(at)  # the search's table, the profile
    table = metrics_table(at).set_index("model")
    assert list(table.index) == ["MLP", "gradient boosting", "ridge", "mean"]
    assert table.loc["MLP", "R²"] > table.loc["ridge", "R²"]
    verdict = next(m.value for m in at.markdown if "What you see" in m.value)
    assert "MLP's test R²" in verdict and f"{table.loc['MLP', 'R²']:.4f}" in verdict
    # The synthetic data's formula is what puts ridge behind, and the page says so there.
    assert "behind" in verdict and "On the synthetic data" in verdict
    _, run = at.session_state["house_run"]
    best = run.model.regressor_.best_epoch_
    summary = next(c.value for c in at.caption if c.value.startswith("The model kept"))
    # the model kept averages the weights of the three best epochs, named by the page
    averaged = run.best.kept()
    assert len(averaged) == 3 and averaged[0][0] == best
    named = summary.split("averages the weights of epochs")[1]
    assert all(f" {e}" in named for e, _ in averaged)
    assert f"{averaged[0][1]:.4g} at epoch {best} to {averaged[-1][1]:.4g}" in summary
    # the run has ended: the best loss and which epochs the model kept are said once, in
    # the summary (the live view's "best so far" caption is gone)
    assert not [c.value for c in at.caption if c.value.startswith("Best validation loss")]
    # how the run ended is said once, by the live view's status line, not again below it
    # (In AppTest nothing refreshes the live view, so a slow run may end as "abandoned".)
    assert_ended_once(at, at.session_state[JOB].snapshot())
    downloads = {d.key for d in at.get("download_button")}
    assert {"house_dl_preds", "house_dl_model"} <= downloads  # predictions and the fitted MLP

    # Price this house: a bigger house costs more (the MLP learned the formula's sign).
    before = {m.label: m.value for m in at.metric}
    sqft = at.number_input(
        key=next(k for k in (w.key for w in at.number_input) if k.endswith("Square_Footage"))
    )
    sqft.set_value(int(sqft.value) + 1500)
    at.button(key=next(b.key for b in at.button if b.key.startswith("FormSubmitter"))).click().run()
    after = {m.label: m.value for m in at.metric}

    def num(s):
        return float(s.replace(",", ""))

    assert num(after["MLP"]) > num(before["MLP"]) + 100_000

    # The downloaded model, uploaded again, predicts exactly what the trained MLP does.
    blob = tabular.export_model(at.session_state["house_run"][1].model)
    at.file_uploader(key="house_model_upload").upload("m.json", blob, "application/json").run()
    assert_no_exception(at)
    assert any("identical to the MLP trained above" in m.value for m in at.markdown)
    at.file_uploader(key="house_model_upload").upload(
        "m.json", pickle.dumps(blob), "application/json"
    ).run()
    assert any("not a valid nnkit model file" in e.value for e in at.error)


def messy_csv() -> bytes:
    """Semicolons, decimal commas, a categorical column, an id, missing targets, Latin-1."""
    rng = np.random.default_rng(1)
    n = 160
    area = rng.uniform(40, 200, n)
    town = rng.choice(["Liège", "Genève", "Zürich"], n)
    rooms = rng.integers(1, 6, n)
    price = (
        3000 * area
        + np.where(town == "Zürich", 150_000, 0)
        + 10_000 * rooms
        + rng.normal(0, 20_000, n)
    )
    lines = ["ID;Fläche;Ort;Zimmer;Preis"]
    for i in range(n):
        p = "" if i % 20 == 0 else f"{price[i]:.2f}".replace(".", ",")
        lines.append(f"{i + 1};{area[i]:.1f};{town[i]};{rooms[i]};{p}".replace(".", ",", 1))
    return ("\n".join(lines) + "\n").encode("latin-1")


def test_upload_pick_target_and_train(app_page):
    at = app_page(PAGE).run()
    at.file_uploader[0].upload("maisons.csv", messy_csv(), "text/csv").run()
    assert_no_exception(at)
    assert not at.error
    assert any("not UTF-8" in w.value for w in at.warning)
    assert any("Dropped 8 rows whose target 'Preis' is missing" in w.value for w in at.warning)
    target = at.selectbox(key=next(s.key for s in at.selectbox if "_target_" in s.key))
    assert target.value == "Preis"
    features = next(m for m in at.multiselect if "_features_" in m.key)
    assert features.value == ["Fläche", "Ort", "Zimmer"]  # no ID
    # Start, then Stop mid-run: the page keeps the best epoch so far, not the last one. A
    # patience of 500 epochs keeps the run going until Stop (with the default 40, a quick
    # machine finished it by early stopping before the page had drawn its Stop button).
    at.number_input(key="house_patience").set_value(500).run()
    at.button(key="house_start").click().run()
    job = at.session_state[JOB]
    deadline = time.monotonic() + 60
    while job.snapshot().epochs < 5 and job.running and time.monotonic() < deadline:
        time.sleep(0.05)
    at.run()  # the live view, while it trains: the best epoch so far and the others kept
    live = next((c.value for c in at.caption if c.value.startswith("Best validation loss")), "")
    if job.running and "so far" in live:  # (a quick machine may have finished already)
        listed = re.search(r"the (\d+) best so far: epochs ([\d, ]+)\.", live)
        assert listed is not None, live
        epochs = [int(e) for e in listed.group(2).split(", ")]
        assert int(listed.group(1)) == len(epochs) == len(set(epochs)) > 1
        best = re.search(r"at epoch (\d+);", live)  # the best of them, named first
        assert epochs == sorted(epochs) and best is not None and int(best.group(1)) in epochs
    at.button(key="house_stop").click().run()
    assert job.join(30)
    at.run()
    assert_no_exception(at)
    _, run = at.session_state["house_run"]
    state, best_epoch, best_loss = run.best.best()
    snap = job.snapshot()
    assert best_loss == min(snap.history.val_loss)
    summary = next(c.value for c in at.caption if c.value.startswith("The model kept"))
    assert summary == tabular.kept_text(run.best.kept())
    assert f"at epoch {best_epoch}" in summary
    # (The run may have ended by itself before Stop reached it.)
    assert_ended_once(at, snap)
    assert any(f"Stopped by you at epoch {snap.epochs}" in m.value for m in at.markdown) == (
        snap.stop_reason == "stopped"
    )
    kept = run.model.regressor_
    assert kept.best_epoch_ == best_epoch
    weights = kept.learned_parameters()["weights"]
    assert all(
        np.array_equal(np.asarray(weights[k]["data"]), state[k].numpy().ravel()) for k in state
    )
    table = metrics_table(at).set_index("model")
    assert "MLP" in table.index and np.isfinite(table.loc["MLP", "R²"])

    # Pick another target: the table follows, and the old MLP is not shown for it.
    target = at.selectbox(key=next(s.key for s in at.selectbox if "_target_" in s.key))
    target.set_value("Fläche").run()
    assert_no_exception(at)
    table = metrics_table(at)
    assert "MLP" not in list(table["model"])
    assert any("units of Fläche" in c.value for c in at.caption)


def xlsx_like() -> bytes:
    buf = io.BytesIO()
    import zipfile

    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
    return buf.getvalue()


BAD_FILES = [
    ("empty.csv", b"", "empty"),
    ("sheet.csv", xlsx_like(), "ZIP archive"),
    ("model.csv", pickle.dumps({"a": 1}), "pickle"),
    ("one.csv", b"price\n1\n2\n3\n", "only 1 column"),
    (
        "wide.csv",
        (",".join(f"c{i}" for i in range(10_000)) + "\n" + ",".join("1" * 10_000) + "\n").encode(),
        "10,000 columns",
    ),
    ("ragged.csv", b"a,b\n1,2,3\n4,5,6\n7,8\n", "more fields than the header"),
    ("big.csv", b"a,b\n" + b"1,2\n" * (6 * 1024 * 1024 // 4), "the limit is 5 MB"),
]


def test_bad_files_give_messages_and_the_page_recovers(app_page):
    at = app_page(PAGE).run()
    for name, data, message in BAD_FILES:
        at.file_uploader[0].upload(name, data, "text/csv").run()
        assert_no_exception(at)
        assert any(message in e.value for e in at.error), (name, [e.value for e in at.error])
    # Ids and free text only: nothing to predict, and the message names what it found.
    ids_only = b"id,name\n" + b"".join(f"{i},n{i}\n".encode() for i in range(30))
    at.file_uploader[0].upload("ids.csv", ids_only, "text/csv").run()
    assert any("Nothing to predict" in e.value and "'id' is id-like" in e.value for e in at.error)
    constant = b"a,b,c\n" + b"1,x,2.5\n" * 40
    at.file_uploader[0].upload("constant.csv", constant, "text/csv").run()
    assert any("Nothing to predict" in e.value and "'b' is constant" in e.value for e in at.error)
    # Text only with a few labels: the page asks which column to classify, fits nothing yet.
    text_only = b"name,town\n" + b"".join(f"n{i},t{i % 3}\n".encode() for i in range(30))
    at.file_uploader[0].upload("names.csv", text_only, "text/csv").run()
    assert any("Which column" in w.value for w in at.warning) and not at.table
    # Duplicate names, a constant and an empty column, formula cells: warnings, no error.
    quirky = b"x,x,k,empty,note,y\n" + b"".join(
        f"{i / 2},{i % 3},5,,=cmd|' /C calc'!A{i},{1.5 * i + (i % 3)}\n".encode() for i in range(40)
    )
    at.file_uploader[0].upload("quirky.csv", quirky, "text/csv").run()
    assert_no_exception(at)
    assert not at.error
    assert any("appears more than once" in w.value for w in at.warning)
    profile = next(d.value for d in at.dataframe if "suggested role" in d.value.columns).set_index(
        "column"
    )
    assert (
        profile.loc["k", "kind"] == "constant" and profile.loc["empty", "kind"] == "mostly-missing"
    )
    assert profile.loc["x (2)", "suggested role"] == "feature"
    # A good file afterwards: no error, metrics are back.
    good = b"x,z,y\n" + b"".join(f"{i / 2},{i % 4},{1.5 * i + 1}\n".encode() for i in range(60))
    at.file_uploader[0].upload("good.csv", good, "text/csv").run()
    assert_no_exception(at)
    assert not at.error
    # y = 3x + 1 exactly: ridge is near perfect (test rows beyond the training range of x
    # are clipped to it, so not exactly 1).
    assert metrics_table(at).set_index("model").loc["ridge", "R²"] > 0.99
    # ... so the page does not call ridge "behind", nor talk about the synthetic data.
    verdict = next(m.value for m in at.markdown if "What you see" in m.value)
    assert "cannot follow" not in verdict and "synthetic" not in verdict


def test_a_capped_skewed_target_is_not_called_symmetric(app_page):
    rng = np.random.default_rng(3)
    x = rng.uniform(0, 1, 2000)
    value = np.minimum(
        np.exp(11 + 0.8 * x + rng.normal(0, 0.5, 2000)), 250_000.0
    )  # skew 0.99, capped
    csv = "x,value\n" + "".join(f"{a:.4f},{v:.0f}\n" for a, v in zip(x, value, strict=True))
    at = app_page(PAGE).run()
    at.file_uploader[0].upload("capped.csv", csv.encode(), "text/csv").run()
    assert_no_exception(at)
    shape = tabular.describe_target(value)
    assert shape.cap == 250_000 and 0.9 < shape.skewness < 1  # like California
    texts = [c.value for c in at.caption]
    assert any("capped at 250,000" in t and "right-skewed" in t for t in texts)
    assert not any("symmetric" in t for t in texts)


def test_target_problems_are_explained(app_page):
    at = app_page(PAGE).run()
    # Constant target column picked by the user: a message, not a crash.
    csv = b"a,b,c\n" + b"".join(f"{i},{i % 5},7\n".encode() for i in range(40))
    at.file_uploader[0].upload("const.csv", csv, "text/csv").run()
    target = at.selectbox(key=next(s.key for s in at.selectbox if "_target_" in s.key))
    assert "c" not in target.options  # constant columns are not numeric targets
    feats = next(m for m in at.multiselect if "_features_" in m.key)
    feats.set_value([]).run()
    assert_no_exception(at)
    assert any("at least one feature" in e.value for e in at.error)


def kaggle_test_like() -> bytes:
    """A competition's test file: no target, text NA for 'none', ends with the sale year."""
    rng = np.random.default_rng(5)
    lines = ["Id,Alley,LotArea,OverallQual,YearBuilt,MoSold,YrSold"]
    for i in range(120):
        alley = "NA" if rng.uniform() < 0.8 else rng.choice(["Grvl", "Pave"])
        lines.append(
            f"{1461 + i},{alley},{rng.integers(5000, 20000)},{rng.integers(1, 11)},"
            f"{rng.integers(1900, 2010)},{rng.integers(1, 13)},{rng.integers(2006, 2011)}"
        )
    return ("\n".join(lines) + "\n").encode()


def test_no_plausible_target_waits_for_the_users_choice(app_page):
    at = app_page(PAGE).run()
    at.file_uploader[0].upload("test.csv", kaggle_test_like(), "text/csv").run()
    assert_no_exception(at)
    assert any("kept as a category" in w.value and "'Alley'" in w.value for w in at.warning)
    ask = next(w.value for w in at.warning if "Which column" in w.value)
    assert "'YrSold'" in ask and "price" in ask  # what it is, and what was looked for
    target = at.selectbox(key=next(s.key for s in at.selectbox if "_target_" in s.key))
    assert target.value is None and "YrSold" in target.options
    assert not at.table and not at.get("download_button")  # nothing fitted on a guess
    target.set_value("LotArea").run()
    assert_no_exception(at)
    assert "ridge" in list(metrics_table(at)["model"])


def survival_csv() -> bytes:
    rng = np.random.default_rng(4)
    lines = ["PassengerId,Survived,Pclass,Sex,Age,Fare"]
    for i in range(400):
        sex, pclass, age = rng.choice(["male", "female"]), rng.integers(1, 4), rng.uniform(1, 70)
        logit = 2.5 * (sex == "female") - (pclass - 2) - 1.0
        survived = int(rng.uniform() < 1 / (1 + np.exp(-logit)))
        lines.append(f"{i + 1},{survived},{pclass},{sex},{age:.0f},{rng.uniform(5, 100):.2f}")
    return ("\n".join(lines) + "\n").encode()


def test_a_class_label_is_classified_with_cross_entropy(app_page):
    at = app_page(PAGE).run()
    at.file_uploader[0].upload("titanic.csv", survival_csv(), "text/csv").run()
    assert_no_exception(at)
    target = at.selectbox(key=next(s.key for s in at.selectbox if "_target_" in s.key))
    assert target.value == "Survived"
    kind = at.radio(key=next(r.key for r in at.radio if "_task_" in r.key))
    assert kind.value == "classification"
    assert any("only two values (0 and 1)" in c.value for c in at.caption)
    table = metrics_table(at)
    assert list(table["model"]) == ["gradient boosting", "logistic regression", "majority"]
    assert {"accuracy", "log-loss", "ROC AUC"} <= set(table.columns)
    at = train(at, epochs=150, patience=5)  # the kind, metrics and views, not the best MLP
    assert_no_exception(at)
    table = metrics_table(at).set_index("model")
    assert "MLP" in table.index and table.loc["MLP", "accuracy"] > table.loc["majority", "accuracy"]
    verdict = next(m.value for m in at.markdown if "What you see" in m.value)
    assert f"{table.loc['MLP', 'accuracy']:.1%}" in verdict
    # The log-loss is said where it adds to the accuracy: the lowest, or well above it.
    ll = table["log-loss"].astype(float)
    mlp, lowest = ll["MLP"], ll.drop("MLP").min()
    said = mlp <= lowest or mlp > lowest * (1 + LOG_LOSS_WORSE)
    assert (f"{mlp:.3f}" in verdict) == said
    assert any("on the diagonal (right)" in c.value for c in at.caption)  # confusion matrix
    # Every sentence about scores and losses speaks of this task: no R², no standardised target.
    words = [c.value for c in at.caption] + [m.value for m in at.markdown]
    assert not [w for w in words if "R²" in w or "standardised target" in w or "RMSE" in w]
    assert any("Log-loss" in c.value and "'1'" in c.value for c in at.caption)  # the table's
    assert any("accuracy drops" in c.value for c in at.caption)  # permutation importance
    probabilities = next(d.value for d in at.dataframe if "prediction" in d.value.columns)
    np.testing.assert_allclose(probabilities["0"] + probabilities["1"], 1)
    _, run = at.session_state["house_run"]
    blob = tabular.export_model(run.model)
    at.file_uploader(key="house_model_upload").upload("m.json", blob, "application/json").run()
    assert_no_exception(at)
    assert any(
        "identical to the MLP trained above" in m.value and "accuracy" in m.value
        for m in at.markdown
    )
    # The user overrides the detected kind: a regression on the 0/1 column.
    kind.set_value("regression").run()
    assert_no_exception(at)
    assert "R²" in metrics_table(at).columns


def california_csv(n: int = 1200) -> bytes:
    """A small California-like table (data/make_markets.py): map coordinates, capped value."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("make_markets", ROOT / "data" / "make_markets.py")
    markets = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(markets)
    buf = io.StringIO()
    markets.california_like(n, seed=0).to_csv(buf, index=False, na_rep="NA")
    return buf.getvalue().encode()


def test_the_search_the_why_and_the_spread_over_seeds(app_page):
    """The search's structure, the verdict's why and the spread, not the MLP's quality:
    400 training rows and a patience of 5 epochs (set as a visitor would) keep the run
    short, and make it end by early stopping, the case whose verdict is checked."""
    at = app_page(PAGE).run()
    at.file_uploader[0].upload("housing.csv", california_csv(500), "text/csv").run()
    assert_no_exception(at)
    assert any("quantiles" in c.value and "capped at 500,001" in c.value for c in at.caption)
    at = train(at, patience=5)
    assert_no_exception(at)
    _, run = at.session_state["house_run"]
    search = run.search
    assert search.searched and len(search.table()) == 12
    assert any("successive halving" in c.value for c in at.caption)
    assert any(len(d.value) == 12 and "weight decay" in d.value.columns for d in at.dataframe)
    table = metrics_table(at).set_index("model")
    gap = table.loc["MLP", "R²"] - table.loc["gradient boosting", "R²"]
    verdict = next(m.value for m in at.markdown if "What you see" in m.value)
    snap = at.session_state[JOB].snapshot()
    assert snap.stop_reason == "early_stopping"  # a finished run: the why follows the numbers
    assert ("Gradient boosting wins by" in verdict) == (gap < -0.005)
    assert ("capped target" in verdict) == (gap < -0.005)  # a reason for trees only
    assert ("The MLP wins by" in verdict) == (gap > 0.005)
    # The spread over three other seeds: every model, the page's run included.
    at.button(key="house_spread_go").click().run()
    assert_no_exception(at)
    spread = next(d.value for d in at.dataframe if "median" in d.value.columns).set_index("model")
    seeds = at.session_state["house_spread"][1]
    assert sorted(set(seeds["seed"])) == [1, 2, 3] or seeds.attrs["skipped"]
    assert spread.loc["ridge", "seeds"] == 1 + seeds["seed"].nunique()
    assert any("Over " in m.value and "median test R²" in m.value for m in at.markdown)


def _rows(header: str, make, n: int = 60) -> bytes:
    return (header + "\n" + "".join(make(i) + "\n" for i in range(n))).encode()


WRONG_KIND = {  # name: (bytes, what the message must name)
    "label_only.csv": (_rows("id,label", lambda i: f"{i + 1},{'ab'[i % 2]}"), "'id' is id-like"),
    "one_class.csv": (
        _rows("x,label", lambda i: f"{i * 0.5},yes"),
        "'label' is named like the target",
    ),
    "many_classes.csv": (
        _rows(
            "height,weight,species", lambda i: f"{150 + i % 40},{50 + i * 7 % 30},sp{i % 60}", n=240
        ),
        "60 distinct values",
    ),
    "empty_price.csv": (
        _rows("area,rooms,price", lambda i: f"{50 + 3 * i % 17},{1 + i % 4},"),
        "'price' is",
    ),
    "dates_and_labels.csv": (
        _rows("date,event", lambda i: f"2020-01-{1 + i % 28:02d},{'xyz'[i % 3]}"),
        "label",
    ),
    "ids_and_years.csv": (
        _rows("Id,YearBuilt,YrSold", lambda i: f"{i + 1},{1950 + i % 60},{2006 + i % 5}"),
        "date part",
    ),
    "all_constant.csv": (_rows("a,b,c,d", lambda i: "1,x,2.5,NA"), "constant"),
    "text_ids.csv": (
        _rows("uuid,name", lambda i: f"u-{i:04d}-{i * 7919 % 10007},name{i}"),
        "id-like",
    ),
}


@pytest.mark.parametrize("name", list(WRONG_KIND))
def test_files_of_the_wrong_kind_get_a_message_and_no_fit(app_page, name):
    data, named = WRONG_KIND[name]
    at = app_page(PAGE).run()
    at.file_uploader[0].upload(name, data, "text/csv").run()
    assert_no_exception(at)
    messages = [m.value for m in list(at.error) + list(at.warning)]
    assert any(named in m for m in messages), messages
    assert not at.table and not at.get("download_button")  # nothing fitted on a guess
    at.file_uploader[0].set_value(None).run()  # the synthetic data works again
    assert_no_exception(at)
    assert not at.error and at.table


def test_a_guessed_target_is_said_to_be_a_guess(app_page):
    guessed = _rows(
        "a,b,w", lambda i: f"{i % 7},{i * 0.37 % 5:.2f},{2 * (i % 7) + i * 0.37 % 5:.3f}", n=80
    )
    at = app_page(PAGE).run()
    at.file_uploader[0].upload("guess.csv", guessed, "text/csv").run()
    assert_no_exception(at)
    assert any("Guessed target: w" in w.value for w in at.warning)
    assert "ridge" in list(metrics_table(at)["model"])  # a guess still fits, but says so


def test_the_warm_up_precomputes_the_default_view_the_first_visit_reads(app_page, monkeypatch):
    # nnkit.ui.policy.warm_up runs precompute()'s steps once per server: the first visitor of the
    # House prices page then reads, splits and fits nothing.
    from nnkit.ui import precomputed

    for cached in (
        precomputed.house_table,
        precomputed.house_profile,
        precomputed.house_prepared,
        precomputed.house_baselines,
    ):
        cached.clear()  # a server that has just started (app_page keeps them across tests)
    precomputed.precompute()

    calls = []

    def counted(name):
        real = getattr(tabular, name)
        return lambda *a, **k: calls.append(name) or real(*a, **k)

    for name in ("load_csv", "profile", "prepare", "fit_baselines"):
        monkeypatch.setattr(tabular, name, counted(name))
    at = app_page(PAGE).run()
    assert_no_exception(at)
    assert list(metrics_table(at)["model"]) == ["gradient boosting", "ridge", "mean"]
    assert calls == []  # all four came from the warm-up's cache entries
    at.number_input(key="house_seed").set_value(1).run()  # a split nobody opened: fitted now
    assert_no_exception(at)
    assert calls == ["prepare", "fit_baselines"]
