"""A chart's text alternative mentions a layer only when the chart draws it.

Screen readers read the description instead of the picture: a description that names a
dashed line or diamonds the chart left out (no noise level, no theoretical optimum)
tells a blind student about something that is not there.
"""

from __future__ import annotations

import pandas as pd
import pytest

from nnkit.expr import parse
from nnkit.finite_diff import error_sweep
from nnkit.plots.finite_diff import error_chart
from nnkit.plots.symbolic import pareto_chart


def _layers(spec: dict) -> list[dict]:
    out = []
    for layer in spec.get("layer", []):
        out += _layers(layer) if "layer" in layer else [layer]
    return out


def _marks(spec: dict) -> list[dict]:
    return [
        lyr["mark"] if isinstance(lyr["mark"], dict) else {"type": lyr["mark"]}
        for lyr in _layers(spec)
    ]


@pytest.mark.parametrize("threshold", [None, 0.0, 1e-3])
def test_pareto_description_names_the_noise_line_only_when_drawn(threshold):
    cands = pd.DataFrame(
        {"complexity": [1, 3, 5], "nrmse": [0.5, 0.1, 1e-4], "formula": ["x", "x + 1", "x^2"]}
    )
    front = cands.assign(chosen=[False, False, True], exact=[False, False, True])
    spec = pareto_chart(cands, front, threshold=threshold).to_dict()
    dashed = any(m.get("type") == "rule" and m.get("strokeDash") for m in _marks(spec))
    assert dashed == (threshold is not None and threshold > 0)
    assert ("dashed line" in spec["description"]) == dashed


@pytest.mark.parametrize("stencil_set", ["complex step only", "lecture schemes"])
def test_error_chart_description_names_the_diamonds_only_when_drawn(stencil_set):
    f = parse("sin(x)")
    sweep = (
        error_sweep(f, 0.5, stencils=[], autodiff_too=False)
        if stencil_set == "complex step only"
        else error_sweep(f, 0.5, autodiff_too=False)
    )
    spec = error_chart(sweep).to_dict()
    diamonds = any(m.get("shape") == "diamond" for m in _marks(spec))
    assert diamonds == (stencil_set == "lecture schemes")
    assert ("diamonds" in spec["description"]) == diamonds
