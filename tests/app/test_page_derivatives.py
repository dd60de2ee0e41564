"""Derivatives page: every control changes the plot; bad input gives a message, never a crash."""

from __future__ import annotations

import pandas as pd
import pyarrow as pa
import pytest

from nnkit import finite_diff as fd
from nnkit.expr import parse
from tests.app.conftest import assert_missing_numbers_show_a_dash, assert_no_exception

PAGE = "pages/derivatives.py"


def _chart(at):
    charts = at.get("vega_lite_chart")
    assert charts, "no chart on the page"
    return charts[0]


def _frames(at) -> list[pd.DataFrame]:
    """The data sets of the error chart (Arrow tables Streamlit ships with the spec)."""
    return [pa.ipc.open_stream(ds.data.data).read_pandas() for ds in _chart(at).proto.datasets]


def _methods(at) -> set[str]:
    """Methods drawn as measured curves in the error chart."""
    for frame in _frames(at):
        if "curve" in frame:
            return set(frame.loc[frame.curve == "measured", "method"])
    raise AssertionError("error chart has no curves")


def _data(at) -> str:
    return "|".join(f.to_csv() for f in _frames(at))


def test_first_load_shows_the_v_the_table_and_the_stencil(app_page):
    at = app_page(PAGE).run()
    assert_no_exception(at)
    assert not at.error
    assert _methods(at) == {
        "forward O(h)",
        "central O(h²)",
        "central O(h⁴)",
        "complex step",
        "autodiff (nnkit engine)",
    }
    # The "what you see" lines are those the library computes for the same sweep.
    schemes = [("forward", 1), ("central", 2), ("central", 4)]
    sweep = fd.error_sweep(
        parse("sin(x)*exp(-x^2)"),
        0.5,
        1,
        fd.stencils_for(1, schemes),
        engine_too=True,
        autodiff_too=False,
    )
    text = " ".join(m.value for m in at.markdown)
    lines = fd.what_you_see(sweep)
    assert len(lines) >= 3 and all(line in text for line in lines)
    slopes = sweep.summary.set_index("method").fitted_order
    assert f"{slopes['central O(h²)']:.2f}" in text
    assert any("\\approx" in x.value for x in at.latex)  # the stencil in LaTeX
    assert any("e^{- x^{2}}" in x.value for x in at.latex)  # f and its exact derivative
    assert len(at.dataframe) >= 3  # fitted orders, weights, one-h table
    assert len(at.get("vega_lite_chart")) == 2  # error plot + weight diagram


def test_each_control_changes_the_plot(app_page):
    at = app_page(PAGE).run()
    base = _data(at)

    at.text_input(key="fd_formula").set_value("exp(x)").run()
    assert_no_exception(at)
    after_formula = _data(at)
    assert after_formula != base

    at.number_input(key="fd_x0").set_value(1.3).run()
    after_x0 = _data(at)
    assert after_x0 != after_formula

    at.checkbox(key="fd_engine").uncheck().run()
    assert "autodiff (nnkit engine)" not in _methods(at)
    at.checkbox(key="fd_engine").check().run()

    at.radio(key="fd_order").set_value(2).run()
    assert_no_exception(at)
    assert "complex step" not in _methods(at)  # first derivative only, said in a note
    assert at.info
    after_order = _data(at)
    assert after_order != after_x0

    at.multiselect(key="fd_schemes").set_value(["backward O(h²)"]).run()
    assert _methods(at) == {"backward O(h²)"}  # torch's autograd is off at first

    at.checkbox(key="fd_ad").check().run()
    assert _methods(at) == {"backward O(h²)", "autodiff (torch)"}
    at.checkbox(key="fd_ad").uncheck().run()
    assert _methods(at) == {"backward O(h²)"}

    before = _data(at)
    at.checkbox(key="fd_model").uncheck().run()
    assert _data(at) != before  # theory lines gone

    before = _data(at)
    at.select_slider(key="fd_range").set_value((-10, -1)).run()
    assert_no_exception(at)
    assert _data(at) != before

    at.radio(key="fd_mode").set_value("Custom stencil").run()
    assert_no_exception(at)
    assert _methods(at) == {"central O(h²)"}  # 3rd derivative, accuracy 2, central
    assert any("f'''(x)" in x.value for x in at.latex)
    before = _data(at)
    at.number_input(key="fd_custom_acc").set_value(4).run()
    assert _methods(at) == {"central O(h⁴)"} and _data(at) != before
    at.selectbox(key="fd_custom_kind").set_value("forward").run()
    assert _methods(at) == {"forward O(h⁴)"}
    at.number_input(key="fd_custom_order").set_value(1).run()
    assert_no_exception(at)


def test_example_picker_fills_the_box(app_page):
    at = app_page(PAGE).run()
    at.selectbox(key="fd_formula__example").set_value("log(1+x^2)").run()
    assert_no_exception(at)
    assert at.text_input(key="fd_formula").value == "log(1+x^2)"


def test_invalid_formula_shows_a_message_and_keeps_the_text(app_page):
    at = app_page(PAGE).run()
    at.text_input(key="fd_formula").set_value("sin(x) + __import__('os')").run()
    assert_no_exception(at)
    assert at.error and "_" in at.error[0].value  # the offending character is named
    assert at.text_input(key="fd_formula").value == "sin(x) + __import__('os')"
    assert any("^" in c.value for c in at.code)  # caret under the offending character
    # Fixing it brings the plot back.
    at.text_input(key="fd_formula").set_value("sin(x)").run()
    assert not at.error and _methods(at)


def test_point_outside_the_domain_is_a_message(app_page):
    at = app_page(PAGE).run()
    at.text_input(key="fd_formula").set_value("log(x)").run()
    at.number_input(key="fd_x0").set_value(-1.0).run()
    assert_no_exception(at)
    assert at.error and not at.get("vega_lite_chart")
    # Controls still work: move back into the domain.
    at.number_input(key="fd_x0").set_value(2.0).run()
    assert not at.error and _methods(at)


def test_a_denormal_point_is_differentiated_not_a_traceback(app_page):
    # x0 = 5e-324: f^(k)(x0) / k! rounds to 0 in the Taylor scale (a ZeroDivisionError once)
    at = app_page(PAGE).run()
    at.number_input(key="fd_x0").set_value(5e-324).run()
    assert_no_exception(at)
    assert _methods(at) and not at.error  # the whole V and its table, at a denormal point


def test_bad_step_and_impossible_stencil_are_messages(app_page):
    at = app_page(PAGE).run()
    at.number_input(key="fd_h").set_value(0.0).run()
    assert_no_exception(at)
    assert len(at.error) == 1 and "0" in at.error[0].value
    assert _methods(at)  # the plot is still there
    assert len(at.dataframe) == 2  # summary and weights; no one-step table

    at.number_input(key="fd_h").set_value(1e-3).run()
    at.radio(key="fd_mode").set_value("Custom stencil").run()
    at.number_input(key="fd_custom_acc").set_value(3).run()  # central needs even accuracy
    assert_no_exception(at)
    assert len(at.error) == 1 and "3" in at.error[0].value  # the accuracy asked for
    # 3rd derivative, no stencil: the complex step and the engine cannot draw it, and
    # torch's autograd is off: a message that says what to tick, no empty chart
    assert not at.get("vega_lite_chart")
    assert len(at.warning) == 1 and "autodiff (torch autograd)" in at.warning[0].value
    at.checkbox(key="fd_ad").check().run()
    assert_no_exception(at)
    assert _methods(at) == {"autodiff (torch)"}  # 3rd derivative: autodiff only
    assert not at.warning


def test_a_second_derivative_with_no_scheme_asks_for_one(app_page):
    at = app_page(PAGE).run()
    at.radio(key="fd_order").set_value(2).run()
    at.multiselect(key="fd_schemes").set_value([]).run()
    assert_no_exception(at)
    assert not at.get("vega_lite_chart")
    assert len(at.warning) == 1 and "first derivative only" in at.warning[0].value
    at.radio(key="fd_order").set_value(1).run()  # the complex step and the engine again
    assert _methods(at) == {"complex step", "autodiff (nnkit engine)"}
    assert not at.warning


def test_huge_step_and_branch_point_are_not_tracebacks(app_page):
    # h = 1e300 in the one-step box raised OverflowError in the model column; asin at 1
    # showed rounding noise (1.8e75) as "the exact value" of a derivative that is infinite.
    at = app_page(PAGE).run()
    at.number_input(key="fd_h").set_value(1e300).run()
    assert_no_exception(at)
    assert _methods(at) and len(at.dataframe) == 3  # summary, weights, one-step table
    assert len(at.warning) == 1 and "1e+300" in at.warning[0].value
    at.number_input(key="fd_h").set_value(1e-3).run()
    assert not at.warning  # a sensible h: no warning left behind
    at.text_input(key="fd_formula").set_value("asin(x)").run()
    at.number_input(key="fd_x0").set_value(1.0).run()
    assert_no_exception(at)
    assert at.error and not at.get("vega_lite_chart")  # no "exact value" to show
    assert not any("e+75" in m.value for m in at.markdown)


def test_displayed_numbers_equal_an_independent_computation(app_page):
    # Review: the first-load test only checked that numbers appear. Recompute them here
    # from the lecture's formulas typed by hand and mpmath's own derivatives.
    import math

    import mpmath

    at = app_page(PAGE).run()
    assert_no_exception(at)

    def f(t):
        return math.sin(t) * math.exp(-t * t)

    x0, h = 0.5, 1e-3
    with mpmath.workdps(40):
        fm = lambda t: mpmath.sin(t) * mpmath.exp(-t * t)  # noqa: E731
        exact = float(mpmath.diff(fm, mpmath.mpf(x0)))
        f3 = abs(float(mpmath.diff(fm, mpmath.mpf(x0), 3)))
    text = " ".join(m.value for m in at.markdown)
    assert f"`{exact!r}`" in text

    # The one-step table: estimates of the lecture's formulas at h = 1e-3.
    table = at.dataframe[-1].value.set_index("method")
    by_hand = {
        "forward O(h)": (f(x0 + h) - f(x0)) / h,
        "central O(h²)": (f(x0 + h) - f(x0 - h)) / (2 * h),
        "central O(h⁴)": (-f(x0 + 2 * h) + 8 * f(x0 + h) - 8 * f(x0 - h) + f(x0 - 2 * h))
        / (12 * h),
    }
    for method, value in by_hand.items():
        assert table.loc[method, "exact"] == exact
        # round-off of the weighted sum: a few ulps of f divided by h
        assert table.loc[method, "estimate"] == pytest.approx(value, abs=8 * 2.0**-53 / h)

    # h* for central O(h²): minimise M h²/6 + ε F / h, so h* = (3 ε F / M)^(1/3).
    F = abs(f(x0)) + abs(x0 * exact)
    h_star = (3 * 2.0**-53 * F / f3) ** (1 / 3)
    summary = at.dataframe[0].value.set_index("method")
    assert summary.loc["central O(h²)", "h* (theory)"] == pytest.approx(h_star, rel=1e-9)


def test_a_function_the_engine_lacks_points_to_torchs_autograd(app_page):
    # nnkit's engine has no erf: with torch's autograd off (its default) the plot would
    # have no autodiff line, and the page says which box draws one
    def hint(at):
        return [c.value for c in at.caption if "tick **autodiff (torch autograd)**" in c.value]

    at = app_page(PAGE).run()
    assert not hint(at) and "autodiff (nnkit engine)" in _methods(at)
    at.text_input(key="fd_formula").set_value("erf(x)").run()
    assert_no_exception(at)
    assert hint(at) and not {"autodiff (nnkit engine)", "autodiff (torch)"} & _methods(at)
    at.checkbox(key="fd_ad").check().run()
    assert not hint(at) and "autodiff (torch)" in _methods(at)


def test_a_polynomial_s_missing_slope_and_optimum_are_dashes_not_none(app_page):
    # x²: the central schemes have no truncation error, so no fitted slope, h* or E*: the
    # table drew those cells as "None" (seen in Chromium).
    at = app_page(PAGE).run()
    at.text_input(key="fd_formula").set_value("x^2").run()
    assert_no_exception(at)
    table = next(t.value for t in at.dataframe if "fitted slope" in t.value.columns)
    central = table[table["method"].str.startswith("central")]
    assert (
        len(central) and central[["fitted slope", "h* (theory)", "E* (theory)"]].isna().all().all()
    )
    assert_missing_numbers_show_a_dash(at)
