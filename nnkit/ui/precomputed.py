"""Results a page computes on load, cached for every visitor, and computed once at start.

The XOR page trains its default networks and the 20-seed study of every architecture
whenever it opens with settings nobody has opened yet (about 1.5 s of CPU on a small
server). These functions are that work behind ``st.cache_data``, defined here rather
than in the page so that :func:`precompute` (called by :func:`nnkit.ui.policy.warm_up`
in the background, once per server) can fill the same cache entries the page reads:
the first visitor then finds the default result ready. A page shows its own spinner
around the calls (a cached function's spinner needs a visitor's session).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import streamlit as st

from nnkit.ui import policy

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

__all__ = [
    "XOR_ACTIVATION",
    "XOR_EPOCHS",
    "XOR_LR",
    "XOR_UNITS",
    "precompute",
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


def precompute() -> None:
    """Compute the XOR page's default result into the cache (what its first visit needs)."""
    from nnkit.datasets import xor

    X, y = xor()
    for hidden in ((XOR_UNITS,), ()):  # the page's network and the single neuron beside it
        xor_trained(X, y, hidden, XOR_ACTIVATION, XOR_LR, XOR_EPOCHS, 0)
    xor_study(X, y, XOR_ACTIVATION, XOR_LR, XOR_EPOCHS, policy.LIMITS.max_train_seconds)
