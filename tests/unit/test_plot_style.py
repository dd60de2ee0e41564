"""What every chart shares: a text alternative, whole-number epoch ticks, one log-axis
number format, colour-blind-safe colours, and the fixes a designer asked for."""

from __future__ import annotations

import math
import traceback

import altair as alt
import jsonschema
import numpy as np
import pandas as pd
import pytest
from altair.utils.schemapi import _FromDict

from nnkit.finite_diff import stencil
from nnkit.plots import fitting, landscapes, pinn
from nnkit.plots.finite_diff import weight_chart
from nnkit.plots.style import (
    EDGE_PADDING,
    PALETTE,
    PHONE_LEGEND_CHARS,
    describe,
    independent_scales,
    legend_columns,
    log_axis,
    log_format,
    with_properties,
)
from nnkit.training import History
from tests.conftest import ROOT, app_frame


def _history(epochs: int, start: float, terms: bool = False) -> History:
    h = History()
    for e in range(1, epochs + 1):
        h.epoch.append(e)
        h.steps.append(e)
        h.time.append(0.1 * e)
        h.train_loss.append(start / e**2)
        h.val_loss.append(math.nan)
        if terms:
            h.terms.setdefault("residual", []).append(0.6 * start / e**2)
            h.terms.setdefault("ic", []).append(0.4 * start / e**2)
    return h


@pytest.mark.parametrize(
    ("values", "plain"),
    [([30.0, 1000.0], True), ([2e-3, 0.5], True), ([1e-7, 1e-2], False), ([5.0, 3e5], False)],
)
def test_a_log_axis_gets_one_format(values, plain):
    assert (log_format(values) == ",~g") is plain


@pytest.mark.parametrize(
    ("values", "decades"),
    [
        ([60.0, 250.0], (1, 3)),
        ([0.5, 0.6], (-1, 0)),
        ([1e-7, 0.2], (-7, 0)),
        ([1e-16, 1e5], (-16, 5)),
    ],
)
def test_a_log_axis_labels_its_powers_of_ten_and_stays_readable(values, decades):
    """Vega alone drew 2…9 × 10ᵏ too (73 grid lines over eight decades) and dropped the
    labels that overlapped, 100 among them on a loss axis from 60 to 250."""
    ticks = log_axis(values)["values"]
    lo, hi = decades
    powers = [10.0**k for k in range(lo, hi + 1)]
    step = max(b / a for a, b in zip(ticks, ticks[1:], strict=False))
    assert min(ticks) <= min(values) * step and max(ticks) * step >= max(values)  # no gap
    assert len(ticks) <= 12  # each one labelled and with room for its label
    if len(powers) <= 10:
        assert all(any(math.isclose(t, p) for t in ticks) for p in powers)
    else:  # every k-th power of ten, evenly
        steps = {round(math.log10(b / a)) for a, b in zip(ticks, ticks[1:], strict=False)}
        assert len(steps) == 1


@pytest.mark.parametrize(
    "labels",
    [
        ["gradient descent (this run)", "prediction (I − αH)ᵗ(θ₀ − θ*)"],  # cut off on a phone
        ["batch", "SGD", "mini-batch"],
        ["SGD", "SGD + momentum", "Nesterov", "Adagrad", "RMSprop", "Adam"],
        ["a label far longer than any phone's chart is wide, alone on its row"],
    ],
)
def test_each_legend_row_fits_a_phone(labels):
    c = legend_columns(labels)
    rows = [labels[i : i + c] for i in range(0, len(labels), c)]
    assert all(sum(len(t) + 4 for t in row) <= PHONE_LEGEND_CHARS for row in rows if len(row) > 1)
    assert (
        c == 3
        or any(  # as many columns as fit
            sum(len(t) + 4 for t in labels[i : i + c + 1]) > PHONE_LEGEND_CHARS
            for i in range(0, len(labels), c + 1)
        )
    )


def test_a_log_colour_legend_gets_one_format():
    """The PINN residual map's legend read 0.0001, 0.000001 and 1e-8 side by side."""
    t, x = np.meshgrid(np.linspace(0, 1, 5), np.linspace(0, 1, 5))
    df = pd.DataFrame({"t": t.ravel(), "x": x.ravel(), "residual": np.logspace(-8, -3, 25)})
    spec = pinn.field_heatmap(df, "residual", "|residual|", log=True).to_dict()
    legend = spec["encoding"]["color"]["legend"]
    assert legend["format"] == log_format(df["residual"]) == ".0e"


def test_describe_sets_the_text_alternative_and_keeps_the_chart():
    import altair as alt

    chart = alt.Chart(pd.DataFrame({"x": [1]})).mark_point().encode(x="x:Q")
    spec = describe(chart, "One point.", title="T").to_dict()
    assert spec["description"] == "One point." and spec["title"] == "T"
    assert spec["mark"]["type"] == "point"


def _layered_charts():
    """A layered chart with a selection (its constructor merges it), a concatenation
    of two, and a plain chart."""
    d = pd.DataFrame({"x": [1.0, 2.0, 3.0], "y": [2.0, 1.0, 3.0]})
    points = alt.Chart(d).mark_point().encode(x=alt.X("x:Q"), y=alt.Y("y:Q")).interactive()
    line = alt.Chart(d).mark_line().encode(x=alt.X("x:Q"), y=alt.Y("y:Q"))
    layered = alt.layer(points, line)
    return {
        "layer": layered,
        "hconcat": alt.hconcat(layered, line),
        "vconcat": alt.vconcat(line, points),
        "chart": line,
    }


def test_independent_scales_given_to_the_constructor_is_resolve_scale():
    line = _layered_charts()["chart"]
    for combine in (alt.layer, alt.hconcat):
        chained = combine(line, line).resolve_scale(color="independent", shape="independent")
        built = combine(line, line, resolve=independent_scales("color", "shape"))
        assert built.to_dict() == chained.to_dict()


@pytest.mark.parametrize("kind", ["layer", "hconcat", "vconcat", "chart"])
def test_with_properties_is_properties_without_rebuilding_the_layers(kind, monkeypatch):
    chart = _layered_charts()[kind]
    before = chart.to_dict()
    props = {
        "title": "T",
        "description": "Two series.",
        "autosize": alt.AutoSizeParams(type="fit-x", contains="padding"),
        "padding": EDGE_PADDING,
    }
    expected = chart.properties(**props).to_dict()
    built = []
    for cls in (alt.LayerChart, alt.HConcatChart, alt.VConcatChart):
        init = cls.__init__
        monkeypatch.setattr(
            cls, "__init__", lambda s, *a, _i=init, **k: built.append(s) or _i(s, *a, **k)
        )
    made = with_properties(chart, **props)
    monkeypatch.undo()
    assert made.to_dict() == expected  # the same spec as Altair's properties()
    assert chart.to_dict() == before  # the chart it was given is unchanged
    assert type(made) is type(chart) and made is not chart
    if kind == "layer":  # a layer added to the copy is not added to the chart
        made += alt.Chart(pd.DataFrame({"x": [0.0]})).mark_rule().encode(x=alt.X("x:Q"))
        assert len(made.layer) == 3 and chart.to_dict() == before
    if kind != "chart":
        assert built == []  # no layered chart was built again (no layer deep-copied)
    # each property checked against the schema, as properties() checks it
    with pytest.raises(jsonschema.ValidationError, match="12345"):
        with_properties(chart, description=12345)
    with pytest.raises(jsonschema.ValidationError, match="12345"):
        chart.properties(description=12345)


def test_palette_is_okabe_ito():
    assert PALETTE[:3] == ["#0072B2", "#E69F00", "#009E73"] and len(set(PALETTE)) == 8


def test_loss_charts_have_a_description_whole_epochs_and_a_log_format():
    short = _history(5, 100.0)  # losses 100 ... 4: plain numbers
    spec = fitting.loss_curves(short).to_dict()
    assert "per epoch" in spec["description"]
    assert spec["encoding"]["x"]["axis"]["format"] == "d"
    assert spec["encoding"]["y"]["axis"]["format"] == ",~g"
    _, live = fitting.loss_spec(_history(5, 1e-3))  # down to 4e-5: scientific throughout
    assert live["description"] and live["encoding"]["y"]["axis"]["format"] == ".0e"
    assert live["encoding"]["x"]["axis"]["format"] == "d"


def test_pinn_total_loss_is_dashed_as_the_caption_says():
    spec = pinn.loss_terms_chart(_history(10, 1.0, terms=True)).to_dict()
    layer = spec.get("layer", [spec])[0]
    dash = layer["encoding"]["strokeDash"]["scale"]
    dashes = dict(zip(dash["domain"], dash["range"], strict=True))
    assert dashes["total"] != [1, 0] and dashes["residual"] == [1, 0]
    assert "dashed" in spec["description"]
    assert pinn.drawn_terms(_history(10, 1.0, terms=True)) == ["residual", "ic", "total"]


def test_one_pinn_loss_term_draws_no_total_and_its_caption_names_none():
    h = _history(10, 1.0)
    h.terms["residual"] = list(h.train_loss)  # hard constraints: the residual alone
    assert pinn.drawn_terms(h) == ["residual"]
    spec = pinn.loss_terms_chart(h).to_dict()
    layer = spec.get("layer", [spec])[0]
    assert layer["encoding"]["color"]["scale"]["domain"] == ["residual"]
    assert "dashed" not in spec["description"]


def test_stencil_labels_have_room_inside_the_plot():
    chart = weight_chart(stencil(1, 1, "forward")).to_dict()  # weights −1 and 1
    y = next(
        layer["encoding"]["y"]
        for layer in chart["layer"]
        if "scale" in layer["encoding"].get("y", {})
    )
    lo, hi = y["scale"]["domain"]
    assert lo < -1 and hi > 1  # the "−1" label sits below its stem, above the x axis
    assert "−1" in chart["description"]


def test_integer_steps_get_whole_number_ticks():
    df = pd.DataFrame({"epoch": [0, 1, 2], "J": [1.0, 0.1, 0.01]})
    spec = landscapes.loss_chart(df, "epoch", "J").to_dict()
    enc = spec["layer"][0]["encoding"]
    assert enc["x"]["axis"]["format"] == "d" and enc["y"]["axis"]["format"] == ",~g"
    assert spec["description"].startswith("Line chart of J against epoch")


def _frame(path, line: int = 1) -> traceback.FrameSummary:
    return traceback.FrameSummary(str(path), line, "f")


def test_the_shorthand_guard_names_the_innermost_frame_of_nnkit_or_a_page():
    altair = _frame("/usr/lib/python3/site-packages/altair/utils/core.py", 912)
    test = _frame(ROOT / "tests/unit/test_x.py", 5)
    page = _frame(ROOT / "pages/derivatives.py", 40)
    builder = _frame(ROOT / "nnkit/plots/fitting.py", 160)
    assert app_frame([test, page, builder, altair]) is builder
    assert app_frame([test, page, altair]) is page
    assert app_frame([test, altair]) is None
    # an nnkit of another checkout, or a name that only starts like one, is not ours
    elsewhere = _frame("/elsewhere/nnkit/plots/fitting.py")
    assert app_frame([test, elsewhere, _frame(ROOT / "nnkit_old/plots.py"), altair]) is None


def test_a_string_shorthand_builds_altairs_schema_table_and_a_typed_channel_does_not(
    monkeypatch,
):
    # What the guard (tests/conftest.py) watches for: if Altair stopped building the table
    # for a string, the guard could no longer fail and this test would say so.
    built = []
    init = _FromDict.__init__

    def counting(self, *args, **kwargs):
        built.append(1)
        init(self, *args, **kwargs)

    monkeypatch.setattr(_FromDict, "__init__", counting)
    chart = alt.Chart(pd.DataFrame({"a": [1.0], "b": [2.0]})).mark_point()
    chart.encode(x=alt.X("a:Q"), tooltip=[alt.Tooltip("b:Q")], opacity=alt.OpacityValue(0.5))
    assert not built
    chart.encode(x="a:Q")
    assert len(built) == 1
    chart.encode(opacity=alt.value(0.5))
    assert len(built) == 2
