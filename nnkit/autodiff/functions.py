"""The engine's operations as functions (``exp(x)`` beside ``x.exp()``) and the fused neuron node.

Numbers are accepted wherever a node is and become constant leaves, so
``sin(0.5)`` is a node too. :func:`linear` builds one neuron's ``w·x + b`` as a
single node, with the same value and gradients as the ``2n`` nodes of the
lecture's drawing.
"""

from __future__ import annotations

from collections.abc import Sequence

from nnkit.autodiff.engine import Node, _lift

__all__ = ["abs_", "cos", "exp", "linear", "log", "relu", "sigmoid", "sin", "sqrt", "tanh"]


def _as_node(x: Node | float) -> Node:
    if type(x) is Node:
        return x
    c = _lift(x)
    if c is None:
        raise TypeError(f"expected a Node or a real number, got {type(x).__name__}")
    return c


def exp(x: Node | float) -> Node:
    """``exp(x)`` as a node (numbers become constant leaves)."""
    return _as_node(x).exp()


def log(x: Node | float) -> Node:
    """Natural logarithm as a node; see :meth:`Node.log` for the edge points."""
    return _as_node(x).log()


def sin(x: Node | float) -> Node:
    """``sin(x)`` as a node."""
    return _as_node(x).sin()


def cos(x: Node | float) -> Node:
    """``cos(x)`` as a node."""
    return _as_node(x).cos()


def tanh(x: Node | float) -> Node:
    """``tanh(x)`` as a node."""
    return _as_node(x).tanh()


def sigmoid(x: Node | float) -> Node:
    """Logistic sigmoid as a node."""
    return _as_node(x).sigmoid()


def relu(x: Node | float) -> Node:
    """``max(0, x)`` as a node; derivative 0 at 0."""
    return _as_node(x).relu()


def abs_(x: Node | float) -> Node:
    """``|x|`` as a node; derivative 0 at 0 (``abs`` would shadow the builtin)."""
    return _as_node(x).abs()


def sqrt(x: Node | float) -> Node:
    """Square root as a node; derivative ``+inf`` at 0."""
    return _as_node(x).sqrt()


def linear(weights: Sequence[Node], inputs: Sequence[Node | float], bias: Node) -> Node:
    """One neuron's ``w·x + b`` as a single node (``op == "w·x+b"``).

    The same value and gradients as building it from ``*`` and ``+`` nodes, with one
    node instead of ``2n``: its parents are the weights, the inputs that are nodes,
    and the bias; its local derivatives are the inputs (for the weights), the
    weights (for the inputs) and 1 (for the bias).

    Parameters
    ----------
    weights : sequence of Node
        The neuron's weights.
    inputs : sequence of Node or float
        Same length as ``weights``; plain numbers are data (no gradient).
    bias : Node
        The neuron's bias.

    Returns
    -------
    Node
        ``Σ w_i x_i + b``.
    """
    if len(weights) != len(inputs):
        raise ValueError(f"{len(weights)} weights but {len(inputs)} inputs")
    xs = [x.value if type(x) is Node else float(x) for x in inputs]
    ws = [w.value for w in weights]
    total = bias.value
    for w, x in zip(ws, xs):  # noqa: B905 - lengths checked above
        total += w * x
    node_inputs = [x for x in inputs if type(x) is Node]
    if node_inputs:
        w_of_node = [w for w, x in zip(ws, inputs) if type(x) is Node]  # noqa: B905
        parents = (*weights, *node_inputs, bias)
        local = (*xs, *w_of_node, 1.0)
    else:
        parents = (*weights, bias)
        local = (*xs, 1.0)
    return Node(total, "", parents, local, "w·x+b")
