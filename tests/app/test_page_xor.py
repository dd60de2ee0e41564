"""AppTest: the XOR page shows decision boundaries and the success rate over 20 seeds."""

from __future__ import annotations

import pytest

from tests.app.conftest import assert_no_exception

PAGE = "pages/xor.py"


def _metrics(at) -> list[str]:
    return [m.value for m in at.metric]


def test_default_two_units_solve_xor_and_one_neuron_cannot(app_page):
    at = app_page(PAGE).run()
    assert_no_exception(at)
    mine, line = _metrics(at)
    assert mine == "100.0%"  # 2 → 2 → 1, seed 0: a known success
    assert float(line.rstrip("%")) <= 75.0  # a line separates at most 3 of 4 corners
    table = at.dataframe[0].value
    assert len(table) == 1 + 8 + 8  # no hidden layer, 1 and 2 layers × 1..8 units
    zero = table[table["layers"] == 0].iloc[0]
    assert zero["successes"] == 0 and zero["seeds"] == 20
    notes = [m.value for m in at.markdown if m.value.startswith("**What you see.**")]
    assert len(notes) == 2
    assert "solved in 0 of 20 seeds" in notes[1]
    two = table[(table["layers"] == 1) & (table["units"] == 2)].iloc[0]
    assert f"solves it in {two['successes']} of 20" in notes[1]

    # a bad seed for 2 units: the page says the run failed instead of pretending
    at.number_input(key="xor_seed").set_value(5).run()
    assert_no_exception(at)
    assert _metrics(at)[0] != "100.0%"
    assert "this run failed" in [m.value for m in at.markdown if m.value.startswith("**What")][0]

    at.radio(key="xor_layers").set_value(0).run()
    assert_no_exception(at)
    assert float(_metrics(at)[0].rstrip("%")) <= 75.0


@pytest.mark.slow
def test_noisy_xor(app_page):
    at = app_page(PAGE).run()
    at.radio(key="xor_data").set_value("noisy XOR").run()
    assert_no_exception(at)
    assert "ideal rule" in at.metric[0].help
    assert len(at.dataframe[0].value) == 17


def test_the_study_respects_the_time_cap_and_says_so(app_page, monkeypatch):
    import nnkit.ui.policy
    from nnkit.limits import Limits

    monkeypatch.setattr(nnkit.ui.policy, "LIMITS", Limits(max_train_seconds=0.05))
    at = app_page(PAGE)
    at.run()
    assert_no_exception(at)
    warnings = [w.value for w in at.warning]
    assert any("time cap" in w and "lower bounds" in w for w in warnings), warnings
