"""Fair use, page by page (AppTest): a visitor cannot ask for more than the caps, and a
run started from a page stops by itself once nobody watches it.

* Every number box and slider whose label names epochs, samples/points or seconds
  has a maximum within :data:`nnkit.ui.policy.LIMITS`; every box that sizes a network
  (layers, units, features) has a maximum at all. Inputs that only appear after
  choosing "your formula" / "a CSV file" are revealed as in the hostile-input test.
* Every live training widget (``nnkit.ui.live_training``) on a page starts a job whose
  run is capped by ``LIMITS.max_train_seconds`` and which has a heartbeat timeout; with
  the session gone (no more refreshes) the job stops itself: "abandoned".
"""

from __future__ import annotations

import re
import time

import pytest

from nnkit.ui.course import LECTURES
from nnkit.ui.policy import LIMITS
from tests.app.conftest import ROOT, assert_no_exception
from tests.app.test_hostile_inputs import inputs, variants

PAGES = [p.path for lecture in LECTURES for p in lecture.pages]
TRAINING_PAGES = [p for p in PAGES if "live_training(" in (ROOT / p).read_text(encoding="utf-8")]

CAPS = [
    (
        re.compile(r"^(?!.*\bevery\b).*epoch", re.I),
        "max_epochs",
    ),  # "refine every N epochs" is a period
    (re.compile(r"sample|points|collocation|measurements|rows", re.I), "max_samples"),
    (re.compile(r"second|time budget|\(s\)", re.I), "max_train_seconds"),
]
SIZES = re.compile(r"layer|units|width|neurons|features|batch|degree|terms", re.I)


def cap_problems(at) -> list[str]:
    out = []
    for wid, w in inputs(at, ("number_input", "slider")).items():
        label = w.label
        hi = w.max
        if isinstance(w.value, tuple | list):  # a range slider: its upper end
            hi = w.max
        for pattern, cap in CAPS:
            if pattern.search(label):
                limit = getattr(LIMITS, cap)
                if hi is None or hi > limit:
                    out.append(f"{wid} ({label!r}): max {hi} exceeds LIMITS.{cap} = {limit}")
        if SIZES.search(label) and hi is None:
            out.append(f"{wid} ({label!r}): no maximum")
    return out


@pytest.mark.parametrize("path", PAGES)
def test_settings_are_capped(app_page, small_searches, path):
    problems: list[str] = []
    for label, at, _, _new in variants(app_page, path):
        problems += [f"[{label}] {p}" for p in cap_problems(at)]
    assert not problems, f"{path}:\n" + "\n".join(dict.fromkeys(problems))


def test_some_page_trains_live():
    assert TRAINING_PAGES, "no page uses the live training widget: nothing to check"


@pytest.mark.parametrize("path", TRAINING_PAGES)
def test_started_runs_are_capped_and_stop_when_abandoned(app_page, path):
    at = app_page(path).run()
    assert_no_exception(at)
    starts = [b for b in at.button if (b.key or "").endswith("_start") and not b.disabled]
    assert starts, f"{path} uses live_training but shows no Start button"
    for button in starts:
        key = button.key[: -len("_start")]
        button.click()
        at.run()
        assert_no_exception(at)
        job = (
            at.session_state[f"_live_{key}_job"] if f"_live_{key}_job" in at.session_state else None
        )
        if job is None:  # the page refused to start (a message says why)
            assert at.error, f"{path}: Start did nothing and said nothing"
            continue
        try:
            assert job.trainer.max_seconds <= LIMITS.max_train_seconds
            assert job.trainer.limits.max_epochs <= LIMITS.max_epochs
            assert job.heartbeat_timeout is not None and job.heartbeat_timeout <= 60, (
                f"{path}: a job without a heartbeat would outlive a closed tab"
            )
            # The visitor leaves: no more refreshes. Shorten the wait, then expect it to stop.
            job.heartbeat_timeout = 0.2
        finally:
            finished = job.join(60)
            if not finished:
                job.stop()
        assert finished, f"{path}: an abandoned job kept training"
        assert job.snapshot().stop_reason in (
            "abandoned",
            "completed",
            "time_limit",
            "epoch_limit",
            "callback",
        )


@pytest.mark.parametrize("path", TRAINING_PAGES)
def test_a_run_started_while_the_server_is_full_waits_and_says_so(app_page, path):
    """All training slots taken by other visitors: Start queues the run, the page says
    why nothing trains yet, Stop leaves the queue, and the page keeps working."""
    from nnkit.ui.policy import slots

    SLOTS = slots()
    others = [f"another visitor {i}" for i in range(SLOTS.capacity)]
    for other in others:
        assert SLOTS.acquire(other, timeout=0), "a slot was still taken by an earlier test"
    try:
        at = app_page(path).run()
        start = next(b for b in at.button if (b.key or "").endswith("_start") and not b.disabled)
        key = start.key[: -len("_start")]
        start.click()
        at.run()
        assert_no_exception(at)
        job = at.session_state[f"_live_{key}_job"]
        deadline = time.monotonic() + 30
        while job.snapshot().queued is None and time.monotonic() < deadline:
            time.sleep(0.02)
        assert job.snapshot().queued == 0 and job.snapshot().steps == 0
        at.run()
        waiting = [i.value for i in at.info if "Waiting for a free training slot" in i.value]
        assert waiting, f"{path}: a queued run does not say why it is not training"
        assert f"at most {SLOTS.capacity} runs" in waiting[0]
        at.button(key=f"{key}_stop").click()
        at.run()
        assert_no_exception(at)
        assert job.join(30) and job.snapshot().stop_reason == "stopped"
        assert SLOTS.waiting == 0
        assert not any("Waiting for a free training slot" in i.value for i in at.info)
        # Queue again, then the other visitors finish: the run starts by itself.
        at.button(key=f"{key}_continue").click()
        at.run()
        assert job.snapshot().queued == 0
        for other in others:
            SLOTS.leave(other)
        while job.snapshot().steps == 0 and job.running and time.monotonic() < deadline + 30:
            time.sleep(0.02)
        assert job.snapshot().steps > 0, f"{path}: the queued run never started"
        at.run()
        assert_no_exception(at)
        assert not any("Waiting for a free training slot" in i.value for i in at.info)
        job.stop()
        assert job.join(30)
    finally:
        for other in others:
            SLOTS.leave(other)
