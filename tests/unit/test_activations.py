"""The activation registry: values, derivatives (torch autograd, finite differences), ranges."""

from __future__ import annotations

import math
import subprocess
import sys

import numpy as np
import pytest

from nnkit.activations import ACTIVATIONS, ELU_ALPHA, LEAKY_RELU_SLOPE, Activation, get, names

EXPECTED = [
    "heaviside", "sign", "identity", "sigmoid", "tanh", "relu", "leaky_relu",
    "elu", "softplus", "gelu", "silu", "sine", "gaussian",
]  # fmt: skip

# A grid that avoids the kinks at 0 by a wide margin, plus large |x| tails.
GRID = np.concatenate([np.linspace(-6.0, -0.05, 60), np.linspace(0.05, 6.0, 60)])
TAILS = np.array([-800.0, -60.0, -30.0, 30.0, 60.0, 800.0])


def torch_eval(act: Activation, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Value and autograd derivative of the torch module at x (float64)."""
    from nnkit._torch import torch

    t = torch.tensor(x, dtype=torch.float64, requires_grad=True)
    y = act.torch_module()(t)
    (g,) = torch.autograd.grad(y.sum(), t, allow_unused=True)
    grad = np.zeros_like(x) if g is None else g.detach().numpy()
    return y.detach().numpy(), grad


def test_registry_has_the_lecture_names_in_order():
    assert names() == EXPECTED
    for name, act in ACTIVATIONS.items():
        assert act.name == name
        assert act.label and act.latex and act.range_latex


def test_get_accepts_aliases_and_rejects_unknown_names():
    assert get("SiLU") is ACTIVATIONS["silu"]
    assert get("swish") is ACTIVATIONS["silu"]
    assert get("leaky-relu") is ACTIVATIONS["leaky_relu"]
    with pytest.raises(ValueError, match="choose one of"):
        get("softmaxx")


def test_activation_is_frozen():
    with pytest.raises(AttributeError):
        get("relu").name = "x"  # type: ignore[misc]


def test_known_values():
    x = np.array([-2.0, 0.0, 2.0])
    np.testing.assert_array_equal(get("heaviside").fn(x), [0, 1, 1])
    np.testing.assert_array_equal(get("sign").fn(x), [-1, 0, 1])
    np.testing.assert_allclose(get("sigmoid").fn(x), 1 / (1 + np.exp(-x)), rtol=1e-15)
    np.testing.assert_allclose(get("softplus").fn(0.0), math.log(2), rtol=1e-15)
    np.testing.assert_allclose(get("gelu").fn(1.0), 0.5 * (1 + math.erf(1 / math.sqrt(2))))
    np.testing.assert_allclose(get("leaky_relu").fn(-3.0), -3.0 * LEAKY_RELU_SLOPE)
    np.testing.assert_allclose(get("elu").fn(-1.0), ELU_ALPHA * (math.exp(-1) - 1))
    np.testing.assert_allclose(get("gaussian").fn(1.5), math.exp(-2.25))


@pytest.mark.parametrize("name", EXPECTED)
def test_numpy_matches_torch_module(name):
    act = get(name)
    x = np.concatenate([GRID, TAILS, [0.0]])
    y_torch, _ = torch_eval(act, x)
    # softplus: torch switches to the identity above threshold 20 (error < 2e-9).
    atol = 1e-8 if name == "softplus" else 1e-12
    np.testing.assert_allclose(act.fn(x), y_torch, rtol=1e-12, atol=atol)


@pytest.mark.parametrize("name", EXPECTED)
def test_derivative_matches_torch_autograd(name):
    act = get(name)
    x = np.concatenate([GRID, TAILS])
    _, g_torch = torch_eval(act, x)
    np.testing.assert_allclose(act.deriv(x), g_torch, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("name", EXPECTED)
def test_derivative_matches_central_difference_away_from_kinks(name):
    act = get(name)
    h = 1e-5
    fd = (act.fn(GRID + h) - act.fn(GRID - h)) / (2 * h)
    # central difference error is O(h^2 f''') ~ 1e-10, plus rounding ~ 1e-11
    np.testing.assert_allclose(act.deriv(GRID), fd, rtol=1e-7, atol=1e-8)


@pytest.mark.parametrize(
    ("name", "value", "slope"),
    [("heaviside", 1.0, 0.0), ("sign", 0.0, 0.0), ("relu", 0.0, 0.0),
     ("leaky_relu", 0.0, LEAKY_RELU_SLOPE), ("elu", 0.0, 1.0)],
)  # fmt: skip
def test_values_at_the_kink_follow_torch(name, value, slope):
    act = get(name)
    assert float(act.fn(0.0)) == value
    assert float(act.deriv(0.0)) == slope
    y, g = torch_eval(act, np.array([0.0]))
    assert y[0] == value and g[0] == slope


def test_no_overflow_warnings_for_large_inputs():
    x = np.array([-1e308, -1e4, -745.0, 745.0, 1e4, 1e308])
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        for act in ACTIVATIONS.values():
            y, d = act.fn(x), act.deriv(x)
            assert np.all(np.isfinite(d)), act.name
            assert not np.any(np.isnan(y)), act.name
    np.testing.assert_allclose(get("softplus").fn(1e4), 1e4)
    np.testing.assert_allclose(get("softplus").fn(-800.0), 0.0)
    assert get("sigmoid").fn(-800.0) == 0.0 and get("sigmoid").fn(800.0) == 1.0


def test_sigmoid_derivative_peaks_at_one_quarter():
    x = np.linspace(-10, 10, 20001)
    d = get("sigmoid").deriv(x)
    assert d.max() == pytest.approx(0.25, abs=1e-15)
    assert x[d.argmax()] == pytest.approx(0.0, abs=1e-12)


@pytest.mark.parametrize("name", EXPECTED)
def test_output_stays_in_declared_range(name):
    act = get(name)
    lo, hi = act.output_range
    y = act.fn(np.linspace(-50, 50, 100001))
    assert y.min() >= lo - 1e-15 and y.max() <= hi + 1e-15


@pytest.mark.parametrize("name", ["gelu", "silu"])
def test_declared_minimum_is_the_true_minimum(name):
    from scipy.optimize import brentq

    act = get(name)
    x_star = brentq(act.deriv, -3.0, -0.1, xtol=1e-15)
    assert act.output_range[0] == pytest.approx(float(act.fn(x_star)), rel=1e-13)


def test_importing_activations_does_not_import_torch():
    code = "import sys, nnkit.activations; print('torch' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_torch_module_is_fresh_each_call():
    act = get("relu")
    assert act.torch_module() is not act.torch_module()


@pytest.mark.parametrize("name", EXPECTED)
def test_declared_derivative_supremum(name):
    act = get(name)
    x = np.linspace(-40, 40, 800001)  # step 1e-4
    d = act.deriv(x)
    assert d.max() <= act.deriv_max + 1e-12
    if name == "softplus":  # supremum 1 approached only as x -> inf
        assert d.max() > 1 - 1e-15
    else:
        assert d.max() == pytest.approx(act.deriv_max, abs=1e-8)
    assert act.deriv_max_text


def test_silu_derivative_maximum_by_root_solve():
    from scipy.optimize import brentq

    act = get("silu")
    h = 1e-4
    second = lambda x: (act.deriv(x + h) - act.deriv(x - h)) / (2 * h)  # noqa: E731
    x_star = brentq(second, 1.0, 4.0, xtol=1e-13)
    assert float(act.deriv(x_star)) == pytest.approx(act.deriv_max, abs=1e-9)


def test_curves_and_summary_read_the_plotted_data():
    from nnkit.activations import curves, derivative_summary

    table = curves(["sigmoid", "relu", "heaviside"], (-6, 6), 601)
    assert len(table) == 3 * 601
    assert set(table.columns) == {"name", "label", "x", "value", "derivative"}
    summary = derivative_summary(table, threshold=0.01, depth=10).set_index("name")
    assert summary.loc["sigmoid", "max_derivative"] == 0.25  # grid contains 0
    assert summary.loc["sigmoid", "x_at_max"] == 0.0
    assert summary.loc["sigmoid", "depth_factor"] == pytest.approx(0.25**10)
    # the saturated share is read from the same grid the chart plots
    x = table.loc[table.name == "sigmoid", "x"].to_numpy()
    s = 1 / (1 + np.exp(-x))
    assert summary.loc["sigmoid", "saturated_fraction"] == np.mean(s * (1 - s) < 0.01)
    assert summary.loc["heaviside", "saturated_fraction"] == 1.0
    assert summary.loc["relu", "saturated_fraction"] == pytest.approx(301 / 601)
    with pytest.raises(ValueError, match="low < high"):
        curves(["relu"], (2, 1))


def test_sine_module_has_a_frequency_factor_for_siren():
    # One Sine module serves the registry (w0 = 1) and SIREN layers (w0 = 30).
    from nnkit._activation_modules import Sine
    from nnkit._torch import torch

    x = torch.linspace(-1, 1, 11, dtype=torch.float64, requires_grad=True)
    plain, siren = Sine(), Sine(30.0)
    assert torch.equal(plain(x), torch.sin(x))
    (g,) = torch.autograd.grad(siren(x).sum(), x)
    assert torch.allclose(siren(x), torch.sin(30 * x), rtol=0, atol=1e-15)
    assert torch.allclose(g, 30 * torch.cos(30 * x), rtol=1e-14, atol=0)
    assert siren.w0 == 30.0 and "w0=30" in repr(siren)
    assert type(get("sine").torch_module()) is Sine
