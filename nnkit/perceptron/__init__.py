"""Rosenblatt's perceptron, a single neuron, and a layer of neurons on the plane.

One module per concern; every name is importable from ``nnkit.perceptron``:

- :mod:`~nnkit.perceptron.estimator`: :class:`Perceptron`, the learning rule
  w ← w + η (t − ŷ) x as a scikit-learn style estimator that records its training,
  and :func:`check_learning_rate`.
- :mod:`~nnkit.perceptron.history`: :class:`PerceptronHistory` (every update and epoch)
  and :class:`FrameState` (one frame of the replay, with its label and description).
- :mod:`~nnkit.perceptron.convergence`: the references beside the result:
  :func:`is_linearly_separable` (exact linear program), :func:`novikoff_bound` and
  :func:`max_margin_separator` (the convergence theorem's (R/γ)²),
  :func:`convergence_reference` (all of them with scikit-learn's perceptron).
- :mod:`~nnkit.perceptron.neuron`: one neuron's and one layer's output σ(w · x + b)
  with any activation of :mod:`nnkit.activations`, and the gate a threshold unit computes.
- :mod:`~nnkit.perceptron.geometry`: lines, half-planes and a layer's cells on the
  plane, with exact areas; grids and view boxes for the pictures.

Examples
--------
>>> from nnkit.datasets import logic_gate
>>> X, y = logic_gate("and")
>>> p = Perceptron(lr=1.0, max_epochs=20).fit(X, y)
>>> p.converged_, p.score(X, y)
(True, 1.0)
"""

from nnkit.perceptron.convergence import (
    ConvergenceReference,
    Separator,
    convergence_reference,
    is_linearly_separable,
    max_margin_separator,
    novikoff_bound,
)
from nnkit.perceptron.estimator import LR_RANGE, Perceptron, check_learning_rate
from nnkit.perceptron.geometry import (
    boundary_segment,
    half_plane_polygon,
    layer_firing_shares,
    layer_regions,
    plane_grid,
    view_box,
)
from nnkit.perceptron.history import FrameState, PerceptronHistory
from nnkit.perceptron.neuron import gate_of_neuron, layer_output, neuron_output

__all__ = [
    "LR_RANGE",
    "ConvergenceReference",
    "FrameState",
    "Perceptron",
    "PerceptronHistory",
    "Separator",
    "boundary_segment",
    "check_learning_rate",
    "convergence_reference",
    "gate_of_neuron",
    "half_plane_polygon",
    "is_linearly_separable",
    "layer_firing_shares",
    "layer_output",
    "layer_regions",
    "max_margin_separator",
    "neuron_output",
    "novikoff_bound",
    "plane_grid",
    "view_box",
]
