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
    test so that no test sees another's cached results, except the results a server
    computes for every visitor when it starts (:func:`_clear_caches`).
    """
    _clear_caches()
    problems: dict[str, None] = {}  # every run's charts, not only the last run's

    def make(path: str, timeout: float = DEFAULT_TIMEOUT) -> AppTest:
        at = AppTest.from_file(str(ROOT / path), default_timeout=timeout)
        run = at._run  # what at.run(), a widget's .run() and a click's .run() all call

        def run_and_check(*args: Any, **kwargs: Any) -> AppTest:
            out = run(*args, **kwargs)
            problems.update(dict.fromkeys(invalid_chart_specs(at)))
            problems.update(dict.fromkeys(empty_column_rows(at)))
            return out

        at._run = run_and_check  # type: ignore[method-assign]
        return at

    yield make
    _clear_caches()
    _stop_leftover_jobs()
    assert not problems, f"charts not valid or not described, or empty rows: {list(problems)}"


def _clear_caches() -> None:
    """Clear every ``st.cache_data`` and ``st.cache_resource`` entry, except those of
    :mod:`nnkit.ui.precomputed` (the XOR page's trained networks and 20-seed study, the
    House prices page's table, profile, split and baselines).

    A server computes those for every visitor when it starts (``policy.warm_up``): kept
    here, a worker computes each of them once instead of once per test that opens the
    page (about 1.5 s of CPU for XOR, 0.3 s for House prices). They are pure functions of
    their arguments (the study's time cap included), so a test gets what it would have
    computed; a test that needs them absent clears them itself. If Streamlit moves the
    internals read here, everything is cleared, as before.
    """
    try:
        from streamlit.runtime.caching.cache_data_api import _data_caches
        from streamlit.runtime.caching.cache_resource_api import _resource_caches

        from nnkit.ui import precomputed

        keep = {
            f._function_key
            for f in (
                precomputed.xor_trained,
                precomputed.xor_study,
                precomputed.house_table,
                precomputed.house_profile,
                precomputed.house_prepared,
                precomputed.house_baselines,
            )
        }
        caches = []
        for store in (_data_caches, _resource_caches):
            with store._caches_lock:
                caches += [
                    cache
                    for per_session in store._function_caches.values()
                    for key, cache in per_session.items()
                    if key not in keep
                ]
    except (ImportError, AttributeError):
        st.cache_data.clear()
        st.cache_resource.clear()
        return
    for cache in caches:
        cache.clear()


_VALID_SPECS: set[str] = set()
_VALID_RAW: set[str] = set()  # the same, as the page sent them (data included)


_FREE_TEXT = ("title", "description")
"""Keys whose string values the schema takes as any text: one placeholder for all of them
when validating (a title or a description that quotes a number makes every rerun's spec
distinct; their presence is what the description check reads, before this)."""


def _without_data(node: Any, key: str = "") -> Any:
    """The spec without its data (no ``datasets``, every ``data.values`` empty, every
    dataset's name, a hash of its rows, the same) and with every free-text title or
    description replaced by one placeholder."""
    if isinstance(node, dict):
        return {
            k: []
            if key == "data" and k == "values"
            else "·"
            if (k in _FREE_TEXT or (key == "data" and k == "name")) and isinstance(v, str)
            else _without_data(v, k)
            for k, v in node.items()
            if k != "datasets"
        }
    if isinstance(node, list):
        return [_without_data(v) for v in node]
    return node


def empty_column_rows(at: AppTest) -> list[str]:
    """Rows of ``st.columns`` in the page's last run none of whose columns holds anything.

    Nothing shows on a wide screen but the row's margin; on a phone the columns stack
    and leave a blank gap the height of their spacing (seen on the PINN page's Poisson
    problem, which has no parameter for its row of parameter boxes).
    """
    if getattr(at, "_tree", None) is None:  # never run
        return []
    found = []

    def walk(node: Any, where: str) -> None:
        children = getattr(node, "children", None)
        if not isinstance(children, dict):
            return
        columns = [c for c in children.values() if type(c).__name__ == "Column"]
        if columns and not any(getattr(c, "children", None) for c in columns):
            found.append(f"an empty row of {len(columns)} columns at {where}")
        for i, child in children.items():
            walk(child, f"{where}/{type(child).__name__.lower()} {i}")

    walk(at._tree, "main")
    return found


def invalid_chart_specs(at: AppTest) -> list[str]:
    """Charts of the page's last run whose spec is not valid Vega-Lite, or that have no
    description (a screen reader's text alternative), with the reason.

    The pages draw through ``nnkit.ui.charts``, which skips Altair's validation on every
    rerun; the test of a page validates what it drew instead, once per distinct spec
    (data left out: the schema accepts any data) in this worker. The browser tests check
    the descriptions of the charts a first screen draws; this checks every chart any app
    test makes a page draw (a classification's confusion matrix, a trained network's maps).
    """
    import json

    import altair as alt

    if getattr(at, "_tree", None) is None:  # never run
        return []
    problems = []
    for chart in at.get("vega_lite_chart"):
        raw = chart.proto.spec
        if raw in _VALID_RAW:  # the same chart as a run before (most reruns)
            continue
        full = json.loads(raw)
        spec = _without_data(full)
        if "data" not in spec and chart.proto.HasField("data"):  # st.vega_lite_chart(data, spec)
            spec["data"] = {"values": []}
        title = full.get("title", "(untitled)")
        if not str(full.get("description", "")).strip():  # before the placeholder below
            problems.append(f"{title}: no description (nnkit.plots.style.describe)")
            continue
        key = json.dumps(spec, sort_keys=True)
        if key in _VALID_SPECS:
            _VALID_RAW.add(raw)
            continue
        try:
            alt.TopLevelSpec.validate(spec)
        except Exception as exc:  # noqa: BLE001  (jsonschema's error, reported by name)
            problems.append(f"{title}: {str(exc)[:300]}")
            continue
        _VALID_SPECS.add(key)
        _VALID_RAW.add(raw)
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


def assert_missing_numbers_show_a_dash(at: AppTest) -> None:
    """Every table holding a missing number draws it as "—" (Streamlit's frontend draws an
    empty cell of a table as "None" unless the table sets a placeholder, and ignores a
    Styler's ``na_rep`` for it)."""
    for table in at.dataframe:
        if table.value.isna().to_numpy().any():
            assert table.proto.placeholder == "—", table.value.columns.tolist()


def assert_no_exception(at: AppTest) -> None:
    """Fail with the page's own exception text if the script raised."""
    if at.exception:
        raise AssertionError("page raised: " + "\n".join(e.value for e in at.exception))
