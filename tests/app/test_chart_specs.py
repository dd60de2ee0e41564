"""The app tests' chart check: what a page drew through nnkit.ui.charts (not validated
while it serves) is still validated against Vega-Lite's schema, and must carry a description, in the page's tests."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from tests.app.conftest import invalid_chart_specs

PAGE = """
import altair as alt, pandas as pd
from nnkit.ui.charts import altair_chart
chart = alt.Chart(pd.DataFrame({"x": [1.0, 2.0]})).mark_point().encode(alt.X("x:Q"))
altair_chart(chart.properties(title="fine", description="Points of x."))
altair_chart(chart.properties(title="mute"))  # valid, but nothing for a screen reader
broken = chart.properties(title="broken", description="A point too big.")
broken.mark = {"type": "point", "size": "big"}  # a string where the schema wants a number
altair_chart(broken)
"""


def test_an_invalid_or_undescribed_chart_is_reported_by_title_and_a_valid_one_is_not(tmp_path):
    script = tmp_path / "page.py"
    script.write_text(PAGE)
    at = AppTest.from_file(str(script), default_timeout=60).run()
    assert not at.exception and len(at.get("vega_lite_chart")) == 3  # all drawn
    problems = invalid_chart_specs(at)
    assert len(problems) == 2 and problems[0].startswith("mute: no description")
    assert problems[1].startswith("broken: ")
    assert invalid_chart_specs(AppTest.from_file(str(script))) == []  # never run: nothing
