"""The lecture's training loop: batches, forward pass, loss, backward pass, step.

:class:`Trainer` keeps a model, an objective, an optimizer and a history, so ``run()``
trains and calling it again *continues*. :func:`fit` (arrays ``X, y``) and
:func:`train` (a closure of named loss terms) build one and run it once;
:func:`supervised_trainer` and :func:`closure_trainer` build one without running it
(for :class:`~nnkit.training.TrainingJob`, or to continue later).

Every function takes one :class:`~nnkit.training.TrainConfig` (``config=``) and/or its
fields as keywords (``fit(model, X, y, lr=1e-2, epochs=50)``).
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np
import torch
from numpy.typing import ArrayLike

from nnkit.limits import Limits
from nnkit.training.callbacks import Callback
from nnkit.training.config import TrainConfig, make_optimizer, make_schedulers
from nnkit.training.history import EpochInfo, History, TrainResult
from nnkit.training.objectives import ClosureObjective, LossTerms, Objective, SupervisedObjective

__all__ = ["Trainer", "closure_trainer", "fit", "supervised_trainer", "train"]

Monitor = Callable[[Any], Mapping[str, float]]
"""``monitor(model) -> {name: float}``, recorded in ``history.monitor``."""


class Trainer:
    """A model, an objective, an optimizer and a history: ``run()`` trains, again continues.

    Parameters
    ----------
    model : torch.nn.Module
        Trained in place.
    objective : Objective
        The per-epoch loop: :class:`~nnkit.training.SupervisedObjective` or
        :class:`~nnkit.training.ClosureObjective` (or your own).
    config : TrainConfig, optional
        The recipe (default ``TrainConfig()``): optimizer, learning rate and schedule,
        epochs per run, seed, time budget.
    optimizer : torch.optim.Optimizer or str, optional
        Use this optimizer instead of building ``config.optimizer`` (its learning
        rate is still scheduled by ``config``). ``torch.optim.LBFGS`` and
        :class:`nnkit.bfgs.BFGS` are called with a closure. A name is the same as
        ``config.optimizer``.
    callbacks : sequence of callables
        ``callback(EpochInfo) -> True`` stops training; see :mod:`nnkit.training.callbacks`
        (``reset()`` is called at the start of every run).
    monitor : callable, optional
        ``monitor(model) -> {name: float}`` recorded every ``monitor_every`` epochs.
    monitor_every : int
        How often ``monitor`` runs.
    limits : Limits, optional
        Caps on epochs (in total, over continued runs) and seconds per run. The
        default caps nothing.
    history : History, optional
        Continue this history (and its epoch, step and time counts) instead of a new
        one: a second phase of a run (e.g. a PINN's L-BFGS after Adam) appends to the
        first phase's curves.

    Attributes
    ----------
    history : History
    epochs_done, steps_done : int
        Cumulative over continued runs.
    wall_time : float
        Training seconds, cumulative.
    stop_reason : str
        Key of :data:`~nnkit.training.STOP_REASONS` for the last run.
    diverged_epoch : int or None
    steps_in_epoch : int
        Live progress inside the current epoch (for snapshots).
    """

    def __init__(
        self,
        model: torch.nn.Module,
        objective: Objective,
        config: TrainConfig | None = None,
        *,
        optimizer: torch.optim.Optimizer | str | None = None,
        callbacks: Sequence[Callback] = (),
        monitor: Monitor | None = None,
        monitor_every: int = 1,
        limits: Limits | None = None,
        history: History | None = None,
    ) -> None:
        self.model = model
        self.objective = objective
        if isinstance(optimizer, str):
            config, optimizer = TrainConfig.from_settings(config, optimizer=optimizer), None
        self.config = config if config is not None else TrainConfig()
        self.optimizer = (
            optimizer if optimizer is not None else make_optimizer(model.parameters(), self.config)
        )
        if optimizer is None:
            self.lbfgs = self.config.optimizer == "lbfgs"
        else:
            self.lbfgs = _needs_closure(optimizer)
        self.seed = int(self.config.seed)
        self.generator = torch.Generator().manual_seed(self.seed)
        self.callbacks = list(callbacks)
        self.monitor = monitor
        self.monitor_every = max(1, int(monitor_every))
        self.limits = limits if limits is not None else Limits()
        own = self.config.max_seconds
        cap = float(self.limits.max_train_seconds)
        self.max_seconds = cap if own is None else min(float(own), cap)
        self.history = history if history is not None else History()
        self.epochs_done = self.history.epoch[-1] if self.history.epoch else 0
        self.steps_done = self.history.steps[-1] if self.history.steps else 0
        self.wall_time = self.history.time[-1] if self.history.time else 0.0
        self.diverged_epoch: int | None = None
        self.stop_reason: str | None = "completed"
        self.steps_in_epoch = 0
        self._lr0 = [float(g["lr"]) for g in self.optimizer.param_groups]
        self._decayed_epochs = 0  # epochs trained by this trainer (lr_decay's exponent)

    @property
    def steps_per_epoch(self) -> int:
        """Optimizer steps in one full epoch."""
        return self.objective.steps_per_epoch()

    def result(self) -> TrainResult:
        """The current state as a :class:`~nnkit.training.TrainResult`."""
        return TrainResult(
            model=self.model,
            history=self.history,
            epochs=self.epochs_done,
            steps=self.steps_done,
            wall_time=self.wall_time,
            stop_reason=self.stop_reason or "completed",
            diverged_epoch=self.diverged_epoch,
        )

    def run(
        self,
        epochs: int | None = None,
        *,
        max_seconds: float | None = None,
        stop_event: threading.Event | None = None,
        on_tick: Callable[[], None] | None = None,
        tick_seconds: float = 0.1,
    ) -> TrainResult:
        """Train for up to ``epochs`` more epochs (continuing any earlier run).

        Parameters
        ----------
        epochs : int, optional
            Epochs to add (default ``config.epochs``); capped so the total stays within
            ``limits.max_epochs``.
        max_seconds : float, optional
            A tighter time budget for this run only (the trainer's own still applies).
        stop_event : threading.Event, optional
            Checked before every step; when set, training stops ("stopped").
        on_tick : callable, optional
            Called from the training loop (between steps) at most every
            ``tick_seconds`` and at each epoch end;
            :class:`~nnkit.training.TrainingJob` uses it to publish snapshots.
        tick_seconds : float
            See ``on_tick``.

        Returns
        -------
        TrainResult
            ``stop_reason`` says why this run ended. A diverged model cannot be
            continued (the loss is NaN); build a new one.
        """
        epochs = self.config.epochs if epochs is None else int(epochs)
        if epochs < 0:
            raise ValueError("epochs must be >= 0")
        if self.diverged_epoch is not None:
            self.stop_reason = "diverged"
            return self.result()
        room = self.limits.max_epochs - self.epochs_done
        target = int(min(epochs, max(room, 0)))
        capped = target < epochs
        model, opt, gen, obj, lbfgs = (
            self.model,
            self.optimizer,
            self.generator,
            self.objective,
            self.lbfgs,
        )
        for cb in self.callbacks:
            reset = getattr(cb, "reset", None)
            if callable(reset):
                reset()
        if self.config.lr_schedule == "cosine":  # a new cycle from the (decayed) start lr
            factor = self.config.lr_decay**self._decayed_epochs
            for group, lr0 in zip(opt.param_groups, self._lr0, strict=True):
                group["lr"] = lr0 * factor
        schedulers = make_schedulers(opt, self.config, target)
        model.train()
        t_start = time.perf_counter()
        budget = self.max_seconds if max_seconds is None else min(self.max_seconds, max_seconds)
        deadline = t_start + budget
        wall0 = self.wall_time
        state: dict[str, Any] = {"reason": None, "next_tick": t_start + tick_seconds, "k": 0}
        perf = time.perf_counter

        if on_tick is None and stop_event is None:

            def should_stop() -> bool:
                if perf() > deadline:
                    state["reason"] = "time_limit"
                    return True
                return False

        else:

            def should_stop() -> bool:
                now = perf()
                # Called once before every step: steps so far in this epoch. No yield to
                # other threads here: the interpreter's switch interval shares the GIL (a
                # server sets it, nnkit.ui.policy), and a sleep(0) per step cost the app's
                # background runs about a fifth of their speed (benchmarks/bench_live.py).
                state["k"] += 1
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
        for _ in range(target):
            state["k"] = 0
            train_loss, terms, steps = obj.run_epoch(model, opt, gen, should_stop, lbfgs)
            self.steps_done += steps
            self.steps_in_epoch = 0
            if train_loss is None:  # interrupted mid-epoch: steps count, the epoch does not
                reason = state["reason"] or "stopped"
                break
            self.epochs_done += 1
            self._decayed_epochs += 1
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
            stopper = None
            if self.callbacks:
                info = EpochInfo(
                    e, train_loss, val, dict(terms), self.wall_time, self.steps_done, model
                )
                stopper = next((cb for cb in list(self.callbacks) if cb(info)), None)
            for sched in schedulers:
                sched.step()
            if stopper is not None:
                reason = str(getattr(stopper, "stop_reason", "callback"))
                break
            if on_tick is not None:
                on_tick()
        self.wall_time = wall0 + (perf() - t_start)
        self.stop_reason = reason
        return self.result()


def _with_optimizer(
    config: TrainConfig, optimizer: torch.optim.Optimizer | str | None
) -> tuple[TrainConfig, torch.optim.Optimizer | None]:
    """Fold an optimizer given by name into the config; pass an instance through."""
    if isinstance(optimizer, str):
        return TrainConfig.from_settings(config, optimizer=optimizer), None
    return config, optimizer


def _needs_closure(optimizer: torch.optim.Optimizer) -> bool:
    """True for quasi-Newton optimizers whose ``step`` takes a closure."""
    from nnkit.bfgs import BFGS

    return isinstance(optimizer, torch.optim.LBFGS | BFGS)


def supervised_trainer(
    model: torch.nn.Module,
    X: ArrayLike,
    y: ArrayLike,
    config: TrainConfig | None = None,
    *,
    optimizer: torch.optim.Optimizer | str | None = None,
    callbacks: Sequence[Callback] = (),
    monitor: Monitor | None = None,
    monitor_every: int = 1,
    limits: Limits | None = None,
    **settings: Any,
) -> Trainer:
    """A :class:`Trainer` for supervised data, not yet run (see :func:`fit`).

    Use it with :class:`~nnkit.training.TrainingJob` to train in the background, or
    call ``.run(epochs)`` repeatedly to continue training.

    Parameters
    ----------
    model, X, y, config, optimizer, callbacks, monitor, monitor_every, limits, **settings
        As for :func:`fit`.

    Returns
    -------
    Trainer
    """
    config, optimizer = _with_optimizer(TrainConfig.from_settings(config, **settings), optimizer)
    n = int(np.shape(X)[0]) if np.ndim(X) else 0
    if limits is not None and n > limits.max_samples:
        raise ValueError(
            f"{n} samples is more than the cap of {limits.max_samples:g} "
            "(max_samples): use fewer samples"
        )
    objective = SupervisedObjective(X, y, config)
    return Trainer(
        model,
        objective,
        config,
        optimizer=optimizer,
        callbacks=callbacks,
        monitor=monitor,
        monitor_every=monitor_every,
        limits=limits,
    )


def fit(
    model: torch.nn.Module,
    X: ArrayLike,
    y: ArrayLike,
    config: TrainConfig | None = None,
    *,
    optimizer: torch.optim.Optimizer | str | None = None,
    callbacks: Sequence[Callback] = (),
    monitor: Monitor | None = None,
    monitor_every: int = 1,
    limits: Limits | None = None,
    **settings: Any,
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
    config : TrainConfig, optional
        The recipe: optimizer, ``lr``, schedule, ``epochs``, ``batch_size``, loss,
        validation split, ``seed``, ``max_seconds`` (see
        :class:`~nnkit.training.TrainConfig`).
    optimizer : {"sgd", "momentum", "rmsprop", "adam", "lbfgs"} or torch.optim.Optimizer, optional
        A name sets ``config.optimizer`` (see :func:`~nnkit.training.make_optimizer`);
        an optimizer instance is used as it is (its learning rate still follows
        ``config``'s schedule).
    callbacks : sequence of callables
        ``cb(EpochInfo)`` after every epoch; returning True stops training.
    monitor : callable, optional
        ``monitor(model) -> {name: float}`` recorded in ``history.monitor``.
    monitor_every : int
        How often ``monitor`` runs.
    limits : Limits, optional
        Caps on samples, epochs and seconds (default: none).
    **settings
        Fields of :class:`~nnkit.training.TrainConfig` overriding ``config``, e.g.
        ``lr=1e-2, epochs=50, batch_size=None``.

    Returns
    -------
    TrainResult
        History, steps, wall time, stop reason and divergence epoch.

    Raises
    ------
    ValueError
        On an unknown loss/optimizer, a bad learning rate or batch size, mismatched
        or non-finite data, or more than ``limits.max_samples`` rows.

    Examples
    --------
    >>> import numpy as np
    >>> from nnkit.models import mlp
    >>> X = np.random.default_rng(0).uniform(-1, 1, (256, 1)); y = np.sin(3 * X)
    >>> res = fit(mlp(1, [32], 1), X, y, optimizer="adam", lr=1e-2, epochs=50)
    >>> res.history.train_loss[-1] < res.history.train_loss[0]
    True
    """
    trainer = supervised_trainer(
        model,
        X,
        y,
        config,
        optimizer=optimizer,
        callbacks=callbacks,
        monitor=monitor,
        monitor_every=monitor_every,
        limits=limits,
        **settings,
    )
    return trainer.run()


def closure_trainer(
    model: torch.nn.Module,
    loss_terms: LossTerms,
    config: TrainConfig | None = None,
    *,
    validate: Callable[[Any], float] | None = None,
    optimizer: torch.optim.Optimizer | str | None = None,
    callbacks: Sequence[Callback] = (),
    monitor: Monitor | None = None,
    monitor_every: int = 1,
    limits: Limits | None = None,
    history: History | None = None,
    **settings: Any,
) -> Trainer:
    """A :class:`Trainer` for a loss closure, not yet run (see :func:`train`).

    Parameters
    ----------
    model, loss_terms, config, validate, optimizer, callbacks, monitor, monitor_every, limits, **settings
        As for :func:`train`.
    history : History, optional
        Continue this history (see :class:`Trainer`).

    Returns
    -------
    Trainer
    """
    config, optimizer = _with_optimizer(TrainConfig.from_settings(config, **settings), optimizer)
    objective = ClosureObjective(loss_terms, config.steps_per_epoch, validate)
    return Trainer(
        model,
        objective,
        config,
        optimizer=optimizer,
        callbacks=callbacks,
        monitor=monitor,
        monitor_every=monitor_every,
        limits=limits,
        history=history,
    )


def train(
    model: torch.nn.Module,
    loss_terms: LossTerms,
    config: TrainConfig | None = None,
    *,
    validate: Callable[[Any], float] | None = None,
    optimizer: torch.optim.Optimizer | str | None = None,
    callbacks: Sequence[Callback] = (),
    monitor: Monitor | None = None,
    monitor_every: int = 1,
    limits: Limits | None = None,
    **settings: Any,
) -> TrainResult:
    """Minimise a loss given as a closure of named terms (the PINN loop).

    Parameters
    ----------
    model : torch.nn.Module
        Trained in place.
    loss_terms : callable
        ``loss_terms(model)`` returns ``{"name": scalar tensor, ...}`` (or one scalar
        tensor). The optimised loss is the sum of the terms; ``history.terms[name]``
        records each. Put weights inside the closure (``{"pde": w * r.pow(2).mean()}``).
        It may resample collocation points on each call.
    config : TrainConfig, optional
        The recipe (``steps_per_epoch``: optimizer steps per recorded epoch; the
        batch and loss fields do not apply).
    validate : callable, optional
        ``validate(model) -> float`` under ``no_grad`` at each epoch end (e.g. the
        error against a reference solution), recorded as ``history.val_loss``.
    optimizer, callbacks, monitor, monitor_every, limits, **settings
        As for :func:`fit`.

    Returns
    -------
    TrainResult

    Examples
    --------
    >>> from nnkit.models import mlp
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
        config,
        validate=validate,
        optimizer=optimizer,
        callbacks=callbacks,
        monitor=monitor,
        monitor_every=monitor_every,
        limits=limits,
        **settings,
    ).run()
