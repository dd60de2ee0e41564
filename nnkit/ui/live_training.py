"""Live training widget: Start / Stop / Continue, loss curves and a page view refreshed live.

Pages that train a network (MLP fitting, XOR, house prices, PINN) share this widget.
The training itself runs in a :class:`nnkit.training.TrainingJob` (a background thread
with a stop event and thread-safe snapshots); this module only adds the buttons, keeps
the job in ``st.session_state`` and redraws a ``st.fragment(run_every=...)`` several
times a second while the job runs. Stopping keeps the model and its history;
Continue trains the same model further with the same optimizer.

A job can never outlive its viewer for long: each refresh calls ``job.heartbeat()``
and a job nobody refreshes for ``heartbeat_timeout`` seconds stops itself (closed
tab, another page); pages cap every run by ``policy.LIMITS.max_train_seconds``. The
server trains at most ``policy.MAX_CONCURRENT_JOBS`` runs at once (the widget gives
every job it starts the server's :func:`nnkit.ui.policy.slots`): a run started while
all slots are taken waits in a queue, and the view says how many runs are ahead.

How to use it (F: house prices, G: PINN)
----------------------------------------
::

    from nnkit.models import mlp
    from nnkit.training import TrainingJob, closure_trainer, supervised_trainer
    from nnkit.ui.live_training import live_training

    settings = (width, lr, epochs)                 # anything hashable: the run's config

    def make_job() -> TrainingJob:                 # called when the user presses Start
        net = mlp(2, [width, width], 1, seed=seed)
        trainer = supervised_trainer(net, X, y, lr=lr, batch_size=64, val_fraction=0.2)
        # PINN: trainer = closure_trainer(net, loss_terms, optimizer="adam", lr=lr)
        return TrainingJob(trainer, epochs=epochs)

    def render(snap, job):                         # your view of the current weights
        model = job.model_at(snap, reuse=True)     # a copy: safe while training runs
        st.altair_chart(my_chart(model), width="stretch")

    job = live_training("house", make_job, render, config=settings)
    if job is not None and not job.running:        # final, heavier views after training
        result = job.result()                      # TrainResult: history, stop reason...

``render`` is called on every refresh (``DEFAULT_FPS`` a second) beside the training thread:
keep it cheap (a coarse grid; building an Altair chart costs tens of ms, a raw
``st.vega_lite_chart`` dict or :func:`show_images` of a small numpy image much less).
It receives the :class:`~nnkit.training.JobSnapshot` and the job. The loss chart
(train, validation, each named loss term of a closure trainer) and a status line
(epoch, steps, loss, time, why it stopped) are drawn by the widget.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Hashable, Sequence
from typing import TYPE_CHECKING, Any, Literal

import streamlit as st

from nnkit.training import JobSnapshot, TrainingJob
from nnkit.ui import format, policy

if TYPE_CHECKING:
    import numpy as np

__all__ = [
    "DEFAULT_FPS",
    "clear_job",
    "current_config",
    "current_job",
    "live_chart",
    "live_training",
    "png_data_uri",
    "queue_text",
    "show_images",
    "status_text",
    "stopped_text",
    "was_cut",
]

DEFAULT_FPS = 3.0
"""Refreshes per second of the live view while a job runs."""

QUEUED_FPS = 1.0
"""Refreshes per second while a job waits for a training slot (nothing changes fast;
a class of waiting visitors must not load the server that trains the others)."""

SHORT_RUN_SECONDS = 0.75
"""Start waits this long for the run before the page redraws: a run that ends sooner is
shown finished in that same redraw (no live view, no second rerun to see the end); a
longer one is drawn running, as before, this much later."""

SHORT_RUN_MAX_SECONDS = 1.5
"""Start's longest wait: after ``SHORT_RUN_SECONDS`` it waits on, up to this long in all,
when the epochs done so far say the rest of the run fits in that time (a live view drawn
for a few tenths of a second would only slow the run down and add a redraw to see its
end)."""

END_WAIT_FRACTION = 0.5
"""Each refresh of the live view first waits (without holding the interpreter) up to this
fraction of the refresh interval for the run to end, then draws: the training runs at
full speed meanwhile, the view still refreshes at its rate, and the end of the run is
drawn at once instead of at the next refresh."""

HEARTBEAT_TIMEOUT = 15.0
"""Seconds without a refresh after which a job stops itself (the viewer went away)."""


def _keys(key: str) -> tuple[str, str, str]:
    """Session-state keys of the widget ``key``: its job, the job's config, a start error."""
    return f"_live_{key}_job", f"_live_{key}_config", f"_live_{key}_error"


def _chart_key(key: str) -> str:
    """Session-state key of the widget's loss chart, rebuilt only when an epoch was added."""
    return f"_live_{key}_loss_chart"


def current_job(key: str) -> TrainingJob | None:
    """The job the widget ``key`` keeps in this session.

    Parameters
    ----------
    key : str
        The widget's key (as given to :func:`live_training`).

    Returns
    -------
    TrainingJob or None
        None before the first Start.
    """
    return st.session_state.get(_keys(key)[0])


def current_config(key: str) -> Hashable:
    """The ``config`` the widget's current job was started with.

    Parameters
    ----------
    key : str
        The widget's key.

    Returns
    -------
    hashable
        None before the first Start.
    """
    return st.session_state.get(_keys(key)[1])


def clear_job(key: str) -> None:
    """Stop and forget the widget's job (e.g. when the data set changes).

    Parameters
    ----------
    key : str
        The widget's key.
    """
    jk, ck, ek = _keys(key)
    job = st.session_state.pop(jk, None)
    if job is not None:
        job.stop()
    st.session_state.pop(ck, None)
    st.session_state.pop(ek, None)
    st.session_state.pop(_chart_key(key), None)


def _start(key: str, make_job: Callable[[], TrainingJob], config: Hashable, timeout: float) -> None:
    """Start button: stop the old job, build a new one, give it the server's slots, start it."""
    jk, ck, ek = _keys(key)
    old = st.session_state.get(jk)
    if old is not None:
        old.stop()
    st.session_state.pop(ek, None)
    try:
        job = make_job()
    except ValueError as exc:  # a bad hyper-parameter: say what to change, keep the page
        st.session_state[ek] = str(exc)
        return
    job.heartbeat_timeout = timeout
    if job.slots is None:
        job.slots = policy.slots()
    policy.apply()
    st.session_state[jk] = job
    st.session_state[ck] = config
    job.start()
    _wait_for_short_run(job)


def _wait_for_short_run(job: TrainingJob) -> None:
    """Block Start's rerun while the run is short enough to be shown finished at once."""
    t0 = time.monotonic()
    if job.join(SHORT_RUN_SECONDS):
        return
    snap = job.snapshot()
    if snap.queued is not None or not snap.target_epochs or snap.epochs <= 0:
        return  # waiting for a slot, or no epoch done yet: no estimate
    spent = time.monotonic() - t0
    rest = spent * (snap.target_epochs - snap.epochs) / snap.epochs
    if spent + rest <= SHORT_RUN_MAX_SECONDS:
        job.join(min(1.25 * rest + 0.05, SHORT_RUN_MAX_SECONDS - spent))


def _stop(key: str) -> None:
    """Stop button: stop the job and wait briefly, so the next run shows the final state."""
    job = current_job(key)
    if job is not None:
        job.stop()
        job.join(5.0)  # the next run shows the final state


def _continue(key: str, epochs: int | None) -> None:
    """Continue button: train the same model further (a stopped job only)."""
    job = current_job(key)
    if job is not None and not job.running:
        job.start(epochs)


def live_chart(
    name: str,
    version: Hashable,
    build: Callable[[], Any],
    *,
    width: Literal["stretch", "content"] = "stretch",
) -> None:
    """Draw an Altair chart in a live view, rebuilt only when ``version`` changes.

    A live view redraws several times a second beside the training thread, and each
    ``st.altair_chart`` builds the chart and validates its whole spec (tens of ms each,
    with the interpreter held). Here the chart is built by ``build()`` only when
    ``version`` differs from the last draw of ``name`` in this session (e.g. the number
    of epochs in the history, or the snapshot's version), turned into a Vega-Lite dict
    once without validation, and drawn with ``st.vega_lite_chart``.

    Parameters
    ----------
    name : str
        Identifies the chart within the session (one cache entry per name).
    version : hashable
        When it changes, the chart is rebuilt.
    build : callable
        ``build() -> alt.Chart`` (any Altair top-level chart).
    width : {"stretch", "content"}
        As for ``st.vega_lite_chart``.
    """
    slot = f"_live_chart_{name}"
    cached = st.session_state.get(slot)
    if cached is None or cached[0] != version:
        spec = build().to_dict(validate=False)
        cached = (version, spec)
        st.session_state[slot] = cached
    st.vega_lite_chart(cached[1], width=width)


def png_data_uri(arr: np.ndarray) -> str:
    """An RGB image as an inline PNG, for :func:`show_images`.

    Parameters
    ----------
    arr : numpy.ndarray, shape (h, w, 3)
        uint8 RGB pixels.

    Returns
    -------
    str
        ``data:image/png;base64,...`` (fast, lightly compressed PNG).
    """
    import base64
    import io

    from PIL import Image

    buf = io.BytesIO()
    Image.fromarray(arr).save(buf, format="PNG", compress_level=1)
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode()


def show_images(
    images: Sequence[tuple[np.ndarray | str, str]], *, width: int | None = None
) -> None:
    """Show images side by side, inline (PNG data URIs), each with a caption.

    Meant for live views: ``st.image`` stores each frame as a media file that a fast
    refresh can delete before the browser has loaded it (a 404 in the console);
    inline images have no such race.

    Parameters
    ----------
    images : list of (image, caption)
        ``image`` is an RGB uint8 array (h, w, 3) or a data URI from
        :func:`png_data_uri` (encode a still image once, reuse it every frame).
    width : int, optional
        Display width of each image in pixels (default: the array's own width; 280
        for a data URI).
    """
    import html

    cells = []
    for img, caption in images:
        if isinstance(img, str):
            uri, w = img, width or 280
        else:
            uri, w = png_data_uri(img), width or img.shape[1]
        cells.append(
            f'<figure style="margin:0"><img src="{uri}" width="{w}" alt="{html.escape(caption)}" '
            f'style="image-rendering:pixelated"/><figcaption style="text-align:center;'
            f'font-size:0.85em">{html.escape(caption)}</figcaption></figure>'
        )
    st.html('<div style="display:flex;gap:24px;flex-wrap:wrap">' + "".join(cells) + "</div>")


def queue_text(snap: JobSnapshot, capacity: int | None = None) -> str:
    """What a run waiting for a training slot tells its user.

    Parameters
    ----------
    snap : JobSnapshot
        The job's state (``queued``: runs ahead of it).
    capacity : int, optional
        How many runs the server trains at once (named when known).

    Returns
    -------
    str
        Where the run stands in the queue and why there is one; ``""`` when the run
        is not waiting.
    """
    if not snap.running or snap.queued is None:
        return ""
    ahead = snap.queued
    if ahead == 0:
        where = "yours is next"
    else:
        where = "1 run is ahead of yours" if ahead == 1 else f"{ahead} runs are ahead of yours"
    if capacity:
        cap = "at most 1 run" if capacity == 1 else f"at most {capacity} runs"
    else:
        cap = "a few runs"
    return (
        f"Waiting for a free training slot ({where}). This server trains {cap} at a "
        "time so that every page stays responsive for everyone; your run starts by "
        "itself, and its time budget starts then. Stop leaves the queue."
    )


def status_text(snap: JobSnapshot, steps_per_epoch: int | None = None) -> str:
    """One line: epoch, steps, last losses, time and, when stopped, why.

    Parameters
    ----------
    snap : JobSnapshot
        The job's state.
    steps_per_epoch : int, optional
        Unused (kept for callers that pass it).

    Returns
    -------
    str
        Markdown starting with "Queued…", "Training…", "Ready." or how the run ended
        (:func:`stopped_text`).
    """
    if snap.running and snap.queued is not None:
        return "Queued… " + queue_text(snap)
    last = snap.history.last()
    # an ended run's sentence already names its epoch (stopped_text): not twice in a line
    named = not snap.running and not snap.error and snap.stop_reason in _NAMES_ITS_EPOCH
    parts = [] if named else [f"epoch **{snap.epochs}**"]
    parts.append(f"{snap.steps} optimizer steps")
    if last:
        parts.append(f"training loss {format.significant(last['train_loss'])}")
        if math.isfinite(last["val_loss"]):
            parts.append(f"validation loss {format.significant(last['val_loss'])}")
    parts.append(f"{snap.elapsed:.1f} s")
    text = " · ".join(parts)
    if snap.running:
        return "Training… " + text
    if snap.stop_reason is None and not snap.error:
        return "Ready. " + text
    return f"{stopped_text(snap)} " + text


_NAMES_ITS_EPOCH = ("completed", "early_stopping", "stopped", "time_limit", "epoch_limit")
"""The ends whose :func:`stopped_text` names the epoch the run reached."""


def stopped_text(snap: JobSnapshot) -> str:
    """Why a run ended, naming the cap that cut it and how far it got.

    Parameters
    ----------
    snap : JobSnapshot
        A job that is not running.

    Returns
    -------
    str
        E.g. "Stopped by the 60 s time cap at epoch 36 of 300: press **Continue** to train
        further." for a cut run, "Finished: all 300 requested epochs done." for a whole
        one, "Stopped early at epoch 57: the validation loss stopped improving." or
        "Stopped by you at epoch 12 of 300 …"; otherwise "Stopped (why)."
    """
    target = f" of {snap.target_epochs}" if snap.target_epochs else ""
    if snap.error:
        return f"Stopped ({snap.stop_message})."
    if snap.stop_reason == "completed":
        return f"Finished: all {snap.epochs} requested epochs done."
    if snap.stop_reason == "early_stopping":
        return f"Stopped early at epoch {snap.epochs}: the validation loss stopped improving."
    if snap.stop_reason == "stopped":
        return (
            f"Stopped by you at epoch {snap.epochs}{target}: press **Continue** to train further."
        )
    if snap.stop_reason == "time_limit":
        budget = snap.budget_seconds
        cap = (
            f"{budget:g} s time cap" if budget is not None and math.isfinite(budget) else "time cap"
        )
        return (
            f"Stopped by the {cap} at epoch {snap.epochs}{target}: press **Continue** to "
            "train further (the results below are of an unfinished run)."
        )
    if snap.stop_reason == "epoch_limit":
        return (
            f"Stopped by the epoch cap at epoch {snap.epochs}{target}: this server trains at "
            "most that many epochs per model."
        )
    return f"Stopped ({snap.stop_message})."


def was_cut(snap: JobSnapshot | None) -> bool:
    """True when a cap (time or epochs) ended the run before it finished.

    Pages draw no conclusion from such a run: they say it was cut instead.

    Parameters
    ----------
    snap : JobSnapshot or None
        The job's last snapshot.

    Returns
    -------
    bool
    """
    return snap is not None and snap.stop_reason in ("time_limit", "epoch_limit")


def live_training(
    key: str,
    make_job: Callable[[], TrainingJob],
    render: Callable[[JobSnapshot, TrainingJob], None] | None = None,
    *,
    config: Hashable = None,
    continue_epochs: int | None = None,
    fps: float = DEFAULT_FPS,
    loss_chart: bool = True,
    loss_title: str = "loss (log scale)",
    heartbeat_timeout: float = HEARTBEAT_TIMEOUT,
    start_label: str = "Start",
) -> TrainingJob | None:
    """Start / Stop / Continue buttons and a live view of one training job.

    Parameters
    ----------
    key : str
        Unique per widget on the page (session-state and widget keys derive from it).
    make_job : callable
        ``make_job() -> TrainingJob`` builds a fresh model and trainer from the
        page's current settings; called when the user presses Start. A ValueError
        it raises is shown under the buttons (the page stays usable).
    render : callable, optional
        ``render(snapshot, job)`` draws the page's own view of the current model
        (use ``job.model_at(snapshot)``); called on every refresh, so keep it fast.
    config : hashable, optional
        The settings the job was built from. When the page's settings no longer
        match the job's, Continue is disabled and the user is told to press Start.
    continue_epochs : int, optional
        Epochs Continue adds (default: the job's own ``epochs``).
    fps : float
        Refreshes per second while training (default :data:`DEFAULT_FPS`).
    loss_chart : bool
        Draw the loss curves (train, validation, named terms) on a log scale.
    loss_title : str
        Title of the loss chart.
    heartbeat_timeout : float
        A job not refreshed for this long stops itself ("abandoned").
    start_label : str
        Label of the Start button.

    Returns
    -------
    TrainingJob or None
        The session's job (running or stopped), None before the first Start.
    """
    jk, ck, ek = _keys(key)
    job: TrainingJob | None = st.session_state.get(jk)
    same_config = job is not None and st.session_state.get(ck) == config
    running = job is not None and job.running

    c1, c2, c3, _ = st.columns([1, 1, 1, 3])
    c1.button(
        start_label if job is None else "Restart",
        key=f"{key}_start",
        type="primary" if not running else "secondary",
        on_click=_start,
        args=(key, make_job, config, heartbeat_timeout),
        help="Build a new network from the page's settings and train it.",
        width="stretch",
    )
    c2.button(
        "Stop",
        key=f"{key}_stop",
        disabled=not running,
        on_click=_stop,
        args=(key,),
        help="Stop after the current step; the model and its history are kept.",
        width="stretch",
    )
    diverged = job is not None and job.snapshot().diverged_epoch is not None
    c3.button(
        "Continue",
        key=f"{key}_continue",
        disabled=job is None or running or not same_config or diverged,
        on_click=_continue,
        args=(key, continue_epochs),
        help="Train the same model further (same optimizer, history continues).",
        width="stretch",
    )
    if st.session_state.get(ek):
        st.error(f"Could not start training: {st.session_state[ek]}")
    if job is None:
        return None
    if not same_config and not running:
        st.info(
            "The settings changed since this model was trained: press **Restart** to train "
            "a new model with them (the view below still shows the previous model)."
        )

    queued = running and job.snapshot().queued is not None

    calls = [0]  # the first call is the full run's own; later ones are refreshes

    def view() -> None:
        calls[0] += 1
        if running and calls[0] > 1 and job.running and job.snapshot().queued is None:
            job.join(END_WAIT_FRACTION / fps)  # see END_WAIT_FRACTION
        snap = job.snapshot()
        job.heartbeat()
        if running and not snap.running:
            st.rerun()  # the run ended: redraw the whole page once (it draws this view too)
        if snap.running and (snap.queued is not None) != queued:
            st.rerun()  # the run got its slot: redraw the page, refresh at full speed
        if snap.running and snap.queued is not None:
            # nothing trained yet: say why, skip the (untrained) views, keep refreshing
            st.info(
                queue_text(snap, job.slots.capacity if job.slots else None),
                icon=":material/hourglass_top:",
            )
            return
        st.markdown(status_text(snap))
        if snap.error:
            st.error(f"Training stopped with an error: {snap.error}")
        if loss_chart and len(snap.history):
            from nnkit.plots.fitting import loss_spec

            # rebuilt only when an epoch was added (a refresh often comes mid-epoch)
            cached: tuple[Any, ...] | None = st.session_state.get(_chart_key(key))
            if cached is None or cached[0] is not job or cached[1] != len(snap.history):
                data, spec = loss_spec(snap.history, title=loss_title)
                cached = (job, len(snap.history), data, spec)
                st.session_state[_chart_key(key)] = cached
            st.vega_lite_chart(cached[2], cached[3], width="stretch")  # no Altair validation
        if render is not None:
            render(snap, job)

    every = (1.0 / (QUEUED_FPS if queued else fps)) if running else None
    st.fragment(view, run_every=every)()
    return job
