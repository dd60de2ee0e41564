"""Scalar reverse-mode automatic differentiation, the way the lecture builds it.

One concern per module; every name is importable from ``nnkit.autodiff`` itself:

========================  ============================================================
``engine``                :class:`Node`, its operations and ``backward()``; graph walks
``functions``             the operations as functions (``exp(x)``) and :func:`linear`
``trace``                 the backward pass as data, one node at a time
``pitfall``               the lecture's ``parents.index(node)`` bug, beside its fix
``draw``                  node names and Graphviz DOT source
``convert``               a parsed formula (sympy tree) to nodes; the lecture's examples
``check``                 gradients beside torch.autograd and a central difference
``nn``                    Neuron, Layer, MLP on the engine; XOR trained with them
========================  ============================================================

>>> from nnkit.autodiff import Node
>>> x = Node(3.0, "x")
>>> (x * x).backward()
>>> x.grad
6.0

Importing this package imports neither numpy, sympy nor torch: the functions that
need them import them on first use.
"""

from nnkit.autodiff.check import Agreement, agreement, agreement_note, check_gradients
from nnkit.autodiff.convert import (
    EXAMPLES,
    SUPPORTED_TEXT,
    Example,
    Graph,
    UnsupportedOperation,
    graph_from_formula,
    graph_from_sympy,
    parse_variable_list,
)
from nnkit.autodiff.draw import node_names, to_dot
from nnkit.autodiff.engine import OPS, Node, topological_order, zero_grad
from nnkit.autodiff.functions import abs_, cos, exp, linear, log, relu, sigmoid, sin, sqrt, tanh
from nnkit.autodiff.nn import MLP, XOR_INPUTS, XOR_TARGETS, Layer, Neuron, XorResult, train_xor
from nnkit.autodiff.pitfall import (
    Pitfall,
    compare_naive,
    naive_backward,
    pitfall,
    pull_backward,
    repeated_uses,
)
from nnkit.autodiff.trace import BackwardStep, BackwardTrace, Contribution, backward_trace

__all__ = [
    "EXAMPLES",
    "MLP",
    "OPS",
    "SUPPORTED_TEXT",
    "XOR_INPUTS",
    "XOR_TARGETS",
    "Agreement",
    "BackwardStep",
    "BackwardTrace",
    "Contribution",
    "Example",
    "Graph",
    "Layer",
    "Neuron",
    "Node",
    "Pitfall",
    "UnsupportedOperation",
    "XorResult",
    "abs_",
    "agreement",
    "agreement_note",
    "backward_trace",
    "check_gradients",
    "compare_naive",
    "cos",
    "exp",
    "graph_from_formula",
    "graph_from_sympy",
    "linear",
    "log",
    "naive_backward",
    "node_names",
    "parse_variable_list",
    "pitfall",
    "pull_backward",
    "relu",
    "repeated_uses",
    "sigmoid",
    "sin",
    "sqrt",
    "tanh",
    "to_dot",
    "topological_order",
    "train_xor",
    "zero_grad",
]
