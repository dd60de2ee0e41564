"""What a training recipe did to a fit: a dead output ReLU, a summed loss, unscaled data.

The lecture's TorchMLP learns slowly for three reasons a student can see in numbers:
its output ReLU returns exactly 0 (no gradient) on part of the data, its summed loss
makes SGD's step grow with the batch, and its inputs and outputs are not scaled.
:func:`diagnose_recipe` measures each of them for a trained model.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from nnkit.function_fitting.settings import FitSettings
from nnkit.function_fitting.targets import Target

if TYPE_CHECKING:
    from nnkit._torch import torch

__all__ = ["RECIPE_NOT_LIBRARY", "RecipeDiagnostics", "diagnose_recipe"]

RECIPE_NOT_LIBRARY = (
    "The recipe does most of the work, not the library: scikit-learn's MLPRegressor given the "
    "same Fourier features fits Rastrigin about as well as this network "
    "(`python -m benchmarks training` prints both)."
)
"""What the peer benchmark found about the Fourier-features preset (a fact, not a result)."""


@dataclass(frozen=True)
class RecipeDiagnostics:
    """Measured effects of a recipe (None where the recipe does not have the feature).

    Attributes
    ----------
    dead_output_fraction : float or None
        With a ReLU on the output: fraction of the training samples on which the
        network returns exactly 0 (the loss has no gradient there).
    summed_batch_rows : int or None
        With a summed loss and plain SGD (or momentum): rows in one batch, the factor
        by which the gradient exceeds the per-sample mean's.
    lr : float or None
        With a summed loss and SGD: the recipe's learning rate (see :attr:`effective_lr`).
    input_extent : float or None
        Without scaling: the largest |input| on the training box.
    target_range : (float, float) or None
        Without scaling: smallest and largest training target.
    fourier_features : bool
        The recipe encodes its inputs with random Fourier features.
    """

    dead_output_fraction: float | None = None
    summed_batch_rows: int | None = None
    lr: float | None = None
    input_extent: float | None = None
    target_range: tuple[float, float] | None = None
    fourier_features: bool = False

    @property
    def effective_lr(self) -> float | None:
        """The learning rate that moves the weights as much on the mean loss (lr × batch rows)."""
        if self.lr is None or self.summed_batch_rows is None:
            return None
        return self.lr * self.summed_batch_rows

    def notes(self) -> list[str]:
        """One paragraph per measured effect, with its numbers.

        Returns
        -------
        list of str
        """
        out = []
        if self.dead_output_fraction is not None:
            zero = self.dead_output_fraction
            out.append(
                f"The output ReLU returns exactly 0 on {zero:.0%} of the training samples: "
                "there the loss has no gradient, which is one reason the lecture's TorchMLP "
                "learns slowly"
                + (
                    " (here the output unit is dead: the network never learns)."
                    if zero == 1
                    else "."
                )
            )
        if self.summed_batch_rows is not None and self.lr is not None:
            n = self.summed_batch_rows
            out.append(
                f"With the summed loss each gradient is {n}× the per-sample mean's (one batch "
                f"of {n} samples), so plain SGD at lr {self.lr:g} moves the weights "
                f"like lr {self.lr * n:.3g} on the mean loss: the step size depends on the "
                "batch size. Adam and RMSprop divide by the gradient's own scale, so for them the "
                "sum only changes the scale of the loss, not the step."
            )
        if self.input_extent is not None and self.target_range is not None:
            lo, hi = self.target_range
            out.append(
                f"Inputs enter unscaled (±{self.input_extent:g}) and the targets span "
                f"{lo:.3g}…{hi:.3g}: the output layer must grow large weights before the "
                "predictions even reach the data's range. Turn on *scale inputs and "
                "standardise the output* (as the plain-MLP preset does) to compare."
            )
        if self.fourier_features:
            out.append(RECIPE_NOT_LIBRARY)
        return out


def diagnose_recipe(
    settings: FitSettings,
    model: torch.nn.Module,
    target: Target,
    X: np.ndarray,
    y: np.ndarray,
    *,
    val_fraction: float = 0.0,
) -> RecipeDiagnostics:
    """Measure what ``settings``' recipe does on ``model`` trained on ``(X, y)``.

    Parameters
    ----------
    settings : FitSettings
        The recipe the model was trained with.
    model : torch.nn.Module
        The trained network.
    target : Target
        Its target (for the training box).
    X, y : numpy.ndarray
        All samples (training and validation).
    val_fraction : float
        The fraction held out for validation (sets the full-batch size).

    Returns
    -------
    RecipeDiagnostics
    """
    dead = rows = lr = extent = span = None
    if settings.output_activation == "relu":
        from nnkit.models import predict

        dead = float(np.mean(predict(model, X)[:, 0] <= 0))
    if settings.reduction == "sum" and settings.optimizer in ("sgd", "momentum"):
        rows = settings.batch_rows(len(X), val_fraction)
        lr = settings.lr
    if not settings.normalize:
        extent = float(max(abs(target.domain[0]), abs(target.domain[1])))
        span = (float(np.min(y)), float(np.max(y)))
    return RecipeDiagnostics(
        dead, rows, lr, extent, span, fourier_features=settings.fourier_features > 0
    )
