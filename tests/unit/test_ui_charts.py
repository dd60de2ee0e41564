"""nnkit.ui.charts: the pages draw the same Vega-Lite spec, without validating it."""

from __future__ import annotations

import json

import altair as alt
import numpy as np
import pandas as pd
import pytest

from nnkit.ui.charts import unvalidated


def _chart(rows: int = 20) -> alt.LayerChart:
    frame = pd.DataFrame({"x": np.arange(rows, dtype=float), "y": np.arange(rows) ** 2.0})
    base = alt.Chart(frame).encode(alt.X("x:Q"), alt.Y("y:Q"))
    return (base.mark_line() + base.mark_point()).properties(title="squares")


def _invalid() -> alt.Chart:
    chart = alt.Chart(pd.DataFrame({"x": [1.0]})).mark_point()
    chart.mark = {"type": "point", "size": "big"}  # a string where the schema wants a number
    return chart


def test_the_spec_is_the_same_and_is_not_validated():
    assert unvalidated(_chart()).to_dict() == _chart().to_dict()
    with pytest.raises(alt.utils.schemapi.SchemaValidationError):
        _invalid().to_dict()  # Altair validates by default ...
    spec = unvalidated(_invalid()).to_dict()  # ... this chart no longer does
    assert spec["mark"] == {"type": "point", "size": "big"}


def test_only_that_chart_changes():
    chart = unvalidated(_chart())
    spec = chart.to_dict()
    assert "to_dict" not in spec and "copy" not in spec  # not stored as spec properties
    assert type(chart) is alt.LayerChart
    with pytest.raises(alt.utils.schemapi.SchemaValidationError):
        _invalid().to_dict()  # other charts (and the class) still validate
    assert chart.to_dict(validate=True) == _chart().to_dict()  # still possible on request


def test_converting_a_layered_chart_does_not_build_it_again(monkeypatch):
    """Altair's to_dict starts from a shallow copy, which for a LayerChart runs its
    constructor again (every layer deep-copied twice); an unvalidated chart's does not."""
    chart, built = unvalidated(_chart()), []
    init = alt.LayerChart.__init__
    monkeypatch.setattr(
        alt.LayerChart, "__init__", lambda s, *a, **k: built.append(1) or init(s, *a, **k)
    )
    spec = chart.to_dict()
    assert built == []
    _chart().to_dict()
    assert len(built) >= 2  # the two _chart() builds itself, and its to_dict's copy
    monkeypatch.undo()
    assert spec == _chart().to_dict()
    assert chart.copy(deep=True).to_dict() == spec  # a deep copy is Altair's own


def test_streamlit_draws_the_same_spec_and_keeps_its_data_as_arrow(tmp_path):
    from streamlit.testing.v1 import AppTest

    script = tmp_path / "page.py"
    script.write_text(
        "import altair as alt, numpy as np, pandas as pd, streamlit as st\n"
        "from nnkit.ui.charts import altair_chart\n"
        "frame = pd.DataFrame({'x': np.arange(6000.0), 'y': np.arange(6000.0) ** 2})\n"
        "def chart():\n"
        "    return alt.Chart(frame).mark_line().encode(alt.X('x:Q'), alt.Y('y:Q'))\n"
        "st.altair_chart(chart(), width='stretch')\n"
        "altair_chart(chart(), width='stretch')\n"
        "left, right = st.columns(2)\n"
        "altair_chart(chart(), width='stretch', container=right)\n"
        "drawn = chart()\n"
        "altair_chart(drawn)\n"
        "st.session_state['left_as_it_was'] = 'to_dict' not in vars(drawn)\n"
    )
    at = AppTest.from_file(str(script), default_timeout=60).run()
    assert not at.exception
    charts = [e.proto for e in at.get("vega_lite_chart")]
    assert len(charts) == 4 and at.session_state["left_as_it_was"]
    specs = [json.loads(c.spec) for c in charts]
    assert specs[1] == specs[0] and specs[2] == specs[0] and specs[3] == specs[0]
    # 6,000 rows: above Altair's inline limit (5,000), so the data went as Arrow, as before
    assert all(len(c.datasets) == 1 for c in charts)
    assert charts[1].datasets[0].data.data == charts[0].datasets[0].data.data
