"""The "Reproduce in Python" panel: a page's current result as a script and a notebook.

A page calls :func:`reproduce_panel` beside its main result with its topic's script
function (``nnkit/<topic>/reproduce.py``) and the settings it used::

    from nnkit.finite_diff.reproduce import derivatives_script
    from nnkit.ui.reproduce import reproduce_panel

    reproduce_panel("fd", derivatives_script, formula.text, x0, ...)

The panel shows the script, offers it as ``.py`` and as ``.ipynb``, and shows the
one-line note instead when the function raises
:class:`~nnkit.reproduce.NotReproducible` (or when the page passes a note itself). Its
content is drawn only while it is open (opening it reruns the page).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import streamlit as st

from nnkit.reproduce import NotReproducible, Script

__all__ = ["panel_key", "reproduce_panel"]

TITLE = "Reproduce in Python"


def panel_key(key: str) -> str:
    """Session-state key of the panel's open/closed state (``True`` opens it).

    Parameters
    ----------
    key : str
        The prefix the page passed to :func:`reproduce_panel`.

    Returns
    -------
    str
    """
    return f"{key}_reproduce"


def reproduce_panel(
    key: str, script: Script | str | Callable[..., Script], /, *args: Any, **kwargs: Any
) -> Script | None:
    """Draw the panel: the script with its downloads, or a one-line note.

    Parameters
    ----------
    key : str
        Prefix of the panel's widget keys (unique on the page; see :func:`panel_key`).
    script : Script, str or callable
        The script; a note (text) when the result has no script; or the topic's
        script function, called with ``*args`` and ``**kwargs`` (a
        :class:`~nnkit.reproduce.NotReproducible` it raises becomes the note).
    *args, **kwargs
        The settings, for a script function.

    Returns
    -------
    Script or None
        What the panel shows (None for a note).
    """
    if callable(script) and not isinstance(script, Script):
        try:
            script = script(*args, **kwargs)
        except NotReproducible as why:
            script = str(why)
    panel = st.expander(TITLE, icon=":material/code:", key=panel_key(key), on_change="rerun")
    if not panel.open:
        # Drawn only when opened: highlighting a long script costs the browser more than
        # the rest of most pages' first render, and again after every change of a setting.
        return script if isinstance(script, Script) else None
    with panel:
        if not isinstance(script, Script):
            st.caption(f"No script for this result: {script}")
            return None
        st.caption(
            "The same result from a notebook or a terminal, with this page's settings: "
            "it prints the figures shown above" + (" and saves the chart." if script.chart else ".")
        )
        st.code(script.code, language="python")
        left, right = st.columns(2)
        left.download_button(
            "Download .py",
            script.code,
            file_name=f"{script.name}.py",
            mime="text/x-python",
            key=f"{key}_reproduce_py",
            icon=":material/download:",
            on_click="ignore",
        )
        right.download_button(
            "Download notebook (.ipynb)",
            script.notebook(),
            file_name=f"{script.name}.ipynb",
            mime="application/x-ipynb+json",
            key=f"{key}_reproduce_ipynb",
            icon=":material/download:",
            on_click="ignore",
        )
    return script
