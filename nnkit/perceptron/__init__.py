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
  :func:`convergence_reference` (all of them with scikit-learn's perceptron) and
  :func:`training_verdict` (how a run ended, in their light).
- :mod:`~nnkit.perceptron.neuron`: one neuron's and one layer's output σ(w · x + b)
  with any activation of :mod:`nnkit.activations`, the gate a threshold unit computes,
  and what a page says about a neuron or a layer (:func:`neuron_summary`,
  :func:`layer_summary`, :func:`layer_from_table`).
- :mod:`~nnkit.perceptron.geometry`: lines, half-planes and a layer's cells on the
  plane, with exact areas; grids and view boxes for the pictures.
- XOR against one neuron (re-exported from :mod:`nnkit.xor`, its one home): whether a classifier's output
  field is uniform (no boundary to draw), and the numbers of a seed study.

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
    TrainingVerdict,
    convergence_reference,
    is_linearly_separable,
    max_margin_separator,
    novikoff_bound,
    training_verdict,
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
from nnkit.perceptron.neuron import (
    CORNERS,
    LayerSummary,
    NeuronSummary,
    gate_of_neuron,
    layer_from_table,
    layer_output,
    layer_summary,
    neuron_output,
    neuron_summary,
)
from nnkit.xor import (
    UNIFORM_SPREAD,
    OutputField,
    XorStudySummary,
    output_field,
    solves_xor,
    summarize_xor_study,
)

__all__ = [
    "CORNERS",
    "LR_RANGE",
    "UNIFORM_SPREAD",
    "ConvergenceReference",
    "FrameState",
    "LayerSummary",
    "NeuronSummary",
    "OutputField",
    "Perceptron",
    "PerceptronHistory",
    "Separator",
    "TrainingVerdict",
    "XorStudySummary",
    "boundary_segment",
    "check_learning_rate",
    "convergence_reference",
    "gate_of_neuron",
    "half_plane_polygon",
    "is_linearly_separable",
    "layer_firing_shares",
    "layer_from_table",
    "layer_output",
    "layer_regions",
    "layer_summary",
    "max_margin_separator",
    "neuron_output",
    "neuron_summary",
    "novikoff_bound",
    "output_field",
    "plane_grid",
    "solves_xor",
    "summarize_xor_study",
    "training_verdict",
    "view_box",
]
