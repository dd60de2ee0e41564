"""Training in a background thread: start, stop, continue, and thread-safe snapshots.

:class:`TrainingJob` runs anything :class:`TrainerLike` (a
:class:`~nnkit.training.Trainer`, a :class:`~nnkit.pinn.PINN`) in a daemon thread and
publishes :class:`JobSnapshot` copies for a live view; :class:`TrainingSlots` is a
first-come queue that caps how many jobs train at once. Nothing here is global: a
server that wants a cap creates one ``TrainingSlots`` and gives it to its jobs
(nnkit Lab's is in :mod:`nnkit.ui.policy`). No streamlit here.
"""

from __future__ import annotations

import copy
import threading
import time
from collections.abc import Callable, Hashable
from dataclasses import dataclass, replace
from typing import Any, Protocol, runtime_checkable

from nnkit.training.history import History, TrainResult, stop_message

__all__ = ["JobSnapshot", "TrainerLike", "TrainingJob", "TrainingSlots"]


@dataclass
class JobSnapshot:
    """A consistent copy of a job's progress, safe to read from another thread.

    Attributes
    ----------
    history : History
        Copy of the history so far.
    state_dict : dict
        Copy of the model's parameters at ``steps`` (never half-updated).
    epochs, steps : int
        Progress so far (cumulative).
    elapsed : float
        Training seconds so far (cumulative).
    running : bool
        Whether the thread is still training.
    stop_reason : str or None
        Why the last run ended (None while running).
    diverged_epoch : int or None
    error : str or None
        The exception text if the training thread raised.
    version : int
        Increases with every publication (a view can skip redraws when unchanged).
    queued : int or None
        While the job waits for a free training slot (see :class:`TrainingSlots`):
        how many runs are ahead of it in the queue (0 = next). None otherwise.
    target_epochs : int or None
        The epoch count the current (or last) run was asked to reach.
    budget_seconds : float or None
        The time budget of one run (the trainer's ``max_seconds``), if it has one.
    """

    history: History
    state_dict: dict[str, Any] | None
    epochs: int
    steps: int
    elapsed: float
    running: bool
    stop_reason: str | None
    diverged_epoch: int | None
    error: str | None
    version: int
    queued: int | None = None
    target_epochs: int | None = None
    budget_seconds: float | None = None

    @property
    def stop_message(self) -> str:
        """Plain-English reason the last run ended ('' while running)."""
        if self.error:
            return f"training raised an error: {self.error}"
        return stop_message(self.stop_reason, self.diverged_epoch)


@runtime_checkable
class TrainerLike(Protocol):
    """What :class:`TrainingJob` needs from the object it runs.

    :class:`Trainer` is one; :class:`nnkit.pinn.PINN` (an Adam phase, then an L-BFGS
    phase, each a :class:`Trainer`) is another. Anything with these members can be
    run, stopped, continued and watched live.

    Attributes
    ----------
    model : torch.nn.Module
        The model being trained (the job copies its weights into snapshots).
    history : History
        One history over every run so far (``copy()`` is called for snapshots).
    epochs_done, steps_done : int
        Completed epochs and optimizer steps, cumulative over runs.
    steps_in_epoch : int
        Steps done inside the epoch in progress (shown live before it completes).
    wall_time : float
        Training seconds, cumulative.
    diverged_epoch : int or None
        Epoch whose loss was not finite, if any.
    stop_reason : str or None
        Why the last run ended (a key of :data:`STOP_REASONS`); the job sets it when
        the run ends without training (stopped or abandoned while queued) or raises.
    """

    model: Any
    history: History
    epochs_done: int
    steps_done: int
    steps_in_epoch: int
    wall_time: float
    diverged_epoch: int | None
    stop_reason: str | None

    def run(
        self,
        epochs: int,
        *,
        stop_event: threading.Event | None = None,
        on_tick: Callable[[], None] | None = None,
        tick_seconds: float = 0.1,
    ) -> TrainResult:
        """Train ``epochs`` more epochs, continuing.

        Check ``stop_event`` before every step and call ``on_tick`` about every
        ``tick_seconds``.
        """
        ...

    def result(self) -> TrainResult:
        """The current :class:`TrainResult`."""
        ...


class TrainingSlots:
    """A cap on how many :class:`TrainingJob` threads train at once, with a fair queue.

    All jobs of a process share one interpreter: each training thread holds the GIL
    between its torch ops, so ten of them at once on a 2-CPU server made every page of
    every visitor (even the home page) take ~30 s. A job takes a slot when its run
    starts and gives it back when the run ends; while every slot is taken it waits,
    first come first served, and its snapshot says how many runs are ahead of it.
    Waiting does not count toward the run's time budget.

    Parameters
    ----------
    capacity : int
        How many jobs may train at the same time (>= 1).

    Example
    -------
    >>> slots = TrainingSlots(1)
    >>> slots.acquire("a", timeout=0)       # any hashable owner
    True
    >>> slots.acquire("b", timeout=0), slots.position("b")
    (False, 0)
    >>> slots.leave("a"); slots.acquire("b", timeout=0)
    True
    """

    def __init__(self, capacity: int) -> None:
        if int(capacity) < 1:
            raise ValueError(f"capacity must be at least 1, got {capacity!r}")
        self.capacity = int(capacity)
        self._cond = threading.Condition()
        self._holders: set[Hashable] = set()
        self._queue: list[Hashable] = []

    def acquire(self, owner: Hashable, timeout: float) -> bool:
        """Take a slot for ``owner``, waiting at most ``timeout`` seconds.

        An owner that must wait joins the end of the queue and keeps its place across
        calls, so call again (e.g. after checking a stop flag) until it returns True;
        :meth:`leave` gives up the slot or the place.
        """
        deadline = time.monotonic() + max(0.0, timeout)
        with self._cond:
            if owner in self._holders:
                return True
            if owner not in self._queue:
                self._queue.append(owner)
            while True:
                if len(self._holders) < self.capacity and self._queue[0] is owner:
                    self._queue.pop(0)
                    self._holders.add(owner)
                    self._cond.notify_all()
                    return True
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return False
                self._cond.wait(remaining)

    def leave(self, owner: Hashable) -> None:
        """Give back ``owner``'s slot, or its place in the queue."""
        with self._cond:
            self._holders.discard(owner)
            if owner in self._queue:
                self._queue.remove(owner)
            self._cond.notify_all()

    def position(self, owner: Hashable) -> int | None:
        """Runs ahead of ``owner`` in the queue (0 = next), None when it is not waiting."""
        with self._cond:
            for i, other in enumerate(self._queue):
                if other is owner:
                    return i
            return None

    def owners(self) -> list[Hashable]:
        """Everyone holding a slot, then everyone waiting, in queue order."""
        with self._cond:
            return [*self._holders, *self._queue]

    @property
    def busy(self) -> int:
        """Jobs training now."""
        with self._cond:
            return len(self._holders)

    @property
    def waiting(self) -> int:
        """Jobs waiting for a slot."""
        with self._cond:
            return len(self._queue)


class TrainingJob:
    """Run a :class:`Trainer` in a background thread: start, stop, continue, snapshot.

    No streamlit here: :mod:`nnkit.ui.live_training` wraps a job in buttons and a
    live chart, and a notebook can use it directly.

    Parameters
    ----------
    trainer : TrainerLike
        What to train: a :class:`Trainer` (e.g. from :func:`supervised_trainer` /
        :func:`closure_trainer`) or anything else with the :class:`TrainerLike` members.
    epochs : int
        Epochs per ``start()`` / ``resume()``.
    publish_seconds : float
        How often the training thread publishes a snapshot (history + weights).
    heartbeat_timeout : float, optional
        If set, the job stops itself ("abandoned") when :meth:`heartbeat` has not
        been called for this many seconds: a live view calls it on every refresh,
        so a closed browser tab cannot leave a thread training.
    slots : TrainingSlots or None
        Where the job takes a training slot before each run (it waits, ``queued``,
        while all are taken; a stop or a missed heartbeat ends the wait). The default
        ``None`` trains at once; a server shares one :class:`TrainingSlots` among its
        jobs (the app's is in :mod:`nnkit.ui.policy`).

    Example
    -------
    >>> job = TrainingJob(supervised_trainer(net, X, y, lr=1e-2), epochs=500).start()
    >>> snap = job.snapshot()            # from any thread, any time
    >>> job.stop(); job.join()
    >>> job.resume(epochs=200)           # same model, optimizer and history
    """

    def __init__(
        self,
        trainer: TrainerLike,
        epochs: int,
        *,
        publish_seconds: float = 0.1,
        heartbeat_timeout: float | None = None,
        slots: TrainingSlots | None = None,
    ) -> None:
        self.trainer = trainer
        self.slots = slots
        self._queued: int | None = None
        self._target: int | None = None
        self.epochs = int(epochs)
        self.publish_seconds = float(publish_seconds)
        self.heartbeat_timeout = heartbeat_timeout
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._last_beat = time.monotonic()
        self._abandoned = False
        self._error: str | None = None
        self._version = 0
        self._model_template = copy.deepcopy(trainer.model)
        self._snap = self._make_snapshot(running=False, reason=None)

    # -- thread side -------------------------------------------------------------
    def _make_snapshot(self, running: bool, reason: str | None) -> JobSnapshot:
        t = self.trainer
        state = {k: v.detach().clone() for k, v in t.model.state_dict().items()}
        self._version += 1
        return JobSnapshot(
            history=t.history.copy(),
            state_dict=state,
            epochs=t.epochs_done,
            steps=t.steps_done + (t.steps_in_epoch if running else 0),
            elapsed=t.wall_time,
            running=running,
            stop_reason=reason,
            diverged_epoch=t.diverged_epoch,
            error=self._error,
            version=self._version,
            queued=self._queued,
            target_epochs=self._target,
            budget_seconds=getattr(t, "max_seconds", None),
        )

    def _check_heartbeat(self) -> None:
        if (
            self.heartbeat_timeout is not None
            and time.monotonic() - self._last_beat > self.heartbeat_timeout
        ):
            self._abandoned = True
            self._stop.set()

    def _publish(self, running: bool = True, reason: str | None = None) -> None:
        snap = self._make_snapshot(running, reason)
        with self._lock:
            self._snap = snap
        if running:
            self._check_heartbeat()

    def _wait_for_slot(self) -> bool:
        """Queue for a training slot; False if stopped (or abandoned) while waiting."""
        if self.slots is None:
            return True
        while not self._stop.is_set():
            if self.slots.acquire(self, timeout=self.publish_seconds):
                self._queued = None
                return True
            self._queued = self.slots.position(self)
            with self._lock:
                self._version += 1
                self._snap = replace(self._snap, queued=self._queued, version=self._version)
            self._check_heartbeat()
        return False

    def _run(self, epochs: int) -> None:
        reason = "error"
        try:
            if not self._wait_for_slot():
                reason = "abandoned" if self._abandoned else "stopped"
                self.trainer.stop_reason = reason
                return
            res = self.trainer.run(
                epochs,
                stop_event=self._stop,
                on_tick=self._publish,
                tick_seconds=self.publish_seconds,
            )
            reason = res.stop_reason
            if reason == "stopped" and self._abandoned:
                reason = "abandoned"
                self.trainer.stop_reason = reason
        except Exception as exc:  # reported in the snapshot, never lost silently
            self._error = f"{type(exc).__name__}: {exc}"
            self.trainer.stop_reason = "error"
        finally:
            if self.slots is not None:
                self.slots.leave(self)
            self._queued = None
            self._publish(running=False, reason=reason)

    # -- caller side ---------------------------------------------------------------
    @property
    def running(self) -> bool:
        """True while the training thread is alive."""
        return self._thread is not None and self._thread.is_alive()

    def start(self, epochs: int | None = None) -> TrainingJob:
        """Start training in a daemon thread (returns self). Continues if already trained.

        The thread first takes a training slot (see ``slots``): while the server
        trains as many runs as it allows, the snapshot's ``queued`` says how many
        runs are ahead, and training begins by itself when a slot frees up.
        """
        if self.running:
            return self
        self._stop.clear()
        self._abandoned = False
        self._error = None
        self._last_beat = time.monotonic()
        n = self.epochs if epochs is None else int(epochs)
        self._target = self.trainer.epochs_done + n
        # Try for a slot now, so the snapshot a caller reads right after start() already
        # says whether the run trains or waits; the thread keeps the place in the queue.
        if self.slots is not None and not self.slots.acquire(self, timeout=0):
            self._queued = self.slots.position(self)
        with self._lock:
            self._snap = replace(
                self._snap, running=True, stop_reason=None, error=None, queued=self._queued
            )
        self._thread = threading.Thread(
            target=self._run, args=(n,), daemon=True, name="nnkit-train"
        )
        self._thread.start()
        return self

    resume = start
    """Continue training the same model, optimizer and history (alias of :meth:`start`)."""

    def stop(self) -> None:
        """Ask the thread to stop after the current step; the model and history are kept."""
        self._stop.set()

    def join(self, timeout: float | None = None) -> bool:
        """Wait for the thread to end; True if it has ended."""
        if self._thread is not None:
            self._thread.join(timeout)
        return not self.running

    def heartbeat(self) -> None:
        """Tell the job someone is still watching (see ``heartbeat_timeout``)."""
        self._last_beat = time.monotonic()

    def snapshot(self) -> JobSnapshot:
        """The latest published :class:`JobSnapshot` (cheap: no copy of the weights)."""
        with self._lock:
            return self._snap

    def model_at(self, snapshot: JobSnapshot | None = None, *, reuse: bool = False) -> Any:
        """A copy of the model with a snapshot's weights (safe to evaluate any time).

        ``reuse=True`` loads the weights into one cached copy instead of deep-copying the
        model on every call (what a live view refreshing 5 times a second wants); that
        copy is shared, so use it from one viewer thread at a time.
        """
        snap = snapshot or self.snapshot()
        if reuse:
            clone, version = getattr(self, "_viewer", (None, None))
            if clone is None:
                clone = copy.deepcopy(self._model_template)
                clone.eval()
            if version != snap.version and snap.state_dict is not None:
                clone.load_state_dict(snap.state_dict)
            self._viewer = (clone, snap.version)
            return clone
        clone = copy.deepcopy(self._model_template)
        if snap.state_dict is not None:
            clone.load_state_dict(snap.state_dict)
        clone.eval()
        return clone

    @property
    def model(self) -> Any:
        """The live model (only read it when the job is not running)."""
        return self.trainer.model

    def result(self) -> TrainResult:
        """The trainer's current :class:`TrainResult` (read when not running)."""
        return self.trainer.result()
