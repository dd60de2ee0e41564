"""Automatic differentiation: nnkit's reverse-mode engine on a formula you type."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from nnkit import autodiff as ad
from nnkit._text import counted
from nnkit.autodiff.reproduce import autodiff_script
from nnkit.expr import parse
from nnkit.plots.autodiff import agreement_chart
from nnkit.ui.charts import altair_chart
from nnkit.ui.course import page_title
from nnkit.ui.formula import formula_input
from nnkit.ui.reproduce import reproduce_panel
from nnkit.ui.router import ensure_router
from nnkit.ui.widgets import code_snippet

MAX_DRAWN = 50  # nodes drawn; larger graphs are collapsed (said on the page)

ensure_router()
st.title(page_title("pages/autodiff.py"))
st.markdown(
    "Lecture 1 builds reverse-mode autodiff by hand: every node stores its value and its "
    "local derivatives, and `backward()` walks the graph from the output back, adding "
    "**child.grad × local derivative** to each parent. Pick an example or type a formula, "
    "then press **Backward** or **Step** through it; every gradient is checked against "
    "torch.autograd and a central difference."
)

# ---------------------------------------------------------------------------
# Example / formula / variables / values
# ---------------------------------------------------------------------------
EXAMPLES = {e.title: e for e in ad.EXAMPLES}


def ten_digits(frame: pd.DataFrame) -> dict:
    """Float columns to 10 significant digits, as the step's sentence (not 4 decimals)."""
    return {c: st.column_config.NumberColumn(format="%.10g") for c in frame.select_dtypes("float")}


def _load_example() -> None:
    ex = EXAMPLES.get(st.session_state.get("ad_example"))
    if ex is None:
        return
    st.session_state["ad_vars"] = ", ".join(ex.variables)
    st.session_state["ad_formula"] = ex.formula
    st.session_state["ad_products"] = ex.powers_as_products
    for name, value in zip(ex.variables, ex.values, strict=True):
        st.session_state[f"ad_val_{name}"] = float(value)


if "ad_example" not in st.session_state:
    st.session_state["ad_example"] = ad.EXAMPLES[0].title
    _load_example()

st.selectbox(
    "Lecture example",
    list(EXAMPLES),
    key="ad_example",
    on_change=_load_example,
    help="Loads a formula, its variables and a point; edit any of them afterwards.",
)
example = EXAMPLES[st.session_state["ad_example"]]
st.caption(example.note)

left, right = st.columns([1, 2])
with left:
    vars_text = st.text_input("Variables", key="ad_vars", help="Comma-separated names, e.g. x, y, w1.")
try:
    variables = ad.parse_variable_list(vars_text)
except ValueError as err:
    variables = None
    with left:
        st.error(f"**These variable names cannot be used.** {err}", icon=":material/error:")

formula = None
if variables is not None:
    with right:
        formula = formula_input("Formula f", example.formula, variables, key="ad_formula")

values: dict[str, float] = {}
if variables is not None:
    cols = st.columns(min(len(variables), 6))
    for k, name in enumerate(variables):
        key = f"ad_val_{name}"
        if key not in st.session_state:
            st.session_state[key] = 1.0
        with cols[k % len(cols)]:
            values[name] = st.number_input(name, key=key, step=0.1, format="%g")

st.checkbox(
    "Write x^2, x^3, x^4 as repeated products (x·x, x·x·x …)",
    key="ad_products",
    help=(
        "sympy always rewrites x*x as x^2, a single node. Ticking this draws it as a "
        "product that uses the same node twice: the case the lecture's pitfall is about."
    ),
)
products = bool(st.session_state.get("ad_products", False))

graph = None
if formula is None:
    st.info("Fix the formula or the variable names above to see the graph.", icon=":material/edit:")
else:
    try:
        graph = ad.graph_from_formula(formula, values, powers_as_products=products)
    except ad.UnsupportedOperation as err:
        st.error(f"**The engine cannot build this formula.** {err}", icon=":material/error:")

# ---------------------------------------------------------------------------
# The graph and the backward pass, step by step
# ---------------------------------------------------------------------------
if graph is not None:
    trace = ad.backward_trace(graph.output)
    n_steps = len(trace.steps)
    signature = (formula.text, formula.variables, tuple(values.values()), products)
    if st.session_state.get("ad_signature") != signature:
        st.session_state["ad_signature"] = signature
        st.session_state["ad_step"] = 0
    step = min(int(st.session_state.get("ad_step", 0)), n_steps)

    def _set_step(k: int) -> None:
        st.session_state["ad_step"] = max(0, min(k, n_steps))

    st.header("Computational graph")
    b1, b2, b3, b4, b5 = st.columns([1.2, 1, 1, 1, 2.5])
    b1.button(
        "Backward",
        type="primary",
        on_click=_set_step,
        args=(n_steps,),
        width="stretch",
        help="Run the whole backward pass.",
    )
    # Back before Step: the order of a player's controls (and of time)
    b2.button("◀ Back", on_click=_set_step, args=(step - 1,), disabled=step <= 0, width="stretch")
    b3.button(
        "Step ▶",
        on_click=_set_step,
        args=(step + 1,),
        disabled=step >= n_steps,
        width="stretch",
        help="Pass back the gradient of the next node in reverse topological order.",
    )
    b4.button("Reset", on_click=_set_step, args=(0,), disabled=step == 0, width="stretch")
    b5.markdown(f"**Step {step} of {n_steps}** (one step per node that has parents)")

    current = trace.node_at(step)
    grads = trace.grads_after(step, reached_only=True) if step > 0 else None
    dot = ad.to_dot(graph.output, grads=grads, show_grads=step > 0, highlight=current, max_nodes=MAX_DRAWN)
    st.graphviz_chart(dot, width="content")
    size = len(trace.order)
    caption = (
        "Blue boxes are the variables, grey ones constants, green the output f. Each edge "
        "carries the local derivative d child / d parent, computed in the forward pass."
    )
    if step > 0:
        caption += (
            " The highlighted node is passing its gradient back along the orange edges; "
            "'grad ?' marks nodes no term has reached yet."
        )
    st.caption(caption)
    if size > MAX_DRAWN:
        st.warning(
            f"This graph has {size} nodes; only the {MAX_DRAWN} closest to the output are "
            f"drawn, the {size - MAX_DRAWN} earlier ones are collapsed into one box. The "
            "step table and the gradients below cover every node.",
            icon=":material/account_tree:",
        )

    if step == 0:
        st.markdown(
            f"Forward pass done: f = **{graph.output.value:.10g}** over {size} nodes. Press "
            "**Backward** to fill in every gradient, or **Step ▶** to pass them back one "
            "node at a time (the output's gradient is seeded with 1)."
        )
    else:
        name = trace.names[current]
        table = trace.step_table(step)
        st.markdown(
            f"**Step {step}:** node `{name}` (`{current.op}`) has its final gradient "
            f"**{trace.steps[step - 1].grad:.10g}** and adds child.grad × local derivative "
            f"to {'its' if len(table) == 1 else 'each of its'} {counted(len(table), 'parent slot')}:"
        )
        st.dataframe(table, hide_index=True, width="stretch", column_config=ten_digits(table))

    # -----------------------------------------------------------------------
    # Gradients beside their references
    # -----------------------------------------------------------------------
    @st.cache_data(show_spinner=False, max_entries=64)
    def references(
        text: str, names: tuple[str, ...], point: tuple[float, ...], engine: tuple[float, ...]
    ) -> pd.DataFrame:
        return ad.check_gradients(
            parse(text, names),
            dict(zip(names, point, strict=True)),
            engine=dict(zip(names, engine, strict=True)),
        )

    st.header("Gradients and their references")
    if step < n_steps:
        st.info(
            f"{counted(n_steps - step, 'step')} left: the gradients below appear once the backward "
            "pass has reached every node (press **Backward**).",
            icon=":material/hourglass_top:",
        )
    else:
        # The gradients the step-through produced, beside torch's and a central difference.
        engine = tuple(trace.input_grads(graph.inputs).values())
        ref = references(formula.text, formula.variables, tuple(values.values()), engine)
        st.dataframe(
            ref.style.format(
                {
                    "value": "{:.6g}",
                    "autodiff": "{:.15g}",
                    "torch": "{:.15g}",
                    "central difference": "{:.12g}",
                    "step h": "{:.2e}",
                    "|autodiff − torch|": "{:.2e}",
                    "|autodiff − central|": "{:.2e}",
                },
                na_rep="—",
            ),
            hide_index=True,
            width="stretch",
            placeholder="—",
        )
        altair_chart(agreement_chart(ref), width="stretch")
        st.caption(
            "Gap between nnkit's gradient and each reference, per variable (log scale); dashed: "
            "float64's machine epsilon, bottom line: exactly 0. torch.autograd applies the same "
            "chain rule; the central difference adds its own truncation and rounding error. "
            "The note below says how large each gap is here. Same numbers, different speed: "
            "torch.autograd runs whole tensors through compiled kernels and is about 300× faster "
            "on the lecture's MLP than this engine, which builds one Python node per number so "
            "that you can read it (`python -m benchmarks autodiff`)."
        )
        st.markdown(f"**What you see:** {ad.agreement_note(ref)}")

    # -----------------------------------------------------------------------
    # The lecture's pitfall
    # -----------------------------------------------------------------------
    st.header("The pitfall: `child.parents.index(node)`")
    st.markdown(
        "The lecture's backward pass lets each node collect from its children "
        "`child.grad * child.local[child.parents.index(node)]`. `index` returns only the "
        "first slot where the node appears, so an operation that uses the same node twice "
        "contributes once. The fix sums over every slot (nnkit's `backward()` pushes one "
        "term per edge, which is the same thing)."
    )
    c1, c2 = st.columns(2)
    c1.markdown("**Lecture** (wrong when a child uses `node` twice)")
    code_snippet(
        "for c in children[node]:\n    i = c.parents.index(node)\n    node.grad += c.grad * c.local[i]",
        c1,
    )
    c2.markdown("**Fixed**: one term per slot")
    code_snippet(
        "for c in children[node]:\n"
        "  for p, d in zip(c.parents, c.local):\n"
        "    if p is node:\n"
        "      node.grad += c.grad * d",
        c2,
    )
    pitfall = ad.pitfall(graph)
    st.dataframe(pitfall.table, hide_index=True, width="stretch", column_config=ten_digits(pitfall.table))
    st.markdown(f"**What you see:** {pitfall.note()}")

if formula is None:
    reproduce_panel("ad", "fix the formula or the variable names above first.")
else:
    reproduce_panel("ad", autodiff_script, formula.text, formula.variables, values, powers_as_products=products)
