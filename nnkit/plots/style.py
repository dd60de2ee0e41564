"""Colours every chart shares, and the text alternative every chart carries.

Colours: Okabe & Ito's palette ("Color Universal Design", 2002), whose eight colours
stay distinguishable with every common colour-vision deficiency. The app's theme
(``.streamlit/config.toml``, ``chartCategoricalColors``) uses the same list, so a chart
that sets no colours of its own gets them too.

Text alternative: :func:`describe` sets a chart's top-level Vega-Lite ``description``,
which Vega renders as the ``aria-label`` of the chart (in Streamlit and in Jupyter),
so a screen reader announces what the chart shows instead of "Vega visualization".
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, TypeVar

import altair as alt
import numpy as np

__all__ = [
    "BLACK",
    "BLUE",
    "GREEN",
    "GREY",
    "ORANGE",
    "PALETTE",
    "PINK",
    "SKY",
    "VERMILLION",
    "YELLOW",
    "describe",
    "log_axis",
    "log_format",
    "stretch",
]

BLUE = "#0072B2"
ORANGE = "#E69F00"
GREEN = "#009E73"
PINK = "#CC79A7"
SKY = "#56B4E9"
VERMILLION = "#D55E00"
BLACK = "#000000"
YELLOW = "#F0E442"
#: For references and context (a truth curve, an "untrained" baseline): dark enough
#: on white (4.5:1) to read as a line, neutral enough to stay in the background.
GREY = "#767676"

#: Okabe & Ito's colours in the order series get them (yellow last: thin on white).
PALETTE = [BLUE, ORANGE, GREEN, PINK, SKY, VERMILLION, BLACK, YELLOW]

ChartT = TypeVar("ChartT", bound=alt.TopLevelMixin)


def describe(chart: ChartT, description: str, title: str | None = None) -> ChartT:
    """``chart`` with a text alternative (and a title, if given).

    Parameters
    ----------
    chart : altair top-level chart
        Any ``alt.Chart``, ``LayerChart``, ``HConcatChart`` ...
    description : str
        One or two sentences saying what the chart shows: what is plotted against
        what, and which series it holds. Screen readers read it.
    title : str, optional
        A visible title (left unchanged when None).

    Returns
    -------
    altair top-level chart
        The same kind of chart, with ``description`` set.
    """
    if title is None:
        return chart.properties(description=description)
    return chart.properties(description=description, title=title)


def log_format(values: Iterable[float]) -> str:
    """One number format for every label of a log axis over ``values``.

    Plain numbers (``0.002``, ``30``, ``1,000``) when every positive value lies in
    [1e-3, 1e5), scientific (``1e-7``, ``3e-5``) otherwise: an axis never shows
    ``0.00001`` beside ``1e-7``.

    Parameters
    ----------
    values : iterable of float
        The data on the axis (non-positive and non-finite values are ignored).

    Returns
    -------
    str
        A d3 format string for ``alt.Axis(format=...)``.
    """
    v = np.asarray(list(values), dtype=float)
    v = v[np.isfinite(v) & (v > 0)]
    if v.size and v.min() >= 1e-3 and v.max() < 1e5:
        return ",~g"
    return ".0e"


def log_axis(values: Iterable[float]) -> dict[str, Any]:
    """Properties of a log axis over ``values``: one number format, and ticks that read.

    The format is :func:`log_format`'s. When the values span three decades or more, the
    axis gets a tick (and a grid line) at each power of ten only: Vega otherwise also
    draws 2…9 × 10ᵏ, up to about 80 grid lines over eight decades, most of them
    unlabelled.

    Parameters
    ----------
    values : iterable of float
        The data on the axis (non-positive and non-finite values are ignored).

    Returns
    -------
    dict
        Keyword arguments for ``alt.Axis`` (or a Vega-Lite ``axis`` object).
    """
    v = np.asarray(list(values), dtype=float)
    v = v[np.isfinite(v) & (v > 0)]
    out: dict[str, Any] = {"format": log_format(v)}
    if v.size:
        decades = int(np.ceil(np.log10(v.max())) - np.floor(np.log10(v.min())))
        if decades >= 3:  # d3 draws the 2…9 multiples when the count exceeds the decades
            out["tickCount"] = decades
    return out


def stretch(chart: ChartT, description: str) -> ChartT:
    """A full-width chart (it fits the container's width, keeps its height), with a text alternative.

    Parameters
    ----------
    chart : altair top-level chart
        The chart.
    description : str
        Its text alternative (see :func:`describe`).

    Returns
    -------
    altair top-level chart
    """
    fit = chart.properties(autosize=alt.AutoSizeParams(type="fit-x", contains="padding"))
    return describe(fit, description)
