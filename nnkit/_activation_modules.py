"""Torch modules for the activations registry (imported lazily by ``nnkit.activations``).

Torch has built-in modules for most activations; the ones it lacks are defined here
as tiny ``nn.Module`` classes: :class:`Heaviside` (with a zero gradient, like
``torch.sign``, since ``torch.heaviside`` has no autograd formula), :class:`Sign`,
:class:`Sine` (also SIREN's ``sin(w0·x)``: the one definition of it in nnkit) and
:class:`Gaussian`.
"""

from __future__ import annotations

from collections.abc import Callable

from nnkit._torch import torch

nn = torch.nn

__all__ = ["Gaussian", "Heaviside", "Sign", "Sine", "build"]


class _StepFunction(torch.autograd.Function):
    """H(x) = 1 for x >= 0 else 0, with gradient 0 (its derivative almost everywhere)."""

    @staticmethod
    def forward(ctx: torch.autograd.function.FunctionCtx, x: torch.Tensor) -> torch.Tensor:
        """Return 1 where ``x >= 0``, else 0, in ``x``'s dtype."""
        return (x >= 0).to(x.dtype)

    @staticmethod
    def backward(
        ctx: torch.autograd.function.FunctionCtx, grad_output: torch.Tensor
    ) -> torch.Tensor:
        """Pass back a zero gradient (the step's derivative wherever it exists)."""
        return torch.zeros_like(grad_output)


class Heaviside(nn.Module):
    """Heaviside step H(x) = 1 if x >= 0 else 0; backward gives 0 (as ``torch.sign`` does)."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Apply H element-wise."""
        out: torch.Tensor = _StepFunction.apply(x)
        return out


class Sign(nn.Module):
    """sgn(x) in {-1, 0, 1} via ``torch.sign`` (sgn(0) = 0, gradient 0)."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Apply sgn element-wise."""
        return torch.sign(x)


class Sine(nn.Module):
    """``sin(w0 · x)``: the sine activation, and SIREN's with a frequency factor ``w0``.

    Parameters
    ----------
    w0 : float, default 1.0
        Frequency factor. 1 is plain ``sin(x)`` (the registry's "sine"); SIREN
        (Sitzmann et al., 2020) uses 30 together with its weight initialisation.
    """

    def __init__(self, w0: float = 1.0) -> None:
        super().__init__()
        self.w0 = float(w0)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Apply ``sin(w0 · x)`` element-wise."""
        return torch.sin(x if self.w0 == 1.0 else self.w0 * x)

    def extra_repr(self) -> str:
        """Show ``w0`` in the module's repr."""
        return f"w0={self.w0:g}"


class Gaussian(nn.Module):
    """exp(-x^2), a bump that responds only near 0."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Apply ``exp(-x²)`` element-wise."""
        return torch.exp(-x * x)


def build(name: str) -> nn.Module:
    """Make a fresh torch module for the registry name ``name`` (see ``nnkit.activations``).

    Parameters
    ----------
    name : str
        A key of ``nnkit.activations.ACTIVATIONS``.

    Returns
    -------
    torch.nn.Module
        Built-in where torch has one, else one of this module's.

    Raises
    ------
    ValueError
        For a name with no torch module.
    """
    from nnkit.activations import ELU_ALPHA, LEAKY_RELU_SLOPE

    factories: dict[str, Callable[[], nn.Module]] = {
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
