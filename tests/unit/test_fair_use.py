"""Fair use on a shared server: a training run stops at its caps, and a run whose viewer
went away stops by itself (no runaway thread).

Runs use a tiny network and tiny caps (a fraction of a second), so the checks are about
*whether and why* a job stops, never about how fast this machine is: the generous
``join`` timeouts only keep a broken job from hanging the suite.
"""

from __future__ import annotations

import math
import os
import threading
import time

import numpy as np
import pytest

from nnkit.limits import Limits
from nnkit.models import mlp
from nnkit.training import TrainingJob, TrainingSlots, supervised_trainer
from nnkit.ui import policy

HANG = 60.0  # seconds before a job that never stops is declared a hang


def tiny_trainer(limits: Limits | None = None, max_seconds: float | None = None):
    rng = np.random.default_rng(0)
    X = rng.uniform(-1, 1, (256, 1)).astype(np.float32)
    y = np.sin(3 * X).astype(np.float32)
    net = mlp(1, [8], 1, seed=0)
    return supervised_trainer(
        net, X, y, lr=1e-2, batch_size=32, limits=limits, max_seconds=max_seconds
    )


def nnkit_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name == "nnkit-train" and t.is_alive()]


def test_a_job_stops_at_the_time_cap():
    limits = Limits(max_train_seconds=0.3, max_epochs=10**9)
    job = TrainingJob(tiny_trainer(limits), epochs=10**9).start()
    assert job.join(HANG), "the job ignored its time cap"
    snap = job.snapshot()
    assert snap.stop_reason == "time_limit"
    assert not snap.running and snap.epochs > 0
    # The budget is the cap's, not more: recorded training time is the cap plus one step.
    assert 0.3 <= snap.elapsed < 0.3 + HANG


def test_asking_for_more_time_than_the_cap_gets_the_cap():
    trainer = tiny_trainer(Limits(max_train_seconds=0.2), max_seconds=3600)
    assert trainer.max_seconds == pytest.approx(0.2)
    res = trainer.run(10**9)
    assert res.stop_reason == "time_limit"


def test_epochs_are_capped_in_total_across_continues():
    trainer = tiny_trainer(Limits(max_epochs=3))
    assert trainer.run(2).stop_reason == "completed"
    res = trainer.run(100)  # Continue asks for 100 more: only 1 is left
    assert res.stop_reason == "epoch_limit" and res.epochs == 3
    assert trainer.run(5).epochs == 3


def test_a_job_whose_viewer_went_away_stops_itself():
    before = set(nnkit_threads())
    job = TrainingJob(tiny_trainer(), epochs=10**6, publish_seconds=0.02, heartbeat_timeout=0.3)
    job.start()
    assert job.join(HANG), "an abandoned job kept training"
    snap = job.snapshot()
    assert snap.stop_reason == "abandoned" and not snap.running
    assert set(nnkit_threads()) <= before  # its thread is gone


def test_a_watched_job_keeps_training_until_stopped():
    job = TrainingJob(tiny_trainer(), epochs=10**6, publish_seconds=0.02, heartbeat_timeout=0.3)
    job.start()
    t_end = time.monotonic() + 1.0  # three heartbeat timeouts, with a viewer refreshing
    while time.monotonic() < t_end:
        job.heartbeat()
        time.sleep(0.05)
    assert job.running, f"a watched job stopped: {job.snapshot().stop_message}"
    job.stop()
    assert job.join(HANG)
    assert job.snapshot().stop_reason == "stopped"


def test_the_demo_caps_suit_a_shared_server():
    d = policy.DEMO_LIMITS
    assert 0 < d.max_train_seconds <= 120
    assert 0 < d.max_epochs <= 20_000
    assert 0 < d.max_samples <= 100_000
    assert 0 < d.max_upload_mb <= 20
    assert 0 < d.max_rows <= 1_000_000 and 0 < d.max_columns <= 1000


def test_caps_are_configurable_from_the_environment():
    env = {
        "NNKIT_MAX_TRAIN_SECONDS": "600",
        "NNKIT_MAX_EPOCHS": "100000",
        "NNKIT_MAX_UPLOAD_MB": "nan",  # nonsense falls back to the default
        "NNKIT_MAX_SAMPLES": "-5",
    }
    lim = policy.limits_from_env(env)
    assert lim.max_train_seconds == 600 and lim.max_epochs == 100_000
    d = policy.DEMO_LIMITS
    assert lim.max_upload_mb == d.max_upload_mb and lim.max_samples == d.max_samples
    assert policy.limits_from_env({}) == d


def test_the_library_caps_nothing_by_default():
    lim = Limits()
    assert all(math.isinf(v) for v in vars(lim).values())
    trainer = supervised_trainer(mlp(1, [4], 1), np.zeros((10, 1)), np.zeros(10))
    assert math.isinf(trainer.max_seconds) and math.isinf(trainer.limits.max_epochs)
    with pytest.raises(ValueError, match="positive"):
        Limits(max_rows=0)


# --------------------------------------------------------------------------- concurrent runs
# A class on one server: at most policy.MAX_CONCURRENT_JOBS runs train at once, the rest
# wait in a first-come queue (stop and heartbeat still work while waiting), and the wait
# does not eat a run's time budget. Each test uses its own TrainingSlots.


def wait_until(cond, what: str, timeout: float = HANG) -> None:
    t_end = time.monotonic() + timeout
    while not cond():
        assert time.monotonic() < t_end, f"timed out waiting until {what}"
        time.sleep(0.01)


def test_slots_are_first_come_first_served():
    slots = TrainingSlots(1)
    assert slots.acquire("a", timeout=0)
    assert not slots.acquire("b", timeout=0) and not slots.acquire("c", timeout=0)
    assert (slots.position("b"), slots.position("c"), slots.position("a")) == (0, 1, None)
    slots.leave("a")
    assert not slots.acquire("c", timeout=0), "c jumped the queue ahead of b"
    assert slots.acquire("b", timeout=0)
    assert slots.position("c") == 0 and (slots.busy, slots.waiting) == (1, 1)
    slots.leave("c")  # giving up a place in the queue
    slots.leave("b")
    assert (slots.busy, slots.waiting) == (0, 0)
    with pytest.raises(ValueError, match="at least 1"):
        TrainingSlots(0)


def test_a_run_waits_for_a_free_slot_then_trains():
    slots = TrainingSlots(1)
    first = TrainingJob(tiny_trainer(), epochs=10**6, slots=slots).start()
    wait_until(lambda: first.snapshot().steps > 0, "the first run trains")
    second = TrainingJob(tiny_trainer(), epochs=10**6, slots=slots, publish_seconds=0.02).start()
    try:
        wait_until(lambda: second.snapshot().queued == 0, "the second run says it is next")
        snap = second.snapshot()
        assert snap.running and snap.steps == 0 and len(snap.history) == 0
        assert slots.busy == 1 and first.snapshot().queued is None
        first.stop()
        assert first.join(HANG)
        wait_until(lambda: second.snapshot().steps > 0, "the second run starts by itself")
        assert second.snapshot().queued is None and slots.busy == 1 and slots.waiting == 0
    finally:
        first.stop()
        second.stop()
        assert second.join(HANG)
    assert (slots.busy, slots.waiting) == (0, 0)


@pytest.mark.parametrize("how", ["stopped", "abandoned"])
def test_a_queued_run_can_leave_the_queue(how):
    slots = TrainingSlots(1)
    assert slots.acquire("someone else", timeout=0)
    job = TrainingJob(
        tiny_trainer(), epochs=10, slots=slots, publish_seconds=0.02, heartbeat_timeout=0.3
    )
    job.start()
    try:
        wait_until(lambda: job.snapshot().queued == 0, "the run is queued")
        if how == "stopped":
            job.stop()
        assert job.join(HANG), "a queued run ignored its stop/heartbeat"
        snap = job.snapshot()
        assert snap.stop_reason == how and snap.steps == 0 and snap.queued is None
        assert slots.waiting == 0, "the run kept its place in the queue"
    finally:
        slots.leave("someone else")


def test_waiting_does_not_count_toward_the_time_budget():
    slots = TrainingSlots(1)
    assert slots.acquire("someone else", timeout=0)
    limits = Limits(max_train_seconds=0.3, max_epochs=10**9)
    job = TrainingJob(tiny_trainer(limits), epochs=10**9, slots=slots).start()
    wait_until(lambda: job.snapshot().queued == 0, "the run is queued")
    time.sleep(0.6)  # twice its budget spent waiting
    slots.leave("someone else")
    assert job.join(HANG)
    snap = job.snapshot()
    assert snap.stop_reason == "time_limit" and snap.epochs > 0, snap.stop_message


def test_a_run_that_fails_gives_its_slot_back():
    slots = TrainingSlots(1)
    trainer = tiny_trainer()
    trainer.run = None  # calling it raises TypeError inside the thread
    job = TrainingJob(trainer, epochs=5, slots=slots).start()
    assert job.join(HANG)
    assert job.snapshot().stop_reason == "error" and job.snapshot().error
    assert (slots.busy, slots.waiting) == (0, 0)


def test_the_concurrency_cap_is_configurable():
    assert 1 <= policy.max_concurrent_jobs_from_env({}) <= 4  # a 1–2 CPU hosted server
    assert policy.max_concurrent_jobs_from_env({"NNKIT_MAX_CONCURRENT_JOBS": "8"}) == 8
    default = policy.max_concurrent_jobs_from_env({})
    for nonsense in ("0", "-1", "many", "inf"):  # falls back to the default
        assert (
            policy.max_concurrent_jobs_from_env({"NNKIT_MAX_CONCURRENT_JOBS": nonsense}) == default
        )
    # a fraction still trains one run
    assert policy.max_concurrent_jobs_from_env({"NNKIT_MAX_CONCURRENT_JOBS": "0.5"}) == 1


def test_the_torch_thread_policy_is_bounded_by_the_cpus():
    assert policy.torch_threads_from_env({}) == 1
    assert policy.torch_threads_from_env({"NNKIT_TORCH_THREADS": "10000"}) == (os.cpu_count() or 1)
    assert policy.torch_threads_from_env({"NNKIT_TORCH_THREADS": "two"}) == 1


def test_the_server_shares_one_set_of_slots():
    assert policy.slots() is policy.slots()
    assert policy.slots().capacity == policy.MAX_CONCURRENT_JOBS
    assert TrainingJob(tiny_trainer(), epochs=1).slots is None  # the library queues nothing


def test_the_server_warms_up_once_in_the_background(monkeypatch):
    import importlib

    # What the warm-up thread asks to import (the test process has imported these
    # libraries already: tests/conftest.py freezes them for the garbage collector).
    real, asked = importlib.import_module, []

    def recording(name, package=None):
        if threading.current_thread().name == "nnkit-warm-up":
            asked.append(name)
        return real(name, package)

    monkeypatch.setattr(importlib, "import_module", recording)
    monkeypatch.setattr(policy, "_warm_thread", None)  # this test's warm-up, not a page's
    thread = policy.warm_up()
    assert policy.warm_up() is thread  # one per process
    thread.join(HANG)
    assert not thread.is_alive()
    assert set(policy.WARM_UP_MODULES) <= set(asked)
    # and the nnkit modules the pages import, so that a page's first visit does not
    # (`from nnkit.plots import perceptron` is a module, `from nnkit._text import counted`
    # a function of one)
    assert {"nnkit.tabular", "nnkit.plots.perceptron", "nnkit.symbolic"} <= set(asked)
    assert set(policy.page_modules()) <= set(asked)
    assert not any(name.endswith((".counted", ".LIMITS")) for name in asked)
    # in the order of need: what most first screens need (formulas, charts, tables),
    # then torch (two first screens, every training run) and scikit-learn (two first
    # screens), then the pages' own modules in course order, then what fewer first
    # visits need
    first = asked.index
    assert max(map(first, ("sympy", "altair", "pandas"))) < first("torch")
    assert first("torch") < first("sklearn.linear_model")
    assert max(map(first, policy.WARM_UP_FIRST)) < first("nnkit.finite_diff")
    assert first("nnkit.finite_diff") < first("nnkit.tabular") < first("nnkit.symbolic")
    assert first("nnkit.symbolic") < min(map(first, policy.WARM_UP_LATER))
    import torch

    # torch's thread count is per OpenMP thread: what matters is what the threads started
    # afterwards (training jobs, script runs) get
    seen: list[int] = []
    probe = threading.Thread(target=lambda: seen.append(torch.get_num_threads()))
    probe.start()
    probe.join()
    assert seen == [policy.torch_threads_from_env()]


def test_the_warm_up_gives_way_to_a_visitors_script():
    """Between two steps the warm-up waits while a visitor's script runs, so that a student
    who clicks a page while the server warms up has the interpreter to himself; a server
    that is never idle delays each step by at most the given wait."""
    done: list[str] = []
    steps = [lambda: done.append("a"), lambda: done.append("b")]
    assert policy.visitors() == 0
    with policy.visit():
        assert policy.visitors() == 1
        warm = threading.Thread(target=policy._run_steps, args=(steps, HANG))
        warm.start()
        time.sleep(0.3)
        assert done == []  # not one step while the visitor's script runs
        with policy.visit():  # a second visitor arrives; the first one leaves
            pass
        time.sleep(0.1)
        assert done == []
    warm.join(HANG)  # the last visitor has left: every step, in order
    assert done == ["a", "b"] and policy.visitors() == 0

    done.clear()
    with pytest.raises(RuntimeError), policy.visit():  # a run that stops still leaves
        raise RuntimeError("st.stop() or st.rerun() inside the page")
    assert policy.visitors() == 0

    with policy.visit():  # a visitor who never leaves: each step waits 0.2 s, then runs
        t0 = time.monotonic()
        policy._run_steps(steps, 0.2)
        waited = time.monotonic() - t0
    assert done == ["a", "b"] and waited >= 0.4


def test_a_process_exits_only_once_its_warm_up_has_finished():
    """A process that exits while the warm-up runs torch's C++ code aborts (exit status
    134): a server stopped early, a one-file test run. It waits for the warm-up instead
    (here a stand-in warm-up that takes half a second)."""
    import subprocess
    import sys

    code = (
        "import time\n"
        "from nnkit.ui import policy\n"
        "def slow():\n"
        "    time.sleep(0.5)\n"
        "    print('warm-up finished', flush=True)\n"
        "policy._warm = slow\n"
        "policy.warm_up()\n"
        "print('script done', flush=True)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["script", "done", "warm-up", "finished"]


def test_apply_waits_for_a_torch_still_being_imported(monkeypatch):
    import sys
    import types

    half = types.ModuleType("torch")  # what another thread's import leaves in sys.modules
    monkeypatch.setitem(sys.modules, "torch", half)
    policy.apply()  # no AttributeError: the threads are set on a later call
