"""Start waits for a run whose progress says it is nearly done, and only for such a run."""

from __future__ import annotations

import time

import numpy as np
import torch

from nnkit.training import TrainingJob, supervised_trainer
from nnkit.ui import live_training as lt


class _Slow(torch.nn.Module):
    """Steady epochs of about 50 ms (a sleep: the same under any machine load)."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        time.sleep(0.05)
        return x


def _sleepy_job(epochs: int) -> TrainingJob:
    X = np.linspace(-1, 1, 64)[:, None]
    model = torch.nn.Sequential(torch.nn.Linear(1, 1), _Slow())
    trainer = supervised_trainer(model, X, X, epochs=epochs, batch_size=64)
    return TrainingJob(trainer, epochs=epochs).start()


# The waits scaled down and apart (0.3 s, then up to 3 s) so that a loaded machine, which
# can slow these runs several times over, cannot move a run across them.
FIRST, LONGEST = 0.3, 3.0


def test_a_run_nearly_done_after_the_first_wait_is_waited_for(monkeypatch):
    monkeypatch.setattr(lt, "SHORT_RUN_SECONDS", FIRST)
    monkeypatch.setattr(lt, "SHORT_RUN_MAX_SECONDS", LONGEST)
    job = _sleepy_job(12)  # >= 0.6 s: never done within the first wait
    lt._wait_for_short_run(job)
    assert not job.running
    assert job.snapshot().epochs == 12


def test_a_long_run_is_not_waited_for_beyond_the_first_wait(monkeypatch):
    monkeypatch.setattr(lt, "SHORT_RUN_SECONDS", FIRST)
    monkeypatch.setattr(lt, "SHORT_RUN_MAX_SECONDS", LONGEST)
    job = _sleepy_job(400)  # about 20 s
    t0 = time.monotonic()
    lt._wait_for_short_run(job)
    waited = time.monotonic() - t0
    try:
        assert job.running
        assert waited < LONGEST
    finally:
        job.stop()
        assert job.join(30)
