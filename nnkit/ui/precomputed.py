"""Results a page computes on load, cached for every visitor, and computed once at start.

The XOR page trains its default networks and the 20-seed study of every architecture
whenever it opens with settings nobody has opened yet (about 1.5 s of CPU on a small
server); the House prices page reads, profiles and splits its CSV and fits the
baselines (about 0.3 s for the synthetic data). These functions are that work behind
``st.cache_data`` / ``st.cache_resource``, defined here rather than in the pages so that
:func:`precompute_steps` (run one by one by :func:`nnkit.ui.policy.warm_up` in the
background, once per server; :func:`precompute` runs them all) can fill the same cache
entries the pages read: the first visitor then finds
the default result ready. A page shows its own spinner around the calls (a cached
function's spinner needs a visitor's session).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import streamlit as st

from nnkit.ui import policy

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

    from nnkit import tabular

__all__ = [
    "HOUSE_CSV",
    "HOUSE_SEED",
    "HOUSE_TEST_PCT",
    "XOR_ACTIVATION",
    "XOR_EPOCHS",
    "XOR_LR",
    "XOR_UNITS",
    "house_baselines",
    "house_prepared",
    "house_profile",
    "house_table",
    "precompute",
    "precompute_steps",
    "xor_study",
    "xor_trained",
]

XOR_ACTIVATION, XOR_LR, XOR_EPOCHS, XOR_UNITS = "tanh", 0.1, 300, 2
"""The XOR page's defaults (its widgets use them): one hidden layer of 2 tanh units, Adam at
0.1 for 300 full-batch epochs, seed 0."""


@st.cache_data(show_spinner=False, max_entries=64)
def xor_trained(
    X: np.ndarray,
    y: np.ndarray,
    hidden: tuple[int, ...],
    activation: str,
    lr: float,
    epochs: int,
    seed: int,
) -> Any:
    """:func:`nnkit.fitting.fit_xor`, cached for every visitor."""
    from nnkit.fitting import fit_xor

    return fit_xor(X, y, hidden, activation=activation, lr=lr, epochs=epochs, seed=seed)


@st.cache_data(show_spinner=False, max_entries=16)
def xor_study(
    X: np.ndarray,
    y: np.ndarray,
    activation: str,
    lr: float,
    epochs: int,
    max_seconds: float,
) -> pd.DataFrame:
    """:func:`nnkit.fitting.xor_study` over 20 seeds within a time cap, cached.

    ``max_seconds`` is the server's cap (``policy.LIMITS``), passed in so that it is part
    of the cache key: a study it cut short is not the study of a larger cap.
    """
    from nnkit.fitting import xor_study as study

    return study(
        X,
        y,
        n_seeds=20,
        activation=activation,
        lr=lr,
        epochs=epochs,
        max_seconds=max_seconds,
    )


HOUSE_CSV = Path(__file__).resolve().parents[2] / "data" / "house_prices.csv"
"""The House prices page's data when nothing is uploaded (synthetic houses)."""
HOUSE_TEST_PCT, HOUSE_SEED = 20, 0
"""The House prices page's defaults (its widgets use them): 20 % of the rows for the test
set, seed 0 for the split."""


@st.cache_data(show_spinner=False, max_entries=16)
def house_table(data: bytes) -> tabular.LoadedTable:
    """:func:`nnkit.tabular.load_csv` under the app's limits, cached (keyed by the bytes)."""
    from nnkit import tabular

    return tabular.load_csv(data, limits=policy.LIMITS)


@st.cache_data(show_spinner=False, max_entries=16)
def house_profile(sha: str, _frame: pd.DataFrame) -> tabular.Profile:
    """:func:`nnkit.tabular.profile` of the table whose file has hash ``sha``, cached."""
    from nnkit import tabular

    return tabular.profile(_frame)


@st.cache_resource(show_spinner=False, max_entries=16)
def house_prepared(
    sha: str,
    _frame: pd.DataFrame,
    target: str,
    features: tuple[str, ...],
    test_size: float,
    seed: int,
    log_target: bool,
    task: str,
) -> tabular.Prepared:
    """:func:`nnkit.tabular.prepare` (the split and the encoding), cached for every visitor."""
    from nnkit import tabular

    return tabular.prepare(
        _frame,
        target,
        list(features),
        test_size=test_size,
        seed=seed,
        log_target=log_target,
        task=task,
    )


@st.cache_resource(show_spinner=False, max_entries=16)
def house_baselines(
    sha: str,
    target: str,
    features: tuple[str, ...],
    test_size: float,
    seed: int,
    log_target: bool,
    task: str,
    _data: tabular.Prepared,
) -> dict[str, Any]:
    """:func:`nnkit.tabular.fit_baselines` on the split the arguments name, cached.

    ``_data`` is that split (not hashed: the other arguments identify it); the models are
    fitted with the app's native threads (``NNKIT_TORCH_THREADS``) and shared by every
    visitor.
    """
    from nnkit import tabular

    return tabular.fit_baselines(_data, n_threads=policy.torch_threads_from_env())


def _precompute_house() -> None:
    """The House prices page's default view, as its widgets start.

    The synthetic CSV, with its suggested target, features, kind and log transform.
    """
    from nnkit import tabular

    table = house_table(HOUSE_CSV.read_bytes())
    prof = house_profile(table.sha256, table.frame)
    target = prof.target
    if target is None:
        return
    features = tuple(c for c in prof.features if c != target)
    task, _ = tabular.target_kind(table.frame[target])
    log_target = (
        task == "regression"
        and tabular.suggest_log_target(table.frame[target].to_numpy(dtype=float))[0]
    )
    split = (HOUSE_TEST_PCT / 100, HOUSE_SEED, log_target, task)
    data = house_prepared(table.sha256, table.frame, target, features, *split)
    house_baselines(table.sha256, target, features, *split, data)


def precompute_steps() -> list[Callable[[], object]]:
    """List the computations of :func:`precompute`, one callable each.

    The warm-up runs them one at a time, giving way to visitors in between.

    Returns
    -------
    list of callable
    """
    from nnkit.datasets import xor

    X, y = xor()
    args = (XOR_ACTIVATION, XOR_LR, XOR_EPOCHS)
    return [
        # the page's network and the single neuron beside it
        *(functools.partial(xor_trained, X, y, hidden, *args, 0) for hidden in ((XOR_UNITS,), ())),
        functools.partial(xor_study, X, y, *args, policy.LIMITS.max_train_seconds),
        _precompute_house,
    ]


def precompute() -> None:
    """Compute the XOR and House prices pages' default results into the caches.

    What their first visits need: XOR's trained networks and study, House prices' table,
    profile, split and baselines.
    """
    for step in precompute_steps():
        step()
