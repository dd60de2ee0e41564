"""The pure parts of nnkit.ui's generic widgets and formatting (no Streamlit run needed)."""

from __future__ import annotations

import math
from urllib.parse import parse_qsl

from nnkit.ui.format import number
from nnkit.ui.widgets import Setting, query_string, query_value


def test_query_values_read_back_as_the_same_number():
    for v in (0.01, 1e-05, 0.9999, 123456.0, 2.5):
        assert float(query_value(v)) == v
    assert query_value(7) == "7" and query_value("Rosenbrock") == "Rosenbrock"


def test_query_string_keeps_non_defaults_in_order_and_repeats_lists():
    settings = [Setting("lr", 0.01), Setting("opts", ["a", "b"], str.upper), Setting("n", 3)]
    assert query_string(settings, {}) == ""  # missing values count as defaults
    assert query_string(settings, {"lr": 0.01, "opts": ["a", "b"], "n": 3}) == ""
    q = query_string(settings, {"lr": 0.02, "opts": ("b",), "n": 4})
    assert parse_qsl(q) == [("lr", "0.02"), ("opts", "B"), ("n", "4")]
    assert parse_qsl(query_string([("x", "", str)], {"x": "a b&c"})) == [("x", "a b&c")]


def test_number_switches_to_significant_digits_once_big():
    assert number(2.966102) == "2.96610"
    assert number(-1234.5, decimals=1) == "-1234.5"
    assert float(number(3.14159e5)) == 3.142e5 and len(number(3.14159e5)) < 12
    assert number(12.0, big=10) == "12" and number(math.inf) == "inf"


def test_significant_and_fixed_formats():
    from nnkit.ui.format import fixed, significant

    assert significant(0.012345) == "0.01235"
    assert significant(1.2344e-7) == "1.234e-07"
    assert significant(123456.0) == "1.235e+05"
    assert significant(0.0) == "0"
    assert significant(None) == "n/a" and significant(float("nan")) == "n/a"
    assert significant(float("inf")) == "inf"
    assert fixed(1234.5, 1) == "1,234.5" and fixed(float("nan")) == "n/a" and fixed(None) == "n/a"
