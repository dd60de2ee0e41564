"""Every trainer a page hands to TrainingJob has the members the job relies on
(:class:`nnkit.training.TrainerLike`), so a renamed attribute fails here, not as a
live page that silently stops updating."""

from __future__ import annotations

import inspect
import typing

import numpy as np
import pytest

from nnkit.models import mlp
from nnkit.training import (
    History,
    TrainerLike,
    TrainingJob,
    TrainResult,
    closure_trainer,
    supervised_trainer,
)

MEMBERS = [name for name in typing.get_type_hints(TrainerLike)] + ["run", "result"]


def supervised():
    X = np.linspace(-1, 1, 64).reshape(-1, 1).astype(np.float32)
    return supervised_trainer(mlp(1, [8], 1, seed=0), X, np.sin(3 * X), lr=1e-2, batch_size=16)


def closure():
    from nnkit._torch import torch

    def terms(model):
        return {"zero": (model(torch.zeros(1, 1)) ** 2).sum()}

    return closure_trainer(mlp(1, [4], 1, seed=0), terms)


def pinn():
    from nnkit.pinn.presets import QUICK, make_problem
    from nnkit.pinn.solver import PINN

    return PINN(make_problem("poisson", {}), QUICK["poisson"])


@pytest.mark.parametrize("make", [supervised, closure, pinn], ids=["supervised", "closure", "pinn"])
def test_trainers_have_what_a_training_job_needs(make):
    trainer = make()
    missing = [m for m in MEMBERS if not hasattr(trainer, m)]
    assert not missing, f"{type(trainer).__name__} lacks {missing}"
    assert isinstance(trainer, TrainerLike)
    params = inspect.signature(trainer.run).parameters
    for name in ("stop_event", "on_tick", "tick_seconds"):
        assert name in params and params[name].kind is inspect.Parameter.KEYWORD_ONLY, name
    # and a job can run it for one epoch, stop, and report
    job = TrainingJob(trainer, epochs=1, slots=None).start()
    assert job.join(120)
    snap = job.snapshot()
    assert snap.error is None and snap.epochs >= 1, snap.stop_message
    assert job.result().epochs >= 1


class Counting:
    """A trainer with only the TrainerLike members: it 'trains' by counting steps."""

    def __init__(self):
        self.model = mlp(1, [2], 1, seed=0)
        self.history = History()
        self.epochs_done = self.steps_done = self.steps_in_epoch = 0
        self.wall_time = 0.0
        self.diverged_epoch = None
        self.stop_reason = None

    def run(self, epochs, *, stop_event=None, on_tick=None, tick_seconds=0.1):
        for _ in range(epochs):
            if stop_event is not None and stop_event.is_set():
                self.stop_reason = "stopped"
                break
            self.steps_done += 3
            self.epochs_done += 1
            self.history.epoch.append(self.epochs_done)
            self.history.train_loss.append(1.0 / self.epochs_done)
            self.history.val_loss.append(float("nan"))
            self.history.time.append(self.wall_time)
            self.history.steps.append(self.steps_done)
            if on_tick is not None:
                on_tick()
        else:
            self.stop_reason = "completed"
        return self.result()

    def result(self) -> TrainResult:
        return TrainResult(
            self.model,
            self.history,
            self.epochs_done,
            self.steps_done,
            self.wall_time,
            self.stop_reason,
            self.diverged_epoch,
        )


def test_the_protocol_is_all_a_training_job_needs():
    """A trainer with nothing but the declared members runs, continues and reports."""
    trainer = Counting()
    assert isinstance(trainer, TrainerLike)
    job = TrainingJob(trainer, epochs=4, slots=None).start()
    assert job.join(60)
    job.resume(epochs=2)
    assert job.join(60)
    snap = job.snapshot()
    assert snap.error is None, snap.error
    assert (snap.epochs, snap.steps, snap.stop_reason, len(snap.history)) == (6, 18, "completed", 6)
    assert job.model_at(snap) is not trainer.model  # a copy with the snapshot's weights
