"""nnkit.models: shapes, seeds, the lecture's TorchMLP, Fourier features, SIREN, scaling."""

from __future__ import annotations

import math

import numpy as np
import pytest

from nnkit import activations
from nnkit._torch import torch
from nnkit.models import (
    FourierFeatures,
    ModelSpec,
    Sine,
    count_parameters,
    mlp,
    predict,
    torch_mlp,
)


def test_mlp_shapes_and_layers():
    net = mlp(3, [8, 5], 2, activation="relu")
    assert net(torch.zeros(4, 3)).shape == (4, 2)
    linears = [m for m in net if isinstance(m, torch.nn.Linear)]
    assert [(m.in_features, m.out_features) for m in linears] == [(3, 8), (8, 5), (5, 2)]
    assert isinstance(net[1], torch.nn.ReLU)
    assert count_parameters(net) == 3 * 8 + 8 + 8 * 5 + 5 + 5 * 2 + 2


def test_no_hidden_layer_is_linear():
    net = mlp(2, [], 1)
    assert len(net) == 1 and isinstance(net[0], torch.nn.Linear)


def test_same_seed_same_weights_different_seed_different():
    a, b, c = mlp(2, [16], 1, seed=3), mlp(2, [16], 1, seed=3), mlp(2, [16], 1, seed=4)
    x = torch.randn(10, 2)
    assert torch.equal(a(x), b(x))
    assert not torch.equal(a(x), c(x))


def test_torch_mlp_is_the_lecture_network():
    net = torch_mlp(seed=0)
    kinds = [type(m).__name__ for m in net]
    assert kinds == ["Linear", "ReLU", "Linear", "ReLU"]
    assert (net[0].in_features, net[0].out_features, net[2].out_features) == (2, 3, 1)
    # the output ReLU never predicts a negative value
    with torch.no_grad():
        assert float(net(torch.randn(1000, 2) * 10).min()) >= 0.0


def test_fourier_features_formula():
    ff = FourierFeatures(2, 4, scale=3.0, seed=1)
    x = torch.randn(5, 2)
    z = 2 * math.pi * (x @ ff.B)
    expected = torch.cat([torch.sin(z), torch.cos(z)], dim=1)
    assert torch.allclose(ff(x), expected, atol=1e-5)
    big = FourierFeatures(2, 500, scale=3.0, seed=1)
    assert abs(float(big.B.std()) - 3.0) < 0.3  # frequencies ~ N(0, 3²)
    assert not ff.B.requires_grad and "B" in dict(ff.named_buffers())


def test_fourier_mlp_first_layer_sees_2m_features():
    net = mlp(2, [16], 1, fourier_features=10, fourier_scale=2.0)
    first = next(m for m in net if isinstance(m, torch.nn.Linear))
    assert first.in_features == 20


def test_input_bounds_map_box_to_unit_square_and_output_scale():
    net = mlp(2, [4], 1, input_bounds=([-5.0, 0.0], [5.0, 2.0]), output_scale=(40.0, 20.0))
    aff = net[0]
    assert torch.allclose(
        aff(torch.tensor([[-5.0, 0.0], [5.0, 2.0]])), torch.tensor([[-1.0, -1.0], [1.0, 1.0]])
    )
    inner = torch.nn.Sequential(*list(net)[:-1])
    x = torch.randn(3, 2)
    assert torch.allclose(net(x), 40.0 + 20.0 * inner(x), atol=1e-5)


def test_siren_uses_sine_layers_with_siren_init():
    net = mlp(1, [32, 32], 1, activation="siren", siren_w0=30.0)
    sines = [i for i, m in enumerate(net) if isinstance(m, Sine)]
    assert len(sines) == 2 and all(net[i].w0 == 30.0 for i in sines)
    linears = [m for m in net if isinstance(m, torch.nn.Linear)]
    first, hidden = linears[0], linears[1]
    assert float(first.weight.detach().abs().max()) <= 1.0  # U(-1/fan_in, 1/fan_in), fan_in 1
    assert float(hidden.weight.detach().abs().max()) <= math.sqrt(6 / 32) / 30 + 1e-7
    x = torch.linspace(-1, 1, 7)[:, None]
    with torch.no_grad():
        z = first(x)
        assert torch.equal(net[: sines[0] + 1](x), torch.sin(30.0 * z))
    assert Sine is activations.get("sine").torch_module().__class__  # one Sine module in nnkit


def test_activation_from_registry_and_output_activation():
    net = mlp(1, [4], 1, activation="sigmoid", output_activation="relu")
    assert isinstance(net[1], torch.nn.Sigmoid) and isinstance(net[-1], torch.nn.ReLU)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"hidden": [0]},
        {"activation": "nope"},
        {"init": "zeros"},
        {"output_scale": (0.0, 0.0)},
        {"input_bounds": ([1.0], [0.0])},
    ],
)
def test_bad_arguments_raise_value_error(kwargs):
    args = {"in_features": 1, "hidden": [4], "out_features": 1} | kwargs
    with pytest.raises(ValueError):
        mlp(**args)


@pytest.mark.parametrize(
    ("low", "high", "says"),
    [
        (1e15, 1e15 + 4.0, "about 1 distinct value"),  # one float32 number: a constant input
        (999_999.0, 1e6, "about 17 distinct values"),  # float32 steps of 1/16 there
        (0.0, 1e-300, "too narrow"),  # the scaling 2 / (high - low) overflows float32
        (-1e300, 1e300, "half of float32's range"),
    ],
)
def test_a_box_a_float32_network_cannot_resolve_is_refused_with_what_to_change(low, high, says):
    with pytest.raises(ValueError, match=says) as refused:
        mlp(2, [4], 1, input_bounds=([0.0, low], [1.0, high]))
    assert f"[{low!r}, {high!r}]" in str(refused.value)  # the side at fault, not the other
    assert "widen" in str(refused.value) or "shrink" in str(refused.value)


@pytest.mark.parametrize(("low", "high"), [(1000.0, 1001.0), (0.0, 1e-30), (-1e30, 1e30)])
def test_boxes_float32_resolves_are_accepted(low, high):
    net = mlp(1, [4], 1, input_bounds=([low], [high]))
    x = torch.tensor([[low], [(low + high) / 2], [high]], dtype=torch.float32)
    assert torch.allclose(net[0](x).ravel(), torch.tensor([-1.0, 0.0, 1.0]), atol=1e-3)


def test_spec_build_and_predict():
    spec = ModelSpec(in_features=2, hidden=(8,), activation="tanh", seed=5)
    net = spec.build()
    out = predict(net, np.zeros((7, 2)))
    assert out.shape == (7, 1) and out.dtype == np.float64
    assert np.allclose(
        out,
        predict(
            ModelSpec(in_features=2, hidden=(8,), activation="tanh", seed=5).build(),
            np.zeros((7, 2)),
        ),
    )
