"""The lecture's training loop: batches, forward pass, loss, backward pass, step.

Three levels, all sharing one :class:`History`, one set of stop rules (epochs, time
cap, callbacks, a stop event, divergence = non-finite loss) and one :class:`TrainResult`:

:func:`fit`
    Supervised learning on arrays ``X, y``: full-batch, mini-batch or stochastic
    (``batch_size=None / 32 / 1``), MSE, cross-entropy or binary cross-entropy, an
    optional validation split, SGD (plain or momentum), RMSprop, Adam or L-BFGS.
:func:`train`
    Any loss given as a closure ``loss_terms(model) -> {"name": tensor, ...}``; the
    optimised loss is the sum of the terms and every term gets its own curve in the
    history. Physics-informed networks use this (``{"pde": ..., "boundary": ...}``).
:class:`Trainer`
    The object behind both: keeps the model, optimizer, random state and history, so
    ``run()`` can be called again to *continue* where it stopped.
    :class:`TrainingJob` runs a trainer in a background thread (Start / Stop /
    Continue, thread-safe snapshots for a live view); it does not import streamlit.

Every run respects :data:`nnkit.limits.LIMITS` (``max_train_seconds``,
``max_epochs``, ``max_samples``) unless you pass your own ``limits``.

Example
-------
>>> import numpy as np
>>> from nnkit.models import mlp
>>> from nnkit.training import fit
>>> X = np.random.default_rng(0).uniform(-1, 1, (256, 1)); y = np.sin(3 * X)
>>> res = fit(mlp(1, [32], 1), X, y, optimizer="adam", lr=1e-2, epochs=50, batch_size=32)
>>> res.history.train_loss[-1] < res.history.train_loss[0]
True
"""

from __future__ import annotations

import copy
import math
import sys
import threading
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Protocol, runtime_checkable

import numpy as np

from nnkit._torch import torch
from nnkit.limits import LIMITS, Limits

__all__ = [
    "LOSSES",
    "LR_SCHEDULES",
    "OPTIMIZERS",
    "STOP_REASONS",
    "EarlyStopping",
    "EpochInfo",
    "History",
    "JobSnapshot",
    "Trainer",
    "TrainingJob",
    "TrainingSlots",
    "TrainerLike",
    "TrainResult",
    "SLOTS",
    "closure_trainer",
    "fit",
    "make_optimizer",
    "supervised_trainer",
    "train",
]

OPTIMIZERS = ("sgd", "momentum", "rmsprop", "adam", "lbfgs")
"""Optimizer names: plain SGD, SGD with momentum (0.9 unless given), RMSprop, Adam, L-BFGS."""

LR_SCHEDULES = ("constant", "cosine")
"""Learning-rate schedules: constant, or cosine annealing from ``lr`` to ~0 over a run's epochs."""

LOSSES = ("mse", "cross_entropy", "bce")
"""Loss names: mean squared error, cross-entropy on class logits, binary cross-entropy on one logit."""

STOP_REASONS = {
    "completed": "all requested epochs done",
    "epoch_limit": "the fair-use epoch cap (LIMITS.max_epochs) was reached",
    "time_limit": "the time budget ran out",
    "callback": "a callback asked to stop",
    "stopped": "stopped by the user",
    "abandoned": "the page that watched this run went away",
    "diverged": "the loss became infinite or NaN",
    "error": "training raised an error",
}
"""Why a run ended: key -> plain-English explanation (shown on pages)."""


# --------------------------------------------------------------------------- history
@dataclass
class History:
    """Per-epoch record of a training run (continued runs append to it).

    Attributes
    ----------
    epoch : list of int
        Epoch number, 1-based, cumulative over continued runs.
    train_loss : list of float
        Mean per-sample training loss over the epoch's batches (for ``train``:
        the summed loss terms).
    val_loss : list of float
        Validation loss at the end of the epoch (NaN when there is no validation set).
    terms : dict of str -> list of float
        Each named loss term per epoch (``train`` only; empty for ``fit``).
    time : list of float
        Training wall time (s) elapsed at the end of the epoch, cumulative.
    steps : list of int
        Optimizer steps taken by the end of the epoch, cumulative.
    monitor : dict of str -> list of float
        Values returned by a ``monitor`` function, one per epoch where it ran.
    monitor_epoch : list of int
        The epochs where ``monitor`` ran.
    """

    epoch: list[int] = field(default_factory=list)
    train_loss: list[float] = field(default_factory=list)
    val_loss: list[float] = field(default_factory=list)
    terms: dict[str, list[float]] = field(default_factory=dict)
    time: list[float] = field(default_factory=list)
    steps: list[int] = field(default_factory=list)
    monitor: dict[str, list[float]] = field(default_factory=dict)
    monitor_epoch: list[int] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.epoch)

    def copy(self) -> History:
        """A deep copy (safe to read while training continues)."""
        return History(
            list(self.epoch),
            list(self.train_loss),
            list(self.val_loss),
            {k: list(v) for k, v in self.terms.items()},
            list(self.time),
            list(self.steps),
            {k: list(v) for k, v in self.monitor.items()},
            list(self.monitor_epoch),
        )

    @property
    def has_validation(self) -> bool:
        """True when at least one validation loss is finite."""
        return any(math.isfinite(v) for v in self.val_loss)

    def last(self) -> dict[str, float]:
        """The last epoch's figures (empty dict before the first epoch)."""
        if not self.epoch:
            return {}
        out = {
            "epoch": self.epoch[-1],
            "train_loss": self.train_loss[-1],
            "val_loss": self.val_loss[-1],
            "time": self.time[-1],
            "steps": self.steps[-1],
        }
        out.update({k: v[-1] for k, v in self.terms.items()})
        return out

    def to_frame(self):
        """Long table ``epoch, time, series, loss`` (one row per epoch and curve).

        Series are "train", "validation" (if any) and each named term. Non-finite
        values are dropped (a log-scale chart cannot draw them).
        """
        import pandas as pd

        series: dict[str, list[float]] = {"train": self.train_loss}
        if self.has_validation:
            series["validation"] = self.val_loss
        if len(self.terms) > 1:
            series.update(self.terms)
        n = len(self.epoch)
        epoch = np.asarray(self.epoch, dtype=int)
        t = np.asarray(self.time, dtype=float)
        frames = []
        for name, values in series.items():
            v = np.asarray(values[:n], dtype=float)
            keep = np.isfinite(v)
            frames.append(
                pd.DataFrame(
                    {"epoch": epoch[keep], "time": t[keep], "series": name, "loss": v[keep]}
                )
            )
        if not frames or n == 0:
            return pd.DataFrame(columns=["epoch", "time", "series", "loss"])
        return pd.concat(frames, ignore_index=True)


@dataclass
class TrainResult:
    """What a training run returns.

    Attributes
    ----------
    model : torch.nn.Module
        The trained model (the same object that was passed in, trained in place).
    history : History
        Per-epoch losses and times, cumulative over continued runs.
    epochs : int
        Epochs completed so far (all runs).
    steps : int
        Optimizer steps taken so far (all runs).
    wall_time : float
        Training seconds so far (all runs).
    stop_reason : str
        Key of :data:`STOP_REASONS` for the last run.
    diverged_epoch : int or None
        First epoch whose loss was not finite, if any.
    """

    model: object
    history: History
    epochs: int
    steps: int
    wall_time: float
    stop_reason: str
    diverged_epoch: int | None = None

    @property
    def stop_message(self) -> str:
        """Plain-English reason the run ended."""
        msg = STOP_REASONS.get(self.stop_reason, self.stop_reason)
        if self.stop_reason == "diverged" and self.diverged_epoch is not None:
            msg += f" at epoch {self.diverged_epoch}: lower the learning rate"
        return msg


@dataclass(frozen=True)
class EpochInfo:
    """Passed to each callback at the end of every epoch."""

    epoch: int
    train_loss: float
    val_loss: float
    terms: Mapping[str, float]
    elapsed: float
    steps: int
    model: object


Callback = Callable[[EpochInfo], "bool | None"]
"""A callback returns True to stop training (anything else continues)."""


class EarlyStopping:
    """Callback: stop when the monitored loss has not improved for ``patience`` epochs.

    Parameters
    ----------
    patience : int
        Epochs without an improvement larger than ``min_delta`` before stopping.
    min_delta : float
        Smallest decrease that counts as an improvement.
    monitor : {"val_loss", "train_loss"}
        Which loss to watch (falls back to the training loss without validation).
    """

    def __init__(self, patience: int = 20, min_delta: float = 0.0, monitor: str = "val_loss"):
        self.patience = patience
        self.min_delta = min_delta
        self.monitor = monitor
        self.best_ = math.inf
        self.wait_ = 0

    def __call__(self, info: EpochInfo) -> bool:
        value = info.val_loss if self.monitor == "val_loss" else info.train_loss
        if not math.isfinite(value):
            value = info.train_loss
        if value < self.best_ - self.min_delta:
            self.best_, self.wait_ = value, 0
            return False
        self.wait_ += 1
        return self.wait_ >= self.patience


# --------------------------------------------------------------------------- optimizers
def make_optimizer(
    params: Iterable,
    name: str = "adam",
    lr: float = 1e-3,
    *,
    momentum: float | None = None,
    weight_decay: float = 0.0,
):
    """A ``torch.optim`` optimizer by name.

    Parameters
    ----------
    params : iterable of tensors
        Usually ``model.parameters()``.
    name : {"sgd", "momentum", "rmsprop", "adam", "lbfgs"}
        ``"sgd"`` is plain gradient descent ``w -= lr * grad`` (momentum 0 unless
        given); ``"momentum"`` is SGD with momentum 0.9 unless given. ``"lbfgs"``
        does up to 20 quasi-Newton iterations (strong-Wolfe line search) per step.
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
    if not (isinstance(lr, int | float) and math.isfinite(lr) and lr > 0):
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


# --------------------------------------------------------------------------- objectives
class _Supervised:
    """One epoch over (X, y) in shuffled batches; index pre-shuffled tensors (no DataLoader)."""

    def __init__(self, X, y, loss: str, reduction: str, batch_size, val_fraction, seed):
        if loss not in LOSSES:
            raise ValueError(f"unknown loss {loss!r}; choose one of {', '.join(LOSSES)}")
        if reduction not in ("mean", "sum"):
            raise ValueError("reduction must be 'mean' or 'sum'")
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
        if not 0.0 <= val_fraction < 1.0:
            raise ValueError("val_fraction must be in [0, 1)")
        n = len(X)
        n_val = int(round(val_fraction * n))
        if n_val and n - n_val < 1:
            raise ValueError("val_fraction leaves no training samples")
        if n_val:
            perm = np.random.default_rng(seed).permutation(n)
            val_idx, tr_idx = perm[:n_val], perm[n_val:]
            self.Xv, self.yv = torch.from_numpy(X[val_idx]), torch.from_numpy(y[val_idx])
            X, y = X[tr_idx], y[tr_idx]
        else:
            self.Xv = self.yv = None
        self.X, self.y = (
            torch.from_numpy(np.ascontiguousarray(X)),
            torch.from_numpy(np.ascontiguousarray(y)),
        )
        self.n = len(X)
        bs = self.n if batch_size is None else int(batch_size)
        if bs < 1:
            raise ValueError("batch_size must be at least 1 (or None for full batch)")
        self.batch_size = min(bs, self.n)
        self.reduction = reduction
        F = torch.nn.functional
        self.loss_fn = {
            "mse": F.mse_loss,
            "cross_entropy": F.cross_entropy,
            "bce": F.binary_cross_entropy_with_logits,
        }[loss]
        self.loss_name = loss

    def steps_per_epoch(self) -> int:
        return -(-self.n // self.batch_size)

    def run_epoch(self, model, opt, gen, should_stop, lbfgs: bool):
        n, bs, loss_fn, red = self.n, self.batch_size, self.loss_fn, self.reduction
        if bs < n:
            perm = torch.randperm(n, generator=gen)
            Xs, ys = self.X.index_select(0, perm), self.y.index_select(0, perm)
        else:
            Xs, ys = self.X, self.y
        losses = []
        steps = 0
        for i in range(0, n, bs):
            if should_stop():
                break
            xb, yb = Xs[i : i + bs], ys[i : i + bs]
            if lbfgs:

                def closure(xb=xb, yb=yb):
                    opt.zero_grad(set_to_none=True)
                    out = loss_fn(model(xb), yb, reduction=red)
                    out.backward()
                    return out

                loss = opt.step(closure)
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

    def validate(self, model) -> float:
        if self.Xv is None:
            return math.nan
        with torch.no_grad():
            return float(self.loss_fn(model(self.Xv), self.yv, reduction="mean"))


class _Closure:
    """``steps_per_epoch`` optimizer steps on ``loss_terms(model) -> dict`` per epoch."""

    def __init__(self, loss_terms, steps_per_epoch: int, validate=None):
        if steps_per_epoch < 1:
            raise ValueError("steps_per_epoch must be at least 1")
        self.loss_terms = loss_terms
        self.n_steps = int(steps_per_epoch)
        self._validate = validate

    def steps_per_epoch(self) -> int:
        return self.n_steps

    def _evaluate(self, model):
        terms = self.loss_terms(model)
        if not isinstance(terms, Mapping):
            terms = {"loss": terms}
        total = None
        for v in terms.values():
            total = v if total is None else total + v
        return total, terms

    def run_epoch(self, model, opt, gen, should_stop, lbfgs: bool):
        totals, term_sums = [], {}
        steps = 0
        for _ in range(self.n_steps):
            if should_stop():
                break
            last: dict = {}
            if lbfgs:

                def closure(last=last):
                    opt.zero_grad(set_to_none=True)
                    total, terms = self._evaluate(model)
                    total.backward()
                    last.setdefault("terms", terms)  # terms at the step's start, like the loss
                    return total

                total = opt.step(closure)
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

    def validate(self, model) -> float:
        if self._validate is None:
            return math.nan
        with torch.no_grad():
            return float(self._validate(model))


# --------------------------------------------------------------------------- trainer
class Trainer:
    """A model, an objective, an optimizer and a history: ``run()`` trains, again continues.

    Build one with :func:`supervised_trainer` (arrays) or :func:`train`'s arguments;
    most users call :func:`fit` / :func:`train` instead.

    Parameters
    ----------
    model : torch.nn.Module
    objective : object
        Internal: the per-epoch loop (supervised batches or a loss closure).
    optimizer : str
        See :func:`make_optimizer`.
    lr, momentum, weight_decay : float
        Optimizer settings.
    seed : int
        Seeds batch shuffling (and torch's global generator once, at construction).
    callbacks : sequence of callables
        ``callback(EpochInfo) -> True`` stops training.
    monitor : callable, optional
        ``monitor(model) -> {name: float}`` recorded every ``monitor_every`` epochs.
    max_seconds : float, optional
        Time budget of each ``run()``, capped by ``limits.max_train_seconds``.
    lr_decay : float, default 1
        The learning rate is multiplied by this after every epoch (exponential decay;
        1 keeps it constant).
    lr_schedule : {"constant", "cosine"}
        ``"cosine"``: each ``run(epochs)`` anneals the learning rate along half a
        cosine, ``lr · ½(1 + cos(π k / epochs))`` for its epoch ``k = 0, 1, ...``, from
        ``lr`` at the first epoch to nearly 0 at the last (big steps first, fine ones
        at the end). Calling ``run()`` again (Continue) starts a new cycle from ``lr``
        (a warm restart). With ``lr_decay`` as well, the two factors multiply.
    limits : Limits, optional
        Fair-use caps (default :data:`nnkit.limits.LIMITS`).
    """

    def __init__(
        self,
        model,
        objective,
        *,
        optimizer: str = "adam",
        lr: float = 1e-3,
        momentum: float | None = None,
        weight_decay: float = 0.0,
        seed: int = 0,
        callbacks: Sequence[Callback] = (),
        monitor: Callable[[object], Mapping[str, float]] | None = None,
        monitor_every: int = 1,
        max_seconds: float | None = None,
        lr_decay: float = 1.0,
        lr_schedule: str = "constant",
        limits: Limits | None = None,
    ):
        self.model = model
        self.objective = objective
        self.optimizer_name = optimizer
        self.optimizer = make_optimizer(
            model.parameters(), optimizer, lr, momentum=momentum, weight_decay=weight_decay
        )
        self.lbfgs = optimizer == "lbfgs"
        self.seed = int(seed)
        torch.random.default_generator.manual_seed(self.seed)
        self.generator = torch.Generator().manual_seed(self.seed)
        self.callbacks = list(callbacks)
        self.monitor = monitor
        self.monitor_every = max(1, int(monitor_every))
        self.limits = limits or LIMITS
        cap = float(self.limits.max_train_seconds)
        self.max_seconds = cap if max_seconds is None else min(float(max_seconds), cap)
        if not (0 < lr_decay <= 1):
            raise ValueError(f"lr_decay must be in (0, 1], got {lr_decay!r}")
        self.lr_decay = float(lr_decay)
        if lr_schedule not in LR_SCHEDULES:
            raise ValueError(
                f"unknown lr_schedule {lr_schedule!r}; choose one of {', '.join(LR_SCHEDULES)}"
            )
        self.lr_schedule = lr_schedule
        self.base_lr = float(lr)  # the lr a cosine cycle starts from (× lr_decay per epoch)
        self.history = History()
        self.epochs_done = 0
        self.steps_done = 0
        self.wall_time = 0.0
        self.diverged_epoch: int | None = None
        self.stop_reason = "completed"
        self.steps_in_epoch = 0  # live progress inside the current epoch (for snapshots)

    @property
    def steps_per_epoch(self) -> int:
        """Optimizer steps in one full epoch."""
        return self.objective.steps_per_epoch()

    def result(self) -> TrainResult:
        """The current state as a :class:`TrainResult`."""
        return TrainResult(
            model=self.model,
            history=self.history,
            epochs=self.epochs_done,
            steps=self.steps_done,
            wall_time=self.wall_time,
            stop_reason=self.stop_reason,
            diverged_epoch=self.diverged_epoch,
        )

    def run(
        self,
        epochs: int,
        *,
        stop_event: threading.Event | None = None,
        on_tick: Callable[[], None] | None = None,
        tick_seconds: float = 0.1,
    ) -> TrainResult:
        """Train for up to ``epochs`` more epochs (continuing any earlier run).

        Parameters
        ----------
        epochs : int
            Epochs to add; capped so the total stays within ``limits.max_epochs``.
        stop_event : threading.Event, optional
            Checked before every step; when set, training stops ("stopped").
        on_tick : callable, optional
            Called from the training loop (between steps) at most every
            ``tick_seconds`` and at each epoch end; :class:`TrainingJob` uses it to
            publish snapshots.

        Returns
        -------
        TrainResult
            ``stop_reason`` says why this run ended. A diverged model cannot be
            continued (the loss is NaN); build a new one.
        """
        epochs = int(epochs)
        if epochs < 0:
            raise ValueError("epochs must be >= 0")
        if self.diverged_epoch is not None:
            self.stop_reason = "diverged"
            return self.result()
        room = int(self.limits.max_epochs) - self.epochs_done
        target = min(epochs, max(room, 0))
        capped = target < epochs
        model, opt, gen, obj, lbfgs = (
            self.model,
            self.optimizer,
            self.generator,
            self.objective,
            self.lbfgs,
        )
        model.train()
        t_start = time.perf_counter()
        deadline = t_start + self.max_seconds
        wall0 = self.wall_time
        state = {"reason": None, "next_tick": t_start + tick_seconds, "k": 0}
        perf = time.perf_counter
        sleep = time.sleep

        if on_tick is None and stop_event is None:

            def should_stop() -> bool:
                if perf() > deadline:
                    state["reason"] = "time_limit"
                    return True
                return False

        else:

            def should_stop() -> bool:
                now = perf()
                state["k"] += 1  # called once before every step: steps so far in this epoch
                # Background runs hand the GIL over between steps: without this a thread
                # doing many small torch ops starves the server's threads (a live view
                # refreshed ~1 fps instead of 5).
                sleep(0)
                if stop_event is not None and stop_event.is_set():
                    state["reason"] = "stopped"
                    return True
                if now > deadline:
                    state["reason"] = "time_limit"
                    return True
                if on_tick is not None and now >= state["next_tick"]:
                    state["next_tick"] = now + tick_seconds
                    self.wall_time = wall0 + (now - t_start)
                    self.steps_in_epoch = state["k"] - 1
                    on_tick()
                return False

        reason = "epoch_limit" if capped else "completed"
        cosine = self.lr_schedule == "cosine"
        for i in range(target):
            if cosine:
                for group in opt.param_groups:
                    group["lr"] = self.base_lr * 0.5 * (1.0 + math.cos(math.pi * i / target))
            state["k"] = 0
            train_loss, terms, steps = obj.run_epoch(model, opt, gen, should_stop, lbfgs)
            self.steps_done += steps
            self.steps_in_epoch = 0
            if train_loss is None:  # interrupted mid-epoch: steps count, the epoch does not
                reason = state["reason"] or "stopped"
                break
            self.epochs_done += 1
            e = self.epochs_done
            val = obj.validate(model)
            self.wall_time = wall0 + (perf() - t_start)
            h = self.history
            h.epoch.append(e)
            h.train_loss.append(train_loss)
            h.val_loss.append(val)
            h.time.append(self.wall_time)
            h.steps.append(self.steps_done)
            for k, v in terms.items():
                h.terms.setdefault(k, [math.nan] * (len(h.epoch) - 1)).append(v)
            if not math.isfinite(train_loss):
                self.diverged_epoch = e
                reason = "diverged"
                break
            if self.monitor is not None and e % self.monitor_every == 0:
                with torch.no_grad():
                    values = self.monitor(model)
                for k, v in values.items():
                    h.monitor.setdefault(k, [math.nan] * len(h.monitor_epoch)).append(float(v))
                h.monitor_epoch.append(e)
            if self.lr_decay != 1.0:
                self.base_lr *= self.lr_decay
                if not cosine:
                    for group in opt.param_groups:
                        group["lr"] *= self.lr_decay
            if self.callbacks:
                info = EpochInfo(
                    e, train_loss, val, dict(terms), self.wall_time, self.steps_done, model
                )
                if any([bool(cb(info)) for cb in self.callbacks]):
                    reason = "callback"
                    break
            if on_tick is not None:
                on_tick()
        self.wall_time = wall0 + (perf() - t_start)
        self.stop_reason = reason
        return self.result()


def supervised_trainer(
    model,
    X,
    y,
    *,
    loss: str = "mse",
    reduction: str = "mean",
    optimizer: str = "adam",
    lr: float = 1e-3,
    momentum: float | None = None,
    weight_decay: float = 0.0,
    batch_size: int | None = 32,
    val_fraction: float = 0.0,
    seed: int = 0,
    callbacks: Sequence[Callback] = (),
    monitor: Callable[[object], Mapping[str, float]] | None = None,
    monitor_every: int = 1,
    max_seconds: float | None = None,
    lr_decay: float = 1.0,
    lr_schedule: str = "constant",
    limits: Limits | None = None,
) -> Trainer:
    """A :class:`Trainer` for supervised data, not yet run (see :func:`fit` for parameters).

    Use it with :class:`TrainingJob` to train in the background, or call ``.run(epochs)``
    repeatedly to continue training.
    """
    limits = limits or LIMITS
    n = len(X)
    if n > limits.max_samples:
        raise ValueError(
            f"{n} samples is more than the fair-use cap of {limits.max_samples} "
            "(LIMITS.max_samples): use fewer samples"
        )
    objective = _Supervised(X, y, loss, reduction, batch_size, val_fraction, seed)
    return Trainer(
        model,
        objective,
        optimizer=optimizer,
        lr=lr,
        momentum=momentum,
        weight_decay=weight_decay,
        seed=seed,
        callbacks=callbacks,
        monitor=monitor,
        monitor_every=monitor_every,
        max_seconds=max_seconds,
        lr_decay=lr_decay,
        lr_schedule=lr_schedule,
        limits=limits,
    )


def fit(
    model,
    X,
    y,
    *,
    loss: str = "mse",
    reduction: str = "mean",
    optimizer: str = "adam",
    lr: float = 1e-3,
    momentum: float | None = None,
    weight_decay: float = 0.0,
    epochs: int = 100,
    batch_size: int | None = 32,
    val_fraction: float = 0.0,
    seed: int = 0,
    callbacks: Sequence[Callback] = (),
    monitor: Callable[[object], Mapping[str, float]] | None = None,
    monitor_every: int = 1,
    max_seconds: float | None = None,
    lr_decay: float = 1.0,
    lr_schedule: str = "constant",
    limits: Limits | None = None,
) -> TrainResult:
    """Train ``model`` on ``(X, y)`` with the lecture's loop; the model is trained in place.

    Each epoch shuffles the training rows (seeded), cuts them into batches of
    ``batch_size`` and for each batch does: forward pass, loss, backward pass,
    optimizer step. An epoch has ``ceil(n_train / batch_size)`` steps.

    Parameters
    ----------
    model : torch.nn.Module
        E.g. from :func:`nnkit.models.mlp`.
    X : array_like, shape (n, d)
        Inputs (a 1-D array is one feature).
    y : array_like
        Targets: shape (n,) or (n, k) floats for ``"mse"``/``"bce"``; integer class
        labels of shape (n,) for ``"cross_entropy"``.
    loss : {"mse", "cross_entropy", "bce"}
        ``"bce"`` takes one logit per sample (``BCEWithLogitsLoss``).
    reduction : {"mean", "sum"}
        How a batch's loss is reduced before the gradient: the lecture's TorchMLP
        uses ``"sum"``, which multiplies gradients by the batch size. The recorded
        training loss is always per sample.
    optimizer : {"sgd", "momentum", "rmsprop", "adam", "lbfgs"}
    lr : float
        Learning rate.
    momentum, weight_decay : float
        Optimizer settings (see :func:`make_optimizer`).
    epochs : int
        Passes over the training data (capped by ``limits.max_epochs``).
    batch_size : int or None
        ``None``: full batch; ``1``: stochastic; else mini-batch.
    val_fraction : float
        Fraction of rows held out (seeded) for the validation loss.
    seed : int
        Seeds the split, the shuffling and torch's global generator.
    callbacks : sequence of callables
        ``cb(EpochInfo)`` after every epoch; returning True stops training.
    monitor : callable, optional
        ``monitor(model) -> {name: float}`` recorded in ``history.monitor``.
    max_seconds : float, optional
        Wall-clock budget, capped by ``limits.max_train_seconds``.
    lr_decay : float, default 1
        Multiply the learning rate by this after every epoch (e.g. 0.99).
    lr_schedule : {"constant", "cosine"}
        ``"cosine"`` anneals the learning rate from ``lr`` to nearly 0 along half a
        cosine over the ``epochs`` (see :class:`Trainer`).
    limits : Limits, optional
        Fair-use caps, default :data:`nnkit.limits.LIMITS`.

    Returns
    -------
    TrainResult
        History, steps, wall time, stop reason and divergence epoch.

    Raises
    ------
    ValueError
        On an unknown loss/optimizer, a bad learning rate or batch size, mismatched
        or non-finite data, or more than ``limits.max_samples`` rows.
    """
    trainer = supervised_trainer(
        model,
        X,
        y,
        loss=loss,
        reduction=reduction,
        optimizer=optimizer,
        lr=lr,
        momentum=momentum,
        weight_decay=weight_decay,
        batch_size=batch_size,
        val_fraction=val_fraction,
        seed=seed,
        callbacks=callbacks,
        monitor=monitor,
        monitor_every=monitor_every,
        max_seconds=max_seconds,
        lr_decay=lr_decay,
        lr_schedule=lr_schedule,
        limits=limits,
    )
    return trainer.run(epochs)


def closure_trainer(
    model,
    loss_terms: Callable[[object], Mapping[str, object] | object],
    *,
    optimizer: str = "adam",
    lr: float = 1e-3,
    momentum: float | None = None,
    weight_decay: float = 0.0,
    steps_per_epoch: int = 1,
    validate: Callable[[object], float] | None = None,
    seed: int = 0,
    callbacks: Sequence[Callback] = (),
    monitor: Callable[[object], Mapping[str, float]] | None = None,
    monitor_every: int = 1,
    max_seconds: float | None = None,
    lr_decay: float = 1.0,
    limits: Limits | None = None,
) -> Trainer:
    """A :class:`Trainer` for a loss closure, not yet run (see :func:`train` for parameters)."""
    objective = _Closure(loss_terms, steps_per_epoch, validate)
    return Trainer(
        model,
        objective,
        optimizer=optimizer,
        lr=lr,
        momentum=momentum,
        weight_decay=weight_decay,
        seed=seed,
        callbacks=callbacks,
        monitor=monitor,
        monitor_every=monitor_every,
        max_seconds=max_seconds,
        lr_decay=lr_decay,
        limits=limits,
    )


def train(
    model,
    loss_terms: Callable[[object], Mapping[str, object] | object],
    *,
    optimizer: str = "adam",
    lr: float = 1e-3,
    momentum: float | None = None,
    weight_decay: float = 0.0,
    epochs: int = 1000,
    steps_per_epoch: int = 1,
    validate: Callable[[object], float] | None = None,
    seed: int = 0,
    callbacks: Sequence[Callback] = (),
    monitor: Callable[[object], Mapping[str, float]] | None = None,
    monitor_every: int = 1,
    max_seconds: float | None = None,
    lr_decay: float = 1.0,
    limits: Limits | None = None,
) -> TrainResult:
    """Minimise a loss given as a closure of named terms (the PINN loop).

    Parameters
    ----------
    model : torch.nn.Module
    loss_terms : callable
        ``loss_terms(model)`` returns ``{"name": scalar tensor, ...}`` (or one scalar
        tensor). The optimised loss is the sum of the terms; ``history.terms[name]``
        records each. Put weights inside the closure (``{"pde": w * r.pow(2).mean()}``).
        It may resample collocation points on each call.
    optimizer, lr, momentum, weight_decay
        See :func:`make_optimizer`; ``"lbfgs"`` calls the closure several times per step.
    epochs : int
        Number of epochs (capped by ``limits.max_epochs``).
    steps_per_epoch : int
        Optimizer steps per recorded epoch (record every k steps).
    validate : callable, optional
        ``validate(model) -> float`` under ``no_grad`` at each epoch end (e.g. the
        error against a reference solution), recorded as ``history.val_loss``.
    seed, callbacks, monitor, monitor_every, max_seconds, limits
        As for :func:`fit`.

    Returns
    -------
    TrainResult

    Example
    -------
    >>> net = mlp(1, [16], 1)
    >>> x = torch.linspace(0, 1, 64)[:, None].requires_grad_(True)
    >>> def terms(model):
    ...     u = model(x)
    ...     du = torch.autograd.grad(u.sum(), x, create_graph=True)[0]
    ...     return {"ode": (du - u).pow(2).mean(), "initial": (model(x[:1] * 0) - 1).pow(2).sum()}
    >>> res = train(net, terms, lr=1e-2, epochs=200)
    """
    return closure_trainer(
        model,
        loss_terms,
        optimizer=optimizer,
        lr=lr,
        momentum=momentum,
        weight_decay=weight_decay,
        steps_per_epoch=steps_per_epoch,
        validate=validate,
        seed=seed,
        callbacks=callbacks,
        monitor=monitor,
        monitor_every=monitor_every,
        max_seconds=max_seconds,
        lr_decay=lr_decay,
        limits=limits,
    ).run(epochs)


# --------------------------------------------------------------------------- background job
@dataclass
class JobSnapshot:
    """A consistent copy of a job's progress, safe to read from another thread.

    Attributes
    ----------
    history : History
        Copy of the history so far.
    state_dict : dict
        Copy of the model's parameters at ``steps`` (never half-updated).
    epochs, steps : int
        Progress so far (cumulative).
    elapsed : float
        Training seconds so far (cumulative).
    running : bool
        Whether the thread is still training.
    stop_reason : str or None
        Why the last run ended (None while running).
    diverged_epoch : int or None
    error : str or None
        The exception text if the training thread raised.
    version : int
        Increases with every publication (a view can skip redraws when unchanged).
    queued : int or None
        While the job waits for a free training slot (see :class:`TrainingSlots`):
        how many runs are ahead of it in the queue (0 = next). None otherwise.
    """

    history: History
    state_dict: dict | None
    epochs: int
    steps: int
    elapsed: float
    running: bool
    stop_reason: str | None
    diverged_epoch: int | None
    error: str | None
    version: int
    queued: int | None = None

    @property
    def stop_message(self) -> str:
        """Plain-English reason the last run ended ('' while running)."""
        if self.error:
            return f"training raised an error: {self.error}"
        if self.stop_reason is None:
            return ""
        msg = STOP_REASONS.get(self.stop_reason, self.stop_reason)
        if self.stop_reason == "diverged" and self.diverged_epoch is not None:
            msg += f" at epoch {self.diverged_epoch}: lower the learning rate"
        return msg


@runtime_checkable
class TrainerLike(Protocol):
    """What :class:`TrainingJob` needs from the object it runs.

    :class:`Trainer` is one; :class:`nnkit.pinn.PINN` (an Adam phase, then an L-BFGS
    phase, each a :class:`Trainer`) is another. Anything with these members can be
    run, stopped, continued and watched live.

    Attributes
    ----------
    model : torch.nn.Module
        The model being trained (the job copies its weights into snapshots).
    history : History
        One history over every run so far (``copy()`` is called for snapshots).
    epochs_done, steps_done : int
        Completed epochs and optimizer steps, cumulative over runs.
    steps_in_epoch : int
        Steps done inside the epoch in progress (shown live before it completes).
    wall_time : float
        Training seconds, cumulative.
    diverged_epoch : int or None
        Epoch whose loss was not finite, if any.
    stop_reason : str or None
        Why the last run ended (a key of :data:`STOP_REASONS`); the job sets it when
        the run ends without training (stopped or abandoned while queued) or raises.
    """

    model: object
    history: History
    epochs_done: int
    steps_done: int
    steps_in_epoch: int
    wall_time: float
    diverged_epoch: int | None
    stop_reason: str | None

    def run(
        self,
        epochs: int,
        *,
        stop_event: threading.Event | None = None,
        on_tick: Callable[[], None] | None = None,
        tick_seconds: float = 0.1,
    ) -> TrainResult:
        """Train ``epochs`` more epochs (continuing), checking ``stop_event`` before every
        step and calling ``on_tick`` about every ``tick_seconds``."""
        ...

    def result(self) -> TrainResult:
        """The current :class:`TrainResult`."""
        ...


class TrainingSlots:
    """A cap on how many :class:`TrainingJob` threads train at once, with a fair queue.

    All jobs of a process share one interpreter: each training thread holds the GIL
    between its torch ops, so ten of them at once on a 2-CPU server made every page of
    every visitor (even the home page) take ~30 s. A job takes a slot when its run
    starts and gives it back when the run ends; while every slot is taken it waits,
    first come first served, and its snapshot says how many runs are ahead of it.
    Waiting does not count toward the run's time budget.

    Parameters
    ----------
    capacity : int
        How many jobs may train at the same time (>= 1).

    Example
    -------
    >>> slots = TrainingSlots(1)
    >>> slots.acquire("a", timeout=0)       # any hashable owner
    True
    >>> slots.acquire("b", timeout=0), slots.position("b")
    (False, 0)
    >>> slots.leave("a"); slots.acquire("b", timeout=0)
    True
    """

    def __init__(self, capacity: int):
        if int(capacity) < 1:
            raise ValueError(f"capacity must be at least 1, got {capacity!r}")
        self.capacity = int(capacity)
        self._cond = threading.Condition()
        self._holders: set = set()
        self._queue: list = []

    def acquire(self, owner, timeout: float) -> bool:
        """Take a slot for ``owner``, waiting at most ``timeout`` seconds.

        An owner that must wait joins the end of the queue and keeps its place across
        calls, so call again (e.g. after checking a stop flag) until it returns True;
        :meth:`leave` gives up the slot or the place.
        """
        deadline = time.monotonic() + max(0.0, timeout)
        with self._cond:
            if owner in self._holders:
                return True
            if owner not in self._queue:
                self._queue.append(owner)
            while True:
                if len(self._holders) < self.capacity and self._queue[0] is owner:
                    self._queue.pop(0)
                    self._holders.add(owner)
                    self._cond.notify_all()
                    return True
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return False
                self._cond.wait(remaining)

    def leave(self, owner) -> None:
        """Give back ``owner``'s slot, or its place in the queue."""
        with self._cond:
            self._holders.discard(owner)
            if owner in self._queue:
                self._queue.remove(owner)
            self._cond.notify_all()

    def position(self, owner) -> int | None:
        """Runs ahead of ``owner`` in the queue (0 = next), None when it is not waiting."""
        with self._cond:
            for i, other in enumerate(self._queue):
                if other is owner:
                    return i
            return None

    def owners(self) -> list:
        """Everyone holding a slot, then everyone waiting, in queue order."""
        with self._cond:
            return [*self._holders, *self._queue]

    @property
    def busy(self) -> int:
        """Jobs training now."""
        with self._cond:
            return len(self._holders)

    @property
    def waiting(self) -> int:
        """Jobs waiting for a slot."""
        with self._cond:
            return len(self._queue)


SLOTS = TrainingSlots(LIMITS.max_concurrent_jobs)
"""The process-wide slots every :class:`TrainingJob` uses unless given others
(``LIMITS.max_concurrent_jobs``, i.e. ``NNKIT_MAX_CONCURRENT_JOBS``)."""


class TrainingJob:
    """Run a :class:`Trainer` in a background thread: start, stop, continue, snapshot.

    No streamlit here: :mod:`nnkit.ui.live_training` wraps a job in buttons and a
    live chart, and a notebook can use it directly.

    Parameters
    ----------
    trainer : TrainerLike
        What to train: a :class:`Trainer` (e.g. from :func:`supervised_trainer` /
        :func:`closure_trainer`) or anything else with the :class:`TrainerLike` members.
    epochs : int
        Epochs per ``start()`` / ``resume()``.
    publish_seconds : float
        How often the training thread publishes a snapshot (history + weights).
    heartbeat_timeout : float, optional
        If set, the job stops itself ("abandoned") when :meth:`heartbeat` has not
        been called for this many seconds: a live view calls it on every refresh,
        so a closed browser tab cannot leave a thread training.
    switch_interval : float or None, default 0.0005
        On start, lower Python's thread switch interval (``sys.setswitchinterval``,
        process-wide, default 5 ms) to at most this. A training thread releases the GIL
        around every torch op and must then wait for it; with the default 5 ms, each
        redraw of a live view (Python-heavy) stalls training far longer than it runs.
        Measured here: training with a 5 fps view ran at 0.67 of its speed alone with
        5 ms and 0.79 with 0.5 ms. ``None`` leaves the interpreter alone.
    slots : TrainingSlots or None, default :data:`SLOTS`
        Where the job takes a training slot before each run (it waits, ``queued``,
        while all are taken; a stop or a missed heartbeat ends the wait). ``None``
        trains at once, uncapped.

    Example
    -------
    >>> job = TrainingJob(supervised_trainer(net, X, y, lr=1e-2), epochs=500).start()
    >>> snap = job.snapshot()            # from any thread, any time
    >>> job.stop(); job.join()
    >>> job.resume(epochs=200)           # same model, optimizer and history
    """

    def __init__(
        self,
        trainer: TrainerLike,
        epochs: int,
        *,
        publish_seconds: float = 0.1,
        heartbeat_timeout: float | None = None,
        switch_interval: float | None = 0.0005,
        slots: TrainingSlots | None = SLOTS,
    ):
        self.trainer = trainer
        self.slots = slots
        self._queued: int | None = None
        self.switch_interval = switch_interval
        self.epochs = int(epochs)
        self.publish_seconds = float(publish_seconds)
        self.heartbeat_timeout = heartbeat_timeout
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._last_beat = time.monotonic()
        self._abandoned = False
        self._error: str | None = None
        self._version = 0
        self._model_template = copy.deepcopy(trainer.model)
        self._snap = self._make_snapshot(running=False, reason=None)

    # -- thread side -------------------------------------------------------------
    def _make_snapshot(self, running: bool, reason: str | None) -> JobSnapshot:
        t = self.trainer
        state = {k: v.detach().clone() for k, v in t.model.state_dict().items()}
        self._version += 1
        return JobSnapshot(
            history=t.history.copy(),
            state_dict=state,
            epochs=t.epochs_done,
            steps=t.steps_done + (t.steps_in_epoch if running else 0),
            elapsed=t.wall_time,
            running=running,
            stop_reason=reason,
            diverged_epoch=t.diverged_epoch,
            error=self._error,
            version=self._version,
            queued=self._queued,
        )

    def _check_heartbeat(self) -> None:
        if (
            self.heartbeat_timeout is not None
            and time.monotonic() - self._last_beat > self.heartbeat_timeout
        ):
            self._abandoned = True
            self._stop.set()

    def _publish(self, running: bool = True, reason: str | None = None) -> None:
        snap = self._make_snapshot(running, reason)
        with self._lock:
            self._snap = snap
        if running:
            self._check_heartbeat()

    def _wait_for_slot(self) -> bool:
        """Queue for a training slot; False if stopped (or abandoned) while waiting."""
        if self.slots is None:
            return True
        while not self._stop.is_set():
            if self.slots.acquire(self, timeout=self.publish_seconds):
                self._queued = None
                return True
            self._queued = self.slots.position(self)
            with self._lock:
                self._version += 1
                self._snap = replace(self._snap, queued=self._queued, version=self._version)
            self._check_heartbeat()
        return False

    def _run(self, epochs: int) -> None:
        reason = "error"
        try:
            if not self._wait_for_slot():
                reason = "abandoned" if self._abandoned else "stopped"
                self.trainer.stop_reason = reason
                return
            res = self.trainer.run(
                epochs,
                stop_event=self._stop,
                on_tick=self._publish,
                tick_seconds=self.publish_seconds,
            )
            reason = res.stop_reason
            if reason == "stopped" and self._abandoned:
                reason = "abandoned"
                self.trainer.stop_reason = reason
        except Exception as exc:  # reported in the snapshot, never lost silently
            self._error = f"{type(exc).__name__}: {exc}"
            self.trainer.stop_reason = "error"
        finally:
            if self.slots is not None:
                self.slots.leave(self)
            self._queued = None
            self._publish(running=False, reason=reason)

    # -- caller side ---------------------------------------------------------------
    @property
    def running(self) -> bool:
        """True while the training thread is alive."""
        return self._thread is not None and self._thread.is_alive()

    def start(self, epochs: int | None = None) -> TrainingJob:
        """Start training in a daemon thread (returns self). Continues if already trained.

        The thread first takes a training slot (see ``slots``): while the server
        trains as many runs as it allows, the snapshot's ``queued`` says how many
        runs are ahead, and training begins by itself when a slot frees up.
        """
        if self.running:
            return self
        self._stop.clear()
        self._abandoned = False
        self._error = None
        self._last_beat = time.monotonic()
        n = self.epochs if epochs is None else int(epochs)
        if self.switch_interval is not None and sys.getswitchinterval() > self.switch_interval:
            sys.setswitchinterval(self.switch_interval)
        # Try for a slot now, so the snapshot a caller reads right after start() already
        # says whether the run trains or waits; the thread keeps the place in the queue.
        if self.slots is not None and not self.slots.acquire(self, timeout=0):
            self._queued = self.slots.position(self)
        with self._lock:
            self._snap = replace(
                self._snap, running=True, stop_reason=None, error=None, queued=self._queued
            )
        self._thread = threading.Thread(
            target=self._run, args=(n,), daemon=True, name="nnkit-train"
        )
        self._thread.start()
        return self

    resume = start
    """Continue training the same model, optimizer and history (alias of :meth:`start`)."""

    def stop(self) -> None:
        """Ask the thread to stop after the current step; the model and history are kept."""
        self._stop.set()

    def join(self, timeout: float | None = None) -> bool:
        """Wait for the thread to end; True if it has ended."""
        if self._thread is not None:
            self._thread.join(timeout)
        return not self.running

    def heartbeat(self) -> None:
        """Tell the job someone is still watching (see ``heartbeat_timeout``)."""
        self._last_beat = time.monotonic()

    def snapshot(self) -> JobSnapshot:
        """The latest published :class:`JobSnapshot` (cheap: no copy of the weights)."""
        with self._lock:
            return self._snap

    def model_at(self, snapshot: JobSnapshot | None = None, *, reuse: bool = False):
        """A copy of the model with a snapshot's weights (safe to evaluate any time).

        ``reuse=True`` loads the weights into one cached copy instead of deep-copying the
        model on every call (what a live view refreshing 5 times a second wants); that
        copy is shared, so use it from one viewer thread at a time.
        """
        snap = snapshot or self.snapshot()
        if reuse:
            clone, version = getattr(self, "_viewer", (None, None))
            if clone is None:
                clone = copy.deepcopy(self._model_template)
                clone.eval()
            if version != snap.version and snap.state_dict is not None:
                clone.load_state_dict(snap.state_dict)
            self._viewer = (clone, snap.version)
            return clone
        clone = copy.deepcopy(self._model_template)
        if snap.state_dict is not None:
            clone.load_state_dict(snap.state_dict)
        clone.eval()
        return clone

    @property
    def model(self):
        """The live model (only read it when the job is not running)."""
        return self.trainer.model

    def result(self) -> TrainResult:
        """The trainer's current :class:`TrainResult` (read when not running)."""
        return self.trainer.result()
