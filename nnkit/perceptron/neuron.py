"""One neuron and one layer of neurons: outputs σ(w · x + b) and the gate a unit computes."""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from nnkit.activations import get as get_activation

__all__ = ["gate_of_neuron", "layer_output", "neuron_output"]


def neuron_output(
    X: ArrayLike, w: ArrayLike, b: float, activation: str = "heaviside"
) -> np.ndarray:
    """Output σ(w · x + b) of one neuron for each row of ``X``.

    Parameters
    ----------
    X : array_like of shape (n_samples, n_features)
    w : array_like of shape (n_features,)
    b : float
    activation : str
        A name from :mod:`nnkit.activations`.

    Returns
    -------
    ndarray of shape (n_samples,)
    """
    P = np.asarray(X, dtype=float)
    return get_activation(activation).fn(P @ np.asarray(w, dtype=float) + float(b))


def layer_output(
    X: ArrayLike, W: ArrayLike, b: ArrayLike, activation: str = "heaviside"
) -> np.ndarray:
    """Outputs of a layer of neurons sharing the same input: σ(X Wᵀ + b).

    Parameters
    ----------
    X : array_like of shape (n_samples, n_features)
    W : array_like of shape (n_neurons, n_features)
        One row of weights per neuron.
    b : array_like of shape (n_neurons,)
    activation : str
        A name from :mod:`nnkit.activations`.

    Returns
    -------
    ndarray of shape (n_samples, n_neurons)
    """
    P = np.asarray(X, dtype=float)
    Wa = np.atleast_2d(np.asarray(W, dtype=float))
    ba = np.asarray(b, dtype=float).reshape(-1)
    if Wa.shape[1] != P.shape[1] or len(ba) != len(Wa):
        raise ValueError(
            f"layer shapes do not match: X {P.shape}, W {Wa.shape} (neurons × inputs), b {ba.shape}"
        )
    return get_activation(activation).fn(P @ Wa.T + ba)


def gate_of_neuron(w: ArrayLike, b: float) -> tuple[tuple[int, ...], str | None]:
    """Which Boolean gate a threshold neuron computes on the corners of the unit square.

    Parameters
    ----------
    w : array_like of shape (2,)
    b : float

    Returns
    -------
    outputs : tuple of int
        H(w · x + b) at (0, 0), (0, 1), (1, 0), (1, 1).
    gate : str or None
        The name from :data:`nnkit.datasets.LOGIC_GATES` with that truth table
        (None if it is another function, e.g. constant or x₁ alone).
    """
    from nnkit.datasets import LOGIC_GATES

    corners = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
    outputs = tuple(int(v) for v in (corners @ np.asarray(w, dtype=float) + float(b) >= 0))
    for name, table in LOGIC_GATES.items():
        if tuple(table) == outputs:
            return outputs, name
    return outputs, None
