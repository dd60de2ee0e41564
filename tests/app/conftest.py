"""AppTest harness: run one page script headless, with fresh caches each test."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parents[2]

# torch pages import torch and may train a little on first run: give them time.
DEFAULT_TIMEOUT = 180


@pytest.fixture(scope="session", autouse=True)
def _once_per_worker() -> Iterator[None]:
    """Work Streamlit's AppTest repeats for every test, done once per worker.

    * Each new AppTest scans the metadata of every installed package for Streamlit
      components (a sixth of the AppTest time in a well-stocked environment); the
      installed packages do not change during a run, so the first scan is kept.
    * Each run compiles the page script again (with Streamlit's "magic" rewrite); the
      bytecode is kept per file version (path, modification time, size).
    * While a page runs, AppTest waits for it by waking every millisecond and scanning
      every event the run has sent so far (``require_widgets_deltas``): on a 2-core
      machine that polling took a tenth of the app tests' CPU and kept taking the
      interpreter lock from the page's thread. The run's last event comes just before
      its thread ends, so waiting for the thread (with the same timeout and the same
      error) is the same wait without the polling.

    Pages, caches and session state are untouched: every test still runs its page
    from scratch. If a Streamlit upgrade moves these internals, nothing is patched.
    """
    mp = pytest.MonkeyPatch()
    try:
        from streamlit.components.v2 import manifest_scanner
        from streamlit.runtime.scriptrunner.script_cache import ScriptCache
        from streamlit.testing.v1 import local_script_runner
    except ImportError:
        yield
        return
    if callable(getattr(manifest_scanner, "scan_component_manifests", None)):
        found = manifest_scanner.scan_component_manifests()
        mp.setattr(manifest_scanner, "scan_component_manifests", lambda *a, **k: list(found))
    compile_script = getattr(ScriptCache, "get_bytecode", None)
    if callable(compile_script):
        compiled: dict[tuple, object] = {}

        def get_bytecode(self, script_path: str):
            path = os.path.abspath(script_path)
            stat = os.stat(path)
            key = (path, stat.st_mtime_ns, stat.st_size, st.get_option("runner.magicEnabled"))
            if key not in compiled:
                compiled[key] = compile_script(self, script_path)
            return compiled[key]

        mp.setattr(ScriptCache, "get_bytecode", get_bytecode)
    if callable(getattr(local_script_runner, "require_widgets_deltas", None)):
        mp.setattr(local_script_runner, "require_widgets_deltas", _wait_for_the_run)
    yield
    mp.undo()


def _wait_for_the_run(runner: Any, timeout: float = 3) -> None:
    """``require_widgets_deltas`` without the polling: wait for the script thread to end
    (its last event, ``SHUTDOWN``, is sent just before); on timeout stop the run and raise
    the error AppTest raises."""
    thread = getattr(runner, "_script_thread", None)
    if thread is None:  # not started: nothing to wait for (AppTest starts it first)
        return
    thread.join(timeout)
    if thread.is_alive() and not runner.script_stopped():
        runner.request_stop()
        runner.join()
        raise RuntimeError(f"AppTest script run timed out after {timeout}(s)")


@pytest.fixture
def app_page() -> Iterator[Callable[..., AppTest]]:
    """Factory: ``app_page("pages/derivatives.py")`` returns an AppTest, not yet run.

    ``st.cache_data`` and ``st.cache_resource`` are cleared before and after each
    test so that no test sees another's cached results.
    """
    st.cache_data.clear()
    st.cache_resource.clear()
    made: list[AppTest] = []

    def make(path: str, timeout: float = DEFAULT_TIMEOUT) -> AppTest:
        made.append(AppTest.from_file(str(ROOT / path), default_timeout=timeout))
        return made[-1]

    yield make
    st.cache_data.clear()
    st.cache_resource.clear()
    _stop_leftover_jobs()
    problems = [p for at in made for p in invalid_chart_specs(at)]
    assert not problems, f"charts the page drew are not valid Vega-Lite: {problems}"


_VALID_SPECS: set[str] = set()


def _without_data(node: Any, key: str = "") -> Any:
    """The spec without its data: no ``datasets``, and every ``data.values`` empty."""
    if isinstance(node, dict):
        return {
            k: [] if key == "data" and k == "values" else _without_data(v, k)
            for k, v in node.items()
            if k != "datasets"
        }
    if isinstance(node, list):
        return [_without_data(v) for v in node]
    return node


def invalid_chart_specs(at: AppTest) -> list[str]:
    """Charts of the page's last run whose spec is not valid Vega-Lite, with the reason.

    The pages draw through ``nnkit.ui.charts``, which skips Altair's validation on every
    rerun; the test of a page validates what it drew instead, once per distinct spec
    (data left out: the schema accepts any data) in this worker.
    """
    import json

    import altair as alt

    if getattr(at, "_tree", None) is None:  # never run
        return []
    problems = []
    for chart in at.get("vega_lite_chart"):
        spec = _without_data(json.loads(chart.proto.spec))
        if "data" not in spec and chart.proto.HasField("data"):  # st.vega_lite_chart(data, spec)
            spec["data"] = {"values": []}
        key = json.dumps(spec, sort_keys=True)
        if key in _VALID_SPECS:
            continue
        try:
            alt.TopLevelSpec.validate(spec)
        except Exception as exc:  # noqa: BLE001  (jsonschema's error, reported by name)
            problems.append(f"{spec.get('title', '(untitled)')}: {str(exc)[:300]}")
        else:
            _VALID_SPECS.add(key)
    return problems


@pytest.fixture
def small_searches(monkeypatch) -> None:
    """Pages' symbolic searches look for formulas of at most 4 terms among 300 samples
    (instead of 8 among 1000), for at most 0.5 s: for tests of the page's inputs and widgets,
    not of what the search finds (a third of the time on the symbolic page)."""
    import nnkit.symbolic

    distill = nnkit.symbolic.distill

    def small(*args: Any, time_budget: float = 20.0, **kwargs: Any) -> Any:
        return distill(
            *args, max_terms=4, n_samples=300, time_budget=min(time_budget, 0.5), **kwargs
        )

    monkeypatch.setattr(nnkit.symbolic, "distill", small)


def _stop_leftover_jobs() -> None:
    """Stop training runs a test left behind (a real visitor's would stop when abandoned).

    The server trains at most ``policy.MAX_CONCURRENT_JOBS`` runs at once: a run left
    training by one test would make the next test's run wait in the queue.
    """
    if "nnkit.training" not in sys.modules:
        return
    from nnkit.ui.policy import slots

    jobs = slots().owners()
    for job in jobs:
        job.stop()
    for job in jobs:
        job.join(30)


def assert_no_exception(at: AppTest) -> None:
    """Fail with the page's own exception text if the script raised."""
    if at.exception:
        raise AssertionError("page raised: " + "\n".join(e.value for e in at.exception))
