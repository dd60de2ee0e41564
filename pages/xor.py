"""XOR: how many hidden layers does it take? Decision boundaries and success over seeds."""

from __future__ import annotations

import streamlit as st

from nnkit.datasets import xor
from nnkit.fitting import xor_reference_accuracy
from nnkit.plots.fitting import loss_curves
from nnkit.plots.xor import decision_boundary, success_rates
from nnkit.reproduce.xor import xor_script
from nnkit.ui.charts import altair_chart
from nnkit.ui.course import page_title
from nnkit.ui.policy import LIMITS
from nnkit.ui.precomputed import XOR_ACTIVATION, XOR_EPOCHS, XOR_LR, XOR_UNITS
from nnkit.ui.precomputed import xor_study as study
from nnkit.ui.precomputed import xor_trained as trained
from nnkit.ui.reproduce import reproduce_panel
from nnkit.ui.router import ensure_router
from nnkit.xor import output_field, solves_xor, study_table, summarize_xor_study

ensure_router()
st.title(page_title("pages/xor.py"))
st.markdown(
    "Exercise 2 of lecture 1: one neuron draws a straight line, and no line separates XOR's "
    "classes on opposite corners; **one hidden layer of two units is enough**, but training it "
    "often fails from an unlucky start. Below, the network you pick beside a single neuron, "
    "then the success rate of every architecture over 20 seeds."
)

with st.container(border=True):
    c1, c2, c3 = st.columns(3)
    data = c1.radio("Data", ["XOR truth table (4 points)", "noisy XOR"], key="xor_data")
    noisy = data == "noisy XOR"
    n = c1.number_input("points", 8, 2000, 200, step=50, key="xor_n", disabled=not noisy)
    noise = c1.slider("noise (std)", 0.0, 0.5, 0.2, 0.05, key="xor_noise", disabled=not noisy)
    layers = c2.radio("hidden layers", [0, 1, 2], index=1, horizontal=True, key="xor_layers")
    units = c2.slider("units per hidden layer", 1, 8, XOR_UNITS, key="xor_units", disabled=layers == 0)
    activation = c2.selectbox("activation", [XOR_ACTIVATION, "relu", "sigmoid"], key="xor_act")
    seed = c3.number_input("seed (initial weights)", 0, 10_000, 0, key="xor_seed")
    lr = c3.select_slider("learning rate (Adam)", [0.001, 0.003, 0.01, 0.03, 0.1, 0.3], XOR_LR, key="xor_lr")
    epochs = c3.select_slider("epochs (full batch)", [50, 100, 200, 300, 500, 1000], XOR_EPOCHS, key="xor_epochs")

X, y = xor(n_samples=int(n), noise=float(noise), seed=0) if noisy else xor()
hidden = tuple([int(units)] * int(layers))
ref = xor_reference_accuracy(X, y)


mine = trained(X, y, hidden, activation, float(lr), int(epochs), int(seed))
line = trained(X, y, (), activation, float(lr), int(epochs), int(seed))
mine_field, line_field = output_field(mine.grid), output_field(line.grid)
ref_text = "all 4 points" if not noisy else f"{ref:.1%}, the accuracy of the ideal rule (x₁ > ½) xor (x₂ > ½)"
left, right = st.columns(2)
with left:
    altair_chart(
        decision_boundary(
            mine_field.grid,
            X,
            y,
            size=300,
            title=f"your network: {mine.architecture}" + (": uniform, no boundary" if mine_field.uniform else ""),
        ),
        width="content",
    )
    st.metric("training accuracy", f"{mine.accuracy:.1%}", help=f"Reference: {ref_text}.")
with right:
    altair_chart(
        decision_boundary(
            line_field.grid,
            X,
            y,
            size=300,
            title="no hidden layer (one neuron)" + (": uniform, no boundary" if line_field.uniform else ""),
        ),
        width="content",
    )
    st.metric("training accuracy", f"{line.accuracy:.1%}", help=f"Reference: {ref_text}.")
uniform = [
    f"{name} predicts {f.range_text} everywhere"
    for name, f in (("your network", mine_field), ("the single neuron", line_field))
    if f.uniform
]
st.caption(
    "Colour: the network's probability of class 1 (orange squares); the black line of dots is the "
    "decision boundary, where that probability crosses ½. Blue circles are class 0. Same seed, "
    "data and training for both."
    + (f" No boundary is drawn on a uniform field: {' and '.join(uniform)}." if uniform else "")
)
solved = solves_xor(mine.accuracy, ref)
st.markdown(
    f"**What you see.** Your network ({mine.architecture}, seed {seed}) classifies "
    f"{mine.accuracy:.1%} of the training points correctly"
    + (" and solves XOR" if solved else f", short of the {ref:.1%} reference: this run failed")
    + f"; a single neuron reaches {line.accuracy:.1%}"
    + (" (a line can separate at most 3 of XOR's 4 corners)." if not noisy else ".")
    + (
        f" The single neuron ends up predicting {line_field.range_text} everywhere on the "
        "picture: for XOR, cross-entropy is lowest when one neuron does not decide at all."
        if line_field.uniform
        else ""
    )
)
with st.expander("loss curve of your network"):
    altair_chart(loss_curves(mine.history, title="binary cross-entropy (log scale)"), width="stretch")
reproduce_panel(
    "xor", xor_script, hidden, activation=activation, lr=float(lr), epochs=int(epochs),
    seed=int(seed), n_samples=int(n) if noisy else None, noise=float(noise),
)  # fmt: skip

st.header("Success rate over 20 seeds")
with st.spinner("Training every architecture from 20 seeds…"):
    df = study(X, y, activation, float(lr), int(epochs), LIMITS.max_train_seconds)
summary = summarize_xor_study(df, int(epochs), int(layers), int(units))
if summary.n_capped:
    st.warning(
        f"The time cap ({LIMITS.max_train_seconds:g} s for the whole study on this server) "
        f"stopped {summary.n_capped} architectures after {summary.fewest_epochs} of "
        f"{int(epochs)} epochs: their success rates are lower bounds. Use fewer points or "
        "epochs, or run the app locally with a larger NNKIT_MAX_TRAIN_SECONDS."
    )
altair_chart(success_rates(df), width="stretch")
st.caption(
    f"Each point: the fraction of {summary.seeds} random initialisations (seeds 0–"
    f"{summary.seeds - 1}) whose trained network reaches the reference accuracy ({ref_text}). "
    "Dashed grey: no hidden layer. Same learning rate, epochs and activation as above."
)
st.markdown("**What you see.** " + summary.text())
st.dataframe(
    study_table(df).style.format(
        {"success rate": lambda v: f"{100 * v:.0f} %", "mean accuracy": lambda v: f"{100 * v:.1f} %"}
    ),
    hide_index=True,
    placeholder="—",
)
