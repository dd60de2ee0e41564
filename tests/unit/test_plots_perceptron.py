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
    chart = plots.training_chart(
        X, y, state.w, state.b, (-1, 2), (-1, 2), state.misclassified, state.sample
    )
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
    # counts on both axes: whole-number ticks only (the mistakes axis read 0.5, 1.5, 2.5)
    for channel in ("x", "y"):
        axis = spec["encoding"][channel]["axis"]
        assert axis["tickMinStep"] == 1 and axis["format"] == "d"


def _layer_data(spec, layer):
    return spec["datasets"][layer["data"]["name"]]


def test_replay_chart_draws_the_line_and_title_of_its_own_frame():
    X, y = ds.separable_blobs(40, margin=0.1, noise=0.7, seed=3)
    p = Perceptron(max_epochs=200, seed=1).fit(X, y)
    box = ((-3.0, 3.0), (-3.0, 3.0))
    for k in (0, 1, p.history_.last_frame // 2, p.history_.last_frame):
        s = p.replay(X, y, k)
        spec = plots.replay_chart(X, y, s, *box).to_dict()
        assert spec["title"].startswith(s.position + ":")
        assert s.describe(X).lower().startswith(f"**{s.position}**")
        lines = [
            lyr for lyr in spec["layer"]
            if isinstance(lyr.get("mark"), dict) and lyr["mark"].get("type") == "line"
        ]  # fmt: skip
        if not np.any(s.w):
            assert not lines
            continue
        (line,) = lines
        ends = np.array([[r["x1"], r["x2"]] for r in _layer_data(spec, line)])
        np.testing.assert_allclose(ends @ s.w + s.b, 0.0, atol=1e-9 * (1 + abs(s.b)))
        diamonds = [
            lyr for lyr in spec["layer"]
            if isinstance(lyr.get("mark"), dict) and lyr["mark"].get("shape") == "diamond"
        ]  # fmt: skip
        assert len(diamonds) == (1 if s.is_update else 0)
        if diamonds:
            assert _layer_data(spec, diamonds[0])[0]["index"] == s.sample


@pytest.mark.parametrize("k", [1, 3, 6])
def test_network_diagram_writes_each_neurons_weights_once_beside_it(k):
    rng = np.random.default_rng(k)
    W, b = rng.normal(size=(k, 2)).round(2), rng.normal(size=k).round(2)
    spec = plots.network_diagram(W, b, "tanh").to_dict()
    texts = [
        lyr for lyr in spec["layer"]
        if isinstance(lyr.get("mark"), dict) and lyr["mark"].get("type") == "text"
    ]  # fmt: skip
    captions = [
        r for lyr in texts for r in _layer_data(spec, lyr) if r.get("caption")
        and lyr["encoding"]["text"]["field"] == "caption"
    ]  # fmt: skip
    assert len(captions) == k  # one label per neuron...
    assert all(len(_layer_data(spec, lyr)) <= k + 2 for lyr in texts)  # ...none on the 2k edges
    for j, r in enumerate(sorted(captions, key=lambda r: -r["y"])):
        np.testing.assert_allclose(_numbers(r["caption"]), [*W[j], b[j]], atol=0.006)
    ys = sorted(r["y"] for r in captions)
    # at the default 300 px height, captions at least one 12 px line apart
    assert k == 1 or min(np.diff(ys)) * 300 >= 14


def _numbers(text):
    import re

    return [float(v) for v in re.findall(r"[-+]?\d*\.?\d+", text)]


def test_layer_chart_counts_firing_neurons_on_a_colour_blind_safe_scale():
    W, b = np.array([[0.0, 1.0], [-1.0, -1.0], [1.0, -1.0]]), np.array([0.5, 1.0, 1.0])
    spec = plots.layer_chart(W, b, (-2, 2), (-2, 2)).to_dict()
    scale = spec["layer"][0]["encoding"]["color"]["scale"]
    assert scale["scheme"] == plots.FIRING_SCHEME != "greys"
    assert scale["domain"] == [0, 1, 2, 3]
    lines = [lyr for lyr in spec["layer"][1:] if "color" in lyr.get("encoding", {})]
    (coloured,) = lines
    assert coloured["encoding"]["color"]["scale"]["range"] == list(plots.NEURON_COLORS[:3])
