"""What a training run records and returns: the per-epoch history, the result, why it stopped.

Plain data, readable by the chart builders in :mod:`nnkit.plots` and by tests.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["STOP_REASONS", "EpochInfo", "History", "TrainResult", "stop_message"]

STOP_REASONS = {
    "completed": "all requested epochs done",
    "epoch_limit": "the epoch cap was reached",
    "time_limit": "the time budget ran out",
    "callback": "a callback asked to stop",
    "early_stopping": "the validation loss stopped improving",
    "stopped": "stopped by the user",
    "abandoned": "the page that watched this run went away",
    "diverged": "the loss became infinite or NaN",
    "error": "training raised an error",
}
"""Why a run ended: key -> plain-English explanation (shown on pages)."""


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

    def to_frame(self) -> pd.DataFrame:
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

    model: Any
    history: History
    epochs: int
    steps: int
    wall_time: float
    stop_reason: str
    diverged_epoch: int | None = None

    @property
    def stop_message(self) -> str:
        """Plain-English reason the run ended."""
        return stop_message(self.stop_reason, self.diverged_epoch)


@dataclass(frozen=True)
class EpochInfo:
    """Passed to each callback at the end of every epoch.

    Attributes
    ----------
    epoch : int
        The epoch just completed (1-based, cumulative over continued runs).
    train_loss, val_loss : float
        Its losses (``val_loss`` is NaN without a validation set).
    terms : mapping of str to float
        Named loss terms (closure objectives).
    elapsed : float
        Training seconds so far.
    steps : int
        Optimizer steps so far.
    model : torch.nn.Module
        The model being trained.
    """

    epoch: int
    train_loss: float
    val_loss: float
    terms: Mapping[str, float]
    elapsed: float
    steps: int
    model: Any


def stop_message(reason: str | None, diverged_epoch: int | None = None) -> str:
    """Plain-English reason a run ended, from a key of :data:`STOP_REASONS`.

    Parameters
    ----------
    reason : str or None
        The stop reason ('' when None: the run has not ended).
    diverged_epoch : int, optional
        The epoch whose loss was not finite, quoted for ``"diverged"``.

    Returns
    -------
    str
    """
    if reason is None:
        return ""
    msg = STOP_REASONS.get(reason, reason)
    if reason == "diverged" and diverged_epoch is not None:
        msg += f" at epoch {diverged_epoch}: lower the learning rate"
    return msg
