"""Shared test set-up: the repository root on sys.path, deterministic threads, a guard
against Altair string shorthands in the app's charts, and the one line at the end of a
run that says why the browser tests did not run."""

from __future__ import annotations

import gc
import os
import sys
import traceback
from collections.abc import Iterable, Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

# Tests run with nnkit's hosted-demo defaults: one torch thread per process.
os.environ.setdefault("NNKIT_TORCH_THREADS", "1")
# One native thread per process for the test processes and what they start (scripts,
# notebook kernels, servers): pytest-xdist already runs a worker per core, and a worker's
# torch, OpenBLAS or OpenMP pool as wide as the machine would oversubscribe the cores.
for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")
# Python's bytecode cache (``__pycache__``, ignored by git) on, for this run and every
# process it starts, even where PYTHONDONTWRITEBYTECODE is set (container images often
# set it): a run starts about twenty Python processes (a worker per core, Streamlit
# servers, scripts and notebooks in fresh interpreters), and without the cache each one
# compiles nnkit, the pages and the tests again (pytest's assertion rewriting included:
# collecting took 8 s of CPU per worker instead of 4).
sys.dont_write_bytecode = False
os.environ.pop("PYTHONDONTWRITEBYTECODE", None)

from tests.e2e.browser import NO_BROWSER  # noqa: E402  (needs ROOT on sys.path)

#: Where the app's own code lives: the library and the pages.
APP_CODE = tuple(str(ROOT / part) + os.sep for part in ("nnkit", "pages"))


def app_frame(stack: Iterable[traceback.FrameSummary]) -> traceback.FrameSummary | None:
    """The innermost frame of ``stack`` (outermost first, as ``traceback.extract_stack``
    gives it) that runs the repository's ``nnkit/`` or ``pages/``; ``None`` if none does."""
    for frame in reversed(list(stack)):
        if frame.filename.startswith(APP_CODE):
            return frame
    return None


@pytest.fixture(autouse=True)
def _typed_altair_channels(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Fail a test (at teardown) in which nnkit or a page gave ``.encode()`` a string
    shorthand (``x="a:Q"``) or a plain dict (``alt.value``, ``alt.condition``, ``alt.datum``).

    Altair turns each of those into a channel object with ``from_dict``, which first hashes
    its whole schema table (~570 classes, ~2 ms), on every chart build, on every rerun of a
    page; a typed channel (``alt.X("a:Q")``, ``alt.Tooltip(...)``, ``alt.ColorValue(...)``)
    is taken as it is. The check fails at teardown, not inside the page, because pages catch
    exceptions; it costs a patch per test, and a stack walk only when a table is built.
    """
    from altair.utils.schemapi import _FromDict

    found: list[traceback.FrameSummary] = []
    build_table = _FromDict.__init__

    def recording(self: _FromDict, *args: object, **kwargs: object) -> None:
        frame = app_frame(traceback.extract_stack())
        if frame is not None:
            found.append(frame)
        build_table(self, *args, **kwargs)

    monkeypatch.setattr(_FromDict, "__init__", recording)
    yield
    if found:
        places = sorted({f"{Path(f.filename).relative_to(ROOT)}:{f.lineno}" for f in found})
        pytest.fail(
            f"Altair built its whole schema table {len(found)} times (~2 ms each) for an "
            f"untyped encoding channel at {', '.join(places)}: pass a typed channel "
            '(alt.X("a:Q"), alt.Tooltip("a:Q"), alt.ColorValue(...)) instead of a string '
            "shorthand or a dict from alt.value / alt.condition / alt.datum.",
            pytrace=False,
        )


def _reason(report) -> str | None:
    """The no-browser reason of a skipped or errored test report, if that is why."""
    longrepr = report.longrepr
    if isinstance(longrepr, tuple):  # a skip: (path, line, "Skipped: reason")
        text = str(longrepr[2])
    else:
        text = report.longreprtext
    start = text.find(NO_BROWSER)
    return text[start:].splitlines()[0] if start >= 0 else None


def browser_summary(stats: dict) -> str | None:
    """One line: how many browser tests were skipped (or failed) for want of a browser,
    why, and how to get one; ``None`` when that did not happen."""
    for key, verb in (("error", "failed"), ("failed", "failed"), ("skipped", "skipped")):
        reasons = [r for r in map(_reason, stats.get(key, [])) if r]
        if reasons:
            return f"{len(reasons)} browser tests {verb}, {reasons[0]}"
    return None


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_terminal_summary(terminalreporter, exitstatus, config):
    """The no-browser line after pytest's own summary, right above the final counts.

    The skips it counts are left out of ``-ra``'s list (one line for them, not one per
    test file); they still count in the final "N skipped".
    """
    stats = terminalreporter.stats
    skipped = stats.get("skipped")
    if skipped:
        stats["skipped"] = [r for r in skipped if not _reason(r)]
    try:
        result = yield
    finally:
        if skipped:
            stats["skipped"] = skipped
    line = browser_summary(stats)
    if line:
        terminalreporter.write_line(line, yellow="skipped" in line, red="failed" in line, bold=True)
    return result


def pytest_collection_finish(session):
    """Keep the garbage collector off the libraries a test process holds for the whole run
    (``gc.freeze``), as the app's server does after its warm-up: what collection imported
    (torch, Streamlit, sympy, ...: hundreds of thousands of objects) and, when torch is
    among them, what the server's warm-up imports (``policy.WARM_UP_MODULES`` and
    torch._dynamo, which the first optimizer imports), which the tests would otherwise
    import during the run, outside the frozen set (the full collections of a run then
    took 1.5 times as long). Each collection during a test walks only what the tests create."""
    if "torch" in sys.modules:
        import importlib

        import torch

        from nnkit.ui.policy import WARM_UP_MODULES

        for name in WARM_UP_MODULES:
            importlib.import_module(name)
        torch.optim.Adam([torch.zeros(1, requires_grad=True)])
    gc.collect()
    gc.freeze()
