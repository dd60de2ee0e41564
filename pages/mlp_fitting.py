"""MLP function fitting: the lecture's training loop, Rastrigin, extrapolation, universal approximation."""

from __future__ import annotations

import streamlit as st

from nnkit.datasets import TARGETS_1D
from nnkit.function_fitting import (
    BATCH_SIZES,
    CONTROLS,
    HIDDEN_ACTIVATIONS,
    LEARNING_RATES,
    LR_DECAYS,
    OPTIMIZER_LABELS,
    PRESETS,
    TARGET_CHOICES,
    WIDTHS,
    FitSettings,
    Target,
    builtin_target,
    compare_note,
    compare_runs,
    diagnose_recipe,
    evaluate_fit,
    live_view,
    make_data,
    target_for,
    target_from_name,
    width_sweep,
    width_sweep_note,
)
from nnkit.function_fitting.reproduce import fitting_script
from nnkit.plots.fitting import (
    compare_losses,
    curves_spec,
    field_image,
    fit_1d,
    fit_heatmaps,
    fit_slice,
    heatmap,
    width_sweep_chart,
)
from nnkit.training import OPTIMIZERS, TrainingJob
from nnkit.ui.charts import altair_chart
from nnkit.ui.course import page_title
from nnkit.ui.formula import formula_input
from nnkit.ui.live_training import current_config, live_training, png_data_uri, show_images
from nnkit.ui.policy import LIMITS
from nnkit.ui.reproduce import reproduce_panel
from nnkit.ui.router import ensure_router

ensure_router()
st.title(page_title("pages/mlp_fitting.py"))
st.markdown(
    "Exercise 1 of lecture 1: train an MLP on Rastrigin's function over the square "
    "[−5.12, 5.12]², then look at what it does *outside* the square. Press **Start**: a plain "
    "MLP learns the smooth bowl first and the 100 bumps last (*spectral bias*); the "
    "**Fourier features** preset is the fix."
)

PART_TRAIN, PART_UA, PART_COMPARE = "Train & extrapolate", "Universal approximation", "Compare two runs"
PARTS = [PART_TRAIN, PART_UA, PART_COMPARE]
part = st.segmented_control("Part", PARTS, default=PART_TRAIN, key="mlp_part") or PART_TRAIN

FULL_BATCH = "full batch"
VAL_FRACTION = 0.1  # held out for the validation loss
UA_SECONDS = 4.0  # time cap of each width in the universal-approximation sweep


def _apply_preset(prefix: str) -> None:
    controls = PRESETS[st.session_state[f"{prefix}preset"]].controls()
    controls["batch_size"] = controls["batch_size"] or FULL_BATCH
    st.session_state.update({prefix + name: value for name, value in controls.items()})


PRESET_HELP = (
    "plain MLP: 3 × 128 tanh units, Adam. Fourier features: the network sees 128 random "
    "waves sin/cos(2πB·x) instead of (x, y), so the bumps are easy to build, and Adam's "
    "learning rate falls along a cosine to almost 0, so the last steps polish the fit. "
    "lecture TorchMLP: the lecture's 2→3→1 network and its two recipes. A preset fills in "
    "the settings under *more settings*; change any of them afterwards."
)


def preset_control(prefix: str, default_preset: str) -> None:
    """The preset select: it fills in every setting of :func:`settings_controls`."""
    if f"{prefix}preset" not in st.session_state:
        st.session_state[f"{prefix}preset"] = default_preset
        _apply_preset(prefix)
    st.selectbox(
        "Preset",
        list(PRESETS),
        key=f"{prefix}preset",
        on_change=_apply_preset,
        args=(prefix,),
        help=PRESET_HELP,
    )


def settings_controls(prefix: str, seed: int) -> FitSettings:
    """Architecture and optimizer widgets (filled by the preset); returns the settings."""
    a, b = st.columns(2)
    a.number_input("hidden layers", 1, 6, key=f"{prefix}layers")
    b.number_input("units per layer", 1, 512, key=f"{prefix}width")
    a.selectbox("activation", HIDDEN_ACTIVATIONS, key=f"{prefix}activation", format_func=HIDDEN_ACTIVATIONS.get)
    b.checkbox(
        "ReLU on the output",
        key=f"{prefix}output_relu",
        help="The lecture's TorchMLP has it: the network can then never predict below 0.",
    )
    ff = a.number_input(
        "Fourier features (0 = off)",
        0,
        256,
        key=f"{prefix}fourier_features",
        help="m random frequencies B ~ N(0, scale²); the input x becomes [sin 2πBx, cos 2πBx].",
    )
    b.number_input(
        "Fourier scale",
        0.1,
        20.0,
        key=f"{prefix}fourier_scale",
        step=0.5,
        disabled=ff == 0,
        help="Standard deviation of the frequencies, in cycles per half box.",
    )
    st.checkbox(
        "scale inputs to [−1, 1] and standardise the output",
        key=f"{prefix}normalize",
        help="Off in the lecture's recipe: raw inputs ±5.12 and targets 0…80.",
    )
    c, d = st.columns(2)
    c.selectbox("optimizer", OPTIMIZERS, key=f"{prefix}optimizer", format_func=OPTIMIZER_LABELS.get)
    d.select_slider("learning rate", LEARNING_RATES, key=f"{prefix}lr", format_func=lambda v: f"{v:g}")
    c.selectbox(
        "batch size",
        [FULL_BATCH, *BATCH_SIZES],
        key=f"{prefix}batch_size",
        help="full batch: one step per epoch; 1: stochastic gradient descent.",
    )
    d.number_input("epochs", 1, int(LIMITS.max_epochs), key=f"{prefix}epochs")
    e, f = st.columns(2)
    e.checkbox(
        "summed loss (reduction='sum')",
        key=f"{prefix}summed",
        help="The lecture's MSELoss(reduction='sum'): gradients grow with the batch size.",
    )
    e.checkbox(
        "cosine learning-rate schedule",
        key=f"{prefix}cosine",
        help="The learning rate falls from its value to nearly 0 along half a cosine over "
        "the epochs: big steps first, then ever finer ones that settle into the minimum. "
        "Continue starts a new cycle.",
    )
    f.select_slider(
        "learning-rate decay per epoch",
        LR_DECAYS,
        key=f"{prefix}lr_decay",
        format_func=lambda v: "none" if v == 1.0 else f"× {v:g}",
        help="After every epoch the learning rate is multiplied by this: big steps first, fine ones later.",
    )
    controls = {name: st.session_state[prefix + name] for name in CONTROLS}
    controls["batch_size"] = None if controls["batch_size"] == FULL_BATCH else controls["batch_size"]
    return FitSettings.from_controls(controls, seed=int(seed))


def target_controls(prefix: str, box=None) -> Target | None:
    """Target (and formula) here, training box in ``box`` (default: here, below them)."""
    key = st.selectbox(
        "Target function",
        list(TARGET_CHOICES),
        format_func=TARGET_CHOICES.get,
        key=f"{prefix}target",
    )
    formula, default = None, (-2.0, 2.0)
    if key == "formula":
        formula = formula_input(
            "f(x, y) =",
            "sin(3*x)*cos(2*y) + x/2",
            variables=("x", "y"),
            key=f"{prefix}formula",
            examples=[
                "sin(3*x)*cos(2*y) + x/2",
                "exp(-x^2-y^2)",
                "abs(x)",
                "x^3 - x",
                "sin(5*x)/(1+x^2)",
            ],
        )
    else:
        default = builtin_target(key).domain
    a, b = (box or st).columns(2)
    lo = a.number_input("training box from", value=float(default[0]), key=f"{prefix}lo_{key}", format="%g")
    hi = b.number_input("to", value=float(default[1]), key=f"{prefix}hi_{key}", format="%g")
    if not hi > lo:
        st.error("The training box needs *to* > *from*: change one of the two bounds.")
        return None
    if key == "formula" and formula is None:
        return None  # formula_input already says what to change
    try:
        return target_for(key, (lo, hi), formula)
    except ValueError as exc:
        what = "This formula cannot be fitted" if key == "formula" else "Change the training box"
        st.error(f"{what}: {exc}.")
        return None


# ------------------------------------------------------------------------------------------
if part == PART_TRAIN:
    c_target, c_preset = st.columns(2)
    with st.expander("More settings: training box, samples, network, optimizer"):
        col_t, col_n = st.columns(2)
    with c_target:
        target = target_controls("mlp_", col_t)
    with col_t:
        a, b, c = st.columns(3)
        n_samples = a.number_input("samples", 10, int(LIMITS.max_samples), 5000, step=1000, key="mlp_n")
        noise = b.number_input("noise (× std of f)", 0.0, 1.0, 0.0, step=0.05, key="mlp_noise")
        seed = c.number_input("seed", 0, 10_000, 0, key="mlp_seed", help="Data, weights and batch order.")
    with c_preset:
        preset_control("mlp_", "plain MLP")
    with col_n:
        settings = settings_controls("mlp_", seed)

    if target is None:
        reproduce_panel("mlp", "the target above cannot be fitted yet: fix it first.")
        st.stop()
    X, y = make_data(target, int(n_samples), float(noise), int(seed))
    st.caption(
        f"{target.label} on [{target.domain[0]:g}, {target.domain[1]:g}]{'²' if target.dim == 2 else ''}, "
        f"{len(X)} random samples ({VAL_FRACTION * 100:g} % held out for validation) · network: "
        f"{settings.describe()} · {settings.n_parameters(target.dim)} trainable parameters · "
        f"{settings.steps_per_epoch(len(X), VAL_FRACTION)} optimizer steps per epoch · "
        f"runs stop after {LIMITS.max_train_seconds:g} s (fair-use cap)."
    )
    config = (target.name, target.domain, int(n_samples), float(noise), int(seed), settings)

    def make_job() -> TrainingJob:
        trainer = settings.trainer(target, X, y, val_fraction=VAL_FRACTION, limits=LIMITS)
        return TrainingJob(trainer, epochs=settings.epochs)

    # The live view covers the training box only (the extrapolation window comes after
    # Stop); the truth image is encoded once, each frame only predicts and encodes the network.
    LIVE_N = 56 if target.dim == 2 else 241
    still = live_view(None, target, n=LIVE_N, window_factor=1.0)  # the truth (no torch)
    vmin, vmax = still.truth_range
    truth_uri = png_data_uri(field_image(still.truth, vmin, vmax, pixels=1)) if target.dim == 2 else None

    def render(snap, job) -> None:
        lv = live_view(job.model_at(snap, reuse=True), target, n=LIVE_N, window_factor=1.0, truth=still.truth)
        if target.dim == 2:
            live_uri = png_data_uri(field_image(lv.prediction, vmin, vmax, pixels=1))
            # 56×56 images drawn with square pixels: tiny to encode and send
            show_images([(truth_uri, "truth"), (live_uri, "network (live)")], width=280)
            extra = f"The training box; colours from {vmin:.3g} (dark) to {vmax:.3g} (yellow). "
        else:
            curves = lv.curves()
            st.vega_lite_chart(curves, curves_spec(curves, target.domain), width="stretch")
            extra = "Grey: the exact target; red: the network. "
        grid = f"against the exact target on a {len(lv.xs)}-point grid per axis"
        st.caption(
            extra + f"R² inside the box so far: {lv.r2_inside:.4f} ({grid}). The loss above is the "
            "mean squared error per sample; press Stop to see the network outside the box."
            if snap.running
            else extra + f"R² inside the box at the end: {lv.r2_inside:.4f} ({grid}); the scores "
            "below are measured on the finer grid of the pictures below."
        )

    job = live_training(
        "mlp",
        make_job,
        render,
        config=config,
        loss_title="mean squared error per sample (log scale)",
    )

    if job is None:
        st.info(
            "Press **Start** to train. Below: the target over a window 1.5× the training box "
            "(dashed), where the network will be asked to extrapolate."
        )
        ev0 = evaluate_fit(None, target, n=101 if target.dim == 2 else 401)  # the truth only
        if target.dim == 2:
            altair_chart(
                heatmap(ev0.grid, "truth", title="truth", domain=target.domain, size=320),
                width="content",
            )
        else:
            altair_chart(fit_1d(ev0, X, y, prediction=False), width="stretch")
    elif not job.running and job.snapshot().steps > 0:
        snap = job.snapshot()
        model = job.model_at(snap)
        if current_config("mlp") != config:
            st.stop()  # the widget already says: settings changed, press Restart
        st.header("Inside and outside the training box")
        if snap.diverged_epoch is not None:
            st.error(
                f"Training diverged at epoch {snap.diverged_epoch} (the loss became NaN or infinite): "
                "lower the learning rate, or turn on input/output scaling, then press Restart."
            )
            st.stop()
        ev = evaluate_fit(model, target, n=101 if target.dim == 2 else 401)
        m1, m2, m3 = st.columns(3)
        m1.metric(
            "R² inside the box",
            f"{ev.r2_inside:.4f}",
            help="1 − SS_res/SS_tot against the exact target on the grid points inside the box.",
        )
        m2.metric(
            "R² outside the box",
            f"{ev.r2_outside:.3f}",
            help="Same, on the grid points of the 1.5× window outside the box (never trained on).",
        )
        m3.metric("RMSE inside / outside", f"{ev.rmse_inside:.3g} / {ev.rmse_outside:.3g}")
        if target.dim == 2:
            altair_chart(fit_heatmaps(ev, size=280, parts=("truth", "prediction")), width="content")
            st.caption(
                "Left: the exact target; right: the trained network, on one colour scale, over a "
                "window 1.5× the training box (dashed): everything outside the box is extrapolation."
            )
            left, right = st.columns([2, 3])
            altair_chart(fit_heatmaps(ev, size=220, parts=("error",)), width="content", container=left)
            left.caption("Network − truth: red where the network is too high, blue too low.")
            altair_chart(fit_slice(ev), width="stretch", container=right)
            right.caption(
                "Along y = centre of the box. Grey dashed: the exact target; red: the network; "
                "vertical dashed lines: the edges of the training box."
            )
        else:
            altair_chart(fit_1d(ev, X, y), width="stretch")
            st.caption(
                "Grey dashed: the exact target; red: the network; dots: the data "
                f"({VAL_FRACTION * 100:g} % of it held out for validation); "
                "vertical dashed lines: the training interval."
            )
        st.markdown("**What you see.** " + ev.note(settings.activation, settings.fourier_features > 0))
        diagnostics = diagnose_recipe(settings, model, target, X, y, val_fraction=VAL_FRACTION)
        for paragraph in diagnostics.notes():
            st.markdown(paragraph)
        reproduce_panel("mlp", fitting_script, *config, preset=st.session_state["mlp_preset"],
                        val_fraction=VAL_FRACTION, epochs_done=snap.epochs, stop_reason=snap.stop_reason)  # fmt: skip

# ------------------------------------------------------------------------------------------
elif part == PART_UA:
    st.markdown(
        "**Universal approximation** (Funahashi 1989; Cybenko, Hornik 1989): a network with "
        "*one* hidden layer of sigmoids approximates any continuous function on a closed box as "
        "closely as you like, given enough units. Below, each width is trained with full-batch "
        "L-BFGS on 256 evenly spaced points and measured on 1025 points in between."
    )
    a, b, c = st.columns(3)
    ua_key = a.selectbox(
        "1-D target",
        list(TARGETS_1D),
        index=list(TARGETS_1D).index("runge"),
        format_func=lambda k: TARGETS_1D[k].label,
        key="ua_target",
    )
    ua_act = b.selectbox("activation", ["sigmoid", "tanh", "relu"], key="ua_act")
    max_w = c.select_slider("widest layer", WIDTHS[4:], value=256, key="ua_max")

    @st.cache_data(show_spinner="Training one network per width…", max_entries=32)
    def sweep(key: str, activation: str, max_width: int):
        widths = WIDTHS[: WIDTHS.index(max_width) + 1]
        return width_sweep(
            builtin_target(key),
            widths,
            activation=activation,
            epochs=25,
            max_seconds_each=UA_SECONDS,
        )

    df = sweep(ua_key, ua_act, int(max_w))
    altair_chart(width_sweep_chart(df), width="stretch")
    st.caption(
        "Both axes logarithmic. Reference: the exact target on 1025 test points. "
        "A straight downward line means error ∝ width^−k."
    )
    st.markdown("**What you see.** " + width_sweep_note(df, ua_act, UA_SECONDS))
    words = {"width": "hidden units", "rmse": "RMS error", "max_error": "max error", "r2": "R²"}
    st.dataframe(
        df.drop(columns=["stop"]).rename(columns={**words, "seconds": "training s"}),
        hide_index=True,
        placeholder="—",
    )

# ------------------------------------------------------------------------------------------
else:
    st.markdown(
        "Train two networks on the same data from the same seed, differing only in the settings "
        "you pick, and overlay their training losses. Each run is capped at 15 s."
    )
    with st.container(border=True):
        a, b, c = st.columns([2, 1, 1])
        with a:
            target = target_controls("cmp_")
        n_samples = b.number_input("samples", 10, int(LIMITS.max_samples), 5000, step=1000, key="cmp_n")
        seed = c.number_input("seed (both runs)", 0, 10_000, 0, key="cmp_seed")
    runs_in = []
    for col, (name, preset) in zip(st.columns(2), (("A", "plain MLP"), ("B", "Fourier features")), strict=True):
        with col, st.container(border=True):
            st.markdown(f"**Run {name}**")
            preset_control(f"cmp{name.lower()}_", preset)
            with st.expander("more settings"):
                runs_in.append((name, settings_controls(f"cmp{name.lower()}_", seed)))
    sa, sb = (cfg for _, cfg in runs_in)

    @st.cache_data(show_spinner="Training both runs…", max_entries=16)
    def compare(target_name: str, domain: tuple, n: int, seed: int, a: FitSettings, b: FitSettings):
        return compare_runs(target_from_name(target_name, domain), n, seed, {"A": a, "B": b})

    if target is None:
        st.stop()
    cmp_key = (target.name, target.domain, int(n_samples), int(seed), sa, sb)
    pressed = st.button("Train both", type="primary", key="cmp_go")
    if not (pressed or st.session_state.get("cmp_done") == cmp_key):
        st.info("Pick the two settings, then press **Train both**.")
        st.stop()
    st.session_state["cmp_done"] = cmp_key
    runs = compare(*cmp_key)
    altair_chart(
        compare_losses({f"run {k}": runs[k].history for k, _ in runs_in}), width="stretch"
    )  # the settings go in the caption, where they wrap (a legend cut them off)
    settings_text = "; ".join(f"**{k}**: {cfg.describe()}" for k, cfg in runs_in)
    st.caption(f"Training MSE per sample, log scale; same data and seed for both runs. {settings_text}.")
    for col, (label, _) in zip(st.columns(2), runs_in, strict=True):
        run = runs[label]
        col.metric(
            f"run {label}: R² inside the box",
            f"{run.r2_inside:.4f}",
            help="Against the exact target on a grid inside the box.",
        )
        col.caption(
            f"R² outside (1.5× window): {run.r2_outside:.3f} · {len(run.history)} epochs "
            f"in {run.wall_time:.1f} s · stopped because {run.stop_message}."
        )
    st.markdown("**What you see.** " + compare_note(runs))
