"""Choose the MLP's width, weight decay and learning rate on the validation split, within a budget.

One default cannot serve every table: weight decay 10⁻² that keeps a 1,460-row,
300-input table from memorising its rows flattens the training of a 20,640-row table
with 13 inputs (R² 0.72 instead of 0.76). :class:`HalvingSearch` therefore tries a small
grid of settings (:class:`SearchSpace`) by **successive halving** (Jamieson &
Talwalkar 2016; scikit-learn's ``HalvingGridSearchCV``), with epochs as the resource:
every candidate trains a few epochs, the best third (lowest validation loss so far)
trains three times as long, and so on until one is left; that one trains on to early
stopping. Each candidate is a full :class:`~nnkit.tabular.TabularModel` trained by
:mod:`nnkit.training` on the same rows with the same validation rows (the same seed),
so only the settings differ. The test rows are never seen.

On a small table the validation rows cannot tell good settings apart: on the
1,460-row Ames-like table the twelve candidates' best validation losses lay within 8%
of each other while their test R² ranged from 0.85 to 0.89, and one network's R² moved
by about 0.01 from seed to seed. There every candidate is the mean of a few networks
(:func:`~nnkit.tabular.networks.mean_of`, ``SearchSpace.members`` up to
``ensemble_rows`` training rows), each with a linear path from the inputs to the
output (:func:`~nnkit.tabular.networks.with_linear_path`): over five seeds the MLP's
test R² rose by 0.012 on average (``benchmarks/bench_tabular.py``).
A regression candidate's network starts as the ridge regression of its training rows
(a classification candidate's, as their logistic regression;
:func:`~nnkit.tabular.layers.start_at_linear`), so its hidden layers learn only what
the linear model misses. Over five seeds the MLP then scored above ridge on four of
the Ames-like splits (three before) and higher on each split of a 5,000-row table; on
a split where one test row far outside the training rows makes most of ridge's error,
the network keeps part of ridge's extrapolation (R² 0.82 instead of 0.88).

:class:`HalvingSearch` is a :class:`~nnkit.training.TrainerLike`: a
:class:`~nnkit.training.TrainingJob` runs it in the background (Start, Stop, Continue)
and its time budget covers the search and the final training together.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from nnkit.limits import Limits
from nnkit.tabular.estimators import TabularClassifier, TabularModel
from nnkit.tabular.mlp import MLPConfig, mlp_model
from nnkit.tabular.prepare import Prepared

if TYPE_CHECKING:
    import torch

    from nnkit.training import History, Trainer, TrainResult

__all__ = ["Candidate", "HalvingSearch", "SearchSpace", "auto_batch_size"]


def auto_batch_size(n_rows: int) -> int:
    """A mini-batch size for ``n_rows`` training rows: about 64 steps per epoch, 32 to 512.

    Small tables keep small batches (many noisy steps regularise); on a 16,000-row
    table batches of 256 train as well per epoch and about five times faster per second
    than batches of 32 (one torch thread).

    Parameters
    ----------
    n_rows : int
        Rows the network trains on.

    Returns
    -------
    int
        A power of two.
    """
    k = round(math.log2(max(int(n_rows), 1) / 64)) if n_rows > 0 else 0
    return int(min(max(2 ** max(k, 0), 32), 512))


@dataclass(frozen=True)
class SearchSpace:
    """The settings :class:`HalvingSearch` chooses among, and how it halves.

    Every pair of a width and a weight decay is one candidate (12 by default); the
    learning rates alternate over them (which comes first is drawn by the seed), so
    every width and every weight decay is tried with each rate. Round ``r`` trains the candidates
    still in it to ``first_epochs · eta**r`` epochs (never beyond the run's epochs),
    then keeps the best ``1/eta`` of them.

    Attributes
    ----------
    widths : tuple of int
        Neurons per hidden layer (the layer count comes from the base
        :class:`~nnkit.tabular.MLPConfig`).
    weight_decays : tuple of float
        Adam's L2 penalty; 0 included (a large table needs none).
    lrs : tuple of float
        Adam's learning rates.
    first_epochs : int
        Epochs of the first round, at least.
    first_steps : int
        Optimizer steps of the first round, at least: a small table (a few steps per
        epoch) gets more epochs, so settings that learn slowly but well (a strong
        weight decay, a small learning rate) are not cut before they had a chance
        (0: ``first_epochs`` only).
    eta : int
        Each round keeps ``1/eta`` of the candidates and trains ``eta`` times longer.
    search_share : float
        Most of a run's time budget the search may take (the rest trains the winner).
    linear_path : bool
        Every candidate gets a linear path from the inputs to the output
        (:func:`~nnkit.tabular.networks.with_linear_path`).
    linear_start : tuple of str
        Tasks (``"regression"``, ``"classification"``) whose candidates, with
        ``linear_path``, start as the linear baseline fitted on their training rows
        (ridge or logistic regression), the MLP's last layer at zero
        (:func:`~nnkit.tabular.layers.start_at_linear`). On the 1,460-row Ames-like
        table this lifted the MLP above ridge on the seeds where it was just below. On
        scikit-learn's breast cancer table, over 15 splits, the MLP went from 7 test
        rows behind logistic regression to 3 ahead, and on wine and iris it moved by a
        row (``benchmarks/bench_tabular.py``), so both tasks start there by default.
    members : int
        Networks averaged in every candidate (:func:`~nnkit.tabular.networks.mean_of`)
        on a table of at most ``ensemble_rows`` training rows; one above.
    ensemble_rows : int
        See ``members``. On a small table one network's test score moves by about
        0.01 R² with its seed, more than the validation rows can tell settings apart;
        three averaged networks take three times the epochs, which a small table can
        afford and a large one (where the spread is small) cannot.
    """

    widths: tuple[int, ...] = (64, 128, 256)
    weight_decays: tuple[float, ...] = (0.0, 1e-4, 1e-3, 1e-2)
    lrs: tuple[float, ...] = (1e-3, 3e-3)
    first_epochs: int = 5
    first_steps: int = 0
    eta: int = 3
    search_share: float = 0.5
    linear_path: bool = True
    linear_start: tuple[str, ...] = ("regression", "classification")
    members: int = 3
    ensemble_rows: int = 2048

    def __post_init__(self) -> None:
        if not (self.widths and self.weight_decays and self.lrs):
            raise ValueError("a search space needs widths, weight decays and learning rates")
        if self.first_epochs < 1 or self.eta < 2 or self.first_steps < 0:
            raise ValueError("first_epochs must be >= 1, first_steps >= 0 and eta >= 2")
        if not 0 < self.search_share < 1:
            raise ValueError("search_share must be between 0 and 1")
        if self.members < 1 or self.ensemble_rows < 0:
            raise ValueError("members must be >= 1 and ensemble_rows >= 0")

    def members_for(self, n_rows: int) -> int:
        """Networks averaged per candidate for ``n_rows`` training rows.

        Parameters
        ----------
        n_rows : int
            Rows the networks train on (validation rows excluded).

        Returns
        -------
        int
            ``members`` up to ``ensemble_rows`` rows, else 1.
        """
        return int(self.members) if int(n_rows) <= self.ensemble_rows else 1

    def first_round(self, steps_per_epoch: int) -> int:
        """Epochs of the first round for ``steps_per_epoch`` optimizer steps per epoch.

        Parameters
        ----------
        steps_per_epoch : int
            Steps of one epoch (training rows / batch size, rounded up).

        Returns
        -------
        int
            ``max(first_epochs, ceil(first_steps / steps_per_epoch))``.
        """
        return max(self.first_epochs, -(-self.first_steps // max(int(steps_per_epoch), 1)))

    def configs(self, base: MLPConfig, seed: int = 0) -> list[MLPConfig]:
        """The candidates: ``base`` with each width × weight decay and a seeded learning rate.

        Parameters
        ----------
        base : MLPConfig
            Supplies the layer count, activation, batch size, epochs and patience.
        seed : int
            Draws each candidate's learning rate.

        Returns
        -------
        list of MLPConfig
        """
        shift = int(np.random.default_rng(seed).integers(len(self.lrs)))
        layers = max(1, len(base.hidden))
        out = []
        for i, decay in enumerate(self.weight_decays):
            for j, width in enumerate(self.widths):
                lr = float(self.lrs[(i + j + shift) % len(self.lrs)])  # each rate beside each
                out.append(
                    replace(base, hidden=(int(width),) * layers, weight_decay=float(decay), lr=lr)
                )
        return out


@dataclass
class Candidate:
    """One setting being tried: its model, trainer and how far it got.

    Attributes
    ----------
    config : MLPConfig
        Its settings.
    model : TabularModel or TabularClassifier
        Fitted but for its network, which ``trainer`` trains.
    trainer : nnkit.training.Trainer
        Continues where the last round left it.
    rounds : int
        Rounds it took part in.
    out : bool
        Eliminated (or diverged).
    """

    config: MLPConfig
    model: TabularModel | TabularClassifier
    trainer: Trainer
    rounds: int = 0
    out: bool = False

    @property
    def loss(self) -> float:
        """Lowest validation loss so far (infinite before the first epoch)."""
        return float(self.model.estimator_.best_.best()[2])

    @property
    def epochs(self) -> int:
        """Epochs trained so far."""
        return int(self.trainer.epochs_done)


class HalvingSearch:
    """Successive halving over MLP settings on the validation split, then the winner trains on.

    A :class:`~nnkit.training.TrainerLike`: ``run(epochs)`` first finishes the search
    (a share of the time budget), then trains the chosen candidate until early
    stopping, ``epochs`` epochs in all, or the budget; calling it again continues (the
    search where it was stopped, else the chosen network). The attributes a
    :class:`~nnkit.training.TrainingJob` reads (``model``, ``history``, ``epochs_done``)
    follow the current leader: the candidate with the lowest validation loss so far,
    and after the search the chosen one.

    Parameters
    ----------
    data : Prepared
        The split; candidates train on ``X_train`` (their validation rows come from it).
    base : MLPConfig, optional
        Settings the search does not choose (layers, activation, epochs, patience);
        its batch size is replaced by :func:`auto_batch_size` of the training rows
        unless ``auto_batch=False``; its linear path and members by the space's
        (:meth:`SearchSpace.members_for`).
    space : SearchSpace, optional
        What is searched.
    seed : int, optional
        Default ``data.seed``: weights, validation rows, batch order, learning rates.
    limits : Limits, optional
        Caps: ``max_train_seconds`` is the budget of one ``run`` (search included).
    n_threads : int, optional
        See :class:`~nnkit.tabular.TabularModel`.
    auto_batch : bool
        Pick the batch size from the number of rows.

    Attributes
    ----------
    candidates : list of Candidate
        Built on the first ``run`` (in the training thread).
    winner : Candidate or None
        The chosen candidate, once the search is done.
    rounds_cut : int
        Rounds the time budget ended before every candidate in them reached the round's
        epochs (0: the search ran as it would without a budget, so a script without caps
        chooses the same network).
    """

    def __init__(
        self,
        data: Prepared,
        base: MLPConfig | None = None,
        space: SearchSpace | None = None,
        *,
        seed: int | None = None,
        limits: Limits | None = None,
        n_threads: int | None = None,
        auto_batch: bool = True,
    ) -> None:
        from nnkit.training import History

        self.data = data
        base = (base or MLPConfig()).for_rows(len(data.X_train))
        n_fit = int(round(len(data.X_train) * (1 - base.val_fraction)))
        self.space = space or SearchSpace()
        base = replace(
            base,
            linear_path=self.space.linear_path,
            linear_start=self.space.linear_path and data.task in self.space.linear_start,
            members=self.space.members_for(n_fit),
        )
        self.base = replace(base, batch_size=auto_batch_size(n_fit)) if auto_batch else base
        self.seed = data.seed if seed is None else int(seed)
        self.limits = limits or Limits()
        self.n_threads = n_threads
        own = self.base.max_seconds
        cap = float(self.limits.max_train_seconds)
        self.max_seconds = cap if own is None else min(float(own), cap)
        self.candidates: list[Candidate] = []
        self.winner: Candidate | None = None
        self.rounds_cut = 0
        self._active: Trainer | None = None
        self._empty = History()
        self._seconds = 0.0
        self._started: float | None = None
        self.diverged_epoch: int | None = None
        self.stop_reason: str | None = "completed"

    # -- what a TrainingJob reads ---------------------------------------------------------

    @property
    def leader(self) -> Candidate | None:
        """The chosen candidate, or else the one with the lowest validation loss so far."""
        if self.winner is not None:
            return self.winner
        live = [c for c in self.candidates if not c.out] or self.candidates
        return min(live, key=lambda c: c.loss) if live else None

    @property
    def tabular_model(self) -> TabularModel | TabularClassifier:
        """The leader's model (raw rows in, predictions out; the weights kept so far)."""
        lead = self.leader
        if lead is None:
            raise RuntimeError("the search has not started: run it first")
        return lead.model

    @property
    def model(self) -> torch.nn.Module:
        """The leader's network (the job copies its weights into snapshots).

        Before the first run, an empty ``torch.nn.Sequential`` stands in.
        """
        lead = self.leader
        if lead is None:
            import torch

            return torch.nn.Sequential()
        net: torch.nn.Module = lead.model.estimator_.model_
        return net

    @property
    def history(self) -> History:
        """The leader's losses per epoch."""
        lead = self.leader
        return self._empty if lead is None else lead.trainer.history

    @property
    def epochs_done(self) -> int:
        """The leader's epochs."""
        lead = self.leader
        return 0 if lead is None else lead.epochs

    @property
    def steps_done(self) -> int:
        """Optimizer steps of every candidate together (the work done)."""
        return sum(int(c.trainer.steps_done) for c in self.candidates)

    @property
    def steps_in_epoch(self) -> int:
        """Steps inside the epoch in progress (of whichever candidate trains)."""
        return 0 if self._active is None else int(self._active.steps_in_epoch)

    @property
    def wall_time(self) -> float:
        """Seconds trained so far, search included (cumulative)."""
        started = self._started
        return self._seconds + (0.0 if started is None else time.perf_counter() - started)

    @property
    def searched(self) -> bool:
        """Whether the search has chosen its winner."""
        return self.winner is not None

    def result(self) -> TrainResult:
        """The current :class:`~nnkit.training.TrainResult` (the leader's network and history)."""
        from nnkit.training import TrainResult

        return TrainResult(
            model=self.model,
            history=self.history,
            epochs=self.epochs_done,
            steps=self.steps_done,
            wall_time=self.wall_time,
            stop_reason=self.stop_reason or "completed",
            diverged_epoch=self.diverged_epoch,
        )

    # -- running ----------------------------------------------------------------------

    def _build(self) -> None:
        for config in self.space.configs(self.base, self.seed):
            model = mlp_model(
                self.data, config, seed=self.seed, limits=self.limits, n_threads=self.n_threads
            )
            trainer = model.trainer(self.data.X_train, self.data.y_train)
            self.candidates.append(Candidate(config, model, trainer))

    def _rounds_left(self, alive: int) -> int:
        rounds = 0
        while alive > 1:
            alive = max(1, alive // self.space.eta)
            rounds += 1
        return rounds

    def _train(
        self,
        trainer: Trainer,
        epochs: int,
        deadline: float,
        stop_event: threading.Event | None,
        on_tick: Callable[[], None] | None,
        tick_seconds: float,
    ) -> str:
        """Train ``trainer`` up to ``epochs`` more epochs before ``deadline``; the stop reason."""
        self._active = trainer
        try:
            res = trainer.run(
                epochs,
                max_seconds=max(deadline - time.perf_counter(), 0.0),
                stop_event=stop_event,
                on_tick=on_tick,
                tick_seconds=tick_seconds,
            )
        finally:
            self._active = None
        return res.stop_reason

    def _search(
        self,
        epochs: int,
        deadline: float,
        stop_event: threading.Event | None,
        on_tick: Callable[[], None] | None,
        tick_seconds: float,
    ) -> str | None:
        """Rounds of successive halving until one candidate is left; "stopped" if stopped."""
        space = self.space
        while True:
            alive = [c for c in self.candidates if not c.out]
            if len(alive) <= 1:
                self.winner = alive[0] if alive else min(self.candidates, key=lambda c: c.loss)
                return None
            r = min(c.rounds for c in alive)
            first = space.first_round(alive[0].trainer.steps_per_epoch)
            target = min(first * space.eta**r, max(epochs, 1))
            left = max(deadline - time.perf_counter(), 0.0)
            round_end = time.perf_counter() + left / self._rounds_left(len(alive))
            while True:  # round robin, one epoch each, so a cut round is a fair one
                behind = [c for c in alive if not c.out and c.epochs < target]
                if not behind or time.perf_counter() >= round_end:
                    break
                for c in behind:
                    if stop_event is not None and stop_event.is_set():
                        return "stopped"
                    if time.perf_counter() >= round_end:
                        break
                    why = self._train(c.trainer, 1, round_end, stop_event, on_tick, tick_seconds)
                    if why == "stopped":
                        return "stopped"
                    if c.trainer.diverged_epoch is not None:
                        c.out = True
            if any(not c.out and c.epochs < target for c in alive):
                self.rounds_cut += 1
            ranked = sorted((c for c in alive if not c.out), key=lambda c: c.loss)
            keep = max(1, len(alive) // space.eta)
            for i, c in enumerate(ranked):
                c.rounds = r + 1
                c.out = i >= keep
            if not ranked:  # every candidate diverged: keep the least bad
                best = min(alive, key=lambda c: (not math.isfinite(c.loss), c.loss))
                best.out = False
                for c in alive:
                    c.out = c is not best

    def run(
        self,
        epochs: int | None = None,
        *,
        max_seconds: float | None = None,
        stop_event: threading.Event | None = None,
        on_tick: Callable[[], None] | None = None,
        tick_seconds: float = 0.1,
    ) -> TrainResult:
        """Search (if not done), then train the winner up to ``epochs`` epochs in all.

        Parameters
        ----------
        epochs : int, optional
            The chosen network's epochs to reach in this run, counted from where the
            leader stands when it starts (default ``base.epochs``); early stopping
            (``base.patience``) usually ends it sooner.
        max_seconds : float, optional
            A tighter time budget for this run (search included).
        stop_event : threading.Event, optional
            Set it to stop after the current step ("stopped"); Continue resumes.
        on_tick : callable, optional
            Called about every ``tick_seconds`` from the training loop.
        tick_seconds : float
            See ``on_tick``.

        Returns
        -------
        TrainResult
        """
        n = self.base.epochs if epochs is None else int(epochs)
        budget = self.max_seconds if max_seconds is None else min(self.max_seconds, max_seconds)
        self._started = t0 = time.perf_counter()
        deadline = t0 + budget
        try:
            if not self.candidates:
                self._build()
            start = self.epochs_done
            if self.winner is None:
                share = t0 + self.space.search_share * budget if math.isfinite(budget) else deadline
                why = self._search(start + n, share, stop_event, on_tick, tick_seconds)
                if why is not None:
                    self.stop_reason = why
                    return self.result()
            assert self.winner is not None
            more = start + n - self.winner.epochs
            if more <= 0:
                self.stop_reason = "completed"
            elif time.perf_counter() >= deadline:
                self.stop_reason = "time_limit"
            else:
                self.stop_reason = self._train(
                    self.winner.trainer, more, deadline, stop_event, on_tick, tick_seconds
                )
            self.diverged_epoch = self.winner.trainer.diverged_epoch
            return self.result()
        finally:
            self._seconds += time.perf_counter() - t0
            self._started = None
            lead = self.leader
            if lead is not None:  # its training time is the search's and its own
                lead.model.search_seconds_ = self._seconds

    # -- what it found ------------------------------------------------------------------

    def table(self) -> pd.DataFrame:
        """Every candidate: its settings, epochs, lowest validation loss and fate.

        Returns
        -------
        pandas.DataFrame
            Columns ``hidden, weight decay, learning rate, epochs, best validation loss,
            rounds, status`` (``"chosen"``, ``"leading"``, ``"in the search"`` or ``"out
            after round k"``), sorted by the round reached, then by loss.
        """
        lead = self.leader
        rows = []
        for c in self.candidates:
            if c is self.winner:
                status = "chosen"
            elif c.out:
                status = f"out after round {c.rounds}"
            else:
                status = "leading" if c is lead else "in the search"
            rows.append(
                {
                    "hidden": " × ".join(map(str, c.config.hidden)),
                    "weight decay": c.config.weight_decay,
                    "learning rate": c.config.lr,
                    "epochs": c.epochs,
                    "best validation loss": c.loss,
                    "rounds": c.rounds,
                    "status": status,
                    "_chosen": c is self.winner or c is lead,
                }
            )
        out = pd.DataFrame(rows)
        if out.empty:
            return out
        out = out.sort_values(
            ["_chosen", "rounds", "best validation loss"], ascending=[False, False, True]
        )
        return out.drop(columns="_chosen").reset_index(drop=True)

    @property
    def chosen(self) -> MLPConfig | None:
        """The winner's settings (None before the search chose one)."""
        return None if self.winner is None else self.winner.config

    def summary(self) -> str:
        """What the search did, in a sentence or two (for the page).

        Returns
        -------
        str
        """
        if not self.candidates:
            return "The search has not started."
        n = len(self.candidates)
        rounds = max(c.rounds for c in self.candidates)
        lead = self.leader
        assert lead is not None
        cfg = lead.config
        what = (
            f"{len(cfg.hidden)} × {cfg.hidden[0]} neurons, weight decay {cfg.weight_decay:g}, "
            f"learning rate {cfg.lr:g}"
        )
        mean = f"the mean of {cfg.members} such networks, " if cfg.members > 1 else ""
        done = f"{rounds} round{'' if rounds == 1 else 's'}"
        if self.winner is None:
            return (
                f"Searching: {n} settings, {done} of successive halving done; "
                f"leading so far: {what} ({mean}validation loss {lead.loss:.4g})."
            )
        return (
            f"Chose {what} ({mean}batches of {cfg.batch_size}) among {n} settings by successive "
            f"halving on the validation rows: {done}, each keeping the best "
            f"1/{self.space.eta} and training it {self.space.eta}× longer; its lowest "
            f"validation loss is {lead.loss:.4g}."
        )
