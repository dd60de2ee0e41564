"""The live widget's status line says which cap cut a run and how far it got."""

from __future__ import annotations

import numpy as np

from nnkit.limits import Limits
from nnkit.models import mlp
from nnkit.training import TrainingJob, supervised_trainer
from nnkit.ui.live_training import status_text, stopped_text, was_cut


def _job(limits: Limits, epochs: int) -> TrainingJob:
    X = np.linspace(-1, 1, 64)[:, None]
    trainer = supervised_trainer(mlp(1, [8], 1), X, np.sin(3 * X), batch_size=8, limits=limits)
    job = TrainingJob(trainer, epochs=epochs).start()
    assert job.join(120)
    return job


def test_a_run_cut_by_the_time_cap_says_so_with_its_progress():
    job = _job(Limits(max_train_seconds=0.2), epochs=10**6)
    snap = job.snapshot()
    text = stopped_text(snap)
    assert was_cut(snap)
    assert "0.2 s time cap" in text and f"epoch {snap.epochs} of 1000000" in text
    assert "Continue" in text and status_text(snap).startswith(text)


def test_a_run_cut_by_the_epoch_cap_says_so():
    job = _job(Limits(max_epochs=3), epochs=10)
    snap = job.snapshot()
    assert was_cut(snap) and snap.epochs == 3
    assert "epoch cap at epoch 3 of 10" in stopped_text(snap)


def test_a_finished_run_is_not_called_cut():
    job = _job(Limits(), epochs=2)
    snap = job.snapshot()
    assert not was_cut(snap) and snap.epochs == 2 and snap.target_epochs == 2
    assert "cap" not in stopped_text(snap)
    # Continue asks for two more: the target counts from where the model is
    job.start(2)
    assert job.join(120) and job.snapshot().target_epochs == 4
