"""The Automatic differentiation page: formula in, graph out, backward pass step by step."""

from __future__ import annotations

import json
import math
import re

import pytest

from nnkit import autodiff as ad
from nnkit.expr import parse
from tests.app.conftest import assert_no_exception

PAGE = "pages/autodiff.py"


def _dot(at) -> str:
    charts = at.get("graphviz_chart")
    assert charts, "no graph drawn"
    return charts[0].proto.spec


def _button(at, label):
    return next(b for b in at.button if b.label == label)


def _markdown(at) -> str:
    return "\n".join(m.value for m in at.markdown)


def _counter(at) -> tuple[int, int]:
    """(step, number of steps) from the step counter beside the buttons."""
    match = re.search(r"(\d+) of (\d+)", _markdown(at))
    assert match, "no step counter"
    return int(match[1]), int(match[2])


def test_first_load_shows_the_composition_graph_with_values_only(app_page):
    at = app_page(PAGE).run()
    assert_no_exception(at)
    dot = _dot(at)
    # exp(x*y + sin(x)) at x=0.5, y=-1.2: six nodes, forward values only.
    f = math.exp(0.5 * -1.2 + math.sin(0.5))
    assert f"value {f:.4g}" in dot and "grad" not in dot.split("edge [")[1]
    assert _counter(at) == (0, 4)  # four nodes with parents: four steps


def test_stepping_through_the_backward_pass(app_page):
    at = app_page(PAGE).run()
    _button(at, "Step ▶").click().run()
    assert_no_exception(at)
    assert _counter(at) == (1, 4)
    dot = _dot(at)
    assert "#ffd54f" in dot  # the current node is highlighted
    table = at.dataframe[0].value
    assert list(table["child"]) == ["n5"] and table["child.grad"].iloc[0] == 1.0
    # The table shows its numbers to the sentence's ten digits (not Streamlit's 4 decimals).
    shown = json.loads(at.dataframe[0].proto.columns)
    local = table["local derivative"].iloc[0]  # d exp(u)/du = exp(x·y + sin x)
    fmt = shown["local derivative"]["type_config"]["format"]
    assert fmt % local == f"{math.exp(0.5 * -1.2 + math.sin(0.5)):.10g}"
    # Forward to the end: the reference table appears and agrees with the exact gradient.
    for _ in range(3):
        _button(at, "Step ▶").click().run()
    assert_no_exception(at)
    assert _counter(at) == (4, 4)
    assert _button(at, "Step ▶").disabled
    refs = at.dataframe[1].value
    x, y = 0.5, -1.2
    f = math.exp(x * y + math.sin(x))
    exact = {"x": f * (y + math.cos(x)), "y": f * x}
    for _, row in refs.iterrows():
        assert row["autodiff"] == pytest.approx(exact[row["variable"]], rel=1e-14)
        assert row["torch"] == pytest.approx(exact[row["variable"]], rel=1e-14)
        assert row["central difference"] == pytest.approx(exact[row["variable"]], rel=1e-8)
    # Back one step: the references are hidden again, the step index is kept.
    _button(at, "◀ Back").click().run()
    assert _counter(at) == (3, 4)
    assert len(at.dataframe) == 2  # the step table and the pitfall table, no references
    _button(at, "Reset").click().run()
    assert _counter(at) == (0, 4)


def test_backward_button_and_a_typed_formula(app_page):
    at = app_page(PAGE).run()
    at.text_input(key="ad_vars").input("a, b").run()
    at.text_input(key="ad_formula").input("a*b + log(a)").run()
    at.number_input(key="ad_val_a").set_value(2.0).run()
    at.number_input(key="ad_val_b").set_value(3.0).run()
    _button(at, "Backward").click().run()
    assert_no_exception(at)
    dot = _dot(at)
    assert "grad ?" not in dot and "value 6.693" in dot  # 2*3 + log 2
    refs = at.dataframe[-2].value  # the reference table (the pitfall table is last)
    grads = dict(zip(refs["variable"], refs["autodiff"], strict=True))
    assert grads["a"] == pytest.approx(3.0 + 0.5, rel=1e-15)
    assert grads["b"] == pytest.approx(2.0, rel=1e-15)


def test_pitfall_example_shows_naive_rule_wrong(app_page):
    at = app_page(PAGE).run()
    at.selectbox(key="ad_example").select("Pitfall: x·x (one node used twice)").run()
    assert_no_exception(at)
    assert at.text_input(key="ad_formula").value == "x*x"
    naive = at.dataframe[-1].value
    row = naive.iloc[0]
    assert row["naive (parents.index)"] == 3.0 and row["backward()"] == 6.0
    # The note is the library's, for the graph the page drew.
    f = parse("x*x", ("x",))
    graph = ad.graph_from_formula(f, {"x": 3.0}, powers_as_products=True)
    expected = ad.pitfall(graph)
    assert expected.wrong == ("x",)
    assert expected.note() in _markdown(at)
    assert _dot(at).count("n0 -> n1") == 2  # x drawn feeding the product twice


def test_bad_formula_gives_a_message_and_keeps_the_text(app_page):
    at = app_page(PAGE).run()
    at.text_input(key="ad_formula").input("x*(y+").run()
    assert_no_exception(at)
    assert at.error, "no error shown"
    assert at.text_input(key="ad_formula").value == "x*(y+"
    assert not at.get("graphviz_chart")


def test_bad_variables_and_unsupported_function_give_messages(app_page):
    at = app_page(PAGE).run()
    at.text_input(key="ad_vars").input("x, 2y").run()
    assert_no_exception(at)
    assert at.error and "2y" in at.error[0].value  # the bad name is quoted
    assert not at.get("graphviz_chart")
    at.text_input(key="ad_vars").input("x, y").run()
    at.text_input(key="ad_formula").input("atan(x) + y").run()
    assert_no_exception(at)
    assert at.error and "atan" in at.error[0].value  # the function it has no node for
    assert not at.get("graphviz_chart")


def test_large_graph_is_collapsed_with_a_note(app_page):
    at = app_page(PAGE).run()
    long = " + ".join(f"sin({k}*x + y)" for k in range(1, 16))
    at.text_input(key="ad_formula").input(long).run()
    assert_no_exception(at)
    size = ad.graph_from_formula(parse(long, ("x", "y")), {"x": 1.0, "y": 1.0}).size
    assert size > 50
    # The warning gives both numbers; the drawing has 50 nodes plus the collapsed box.
    assert at.warning and {"50", str(size), str(size - 50)} <= set(
        re.findall(r"\d+", at.warning[0].value)
    )
    dot = _dot(at)
    assert "collapsed [" in dot
    assert len(re.findall(r"^  n\d+ \[label=", dot, flags=re.M)) == 50


def test_infinite_gradient_is_named_not_hidden_in_the_note(app_page):
    # sqrt(b) at b = 0: the b-gradient is inf; the note must say so instead of "agrees".
    at = app_page(PAGE).run()
    at.text_input(key="ad_vars").input("a, b").run()
    at.text_input(key="ad_formula").input("a*b + sqrt(b)").run()
    at.number_input(key="ad_val_a").set_value(2.0).run()
    at.number_input(key="ad_val_b").set_value(0.0).run()
    _button(at, "Backward").click().run()
    assert_no_exception(at)
    refs = at.dataframe[-2].value
    found = ad.agreement(refs)
    assert found.compared == ("a",)  # gaps are summarised over a only
    assert found.nonfinite == (("b", math.inf, math.inf),) and found.same_ieee
    assert ad.agreement_note(refs) in _markdown(at)
