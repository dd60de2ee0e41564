"""Gradient descent: the lecture's linear regression, batch vs SGD vs mini-batch, optimizers."""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from urllib.parse import urlencode

import numpy as np
import pandas as pd
import streamlit as st

from nnkit import landscapes as L
from nnkit.plots.landscapes import contour_map, fit_chart, loss_chart, path_frame
from nnkit.ui.policy import LIMITS
from nnkit.ui.router import ensure_router

ensure_router()
st.title("Gradient descent")
st.markdown(
    "The lecture fits a line $y = w\\,x + b$ to 100 noisy points by minimising the mean "
    "squared error $J(w, b)$ with $w \\leftarrow w - \\alpha\\,\\partial J/\\partial w$, "
    "$b \\leftarrow b - \\alpha\\,\\partial J/\\partial b$, in PyTorch. Here you see that "
    "descent on the surface $J(w, b)$ itself, compare batch, stochastic and mini-batch "
    "gradient descent, and race PyTorch's optimizers on classic test surfaces. Every run is "
    "seeded and every setting is in the page's URL: share the link to share the picture."
)

PARTS = ["1 · The lecture's example", "2 · Batch vs SGD vs mini-batch", "3 · Optimizers race"]
FRAME_SECONDS = 0.3  # animation: one frame every 0.3 s
FRAMES = 40  # ... and about this many frames from start to end
CAP = int(LIMITS.max_epochs)  # fair-use cap on epochs / optimizer steps
P1_EPOCHS = min(1000, CAP)  # the lecture's 1000 epochs
P2_EPOCHS = min(50, CAP)
P3_STEPS = min(500, CAP)


# --------------------------------------------------------------------------- cached results


@st.cache_data(max_entries=64, show_spinner=False)
def regression(seed: int) -> tuple[L.RegressionProblem, L.QuadraticAnalysis]:
    problem = L.lecture_problem(seed)
    return problem, L.analyse(problem)


@st.cache_data(max_entries=64, show_spinner=False)
def gd_run(seed: int, lr: float, epochs: int, batch_size: int | None) -> L.GDRun:
    problem, _ = regression(seed)
    return L.gradient_descent(problem, lr=lr, epochs=epochs, batch_size=batch_size, seed=seed)


def regression_box(seed: int) -> tuple[tuple[float, float], tuple[float, float]]:
    problem, a = regression(seed)
    w_lo, w_hi = sorted((problem.w0, a.w_star))
    b_lo, b_hi = sorted((problem.b0, a.b_star))
    return (w_lo - 1.0, w_hi + 1.0), (b_lo - 1.5, b_hi + 1.5)


@st.cache_data(max_entries=64, show_spinner=False)
def regression_contours(seed: int) -> pd.DataFrame:
    problem, _ = regression(seed)
    w_box, b_box = regression_box(seed)
    grid = L.loss_surface(problem, w_box, b_box, n=80)
    return L.contour_segments(grid, L.contour_levels(grid.z, n=14))


@st.cache_data(max_entries=32, show_spinner=False)
def surface_contours(key: str, kappa: float) -> pd.DataFrame:
    return make_surface(key, kappa).contours()


@st.cache_data(max_entries=64, show_spinner=False)
def race_run(
    key: str, kappa: float, start: tuple[float, float], steps: int, settings: tuple
) -> list[L.Trajectory]:
    surf = make_surface(key, kappa)
    return L.race(surf, {k: dict(h) for k, h in settings}, start=start, steps=steps)


def make_surface(key: str, kappa: float) -> L.Surface2D:
    return L.surface(key, condition=kappa) if key == "quadratic" else L.surface(key)


# --------------------------------------------------------------------------- animation


def player(key: str, last: int, draw: Callable[[int], None], unit: str) -> None:
    """Step slider + play/pause; ``draw(k)`` renders frame k. Only the fragment reruns."""
    step_key, play_key, last_key = f"{key}_step", f"{key}_playing", f"{key}_last"
    if st.session_state.get(last_key) != last or step_key not in st.session_state:
        # a new run (or first visit): show its end result, stop any animation
        st.session_state[step_key] = last
        st.session_state[last_key] = last
        st.session_state[play_key] = False
    playing = bool(st.session_state.get(play_key, False))

    clock_key, shown_key = f"{key}_clock", f"{key}_shown"

    def toggle() -> None:
        now = not st.session_state.get(play_key, False)
        st.session_state[play_key] = now
        st.session_state.pop(clock_key, None)
        if now and st.session_state.get(step_key, last) >= last:
            st.session_state[step_key] = 0

    stride = max(1, last // FRAMES)

    @st.fragment(run_every=FRAME_SECONDS if playing else None)
    def frame() -> None:
        now = bool(st.session_state.get(play_key, False))
        if now != playing:  # Play/Pause was clicked: a full rerun (re)sets the timer
            st.rerun()
        if now:
            # frames follow the clock, so a slow machine skips frames instead of crawling
            t = time.monotonic()
            clock = st.session_state.get(clock_key)
            if clock is None or st.session_state[step_key] != st.session_state.get(shown_key):
                clock = (t - FRAME_SECONDS, st.session_state[step_key])  # (re)start here
                st.session_state[clock_key] = clock
            ticks = max(1, math.ceil((t - clock[0]) / FRAME_SECONDS))
            k = min(clock[1] + ticks * stride, last)
            st.session_state[step_key] = k
            if k >= last:
                st.session_state[play_key] = False
                st.session_state[shown_key] = k
                st.rerun()  # full rerun: drop the timer, show the Play button again
        st.session_state[shown_key] = st.session_state[step_key]
        c1, c2 = st.columns([1, 5], vertical_alignment="bottom")
        c1.button(
            "Pause" if now else "Play",
            icon=":material/pause:" if now else ":material/play_arrow:",
            key=f"{key}_play",
            on_click=toggle,
            disabled=last == 0,
            width="stretch",
        )
        c2.slider(unit, 0, max(last, 1), key=step_key, disabled=last == 0)
        draw(int(st.session_state[step_key]))

    frame()


def share_link(entries: list[tuple[str, object, Callable[[object], str]]]) -> None:
    """The page's URL with every non-default setting, in a copyable box."""
    params = []
    for key, default, fmt in entries:
        value = st.session_state.get(key, default)
        if value == default:
            continue
        if isinstance(value, list | tuple):
            params += [(key, fmt(v)) for v in value]
        else:
            params.append((key, fmt(value)))
    base = st.context.url or "gradient_descent"
    link = base + ("?" + urlencode(params) if params else "")
    st.caption("Link to exactly this picture (settings that differ from the defaults):")
    st.code(link, language=None, wrap_lines=True)


def num(v: float) -> str:
    """A parameter value: 5 decimals, or 4 significant digits once it has blown up."""
    return f"{v:.5f}" if abs(v) < 1e4 else f"{v:.4g}"


def fmt_num(v: object) -> str:
    return f"{v:g}" if isinstance(v, float) else str(v)


def rel(a: float, b: float) -> str:
    return f"{a:.6g} (closed form: {b:.6g}, difference {a - b:+.2e})"


tabs = st.tabs(PARTS, key="part", bind="query-params")


# --------------------------------------------------------------------------- part 1


def part1() -> None:
    st.markdown(
        "The lecture's code: `X = torch.rand(100, 1) * 10`, "
        "`y_true = 3 * X + 2 + torch.randn(100, 1) * 0.5`, `w, b = torch.randn(1)`, "
        "`lr = 0.01`, 1000 epochs of full-batch gradient descent on "
        "`((y_pred - y_true)**2).mean()`. Same seed, same numbers."
    )
    c1, c2, c3 = st.columns(3)
    seed = c1.number_input(
        "Seed (torch.manual_seed)", 0, 2**31 - 1, 0, key="p1_seed", bind="query-params"
    )
    lr = c2.slider(
        "Learning rate α",
        0.001,
        0.040,
        0.010,
        0.001,
        format="%.3f",
        key="p1_lr",
        bind="query-params",
    )
    epochs = c3.slider(
        "Epochs",
        min(10, CAP),
        CAP,
        P1_EPOCHS,
        10 if CAP >= 20 else 1,
        key="p1_epochs",
        bind="query-params",
    )
    problem, a = regression(int(seed))
    run = gd_run(int(seed), float(lr), int(epochs), None)
    theta0 = (problem.w0, problem.b0)

    if run.diverged:
        st.error(
            f"**Diverged.** α = {lr:.3f} is above the critical learning rate "
            f"2/λ_max = {a.critical_lr:.4f}: along the steep direction each epoch multiplies "
            f"the error by |1 − αλ_max| = {abs(1 - lr * a.lambda_max):.3f} > 1. The run was "
            f"stopped at epoch {run.diverged_at} ({run.stop_reason}); the path is shown up to "
            f"there. Lower α below {a.critical_lr:.4f} to converge.",
            icon=":material/warning:",
        )
    w_box, b_box = regression_box(int(seed))
    segs = regression_contours(int(seed))
    markers = pd.DataFrame(
        {
            "x": [a.w_star, problem.w0],
            "y": [a.b_star, problem.b0],
            "label": ["closed-form optimum", "start (random init)"],
        }
    )
    excess = a.excess_loss(run.path[:, 0], run.path[:, 1])
    pred = a.predicted_error(theta0, lr, np.arange(run.steps + 1)) + a.theta_star
    pred_excess = a.excess_loss(pred[:, 0], pred[:, 1])
    curves = pd.concat(
        [
            pd.DataFrame(
                {
                    "epoch": np.arange(run.steps + 1),
                    "J − J*": excess,
                    "curve": "gradient descent (this run)",
                }
            ),
            pd.DataFrame(
                {
                    "epoch": np.arange(run.steps + 1),
                    "J − J*": pred_excess,
                    "curve": "prediction (I − αH)ᵗ(θ₀ − θ*)",
                }
            ),
        ]
    )
    curves = curves.iloc[
        np.concatenate(
            [L.thin_indices(run.steps + 1, 500), run.steps + 1 + L.thin_indices(run.steps + 1, 500)]
        )
    ]

    fast = 1 - lr * a.lambda_max
    if run.diverged:
        path_story = (
            f"Here the steep direction's factor 1 − αλ_max = {fast:.3f} is below −1: every epoch "
            "jumps across the valley farther than the last, and the path leaves the frame."
        )
        slope_story = (
            f"here it rises, set by the steep direction: |1 − αλ_max|^(2t) = {abs(fast):.3f}^(2t)."
        )
    else:
        path_story = (
            "The path zig-zags across the valley at first (the steep direction's factor "
            f"1 − αλ_max = {fast:.3f} is negative) and then creeps along it."
            if fast < 0
            else "The path drops straight into the valley (the steep direction's factor "
            f"1 − αλ_max = {fast:.3f} is positive) and then creeps along it."
        )
        slope_story = (
            "after the first epochs its slope is set by the slow direction, "
            "$(1-\\alpha\\lambda_{min})^{2t}$."
        )

    def draw(k: int) -> None:
        w, b = run.path[k]
        left, right = st.columns(2)
        with left:
            st.altair_chart(
                fit_chart(
                    problem.x,
                    problem.y,
                    {
                        f"fit after {k} epochs": (w, b),
                        "least squares (closed form)": (a.w_star, a.b_star),
                        "true line y = 3x + 2": (problem.true_w, problem.true_b),
                    },
                ),
                width="stretch",
            )
            st.caption(
                f"The data and the line $y = {w:.4f}\\,x {b:+.4f}$ after {k} epochs. "
                "Dashed: the closed-form least-squares line (the best any line can do "
                "on these 100 points) and the true line the data were drawn from."
            )
        with right:
            st.altair_chart(
                contour_map(
                    segs,
                    (w_box, b_box),
                    paths=path_frame({"gradient descent": run.path}, upto=k),
                    markers=markers,
                    x_title="w",
                    y_title="b",
                    level_title="J(w, b)",
                    height=320,
                ),
                width="stretch",
            )
            st.caption(
                "Contours of the exact loss $J(w, b)$ and the path of $(w, b)$. The ellipses "
                "are long and thin: the loss is steep in one direction and nearly flat in the "
                f"other. {path_story}"
            )
        st.altair_chart(
            loss_chart(
                curves,
                "epoch",
                "J − J*",
                color="curve",
                dash="curve",
                rule_x=k,
                x_title="epoch",
                y_title="J(w, b) − J*  (log scale)",
                height=260,
            ),
            width="stretch",
        )
        st.caption(
            "Excess loss above the optimum $J^*$, log axis. A straight line means a constant "
            f"factor per epoch; {slope_story} The dashed curve is the exact prediction "
            "from the Hessian, computed without running anything."
        )

    player("p1", run.steps, draw, "Epoch")

    # ------- numbers, with their references
    wT, bT = run.final
    dist = float(np.hypot(wT - a.w_star, bT - a.b_star))
    m1, m2, m3, m4 = st.columns(4)
    m1.metric(
        f"w after {run.steps} epochs", num(wT), f"{wT - a.w_star:+.2e} vs w*", delta_color="off"
    )
    m2.metric(
        f"b after {run.steps} epochs", num(bT), f"{bT - a.b_star:+.2e} vs b*", delta_color="off"
    )
    m3.metric(
        "J after the run",
        f"{run.loss[-1]:.6g}" if run.loss[-1] < 1e6 else f"{run.loss[-1]:.3e}",
        f"{run.loss[-1] - a.loss_star:+.2e} vs J*",
        delta_color="off",
    )
    m4.metric(
        "Critical α = 2/λ_max",
        f"{a.critical_lr:.5f}",
        "α below: converges" if lr < a.critical_lr else "α above: diverges",
        delta_color="normal" if lr < a.critical_lr else "inverse",
    )
    st.caption(
        f"Closed-form least squares (`numpy.linalg.lstsq`): w* = {a.w_star:.6f}, "
        f"b* = {a.b_star:.6f}, J* = {a.loss_star:.6f}. The data were drawn with w = 3, b = 2, "
        "noise 0.5: the optimum for *these* 100 points is close to, not equal to, 3 and 2."
    )

    h = a.hessian
    slow = a.eigenvectors[:, 0]
    rate = a.rate(lr)
    need = a.steps_to_reach(theta0, lr, 1e-3)
    need_best = a.steps_to_reach(theta0, a.best_lr, 1e-3)
    comp = a.error_components(theta0)
    with st.container(border=True):
        st.markdown("**Why it takes so long, and where α breaks — computed for this data**")
        st.markdown(
            f"- The loss is quadratic in $(w, b)$, with constant Hessian "
            f"$H = \\frac{{2}}{{n}}\\begin{{pmatrix}}\\sum x^2 & \\sum x\\\\ \\sum x & n"
            f"\\end{{pmatrix}} = \\begin{{pmatrix}}{h[0, 0]:.3f} & {h[0, 1]:.3f}\\\\ "
            f"{h[1, 0]:.3f} & {h[1, 1]:.3f}\\end{{pmatrix}}$, eigenvalues "
            f"$\\lambda_{{min}} = {a.lambda_min:.4f}$, $\\lambda_{{max}} = {a.lambda_max:.3f}$ "
            f"(condition number {a.condition:.1f}).\n"
            f"- Full-batch gradient descent multiplies the error along each eigenvector by "
            f"$1 - \\alpha\\lambda$ per epoch. It diverges once $|1 - \\alpha\\lambda_{{max}}| > 1$, "
            f"i.e. for $\\alpha > 2/\\lambda_{{max}} = {a.critical_lr:.5f}$.\n"
            f"- At α = {lr:.3f} the fast direction shrinks by "
            f"{abs(1 - lr * a.lambda_max):.4f} per epoch, the slow one only by "
            f"{abs(1 - lr * a.lambda_min):.5f}. The slow eigenvector is "
            f"({slow[0]:+.3f}, {slow[1]:+.3f}) in (w, b): mostly the "
            f"**{'intercept b' if abs(slow[1]) > abs(slow[0]) else 'slope w'}**. "
            f"It is slow because x is not centred (mean x = {problem.x.mean():.2f}): "
            f"centred data would give eigenvalues {a.centred_eigenvalues[0]:.3f} and "
            f"{a.centred_eigenvalues[1]:.3f} (condition number {a.centred_condition:.1f}).\n"
            + (
                f"- The initial error along the slow direction is {abs(comp[0]):.3f}; after "
                f"{run.steps} epochs it is {abs(comp[0]) * abs(1 - lr * a.lambda_min) ** run.steps:.2e} "
                f"(factor {abs(1 - lr * a.lambda_min):.5f}^{run.steps}). Distance of (w, b) "
                f"to the optimum: **{dist:.2e}** (run) vs "
                f"{float(np.hypot(*a.predicted_error(theta0, lr, run.steps))):.2e} (prediction).\n"
                f"- Epochs needed to get within 10⁻³ of the optimum at this α: "
                f"**{need}**; at the best α = 2/(λ_min + λ_max) = {a.best_lr:.5f}: {need_best}."
                if rate < 1 and not run.diverged
                else f"- At this α the spectral radius max|1 − αλ| = {rate:.3f} ≥ 1: no "
                "convergence."
            )
        )
    lecture = gd_run(int(seed), 0.01, 1000, None)
    lw, lb = lecture.final
    slow_name = "intercept-heavy" if abs(slow[1]) > abs(slow[0]) else "slope-heavy"
    lecture_need = a.steps_to_reach(theta0, 0.01, 1e-3)
    if abs(lr - 0.01) < 1e-12 and run.steps == 1000 and not run.diverged:
        note = (
            f"With the lecture's settings (α = 0.01, 1000 epochs, seed {seed}) "
            f"gradient descent ends at w = {lw:.4f}, b = {lb:.4f}: w is within "
            f"{abs(lw - a.w_star):.1e} of w* = {a.w_star:.4f} but b is still "
            f"{abs(lb - a.b_star):.1e} away from b* = {a.b_star:.4f}, because the slow, "
            f"{slow_name} direction shrinks by only {1 - 0.01 * a.lambda_min:.5f} per epoch; "
            f"{lecture_need} epochs are needed to get within 10⁻³ of (w*, b*)."
        )
    elif run.diverged:
        note = (
            f"At α = {lr:.3f}, above 2/λ_max = {a.critical_lr:.4f}, the steep direction's "
            f"error is multiplied by {abs(fast):.3f} every epoch, so the run blew up and was "
            f"stopped at epoch {run.diverged_at}. With the lecture's α = 0.01 the same "
            f"start ends 1000 epochs later at w = {lw:.4f}, b = {lb:.4f} "
            f"(w* = {a.w_star:.4f}, b* = {a.b_star:.4f})."
        )
    else:
        if dist <= 1e-3:
            reach = "it is already within 10⁻³ of (w*, b*)"
        elif need is None:
            reach = "at this α it never gets within 10⁻³ of (w*, b*)"
        else:
            reach = (
                f"{need} epochs are needed to get within 10⁻³ of (w*, b*), "
                f"{need - run.steps} more than this run"
            )
        note = (
            f"At α = {lr:.3f}, after {run.steps} epochs, gradient descent ends at "
            f"w = {wT:.4f}, b = {bT:.4f}: {abs(wT - a.w_star):.1e} from w* = {a.w_star:.4f} "
            f"and {abs(bT - a.b_star):.1e} from b* = {a.b_star:.4f}. The slow, {slow_name} "
            f"direction shrinks by {abs(1 - lr * a.lambda_min):.5f} per epoch; {reach}. "
            f"For comparison, the lecture's settings (α = 0.01, 1000 epochs) end "
            f"{float(np.hypot(lw - a.w_star, lb - a.b_star)):.1e} from the optimum and need "
            f"{lecture_need} epochs."
        )
    st.info(f"**What you see.** {note}", icon=":material/lightbulb:")
    share_link(
        [
            ("part", PARTS[0], str),
            ("p1_seed", 0, fmt_num),
            ("p1_lr", 0.010, fmt_num),
            ("p1_epochs", P1_EPOCHS, fmt_num),
        ]
    )


# --------------------------------------------------------------------------- part 2

MODES = ["batch", "stochastic", "mini-batch"]


def part2() -> None:
    st.markdown(
        "Same data, three ways to estimate the gradient: the whole data set per step "
        "(**batch**), one shuffled point per step (**stochastic**, SGD) or a shuffled batch "
        "(**mini-batch**, 32 on the lecture's training-loop slide). Batches come in exactly "
        "the order of `DataLoader(..., shuffle=True, generator=torch.Generator().manual_seed(seed))`."
    )
    c1, c2, c3, c4 = st.columns(4)
    seed = c1.number_input("Seed", 0, 2**31 - 1, 0, key="p2_seed", bind="query-params")
    lr = c2.slider(
        "Learning rate α",
        0.001,
        0.050,
        0.010,
        0.001,
        format="%.3f",
        key="p2_lr",
        bind="query-params",
    )
    epochs = c3.slider(
        "Epochs", 1, max(2, min(500, CAP)), P2_EPOCHS, key="p2_epochs", bind="query-params"
    )
    batch = c4.number_input("Mini-batch size", 2, 99, 32, key="p2_batch", bind="query-params")
    problem, a = regression(int(seed))
    runs = {
        "batch": gd_run(int(seed), float(lr), int(epochs), None),
        "stochastic": gd_run(int(seed), float(lr), int(epochs), 1),
        "mini-batch": gd_run(int(seed), float(lr), int(epochs), int(batch)),
    }
    labels = {
        "batch": "batch (100/step)",
        "stochastic": "SGD (1/step)",
        "mini-batch": f"mini-batch ({int(batch)}/step)",
    }
    curv = problem.sample_curvatures()
    steep = int(np.argmax(curv))
    for mode, r in runs.items():
        if r.diverged:
            st.error(
                f"**{labels[mode]} diverged** at step {r.diverged_at} "
                f"(epoch {r.diverged_at / r.steps_per_epoch:.2f}): {r.stop_reason}. Its path is "
                f"shown up to there. Full batch is stable below α = 2/λ_max = "
                f"{a.critical_lr:.4f}. Single points are much steeper: the point x = "
                f"{problem.x[steep]:.2f} alone has curvature 2(1 + x²) = {curv[steep]:.1f}, so a "
                f"step on it overshoots for α > {2 / curv[steep]:.4f}; the smaller the batch, the "
                "more such steps.",
                icon=":material/warning:",
            )
    w_box, b_box = regression_box(int(seed))
    segs = regression_contours(int(seed))
    markers = pd.DataFrame({"x": [a.w_star], "y": [a.b_star], "label": ["closed-form optimum"]})
    names = [labels[m] for m in MODES]
    epoch_frames, eval_frames = [], []
    for mode, r in runs.items():
        el = r.epoch_loss
        ex = a.excess_loss(r.path[:, 0], r.path[:, 1])
        epoch_frames.append(
            pd.DataFrame(
                {
                    "epoch": np.arange(el.size),
                    "J − J*": ex[:: r.steps_per_epoch][: el.size],
                    "mode": labels[mode],
                }
            )
        )
        idx = L.thin_indices(r.steps + 1, 600)
        eval_frames.append(
            pd.DataFrame(
                {
                    "gradient evaluations": r.grad_evals[idx],
                    "J − J*": ex[idx],
                    "mode": labels[mode],
                }
            )
        )
    by_epoch = pd.concat(epoch_frames, ignore_index=True)
    by_evals = pd.concat(eval_frames, ignore_index=True)
    done = max(r.epochs_done for r in runs.values())

    def draw(e: int) -> None:
        paths = {
            labels[m]: r.path[: min(e * r.steps_per_epoch, r.steps) + 1] for m, r in runs.items()
        }
        left, right = st.columns(2)
        with left:
            st.altair_chart(
                contour_map(
                    segs,
                    (w_box, b_box),
                    paths=path_frame(paths, max_points=800),
                    markers=markers,
                    x_title="w",
                    y_title="b",
                    level_title="J(w, b)",
                    series_order=names,
                    height=380,
                ),
                width="stretch",
            )
            st.caption(
                f"The three paths after {e} epochs on the contours of $J(w, b)$. Batch glides; "
                "SGD takes 100 noisy steps per epoch and never settles (each step follows one "
                "point's gradient); mini-batch is in between."
            )
        with right:
            st.altair_chart(
                loss_chart(
                    by_epoch,
                    "epoch",
                    "J − J*",
                    color="mode",
                    rule_x=e,
                    x_title="epoch",
                    y_title="J − J* (log)",
                    series_order=names,
                    height=170,
                    legend=False,
                ),
                width="stretch",
            )
            st.altair_chart(
                loss_chart(
                    by_evals,
                    "gradient evaluations",
                    "J − J*",
                    color="mode",
                    x_title="per-sample gradient evaluations",
                    y_title="J − J* (log)",
                    series_order=names,
                    height=170,
                    legend=False,
                ),
                width="stretch",
            )
            st.caption(
                "Excess loss $J - J^*$ on all 100 points (log axis; $J^*$ from the closed "
                "form). Top: per epoch (same number of passes over the data). Bottom: against "
                "the work done, counted in per-sample gradients (one epoch = 100). Colours as "
                "on the left."
            )

    player("p2", done, draw, "Epoch")

    rows = []
    target = 1.05 * a.loss_star
    for mode, r in runs.items():
        hit = np.nonzero(r.loss <= target)[0]
        last_epoch = r.loss[-(r.steps_per_epoch + 1) :] if r.steps >= r.steps_per_epoch else r.loss
        rows.append(
            {
                "mode": labels[mode],
                "steps": r.steps,
                "final w": r.final[0],
                "final b": r.final[1],
                "final J": r.loss[-1],
                "J − J* (last epoch, mean)": float(np.mean(last_epoch)) - a.loss_star,
                "gradient evals until first J ≤ 1.05 J*": int(r.grad_evals[hit[0]])
                if hit.size
                else None,
                "diverged at step": r.diverged_at,
            }
        )
    table = pd.DataFrame(rows)
    st.dataframe(table, hide_index=True, width="stretch")
    st.caption(
        f"Reference: closed-form optimum w* = {a.w_star:.5f}, b* = {a.b_star:.5f}, "
        f"J* = {a.loss_star:.5f}."
    )
    fin = {m: runs[m].loss[-1] for m in MODES if not runs[m].diverged}
    if fin:
        best = min(fin, key=fin.get)
        sgd = runs["stochastic"]
        note = (
            f"**What you see.** After {int(epochs)} epochs at α = {lr:.3f} the lowest loss is "
            f"{labels[best]}'s, J = {fin[best]:.5f} (J* = {a.loss_star:.5f}). "
        )
        if not sgd.diverged:
            floor = rows[1]["J − J* (last epoch, mean)"]
            note += (
                f"SGD made {sgd.steps} steps but, with a constant α, keeps jittering around the "
                f"optimum: over its last epoch J is on average {floor:.2e} above J*. "
            )
        hits = {
            r["mode"]: r["gradient evals until first J ≤ 1.05 J*"]
            for r in rows
            if r["gradient evals until first J ≤ 1.05 J*"] is not None
        }
        if hits:
            fastest = min(hits, key=hits.get)
            note += (
                f"Measured in work, {fastest} is the first to touch J ≤ 1.05 J* "
                f"({hits[fastest]} per-sample gradients)"
                + (
                    ", whereas batch gradient descent has not got there yet."
                    if "batch" in runs and labels["batch"] not in hits
                    else "."
                )
            )
        st.info(note, icon=":material/lightbulb:")
    share_link(
        [
            ("part", PARTS[0], str),
            ("p2_seed", 0, fmt_num),
            ("p2_lr", 0.010, fmt_num),
            ("p2_epochs", P2_EPOCHS, fmt_num),
            ("p2_batch", 32, fmt_num),
        ]
    )


# --------------------------------------------------------------------------- part 3

OPT_KEYS = list(L.OPTIMIZERS)
HP_LABELS = {"lr": "lr", "momentum": "momentum", "alpha": "alpha"}


def hp_widgets() -> list[tuple[str, str, float, float, float, str]]:
    """(widget key, label, default, min, max, format) for every exposed hyper-parameter."""
    out = []
    for k, spec in L.OPTIMIZERS.items():
        d = spec.defaults()
        out.append((f"hp_{k}_lr", f"{spec.label}: lr", float(d["lr"]), 1e-5, 10.0, "%.4f"))
        if "momentum" in d:
            lo = 0.01 if k == "nesterov" else 0.0
            out.append(
                (
                    f"hp_{k}_momentum",
                    f"{spec.label}: momentum",
                    float(d["momentum"]),
                    lo,
                    0.999,
                    "%.3f",
                )
            )
        if "alpha" in d:
            out.append(
                (f"hp_{k}_alpha", f"{spec.label}: alpha", float(d["alpha"]), 0.0, 0.9999, "%.4f")
            )
        if "betas" in d:
            out.append(
                (f"hp_{k}_beta1", f"{spec.label}: β₁", float(d["betas"][0]), 0.0, 0.9999, "%.4f")
            )
            out.append(
                (f"hp_{k}_beta2", f"{spec.label}: β₂", float(d["betas"][1]), 0.0, 0.9999, "%.4f")
            )
    return out


HP = hp_widgets()
SURF_KEYS = list(L.SURFACES)
DEFAULT_SURFACE = "rosenbrock"


def on_surface_change() -> None:
    surf = make_surface(st.session_state["surface"], float(st.session_state.get("kappa", 10.0)))
    st.session_state["x0"], st.session_state["y0"] = surf.start


def apply_preset(key: str) -> None:
    p = L.PRESETS[key]
    st.session_state["surface"] = p.surface
    if "condition" in p.params:
        st.session_state["kappa"] = float(p.params["condition"])
    st.session_state["x0"], st.session_state["y0"] = p.start
    st.session_state["steps"] = p.steps
    st.session_state["opts"] = list(p.optimizers)
    for wkey, _, default, *_ in HP:
        st.session_state[wkey] = default
    for opt, hyper in p.optimizers.items():
        for name, value in hyper.items():
            st.session_state[f"hp_{opt}_{name}"] = float(value)
    st.session_state["p3_step"] = 0  # replay from the start
    st.session_state.pop("p3_clock", None)
    st.session_state["p3_last"] = p.steps
    st.session_state["p3_playing"] = True


def stuck_note(surf: L.Surface2D, runs: list[L.Trajectory]) -> str:
    """Which runs stopped where the gradient vanishes but no known minimum is."""
    stuck = [r for r in runs if r.loss[-1] > (surf.f_min or 0) + 1e-6 and surf.stuck_at(r.final)]
    if not stuck or not surf.minima:
        return ""
    r = stuck[0]
    return (
        f" {', '.join(t.label for t in stuck)} stopped where the gradient is ≈ 0 but "
        f"f = {r.loss[-1]:.4g} > {surf.f_min:g} (at ({r.final[0]:.3g}, {r.final[1]:.3g}) for "
        f"{r.label}): a local minimum, not the global one."
    )


def part3() -> None:
    st.markdown(
        "Each path below is a real `torch.optim` optimizer (`zero_grad`, `backward`, `step`) "
        "on one 2-D parameter, from the same start. Hyper-parameters start at PyTorch's "
        "defaults (momentum 0.9 for the two momentum methods, whose torch default 0 would be "
        "plain SGD). Or load a classic picture:"
    )
    b1, b2 = st.columns(2)
    for col, (pk, preset) in zip((b1, b2), L.PRESETS.items(), strict=True):
        col.button(
            preset.title,
            key=f"preset_{pk}",
            on_click=apply_preset,
            args=(pk,),
            width="stretch",
            icon=":material/movie:",
        )
    c1, c2, c3, c4 = st.columns([2, 1, 1, 2])
    key = c1.selectbox(
        "Surface",
        SURF_KEYS,
        index=SURF_KEYS.index(DEFAULT_SURFACE),
        format_func=L.SURFACES.get,
        key="surface",
        on_change=on_surface_change,
        bind="query-params",
    )
    kappa = 10.0
    if key == "quadratic":
        kappa = c1.slider(
            "Condition number κ", 1.0, 200.0, 10.0, 1.0, key="kappa", bind="query-params"
        )
    default_start = L.surface(DEFAULT_SURFACE).start
    x0 = c2.number_input(
        "start x", -100.0, 100.0, default_start[0], 0.1, key="x0", bind="query-params"
    )
    y0 = c3.number_input(
        "start y", -100.0, 100.0, default_start[1], 0.1, key="y0", bind="query-params"
    )
    steps = c4.slider(
        "Steps",
        min(10, CAP),
        max(min(2000, CAP), 11),
        P3_STEPS,
        10 if CAP >= 20 else 1,
        key="steps",
        bind="query-params",
    )
    opts = st.multiselect(
        "Optimizers",
        OPT_KEYS,
        default=OPT_KEYS,
        format_func=lambda k: L.OPTIMIZERS[k].label,
        key="opts",
        bind="query-params",
    )
    with st.expander("Hyper-parameters (PyTorch's defaults until you change them)"):
        cols = st.columns(4)
        for i, (wkey, label, default, lo, hi, fmt) in enumerate(HP):
            cols[i % 4].number_input(
                label, lo, hi, default, step=None, format=fmt, key=wkey, bind="query-params"
            )
    if not opts:
        st.warning("Pick at least one optimizer above to start the race.")
        return
    surf = make_surface(key, float(kappa))
    settings = []
    for k in opts:
        d = L.OPTIMIZERS[k].defaults()
        hyper = {"lr": float(st.session_state[f"hp_{k}_lr"])}
        if "momentum" in d:
            hyper["momentum"] = float(st.session_state[f"hp_{k}_momentum"])
        if "alpha" in d:
            hyper["alpha"] = float(st.session_state[f"hp_{k}_alpha"])
        if "betas" in d:
            hyper["betas"] = (
                float(st.session_state[f"hp_{k}_beta1"]),
                float(st.session_state[f"hp_{k}_beta2"]),
            )
        settings.append((k, tuple(sorted(hyper.items()))))
    for preset in L.PRESETS.values():
        params = {"condition": float(kappa)} if key == "quadratic" else {}
        chosen = {k: dict(h) for k, h in settings}
        if L.preset_matches(preset, key, params, (x0, y0), int(steps), chosen):
            st.info(f"**{preset.title}.** {preset.what}", icon=":material/movie:")
    with st.spinner("Running the optimizers ..."):
        runs = race_run(key, float(kappa), (float(x0), float(y0)), int(steps), tuple(settings))
    for r in runs:
        if r.diverged:
            st.error(
                f"**{r.label}** (lr = {r.hyper['lr']:g}) diverged at step {r.diverged_at}: "
                f"{r.stop_reason}. Its path stops there; lower its learning rate.",
                icon=":material/warning:",
            )
    segs = surface_contours(key, float(kappa))
    names = [r.label for r in runs]
    mk = pd.DataFrame(
        {
            "x": [m[0] for m in surf.minima] + [c[0] for c in surf.critical_points],
            "y": [m[1] for m in surf.minima] + [c[1] for c in surf.critical_points],
            "label": ["minimum"] * len(surf.minima) + ["saddle point"] * len(surf.critical_points),
        }
    )
    log = surf.f_min is not None and surf.f_min >= 0
    loss_frames = []
    for r in runs:
        idx = L.thin_indices(r.path.shape[0], 600)
        loss_frames.append(pd.DataFrame({"step": idx, "f": r.loss[idx], "optimizer": r.label}))
    losses = pd.concat(loss_frames, ignore_index=True)

    def draw(k: int) -> None:
        left, right = st.columns([3, 2])
        with left:
            st.altair_chart(
                contour_map(
                    segs,
                    surf.domain,
                    paths=path_frame({r.label: r.path for r in runs}, upto=k),
                    markers=mk,
                    log_levels=surf.log_levels,
                    level_title="f",
                    series_order=names,
                    height=440,
                ),
                width="stretch",
            )
            st.caption(
                f"{surf.name}: ${surf.latex}$. Paths after {k} steps from "
                f"({float(x0):g}, {float(y0):g}); crosses mark the known minima. A path that "
                "leaves the frame is still running (or diverged: see the message above)."
            )
        with right:
            st.altair_chart(
                loss_chart(
                    losses,
                    "step",
                    "f",
                    color="optimizer",
                    log=log,
                    rule_x=k,
                    x_title="step",
                    y_title="f (log scale)" if log else "f",
                    series_order=names,
                    height=440,
                    legend=False,
                ),
                width="stretch",
            )
            st.caption(
                "The value of the surface along each path (colours as on the left); the grey "
                "line is the "
                "animation's current step."
            )

    player("p3", int(steps), draw, "Step")

    rows = []
    for r in runs:
        near = surf.nearest_minimum(r.final)
        rows.append(
            {
                "optimizer": r.label,
                "hyper-parameters": ", ".join(f"{k}={v}" for k, v in r.hyper.items()),
                "final x": r.final[0],
                "final y": r.final[1],
                "final f": r.loss[-1],
                "nearest known minimum": f"({near[0][0]:g}, {near[0][1]:g})" if near else "—",
                "distance to it": near[1] if near else None,
                "path length": float(np.hypot(*np.diff(r.path, axis=0).T).sum()),
                "diverged at step": r.diverged_at,
            }
        )
    st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch")
    st.caption(f"Known minima: {surf.reference}.")
    ok = [r for r in runs if not r.diverged]
    if ok and surf.minima:
        best = min(ok, key=lambda r: surf.nearest_minimum(r.final)[1])
        worst = max(ok, key=lambda r: surf.nearest_minimum(r.final)[1])
        st.info(
            f"**What you see.** After {int(steps)} steps {best.label} is closest to a known "
            f"minimum ({surf.nearest_minimum(best.final)[1]:.2e} away, f = {best.loss[-1]:.3g}); "
            f"{worst.label} is farthest ({surf.nearest_minimum(worst.final)[1]:.2e}, "
            f"f = {worst.loss[-1]:.3g})."
            + "".join(
                f" {row['optimizer']} travelled only {row['path length']:.3g} in total: with "
                f"lr = {r.hyper['lr']:g} its steps are tiny here."
                for r, row in zip(runs, rows, strict=True)
                if not r.diverged and row["path length"] < 0.05 * surf.nearest_minimum(r.path[0])[1]
            )
            + stuck_note(surf, ok)
            + (f" {len(runs) - len(ok)} optimizer(s) diverged." if len(ok) < len(runs) else ""),
            icon=":material/lightbulb:",
        )
    elif ok:
        far = max(ok, key=lambda r: float(np.hypot(*r.final)))
        st.info(
            f"**What you see.** The saddle has no minimum, so no optimizer can converge: "
            f"after {int(steps)} steps {far.label} is farthest from the saddle point, at "
            f"({far.final[0]:.3g}, {far.final[1]:.3g}) with f = {far.loss[-1]:.3g}, and f keeps "
            "falling along the y direction.",
            icon=":material/lightbulb:",
        )
    share_link(
        [
            ("part", PARTS[0], str),
            ("surface", DEFAULT_SURFACE, L.SURFACES.get),
            ("kappa", 10.0, fmt_num),
            ("x0", default_start[0], fmt_num),
            ("y0", default_start[1], fmt_num),
            ("steps", P3_STEPS, fmt_num),
            ("opts", OPT_KEYS, lambda k: L.OPTIMIZERS[k].label),
        ]
        + [(w, d, fmt_num) for w, _, d, *_ in HP]
    )


if tabs[0].open:
    with tabs[0]:
        part1()
if tabs[1].open:
    with tabs[1]:
        part2()
if tabs[2].open:
    with tabs[2]:
        part3()
