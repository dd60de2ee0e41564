"""nnkit Lab's serving policy for a shared server, in one place: caps, training slots, threads.

The library (:mod:`nnkit`) caps nothing and changes nothing global. The app, which
serves a whole class from one small machine, needs a policy; this module is all of it:

- :data:`LIMITS`: the fair-use caps of one run or upload, passed explicitly to nnkit
  (defaults suit the hosted demo; raise them with ``NNKIT_*`` environment variables,
  see the README's "Limits").
- :func:`slots`: how many training runs the server trains at once
  (``NNKIT_MAX_CONCURRENT_JOBS``); further runs queue. The live-training widget gives
  them to every job it starts.
- :func:`apply`: torch's intra-op threads per process (``NNKIT_TORCH_THREADS``,
  default 1: several sessions each starting one thread per core would oversubscribe a
  1–2 CPU server) and Python's thread switch interval (0.5 ms instead of 5 ms, so a
  training thread gets the interpreter back quickly between a live view's redraws).
- :func:`warm_up`: once per server process, in a background thread, import the heavy
  libraries (torch and its optimizer machinery, scikit-learn, SciPy, SymPy) so that no
  visitor waits for them on a first click, and the nnkit modules the pages import
  (:func:`page_modules`), then :func:`gc.freeze` everything loaded so far, so that
  later garbage collections never walk those millions of objects again.
  (``.streamlit/config.toml`` also turns off Streamlit's full collection after every
  script run: with a live view refreshing a few times a second, that collection held
  the interpreter for most of the time a training thread needed it.)
  The warm-up gives way to visitors: ``app.py`` runs each page inside :func:`visit`,
  and before each of its steps (one import, one precomputed result) the warm-up waits
  until no visitor's script is running (at most :data:`WARM_UP_YIELD` seconds a step),
  so a student who clicks a page while the server is still warming up does not share
  the interpreter with it.
"""

from __future__ import annotations

import atexit
import contextlib
import math
import os
import sys
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING

from nnkit.limits import Limits

if TYPE_CHECKING:
    from nnkit.training.jobs import TrainingSlots

__all__ = [
    "DEMO_LIMITS",
    "LIMITS",
    "MAX_CONCURRENT_JOBS",
    "SWITCH_INTERVAL",
    "WARM_UP_FIRST",
    "WARM_UP_LATER",
    "WARM_UP_MODULES",
    "WARM_UP_YIELD",
    "apply",
    "limits_from_env",
    "max_concurrent_jobs_from_env",
    "page_modules",
    "slots",
    "torch_threads_from_env",
    "visit",
    "visitors",
    "warm_up",
]

DEMO_LIMITS = Limits(
    max_train_seconds=60.0,
    max_epochs=5000,
    max_samples=50_000,
    max_upload_mb=5.0,
    max_rows=100_000,
    max_columns=500,
)
"""The hosted demo's caps when no environment variable overrides them."""

_ENV = {
    "max_train_seconds": "NNKIT_MAX_TRAIN_SECONDS",
    "max_epochs": "NNKIT_MAX_EPOCHS",
    "max_samples": "NNKIT_MAX_SAMPLES",
    "max_upload_mb": "NNKIT_MAX_UPLOAD_MB",
    "max_rows": "NNKIT_MAX_ROWS",
    "max_columns": "NNKIT_MAX_COLUMNS",
}
_INTEGER = {"max_epochs", "max_samples", "max_rows", "max_columns"}

SWITCH_INTERVAL = 0.0005
"""Python's thread switch interval while the app serves (seconds; CPython's default is
0.005). A training thread releases the interpreter around every torch op and must then
wait for it; with 5 ms each redraw of a live view stalls training far longer than it
runs (measured: training beside a 5 fps view at 0.67 of its solo speed with 5 ms, 0.79
with 0.5 ms)."""


def _env_number(environ: Mapping[str, str], name: str, default: float) -> float:
    raw = environ.get(name)
    if raw is None:
        return default
    try:
        value = float(raw)
    except ValueError:
        return default
    return value if math.isfinite(value) and value > 0 else default


def limits_from_env(environ: Mapping[str, str] | None = None) -> Limits:
    """:data:`DEMO_LIMITS` overridden by the ``NNKIT_MAX_*`` environment variables.

    An invalid or non-positive value is ignored (the default stays).

    Parameters
    ----------
    environ : mapping, optional
        Default ``os.environ``.

    Returns
    -------
    Limits
    """
    env = os.environ if environ is None else environ
    values: dict[str, float] = {}
    for field, var in _ENV.items():
        v = _env_number(env, var, getattr(DEMO_LIMITS, field))
        values[field] = max(1, int(v)) if field in _INTEGER else v
    return Limits(**values)


def max_concurrent_jobs_from_env(environ: Mapping[str, str] | None = None) -> int:
    """``NNKIT_MAX_CONCURRENT_JOBS`` (default 4, at least 1).

    Parameters
    ----------
    environ : mapping, optional
        Default ``os.environ``.

    Returns
    -------
    int
    """
    env = os.environ if environ is None else environ
    return max(1, int(_env_number(env, "NNKIT_MAX_CONCURRENT_JOBS", 4)))


def torch_threads_from_env(environ: Mapping[str, str] | None = None) -> int:
    """``NNKIT_TORCH_THREADS`` (default 1), between 1 and the number of CPUs.

    Parameters
    ----------
    environ : mapping, optional
        Default ``os.environ``.

    Returns
    -------
    int
    """
    env = os.environ if environ is None else environ
    n = int(_env_number(env, "NNKIT_TORCH_THREADS", 1))
    return max(1, min(n, os.cpu_count() or 1))


LIMITS = limits_from_env()
"""The caps every page passes to nnkit (read once, when the server starts)."""

MAX_CONCURRENT_JOBS = max_concurrent_jobs_from_env()
"""Training runs the whole server trains at once."""


_SLOTS: TrainingSlots | None = None
_SLOTS_LOCK = threading.Lock()


def slots() -> TrainingSlots:
    """The server's one shared :class:`~nnkit.training.TrainingSlots`, made on first use.

    (Created lazily because :mod:`nnkit.training` imports torch, which the home page
    must not wait for.)

    Returns
    -------
    nnkit.training.TrainingSlots
        Capacity :data:`MAX_CONCURRENT_JOBS`.
    """
    global _SLOTS
    with _SLOTS_LOCK:
        if _SLOTS is None:
            from nnkit.training.jobs import TrainingSlots

            _SLOTS = TrainingSlots(MAX_CONCURRENT_JOBS)
        return _SLOTS


WARM_UP_FIRST = (
    "sympy",  # most first screens need these three (formulas, charts, tables)
    "altair",
    "pandas",
    "torch",  # Gradient descent's and XOR's first screens, and every page's first run
    "torch.optim",
    "sklearn.linear_model",  # the Perceptron page's reference
    "sklearn.ensemble",  # House prices' baselines
    "sklearn.pipeline",
    "nnkit.training.loop",  # (``nnkit.training`` itself imports it on first use)
    "nnkit.models",
)
"""What the warm-up imports first, in the order of need: what most first screens need,
then torch (two first screens and every training run), then scikit-learn (two first
screens); then it builds torch's first optimizer and imports the pages' own nnkit
modules, in course order. A page chosen at once on a fresh server lands in the first
light imports, not inside ``import torch`` (which cannot be split): measured in
``docs/decisions/0006-warm-up-after-the-first-page.md``."""
WARM_UP_LATER = (
    "nnkit.pinn.solver",  # the PINN page's solver (its first screen does not need it)
    "scipy.optimize",
    "scipy.stats",
    "nbformat",  # a "Reproduce in Python" panel's notebook
    "streamlit.emojis",  # imported by a process's first st.info/warning/success: 40-60 ms
    "PIL.Image",  # by its first st.image
)
"""What the warm-up imports after the pages' modules: needed by fewer first visits."""
WARM_UP_MODULES = WARM_UP_FIRST + WARM_UP_LATER
"""Everything :func:`warm_up` imports by name (heavy, needed by the first click on most pages)."""

_WARM = threading.Event()
_WARM_LOCK = threading.Lock()
_warm_thread: threading.Thread | None = None
WARM_UP_EXIT_WAIT = 120.0
"""Seconds a process that is exiting waits for an unfinished warm-up (see :func:`warm_up`)."""


WARM_UP_LOG = "nnkit warm-up finished in %.1f s"
"""The server's log line when the warm-up has finished (benchmarks wait for it)."""


def page_modules() -> list[str]:
    """List the nnkit modules the course's pages import at their top level.

    Read from the pages' source with :mod:`ast`: nothing of them runs and nothing is
    imported here; a page missing from disk (an installed nnkit without the app) gives
    nothing. ``from nnkit.plots import perceptron`` names ``nnkit.plots`` and, since it
    is a module, ``nnkit.plots.perceptron``; ``from nnkit._text import counted`` names
    only ``nnkit._text``. The warm-up imports them, so that a page's first visit does
    not (0.05-0.2 s of its script's 0.15-0.5 s, measured 2026-12-07).

    Returns
    -------
    list of str
        Module names, in the order of the course's pages (the first page's first).
    """
    import ast
    from pathlib import Path

    from nnkit.ui.course import all_pages

    package = Path(__file__).resolve().parents[1]  # nnkit/
    root = package.parent  # the app's folder: app.py and pages/

    def is_module(name: str) -> bool:
        head, *rest = name.split(".")
        where = package.joinpath(*rest)
        return head == "nnkit" and (
            not rest or where.with_suffix(".py").is_file() or (where / "__init__.py").is_file()
        )

    names: dict[str, None] = {}  # in order, once each
    for page in all_pages():
        try:
            tree = ast.parse((root / page.path).read_text(encoding="utf-8"))
        except (OSError, SyntaxError, ValueError):
            continue
        for node in tree.body:
            if isinstance(node, ast.Import):
                names.update(dict.fromkeys(alias.name for alias in node.names))
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                names[node.module] = None
                names.update(dict.fromkeys(f"{node.module}.{alias.name}" for alias in node.names))
    return [n for n in names if is_module(n)]


WARM_UP_YIELD = 10.0
"""Seconds the warm-up waits at most, before each step, for the visitors' scripts then
running to end (a server that is never idle still finishes warming up)."""

_visits = 0
_VISITS = threading.Condition()


@contextlib.contextmanager
def visit() -> Iterator[None]:
    """Mark a visitor's script run: the warm-up waits for it to end before its next step.

    ``app.py`` runs every page inside it (also a run that stops or reruns).
    """
    global _visits
    with _VISITS:
        _visits += 1
    try:
        yield
    finally:
        with _VISITS:
            _visits -= 1
            _VISITS.notify_all()


def visitors() -> int:
    """How many visitors' scripts are running now (see :func:`visit`)."""
    with _VISITS:
        return _visits


def _after_visitors(max_wait: float) -> None:
    """Return once no visitor's script runs, or after ``max_wait`` seconds."""
    deadline = time.monotonic() + max_wait
    with _VISITS:
        while _visits > 0:
            left = deadline - time.monotonic()
            if left <= 0:
                return
            _VISITS.wait(left)


def _run_steps(steps: Sequence[Callable[[], object]], max_wait: float = WARM_UP_YIELD) -> None:
    """Run ``steps`` in order, each once no visitor's script is running (or after ``max_wait``)."""
    for step in steps:
        _after_visitors(max_wait)
        step()


def _imports(names: Sequence[str]) -> list[Callable[[], object]]:
    """One step per module: import it."""
    import functools
    import importlib

    return [functools.partial(importlib.import_module, n) for n in names]


def _first_optimizer() -> None:
    # The first optimizer a process builds imports torch._dynamo (seconds on a small
    # server): build one now rather than inside a visitor's first training run.
    import torch

    torch.optim.Adam([torch.zeros(1, requires_grad=True)])


def _first_chart() -> None:
    # A page's first chart imports the dataframe adapters Altair converts data with.
    import altair as alt
    import pandas as pd

    alt.Chart(pd.DataFrame({"x": [0.0]})).mark_point().encode(alt.X("x:Q")).to_dict()


def _freeze() -> None:
    import gc

    gc.collect()
    gc.freeze()


def _warm() -> None:
    t0 = time.perf_counter()
    try:
        _run_steps([*_imports(WARM_UP_FIRST), apply, _first_optimizer])
        _run_steps([*_imports(page_modules()), *_imports(WARM_UP_LATER), _first_chart, _freeze])
        from nnkit.ui import precomputed

        # the default results pages compute on load, into the cache
        _run_steps(precomputed.precompute_steps())
        from streamlit.logger import get_logger

        get_logger(__name__).info(WARM_UP_LOG, time.perf_counter() - t0)
    finally:
        _WARM.set()


def warm_up() -> threading.Thread:
    """Start the one background warm-up of this server process (later calls return it).

    Called by ``app.py`` on every run; it imports nothing heavy itself, so the home page
    is not slowed down. See the module docstring for what the warm-up does.

    Returns
    -------
    threading.Thread
        The (daemon) warm-up thread; ``join()`` it to wait for the end.
    """
    global _warm_thread
    with _WARM_LOCK:
        if _warm_thread is None:
            _warm_thread = threading.Thread(target=_warm, name="nnkit-warm-up", daemon=True)
            _warm_thread.start()
            # A process that exits while the warm-up is inside torch's C++ code aborts
            # ("terminate called without an active exception", exit status 134): a server
            # stopped early, or a short test run. Let it finish first (a few seconds).
            atexit.register(_warm_thread.join, WARM_UP_EXIT_WAIT)
        return _warm_thread


def apply() -> None:
    """Apply the process-wide policy: switch interval, and torch's threads once torch is loaded.

    Cheap and idempotent: every page calls it (through
    :func:`nnkit.ui.router.ensure_router`) and the live-training widget calls it before
    each run. It imports nothing heavy: when torch is not loaded yet, its threads are
    set on a later call.
    """
    if sys.getswitchinterval() > SWITCH_INTERVAL:
        sys.setswitchinterval(SWITCH_INTERVAL)
    torch = sys.modules.get("torch")
    get = getattr(torch, "get_num_threads", None)
    put = getattr(torch, "set_num_threads", None)
    if get is None or put is None:  # not loaded, or still being imported (by the warm-up)
        return
    n = torch_threads_from_env()
    if get() != n:
        put(n)
