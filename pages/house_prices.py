"""House prices: regression on a CSV (exercise 3), an MLP against honest baselines."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from nnkit import tabular
from nnkit._text import counted
from nnkit.plots import tabular as plots
from nnkit.reproduce.tabular import house_prices_script
from nnkit.tabular import TabularError
from nnkit.training import TrainingJob
from nnkit.ui.charts import altair_chart
from nnkit.ui.course import page_title
from nnkit.ui.live_training import live_training
from nnkit.ui.policy import LIMITS, torch_threads_from_env
from nnkit.ui.precomputed import (
    HOUSE_CSV,
    HOUSE_SEED,
    HOUSE_TEST_PCT,
    house_baselines,
    house_prepared,
    house_profile,
    house_table,
)
from nnkit.ui.reproduce import reproduce_panel
from nnkit.ui.router import ensure_router

ORDER = ["MLP", "gradient boosting", "ridge", "logistic regression", "mean", "majority"]
KEY = "house"
THREADS = torch_threads_from_env()  # native threads for scikit-learn (the app's policy)
IMPORTANCE_SECONDS = 5.0  # permutation importance's time budget
SPREAD_SEEDS = 3  # "how much does the seed matter": this many other seeds

ensure_router()
st.title(page_title("pages/house_prices.py"))
st.markdown(
    "Exercise 3 of lecture 1: predict a house's price from its features with an MLP, and "
    "measure it against **baselines** trained on the same rows (the mean, ridge regression, "
    "gradient boosting). Press **Start** to train it on the data below (synthetic houses, "
    "or your own CSV)."
)
# The main action first: the training section is filled in further down, once the data
# and settings below are read.
train_slot = st.container()


def money(x: float) -> str:
    return f"{x:,.0f}" if abs(x) >= 100 else f"{x:,.4g}"


# 1. Data -----------------------------------------------------------------

st.header("1 · Data")
upload = st.file_uploader(
    f"Your own CSV (comma, semicolon or tab; up to {LIMITS.max_upload_mb:g} MB, "
    f"{LIMITS.max_rows:,} rows, {LIMITS.max_columns:,} columns)",
    type=["csv", "tsv", "txt"],
    key=f"{KEY}_upload",
    help="Read as data only: nothing in the file is executed. Remove it to go back to the synthetic data set.",
)
if upload is None:
    raw, source = HOUSE_CSV.read_bytes(), "default"
    st.info(
        "**Synthetic data** (`data/house_prices.csv`, made by `data/make_house_prices.py`): "
        "1,000 houses with the exercise's columns, priced by a known formula, "
        "House_Price = 25,000 + Square_Footage × (100 + 12 × Neighborhood_Quality) + "
        "10,000 × Num_Bedrooms + 15,000 × Num_Bathrooms + 1,500 × (Year_Built − 1950) + "
        "18,000 × Lot_Size + 12,000 × Garage_Size + noise (σ = 30,000). Not real sales.",
        icon=":material/science:",
    )
else:
    raw, source = upload.getvalue(), upload.name

try:
    table = house_table(raw)  # the cached computations: nnkit/ui/precomputed.py
except TabularError as err:
    st.error(f"**{source}** cannot be used: {err}", icon=":material/error:")
    st.caption("Fix the file and upload it again, or remove it (✕) to go back to the synthetic data.")
    st.stop()

frame = table.frame
sha = table.sha256
st.caption(f"**{source}**: {table.summary()}.")
for note in table.notes:
    st.warning(note, icon=":material/warning:")
st.dataframe(frame.head(200), hide_index=True, height=220, placeholder="—")
if len(frame) > 200:
    st.caption(f"The first 200 of {len(frame):,} rows.")

# 2. Profile and choices --------------------------------------------------

st.header("2 · Profile, target and features")
prof = house_profile(sha, frame)
st.dataframe(prof.table(), hide_index=True, placeholder="—")
if not prof.targets:
    st.error(
        f"**Nothing to predict**: {prof.target_reason}. Upload a CSV with a column to "
        "predict (a price, or a label with a few classes).", icon=":material/error:",
    )  # fmt: skip
    st.stop()
if prof.target is None:
    st.warning(f"**Which column should the models predict?** Not clear: {prof.target_reason}.", icon=":material/help:")
elif prof.target_guessed:
    st.warning(f"**Guessed target: {prof.target}**, {prof.target_reason}. Check it below: "
               "is it what you want to predict?", icon=":material/help:")  # fmt: skip
st.caption(
    (f"Suggested target **{prof.target}** ({prof.target_reason}); " if prof.target else "")
    + f"{counted(len(prof.features), 'suggested feature')}"
    + ("; not suggested: " + "; ".join(f"**{c}** ({why})" for c, why in prof.excluded.items()) if prof.excluded else "")
    + "."
)

c1, c2 = st.columns([1, 2])
target = c1.selectbox(
    "Target (what to predict)", prof.targets, index=prof.targets.index(prof.target) if prof.target else None,
    placeholder="Choose the column to predict", key=f"{KEY}_target_{sha[:12]}",
)  # fmt: skip
if target is None:
    st.info("Choose the target above: the models are fitted once you have.", icon=":material/touch_app:")
    st.stop()
kind, kind_why = tabular.target_kind(frame[target])
task = c1.radio(
    "Kind of target", ["regression", "classification"], horizontal=True, index=int(kind == "classification"),
    disabled=target not in prof.numeric, key=f"{KEY}_task_{sha[:12]}_{target}",
    help="Regression predicts a number (mean squared error); classification a class (cross-entropy, the lecture's other loss).",
)  # fmt: skip
c1.caption(f"Detected {kind}: {kind_why}.")
candidates = [c for c in frame.columns if c != target]
default_features = [c for c in prof.features if c != target]
features = c2.multiselect(
    "Features (what the models see)", candidates, default=default_features, key=f"{KEY}_features_{sha[:12]}_{target}",
    wrap=True,
)  # fmt: skip
c3, c4, c5 = st.columns(3)
test_pct = c3.slider("Test-set size (%)", 10, 40, HOUSE_TEST_PCT, 5, key=f"{KEY}_test")
seed = int(c4.number_input("Seed", 0, 10_000, HOUSE_SEED, 1, key=f"{KEY}_seed"))
log_target = False
if task == "regression":
    log_default, log_reason = tabular.suggest_log_target(frame[target].to_numpy(dtype=float))
    log_target = c5.checkbox(
        "Learn log(target)", value=log_default, key=f"{KEY}_log_{sha[:12]}_{target}",
        help="On a log scale a model's errors become relative (10% too high) instead of absolute.",
    )  # fmt: skip
    c5.caption(f"Suggested {'on' if log_default else 'off'}: over the whole table, the target is {log_reason}.")

space = tabular.SearchSpace()
with st.expander("Network and training"):
    auto = st.toggle(
        "Choose width, weight decay and learning rate on the validation rows", True, key=f"{KEY}_auto",
        help=f"Successive halving: {len(space.widths) * len(space.weight_decays)} settings train "
        f"{space.first_epochs} epochs, the best 1/{space.eta} {space.eta}× longer, and so on; the last "
        "one trains on. It runs inside the run's time budget; the test rows are never seen.",
    )  # fmt: skip
    n1, n2, n3 = st.columns(3)
    layers = n1.slider("Hidden layers", 1, 3, 2, key=f"{KEY}_layers")
    width = n1.select_slider("Neurons per layer", [8, 16, 32, 64, 128, 256], 64, key=f"{KEY}_width", disabled=auto)
    activation = n2.selectbox("Activation", ["silu", "relu", "tanh", "gelu"], key=f"{KEY}_act")
    lr = n2.select_slider("Learning rate (Adam)", [3e-4, 1e-3, 3e-3, 1e-2, 3e-2], 1e-3, key=f"{KEY}_lr", disabled=auto)
    epochs = int(n3.number_input("Max epochs", 10, int(LIMITS.max_epochs), min(1000, int(LIMITS.max_epochs)), 10, key=f"{KEY}_epochs"))  # fmt: skip
    patience = int(n3.number_input("Early-stopping patience (epochs)", 5, 500, 40, 5, key=f"{KEY}_patience"))
    batch = n2.select_slider("Batch size", [16, 32, 64, 128, 256], 32, key=f"{KEY}_batch", disabled=auto)
    decay = n3.select_slider(
        "Weight decay (L2)", [0.0, 1e-4, 1e-3, 1e-2], 1e-4, key=f"{KEY}_decay", disabled=auto,
        help="Adam's L2 penalty on the weights: keeps them small, so the network does not "
        "memorise the training rows (it matters most with many one-hot columns).",
    )  # fmt: skip
config = tabular.MLPConfig(hidden=(int(width),) * int(layers), activation=activation, lr=float(lr), epochs=epochs,
                           patience=patience, batch_size=int(batch), weight_decay=float(decay))  # fmt: skip
search = space if auto else None

try:
    data = house_prepared(sha, frame, target, tuple(features), test_pct / 100, seed, log_target, task)
except TabularError as err:
    unused = "; ".join(f"'{c}' is {why}" for c, why in prof.excluded.items()) if not features else ""
    st.error(str(err) + (f" Not usable as features: {unused}." if unused else ""), icon=":material/error:")
    st.stop()
for note in data.notes:
    st.warning(note, icon=":material/warning:")
st.caption(data.describe())
if task == "regression":
    altair_chart(plots.target_histogram(data.y_train, target, log=log_target), width="stretch")
    st.caption(
        f"The target on the training rows{' (log scale: what the models learn)' if log_target else ''}: "
        f"{tabular.describe_target(data.y_train).description()}."
    )
else:
    altair_chart(plots.class_counts(data.y_train, target), width="stretch")
    st.caption(f"The {len(data.classes)} classes on the training rows (the split keeps their shares).")

with st.spinner("Fitting the baselines…"):
    models = dict(house_baselines(sha, target, tuple(features), test_pct / 100, seed, log_target, task, data))

# 3. Train the MLP --------------------------------------------------------

settings = (sha, target, tuple(features), test_pct, seed, log_target, task, config, search)
network, training = tabular.network_text(data, config, search, LIMITS.max_train_seconds)
train_slot.header("Train the MLP")
train_slot.markdown(network + " The data, target, features and network are set below.")
train_slot.caption(training)


def make_job() -> TrainingJob:
    run = tabular.mlp_trainer(data, config, search=search, limits=LIMITS, n_threads=THREADS)
    st.session_state[f"{KEY}_run"] = (settings, run)
    return TrainingJob(run.trainer, epochs=config.epochs)


def render(snap, job) -> None:
    entry = st.session_state.get(f"{KEY}_run")
    if entry and entry[1].search is not None:
        st.caption(entry[1].search.summary() if entry[1].search.candidates else "Building the candidates…")
        if not entry[1].search.candidates:
            return
    kept = entry[1].best.kept() if entry else []  # read once: the run may add an epoch
    if kept and snap.running:  # once the run has ended, the summary below says it all
        epoch, loss = kept[0]
        best = sorted(e for e, _ in kept)
        so_far = f"; the {len(kept)} best so far: epochs {', '.join(map(str, best))}" if len(kept) > 1 else ""
        st.caption(f"Best validation loss so far: {loss:.4g} ({tabular.LOSS_NAME[task]}) at epoch {epoch}{so_far}.")


with train_slot:
    job = live_training(
        KEY, make_job, render, config=settings,
        loss_title=tabular.LOSS_NAME[task] + " (log scale)",
    )  # fmt: skip

mlp_model, mlp_version, mlp_stop, mlp_cut = None, None, None, False
entry = st.session_state.get(f"{KEY}_run")
if job is not None and not job.running and entry is not None and entry[0] == settings:
    run, snap = entry[1], job.snapshot()
    if snap.epochs >= 1 and snap.diverged_epoch is None and not snap.error:
        mlp_model, mlp_version, mlp_stop = run.model, snap.version, snap.stop_reason
        mlp_cut = run.search is not None and run.search.rounds_cut > 0
        # under the live view, whose status line says how the run ended: which weights it kept
        train_slot.caption(tabular.kept_text(run.best.kept()))
        if run.search is not None:
            with train_slot.expander("The settings the search tried"):
                st.dataframe(run.search.table(), hide_index=True, placeholder="—")
                st.caption(
                    f"Validation loss ({tabular.LOSS_NAME[task]}; lower is better); "
                    "epochs trained before the candidate was dropped."
                )
    elif snap.diverged_epoch is not None:
        train_slot.error("The loss diverged: lower the learning rate and press Restart.")

# 4. Results --------------------------------------------------------------

st.header("3 · Results on the test rows")
if mlp_model is not None:
    models["MLP"] = mlp_model
else:
    st.info(
        f"Press **{'Start' if job is None else 'Restart'}** at the top to train the MLP: it then "
        "appears beside the baselines."
    )
models = {m: models[m] for m in ORDER if m in models}
outputs = tabular.predict_test_rows(models, data)  # each model once, for every view below
metrics = tabular.compare(models, data, outputs)
st.table(plots.metrics_table(metrics))
st.caption(tabular.metrics_note(data))

facts = tabular.facts(data, mlp_model, stop_reason=mlp_stop)
verdict = tabular.verdict(metrics, mlp_stop_reason=mlp_stop, facts=facts)
best_base = verdict.best_baseline
st.markdown(
    "**What you see.** "
    + verdict.text()
    + (
        " (On the synthetic data, by its formula above, the price per square foot grows "
        "with the neighbourhood's quality.)"
        if source == "default" and verdict.linear_behind
        else ""
    )
)

with st.expander("How much does the seed matter?"):
    others = [seed + k for k in range(1, SPREAD_SEEDS + 1)]
    st.caption(
        f"Every model again on seeds {', '.join(map(str, others))}: other splits, other "
        "initial weights and batches (the MLP with its search), within one "
        f"{LIMITS.max_train_seconds:g} s budget."
    )
    if st.button(f"Train on {SPREAD_SEEDS} other seeds", key=f"{KEY}_spread_go"):
        bar = st.progress(0.0, text="Other seeds…")
        st.session_state[f"{KEY}_spread"] = (settings, tabular.seed_runs(
            frame, target, features, others, test_size=test_pct / 100, log_target=log_target, task=task,
            config=config, search=search, limits=LIMITS, max_seconds=LIMITS.max_train_seconds,
            n_threads=THREADS, progress=lambda f: bar.progress(f, text="Other seeds…"),
        ))  # fmt: skip
        bar.empty()
    spread = st.session_state.get(f"{KEY}_spread")
    if spread is not None and spread[0] == settings:
        runs = [tabular.as_run(metrics, seed), spread[1]]
        st.dataframe(tabular.spread(runs), hide_index=True, placeholder="—")
        st.markdown(tabular.spread_text(runs))

preds = tabular.predictions_frame(models, data, outputs)
shown = ["MLP", best_base] if "MLP" in models else [best_base, verdict.linear]
for chart, caption in plots.result_views(models, data, list(dict.fromkeys(shown)), outputs):
    altair_chart(chart, width="stretch")
    st.caption(caption)

imp_model = "MLP" if "MLP" in models else best_base
imp_key = (settings, imp_model, mlp_version if imp_model == "MLP" else None)
cached_imp = st.session_state.get(f"{KEY}_imp")
if cached_imp is None or cached_imp[0] != imp_key:
    bar = st.progress(0.0, text="Permutation importance…")
    imp = tabular.importance(models[imp_model], data, max_seconds=IMPORTANCE_SECONDS,
                             progress=lambda f: bar.progress(f, text="Permutation importance…"))  # fmt: skip
    bar.empty()
    st.session_state[f"{KEY}_imp"] = (imp_key, imp)
imp = st.session_state[f"{KEY}_imp"][1]
altair_chart(plots.importance_chart(imp.dropna(subset=["importance"]), imp_model), width="stretch")
st.caption(tabular.importance_text(imp, imp_model, IMPORTANCE_SECONDS))
reproduce_panel(
    KEY, house_prices_script, target, features, test_size=test_pct / 100, seed=seed,
    log_target=log_target, config=config if mlp_model is not None else None,
    csv=None if upload is None else upload.name, suggested_features=prof.features,
    stop_reason=mlp_stop, task=task, search=search, search_cut=mlp_cut,
)  # fmt: skip

# 5. What if --------------------------------------------------------------

regression = task == "regression"
st.header("4 · " + ("Price this house" if regression else "Classify this row"))
template = tabular.input_template(data)
with st.form(f"{KEY}_form_{sha[:12]}"):
    cols = st.columns(3)
    row = {}
    for i, (name, spec) in enumerate(template.items()):
        box = cols[i % 3]
        k = f"{KEY}_in_{sha[:12]}_{name}"
        if spec["kind"] == "numeric":
            if spec["integer"]:
                row[name] = box.number_input(
                    name,
                    value=int(round(spec["default"])),
                    step=1,
                    key=k,
                    help=f"Training rows: {spec['min']:,.0f} to {spec['max']:,.0f}.",
                )
            else:
                row[name] = box.number_input(
                    name,
                    value=float(spec["default"]),
                    key=k,
                    format="%.4g",
                    help=f"Training rows: {spec['min']:,.4g} to {spec['max']:,.4g}.",
                )
        else:
            opts = spec["options"]
            row[name] = box.selectbox(name, opts, index=opts.index(spec["default"]), key=k)
    st.form_submit_button("Price this house" if regression else "Classify this row", type="primary")
answers = tabular.what_if(models, pd.DataFrame([row]), data)
best_model = verdict.best
if regression:
    for col, a in zip(st.columns(len(answers)), answers.itertuples(), strict=True):
        col.metric(a.model, money(a.prediction))
else:
    st.dataframe(answers.style.format({c: "{:.1%}" for c in data.classes}), hide_index=True)
outside = tabular.outside_range(template, row)
st.caption(
    f"Each model's {'price' if regression else 'class probabilities'} for the entries above "
    "(defaults: the median or most frequent value of the training rows). "
    + (
        f"Outside the training range: {', '.join(outside)}. Numbers are clipped to the range "
        "of the training rows, so every model prices such a value like the nearest one it has "
        "seen: no model can know what lies beyond its data."
        if outside
        else f"Typical error of the most accurate model ({best_model}) on test rows: "
        f"± {money(metrics.set_index('model').loc[best_model, 'MAE'])} (MAE)."
        if regression
        else f"The most accurate model on test rows, {best_model}, is right "
        f"{verdict.scores[best_model]:.1%} of the time."
    )
)

# 6. Downloads ------------------------------------------------------------

st.header("5 · Downloads")
d1, d2 = st.columns(2)
# Downloading reruns nothing (on_click="ignore"): with a rerun, the rerun could revoke the
# JSON's generator before the browser asked for it, and the click downloaded nothing.
d1.download_button("Test predictions (CSV)", tabular.to_csv_bytes(preds), file_name="house_price_predictions.csv",
                   mime="text/csv", key=f"{KEY}_dl_preds", on_click="ignore")  # fmt: skip
d1.caption(
    "Every test row with its actual value, each model's prediction and residual "
    "(or probability). Text cells that a spreadsheet would run as a formula are prefixed with '."
)
if mlp_model is not None:
    m_mlp = metrics.set_index("model").loc["MLP"].drop("train s").to_dict()
    # the JSON is written when the button is pressed, not on every rerun of the page
    d2.download_button("Fitted MLP pipeline (JSON)", lambda: tabular.export_model(mlp_model, metrics=m_mlp),
                       file_name="house_price_mlp.json", mime="application/json", key=f"{KEY}_dl_model",
                       on_click="ignore")  # fmt: skip
    d2.caption(
        "Preprocessing (medians, means, scales, categories) and network weights as plain "
        "numbers. In Python: `nnkit.tabular.load_model('house_price_mlp.json').predict(frame)`."
    )
else:
    d2.caption("Train the MLP to download it.")

# 7. Use a saved model ----------------------------------------------------

st.header("6 · Use a saved model")
saved = st.file_uploader(
    "A model file downloaded from this page (.json)", type=["json"], key=f"{KEY}_model_upload",
    help="Read as JSON numbers only (never unpickled); every field is checked.",
)  # fmt: skip
if saved is None:
    st.caption("Upload a model downloaded above to predict with it on the current data.")
else:
    try:
        loaded = tabular.load_model(saved.getvalue(), limits=LIMITS).set_params(n_threads=THREADS)
    except TabularError as err:
        st.error(f"**{saved.name}**: {err}", icon=":material/error:")
    else:
        text, warning = tabular.loaded_summary(loaded, frame, data, mlp_model)
        st.markdown(f"**{saved.name}**: {text}")
        if warning:
            st.warning(warning, icon=":material/warning:")
