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

from collections.abc import Iterable, Sequence
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
    "EDGE_PADDING",
    "WHOLE_NUMBERS",
    "describe",
    "independent_scales",
    "legend_columns",
    "log_axis",
    "log_format",
    "shallow_copy",
    "stretch",
    "with_properties",
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

_COMPOUND = (alt.LayerChart, alt.HConcatChart, alt.VConcatChart, alt.ConcatChart)
"""Charts whose constructor merges their sub-charts' selections (see :func:`shallow_copy`)."""
_SUBCHARTS = ("layer", "hconcat", "vconcat", "concat")
"""Where those charts keep their sub-charts (lists)."""


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
        return with_properties(chart, description=description)
    return with_properties(chart, description=description, title=title)


def independent_scales(*channels: str) -> alt.Resolve:
    """``resolve`` for a layered chart whose ``channels`` keep their own scales.

    What ``chart.resolve_scale(color="independent")`` sets, to be passed to the chart's
    constructor (``alt.layer(*layers, resolve=independent_scales("color"))``): each
    method called on a layered chart copies it, and a copy deep-copies every layer
    (see :func:`shallow_copy`).
    """
    return alt.Resolve(scale=alt.ScaleResolveMap(**dict.fromkeys(channels, "independent")))


def shallow_copy(chart: ChartT) -> ChartT:
    """``chart.copy(deep=False)``, without running a layered chart's constructor again.

    Altair's shallow copy of a layered (or concatenated) chart calls the chart's
    constructor again, which deep-copies every layer twice to merge their selections:
    1-5 ms a call. Here such a chart is copied as it stands: its layers were merged when
    it was built. The copy has its own list of layers (adding a layer to it, ``+=``,
    leaves the original alone); the layers in it are the original's, as Altair's own
    shallow copy shares every other property. Any other chart is copied by Altair.

    Parameters
    ----------
    chart : altair top-level chart

    Returns
    -------
    altair top-level chart
        A new chart of the same kind, with the same spec.
    """
    if not isinstance(chart, _COMPOUND):
        return type(chart).copy(chart, deep=False)
    copy = object.__new__(type(chart))
    # Altair's SchemaBase keeps its spec in _args/_kwds (object.__setattr__: its own
    # __setattr__ would store the name as a spec property)
    object.__setattr__(copy, "_args", chart._args)
    kwds = {k: list(v) if k in _SUBCHARTS else v for k, v in chart._kwds.items()}
    object.__setattr__(copy, "_kwds", kwds)
    return copy


def with_properties(chart: ChartT, **properties: Any) -> ChartT:
    """``chart.properties(**properties)``, without rebuilding a layered chart.

    Altair's ``properties`` starts from a shallow copy of the chart, which for a layered
    chart costs 1-5 ms (see :func:`shallow_copy`), paid on every rerun of a page for
    every ``describe`` and ``stretch``. Here a layered chart is copied by
    :func:`shallow_copy` and given the properties, each checked against Vega-Lite's
    schema as ``properties`` checks them. Any other chart goes through ``properties``.
    The original is left unchanged, and the spec is the same
    (``tests/unit/test_plot_style.py``).

    Parameters
    ----------
    chart : altair top-level chart
    **properties
        Top-level properties (``title``, ``description``, ``height``, ``autosize``...).

    Returns
    -------
    altair top-level chart
        A new chart of the same kind.
    """
    if not isinstance(chart, _COMPOUND):
        return chart.properties(**properties)
    for key, value in properties.items():
        if key != "data":  # as properties(): data is checked once it is processed
            chart.validate_property(key, value)
    copy = shallow_copy(chart)
    copy._kwds.update(properties)
    return copy


def _positive(values: Iterable[float]) -> np.ndarray:
    """The positive finite values of ``values`` (what a log axis can show), as floats."""
    v = np.asarray(list(values), dtype=float)
    return v[np.isfinite(v) & (v > 0)]


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
    v = _positive(values)
    if v.size and v.min() >= 1e-3 and v.max() < 1e5:
        return ",~g"
    return ".0e"


WHOLE_NUMBERS: dict[str, Any] = {"tickMinStep": 1, "format": "d", "labelFlush": True}
"""Axis properties for epochs and counts: whole-number ticks (no 1.2, 1.4 epochs or 0.5
mistakes), and the first and last labels kept inside the plot (an epoch label at the
right edge, half past it, was cut off on a phone)."""


PHONE_LEGEND_CHARS = 44
"""Characters of legend labels (11 px) that one row holds across a phone's chart
(358 px wide at 390 px), a symbol and a gap counted as four characters per entry."""


def legend_columns(labels: Sequence[str], most: int = 3) -> int:
    """Columns of a legend above or below a plot, so that each row fits on a phone.

    A row wider than the chart is cut off at its right edge (a two-entry legend of
    gradient descent and its Hessian prediction lost the second one on a phone).

    Parameters
    ----------
    labels : sequence of str
        The legend's entries, in order.
    most : int
        Columns wanted where they fit.

    Returns
    -------
    int
        The largest count up to ``most`` whose every row fits (at least 1).
    """
    for c in range(max(int(most), 1), 1, -1):
        rows = [labels[i : i + c] for i in range(0, len(labels), c)]
        if all(sum(len(str(t)) + 4 for t in row) <= PHONE_LEGEND_CHARS for row in rows):
            return c
    return 1


def log_axis(values: Iterable[float]) -> dict[str, Any]:
    """Properties of a log axis over ``values``: one number format, and ticks that read.

    The format is :func:`log_format`'s. The ticks, each with its grid line and label,
    are the powers of ten when the values span three decades or more (every second or
    third one past ten decades: 10⁻¹⁵, 10⁻¹², …), else 1, 2 and 5 times them (10, 20,
    50, 100, …). Left to itself Vega draws every 2…9 × 10ᵏ as well (73 grid lines over
    eight decades) and drops labels that would overlap, the power of ten first among
    them (a loss axis read 10, 30, 50, 200, 400, 1,000).

    Parameters
    ----------
    values : iterable of float
        The data on the axis (non-positive and non-finite values are ignored).

    Returns
    -------
    dict
        Keyword arguments for ``alt.Axis`` (or a Vega-Lite ``axis`` object).
    """
    v = _positive(values)
    out: dict[str, Any] = {"format": log_format(v)}
    if v.size:
        lo, hi = int(np.floor(np.log10(v.min()))), int(np.ceil(np.log10(v.max())))
        hi = max(hi, lo + 1)
        if hi - lo >= 3:
            step = -(-(hi - lo) // 10)
            ticks = [10.0**k for k in range(lo, hi + 1) if k % step == 0]
        else:
            ticks = [m * 10.0**k for k in range(lo, hi) for m in (1, 2, 5)] + [10.0**hi]
        out["values"] = [float(f"{t:.12g}") for t in ticks]  # 0.3 not 0.30000000000000004
    return out


EDGE_PADDING: dict[str, int] = {"left": 5, "top": 5, "right": 14, "bottom": 5}
"""Padding of a full-width chart: room on the right for half of its last x label (with
Vega's 5 px an epoch label "110" near the edge was cut off on a phone)."""


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
    return with_properties(
        chart,
        autosize=alt.AutoSizeParams(type="fit-x", contains="padding"),
        padding=EDGE_PADDING,
        description=description,
    )
