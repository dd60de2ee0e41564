"""Symbolic distillation: turn a trained network back into a formula (lecture 3)."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from nnkit._text import counted
from nnkit.expr import FormulaError
from nnkit.plots.symbolic import comparison_curves, comparison_maps, pareto_chart, structure_chart
from nnkit.reproduce.symbolic import symbolic_csv_script, symbolic_script
from nnkit.symbolic import check_equivalence, compare_functions, distill, percent, widen_domain
from nnkit.symbolic.targets import (
    DEFAULT_EPOCHS,
    FOURIER_DEFAULT,
    TARGETS,
    problem_from_fitting_target,
    resolve_target,
    train_target_network,
)
from nnkit.ui.charts import altair_chart
from nnkit.ui.course import page_title
from nnkit.ui.formula import formula_input
from nnkit.ui.long_run import remembered, remembered_run
from nnkit.ui.policy import LIMITS
from nnkit.ui.reproduce import reproduce_panel
from nnkit.ui.router import ensure_router

ensure_router()
st.title(page_title("pages/symbolic.py"))
st.markdown(
    "Lecture 3: a trained network is accurate **inside** its training domain and usually "
    "wrong outside it; *symbolic regression* finds a short formula that reproduces it, "
    "readable and, when it is the true law, able to **extrapolate**. The search builds "
    "formulas from a grammar, simplest first, lets the network's gradients split it into "
    "parts, and calls a formula **exact** only when it matches the data to their own noise."
)

SOURCES = {
    "trained": "a network trained on this page",
    "mlp": "the network from the MLP page",
    "csv": "a CSV file (data)",
}
METHODS = {
    "grammar": "grammar search (structure first)",
    "gplearn": "genetic programming (gplearn)",
    "both": "both, side by side",
}
SEARCH_SECONDS = 20.0  # the default search budget (the goal on this 2-core server)
PERCENT_COLUMN = {"relative error (%)": st.column_config.NumberColumn(format="%.2g")}  # 3.1, 2.4e-14


@st.cache_resource(max_entries=6, show_spinner=False)
def trained_network(
    key: str, formula_text: str, lo: float, hi: float, n: int, noise: float, epochs: int, fourier: bool, seed: int
):
    """Train (once per setting, shared: the result is a pure function of the arguments)."""
    return train_target_network(
        key, formula_text, lo, hi, n, noise, epochs, fourier, seed, max_seconds=LIMITS.max_train_seconds
    )


def run_search(data_key: tuple, source, domain, variables, accuracy, data, method: str, budget: float) -> dict:
    """Distil once per setting and session, with progress; Stop keeps the best so far (nnkit.ui.long_run)."""

    def work(progress, on_best):
        kw = dict(method=method, accuracy=accuracy, data=data, time_budget=budget, seed=0)
        return distill(source, domain, variables, progress=progress, on_best=on_best, **kw)

    return remembered_run(
        "sym_runs", (data_key, method, budget), work, label=METHODS[method], budget=budget,
        describe_best=lambda c: f"best so far: relative error {percent(c.nrmse)} — `{c.text[:90]}`",
    )  # fmt: skip


# ------------------------------------------------------------------------------ source
source_kind = st.radio("Distil", list(SOURCES), format_func=SOURCES.get, horizontal=True, key="sym_source")
truth = None  # Problem with the true law, when known
network = None  # callable X -> y of the network, when the source is a network
samples = None  # (X, y) for a data source
train_data = None  # (X, y) a network on this page was trained on: formulas are judged on them
accuracy, to_do = None, ""  # to_do: what Distil does before its search
domain = None
variables = None
data_key: tuple = ()

if source_kind == "trained":
    c1, c2 = st.columns([3, 2])
    key = c1.selectbox(
        "Target the network learns", list(TARGETS), format_func=lambda k: TARGETS[k][1], key="sym_target"
    )
    formula_text = ""
    lo, hi = -2.0, 2.0
    if key == "formula":
        formula = formula_input(
            "f(x, y) =", "x^2*exp(-x) + y/2", variables=("x", "y"), key="sym_formula",
            examples=["x^2*exp(-x) + y/2", "sin(x)*cos(y)", "x^3 - 2*x + 1", "exp(-x^2)*cos(3*x)", "3"],
        )  # fmt: skip
        if formula is None:
            reproduce_panel("sym", "the formula does not parse: fix it first.")
            st.stop()
        formula_text = formula.text
    if key in ("formula", "noise"):
        a, b = st.columns(2)
        lo = a.number_input("domain from", value=-2.0, key="sym_lo", format="%g")
        hi = b.number_input("to", value=2.0, key="sym_hi", format="%g")
        if not hi > lo:
            st.error("The domain needs *to* > *from*: change one of the two bounds.")
            st.stop()
    with c2:
        a, b, c, d = st.columns(4)
        n = a.number_input(
            "samples", 50, int(LIMITS.max_samples), 4000 if key == "rastrigin2" else 500, step=100, key=f"sym_n_{key}"
        )
        noise = b.number_input("noise (× std)", 0.0, 1.0, 0.0, step=0.01, key="sym_noise", format="%g")
        seed = c.number_input("seed", 0, 10_000, 0, key="sym_seed")
        epochs = d.number_input(
            "epochs", 10, int(LIMITS.max_epochs), DEFAULT_EPOCHS.get(key, 1500), step=100, key=f"sym_epochs_{key}"
        )
        fourier = st.checkbox(
            "Fourier-feature encoding",
            key in FOURIER_DEFAULT,
            key=f"sym_ff_{key}",
            help="Random Fourier-feature encoding of the input (helps with Rastrigin's bumps).",
        )
    try:
        problem = resolve_target(key, formula_text, lo, hi, int(seed))
    except (ValueError, FormulaError) as exc:
        st.error(f"This target cannot be trained on: {exc}. Change the formula or the domain.")
        st.stop()
    truth, domain = (problem if problem.truth is not None else None), problem.domain
    variables = [s.name for s in problem.symbols]
    data_key = ("trained", key, formula_text, lo, hi, int(n), float(noise), int(epochs), bool(fourier), int(seed))
    to_do = f"trains the network ({int(epochs)} epochs, {int(n)} samples, ≤ {LIMITS.max_train_seconds:g} s), then "

elif source_kind == "mlp":
    from nnkit.symbolic.networks import accuracy_from_loss, network_function
    from nnkit.ui.live_training import current_config, current_job

    job = current_job("mlp")
    config = current_config("mlp")
    if job is None or config is None or job.running or not len(job.snapshot().history):
        st.info(
            "No finished network from the **MLP fitting** page in this session yet. Train one there "
            "(Lecture 1 · MLP fitting: e.g. Rastrigin with the *Fourier features* preset), stop or let it "
            "finish, then come back: it appears here."
        )
        st.stop()
    name, box = config[0], config[1]
    snap = job.snapshot()
    model = job.model_at(snap)
    try:
        problem = problem_from_fitting_target(name, box)
    except ValueError as exc:
        st.error(f"{str(exc).capitalize()}.")
        st.stop()
    truth = problem if problem.truth is not None else None
    network = network_function(model)
    domain = problem.domain
    variables = [s.name for s in problem.symbols]
    mse = float(snap.history.train_loss[-1])
    accuracy = accuracy_from_loss(mse, network, domain)
    data_key = ("mlp", str(name), tuple(box), int(snap.epochs), int(snap.version))
    st.caption(
        f"The MLP page's network: {problem.name} on [{box[0]:g}, {box[1]:g}]"
        f"{'²' if len(domain) == 2 else ''}, {counted(snap.epochs, 'epoch')}, last training MSE {mse:.3g}."
    )

else:
    from nnkit.tabular import TabularError, load_csv

    up = st.file_uploader(f"CSV file (numbers; up to {LIMITS.max_upload_mb:g} MB)", type=["csv", "txt"], key="sym_csv")
    if up is None:
        st.info(
            "Upload a CSV with one or two input columns and one output column; the search runs on "
            "the data itself (no network)."
        )
        st.stop()
    try:
        table = load_csv(up.getvalue(), limits=LIMITS)
    except TabularError as exc:
        st.error(str(exc))
        st.stop()
    numeric = [c for c in table.frame.columns if pd.api.types.is_float_dtype(table.frame[c])]
    if len(numeric) < 2:
        st.error("The file needs at least two numeric columns (inputs and an output).")
        st.stop()
    a, b = st.columns(2)
    out_col = a.selectbox("output column", numeric, index=len(numeric) - 1, key="sym_csv_y")
    in_cols = b.multiselect(
        "input columns (1 or 2)",
        [c for c in numeric if c != out_col],
        default=[c for c in numeric if c != out_col][:1],
        key="sym_csv_x",
    )
    if not 1 <= len(in_cols) <= 2:
        st.warning("Choose one or two input columns.")
        st.stop()
    frame = table.frame[in_cols + [out_col]].dropna()
    if len(frame) < 10:
        st.error(f"Only {len(frame)} complete rows: the search needs at least 10.")
        st.stop()
    samples = (frame[in_cols].to_numpy(float), frame[out_col].to_numpy(float))
    variables = ["x"] if len(in_cols) == 1 else ["x", "y"]
    domain = tuple((float(frame[c].min()), float(frame[c].max())) for c in in_cols)
    if any(hi <= lo for lo, hi in domain):
        st.error("An input column is constant: choose inputs that vary.")
        st.stop()
    data_key = ("csv", table.sha256, tuple(in_cols), out_col)
    st.caption(
        f"{table.summary()} · inputs {', '.join(in_cols)} → x{', y' if len(in_cols) == 2 else ''}; "
        f"output {out_col}; {len(frame)} complete rows."
    )

# ------------------------------------------------------------------------------ search
a, b = st.columns([2, 1])
method = a.radio("Search", list(METHODS), format_func=METHODS.get, horizontal=True, key="sym_method")
budget = b.slider(
    "time budget (s)",
    2,
    30,
    int(SEARCH_SECONDS),
    key="sym_budget",
    help="The search stops here and keeps the best formula it has.",
)
methods = ["grammar", "gplearn"] if method == "both" else [method]
remembered_all = all(remembered("sym_runs", (data_key, m, float(budget))) for m in methods)
controls = st.empty()  # Distil, then Stop while it runs; cleared once the result is there
a, b = controls.container().columns([1, 4], vertical_alignment="center")
again = st.session_state.pop("sym_again_now", False)  # "Search again" was pressed: no second press
if not (remembered_all or again or a.button("Distil", type="primary", key="sym_go")):
    b.markdown(f"Distil {to_do}searches for a formula for up to {budget} s.")
    st.stop()
if not remembered_all:
    b.button("Stop the search", key="sym_stop", help="Stops the running search; the best formula so far is kept.")
if source_kind == "trained":
    try:
        with st.spinner(f"Training the network ({int(epochs)} epochs, once per setting)…"):
            net = trained_network(key, formula_text, float(lo), float(hi), *data_key[5:])  # n … seed
    except (ValueError, FormulaError) as exc:
        st.error(f"This target cannot be trained on: {exc}. Change the formula or the domain.")
        st.stop()
    network, accuracy, train_data = net, net.train_error, (net.X, net.y)
    st.caption(
        f"Network: {'Fourier features + ' if fourier else ''}MLP trained with nnkit.training on {int(n)} samples "
        f"({counted(net.epochs, 'epoch')}, {net.result.stop_message}); its relative training error "
        f"(RMSE / std) is {percent(accuracy)}. The search runs on the network; the formulas it finds are "
        "refitted and judged on the network's training samples."
    )
source = network if network is not None else samples
runs = {m: run_search(data_key, source, domain, variables, accuracy, train_data, m, float(budget)) for m in methods}
controls.empty()
stopped = {m: r for m, r in runs.items() if r["state"] == "stopped"}
failed = {m: r for m, r in runs.items() if r["state"] == "failed"}
for m, r in failed.items():
    st.error(f"The {METHODS[m]} gave no result: {r['error']}. Change the source or the time budget.")
if stopped:
    best = [r["best"] for r in stopped.values() if r["best"] is not None]
    st.warning(
        "The search was stopped before it finished."
        + (
            f" Best formula so far (relative error {percent(best[0].nrmse)}, not judged):"
            if best
            else " It had no formula yet."
        )
    )
    if best:
        st.latex(r"f \approx " + best[0].latex)
if (stopped or failed) and st.button("Search again", type="primary", key="sym_again"):
    for m in stopped | failed:
        st.session_state["sym_runs"].pop((data_key, m, float(budget)), None)
    st.session_state["sym_again_now"] = True  # the rerun searches without a second press
    st.rerun()
if stopped or len(failed) == len(runs):
    st.stop()
methods = [m for m in methods if m not in failed]
results = {m: runs[m]["result"] for m in methods}
res = results[methods[0]]

if res.status == "exact":
    st.success(res.message)
else:
    st.warning(("**No formula.** " if res.status in ("constant", "none") else "") + res.message)
st.latex(("f = " if res.status in ("exact", "constant") else r"f \approx ") + res.best.latex)
m1, m2, m3, m4 = st.columns(4)
m1.metric("complexity", res.best.complexity, help="Nodes of the expression tree.")
m2.metric(
    "relative error",
    percent(res.best.nrmse),
    help=f"RMSE / std on the {'training data' if res.info.get('judged_on') == 'data' else 'samples'}; "
    f"their noise level is {percent(res.info['noise'])} ({res.info['noise_source']}).",
)
m3.metric("search time", f"{res.seconds:.1f} s", help="Wall time on this (shared) server.")
m4.metric("formulas fitted", res.library_size, help="Distinct formulas the search fitted.")

structure = res.info.get("structure")
if structure is not None:
    st.markdown(
        f"**Structure read from the {'network' if network is not None else 'data (spline surrogate)'}:** "
        + (structure.summary() or "none of the tests holds: the search takes the whole problem.")
        if structure.reliable
        else f"**Structure:** not tested — the surrogate's error ({percent(structure.accuracy)}) is too large."
    )
    if structure.reliable:
        altair_chart(structure_chart(structure.table(), structure.tolerance), width="stretch")
        st.caption(
            "Each bar is a test on the surrogate (AI Feynman): e.g. f = g(x) + h(y) holds when "
            "∂²f/∂x∂y = 0. Green bars are below the dashed tolerance (set by the surrogate's own "
            "error) and hold; the search then works on the parts: "
            + ("; ".join(res.info.get("steps", [])) or "none applied")
            + "."
        )


def equivalence(expr):
    """check_equivalence, or None when the truth uses a function sympy cannot evaluate here."""
    try:
        return check_equivalence(expr, truth.truth, truth.domain)
    except ValueError:
        return None


eq = equivalence(res.best.expr) if truth is not None and res.status == "exact" else None
if eq is not None:
    if eq.equivalent:
        how = "sympy simplifies the difference to 0" if eq.symbolic else "numerically identical on the domain"
        st.markdown(
            f"**Exact recovery**: the formula equals the truth ${truth.truth}$ ({how}; "
            f"largest difference {eq.max_abs_diff:.1e} at {eq.n_points} test points).".replace("$", "`")
        )
    else:
        st.markdown(
            f"**Not the truth** (`{truth.truth}`): largest difference {eq.max_abs_diff:.3g} on the "
            "domain. A formula that fits the samples to their noise need not be the law."
        )

if len(methods) == 2:
    rows = [
        {
            "method": METHODS[m],
            "formula": r.best.text,
            "complexity": r.best.complexity,
            "relative error (%)": 100 * r.best.nrmse,
            "status": r.status,
            "seconds": r.seconds,
        }
        for m, r in results.items()
    ]
    if truth is not None:
        for row, r in zip(rows, results.values(), strict=True):
            e = equivalence(r.best.expr)
            row["equals the truth"] = None if e is None else e.equivalent
    st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch", column_config=PERCENT_COLUMN)

# ------------------------------------------------------------------------------ charts
cands = pd.DataFrame(
    {
        "complexity": [c.complexity for c in res.candidates],
        "nrmse": [c.nrmse for c in res.candidates],
        "formula": [c.text for c in res.candidates],
    }
)
altair_chart(pareto_chart(cands, res.front, threshold=res.info.get("threshold")), width="stretch")
st.caption(
    "Each grey dot is a formula the search fitted; the steps are the Pareto front (no simpler formula is "
    "more accurate), green where a formula is exact (below the dashed noise level). The red diamond is "
    "the choice: the simplest exact formula, else the best trade-off between error and complexity."
)

if len(domain) <= 2:
    window = widen_domain(domain)
    funcs = {}
    if truth is not None:
        funcs["truth"] = truth
    if network is not None:
        funcs["network"] = network
    funcs["formula"] = res.predict
    if len(methods) == 2:
        funcs["gplearn"] = results["gplearn"].predict
    reference = "truth" if truth is not None else ("network" if network is not None else "formula")
    if samples is not None:
        window = domain
    comp = compare_functions(funcs, domain, window, reference)
    if len(domain) == 1:
        dots = None if samples is None else pd.DataFrame({"x": samples[0][:, 0], "value": samples[1]})
        altair_chart(
            comparison_curves(
                comp.slice, domain[0], points=dots, title="The data (dots) and the formula" if dots is not None else ""
            ),
            width="stretch",
        )
    else:
        altair_chart(comparison_maps(comp.grid, domain, size=230 if len(funcs) <= 3 else 165), width="content")
        altair_chart(
            comparison_curves(comp.slice, domain[0], title=f"Slice at y = {0.5 * sum(domain[1]):g}"), width="stretch"
        )
    st.caption(
        f"Shaded / dashed box: the training domain; the plot extends to {window[0][0]:g} … {window[0][1]:g}. "
        "Where the curves part, the network or the formula leaves the truth."
        if samples is None
        else "The formula over the range of the data: with data alone there is no truth outside it to compare with."
    )
    scores = comp.scores[comp.scores["series"] != reference].rename(
        columns={
            "series": "model",
            "r2_inside": "R² inside",
            "r2_outside": "R² outside",
            "rmse_inside": "RMSE inside",
            "rmse_outside": "RMSE outside",
        }
    )
    if len(scores):
        six = st.column_config.NumberColumn(format="%.6g")  # a network's 0.99998 is not the formula's 1
        st.dataframe(scores, hide_index=True, width="stretch", column_config=dict.fromkeys(scores.columns[1:], six))
        st.caption(
            f"Scores against the {reference} on a grid over the training domain (inside) and the "
            "rest of the window (outside)."
        )
    if samples is None and network is not None and truth is not None:
        s = comp.scores.set_index("series")
        net_out, f_out = s.loc["network", "r2_outside"], s.loc["formula", "r2_outside"]
        st.markdown(
            f"**What you see:** inside the training domain the network reaches R² = "
            f"{s.loc['network', 'r2_inside']:.6g}; outside it drops to {net_out:.3f}, while the distilled "
            f"formula scores R² = {f_out:.6g} there"
            + (" — it has learned the law, not just the samples." if f_out > 0.99 and net_out < f_out else ".")
        )
elif samples is None:
    st.caption("Curves and maps are drawn for one or two inputs.")

if res.status != "exact" or st.toggle("show the Pareto front as a table", key="sym_front_table"):
    st.markdown("**Best candidates** (the Pareto front):")
    front = res.front[["complexity", "nrmse", "exact", "formula"]]
    front = front.assign(nrmse=100 * front["nrmse"]).rename(columns={"nrmse": "relative error (%)"})
    st.dataframe(front, hide_index=True, width="stretch", column_config=PERCENT_COLUMN)

if source_kind == "trained":
    reproduce_panel(
        "sym",
        symbolic_script,
        *data_key[1:],
        method=method,
        stop_reason=net.result.stop_reason,
        time_budget=float(budget),
    )
elif source_kind == "csv":
    reproduce_panel("sym", symbolic_csv_script, up.name, in_cols, out_col, method=method, time_budget=float(budget))
else:
    reproduce_panel("sym", "the network comes from the MLP page, whose own panel has its script.")
