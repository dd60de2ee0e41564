"""Objectives: what one epoch of training does (supervised batches, or a loss closure).

A :class:`~nnkit.training.Trainer` runs any object with ``steps_per_epoch()``,
``run_epoch(model, opt, gen, should_stop, lbfgs)`` and ``validate(model)``; these two
cover supervised arrays (:func:`~nnkit.training.fit`) and named loss terms
(:func:`~nnkit.training.train`, the PINN loop).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from typing import Any, Protocol

import numpy as np
import torch
from numpy.typing import ArrayLike

from nnkit.training.config import TrainConfig

__all__ = ["ClosureObjective", "LossTerms", "Objective", "SupervisedObjective"]

LossTerms = Callable[[Any], "Mapping[str, torch.Tensor] | torch.Tensor"]
"""``loss_terms(model)`` returns ``{"name": scalar tensor}`` (or one scalar tensor)."""


class Objective(Protocol):
    """What a :class:`~nnkit.training.Trainer` needs from an objective."""

    def steps_per_epoch(self) -> int:
        """Optimizer steps in one epoch."""
        ...

    def run_epoch(
        self,
        model: torch.nn.Module,
        opt: torch.optim.Optimizer,
        gen: torch.Generator,
        should_stop: Callable[[], bool],
        lbfgs: bool,
    ) -> tuple[float | None, dict[str, float], int]:
        """Train one epoch: (mean loss, or None when interrupted; named terms; steps)."""
        ...

    def validate(self, model: torch.nn.Module) -> float:
        """The validation figure recorded at each epoch's end (NaN for none)."""
        ...


class SupervisedObjective:
    """One epoch over ``(X, y)`` in shuffled mini-batches.

    The rows are shuffled with ``torch.randperm`` on the trainer's local generator and
    the batches are slices of the shuffled tensors: the same batches a ``DataLoader``
    with ``RandomSampler(generator=g)`` would give, without its per-batch Python
    overhead (measured in ``benchmarks/bench_training.py``).

    Parameters
    ----------
    X : array_like, shape (n, d)
        Inputs (a 1-D array is one feature).
    y : array_like
        Targets: floats (n,) or (n, k) for ``"mse"``/``"bce"``, integer labels (n,) for
        ``"cross_entropy"``.
    config : TrainConfig
        Supplies ``loss``, ``reduction``, ``batch_size``, ``val_fraction`` and ``seed``.
    """

    def __init__(self, X: ArrayLike, y: ArrayLike, config: TrainConfig) -> None:
        loss, reduction = config.loss, config.reduction
        batch_size, val_fraction, seed = config.batch_size, config.val_fraction, config.seed
        X = np.asarray(X, dtype=np.float32)
        if X.ndim == 1:
            X = X[:, None]
        y = np.asarray(y)
        if loss == "cross_entropy":
            y = y.astype(np.int64).reshape(-1)
        else:
            y = y.astype(np.float32)
            if y.ndim == 1:
                y = y[:, None]
        if len(X) != len(y):
            raise ValueError(f"X has {len(X)} rows but y has {len(y)}")
        if len(X) < 1:
            raise ValueError("no training samples")
        if not (np.all(np.isfinite(X)) and (loss == "cross_entropy" or np.all(np.isfinite(y)))):
            raise ValueError("X and y must be finite numbers (no NaN or infinity)")
        n = len(X)
        n_val = int(round(val_fraction * n))
        if n_val and n - n_val < 1:
            raise ValueError("val_fraction leaves no training samples")
        self.Xv: torch.Tensor | None = None
        self.yv: torch.Tensor | None = None
        if n_val:
            perm = np.random.default_rng(seed).permutation(n)
            val_idx, tr_idx = perm[:n_val], perm[n_val:]
            self.Xv, self.yv = torch.from_numpy(X[val_idx]), torch.from_numpy(y[val_idx])
            X, y = X[tr_idx], y[tr_idx]
        self.X, self.y = (
            torch.from_numpy(np.ascontiguousarray(X)),
            torch.from_numpy(np.ascontiguousarray(y)),
        )
        self.n = len(X)
        bs = self.n if batch_size is None else int(batch_size)
        self.batch_size = min(bs, self.n)
        self.reduction = reduction
        F = torch.nn.functional
        losses: dict[str, Callable[..., torch.Tensor]] = {
            "mse": F.mse_loss,
            "cross_entropy": F.cross_entropy,
            "bce": F.binary_cross_entropy_with_logits,
        }
        self.loss_fn = losses[loss]
        self.loss_name = loss

    def steps_per_epoch(self) -> int:
        """Optimizer steps in one epoch: ``ceil(n_train / batch_size)``."""
        return -(-self.n // self.batch_size)

    def run_epoch(
        self,
        model: torch.nn.Module,
        opt: torch.optim.Optimizer,
        gen: torch.Generator,
        should_stop: Callable[[], bool],
        lbfgs: bool,
    ) -> tuple[float | None, dict[str, float], int]:
        """Train one epoch; return (mean loss or None if interrupted, terms, steps)."""
        n, bs, loss_fn, red = self.n, self.batch_size, self.loss_fn, self.reduction
        if bs < n:
            perm = torch.randperm(n, generator=gen)
            Xs, ys = self.X.index_select(0, perm), self.y.index_select(0, perm)
        else:
            Xs, ys = self.X, self.y
        losses: list[torch.Tensor] = []
        steps = 0
        for i in range(0, n, bs):
            if should_stop():
                break
            xb, yb = Xs[i : i + bs], ys[i : i + bs]
            if lbfgs:

                def closure(xb: torch.Tensor = xb, yb: torch.Tensor = yb) -> torch.Tensor:
                    opt.zero_grad(set_to_none=True)
                    out = loss_fn(model(xb), yb, reduction=red)
                    out.backward()
                    return out

                loss: torch.Tensor = opt.step(closure)  # type: ignore[arg-type, assignment]
            else:
                opt.zero_grad(set_to_none=True)
                loss = loss_fn(model(xb), yb, reduction=red)
                loss.backward()
                opt.step()
            losses.append(loss.detach())
            steps += 1
        if steps < self.steps_per_epoch():
            return None, {}, steps
        stacked = torch.stack(losses)
        if red == "mean":
            if n % bs:
                w = torch.full((steps,), float(bs))
                w[-1] = n - bs * (steps - 1)
                total = float((stacked * w).sum()) / n
            else:
                total = float(stacked.mean())
        else:
            total = float(stacked.sum()) / n
        return total, {}, steps

    def validate(self, model: torch.nn.Module) -> float:
        """Loss on the held-out rows (NaN without a validation split)."""
        if self.Xv is None or self.yv is None:
            return math.nan
        with torch.no_grad():
            return float(self.loss_fn(model(self.Xv), self.yv, reduction="mean"))


class ClosureObjective:
    """``steps_per_epoch`` optimizer steps on ``loss_terms(model) -> {name: tensor}`` per epoch.

    Parameters
    ----------
    loss_terms : callable
        ``loss_terms(model)`` returns ``{"name": scalar tensor, ...}`` or one tensor;
        the optimised loss is their sum.
    steps_per_epoch : int
        Optimizer steps per recorded epoch.
    validate : callable, optional
        ``validate(model) -> float``, recorded as the validation loss.
    """

    def __init__(
        self,
        loss_terms: LossTerms,
        steps_per_epoch: int = 1,
        validate: Callable[[torch.nn.Module], float] | None = None,
    ) -> None:
        if steps_per_epoch < 1:
            raise ValueError("steps_per_epoch must be at least 1")
        self.loss_terms = loss_terms
        self.n_steps = int(steps_per_epoch)
        self._validate = validate

    def steps_per_epoch(self) -> int:
        """Optimizer steps in one epoch."""
        return self.n_steps

    def _evaluate(self, model: torch.nn.Module) -> tuple[torch.Tensor, Mapping[str, torch.Tensor]]:
        terms = self.loss_terms(model)
        if not isinstance(terms, Mapping):
            terms = {"loss": terms}
        total: torch.Tensor | None = None
        for v in terms.values():
            total = v if total is None else total + v
        if total is None:
            raise ValueError("loss_terms returned no terms")
        return total, terms

    def run_epoch(
        self,
        model: torch.nn.Module,
        opt: torch.optim.Optimizer,
        gen: torch.Generator,
        should_stop: Callable[[], bool],
        lbfgs: bool,
    ) -> tuple[float | None, dict[str, float], int]:
        """Train one epoch; return (mean loss or None if interrupted, mean terms, steps)."""
        totals: list[torch.Tensor] = []
        term_sums: dict[str, list[torch.Tensor]] = {}
        steps = 0
        for _ in range(self.n_steps):
            if should_stop():
                break
            last: dict[str, Mapping[str, torch.Tensor]] = {}
            if lbfgs:

                def closure(last: dict[str, Mapping[str, torch.Tensor]] = last) -> torch.Tensor:
                    opt.zero_grad(set_to_none=True)
                    total, terms = self._evaluate(model)
                    total.backward()
                    last.setdefault("terms", terms)  # terms at the step's start, like the loss
                    return total

                total: torch.Tensor = opt.step(closure)  # type: ignore[arg-type, assignment]
                terms = last["terms"]
            else:
                opt.zero_grad(set_to_none=True)
                total, terms = self._evaluate(model)
                total.backward()
                opt.step()
            totals.append(total.detach())
            for k, v in terms.items():
                term_sums.setdefault(k, []).append(v.detach())
            steps += 1
        if steps < self.n_steps:
            return None, {}, steps
        mean_terms = {k: float(torch.stack(v).mean()) for k, v in term_sums.items()}
        return float(torch.stack(totals).mean()), mean_terms, steps

    def validate(self, model: torch.nn.Module) -> float:
        """``validate(model)`` under ``no_grad`` (NaN without one)."""
        if self._validate is None:
            return math.nan
        with torch.no_grad():
            return float(self._validate(model))
