"""Train the network to distil, with nnkit's own model builder and training loop.

Symbolic distillation starts from a trained network. This module only wires
:func:`nnkit.models.mlp` and :func:`nnkit.training.fit` together for that purpose (a
target function sampled on a box, optional noise, inputs scaled to [-1, 1] and outputs
standardised) and wraps the trained model as a numpy callable for :func:`distill`.
torch is imported only when this module is.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from nnkit.models import mlp, predict
from nnkit.training import TrainResult, fit

__all__ = ["NetworkFit", "accuracy_from_loss", "network_function", "train_network"]


@dataclass
class NetworkFit:
    """A network trained on samples of a target.

    Attributes
    ----------
    model : torch.nn.Module
    X, y : numpy.ndarray
        The training samples (``y`` includes the noise, if any).
    domain : tuple of (low, high)
    result : TrainResult
        Of the last training phase.
    noise : float
        Noise level used (fraction of the target's standard deviation).
    epochs : int
        Epochs trained over both phases.
    """

    model: object
    X: np.ndarray
    y: np.ndarray
    domain: tuple[tuple[float, float], ...]
    result: TrainResult
    noise: float = 0.0
    epochs: int = 0

    def __call__(self, X: np.ndarray) -> np.ndarray:
        """The network's prediction on ``X`` (shape (n, d)), as a flat float array."""
        return network_function(self.model)(X)

    def gradient(self, X: np.ndarray) -> np.ndarray:
        """The network's gradient ``∂f/∂x`` at the rows of ``X``, by automatic differentiation.

        :func:`nnkit.symbolic.distill` uses it to read the function's structure
        (:mod:`nnkit.symbolic.structure`) where the samples alone could not.
        """
        import torch

        model = self.model
        X = np.atleast_2d(np.asarray(X, dtype=np.float32))
        Xt = torch.tensor(X, requires_grad=True)
        was_training = model.training  # type: ignore[attr-defined]
        model.eval()  # type: ignore[attr-defined]
        try:
            out = model(Xt)[:, 0].sum()  # type: ignore[operator]
            (g,) = torch.autograd.grad(out, Xt)
        finally:
            model.train(was_training)  # type: ignore[attr-defined]
        return g.detach().numpy().astype(float)

    @property
    def train_error(self) -> float:
        """RMSE on its training samples divided by their std: the network's relative accuracy.

        For constant samples (std 0) the RMSE is divided by their mean magnitude instead.
        """
        r = self(self.X) - self.y
        scale = float(np.std(self.y)) or float(np.abs(self.y).mean()) or 1.0
        return float(np.sqrt(np.mean(r**2)) / scale)


def network_function(model: Any) -> Callable[[np.ndarray], np.ndarray]:
    """Wrap a torch model with one output as ``f(X: (n, d) array) -> (n,) array``."""

    def f(X: np.ndarray) -> np.ndarray:
        X = np.asarray(X, dtype=float)
        if X.ndim == 1:
            X = X[:, None]
        return predict(model, X)[:, 0].astype(float)

    return f


def train_network(
    target: Callable[[np.ndarray], np.ndarray],
    domain: Sequence[tuple[float, float]],
    *,
    n_samples: int = 500,
    noise: float = 0.0,
    hidden: Sequence[int] = (64, 64),
    activation: str = "tanh",
    fourier_features: int = 0,
    fourier_scale: float = 1.0,
    epochs: int = 2500,
    lr: float = 3e-3,
    seed: int = 0,
    max_seconds: float | None = None,
    callbacks: Sequence = (),
) -> NetworkFit:
    """Sample ``target`` at ``n_samples`` random points of ``domain`` and train an MLP.

    Training is full-batch Adam: ``0.6·epochs`` at ``lr`` then ``0.4·epochs`` at
    ``lr/10`` (a simple step decay that gains about a factor 3 in accuracy), both
    through :func:`nnkit.training.fit` (its fair-use caps apply).

    Parameters
    ----------
    target : callable
        ``target(X)`` for ``X`` of shape (n, d).
    domain : sequence of (low, high)
    n_samples : int, default 500
    noise : float, default 0
        Gaussian noise added to the samples, as a fraction of their standard
        deviation (0.01 = 1 %).
    hidden, activation, fourier_features, fourier_scale
        Passed to :func:`nnkit.models.mlp` (inputs are mapped to [-1, 1]).
    epochs : int, default 2500
    lr : float, default 3e-3
    seed : int, default 0
        Seeds the samples, the noise, the weights and the training.
    max_seconds : float, optional
        Wall-clock budget of the whole training.
    callbacks : sequence
        Passed to :func:`nnkit.training.fit` (e.g. a progress bar).

    Returns
    -------
    NetworkFit
    """
    domain = tuple((float(a), float(b)) for a, b in domain)
    rng = np.random.default_rng(seed)
    lo = np.array([a for a, _ in domain])
    hi = np.array([b for _, b in domain])
    X = lo + (hi - lo) * rng.random((int(n_samples), len(domain)))
    y = np.asarray(target(X), dtype=float).reshape(-1)
    if not np.all(np.isfinite(y)):
        raise ValueError("the target is not finite everywhere on the domain: shrink the domain")
    if noise > 0:
        y = y + noise * y.std() * rng.standard_normal(y.shape)
    scale = float(y.std()) or 1.0
    model = mlp(
        len(domain),
        list(hidden),
        1,
        activation=activation,
        fourier_features=fourier_features,
        fourier_scale=fourier_scale,
        input_bounds=(tuple(lo), tuple(hi)),
        output_scale=(float(y.mean()), scale),
        seed=seed,
    )
    first = max(1, int(round(0.6 * epochs)))
    budget = max_seconds
    done = 0
    result = fit(
        model,
        X,
        y[:, None],
        optimizer="adam",
        lr=lr,
        epochs=first,
        batch_size=None,
        seed=seed,
        callbacks=callbacks,
        max_seconds=budget,
    )
    done = result.epochs
    if result.stop_reason == "completed" and epochs - first > 0:
        if budget is not None:
            budget = max(0.1, budget - result.wall_time)
        result = fit(
            model,
            X,
            y[:, None],
            optimizer="adam",
            lr=lr / 10,
            epochs=epochs - first,
            batch_size=None,
            seed=seed + 1,
            callbacks=callbacks,
            max_seconds=budget,
        )
        done += result.epochs
    return NetworkFit(model, X, y, domain, result, noise, done)


def accuracy_from_loss(
    mse: float,
    f: Callable[[np.ndarray], np.ndarray],
    domain: Sequence[tuple[float, float]],
    n: int = 2000,
) -> float | None:
    """A network's relative accuracy from its training MSE: ``sqrt(mse) / std(f on domain)``.

    Returns None when ``f`` is constant on the domain or the loss is not finite.
    """
    from nnkit.symbolic.core import sample_domain

    y = np.asarray(f(sample_domain(domain, n, seed=0)), dtype=float)
    std = float(np.std(y))
    if not (np.isfinite(mse) and std > 0):
        return None
    return float(np.sqrt(max(mse, 0.0)) / std)
