"""Gradient descent: the lecture's linear regression, batch vs SGD vs mini-batch, optimizers."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from nnkit import landscapes as L
from nnkit.landscapes import explain
from nnkit.landscapes.reproduce import lecture_script, modes_script, race_script
from nnkit.plots.landscapes import contour_map, fit_chart, loss_chart, marker_frame, path_frame
from nnkit.ui.charts import altair_chart
from nnkit.ui.course import page_title
from nnkit.ui.format import number
from nnkit.ui.policy import LIMITS
from nnkit.ui.reproduce import reproduce_panel
from nnkit.ui.router import ensure_router
from nnkit.ui.widgets import Setting, play_from_start, player, share_link

ensure_router()
st.title(page_title("pages/gradient_descent.py"))
st.markdown(
    "The lecture fits a line $y = w\\,x + b$ to 100 noisy points by gradient descent on the "
    "mean squared error $J(w, b)$, in PyTorch. Press **Play** to watch that descent on the "
    "surface $J(w, b)$ itself; the other tabs compare batch, stochastic and mini-batch descent "
    "and race PyTorch's optimizers, and the link at the bottom restores every setting."
)

# Tab labels are the share link's `part=` values: short, plain words, stable.
PARTS = ["Lecture example", "Batch vs SGD", "Optimizer race"]
CAP = int(LIMITS.max_epochs)  # fair-use cap on epochs / optimizer steps
P1_EPOCHS = min(1000, CAP)  # the lecture's 1000 epochs
P2_EPOCHS = min(50, CAP)
P3_STEPS = min(500, CAP)
HERE = "gradient_descent"  # the page's address when the browser's URL is unknown
WARN, IDEA = ":material/warning:", ":material/lightbulb:"
WB = {"x_title": "w", "y_title": "b", "level_title": "J(w, b)"}  # the (w, b) contour maps
QP, STEP = "query-params", 10 if CAP >= 20 else 1  # widgets bound to the URL; epoch step


def show(chart: object, caption: str) -> None:
    altair_chart(chart, width="stretch")
    st.caption(caption)


# --------------------------------------------------------------------------- cached results


@st.cache_data(max_entries=64, show_spinner=False)
def regression(seed: int) -> tuple[L.RegressionProblem, L.QuadraticAnalysis]:
    problem = L.lecture_problem(seed)
    return problem, L.analyse(problem)


@st.cache_data(max_entries=64, show_spinner=False)
def gd_run(seed: int, lr: float, epochs: int, batch_size: int | None) -> L.GDRun:
    problem, _ = regression(seed)
    return L.gradient_descent(problem, lr=lr, epochs=epochs, batch_size=batch_size, seed=seed)


@st.cache_data(max_entries=64, show_spinner=False)
def regression_contours(seed: int) -> pd.DataFrame:
    problem, a = regression(seed)
    return L.contours(L.loss_surface(problem, *L.view_box(problem, a), n=80), levels=14)


@st.cache_data(max_entries=32, show_spinner=False)
def surface_contours(key: str, kappa: float) -> pd.DataFrame:
    return make_surface(key, kappa).contours()


@st.cache_data(max_entries=64, show_spinner=False)
def race_run(key: str, kappa: float, start: tuple[float, float], steps: int, settings: tuple) -> list[L.Trajectory]:
    surf = make_surface(key, kappa)
    return L.race(surf, {k: dict(h) for k, h in settings}, start=start, steps=steps)


def make_surface(key: str, kappa: float) -> L.Surface2D:
    return L.surface(key, condition=kappa) if key == "quadratic" else L.surface(key)


tabs = st.tabs(PARTS, key="part", bind=QP)


# --------------------------------------------------------------------------- part 1


def part1() -> None:
    st.markdown(
        "The lecture's code: `X = torch.rand(100, 1) * 10`, "
        "`y_true = 3 * X + 2 + torch.randn(100, 1) * 0.5`, `w, b = torch.randn(1)`, "
        "`lr = 0.01`, 1000 epochs of full-batch gradient descent on "
        "`((y_pred - y_true)**2).mean()`. Same seed, same numbers."
    )
    c1, c2, c3 = st.columns(3)
    seed = c1.number_input("Seed (torch.manual_seed)", 0, 2**31 - 1, 0, key="p1_seed", bind=QP)
    lr = c2.slider("Learning rate α", 0.001, 0.040, 0.010, 0.001, "%.3f", key="p1_lr", bind=QP)
    epochs = c3.slider("Epochs", min(10, CAP), CAP, P1_EPOCHS, STEP, key="p1_epochs", bind=QP)
    problem, a = regression(int(seed))
    run = gd_run(int(seed), float(lr), int(epochs), None)
    if run.diverged:
        st.error(explain.lecture_divergence(run, a), icon=WARN)
    box = L.view_box(problem, a)
    segs = regression_contours(int(seed))
    points = {"closed-form optimum": [a.theta_star], "start (random init)": [run.path[0]]}
    markers = marker_frame(points)
    curves = L.prediction_curves(run, a)
    path_story, slope_story = explain.lecture_stories(run, a)

    def draw(k: int) -> None:
        w, b = run.path[k]
        left, right = st.columns(2)
        with left:
            lines = {
                f"fit after {k} epochs": (w, b),
                "least squares (closed form)": (a.w_star, a.b_star),
                "true line y = 3x + 2": (problem.true_w, problem.true_b),
            }
            show(
                fit_chart(problem.x, problem.y, lines),
                f"The data and the line $y = {w:.4f}\\,x {b:+.4f}$ after {k} epochs. "
                "Dashed: the closed-form least-squares line (the best any line can do "
                "on these 100 points) and the true line the data were drawn from.",
            )
        with right:
            paths = path_frame({"gradient descent": run.path}, upto=k)
            show(
                contour_map(segs, box, paths=paths, markers=markers, height=320, **WB),
                "Contours of the exact loss $J(w, b)$ and the path of $(w, b)$. The ellipses "
                "are long and thin: the loss is steep in one direction and nearly flat in the "
                f"other. {path_story}",
            )
        titles = {"x_title": "epoch", "y_title": "J(w, b) − J*  (log scale)"}
        show(
            loss_chart(curves, "epoch", L.EXCESS, "curve", rule_x=k, dash="curve", height=260, **titles),
            "Excess loss above the optimum $J^*$, log axis. A straight line means a constant "
            f"factor per epoch; {slope_story} The dashed curve is the exact prediction "
            "from the Hessian, computed without running anything.",
        )

    player("p1", run.steps, draw, "Epoch")

    # ------- numbers, with their references
    (wT, bT), J = run.final, float(run.loss[-1])
    m1, m2, m3, m4 = st.columns(4)
    after = f"after {run.steps} epochs"
    m1.metric(f"w {after}", number(wT), f"{wT - a.w_star:+.2e} vs w*", delta_color="off")
    m2.metric(f"b {after}", number(bT), f"{bT - a.b_star:+.2e} vs b*", delta_color="off")
    J_text = f"{J:.6g}" if J < 1e6 else f"{J:.3e}"
    m3.metric("J after the run", J_text, f"{J - a.loss_star:+.2e} vs J*", delta_color="off")
    ok = lr < a.critical_lr
    verdict = "α below: converges" if ok else "α above: diverges"
    color = "normal" if ok else "inverse"
    m4.metric("Critical α = 2/λ_max", f"{a.critical_lr:.5f}", verdict, delta_color=color)
    st.caption(
        f"Closed-form least squares (`numpy.linalg.lstsq`): w* = {a.w_star:.6f}, "
        f"b* = {a.b_star:.6f}, J* = {a.loss_star:.6f}. The data were drawn with w = 3, b = 2, "
        "noise 0.5: the optimum for *these* 100 points is close to, not equal to, 3 and 2."
    )
    with st.container(border=True):
        st.markdown("**Why it takes so long, and where α breaks — computed for this data**")
        st.markdown(explain.why_slow(problem, a, run))
    lecture = gd_run(int(seed), explain.LECTURE_LR, explain.LECTURE_EPOCHS, None)
    note = explain.lecture_note(a, run, lecture, int(seed))
    st.info(f"**What you see.** {note}", icon=IDEA)
    reproduce_panel("p1", lecture_script, int(seed), float(lr), int(epochs))
    defaults = {"part": PARTS[0], "p1_seed": 0, "p1_lr": 0.010, "p1_epochs": P1_EPOCHS}
    share_link([Setting(k, v) for k, v in defaults.items()], fallback=HERE, key="p1_share")


# --------------------------------------------------------------------------- part 2


def part2() -> None:
    st.markdown(
        "Same data, three ways to estimate the gradient: the whole data set per step "
        "(**batch**), one shuffled point per step (**stochastic**, SGD) or a shuffled batch "
        "(**mini-batch**, 32 on the lecture's training-loop slide). Batches come in exactly "
        "the order of `DataLoader(..., shuffle=True, generator=torch.Generator().manual_seed(seed))`."
    )
    c1, c2, c3, c4 = st.columns(4)
    seed = c1.number_input("Seed", 0, 2**31 - 1, 0, key="p2_seed", bind=QP)
    lr = c2.slider(
        "Learning rate α",
        0.001,
        0.050,
        0.010,
        0.001,
        format="%.3f",
        key="p2_lr",
        bind=QP,
    )
    epochs = c3.slider("Epochs", 1, max(2, min(500, CAP)), P2_EPOCHS, key="p2_epochs", bind=QP)
    batch = c4.number_input("Mini-batch size", 2, 99, 32, key="p2_batch", bind=QP)
    problem, a = regression(int(seed))
    runs = {
        "batch (100/step)": gd_run(int(seed), float(lr), int(epochs), None),
        "SGD (1/step)": gd_run(int(seed), float(lr), int(epochs), 1),
        f"mini-batch ({int(batch)}/step)": gd_run(int(seed), float(lr), int(epochs), int(batch)),
    }
    for name, r in runs.items():
        if r.diverged:
            st.error(explain.mode_divergence(name, r, problem, a), icon=WARN)
    box = L.view_box(problem, a)
    segs = regression_contours(int(seed))
    markers = marker_frame({"closed-form optimum": [(a.w_star, a.b_star)]})
    names = list(runs)
    by_epoch = L.excess_loss_by_epoch(runs, a)
    by_evals = L.excess_loss_by_work(runs, a)

    def draw(e: int) -> None:
        paths = path_frame({name: r.path_after(e) for name, r in runs.items()}, max_points=800)
        left, right = st.columns(2)
        with left:
            show(
                contour_map(segs, box, paths, markers, series_order=names, height=380, **WB),
                explain.modes_paths(runs, problem, a, e),
            )
        with right:
            small = {
                "y_title": "J − J* (log)",
                "series_order": names,
                "height": 170,
                "legend": False,
            }
            chart = loss_chart(by_epoch, "epoch", L.EXCESS, "mode", rule_x=e, **small)
            altair_chart(chart, width="stretch")
            work = "per-sample gradient evaluations"
            show(
                loss_chart(by_evals, "gradient evaluations", L.EXCESS, "mode", x_title=work, **small),
                "Excess loss $J - J^*$ on all 100 points (log axis; $J^*$ from the closed "
                "form). Top: per epoch (same number of passes over the data). Bottom: against "
                "the work done, counted in per-sample gradients (one epoch = 100). Colours as "
                "on the left.",
            )

    player("p2", max(r.epochs_done for r in runs.values()), draw, "Epoch")

    st.dataframe(L.mode_table(runs, a), hide_index=True, width="stretch", placeholder="—")
    st.caption(f"Reference: closed-form optimum w* = {a.w_star:.5f}, b* = {a.b_star:.5f}, J* = {a.loss_star:.5f}.")
    note = explain.modes_note(runs, a)
    if note:
        st.info(f"**What you see.** {note}", icon=IDEA)
    reproduce_panel("p2", modes_script, int(seed), float(lr), int(epochs), int(batch))
    defaults = {
        "part": PARTS[0],
        "p2_seed": 0,
        "p2_lr": 0.010,
        "p2_epochs": P2_EPOCHS,
        "p2_batch": 32,
    }
    share_link([Setting(k, v) for k, v in defaults.items()], fallback=HERE, key="p2_share")


# --------------------------------------------------------------------------- part 3

OPT_KEYS = list(L.OPTIMIZERS)
SURF_KEYS = list(L.SURFACES)
DEFAULT_SURFACE = "rosenbrock"
HP = L.hyper_fields()  # one number input per hyper-parameter of each optimizer


def wkey(f: L.HyperField) -> str:
    return f"hp_{f.optimizer}_{f.name}"


def chosen_hyper(k: str) -> dict:
    """The hyper-parameters of optimizer ``k`` as its widgets say."""
    return L.hyper_from_fields(k, {f.name: st.session_state[wkey(f)] for f in HP if f.optimizer == k})


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
    for f in HP:
        st.session_state[wkey(f)] = f.default
    for opt, hyper in p.optimizers.items():
        for name, value in hyper.items():
            st.session_state[f"hp_{opt}_{name}"] = float(value)
    play_from_start("p3", p.steps)  # replay the picture from the start


def part3() -> None:
    st.markdown(
        "Each path below is a real `torch.optim` optimizer (`zero_grad`, `backward`, `step`) "
        "on one 2-D parameter, from the same start. Hyper-parameters start at PyTorch's "
        "defaults (momentum 0.9 for the two momentum methods, whose torch default 0 would be "
        "plain SGD). Or load a classic picture:"
    )
    for col, (pk, preset) in zip(st.columns(2), L.PRESETS.items(), strict=True):
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
        bind=QP,
    )
    kappa = 10.0
    if key == "quadratic":
        kappa = c1.slider("Condition number κ", 1.0, 200.0, 10.0, 1.0, key="kappa", bind=QP)
    x_start, y_start = L.surface(DEFAULT_SURFACE).start
    x0 = c2.number_input("start x", -100.0, 100.0, x_start, 0.1, key="x0", bind=QP)
    y0 = c3.number_input("start y", -100.0, 100.0, y_start, 0.1, key="y0", bind=QP)
    most = max(min(2000, CAP), 11)
    steps = c4.slider("Steps", min(10, CAP), most, P3_STEPS, STEP, key="steps", bind=QP)
    opts = st.multiselect(
        "Optimizers",
        OPT_KEYS,
        default=OPT_KEYS,
        format_func=lambda k: L.OPTIMIZERS[k].label,
        key="opts",
        bind=QP,
    )
    with st.expander("Hyper-parameters (PyTorch's defaults until you change them)"):
        cols = st.columns(4)
        for i, f in enumerate(HP):
            col = cols[i % 4]
            col.number_input(f.label, f.low, f.high, f.default, format=f.format, key=wkey(f), bind=QP)
    if not opts:
        st.warning("Pick at least one optimizer above to start the race.")
        return
    surf = make_surface(key, float(kappa))
    chosen = {k: chosen_hyper(k) for k in opts}
    params = {"condition": float(kappa)} if key == "quadratic" else {}
    for preset in L.PRESETS.values():
        if L.preset_matches(preset, key, params, (x0, y0), int(steps), chosen):
            st.info(f"**{preset.title}.** {preset.what}", icon=":material/movie:")
    settings = tuple((k, tuple(sorted(h.items()))) for k, h in chosen.items())
    with st.spinner("Running the optimizers ..."):
        runs = race_run(key, float(kappa), (float(x0), float(y0)), int(steps), settings)
    for r in runs:
        if r.diverged:
            st.error(explain.trajectory_divergence(r), icon=WARN)
    segs = surface_contours(key, float(kappa))
    names = [r.label for r in runs]
    markers = marker_frame({"minimum": surf.minima, "saddle point": surf.critical_points})
    log = surf.f_min is not None and surf.f_min >= 0
    losses = L.race_losses(runs)

    tall = {"series_order": names, "height": 440}
    levels = {"log_levels": surf.log_levels, "level_title": "f"}
    values = {"log": log, "x_title": "step", "y_title": "f (log scale)" if log else "f"}

    def draw(k: int) -> None:
        left, right = st.columns([3, 2])
        with left:
            paths = path_frame({r.label: r.path for r in runs}, upto=k)
            show(
                contour_map(segs, surf.domain, paths, markers, **levels, **tall),
                f"{surf.name}: ${surf.latex}$. Paths after {k} steps from "
                f"({float(x0):g}, {float(y0):g}); crosses mark the known minima. A path that "
                "leaves the frame is still running (or diverged: see the message above).",
            )
        with right:
            show(
                loss_chart(losses, "step", "f", "optimizer", rule_x=k, legend=False, **values, **tall),
                "The value of the surface along each path (colours as on the left); the grey "
                "line is the animation's current step.",
            )

    player("p3", int(steps), draw, "Step")

    # shorter headers: with the library's, the table was 1031 px in a 978 px column at
    # 1440 x 900 and cut its last column
    short = {
        "nearest known minimum": st.column_config.TextColumn("nearest minimum"),
        "distance to it": st.column_config.NumberColumn("distance", help="to the nearest minimum"),
        "diverged at step": st.column_config.NumberColumn("diverged at", help="the step, if it did"),
    }
    st.dataframe(L.race_table(surf, runs), hide_index=True, width="stretch", placeholder="—", column_config=short)
    st.caption(f"Known minima: {surf.reference}.")
    note = explain.race_note(surf, runs, int(steps))
    if note:
        st.info(f"**What you see.** {note}", icon=IDEA)
    reproduce_panel("p3", race_script, key, (x0, y0), int(steps), chosen, condition=float(kappa))
    share_link(
        [
            Setting("part", PARTS[0]),
            Setting("surface", DEFAULT_SURFACE, L.SURFACES.__getitem__),
            Setting("kappa", 10.0),
            Setting("x0", x_start),
            Setting("y0", y_start),
            Setting("steps", P3_STEPS),
            Setting("opts", OPT_KEYS, lambda k: L.OPTIMIZERS[k].label),
        ]
        + [Setting(wkey(f), f.default) for f in HP],
        fallback=HERE,
        key="p3_share",
    )


for tab, part in zip(tabs, (part1, part2, part3), strict=True):
    if tab.open:
        with tab:
            part()
