"""Callbacks: functions called at the end of every epoch that may stop training.

A callback is any callable ``cb(info: EpochInfo) -> bool | None``; returning True
stops the run. A callback object may also have

- ``reset()``: called when a run starts (Start and every Continue), so state such as
  "epochs without improvement" never leaks from one run into the next;
- ``stop_reason``: the key of :data:`~nnkit.training.STOP_REASONS` reported when it
  stops the run (default ``"callback"``).
"""

from __future__ import annotations

import math
from collections.abc import Callable

from nnkit.training.history import EpochInfo

__all__ = ["Callback", "EarlyStopping"]

Callback = Callable[[EpochInfo], "bool | None"]
"""A callback returns True to stop training (anything else continues)."""


class EarlyStopping:
    """Stop when the monitored loss has not improved for ``patience`` epochs.

    Parameters
    ----------
    patience : int
        Epochs without an improvement larger than ``min_delta`` before stopping.
    min_delta : float
        Smallest decrease that counts as an improvement.
    monitor : {"val_loss", "train_loss"}
        Which loss to watch (falls back to the training loss without validation).

    Attributes
    ----------
    best_ : float
        Best monitored loss of the current run.
    best_epoch_ : int or None
        The epoch where it was reached.
    wait_ : int
        Epochs since then.
    """

    stop_reason = "early_stopping"

    def __init__(
        self, patience: int = 20, min_delta: float = 0.0, monitor: str = "val_loss"
    ) -> None:
        if monitor not in ("val_loss", "train_loss"):
            raise ValueError(f"monitor must be 'val_loss' or 'train_loss', got {monitor!r}")
        self.patience = patience
        self.min_delta = min_delta
        self.monitor = monitor
        self.reset()

    def reset(self) -> None:
        """Forget the best loss so far (called when a run starts or continues)."""
        self.best_ = math.inf
        self.best_epoch_: int | None = None
        self.wait_ = 0

    def __call__(self, info: EpochInfo) -> bool:
        """Record this epoch's loss; True (stop) after ``patience`` epochs without improvement."""
        value = info.val_loss if self.monitor == "val_loss" else info.train_loss
        if not math.isfinite(value):
            value = info.train_loss
        if value < self.best_ - self.min_delta:
            self.best_, self.best_epoch_, self.wait_ = value, info.epoch, 0
            return False
        self.wait_ += 1
        return self.wait_ >= self.patience
