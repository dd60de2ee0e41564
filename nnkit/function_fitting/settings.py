"""One fitting experiment's settings: the network and its training recipe, and the presets.

:class:`FitSettings` is hashable (a cache key and a job config). Its architecture
becomes a :class:`nnkit.models.ModelSpec`, its training recipe a
:class:`nnkit.training.TrainConfig` (every field the two share has the same name and
meaning), so the recipe is spelled out once, in :class:`~nnkit.training.TrainConfig`.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import TYPE_CHECKING, Any

import numpy as np

from nnkit._mlp_shape import dense_parameters
from nnkit._text import counted
from nnkit.function_fitting.targets import Target
from nnkit.limits import Limits

if TYPE_CHECKING:
    from nnkit._torch import torch
    from nnkit.models import ModelSpec
    from nnkit.training import TrainConfig, Trainer

__all__ = [
    "BATCH_SIZES",
    "CONTROLS",
    "HIDDEN_ACTIVATIONS",
    "LEARNING_RATES",
    "LR_DECAYS",
    "OPTIMIZER_LABELS",
    "PRESETS",
    "FitSettings",
]

LEARNING_RATES: tuple[float, ...] = tuple(
    float(f"{m}e{e}") for e in range(-7, 1) for m in (1, 2, 5) if m * 10.0**e <= 1.0
)
"""Learning rates a page offers: 1e-7 to 1 in 1-2-5 steps."""

BATCH_SIZES: tuple[int, ...] = (1, 8, 32, 64, 128, 256, 512, 1024)
"""Mini-batch sizes a page offers (besides full batch)."""

OPTIMIZER_LABELS: dict[str, str] = {
    "sgd": "SGD",
    "momentum": "SGD + momentum",
    "rmsprop": "RMSprop",
    "adam": "Adam",
    "lbfgs": "L-BFGS",
}
"""The optimizers of :data:`nnkit.training.OPTIMIZERS`, name -> label."""

LR_DECAYS: tuple[float, ...] = (1.0, 0.999, 0.995, 0.99, 0.98, 0.95)
"""Learning-rate factors per epoch a page offers (1: no decay)."""

CONTROLS: tuple[str, ...] = (
    "layers", "width", "activation", "output_relu", "fourier_features", "fourier_scale",
    "normalize", "optimizer", "lr", "batch_size", "epochs", "summed", "lr_decay", "cosine",
)  # fmt: skip
"""Names of :meth:`FitSettings.controls`: the settings as a page's controls show them."""


def _hidden_activations() -> dict[str, str]:
    from nnkit.activations import ACTIVATIONS

    steps = ("heaviside", "sign")  # no gradient: a network of steps cannot be trained
    usable = {name: a.label for name, a in ACTIVATIONS.items() if name not in steps}
    return usable | {"siren": "SIREN sin(w0·z)"}


HIDDEN_ACTIVATIONS: dict[str, str] = _hidden_activations()
"""Hidden activations a fitting network can train with, name -> label: the registry's
differentiable ones, and ``"siren"`` (sine layers with SIREN's initialisation)."""


@dataclass(frozen=True)
class FitSettings:
    """Architecture and training recipe of one fit (hashable: a cache key and a job config).

    The architecture fields are those of :func:`nnkit.models.mlp`; the recipe fields
    (``optimizer`` to ``lr_schedule``) are those of :class:`nnkit.training.TrainConfig`
    with this experiment's defaults, and :meth:`train_config` turns them into one (the
    loss is always the mean squared error).

    Attributes
    ----------
    hidden : tuple of int
        Width of each hidden layer.
    activation : str
        Hidden activation (a name of :data:`nnkit.activations.ACTIVATIONS` or ``"siren"``).
    output_activation : str or None
        E.g. ``"relu"`` for the lecture's TorchMLP.
    fourier_features : int
        Random Fourier frequencies in front of the network (0: none).
    fourier_scale : float
        Their standard deviation, in cycles per half box.
    siren_w0 : float
        Frequency factor of ``activation="siren"``.
    normalize : bool
        Map the training box to [-1, 1] and standardise the output inside the model
        (see :func:`nnkit.models.mlp`); the lecture's presets do not.
    optimizer, lr, batch_size, epochs, reduction, seed, lr_decay, lr_schedule
        The recipe, as in :class:`nnkit.training.TrainConfig` (``seed`` also seeds the
        weights). ``lr_schedule="cosine"`` anneals the learning rate from ``lr`` to
        nearly 0 over the ``epochs``.
    """

    hidden: tuple[int, ...] = (128, 128, 128)
    activation: str = "tanh"
    output_activation: str | None = None
    fourier_features: int = 0
    fourier_scale: float = 3.0
    siren_w0: float = 30.0
    normalize: bool = True
    optimizer: str = "adam"
    lr: float = 2e-3
    batch_size: int | None = 256
    epochs: int = 300
    reduction: str = "mean"
    seed: int = 0
    lr_decay: float = 1.0
    lr_schedule: str = "constant"

    def train_config(self, **settings: Any) -> TrainConfig:
        """The training recipe as a :class:`nnkit.training.TrainConfig` (MSE loss).

        Parameters
        ----------
        **settings
            Further :class:`~nnkit.training.TrainConfig` fields for one run, e.g.
            ``val_fraction=0.1, max_seconds=15``.

        Returns
        -------
        nnkit.training.TrainConfig

        Raises
        ------
        ValueError
            On a recipe :class:`~nnkit.training.TrainConfig` refuses (a bad learning
            rate, an unknown optimizer...).
        """
        from nnkit.training import TrainConfig

        shared = {f.name for f in fields(TrainConfig)} & {f.name for f in fields(self)}
        recipe: dict[str, Any] = {name: getattr(self, name) for name in shared}
        return TrainConfig(**(recipe | {"loss": "mse"} | settings))

    def model_spec(
        self,
        dim: int,
        X: np.ndarray | None = None,
        y: np.ndarray | None = None,
        domain: tuple[float, float] | None = None,
    ) -> ModelSpec:
        """The network for inputs of dimension ``dim``, as plain data.

        Parameters
        ----------
        dim : int
            Input dimension (the target's).
        X : numpy.ndarray, optional
            Training inputs (unused: the box comes from ``domain``).
        y : numpy.ndarray, optional
            Training targets: with ``normalize``, their mean and standard deviation
            scale the output.
        domain : (float, float), optional
            Training box: with ``normalize``, mapped to [-1, 1].

        Returns
        -------
        nnkit.models.ModelSpec
        """
        from nnkit.models import ModelSpec

        bounds = None
        out = None
        if self.normalize:
            if domain is not None:
                bounds = ((float(domain[0]),) * dim, (float(domain[1]),) * dim)
            if y is not None and len(y):
                std = float(np.std(y))
                out = (float(np.mean(y)), std if std > 0 else 1.0)
        return ModelSpec(
            in_features=dim,
            hidden=tuple(int(h) for h in self.hidden),
            out_features=1,
            activation=self.activation,
            output_activation=self.output_activation,
            fourier_features=self.fourier_features,
            fourier_scale=self.fourier_scale,
            siren_w0=self.siren_w0,
            input_bounds=bounds,
            output_scale=out,
            seed=self.seed,
        )

    def n_parameters(self, dim: int) -> int:
        """Trainable parameters of :meth:`build_model`'s network, counted without torch.

        Parameters
        ----------
        dim : int
            Input dimension.

        Returns
        -------
        int
        """
        first = 2 * int(self.fourier_features) if self.fourier_features else int(dim)
        return dense_parameters(first, self.hidden, 1)

    def build_model(
        self,
        dim: int,
        X: np.ndarray | None = None,
        y: np.ndarray | None = None,
        domain: tuple[float, float] | None = None,
    ) -> torch.nn.Sequential:
        """The network for inputs of dimension ``dim`` (``y`` and ``domain`` set the scaling).

        Parameters
        ----------
        dim, X, y, domain
            As for :meth:`model_spec`.

        Returns
        -------
        torch.nn.Sequential
            Freshly initialised from ``seed``.
        """
        return self.model_spec(dim, X, y, domain).build()

    def trainer(
        self,
        target: Target,
        X: np.ndarray,
        y: np.ndarray,
        *,
        val_fraction: float = 0.0,
        max_seconds: float | None = None,
        limits: Limits | None = None,
    ) -> Trainer:
        """A :class:`nnkit.training.Trainer` for these settings on ``(X, y)``, not yet run.

        Parameters
        ----------
        target : Target
            Supplies the input dimension and the training box.
        X, y : numpy.ndarray
            Training data (e.g. from :func:`~nnkit.function_fitting.make_data`).
        val_fraction : float
            Rows held out (seeded) for the validation loss.
        max_seconds : float, optional
            Time budget of each run.
        limits : Limits, optional
            Caps (the app's fair-use policy); default none.

        Returns
        -------
        nnkit.training.Trainer
        """
        from nnkit.training import supervised_trainer

        model = self.build_model(target.dim, X, y, target.domain)
        config = self.train_config(val_fraction=val_fraction, max_seconds=max_seconds)
        return supervised_trainer(model, X, y, config, limits=limits)

    def training_rows(self, n_samples: int, val_fraction: float = 0.0) -> int:
        """Rows left for training once ``val_fraction`` of ``n_samples`` is held out.

        Parameters
        ----------
        n_samples : int
            All samples.
        val_fraction : float
            Fraction held out (rounded to whole rows, as the trainer does).

        Returns
        -------
        int
        """
        return int(n_samples) - int(round(val_fraction * int(n_samples)))

    def batch_rows(self, n_samples: int, val_fraction: float = 0.0) -> int:
        """Rows in one (full) batch: ``batch_size``, or every training row for full batch.

        Parameters
        ----------
        n_samples, val_fraction
            As for :meth:`training_rows`.

        Returns
        -------
        int
        """
        n_train = self.training_rows(n_samples, val_fraction)
        return n_train if self.batch_size is None else min(int(self.batch_size), n_train)

    def steps_per_epoch(self, n_samples: int, val_fraction: float = 0.0) -> int:
        """Optimizer steps in one epoch: ``ceil(training rows / batch size)``.

        Parameters
        ----------
        n_samples, val_fraction
            As for :meth:`training_rows`.

        Returns
        -------
        int
        """
        n_train = self.training_rows(n_samples, val_fraction)
        return math.ceil(n_train / max(self.batch_rows(n_samples, val_fraction), 1))

    def controls(self) -> dict[str, Any]:
        """The settings as a page's controls show them (keys :data:`CONTROLS`).

        One width for every hidden layer (the first layer's), flags for a ReLU on the
        output, a summed loss and a cosine schedule; ``batch_size`` None is full batch.
        :meth:`from_controls` is the inverse (for settings with equal hidden widths).

        Returns
        -------
        dict
        """
        return {
            "layers": len(self.hidden),
            "width": self.hidden[0] if self.hidden else 1,
            "activation": self.activation,
            "output_relu": self.output_activation == "relu",
            "fourier_features": self.fourier_features,
            "fourier_scale": self.fourier_scale,
            "normalize": self.normalize,
            "optimizer": self.optimizer,
            "lr": self.lr,
            "batch_size": self.batch_size,
            "epochs": self.epochs,
            "summed": self.reduction == "sum",
            "lr_decay": self.lr_decay,
            "cosine": self.lr_schedule == "cosine",
        }

    @classmethod
    def from_controls(cls, controls: Mapping[str, Any], seed: int = 0) -> FitSettings:
        """Settings from a page's controls (the inverse of :meth:`controls`).

        Parameters
        ----------
        controls : mapping
            Values for every name of :data:`CONTROLS`.
        seed : int
            Seeds the weights and the batches.

        Returns
        -------
        FitSettings
        """
        c = controls
        return cls(
            hidden=(int(c["width"]),) * int(c["layers"]),
            activation=str(c["activation"]),
            output_activation="relu" if c["output_relu"] else None,
            fourier_features=int(c["fourier_features"]),
            fourier_scale=float(c["fourier_scale"]),
            normalize=bool(c["normalize"]),
            optimizer=str(c["optimizer"]),
            lr=float(c["lr"]),
            batch_size=None if c["batch_size"] is None else int(c["batch_size"]),
            epochs=int(c["epochs"]),
            reduction="sum" if c["summed"] else "mean",
            seed=int(seed),
            lr_decay=float(c["lr_decay"]),
            lr_schedule="cosine" if c["cosine"] else "constant",
        )

    def describe(self) -> str:
        """One line: architecture and recipe, e.g. ``"128→128 tanh; adam lr 0.002, ..."``.

        Returns
        -------
        str
        """
        arch = "→".join(str(h) for h in self.hidden) or "no hidden layer"
        ff = (
            f", {self.fourier_features} Fourier features (scale {self.fourier_scale:g})"
            if self.fourier_features
            else ""
        )
        outact = f", {self.output_activation} on the output" if self.output_activation else ""
        bs = "full batch" if self.batch_size is None else f"batch {self.batch_size}"
        red = ", summed loss" if self.reduction == "sum" else ""
        red += f", lr × {self.lr_decay:g} per epoch" if self.lr_decay != 1.0 else ""
        red += ", cosine lr schedule" if self.lr_schedule == "cosine" else ""
        return (
            f"{arch} {self.activation}{outact}{ff}; {self.optimizer} lr {self.lr:g}, {bs}{red}, "
            f"{counted(self.epochs, 'epoch')}"
            + ("" if self.normalize else ", raw (unscaled) inputs and outputs")
        )


PRESETS: dict[str, FitSettings] = {
    "lecture TorchMLP · SGD lr 1e-6": FitSettings(
        hidden=(3,), activation="relu", output_activation="relu", normalize=False,
        optimizer="sgd", lr=1e-6, batch_size=None, epochs=2000, reduction="sum",
    ),
    "lecture TorchMLP · RMSprop lr 1e-3": FitSettings(
        hidden=(3,), activation="relu", output_activation="relu", normalize=False,
        optimizer="rmsprop", lr=1e-3, batch_size=None, epochs=2000, reduction="sum",
    ),
    "plain MLP": FitSettings(
        hidden=(128, 128, 128), activation="tanh", optimizer="adam", lr=2e-3, batch_size=256,
        epochs=300,
    ),
    "Fourier features": FitSettings(
        hidden=(128, 128), activation="tanh", fourier_features=128, fourier_scale=2.0,
        optimizer="adam", lr=5e-3, batch_size=1024, epochs=200, lr_schedule="cosine",
    ),
}  # fmt: skip
"""Named settings: the lecture's TorchMLP (2→3→1, ReLU on the output, summed MSE, full
batch, 2000 iterations) with its two recipes, a plain MLP and Fourier features.

The Fourier-features preset is the best recipe we found for Rastrigin (benchmarked in
``benchmarks/bench_training.py``): 128 random frequencies of spread 2 cycles per half
box in front of a 2×128 tanh net, and Adam's learning rate annealed along a cosine from
5e-3 to ~0 over its 200 epochs. The annealing matters as much as the features: at a
constant learning rate Adam keeps jittering around the minimum, annealed it settles
into it (on 20,000 samples, R² on a 200×200 grid 0.9993–0.9996 without, ≈ 0.9999 with it)."""
