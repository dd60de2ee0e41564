"""Draw the pages' Altair charts without validating their specs on every rerun.

``st.altair_chart(chart)`` turns the chart into Vega-Lite with ``chart.to_dict()``, which
checks the whole spec against Vega-Lite's JSON schema (jsonschema, pure Python) each time
the page reruns, i.e. after every widget change. A third of a Perceptron rerun went
there (py-spy). :func:`altair_chart` draws the same spec, through Streamlit's own
conversion (its data stays Arrow), with ``to_dict(validate=False)``. The validation
moves to the tests: the app tests check every distinct spec a page drew against the
schema (``tests/app/conftest.py``). Charts built in a notebook are untouched and still
validated by Altair.

``to_dict`` also starts from a shallow copy of the chart, which for a layered chart
runs its constructor again (deep-copying every layer twice, 2-7 ms a chart); here that
copy is :func:`nnkit.plots.style.shallow_copy` (the same spec, layers shared: ``to_dict``
only replaces the copy's top-level data).
"""

from __future__ import annotations

import functools
from typing import Any

import streamlit as st

from nnkit.plots.style import shallow_copy

__all__ = ["altair_chart", "unvalidated"]


def unvalidated(chart: Any) -> Any:
    """``chart`` itself, its ``to_dict()`` no longer validating (the spec is the same).

    Parameters
    ----------
    chart : altair.TopLevelMixin
        Any top-level Altair chart (``Chart``, ``LayerChart``, ``HConcatChart``, ...).

    Returns
    -------
    The same object: only this chart's ``to_dict`` (its default becomes
    ``validate=False``) and its shallow ``copy`` (no second run of a layered chart's
    constructor, see the module docstring) change; the class, other charts and Altair's
    settings are untouched.
    """
    cls = type(chart)

    def copy(deep: Any = True, ignore: Any = None) -> Any:
        return shallow_copy(chart) if deep is False else cls.copy(chart, deep, ignore)

    # instance attributes; Altair's own __setattr__ would store them as spec properties
    object.__setattr__(chart, "to_dict", functools.partial(cls.to_dict, chart, validate=False))
    object.__setattr__(chart, "copy", copy)
    return chart


def altair_chart(chart: Any, *, container: Any = None, **kwargs: Any) -> Any:
    """``st.altair_chart`` (or ``container.altair_chart``) without validating the spec.

    Parameters
    ----------
    chart : altair.TopLevelMixin
        The chart (see :func:`unvalidated`).
    container : streamlit container, optional
        Where to draw it (a column, a placeholder...); default the current one.
    **kwargs
        Passed to ``altair_chart`` (``width``, ``key``, ``on_select``...).

    Returns
    -------
    What ``altair_chart`` returns. The chart is left as it was (validating again).
    """
    where = st if container is None else container
    try:
        return where.altair_chart(unvalidated(chart), **kwargs)
    finally:  # no lasting change, and no reference cycle (chart -> its to_dict -> chart)
        vars(chart).pop("to_dict", None)
        vars(chart).pop("copy", None)
