"""Charts for the perceptron & activations page (Altair; usable in Jupyter too).

Builders take plain data (DataFrames, arrays, a :class:`~nnkit.perceptron.FrameState`)
and return Altair charts. Class 0 is blue, class 1 orange everywhere; misclassified
points get a red ring. A layer's neurons have Okabe–Ito colours (colour-blind safe),
and how many of them fire is shown on a sequential colour-blind-safe scale.

- :mod:`~nnkit.plots.perceptron.neuron`: activation functions and their derivatives,
  one neuron's output over the plane.
- :mod:`~nnkit.plots.perceptron.replay`: the perceptron's line, half-planes and mistakes
  at one frame of its training; mistakes per epoch.
- :mod:`~nnkit.plots.perceptron.layer`: a layer's wiring diagram and the regions its
  lines cut the plane into.
"""

from nnkit.plots.perceptron._base import CLASS_COLORS, FIRING_SCHEME, MISTAKE_COLOR, NEURON_COLORS
from nnkit.plots.perceptron.layer import layer_chart, network_diagram
from nnkit.plots.perceptron.neuron import activation_chart, neuron_cells, neuron_chart
from nnkit.plots.perceptron.replay import mistakes_chart, replay_chart, training_chart

__all__ = [
    "CLASS_COLORS",
    "FIRING_SCHEME",
    "MISTAKE_COLOR",
    "NEURON_COLORS",
    "activation_chart",
    "layer_chart",
    "mistakes_chart",
    "network_diagram",
    "neuron_cells",
    "neuron_chart",
    "replay_chart",
    "training_chart",
]
