"""One training recipe as plain data (:class:`TrainConfig`), and the torch objects it builds.

Every way to train in nnkit (:func:`~nnkit.training.fit`, :func:`~nnkit.training.train`,
:class:`~nnkit.training.Trainer`, the PINN phases, the tabular regressor) takes the same
frozen :class:`TrainConfig`, so the recipe is written once, hashes as a cache key and
prints as the settings a page used.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, fields
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import torch

__all__ = [
    "LOSSES",
    "LR_SCHEDULES",
    "OPTIMIZERS",
    "TrainConfig",
    "make_optimizer",
    "make_schedulers",
]

OPTIMIZERS = ("sgd", "momentum", "rmsprop", "adam", "lbfgs")
"""Optimizer names: plain SGD, SGD with momentum (0.9 unless given), RMSprop, Adam, L-BFGS."""

LR_SCHEDULES = ("constant", "cosine")
"""Learning-rate schedules: constant, or cosine annealing from ``lr`` to ~0 over a run's epochs."""

LOSSES = ("mse", "cross_entropy", "bce")
"""Loss names: mean squared error, cross-entropy on class logits, binary cross-entropy on one logit."""


@dataclass(frozen=True)
class TrainConfig:
    """How to train: optimizer, learning rate and its schedule, batches, epochs, seed.

    Attributes
    ----------
    optimizer : {"sgd", "momentum", "rmsprop", "adam", "lbfgs"}
        See :func:`make_optimizer` (ignored when a ``Trainer`` is given an optimizer).
    lr : float
        Learning rate (> 0).
    momentum : float, optional
        For SGD and RMSprop (``"momentum"`` uses 0.9 unless given).
    weight_decay : float
        L2 penalty (not for L-BFGS).
    lr_schedule : {"constant", "cosine"}
        ``"cosine"``: each run anneals the learning rate along half a cosine from its
        starting value to nearly 0 over the run's epochs
        (:class:`torch.optim.lr_scheduler.CosineAnnealingLR`); a Continue starts a new
        cycle (a warm restart).
    lr_decay : float
        Multiply the learning rate by this after every epoch
        (:class:`torch.optim.lr_scheduler.ExponentialLR`; 1 keeps it constant). With
        ``"cosine"`` the two factors multiply.
    epochs : int
        Epochs of one run (Start, or each Continue).
    batch_size : int or None
        Supervised data only. ``None``: full batch; ``1``: stochastic; else mini-batch.
    loss : {"mse", "cross_entropy", "bce"}
        Supervised data only: ``"bce"`` takes one logit per sample.
    reduction : {"mean", "sum"}
        Supervised data only: how a batch's loss is reduced before the gradient (the
        lecture's TorchMLP uses ``"sum"``). The recorded loss is always per sample.
    val_fraction : float
        Supervised data only: fraction of rows held out (seeded) for the validation loss.
    steps_per_epoch : int
        Loss closures only: optimizer steps per recorded epoch.
    seed : int
        Seeds the validation split and the batch order (a local generator: torch's
        global random state is left alone).
    max_seconds : float, optional
        Wall-clock budget of each run (None: no budget beyond the caller's limits).
    """

    optimizer: str = "adam"
    lr: float = 1e-3
    momentum: float | None = None
    weight_decay: float = 0.0
    lr_schedule: str = "constant"
    lr_decay: float = 1.0
    epochs: int = 100
    batch_size: int | None = 32
    loss: str = "mse"
    reduction: str = "mean"
    val_fraction: float = 0.0
    steps_per_epoch: int = 1
    seed: int = 0
    max_seconds: float | None = None

    def __post_init__(self) -> None:
        if self.optimizer not in OPTIMIZERS:
            raise ValueError(
                f"unknown optimizer {self.optimizer!r}; choose one of {', '.join(OPTIMIZERS)}"
            )
        lr = self.lr
        if isinstance(lr, bool) or not (
            isinstance(lr, int | float) and math.isfinite(lr) and lr > 0
        ):
            raise ValueError(f"learning rate must be a positive number, got {lr!r}")
        if self.lr_schedule not in LR_SCHEDULES:
            raise ValueError(
                f"unknown lr_schedule {self.lr_schedule!r}; choose one of {', '.join(LR_SCHEDULES)}"
            )
        if not (0 < self.lr_decay <= 1):
            raise ValueError(f"lr_decay must be in (0, 1], got {self.lr_decay!r}")
        if int(self.epochs) < 0:
            raise ValueError("epochs must be >= 0")
        if self.batch_size is not None and int(self.batch_size) < 1:
            raise ValueError("batch_size must be at least 1 (or None for full batch)")
        if self.loss not in LOSSES:
            raise ValueError(f"unknown loss {self.loss!r}; choose one of {', '.join(LOSSES)}")
        if self.reduction not in ("mean", "sum"):
            raise ValueError("reduction must be 'mean' or 'sum'")
        if not 0.0 <= self.val_fraction < 1.0:
            raise ValueError("val_fraction must be in [0, 1)")
        if int(self.steps_per_epoch) < 1:
            raise ValueError("steps_per_epoch must be at least 1")
        if self.max_seconds is not None and not self.max_seconds >= 0:
            raise ValueError(f"max_seconds must be >= 0, got {self.max_seconds!r}")

    @classmethod
    def from_settings(cls, config: TrainConfig | None = None, **settings: Any) -> TrainConfig:
        """``config`` (default: the defaults) with some fields replaced by keyword.

        Parameters
        ----------
        config : TrainConfig, optional
            The starting recipe.
        **settings
            Field names of :class:`TrainConfig` and their new values.

        Returns
        -------
        TrainConfig

        Raises
        ------
        TypeError
            On a keyword that is not a field (the message lists the fields).
        """
        names = {f.name for f in fields(cls)}
        unknown = sorted(set(settings) - names)
        if unknown:
            raise TypeError(
                f"unknown training setting(s) {', '.join(unknown)}; "
                f"TrainConfig has {', '.join(sorted(names))}"
            )
        base = config if config is not None else cls()
        if not settings:
            return base
        values = {f.name: getattr(base, f.name) for f in fields(cls)}
        values.update(settings)
        return cls(**values)


def make_optimizer(
    params: Iterable[torch.Tensor],
    name: str | TrainConfig = "adam",
    lr: float = 1e-3,
    *,
    momentum: float | None = None,
    weight_decay: float = 0.0,
) -> torch.optim.Optimizer:
    """A ``torch.optim`` optimizer by name (or from a :class:`TrainConfig`).

    Parameters
    ----------
    params : iterable of tensors
        Usually ``model.parameters()``.
    name : {"sgd", "momentum", "rmsprop", "adam", "lbfgs"} or TrainConfig
        ``"sgd"`` is plain gradient descent ``w -= lr * grad`` (momentum 0 unless
        given); ``"momentum"`` is SGD with momentum 0.9 unless given. ``"lbfgs"``
        does up to 20 quasi-Newton iterations (strong-Wolfe line search) per step.
        A ``TrainConfig`` supplies the name, ``lr``, ``momentum`` and ``weight_decay``.
    lr : float
        Learning rate (> 0).
    momentum : float, optional
        For SGD and RMSprop.
    weight_decay : float
        L2 penalty (not for L-BFGS).

    Returns
    -------
    torch.optim.Optimizer
    """
    import torch

    if isinstance(name, TrainConfig):
        cfg = name
        name, lr, momentum, weight_decay = cfg.optimizer, cfg.lr, cfg.momentum, cfg.weight_decay
    if isinstance(lr, bool) or not (isinstance(lr, int | float) and math.isfinite(lr) and lr > 0):
        raise ValueError(f"learning rate must be a positive number, got {lr!r}")
    params = list(params)
    opt = torch.optim
    if name == "sgd":
        return opt.SGD(params, lr=lr, momentum=momentum or 0.0, weight_decay=weight_decay)
    if name == "momentum":
        m = 0.9 if momentum is None else momentum
        return opt.SGD(params, lr=lr, momentum=m, weight_decay=weight_decay)
    if name == "rmsprop":
        return opt.RMSprop(params, lr=lr, momentum=momentum or 0.0, weight_decay=weight_decay)
    if name == "adam":
        return opt.Adam(params, lr=lr, weight_decay=weight_decay)
    if name == "lbfgs":
        return opt.LBFGS(params, lr=lr, max_iter=20, history_size=50, line_search_fn="strong_wolfe")
    raise ValueError(f"unknown optimizer {name!r}; choose one of {', '.join(OPTIMIZERS)}")


def make_schedulers(
    optimizer: torch.optim.Optimizer, config: TrainConfig, epochs: int
) -> list[torch.optim.lr_scheduler.LRScheduler]:
    """The ``torch.optim.lr_scheduler`` objects for one run of ``epochs`` epochs.

    Step each of them once at the end of every epoch. For ``"cosine"`` the caller
    first sets the learning rate the cycle starts from.

    Parameters
    ----------
    optimizer : torch.optim.Optimizer
        The optimizer whose learning rate is scheduled.
    config : TrainConfig
        Supplies ``lr_schedule`` and ``lr_decay``.
    epochs : int
        Length of the run (the cosine's half period).

    Returns
    -------
    list of LRScheduler
        Empty for a constant learning rate.
    """
    from torch.optim import lr_scheduler

    for group in optimizer.param_groups:
        group.pop("initial_lr", None)  # a new run: schedule from the current lr
    out: list[lr_scheduler.LRScheduler] = []
    if config.lr_schedule == "cosine" and epochs > 0:
        out.append(lr_scheduler.CosineAnnealingLR(optimizer, T_max=int(epochs), eta_min=0.0))
    if config.lr_decay != 1.0:
        out.append(lr_scheduler.ExponentialLR(optimizer, gamma=float(config.lr_decay)))
    return out
