"""A long computation on a page, with progress, a best-so-far line, and Stop that keeps it.

For work that runs inside the script (not in a training thread): a symbolic search, a
study. :func:`remembered_run` keeps each run's outcome in the session, per setting, so a
rerun of the page (any widget, or a Stop button) does not start it again:

- a run that finished is shown again from memory (``state == "done"``);
- a run that the rerun interrupted is found still ``"running"`` and becomes
  ``"stopped"``, keeping the best result reported so far;
- a run that raised :class:`ValueError` is kept as ``"failed"`` with its reason (the page
  says what to change; it is not retried on every rerun). Any other error is not kept.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Hashable
from typing import Any

import streamlit as st

__all__ = ["remembered", "remembered_run"]

Progress = Callable[[str, float], None]
"""``progress(stage, fraction)``: what the computation is doing and how far it is (0–1)."""


def remembered(store: str, key: Hashable) -> dict[str, Any] | None:
    """The outcome :func:`remembered_run` keeps for ``key``, or None: nothing runs.

    A page that starts its computation with a button asks this first: with an outcome
    for the current setting it shows it, without one it shows the button.

    Parameters
    ----------
    store : str
        Session-state key of the memo.
    key : hashable
        The setting.

    Returns
    -------
    dict or None
        The entry :func:`remembered_run` returned for ``key``, if it is still remembered.
    """
    memo = st.session_state.get(store)
    return None if memo is None else memo.get(key)


def remembered_run(
    store: str,
    key: Hashable,
    work: Callable[[Progress, Callable[[Any], None]], Any],
    *,
    label: str,
    budget: float,
    describe_best: Callable[[Any], str] = str,
    keep: int = 12,
) -> dict[str, Any]:
    """Run ``work`` once per ``key`` (per session), with a progress bar and the best so far.

    Parameters
    ----------
    store : str
        Session-state key of the memo (one per page part).
    key : hashable
        The setting: the same key returns the remembered outcome.
    work : callable
        ``work(progress, on_best) -> result``; it calls ``progress(stage, fraction)`` as it
        goes and ``on_best(candidate)`` whenever it has a better candidate.
    label : str
        Shown in the progress bar before the stage.
    budget : float
        The work's time budget in seconds (shown beside the elapsed time).
    describe_best : callable
        One line (Markdown) for the best candidate so far.
    keep : int
        How many settings the memo remembers (the oldest is forgotten first).

    Returns
    -------
    dict
        ``state`` ("done", "stopped", "failed", or "running" while it runs), ``result``,
        ``best`` (the last candidate reported), ``error`` (for "failed"), ``t0``.
    """
    memo: dict[Hashable, dict[str, Any]] = st.session_state.setdefault(store, {})
    entry = memo.get(key)
    if entry is not None:
        if entry["state"] == "running":
            entry["state"] = "stopped"
        return entry
    entry = memo[key] = {
        "state": "running",
        "best": None,
        "result": None,
        "t0": time.perf_counter(),
    }
    if len(memo) > keep:
        memo.pop(next(iter(memo)))
    bar = st.progress(0.0, text="starting…")
    slot = st.empty()
    last = [0.0]

    def progress(stage: str, fraction: float) -> None:
        now = time.perf_counter()
        if now - last[0] > 0.25 or fraction >= 1.0:  # a redraw per quarter second is enough
            last[0] = now
            text = f"{label}: {stage} · {now - entry['t0']:.0f} s of {budget:g} s"
            bar.progress(min(max(fraction, 0.0), 1.0), text=text)

    def on_best(candidate: Any) -> None:
        entry["best"] = candidate
        slot.markdown(describe_best(candidate))

    try:
        entry["result"] = work(progress, on_best)
        entry["state"] = "done"
    except ValueError as exc:
        entry.update(state="failed", error=str(exc))
    except Exception:  # not Streamlit's Stop/Rerun (BaseException): those leave it "running"
        memo.pop(key, None)
        raise
    bar.empty()
    slot.empty()
    return entry
