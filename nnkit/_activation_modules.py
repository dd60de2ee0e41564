"""Torch modules for the activations registry (imported lazily by ``nnkit.activations``).

Torch has built-in modules for most activations; the three it lacks are defined here
as tiny ``nn.Module`` classes: :class:`Heaviside` (with a zero gradient, like
``torch.sign``, since ``torch.heaviside`` has no autograd formula), :class:`Sine`
and :class:`Gaussian`.
"""

from __future__ import annotations

from nnkit._torch import torch

nn = torch.nn

__all__ = ["Gaussian", "Heaviside", "Sign", "Sine", "build"]


class _StepFunction(torch.autograd.Function):
    """H(x) = 1 for x >= 0 else 0, with gradient 0 (its derivative almost everywhere)."""

    @staticmethod
    def forward(ctx, x):  # noqa: D102
        return (x >= 0).to(x.dtype)

    @staticmethod
    def backward(ctx, grad_output):  # noqa: D102
        return torch.zeros_like(grad_output)


class Heaviside(nn.Module):
    """Heaviside step H(x) = 1 if x >= 0 else 0; backward gives 0 (as ``torch.sign`` does)."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return _StepFunction.apply(x)


class Sign(nn.Module):
    """sgn(x) in {-1, 0, 1} via ``torch.sign`` (sgn(0) = 0, gradient 0)."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.sign(x)


class Sine(nn.Module):
    """sin(x), the SIREN activation (no frequency factor: scale the weights for that)."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.sin(x)


class Gaussian(nn.Module):
    """exp(-x^2), a bump that responds only near 0."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.exp(-x * x)


def build(name: str) -> nn.Module:
    """A fresh torch module for the registry name ``name`` (see ``nnkit.activations``)."""
    from nnkit.activations import ELU_ALPHA, LEAKY_RELU_SLOPE

    factories = {
        "heaviside": Heaviside,
        "sign": Sign,
        "identity": nn.Identity,
        "sigmoid": nn.Sigmoid,
        "tanh": nn.Tanh,
        "relu": nn.ReLU,
        "leaky_relu": lambda: nn.LeakyReLU(negative_slope=LEAKY_RELU_SLOPE),
        "elu": lambda: nn.ELU(alpha=ELU_ALPHA),
        "softplus": nn.Softplus,
        "gelu": lambda: nn.GELU(approximate="none"),
        "silu": nn.SiLU,
        "sine": Sine,
        "gaussian": Gaussian,
    }
    try:
        return factories[name]()
    except KeyError:
        raise ValueError(f"no torch module for activation {name!r}") from None
