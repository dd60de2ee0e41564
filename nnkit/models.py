"""Networks of lecture 1: multi-layer perceptrons, Fourier features, sine (SIREN) nets.

The one builder is :func:`mlp`. It returns an ordinary ``torch.nn.Sequential`` (so
``print(model)`` reads like the lecture's code) made of:

* an optional input normalisation (``input_bounds``: the training box is mapped to
  [-1, 1]^d; without it a network sees Rastrigin's raw ±5.12 inputs),
* an optional random Fourier-feature encoding ``x -> [sin 2πBx, cos 2πBx]`` with
  ``B ~ N(0, fourier_scale²)`` (Tancik et al. 2020). Plain MLPs have a *spectral
  bias*: they learn low frequencies first and Rastrigin's 100 bumps last; the
  encoding hands the network high frequencies directly,
* ``Linear`` layers with the chosen activation (any name of
  :data:`nnkit.activations.ACTIVATIONS`), or sine layers ``sin(w0 z)`` with SIREN's
  initialisation (Sitzmann et al. 2020) when ``activation="siren"`` (the
  registry's :class:`Sine` with its frequency factor ``w0``),
* an optional output activation and an optional output de-normalisation
  (``output_scale``: the network predicts ``loc + scale * net(x)``, so a target
  ranging over 0..80 does not need large last-layer weights).

Example
-------
>>> import torch
>>> from nnkit.models import mlp
>>> net = mlp(2, [64, 64], 1, activation="tanh", seed=0)
>>> net(torch.zeros(5, 2)).shape
torch.Size([5, 1])

:func:`torch_mlp` is the lecture's ``TorchMLP`` exactly: ``nn.Sequential(Linear(2, 3),
ReLU(), Linear(3, 1), ReLU())``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from nnkit._activation_modules import Sine
from nnkit._float32 import check_float32_box
from nnkit._mlp_shape import INITS
from nnkit._torch import torch

nn = torch.nn

__all__ = [
    "INITS",
    "Affine",
    "FourierFeatures",
    "ModelSpec",
    "Sine",
    "count_parameters",
    "mlp",
    "predict",
    "torch_mlp",
]


class Affine(nn.Module):
    """Fixed (not trained) element-wise map ``x -> (x - shift) * factor``.

    Used to normalise inputs and de-normalise outputs inside the model, so that a
    trained model takes and returns values in the user's units.

    Parameters
    ----------
    shift, factor : array_like
        Broadcastable to the feature dimension; stored as buffers.
    """

    shift: torch.Tensor
    factor: torch.Tensor

    def __init__(self, shift: Sequence[float] | float, factor: Sequence[float] | float) -> None:
        super().__init__()
        self.register_buffer("shift", torch.as_tensor(np.asarray(shift, dtype=np.float32)))
        self.register_buffer("factor", torch.as_tensor(np.asarray(factor, dtype=np.float32)))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """``(x - shift) * factor``, element-wise.

        Parameters
        ----------
        x : torch.Tensor, shape (..., features)
            Input.

        Returns
        -------
        torch.Tensor
            Same shape.
        """
        return (x - self.shift) * self.factor

    def extra_repr(self) -> str:
        """``shift=[...], factor=[...]`` for ``print(model)``."""
        return f"shift={self.shift.tolist()}, factor={self.factor.tolist()}"


class FourierFeatures(nn.Module):
    """Random Fourier-feature encoding ``x -> [sin(2π x B), cos(2π x B)]``.

    Parameters
    ----------
    in_features : int
        Input dimension d.
    n_features : int
        Number m of random frequencies; the output has 2m features.
    scale : float
        Standard deviation σ of the frequencies: ``B ~ N(0, σ²)`` of shape (d, m), in
        cycles per unit of the (normalised) input. Larger σ = higher frequencies
        available = finer detail, but noisier interpolation.
    seed : int
        Seed of B (B is a fixed buffer, not trained).
    """

    B: torch.Tensor

    def __init__(self, in_features: int, n_features: int, scale: float, seed: int = 0) -> None:
        super().__init__()
        g = torch.Generator().manual_seed(int(seed))
        b = torch.randn(in_features, n_features, generator=g) * float(scale)
        self.register_buffer("B", b)
        self.in_features = in_features
        self.n_features = n_features
        self.scale = float(scale)

    @property
    def out_features(self) -> int:
        """Output size ``2 m`` (a sine and a cosine per frequency)."""
        return 2 * self.n_features

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """``[sin(2π x B), cos(2π x B)]``.

        Parameters
        ----------
        x : torch.Tensor, shape (..., in_features)
            Input.

        Returns
        -------
        torch.Tensor, shape (..., 2 n_features)
            Sines first, then cosines.
        """
        z = (2 * math.pi) * (x @ self.B)
        return torch.cat([torch.sin(z), torch.cos(z)], dim=-1)

    def extra_repr(self) -> str:
        """``in=..., m=..., scale=...`` for ``print(model)``."""
        return f"in={self.in_features}, m={self.n_features}, scale={self.scale:g}"


@dataclass(frozen=True)
class ModelSpec:
    """Everything :func:`mlp` needs, as plain data (hashable: usable as a cache key).

    ``ModelSpec(...).build()`` is ``mlp(**asdict(spec))``. Pages keep a spec in their
    state so a trained model can be described and rebuilt.

    Attributes
    ----------
    in_features, out_features : int
        Input and output sizes.
    hidden : tuple of int
        Hidden widths.
    activation, output_activation : str, str or None
        Hidden and output activations.
    init : str
        One of :data:`INITS`.
    fourier_features : int
        Random Fourier frequencies (0: none).
    fourier_scale : float
        Their standard deviation.
    siren_w0 : float
        Frequency factor of ``activation="siren"``.
    input_bounds : ((float, ...), (float, ...)) or None
        Per-feature box mapped to [-1, 1].
    output_scale : (float, float) or None
        ``(loc, scale)`` of the output.
    seed : int
        Seeds the weights and frequencies.
    """

    in_features: int = 2
    hidden: tuple[int, ...] = (64, 64)
    out_features: int = 1
    activation: str = "tanh"
    output_activation: str | None = None
    init: str = "default"
    fourier_features: int = 0
    fourier_scale: float = 1.0
    siren_w0: float = 30.0
    input_bounds: tuple[tuple[float, ...], tuple[float, ...]] | None = None
    output_scale: tuple[float, float] | None = None
    seed: int = 0

    def build(self) -> nn.Sequential:
        """The network this spec describes.

        Returns
        -------
        torch.nn.Sequential
            ``mlp(**asdict(self))`` (see :func:`mlp`).
        """
        return mlp(
            self.in_features,
            self.hidden,
            self.out_features,
            activation=self.activation,
            output_activation=self.output_activation,
            init=self.init,
            fourier_features=self.fourier_features,
            fourier_scale=self.fourier_scale,
            siren_w0=self.siren_w0,
            input_bounds=self.input_bounds,
            output_scale=self.output_scale,
            seed=self.seed,
        )


def _activation_module(name: str) -> nn.Module:
    from nnkit import activations

    return activations.get(name).torch_module()


def _init_linear(layer: nn.Linear, init: str, activation: str) -> None:
    if init == "default":
        return
    w = layer.weight
    if init == "xavier":
        gain = nn.init.calculate_gain("tanh") if activation == "tanh" else 1.0
        nn.init.xavier_uniform_(w, gain=gain)
    elif init == "kaiming":
        nn.init.kaiming_uniform_(w, nonlinearity="relu")
    elif init == "normal":
        nn.init.normal_(w, 0.0, 1.0 / math.sqrt(w.shape[1]))
    else:  # pragma: no cover - validated in mlp()
        raise ValueError(init)
    nn.init.zeros_(layer.bias)


def mlp(
    in_features: int,
    hidden: Sequence[int] = (64, 64),
    out_features: int = 1,
    *,
    activation: str = "tanh",
    output_activation: str | None = None,
    init: str = "default",
    fourier_features: int = 0,
    fourier_scale: float = 1.0,
    siren_w0: float = 30.0,
    input_bounds: tuple[Sequence[float], Sequence[float]] | None = None,
    output_scale: tuple[float, float] | None = None,
    seed: int = 0,
) -> nn.Sequential:
    """Build a multi-layer perceptron.

    Parameters
    ----------
    in_features, out_features : int
        Input and output sizes.
    hidden : sequence of int
        Width of each hidden layer; ``[]`` is a linear model (no hidden layer).
    activation : str, default "tanh"
        A name from :data:`nnkit.activations.ACTIVATIONS` (``"relu"``, ``"tanh"``,
        ``"sigmoid"``, ``"sine"``, ...), or ``"siren"``: sine layers ``sin(w0 z)``
        with SIREN's initialisation (then ``init`` is ignored).
    output_activation : str or None
        Applied after the last layer (``None`` or ``"identity"``: none). The lecture's
        TorchMLP uses ``"relu"`` here, which clips every negative prediction to 0.
    init : {"default", "xavier", "kaiming", "normal"}
        Weight initialisation of the ``Linear`` layers; biases are zeroed unless
        ``"default"`` (PyTorch's uniform ±1/√fan_in for both).
    fourier_features : int, default 0
        Number m of random Fourier frequencies (0: no encoding). The first layer
        then sees 2m features instead of ``in_features``.
    fourier_scale : float, default 1
        Standard deviation of the frequencies, in cycles per unit of the normalised
        input (with ``input_bounds`` the box is [-1, 1]^d).
    siren_w0 : float, default 30
        Frequency factor of ``activation="siren"``.
    input_bounds : (lower, upper) or None
        Per-feature box mapped to [-1, 1] before the first layer.
    output_scale : (loc, scale) or None
        The model returns ``loc + scale * net(x)``.
    seed : int, default 0
        Seeds the weights and the Fourier frequencies: same seed, same network.

    Returns
    -------
    torch.nn.Sequential
        In float32, in training mode.

    Raises
    ------
    ValueError
        On a size < 1, an unknown activation or initialisation.
    """
    if int(in_features) < 1 or int(out_features) < 1:
        raise ValueError("in_features and out_features must be at least 1")
    hidden = [int(h) for h in hidden]
    if any(h < 1 for h in hidden):
        raise ValueError(f"every hidden width must be at least 1, got {hidden}")
    if init not in INITS:
        raise ValueError(f"unknown init {init!r}; choose one of {', '.join(INITS)}")
    if fourier_features < 0:
        raise ValueError("fourier_features must be >= 0")
    siren = activation == "siren" or init == "siren"
    if not siren:
        _activation_module(activation)  # fail early on an unknown name
    if output_activation not in (None, "identity"):
        _activation_module(output_activation)

    with torch.random.fork_rng(devices=[]):  # seed locally: the caller's RNG is left as it was
        # The CPU generator only (the one fork_rng puts back): torch.manual_seed would
        # also reseed every GPU's generator, for good.
        torch.default_generator.manual_seed(int(seed))
        return _build_mlp(
            int(in_features),
            hidden,
            int(out_features),
            activation,
            init,
            fourier_features,
            fourier_scale,
            siren,
            siren_w0,
            output_activation,
            output_scale,
            input_bounds,
            seed,
        )


def _build_mlp(
    in_features: int,
    hidden: list[int],
    out_features: int,
    activation: str,
    init: str,
    fourier_features: int,
    fourier_scale: float,
    siren: bool,
    siren_w0: float,
    output_activation: str | None,
    output_scale: tuple[float, float] | None,
    input_bounds: tuple[Sequence[float], Sequence[float]] | None,
    seed: int,
) -> nn.Sequential:
    layers: list[nn.Module] = []
    if input_bounds is not None:
        lo = np.asarray(input_bounds[0], dtype=float)
        hi = np.asarray(input_bounds[1], dtype=float)
        if lo.shape != hi.shape or np.any(hi <= lo):
            raise ValueError("input_bounds must be (lower, upper) with upper > lower")
        check_float32_box(lo, hi)
        layers.append(Affine((lo + hi) / 2, 2.0 / (hi - lo)))
    width = int(in_features)
    if fourier_features:
        ff = FourierFeatures(width, int(fourier_features), fourier_scale, seed=seed + 7919)
        layers.append(ff)
        width = ff.out_features
    for i, h in enumerate(hidden):
        lin = nn.Linear(width, h)
        if siren:
            bound = 1.0 / width if i == 0 else math.sqrt(6.0 / width) / siren_w0
            with torch.no_grad():
                lin.weight.uniform_(-bound, bound)
                lin.bias.uniform_(-bound, bound)
            layers += [lin, Sine(siren_w0)]
        else:
            _init_linear(lin, init, activation)
            layers += [lin, _activation_module(activation)]
        width = h
    last = nn.Linear(width, int(out_features))
    if siren and hidden:
        bound = math.sqrt(6.0 / width) / siren_w0
        with torch.no_grad():
            last.weight.uniform_(-bound, bound)
            last.bias.zero_()
    elif not siren:
        _init_linear(last, init, "identity")
    layers.append(last)
    if output_activation not in (None, "identity"):
        layers.append(_activation_module(output_activation))
    if output_scale is not None:
        loc, scale = float(output_scale[0]), float(output_scale[1])
        if not (math.isfinite(loc) and math.isfinite(scale) and scale != 0):
            raise ValueError("output_scale must be finite (loc, scale) with scale != 0")
        layers.append(Affine(-loc / scale, scale))  # (y + loc/scale) * scale = loc + scale*y
    return nn.Sequential(*layers)


def torch_mlp(seed: int = 0) -> nn.Sequential:
    """The lecture's ``TorchMLP``: ``Sequential(Linear(2, 3), ReLU(), Linear(3, 1), ReLU())``.

    PyTorch's default initialisation, seeded. The ReLU on the output means the
    network can never predict a negative value, and a unit whose input is negative
    for every sample gets no gradient (a "dead" ReLU).

    Parameters
    ----------
    seed : int
        Seed of the initial weights.

    Returns
    -------
    torch.nn.Sequential
    """
    with torch.random.fork_rng(devices=[]):  # seed locally: the caller's RNG is left as it was
        # The CPU generator only (the one fork_rng puts back): torch.manual_seed would
        # also reseed every GPU's generator, for good.
        torch.default_generator.manual_seed(int(seed))
        return nn.Sequential(nn.Linear(2, 3), nn.ReLU(), nn.Linear(3, 1), nn.ReLU())


def count_parameters(model: nn.Module) -> int:
    """Number of trainable scalars in ``model``.

    Parameters
    ----------
    model : torch.nn.Module
        Any torch module.

    Returns
    -------
    int
        Sum of ``numel()`` over the parameters that require a gradient.
    """
    return int(sum(p.numel() for p in model.parameters() if p.requires_grad))


def predict(model: nn.Module, X: ArrayLike, batch_size: int = 65536) -> np.ndarray:
    """Evaluate ``model`` on a numpy array without gradients.

    The model is switched to evaluation mode for the call and back afterwards.

    Parameters
    ----------
    model : torch.nn.Module
        Takes float32 rows of ``X``.
    X : array_like, shape (n, d) or (n,)
        Inputs (a 1-D array is one feature).
    batch_size : int
        Rows per forward pass (bounds memory on big grids).

    Returns
    -------
    numpy.ndarray, shape (n, out_features)
        As float64.
    """
    X = np.asarray(X, dtype=np.float32)
    if X.ndim == 1:
        X = X[:, None]
    was_training = model.training
    model.eval()
    outs = []
    with torch.no_grad():
        for i in range(0, max(len(X), 1), batch_size):
            outs.append(model(torch.from_numpy(X[i : i + batch_size])).numpy())
    model.train(was_training)
    return np.concatenate(outs, axis=0).astype(float) if outs else np.zeros((0, 1))
