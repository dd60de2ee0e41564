"""Perceptron & activations: Rosenblatt's rule, activation functions, from neuron to layer."""

from __future__ import annotations

import pandas as pd
import streamlit as st
from streamlit.errors import StreamlitAPIException

from nnkit import activations as acts
from nnkit import datasets as ds
from nnkit.perceptron import (
    Perceptron,
    check_learning_rate,
    convergence_reference,
    layer_from_table,
    layer_summary,
    neuron_summary,
    training_verdict,
    view_box,
)
from nnkit.perceptron.reproduce import perceptron_script
from nnkit.plots import perceptron as plots
from nnkit.ui.charts import altair_chart
from nnkit.ui.course import LECTURES, page_title
from nnkit.ui.policy import LIMITS
from nnkit.ui.reproduce import reproduce_panel
from nnkit.ui.router import ensure_router

PAGE_MAX_SAMPLES = min(LIMITS.max_samples, 500)
PAGE_MAX_EPOCHS = min(LIMITS.max_epochs, 500)
LABELS = {a.name: a.label for a in acts.ACTIVATIONS.values()}

ensure_router()
st.title(page_title("pages/perceptron.py"))
st.markdown(
    "Lecture 1 goes from Rosenblatt's 1958 **perceptron**, a neuron that fires when "
    "w·x + b ≥ 0 and learns by the rule w ← w + η (t − ŷ) x, to the smooth **activation "
    "functions** that make gradient descent possible, and to a **layer** of neurons. "
    "Every curve and line below is computed by `nnkit.activations` and `nnkit.perceptron`."
)

tab_gallery, tab_neuron, tab_train, tab_layer = st.tabs(
    ["Activation gallery", "One neuron", "Perceptron training", "A layer"]
)


# ---------------------------------------------------------------------------
# cached, pure computations
# ---------------------------------------------------------------------------


@st.cache_data(show_spinner=False, max_entries=64)
def activation_curves(names: tuple[str, ...], lo: float, hi: float):
    table = acts.curves(list(names), (lo, hi), 361)
    return table, acts.derivative_summary(table, threshold=0.01, depth=10)


@st.cache_data(show_spinner=False, max_entries=32)
def make_and_train(name, n_samples, noise, seed, lr, output, max_epochs):
    X, y = ds.TOY_2D[name].make(n_samples, noise, seed)
    limit = LIMITS.max_train_seconds
    return X, y, Perceptron(lr, max_epochs, output, seed=seed, max_seconds=limit).fit(X, y)


@st.cache_data(show_spinner=False, max_entries=32)
def references(name, n_samples, noise, seed, max_epochs):
    X, y = ds.TOY_2D[name].make(n_samples, noise, seed)
    return convergence_reference(X, y, max_epochs=max_epochs, seed=seed)


def xor_link() -> None:
    """Link to the XOR page if the app lists it, else name it."""
    listed = any(p.path == "pages/xor.py" for lec in LECTURES for p in lec.pages)
    if listed:
        try:
            st.page_link("pages/xor.py", label="XOR: one hidden layer solves it", icon="➡️")
            return
        except StreamlitAPIException:
            pass  # page run on its own (no navigation): fall through to text
    st.markdown("See the **XOR** page of Lecture 1: one hidden layer solves it.")


# ---------------------------------------------------------------------------
# 1. Activation gallery
# ---------------------------------------------------------------------------

with tab_gallery:
    st.markdown(
        "Rosenblatt's neuron uses a step. Gradient descent needs a derivative, so modern "
        "networks use smooth (or piecewise linear) activations. Pick some and compare them "
        "with their derivatives: the derivative is the factor by which each layer scales "
        "the gradient flowing back through it."
    )
    c1, c2 = st.columns([3, 1])
    chosen = c1.multiselect(
        "Activation functions",
        options=list(acts.ACTIVATIONS),
        default=["heaviside", "sigmoid", "tanh", "relu"],
        format_func=LABELS.get,
        key="gal_names",
        wrap=True,
    )
    lo, hi = c2.slider("x range", -10.0, 10.0, (-6.0, 6.0), step=0.5, key="gal_range")
    if not chosen:
        st.info("Pick at least one activation function above to plot it.")
    elif lo >= hi:
        st.warning("The x range is empty: move the two ends of the slider apart.")
    else:
        table, summary = activation_curves(tuple(chosen), lo, hi)
        left, right = st.columns(2)
        altair_chart(plots.activation_chart(table, "value"), width="stretch", container=left)
        altair_chart(plots.activation_chart(table, "derivative"), width="stretch", container=right)
        st.caption(
            "Left: f(x). Right: f′(x) on the same x-axis (click a legend entry to highlight "
            "one). Look where f′ is near 0: there a unit is saturated and passes almost no "
            "gradient back."
        )

        st.markdown("**What you see** (read from the plotted derivatives; exact values beside):")
        lines = []
        for row in summary.itertuples():
            if row.exact_max == 0:
                lines.append(
                    f"- **{row.label}**: f′ = 0 at every plotted point (exact: "
                    f"{row.exact_max_text}): no gradient passes through it at all."
                )
                continue
            lines.append(
                f"- **{row.label}**: f′ peaks at **{row.max_derivative:.4f}** at x = "
                f"{row.x_at_max:.2f} on the plot (exact supremum: {row.exact_max_text}); "
                f"|f′| < 0.01 on **{row.saturated_fraction:.0%}** of the plotted range; ten "
                f"such units in a row pass on at most {row.max_derivative:.4g}¹⁰ = "
                f"**{row.depth_factor:.3g}** of a gradient (weights aside)."
            )
        st.markdown("\n".join(lines))
        positive = summary[summary.depth_factor > 0]
        if len(positive):
            worst = positive.loc[positive.depth_factor.idxmin()]
            if worst.depth_factor < 1e-2:
                st.info(
                    f"**Vanishing gradients**: with {worst.label} the derivative is at most "
                    f"{worst.max_derivative:.4g}, so after ten layers at most "
                    f"{worst.depth_factor:.2g} of the gradient survives. This is why deep "
                    "networks moved to ReLU-like activations, whose derivative is 1 on "
                    "their active side."
                )
        flat = summary[summary.max_derivative == 0]
        if len(flat):
            st.warning(
                f"{', '.join(flat.label)}: the derivative is 0 wherever it exists, so no "
                "gradient flows at all. That is why the perceptron is trained by "
                "Rosenblatt's rule (next tabs), not by gradient descent."
            )

        st.markdown("**Formulas**")
        cols = st.columns(2)
        for i, name in enumerate(chosen):
            act = acts.get(name)
            with cols[i % 2].container(border=True):
                st.markdown(f"**{act.label}**, range ${act.range_latex}$")
                for part in act.latex.split(r", \quad"):  # function, then derivative
                    st.latex(part)
                kink = f" Not differentiable at x = {', '.join(f'{k:g}' for k in act.kinks)}." if act.kinks else ""
                st.caption(act.note + kink)

# ---------------------------------------------------------------------------
# 2. One neuron
# ---------------------------------------------------------------------------

with tab_neuron:
    st.markdown(
        "One neuron computes z = w₁x₁ + w₂x₂ + b and outputs f(z). The line z = 0 splits "
        "the plane; the weight vector (w₁, w₂) points to the side where z > 0. Move the "
        "sliders and watch the line and the output surface."
    )
    c1, c2, c3, c4 = st.columns(4)
    w1 = c1.slider("weight w₁", -3.0, 3.0, 1.0, 0.1, key="n_w1")
    w2 = c2.slider("weight w₂", -3.0, 3.0, 1.0, 0.1, key="n_w2")
    b = c3.slider("bias b", -3.0, 3.0, -1.5, 0.1, key="n_b")
    act_name = c4.selectbox(
        "activation f",
        list(acts.ACTIVATIONS),
        index=list(acts.ACTIVATIONS).index("sigmoid"),
        format_func=LABELS.get,
        key="n_act",
    )
    show_gate = st.checkbox("show the four logic-gate inputs (0/1 corners)", value=True, key="n_pts")
    act = acts.get(act_name)
    n_box = ((-1.0, 2.0), (-1.0, 2.0))
    neuron = neuron_summary((w1, w2), b, act_name)
    cells = plots.neuron_cells(n_box[0], n_box[1], (w1, w2), b, act_name, steps=50)
    chart_col, note_col = st.columns([3, 2])
    altair_chart(
        plots.neuron_chart(cells, neuron.w, b, *n_box, neuron.output_range, neuron.corners if show_gate else None),
        width="stretch", container=chart_col,
    )  # fmt: skip
    chart_col.caption(
        f"Colour: the output {act.label}(z) over the plane; black line: z = 0. "
        + ("Points: the corners, coloured by whether the neuron fires (z ≥ 0) there." if show_gate else "")
    )
    note_col.markdown(neuron.describe())

# ---------------------------------------------------------------------------
# 3. Perceptron training with replay
# ---------------------------------------------------------------------------


def _on_dataset_change() -> None:
    toy = ds.TOY_2D[st.session_state["p_data"]]
    st.session_state["p_n"] = toy.default_samples
    st.session_state["p_noise"] = toy.default_noise


def _set_frame(value: int) -> None:
    st.session_state["p_frame"] = int(value)
    st.session_state["p_playing"] = False


def _step(delta: int, last: int) -> None:
    _set_frame(min(max(st.session_state.get("p_frame", 0) + delta, 0), last))


def _toggle_play(last: int) -> None:
    playing = not st.session_state.get("p_playing", False)
    if playing and st.session_state.get("p_frame", 0) >= last:
        st.session_state["p_frame"] = 0  # play from the start once at the end
    st.session_state["p_playing"] = playing


with tab_train:
    st.markdown(
        "Rosenblatt's rule visits the points one by one; each misclassified point x of "
        "class t moves the weights by η (t − ŷ) x, turning the line towards it. The "
        "perceptron convergence theorem (Novikoff, 1962) says it stops after at most "
        "(R/γ)² updates **if a separating line exists**."
    )
    st.session_state.setdefault("p_data", "and")
    toy = ds.TOY_2D[st.session_state["p_data"]]
    st.session_state.setdefault("p_n", toy.default_samples)
    st.session_state.setdefault("p_noise", toy.default_noise)
    c1, c2, c3 = st.columns(3)
    data_name = c1.selectbox(
        "data set",
        list(ds.TOY_2D),
        format_func=lambda k: ds.TOY_2D[k].label,
        key="p_data",
        on_change=_on_dataset_change,
    )
    n_samples = c2.number_input("number of samples", min_value=0, max_value=PAGE_MAX_SAMPLES, step=1, key="p_n")
    noise = c3.number_input("noise (std of the jitter)", step=0.05, format="%.2f", key="p_noise")
    c4, c5, c6, c7 = st.columns(4)
    lr = c4.number_input("learning rate η", value=1.0, step=0.1, format="%.3f", key="p_lr")
    output = c5.radio(
        "output unit",
        ["heaviside", "sign"],
        format_func=lambda k: "Heaviside (t ∈ {0,1})" if k == "heaviside" else "sign (t ∈ {−1,1})",
        key="p_output",
        horizontal=True,
    )
    max_epochs = c6.number_input(
        "max epochs", min_value=1, max_value=PAGE_MAX_EPOCHS, value=50, step=10, key="p_epochs"
    )
    seed = c7.number_input("seed", min_value=0, max_value=10_000, value=0, step=1, key="p_seed")
    st.caption(ds.TOY_2D[data_name].description)

    problem = None
    try:
        ds.TOY_2D[data_name].make(int(n_samples), float(noise), int(seed))  # validates
        check_learning_rate(lr)
    except ValueError as err:
        problem = str(err)

    if problem is not None:
        st.error(f"Cannot train with these settings: {problem}. Change it above to continue.")
        reproduce_panel("p", f"these settings cannot be trained ({problem}).")
    else:
        args = (data_name, int(n_samples), float(noise), int(seed))
        with st.spinner("Training the perceptron…"):
            X, y, model = make_and_train(*args, float(lr), output, int(max_epochs))
            ref = references(*args, int(max_epochs))
        sep = ref.separator
        last = model.history_.last_frame
        signature = (*args, float(lr), output, int(max_epochs))
        if st.session_state.get("p_sig") != signature:
            st.session_state["p_sig"] = signature
            st.session_state["p_frame"] = last  # first show the result; Reset to replay
            st.session_state["p_playing"] = False
        st.session_state["p_frame"] = min(st.session_state.get("p_frame", last), last)

        b1, b2, b3, b4, b5 = st.columns(5)
        kw = {"width": "stretch"}
        b1.button("Reset", icon=":material/first_page:", on_click=_set_frame, args=(0,), key="p_reset", **kw)
        b2.button("Back", icon=":material/chevron_left:", on_click=_step, args=(-1, last), key="p_back", **kw)
        b3.button("Step", icon=":material/chevron_right:", on_click=_step, args=(1, last), key="p_stepbtn", **kw)
        playing = st.session_state.get("p_playing", False)
        b4.button(
            "Pause" if playing else "Play",
            icon=":material/pause:" if playing else ":material/play_arrow:",
            on_click=_toggle_play,
            args=(last,),
            key="p_play",
            **kw,
        )
        b5.button("End", icon=":material/last_page:", on_click=_set_frame, args=(last,), key="p_end", **kw)
        box = view_box(X, pad=0.3, min_span=2.0)
        stride = max(1, last // 60)  # a full replay takes about 60 ticks

        @st.fragment(run_every=0.5 if playing else None)
        def replay_view(X, y, model, box, last: int, stride: int) -> None:
            # Everything it reads comes in as arguments: a fragment rerun must not see
            # module-level names that later code on this page rebinds.
            ss = st.session_state
            if ss.get("p_playing"):
                nxt = min(ss["p_frame"] + stride, last)
                ss["p_frame"] = nxt
                if nxt >= last:
                    ss["p_playing"] = False
                    st.rerun()  # whole page: stop the timer, relabel Play
            elif ss.get("p_frame_slider", ss.get("p_slider_shown")) != ss.get("p_slider_shown"):
                # the user moved the slider (its value differs from the one last shown)
                ss["p_frame"] = int(ss["p_frame_slider"])
            # One frame state feeds the picture, its title (the frame's position and w, b)
            # and the text. The browser shows elements as they arrive, so the previous
            # frame's paragraph is cleared before the new picture is sent and written after
            # it; while playing, the only number shown is in the picture's own title.
            state = model.replay(X, y, ss["p_frame"])
            control, figures, text = st.container(), st.container(), st.empty()
            if ss.get("p_playing"):
                # No slider while playing: a timer tick could carry the browser's stale
                # slider value back and fight the playback.
                control.progress(state.frame / max(last, 1), text="Playing: pause to read each update in full")
            elif last > 0:
                # p_frame is the state (buttons, Play and this slider all set it); the
                # slider is re-synced from it on every run.
                ss["p_frame_slider"] = ss["p_slider_shown"] = state.frame
                control.slider("update (frame 0 = initial weights)", 0, last, key="p_frame_slider")
            left, right = figures.columns([3, 2])
            altair_chart(
                plots.mistakes_chart(model.history_.epochs, state.epoch or None), width="stretch", container=right
            )
            right.caption(
                "Mistakes (= updates) in each epoch; red: the epoch being replayed. "
                "An epoch with no mistake ends training."
            )
            altair_chart(plots.replay_chart(X, y, state, *box), width="stretch", container=left)
            left.caption(
                "Shaded: the class the perceptron predicts. Red rings: points it gets "
                "wrong now. Black diamond: the point whose mistake caused this update."
            )
            if not ss.get("p_playing"):
                text.markdown(state.describe(X))

        replay_view(X, y, model, box, last, stride)

        # what you see, with references
        m1, m2, m3 = st.columns(3)
        bound_txt = f"Novikoff bound (R/γ)² = {sep.bound:.1f}" if sep is not None else "no bound: not separable"
        m1.metric("updates made", model.n_updates_, help=bound_txt)
        m1.caption(bound_txt)
        m2.metric("epochs run", model.n_epochs_)
        m2.caption(f"cap: max epochs = {int(max_epochs)}")
        m3.metric("training accuracy", f"{model.score(X, y):.1%}")
        m3.caption(
            f"scikit-learn's Perceptron on the same data: {ref.sklearn_accuracy:.1%}"
            + ("" if ref.separable else " (on non-separable data both stop at an arbitrary point of their cycling)")
        )

        verdict = training_verdict(model, ref, explain_xor=data_name == "xor")
        {"converged": st.success, "stopped": st.warning, "never": st.error}[verdict.status](verdict.text)
        if verdict.status == "never":
            xor_link()
        reproduce_panel("p", perceptron_script, *args, float(lr), output, int(max_epochs),
                        stop_reason=model.stop_reason_)  # fmt: skip

# ---------------------------------------------------------------------------
# 4. A layer
# ---------------------------------------------------------------------------

# A plain RangeIndex: the editor can add rows to it (neuron j is named h(j+1) in the charts).
DEFAULT_LAYER = pd.DataFrame({"w1": [0.0, -1.0, 1.0], "w2": [1.0, -1.0, -1.0], "b": [0.5, 1.0, 1.0]})

with tab_layer:
    st.markdown(
        "A layer is several neurons reading the same input. Each draws its own line; "
        "together they cut the plane into regions, and a neuron of the next layer can "
        "combine them, which is how a multi-layer network builds non-linear boundaries. "
        "Edit the weights (one row per neuron, up to 6)."
    )
    c1, c2 = st.columns([3, 1])
    with c1:
        edited = st.data_editor(
            DEFAULT_LAYER,
            num_rows="dynamic",
            hide_index=True,
            key="l_table",
            column_config={
                "w1": st.column_config.NumberColumn("w₁", step=0.1, format="%.2f"),
                "w2": st.column_config.NumberColumn("w₂", step=0.1, format="%.2f"),
                "b": st.column_config.NumberColumn("b", step=0.1, format="%.2f"),
            },
        )
    layer_act = c2.selectbox(
        "activation",
        list(acts.ACTIVATIONS),
        index=0,
        format_func=LABELS.get,
        key="l_act",
    )
    try:
        W, bias = layer_from_table(pd.DataFrame(edited))
    except ValueError as err:
        msg = str(err)
        st.error(f"{msg[0].upper()}{msg[1:]}.")
    else:
        k = len(W)
        layer_box = ((-2.0, 2.0), (-2.0, 2.0))
        left, right = st.columns([2, 3])
        with left:
            altair_chart(plots.network_diagram(W, bias, acts.get(layer_act).label), width="stretch")
            st.caption(
                "Inputs x₁, x₂ feed every neuron. Edge colour: sign of the weight; "
                "thickness: its size. Each neuron's weights and bias are written beside it."
            )
        with right:
            altair_chart(plots.layer_chart(W, bias, *layer_box), width="stretch")
            st.caption(
                "Each coloured line is one neuron's boundary w·x + b = 0; shading (light to "
                f"dark): how many of the {k} neurons are on their firing side (w·x + b ≥ 0, "
                f"where {acts.get(layer_act).label} is at or above f(0))."
            )
        layer = layer_summary(W, bias, *layer_box)
        if layer.lineless:
            names = ", ".join(f"h{j + 1}" for j in layer.lineless)
            st.caption(f"{names}: w = (0, 0) draws no line; such a neuron fires everywhere or nowhere.")
        st.markdown(
            f"**What you see**: all {k} neurons fire on **{layer.all_fire:.1%}** of the square "
            f"[−2, 2]², none on {layer.none_fire:.1%} (exact areas of the cells the lines cut). "
            f"A second-layer threshold neuron with weights (1, …, 1) and bias −{k - 0.5:g} fires "
            "exactly where all of them do: an intersection of half-planes, a convex region no "
            "single neuron can draw. The XOR and MLP pages train such layers."
        )
