"""The lecture's training loop, as a library.

- :class:`TrainConfig` (``config.py``): one frozen recipe — optimizer, learning rate and
  schedule (``torch.optim.lr_scheduler``), epochs, batches, loss, seed, time budget.
- :func:`fit`, :func:`train`, :class:`Trainer` (``loop.py``): supervised arrays or a
  closure of named loss terms; ``Trainer.run()`` again continues where it stopped.
- :class:`SupervisedObjective`, :class:`ClosureObjective` (``objectives.py``): what one
  epoch does.
- :class:`History`, :class:`TrainResult`, :data:`STOP_REASONS` (``history.py``): plain data.
- :class:`EarlyStopping` (``callbacks.py``).
- :class:`TrainingJob`, :class:`TrainingSlots` (``jobs.py``): a run in a background
  thread with Start / Stop / Continue and snapshots for a live view.

The library caps nothing and changes nothing global: no time or epoch caps unless you
pass :class:`nnkit.limits.Limits`, no thread settings, and seeds go through local
generators. (The app's fair-use policy lives in :mod:`nnkit.ui.policy`.)

Examples
--------
>>> import numpy as np
>>> from nnkit.models import mlp
>>> from nnkit.training import fit
>>> X = np.random.default_rng(0).uniform(-1, 1, (256, 1)); y = np.sin(3 * X)
>>> res = fit(mlp(1, [32], 1), X, y, optimizer="adam", lr=1e-2, epochs=50, batch_size=32)
>>> res.history.train_loss[-1] < res.history.train_loss[0]
True
"""

import importlib
from typing import TYPE_CHECKING, Any

from nnkit.training.callbacks import Callback, EarlyStopping
from nnkit.training.config import (
    LOSSES,
    LR_SCHEDULES,
    OPTIMIZERS,
    TrainConfig,
    make_optimizer,
    make_schedulers,
)
from nnkit.training.history import STOP_REASONS, EpochInfo, History, TrainResult, stop_message
from nnkit.training.jobs import JobSnapshot, TrainerLike, TrainingJob, TrainingSlots

if TYPE_CHECKING:
    from nnkit.training.loop import Trainer, closure_trainer, fit, supervised_trainer, train
    from nnkit.training.objectives import ClosureObjective, Objective, SupervisedObjective

# What needs torch (the loop and what one epoch does) is imported on first use: a page
# can draw a Start button and a live view (TrainingJob, History) before torch is loaded.
_LAZY = {
    "Trainer": "loop",
    "closure_trainer": "loop",
    "fit": "loop",
    "supervised_trainer": "loop",
    "train": "loop",
    "ClosureObjective": "objectives",
    "Objective": "objectives",
    "SupervisedObjective": "objectives",
}


def __getattr__(name: str) -> Any:
    """The loop's and the objectives' names, imported (with torch) on first use."""
    if name in _LAZY:
        module = importlib.import_module(f"nnkit.training.{_LAZY[name]}")
        return getattr(module, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    """Every public name, loaded or not (tab completion in a notebook lists them all)."""
    return sorted(set(globals()) | set(__all__))


__all__ = [
    "LOSSES",
    "LR_SCHEDULES",
    "OPTIMIZERS",
    "STOP_REASONS",
    "Callback",
    "ClosureObjective",
    "EarlyStopping",
    "EpochInfo",
    "History",
    "JobSnapshot",
    "Objective",
    "SupervisedObjective",
    "TrainConfig",
    "TrainResult",
    "Trainer",
    "TrainerLike",
    "TrainingJob",
    "TrainingSlots",
    "closure_trainer",
    "fit",
    "make_optimizer",
    "make_schedulers",
    "stop_message",
    "supervised_trainer",
    "train",
]
