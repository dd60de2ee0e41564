"""The live widget's status line says which cap cut a run and how far it got."""

from __future__ import annotations

import re

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


def _epoch_mentions(line: str, epochs: int) -> int:
    """How many times a status line names the epoch count ("epoch 57", "epoch **57**",
    "all 57 requested epochs")."""
    return len(re.findall(rf"(?:epoch \**{epochs}\b|\b{epochs} requested epochs)", line))


def test_a_running_or_ready_line_names_its_epoch():
    job = TrainingJob(supervised_trainer(mlp(1, [8], 1), np.zeros((8, 1)), np.zeros((8, 1))), 5)
    assert _epoch_mentions(status_text(job.snapshot()), 0) == 1  # "Ready. epoch **0** ..."


def test_a_run_cut_by_the_time_cap_says_so_with_its_progress():
    job = _job(Limits(max_train_seconds=0.2), epochs=10**6)
    snap = job.snapshot()
    text = stopped_text(snap)
    assert was_cut(snap)
    assert "0.2 s time cap" in text and f"epoch {snap.epochs} of 1000000" in text
    assert "Continue" in text and status_text(snap).startswith(text)
    assert _epoch_mentions(status_text(snap), snap.epochs) == 1  # the line names it once


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
    assert stopped_text(snap).startswith("Finished") and "all 2 requested epochs" in stopped_text(
        snap
    )
    assert _epoch_mentions(status_text(snap), 2) == 1
    # Continue asks for two more: the target counts from where the model is
    job.start(2)
    assert job.join(120) and job.snapshot().target_epochs == 4


def test_a_run_stopped_early_or_by_its_user_says_how_and_where():
    import time

    from nnkit.training import EarlyStopping

    X = np.linspace(-1, 1, 64)[:, None]
    y = np.sin(3 * X)
    trainer = supervised_trainer(
        mlp(1, [8], 1), X, y, batch_size=8, val_fraction=0.25,
        callbacks=[EarlyStopping(patience=1, min_delta=1e9)],
    )  # fmt: skip
    job = TrainingJob(trainer, epochs=1000).start()
    assert job.join(120)
    snap = job.snapshot()
    assert snap.stop_reason == "early_stopping" and snap.epochs < 1000
    text = stopped_text(snap)
    assert text.startswith(f"Stopped early at epoch {snap.epochs}") and "validation loss" in text
    assert _epoch_mentions(status_text(snap), snap.epochs) == 1
    assert not was_cut(snap)

    job = TrainingJob(supervised_trainer(mlp(1, [8], 1), X, y, batch_size=8), epochs=10**6)
    job.start()
    deadline = time.monotonic() + 60
    while job.snapshot().epochs < 2 and time.monotonic() < deadline:
        time.sleep(0.01)
    job.stop()
    assert job.join(120)
    snap = job.snapshot()
    assert snap.stop_reason == "stopped" and not was_cut(snap)
    text = stopped_text(snap)
    assert (
        text.startswith(f"Stopped by you at epoch {snap.epochs} of 1000000") and "Continue" in text
    )
