"""``formula_input``: a text box for a formula, parsed by :func:`nnkit.expr.parse`.

Typed text is never evaluated: it goes through nnkit's whitelist parser. A bad
formula shows the parser's message and a caret under the offending character, right
under the box, and the box keeps the text so the user can fix it.
"""

from __future__ import annotations

from collections.abc import Sequence

import streamlit as st

from nnkit.expr import FUNCTIONS, Formula, FormulaError, parse

__all__ = ["formula_input", "help_text"]


def help_text(variables: Sequence[str] = ("x",)) -> str:
    """What a formula may contain, for a widget's ``help=`` tooltip."""
    names = ", ".join(sorted(set(FUNCTIONS)))
    return (
        f"Variables: {', '.join(variables)}. Operators: + - * / and ^ (or **) for powers; "
        "2x means 2*x. Constants: pi, e. "
        f"Functions: {names}."
    )


def formula_input(
    label: str,
    default: str,
    variables: Sequence[str] = ("x",),
    key: str | None = None,
    examples: Sequence[str] | None = None,
    preview: bool = False,
    help: str | None = None,
) -> Formula | None:
    """A text box whose content is parsed into a :class:`~nnkit.expr.Formula`.

    Parameters
    ----------
    label : str
        Widget label.
    default : str
        Text shown on first load.
    variables : sequence of str
        Names the formula may use (in the argument order of ``Formula.numpy``).
    key : str, optional
        Widget key (default: derived from the label). The text lives in
        ``st.session_state[key]``.
    examples : sequence of str, optional
        If given, a select box of example formulas sits above the text box;
        picking one fills the box (which stays editable).
    preview : bool
        Show the parsed formula in LaTeX under the box.
    help : str, optional
        Tooltip; default :func:`help_text`.

    Returns
    -------
    Formula or None
        ``None`` when the text is not a valid formula; the error message with a
        caret under the offending position is then shown under the box.
    """
    variables = tuple(variables)
    key = key or "formula_" + "".join(c if c.isalnum() else "_" for c in label.lower())
    if key not in st.session_state:
        st.session_state[key] = default
    pick_key = key + "__example"
    if examples:

        def _use_example() -> None:
            choice = st.session_state.get(pick_key)
            if choice:
                st.session_state[key] = choice

        st.selectbox(
            "Examples",
            list(dict.fromkeys(examples)),
            index=None,
            key=pick_key,
            on_change=_use_example,
            placeholder="pick one…",  # short: the box can be a narrow column's width
            help="Picking an example fills in the formula below; you can also type your own there.",
        )

    def _typed() -> None:
        # Typing your own formula un-selects the example it started from.
        if pick_key in st.session_state and st.session_state[pick_key] != st.session_state[key]:
            st.session_state[pick_key] = None

    text = st.text_input(label, key=key, help=help or help_text(variables), on_change=_typed)
    try:
        formula = parse(text, variables)
    except FormulaError as err:
        st.error(f"**This formula cannot be used.** {err.message}", icon=":material/error:")
        if err.text:
            st.code(err.caret(), language=None)
        return None
    if preview:
        st.latex(formula.latex)
    return formula
