"""One neuron and one layer of neurons on the plane: outputs, the gate a unit computes.

:func:`neuron_output` and :func:`layer_output` evaluate σ(w · x + b) with any activation
of :mod:`nnkit.activations`; :func:`gate_of_neuron` names the Boolean gate a threshold
unit computes on the corners of the unit square. :func:`neuron_summary` and
:func:`layer_summary` gather what a page says about one neuron or one layer, and
:func:`layer_from_table` reads a layer's weights from an editable table, with a message
that says what to change when they are not usable.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

from nnkit._text import counted
from nnkit.activations import get as get_activation
from nnkit.perceptron.geometry import Range, layer_firing_shares

__all__ = [
    "CORNERS",
    "LayerSummary",
    "NeuronSummary",
    "gate_of_neuron",
    "layer_from_table",
    "layer_output",
    "layer_summary",
    "neuron_output",
    "neuron_summary",
]

CORNERS = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
"""The inputs of a two-input Boolean gate, in the order of ``nnkit.datasets.LOGIC_GATES``."""


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

    outputs = tuple(int(v) for v in (CORNERS @ np.asarray(w, dtype=float) + float(b) >= 0))
    for name, table in LOGIC_GATES.items():
        if tuple(table) == outputs:
            return outputs, name
    return outputs, None


@dataclass(frozen=True)
class NeuronSummary:
    """What one neuron with two inputs does on the plane, for the page's note.

    Attributes
    ----------
    w : ndarray of shape (2,)
        Weights.
    b : float
        Bias.
    activation : str
        Name of the activation f.
    output_range : (float, float) or None
        The activation's output range when both ends are finite (a fixed colour
        scale), else None.
    has_line : bool
        False when w = (0, 0): z = b everywhere, so there is no line z = 0.
    distance : float
        Distance |b| / ‖w‖ of the line from the origin (inf without a line).
    output_at_origin : float
        f(b), the output at x = (0, 0).
    corner_outputs : tuple of int
        H(w · x + b) at the corners (0,0), (0,1), (1,0), (1,1).
    gate : str or None
        The gate with that truth table (None if it is none of AND, OR, NAND, NOR, XOR).
    corners : pandas.DataFrame
        Columns ``x1, x2, label``: the corners with the unit's threshold output, for a
        chart.
    """

    w: np.ndarray
    b: float
    activation: str
    output_range: Range | None
    has_line: bool
    distance: float
    output_at_origin: float
    corner_outputs: tuple[int, ...]
    gate: str | None
    corners: pd.DataFrame

    def describe(self) -> str:
        """What the neuron does, in one paragraph (markdown) computed from its numbers.

        Returns
        -------
        str
            Without a line (w = 0): the constant output. Otherwise the line's distance
            from the origin, the output there, and the gate (or truth table) the unit
            computes as a threshold unit on the corners of the unit square.
        """
        b = self.b
        if not self.has_line:
            return (
                f"**What you see**: with w = (0, 0) there is no line: z = b = {b:+.2f} "
                f"everywhere, so the output is the constant f({b:+.2f}) = "
                f"{self.output_at_origin:.4f}."
            )
        table = list(self.corner_outputs)
        gate = (
            f"the **{self.gate.upper()}** gate (truth table {table})"
            if self.gate
            else f"the truth table {table}, which is not one of AND, OR, NAND, NOR, XOR"
        )
        w1, w2 = self.w
        return (
            f"**What you see**: the line {w1:+.1f}·x₁ {w2:+.1f}·x₂ {b:+.1f} = 0 lies at "
            f"distance |b|/‖w‖ = {self.distance:.3f} from the origin; at the origin the "
            f"output is f(b) = {self.output_at_origin:.4f}. As a threshold unit (fire when "
            f"z ≥ 0) on the corners (0,0), (0,1), (1,0), (1,1) it computes {gate}. No choice "
            "of w and b gives XOR: one line cannot put (0,1) and (1,0) on one side and "
            "(0,0), (1,1) on the other."
        )


def neuron_summary(w: ArrayLike, b: float, activation: str = "sigmoid") -> NeuronSummary:
    """Summarise one neuron f(w₁x₁ + w₂x₂ + b): its line, its output at 0, its gate.

    Parameters
    ----------
    w : array_like of shape (2,)
    b : float
    activation : str, default "sigmoid"
        A name from :mod:`nnkit.activations`.

    Returns
    -------
    NeuronSummary
    """
    act = get_activation(activation)
    wa = np.asarray(w, dtype=float).reshape(2)
    norm = float(np.hypot(wa[0], wa[1]))
    lo, hi = act.output_range
    outputs, gate = gate_of_neuron(wa, b)
    return NeuronSummary(
        w=wa,
        b=float(b),
        activation=activation,
        output_range=(lo, hi) if np.isfinite(lo) and np.isfinite(hi) else None,
        has_line=norm > 0,
        distance=abs(float(b)) / norm if norm > 0 else float("inf"),
        output_at_origin=float(act.fn(np.array([float(b)]))[0]),
        corner_outputs=outputs,
        gate=gate,
        corners=pd.DataFrame({"x1": CORNERS[:, 0], "x2": CORNERS[:, 1], "label": outputs}),
    )


def layer_from_table(
    table: pd.DataFrame, max_neurons: int | None = 6
) -> tuple[np.ndarray, np.ndarray]:
    """A layer's weights W (neurons × 2) and biases b from a table with columns w1, w2, b.

    Parameters
    ----------
    table : pandas.DataFrame
        One row per neuron; columns ``w1``, ``w2``, ``b`` (others are ignored).
    max_neurons : int or None, default 6
        Most rows accepted (None: no limit).

    Returns
    -------
    W : ndarray of shape (n_neurons, 2)
    b : ndarray of shape (n_neurons,)

    Raises
    ------
    ValueError
        No row, too many rows, or a missing or non-finite number; the message says what
        to change.
    """
    values = pd.DataFrame(table).reindex(columns=["w1", "w2", "b"])
    if len(values) == 0:
        raise ValueError("add at least one neuron (a row) to the table")
    if max_neurons is not None and len(values) > max_neurons:
        raise ValueError(
            f"at most {max_neurons} neurons fit the picture; remove "
            f"{counted(len(values) - max_neurons, 'row')}"
        )
    numbers = values.apply(pd.to_numeric, errors="coerce").to_numpy(dtype=float)
    if not np.isfinite(numbers).all():
        raise ValueError("every neuron needs a number in w₁, w₂ and b: fill the empty cells")
    return numbers[:, :2], numbers[:, 2]


@dataclass(frozen=True)
class LayerSummary:
    """Where the neurons of a layer fire in a rectangle of the plane.

    Attributes
    ----------
    n_neurons : int
        Number of neurons k.
    shares : ndarray of shape (k + 1,)
        Entry j: exact share of the rectangle where exactly j neurons fire
        (w · x + b ≥ 0); sums to 1.
    lineless : tuple of int
        Neurons (0-based) with w = (0, 0): they draw no line and fire everywhere or
        nowhere.
    """

    n_neurons: int
    shares: np.ndarray
    lineless: tuple[int, ...]

    @property
    def all_fire(self) -> float:
        """Share of the rectangle where every neuron fires."""
        return float(self.shares[-1])

    @property
    def none_fire(self) -> float:
        """Share of the rectangle where no neuron fires."""
        return float(self.shares[0])


def layer_summary(W: ArrayLike, b: ArrayLike, x_range: Range, y_range: Range) -> LayerSummary:
    """How a layer's lines share out a rectangle: who fires where, which draw no line.

    Parameters
    ----------
    W : array_like of shape (n_neurons, 2)
    b : array_like of shape (n_neurons,)
    x_range, y_range : (float, float)
        The rectangle.

    Returns
    -------
    LayerSummary
    """
    Wa = np.atleast_2d(np.asarray(W, dtype=float))
    lineless = tuple(int(j) for j in np.flatnonzero(np.all(Wa == 0, axis=1)))
    shares = layer_firing_shares(Wa, b, x_range, y_range)
    return LayerSummary(n_neurons=len(Wa), shares=shares, lineless=lineless)
