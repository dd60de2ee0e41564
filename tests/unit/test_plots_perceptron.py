"""Chart builders of the perceptron page: valid Vega-Lite, and they draw the data given."""

from __future__ import annotations

import numpy as np
import pytest

from nnkit import datasets as ds
from nnkit.activations import curves
from nnkit.perceptron import Perceptron
from nnkit.plots import perceptron as plots


def _datasets(spec: dict) -> dict:
    return spec.get("datasets", {})


def test_activation_charts_plot_the_table():
    table = curves(["sigmoid", "relu"], (-3, 3), 61)
    for kind in ("value", "derivative"):
        spec = plots.activation_chart(table, kind).to_dict()
        assert spec["encoding"]["y"]["field"] == kind
        (rows,) = _datasets(spec).values()
        assert len(rows) == len(table)
    with pytest.raises(ValueError, match="kind"):
        plots.activation_chart(table, "second")


def test_training_chart_rings_exactly_the_misclassified_points():
    X, y = ds.xor()
    p = Perceptron(max_epochs=3).fit(X, y)
    state = p.replay(X, y, 5)
    chart = plots.training_chart(X, y, state.w, state.b, (-1, 2), (-1, 2), state.misclassified, state.sample)
    spec = chart.to_dict()
    ring_layers = [
        lyr for lyr in spec["layer"]
        if isinstance(lyr.get("mark"), dict) and lyr["mark"].get("color") == plots.MISTAKE_COLOR
    ]  # fmt: skip
    assert len(ring_layers) == (1 if state.n_errors else 0)
    if ring_layers:
        rows = spec["datasets"][ring_layers[0]["data"]["name"]]
        assert sorted(r["index"] for r in rows) == sorted(np.flatnonzero(state.misclassified))


def test_neuron_layer_network_and_mistakes_charts_build():
    cells = plots.neuron_cells((-1, 2), (-1, 2), (1.0, 1.0), -1.5, "sigmoid", steps=20)
    assert len(cells) == 400
    np.testing.assert_allclose(cells["output"], 1 / (1 + np.exp(-cells["z"])))
    plots.neuron_chart(cells, (1.0, 1.0), -1.5, (-1, 2), (-1, 2), (0.0, 1.0)).to_dict()
    W, b = np.array([[0.0, 1.0], [-1.0, -1.0]]), np.array([0.5, 1.0])
    spec = plots.layer_chart(W, b, (-2, 2), (-2, 2)).to_dict()
    region_rows = spec["datasets"][spec["layer"][0]["data"]["name"]]
    assert {r["firing"] for r in region_rows} == {0, 1, 2}
    spec = plots.network_diagram(W, b, "ReLU").to_dict()
    assert spec["title"] == "a layer of 2 ReLU neurons"
    p = Perceptron(max_epochs=5).fit(*ds.xor())
    spec = plots.mistakes_chart(p.history_.epochs, current_epoch=2).to_dict()
    (rows,) = _datasets(spec).values()
    assert [r["mistakes"] for r in rows] == list(p.history_.epochs["mistakes"])
    assert [r["now"] for r in rows] == [e == 2 for e in p.history_.epochs["epoch"]]
