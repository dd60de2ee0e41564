"""MLP function fitting: the lecture's training loop, Rastrigin, extrapolation, universal approximation."""

from __future__ import annotations

import math

import numpy as np
import streamlit as st

from nnkit.activations import ACTIVATIONS
from nnkit.datasets import TARGETS_1D
from nnkit.fitting import (
    PRESETS,
    FitSettings,
    Target,
    builtin_target,
    compare_runs,
    evaluate_fit,
    formula_target,
    live_view,
    make_data,
    target_from_name,
    width_sweep,
)
from nnkit.models import count_parameters, predict
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
from nnkit.ui.formula import formula_input
from nnkit.ui.live_training import current_config, live_training, png_data_uri, show_images
from nnkit.ui.policy import LIMITS
from nnkit.ui.router import ensure_router

ensure_router()
st.title("MLP function fitting")
st.markdown(
    "The lecture's training loop at work: weights start random; the data are cut into "
    "batches; for each batch a **forward pass**, the **loss** (MSE), **backpropagation** "
    "and a **gradient step**; one **epoch** when every sample has been seen. Exercise 1 "
    "asks you to fit Rastrigin's function on [−5.12, 5.12]² and to look at what the "
    "network does *outside* the training square. Presets reproduce the lecture's "
    "`TorchMLP` and its two recipes, a plain MLP, and Fourier features, the fix for a "
    "plain MLP's *spectral bias* (it learns smooth trends first and Rastrigin's 100 bumps last). "
    "The Fourier-features preset feeds the network 128 random waves sin/cos(2πB·x) instead of "
    "(x, y), so the bumps are easy to build, and lowers Adam's learning rate along a cosine "
    "to almost 0 by the last epoch, so the final steps polish the fit instead of jittering "
    "around it."
)

PART_TRAIN, PART_UA, PART_COMPARE = (
    "Train & extrapolate",
    "Universal approximation",
    "Compare two runs",
)
part = st.segmented_control(
    "Part", [PART_TRAIN, PART_UA, PART_COMPARE], default=PART_TRAIN, key="mlp_part"
)
part = part or PART_TRAIN

BATCHES = ["full batch", 1, 8, 32, 64, 128, 256, 512, 1024]
LRS = [float(f"{m}e{e}") for e in range(-7, 1) for m in (1, 2, 5)][:-2]
ACT_NAMES = [n for n in ACTIVATIONS if n not in ("heaviside", "sign")] + ["siren"]
OPT_LABELS = {
    "sgd": "SGD",
    "momentum": "SGD + momentum",
    "rmsprop": "RMSprop",
    "adam": "Adam",
    "lbfgs": "L-BFGS",
}
TARGET_LABELS = (
    {"rastrigin": "Rastrigin (exercise 1, 2-D)"}
    | {k: f"{t.label} (1-D)" for k, t in TARGETS_1D.items()}
    | {"formula": "your formula f(x) or f(x, y)"}
)


def _act_label(name: str) -> str:
    return "SIREN sin(w0·z)" if name == "siren" else ACTIVATIONS[name].label


def _apply_preset(prefix: str) -> None:
    s = PRESETS[st.session_state[f"{prefix}preset"]]
    st.session_state.update(
        {
            f"{prefix}layers": len(s.hidden),
            f"{prefix}width": s.hidden[0],
            f"{prefix}act": s.activation,
            f"{prefix}outrelu": s.output_activation == "relu",
            f"{prefix}ff": s.fourier_features,
            f"{prefix}ffscale": s.fourier_scale,
            f"{prefix}norm": s.normalize,
            f"{prefix}opt": s.optimizer,
            f"{prefix}lr": s.lr,
            f"{prefix}bs": "full batch" if s.batch_size is None else s.batch_size,
            f"{prefix}epochs": s.epochs,
            f"{prefix}sum": s.reduction == "sum",
            f"{prefix}decay": s.lr_decay,
            f"{prefix}cosine": s.lr_schedule == "cosine",
        }
    )


def settings_controls(prefix: str, default_preset: str, seed: int) -> FitSettings:
    """Preset + architecture + optimizer widgets; returns the chosen settings."""
    if f"{prefix}preset" not in st.session_state:
        st.session_state[f"{prefix}preset"] = default_preset
        _apply_preset(prefix)
    st.selectbox(
        "Preset",
        list(PRESETS),
        key=f"{prefix}preset",
        on_change=_apply_preset,
        args=(prefix,),
        help="Fills in the settings below; change any of them afterwards.",
    )
    a, b = st.columns(2)
    layers = a.number_input("hidden layers", 1, 6, key=f"{prefix}layers")
    width = b.number_input("units per layer", 1, 512, key=f"{prefix}width")
    act = a.selectbox("activation", ACT_NAMES, key=f"{prefix}act", format_func=_act_label)
    outrelu = b.checkbox(
        "ReLU on the output",
        key=f"{prefix}outrelu",
        help="The lecture's TorchMLP has it: the network can then never predict below 0.",
    )
    ff = a.number_input(
        "Fourier features (0 = off)",
        0,
        256,
        key=f"{prefix}ff",
        help="m random frequencies B ~ N(0, scale²); the input x becomes [sin 2πBx, cos 2πBx].",
    )
    ffscale = b.number_input(
        "Fourier scale",
        0.1,
        20.0,
        key=f"{prefix}ffscale",
        step=0.5,
        disabled=ff == 0,
        help="Standard deviation of the frequencies, in cycles per half box.",
    )
    norm = st.checkbox(
        "scale inputs to [−1, 1] and standardise the output",
        key=f"{prefix}norm",
        help="Off in the lecture's recipe: raw inputs ±5.12 and targets 0…80.",
    )
    c, d = st.columns(2)
    opt = c.selectbox("optimizer", OPTIMIZERS, key=f"{prefix}opt", format_func=OPT_LABELS.get)
    lr = d.select_slider("learning rate", LRS, key=f"{prefix}lr", format_func=lambda v: f"{v:g}")
    bs = c.selectbox(
        "batch size",
        BATCHES,
        key=f"{prefix}bs",
        help="full batch: one step per epoch; 1: stochastic gradient descent.",
    )
    epochs = d.number_input("epochs", 1, int(LIMITS.max_epochs), key=f"{prefix}epochs")
    e, f = st.columns(2)
    summed = e.checkbox(
        "summed loss (reduction='sum')",
        key=f"{prefix}sum",
        help="The lecture's MSELoss(reduction='sum'): gradients grow with the batch size.",
    )
    cosine = e.checkbox(
        "cosine learning-rate schedule",
        key=f"{prefix}cosine",
        help="The learning rate falls from its value to nearly 0 along half a cosine over "
        "the epochs: big steps first, then ever finer ones that settle into the minimum. "
        "Continue starts a new cycle.",
    )
    decay = f.select_slider(
        "learning-rate decay per epoch",
        [1.0, 0.999, 0.995, 0.99, 0.98, 0.95],
        key=f"{prefix}decay",
        format_func=lambda v: "none" if v == 1.0 else f"× {v:g}",
        help="After every epoch the learning rate is multiplied by this: big steps first, "
        "fine ones later.",
    )
    return FitSettings(
        hidden=(int(width),) * int(layers),
        activation=act,
        output_activation="relu" if outrelu else None,
        fourier_features=int(ff),
        fourier_scale=float(ffscale),
        normalize=bool(norm),
        optimizer=opt,
        lr=float(lr),
        batch_size=None if bs == "full batch" else int(bs),
        epochs=int(epochs),
        reduction="sum" if summed else "mean",
        seed=int(seed),
        lr_decay=float(decay),
        lr_schedule="cosine" if cosine else "constant",
    )


def target_controls(prefix: str) -> Target | None:
    """Target, training box, samples and noise; None (with a message) if unusable."""
    key = st.selectbox(
        "Target function", list(TARGET_LABELS), format_func=TARGET_LABELS.get, key=f"{prefix}target"
    )
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
        default = (-2.0, 2.0)
    else:
        formula, default = None, builtin_target(key).domain
    a, b = st.columns(2)
    lo = a.number_input(
        "training box from", value=float(default[0]), key=f"{prefix}lo_{key}", format="%g"
    )
    hi = b.number_input("to", value=float(default[1]), key=f"{prefix}hi_{key}", format="%g")
    if not hi > lo:
        st.error("The training box needs *to* > *from*: change one of the two bounds.")
        return None
    if key == "formula":
        if formula is None:
            return None
        try:
            return formula_target(formula, (lo, hi))
        except ValueError as exc:
            st.error(f"This formula cannot be fitted: {exc}.")
            return None
    try:
        return builtin_target(key).with_domain(lo, hi)
    except ValueError as exc:
        st.error(f"Change the training box: {exc}.")
        return None


# ------------------------------------------------------------------------------------------
if part == PART_TRAIN:
    with st.container(border=True):
        col_t, col_n = st.columns(2)
        with col_t:
            st.markdown("**Target and data**")
            target = target_controls("mlp_")
            a, b, c = st.columns(3)
            n_samples = a.number_input(
                "samples", 10, int(LIMITS.max_samples), 5000, step=1000, key="mlp_n"
            )
            noise = b.number_input("noise (× std of f)", 0.0, 1.0, 0.0, step=0.05, key="mlp_noise")
            seed = c.number_input(
                "seed", 0, 10_000, 0, key="mlp_seed", help="Data, weights and batch order."
            )
        with col_n:
            st.markdown("**Network and training**")
            settings = settings_controls("mlp_", "plain MLP", seed)

    if target is None:
        st.stop()
    X, y = make_data(target, int(n_samples), float(noise), int(seed))
    model_preview = settings.build_model(target.dim, X, y, target.domain)
    st.caption(
        f"{target.label} on [{target.domain[0]:g}, {target.domain[1]:g}]{'²' if target.dim == 2 else ''}, "
        f"{len(X)} random samples (10 % held out for validation) · network: {settings.describe()} · "
        f"{count_parameters(model_preview)} trainable parameters · "
        f"{math.ceil(0.9 * len(X) / (settings.batch_size or len(X)))} optimizer steps per epoch · "
        f"runs stop after {LIMITS.max_train_seconds:g} s (fair-use cap)."
    )
    config = (target.name, target.domain, int(n_samples), float(noise), int(seed), settings)

    def make_job() -> TrainingJob:
        trainer = settings.trainer(target, X, y, val_fraction=0.1, limits=LIMITS)
        return TrainingJob(trainer, epochs=settings.epochs)

    # The live view covers the training box only (the extrapolation window comes after
    # Stop); the truth image is encoded once, each frame only predicts and encodes the network.
    LIVE_N = 56 if target.dim == 2 else 241
    still = live_view(model_preview, target, n=LIVE_N, window_factor=1.0)
    vmin, vmax = float(np.nanmin(still.truth)), float(np.nanmax(still.truth))
    truth_uri = (
        png_data_uri(field_image(still.truth, vmin, vmax, pixels=1)) if target.dim == 2 else None
    )

    def render(snap, job) -> None:
        lv = live_view(
            job.model_at(snap, reuse=True), target, n=LIVE_N, window_factor=1.0, truth=still.truth
        )
        if target.dim == 2:
            show_images(
                [
                    (truth_uri, "truth"),
                    (
                        png_data_uri(field_image(lv.prediction, vmin, vmax, pixels=1)),
                        "network (live)",
                    ),
                ],
                width=280,  # a 56×56 image drawn with square pixels: tiny to encode and send
            )
            extra = f"The training box; colours from {vmin:.3g} (dark) to {vmax:.3g} (yellow). "
        else:
            st.vega_lite_chart(
                lv.curves(), curves_spec(lv.curves(), target.domain), width="stretch"
            )
            extra = "Grey: the exact target; red: the network. "
        st.caption(
            extra + f"R² inside the box so far: {lv.r2_inside:.4f} (against the exact target on a "
            f"{len(lv.xs)}-point grid per axis). The loss above is the mean squared error per sample; "
            "press Stop to see the network outside the box."
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
        ev0 = evaluate_fit(model_preview, target, n=101 if target.dim == 2 else 401)
        if target.dim == 2:
            st.altair_chart(
                heatmap(ev0.grid, "truth", title="truth", domain=target.domain, size=320),
                width="content",
            )
        else:
            st.altair_chart(fit_1d(ev0, X, y, prediction=False), width="stretch")
    elif not job.running and job.snapshot().steps > 0:
        snap = job.snapshot()
        model = job.model_at(snap)
        if current_config("mlp") != config:
            st.stop()  # the widget already says: settings changed, press Restart
        st.subheader("Inside and outside the training box")
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
            st.altair_chart(
                fit_heatmaps(ev, size=280, parts=("truth", "prediction")), width="content"
            )
            st.caption(
                "Left: the exact target; right: the trained network, on one colour scale, over a "
                "window 1.5× the training box (dashed): everything outside the box is extrapolation."
            )
            left, right = st.columns([2, 3])
            left.altair_chart(fit_heatmaps(ev, size=220, parts=("error",)), width="content")
            left.caption("Network − truth: red where the network is too high, blue too low.")
            right.altair_chart(fit_slice(ev), width="stretch")
            right.caption(
                "Along y = centre of the box. Grey dashed: the exact target; red: the network; "
                "vertical dashed lines: the edges of the training box."
            )
        else:
            st.altair_chart(fit_1d(ev, X, y), width="stretch")
            st.caption(
                "Grey dashed: the exact target; red: the network; dots: training samples; "
                "vertical dashed lines: the training interval."
            )
        st.markdown(
            "**What you see.** " + ev.note(settings.activation, settings.fourier_features > 0)
        )
        if settings.output_activation == "relu":
            zero = float(np.mean(predict(model, X)[:, 0] <= 0))
            st.markdown(
                f"The output ReLU returns exactly 0 on {zero:.0%} of the training samples: there the "
                "loss has no gradient, which is one reason the lecture's TorchMLP learns slowly "
                + (
                    "(here the output unit is dead: the network never learns)."
                    if zero == 1
                    else "."
                )
            )
        if settings.reduction == "sum" and settings.optimizer in ("sgd", "momentum"):
            n_batch = settings.batch_size or round(0.9 * len(X))
            st.markdown(
                f"With the summed loss each gradient is {n_batch}× the per-sample mean's (one batch "
                f"of {n_batch} samples), so plain SGD at lr {settings.lr:g} moves the weights like "
                f"lr {settings.lr * n_batch:.3g} on the mean loss: the step size depends on the "
                "batch size. Adam and RMSprop divide by the gradient's own scale, so for them the "
                "sum only changes the scale of the loss, not the step."
            )
        if not settings.normalize:
            st.markdown(
                f"Inputs enter unscaled (±{max(abs(target.domain[0]), abs(target.domain[1])):g}) and "
                f"the targets span {float(np.min(y)):.3g}…{float(np.max(y)):.3g}: the output layer must "
                "grow large weights before the predictions even reach the data's range. Turn on "
                "*scale inputs and standardise the output* (as the plain-MLP preset does) to compare."
            )

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
    max_w = c.select_slider("widest layer", [16, 32, 64, 128, 256], value=256, key="ua_max")

    @st.cache_data(show_spinner="Training one network per width…", max_entries=32)
    def sweep(key: str, activation: str, max_width: int):
        widths = [w for w in (1, 2, 4, 8, 16, 32, 64, 128, 256) if w <= max_width]
        return width_sweep(
            builtin_target(key), widths, activation=activation, epochs=25, max_seconds_each=4.0
        )

    df = sweep(ua_key, ua_act, int(max_w))
    st.altair_chart(width_sweep_chart(df), width="stretch")
    st.caption(
        "Both axes logarithmic. Reference: the exact target on 1025 test points. "
        "A straight downward line means error ∝ width^−k."
    )
    first, best = df.iloc[0], df.loc[df["rmse"].idxmin()]
    last = df.iloc[-1]
    capped = int((df["stop"] == "time_limit").sum())
    st.markdown(
        f"**What you see.** With 1 {ua_act} unit the RMS error is {first['rmse']:.3g}; the best, "
        f"{best['rmse']:.3g}, is reached with {int(best['width'])} units "
        f"({first['rmse'] / max(best['rmse'], 1e-300):.3g}× smaller), and {int(last['width'])} units give "
        f"{last['rmse']:.3g}. "
        + (
            "Past that point more units no longer help: the optimizer (and float32 arithmetic), "
            "not the width, limits the error. The theorem promises that good weights exist, not "
            "that gradient descent finds them."
            if best["width"] < last["width"]
            else "The error is still falling at the widest layer."
        )
        + (f" ({capped} width(s) hit the 4 s time cap per width.)" if capped else "")
    )
    st.dataframe(
        df.drop(columns=["stop"]).rename(columns={"seconds": "training s"}), hide_index=True
    )

# ------------------------------------------------------------------------------------------
else:
    st.markdown(
        "Train two networks on the same data from the same seed, differing only in the settings "
        "you pick, and overlay their training losses. Each run is capped at 15 s."
    )
    with st.container(border=True):
        target = target_controls("cmp_")
        a, b = st.columns(2)
        n_samples = a.number_input(
            "samples", 10, int(LIMITS.max_samples), 5000, step=1000, key="cmp_n"
        )
        seed = b.number_input("seed (both runs)", 0, 10_000, 0, key="cmp_seed")
    left, right = st.columns(2)
    with left, st.container(border=True):
        st.markdown("**Run A**")
        sa = settings_controls("cmpa_", "plain MLP", seed)
    with right, st.container(border=True):
        st.markdown("**Run B**")
        sb = settings_controls("cmpb_", "Fourier features", seed)

    @st.cache_data(show_spinner="Training both runs…", max_entries=16)
    def compare(target_name: str, domain: tuple, n: int, seed: int, a: FitSettings, b: FitSettings):
        return compare_runs(target_from_name(target_name, domain), n, seed, {"A": a, "B": b})

    if target is not None:
        if st.button("Train both", type="primary", key="cmp_go") or st.session_state.get(
            "cmp_done"
        ) == (target.name, target.domain, int(n_samples), int(seed), sa, sb):
            st.session_state["cmp_done"] = (
                target.name,
                target.domain,
                int(n_samples),
                int(seed),
                sa,
                sb,
            )
            runs = compare(target.name, target.domain, int(n_samples), int(seed), sa, sb)
            ha, hb = runs["A"][0], runs["B"][0]
            st.altair_chart(
                compare_losses({f"A: {sa.describe()}": ha, f"B: {sb.describe()}": hb}),
                width="stretch",
            )
            st.caption("Training MSE per sample, log scale; same data and seed for both runs.")
            cols = st.columns(2)
            for col, label in zip(cols, "AB", strict=True):
                _, why, secs, r2i, r2o, _ = runs[label]
                col.metric(
                    f"run {label}: R² inside the box",
                    f"{r2i:.4f}",
                    help="Against the exact target on a grid inside the box.",
                )
                col.caption(
                    f"R² outside (1.5× window): {r2o:.3f} · {len(runs[label][0])} epochs in "
                    f"{secs:.1f} s · stopped because {why}."
                )
            ra, rb = runs["A"][3], runs["B"][3]
            if math.isfinite(ra) and math.isfinite(rb):
                better = "A" if ra > rb else "B"
                overfit = [
                    f"run {k} ({runs[k][5]:.3g} on the grid vs {h.train_loss[-1]:.3g} on its samples)"
                    for k, h in (("A", ha), ("B", hb))
                    if runs[k][5] > 3 * h.train_loss[-1]
                ]
                st.markdown(
                    f"**What you see.** Run {better} fits the box better (R² {max(ra, rb):.4f} vs "
                    f"{min(ra, rb):.4f}); final training losses (MSE per sample): A "
                    f"{ha.train_loss[-1]:.4g}, B {hb.train_loss[-1]:.4g}."
                    + (
                        " The mean squared error between the samples is more than 3× the training "
                        "loss for " + " and ".join(overfit) + ": it fits its samples better than "
                        "the function between them (over-fitting); more samples would help."
                        if overfit
                        else ""
                    )
                )
        else:
            st.info("Pick the two settings, then press **Train both**.")
