"""Shared test set-up: the repository root on sys.path, deterministic threads, and the
one line at the end of a run that says why the browser tests did not run."""

from __future__ import annotations

import gc
import os
import sys
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

from tests.e2e.browser import NO_BROWSER  # noqa: E402  (needs ROOT on sys.path)


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
    """Keep the garbage collector off the objects that collection imported (torch,
    Streamlit, sympy, ...: hundreds of thousands, alive for the whole run), so that each
    collection during a test only walks what the tests create (``gc.freeze``)."""
    gc.collect()
    gc.freeze()
