"""AppTest harness: run one page script headless, with fresh caches each test."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parents[2]

# torch pages import torch and may train a little on first run: give them time.
DEFAULT_TIMEOUT = 180


@pytest.fixture
def app_page() -> Iterator[Callable[..., AppTest]]:
    """Factory: ``app_page("pages/derivatives.py")`` returns an AppTest, not yet run.

    ``st.cache_data`` and ``st.cache_resource`` are cleared before and after each
    test so that no test sees another's cached results.
    """
    st.cache_data.clear()
    st.cache_resource.clear()

    def make(path: str, timeout: float = DEFAULT_TIMEOUT) -> AppTest:
        return AppTest.from_file(str(ROOT / path), default_timeout=timeout)

    yield make
    st.cache_data.clear()
    st.cache_resource.clear()
    _stop_leftover_jobs()


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
