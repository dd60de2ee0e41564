"""Derivatives: analytical vs numerical differentiation, with error plots (Lecture 1)."""

from __future__ import annotations

import streamlit as st

from nnkit import finite_diff as fd
from nnkit.expr import FormulaError, latex_lines, parse
from nnkit.finite_diff.reproduce import derivatives_script
from nnkit.plots.finite_diff import FLOOR, error_chart, weight_chart
from nnkit.ui.charts import altair_chart
from nnkit.ui.course import page_title
from nnkit.ui.formula import formula_input
from nnkit.ui.reproduce import reproduce_panel
from nnkit.ui.router import ensure_router

EXAMPLES = [
    "sin(x)*exp(-x^2)",
    "sin(x)",
    "exp(x)",
    "x^3 - 2*x",
    "log(1+x^2)",
    "tanh(x)",
    "1/(1+25x^2)",
    "sqrt(x)",
    "x^7 - 3x^5 + x",
    "abs(x) + x^2",
]
LECTURE_LABELS = fd.scheme_labels()  # "central O(h²)" -> ("central", 2)


@st.cache_data(max_entries=64, show_spinner=False)
def sweep_for(
    text: str,
    x0: float,
    derivative: int,
    specs: tuple[tuple[str, int], ...],
    lo: float,
    hi: float,
    complex_step: bool,
    autodiff: bool,
    engine: bool,
) -> fd.Sweep:
    """One error sweep (pure: cached per input)."""
    return fd.error_sweep(
        parse(text),
        x0,
        derivative,
        fd.stencils_for(derivative, specs),
        h=fd.default_steps(200, lo, hi),
        complex_step_too=complex_step,
        autodiff_too=autodiff,
        engine_too=engine,
    )


@st.cache_data(max_entries=64, show_spinner=False)
def derivative_latex(text: str, n: int, lhs: str) -> str:
    """``lhs = `` the exact n-th derivative (sympy) in LaTeX, over several lines if long."""
    return latex_lines(parse(text).diff(n).sympy, lhs)


ensure_router()
st.title(page_title("pages/derivatives.py"))
st.markdown(
    "Lecture 1 opens with finite differences: replace the limit in f′(x) by a small step h. "
    "The plot measures each formula's error against the exact derivative for every h from "
    "10⁻¹⁶ to 1: a **V** whose bottom is the best step, beside the complex step and "
    "autodiff, which have no step to tune."
)

left, right = st.columns([1, 2.4], gap="large")
with left:
    formula = formula_input("f(x)", EXAMPLES[0], ("x",), key="fd_formula", examples=EXAMPLES)
    x0 = st.number_input("point x₀", value=0.5, step=0.1, format="%.6g", key="fd_x0")
    mode = st.radio(
        "stencils",
        ["Lecture schemes", "Custom stencil"],
        horizontal=True,
        key="fd_mode",
        help="Custom: any derivative order and accuracy, computed on the spot.",
    )
    stencil_error = None
    if mode == "Lecture schemes":
        derivative = st.radio("derivative order", [1, 2], horizontal=True, key="fd_order")
        chosen = st.multiselect(
            "schemes",
            list(LECTURE_LABELS),
            default=["forward O(h)", "central O(h²)", "central O(h⁴)"],
            key="fd_schemes",
            wrap=True,
        )
        specs = tuple(LECTURE_LABELS[c] for c in chosen)
    else:
        c1, c2 = st.columns(2)
        derivative = int(c1.number_input("derivative order", 1, 6, 3, key="fd_custom_order"))
        accuracy = int(c2.number_input("accuracy O(hᵖ)", 1, 10, 2, key="fd_custom_acc"))
        kind = st.selectbox("kind", list(fd.KINDS), index=2, key="fd_custom_kind")
        try:
            fd.stencil(derivative, accuracy, kind)
            specs = ((kind, accuracy),)
        except ValueError as err:
            stencil_error = str(err)
            specs = ()
            st.error(f"This stencil does not exist: {err}. Pick another accuracy or kind.")
    complex_step = st.checkbox("complex step Im f(x₀+ih)/h", value=True, key="fd_cs", help="First derivative only.")
    engine = st.checkbox(
        "autodiff (nnkit's own engine)",
        value=True,
        key="fd_engine",
        help="The scalar reverse-mode engine of the Automatic differentiation page (first derivative only).",
    )
    # Off at first: on a freshly started server torch's first import and autograd call
    # would double this page's first render, and nnkit's engine above draws the same
    # line for the first derivative.
    autodiff = st.checkbox(
        "autodiff (torch autograd)",
        value=False,
        key="fd_ad",
        help="PyTorch's autograd, as in the lecture's code: any derivative order.",
    )
    model = st.checkbox("theory lines (truncation, round-off)", value=True, key="fd_model")
    lo_exp, hi_exp = st.select_slider(
        "range of h (powers of 10)",
        options=list(range(-16, 1)),
        value=(-16, 0),
        key="fd_range",
    )
    h_one = st.number_input(
        "one step h for the table below",
        value=1e-3,
        format="%.3e",
        key="fd_h",
        help="Any h > 0: compare each scheme's estimate with the exact value.",
    )

with right:
    if formula is None:
        st.info("Fix the formula on the left; the plot comes back as soon as it parses.")
        reproduce_panel("fd", "the formula does not parse: fix it and the script comes back.")
        st.stop()
    sweep = None
    if lo_exp >= hi_exp:
        st.error("The range of h is empty: move the two ends of the slider apart.")
    elif not (specs or autodiff or (int(derivative) == 1 and (complex_step or engine))):
        st.warning(
            "Nothing to plot: pick at least one scheme, or tick autodiff (torch autograd)"
            + (": the complex step and nnkit's engine give the first derivative only." if derivative > 1 else ".")
        )
    else:
        try:
            with st.spinner("Sweeping h ..."):
                sweep = sweep_for(
                    formula.text,
                    float(x0),
                    int(derivative),
                    specs,
                    10.0**lo_exp,
                    10.0**hi_exp,
                    complex_step,
                    autodiff,
                    engine,
                )
        except fd.DomainError as err:
            st.error(
                f"**Cannot differentiate f at x₀ = {x0:g}**: {err}. Pick a point "
                "where f is defined, finite and smooth (e.g. log needs x > 0)."
            )
        except (ValueError, FormulaError) as err:
            st.error(f"Cannot compute this sweep: {err}")

    d_mark = fd.derivative_notation(int(derivative))
    st.latex(f"f(x) = {formula.latex}")
    st.latex(derivative_latex(formula.text, int(derivative), f"f{d_mark}(x)"))

    if sweep is not None:
        st.markdown(
            f"Exact value (sympy, 30 digits, rounded to double): "
            f"f{fd.derivative_notation(int(derivative), unicode=True)}(x₀) = "
            f"`{sweep.exact:.17g}` at x₀ = {sweep.x0:g}, where f(x₀) = `{sweep.f0:.17g}`."
        )
        altair_chart(error_chart(sweep, model=model), width="stretch")
        st.caption(
            "Log–log |error| vs h; solid: measured, dashed: truncation C·M·hᵖ, dotted: "
            "round-off S·ε·F/hᵈ (ε = 2⁻⁵³, F = |f(x₀)| + |x₀ f′(x₀)|); diamonds: the "
            f"theoretical optimum (h*, E*). Errors below {FLOOR:.0e}, including exact zeros, "
            "are drawn at the bottom edge, errors above 1e3 (tiny h, higher derivatives) "
            "at the top edge."
        )
        st.markdown(
            "**Why a V.** Each formula is derived here from Taylor expansions (Fornberg's "
            "algorithm, in exact fractions) and compared with sympy's exact derivative. "
            "On the right the stencil's neglected Taylor term dominates, so the "
            "error falls like hᵖ (slope p) as h shrinks. On the left every sample f(x₀+sh) "
            "carries a rounding error of about ε·|f|, and the formula divides their weighted "
            "difference by hᵈ, so the error grows like 1/hᵈ: the best h sits where the two "
            "meet."
        )
        for line in fd.what_you_see(sweep):
            st.markdown(f"- {line}")
        for note in sweep.notes:
            st.info(note)
        drawn = set(sweep.data["family"])
        if engine and not autodiff and int(derivative) == 1 and "autodiff" not in drawn:
            st.caption(
                "No autodiff line: tick **autodiff (torch autograd)** on the left; torch's "
                "autograd knows every function this box accepts."
            )

if sweep is not None and len(sweep.stencils):
    st.header("Fitted order, optimal step, smallest error")
    st.dataframe(
        fd.summary_table(sweep).style.format(
            {
                "p (theory)": "{:.0f}",
                "order at x₀": "{:.0f}",
                "fitted slope": "{:.2f}",
                "h* (theory)": "{:.2e}",
                "E* (theory)": "{:.2e}",
                "best h (meas.)": "{:.2e}",
                "min error (meas.)": "{:.2e}",
            },
            na_rep="—",
        ),
        hide_index=True,
        width="stretch",
        placeholder="—",  # a missing number (no truncation error: no slope, no h*) is "—"
    )
    st.caption(
        "Libraries that need accuracy do better than any single step h: numdifftools "
        "extrapolates the results of several steps (Richardson) and lands 3–13× closer to "
        "the exact derivative than the best h here (`python -m benchmarks finite_diff`). "
        "p: the stencil's order; C: its leading error constant; meas.: measured on the "
        "plot. Order at x₀ exceeds p when f's derivative in the leading error term is 0 there. "
        "Fitted slope: least squares of log|error| on log h where rounding is negligible "
        "(error > 100× the round-off line), over 1.5 decades of h. h*, E*: minimum of "
        "E(h) = |C|·M·hᵖ + S·ε·F/hᵈ with M = |f⁽ᵈ⁺ᵖ⁾(x₀)|. Measured: the bottom of the "
        "running mean of |error| over 15 neighbouring h. The round-off term is a bound, so "
        "E* usually sits a little above the measured minimum."
    )

    st.header("The stencil")
    names = list(sweep.stencils)
    pick = names[0] if len(names) == 1 else st.selectbox("show stencil", names, key="fd_show")
    chosen_stencil = sweep.stencils[pick]
    st.latex(chosen_stencil.latex())
    st.latex(rf"\text{{estimate}} - f{d_mark}(x) = " + chosen_stencil.error_latex().removeprefix("+") + r" + \dots")
    c1, c2 = st.columns([2, 1])
    with c1:
        altair_chart(weight_chart(chosen_stencil), width="stretch")
        st.caption(
            "Weight diagram: the weight of each sample f(x + s·h) (exact fractions; "
            "divide by hᵈ). Symmetric weights (central) cancel more Taylor terms with "
            "fewer points."
        )
    with c2:
        st.dataframe(chosen_stencil.table(), hide_index=True, width="stretch")

    st.header(f"Every scheme at one step, h = {h_one:.3g}")
    try:
        at = fd.estimates_at(sweep, formula, float(h_one))
        st.dataframe(
            at.style.format(
                {"estimate": "{:.17g}", "exact": "{:.17g}", "error": "{:.3e}", "model": "{:.3e}"},
                na_rep="—",
            ),
            hide_index=True,
            width="stretch",
            placeholder="—",
        )
        st.caption("exact: sympy's derivative at x₀. model: the predicted error |C|·M·hᵖ + S·ε·F/hᵈ.")
        broken = fd.failed_methods(at)
        if broken:
            st.warning(
                f"At h = {h_one:.3g} some samples f(x₀ + s·h) overflow or leave f's domain, "
                f"so {', '.join(broken)} give no number. Steps near h* in the table above "
                "are the informative ones, e.g. 1e-3."
            )
    except ValueError as err:
        st.error(f"h = {h_one:g} cannot be used: {err}. Type a step h > 0, e.g. 1e-3.")
elif sweep is not None and stencil_error is None and not specs:
    st.info("No finite-difference scheme selected: pick one above to see its stencil.")

if sweep is not None:
    reproduce_panel(
        "fd", derivatives_script, formula.text, float(x0), int(derivative), specs,
        (10.0**lo_exp, 10.0**hi_exp), complex_step=complex_step, autodiff=autodiff, engine=engine,
        model=model, h=float(h_one),
    )  # fmt: skip
