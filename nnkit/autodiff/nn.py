"""A small neural network on the engine: Neuron, Layer, MLP, and XOR trained with them.

Every weight and bias is a :class:`Node`, so ``loss.backward()`` fills their
gradients; :func:`train_xor` runs plain gradient descent with nothing but the engine.
"""

from __future__ import annotations

import math
import random
from collections.abc import Sequence
from dataclasses import dataclass

from nnkit.autodiff.engine import Node
from nnkit.autodiff.functions import linear

__all__ = ["MLP", "XOR_INPUTS", "XOR_TARGETS", "Layer", "Neuron", "XorResult", "train_xor"]

_ACTIVATIONS = ("tanh", "relu", "sigmoid", "linear")


class Neuron:
    """``activation(w·x + b)`` with its own weight and bias nodes.

    Parameters
    ----------
    nin : int
        Number of inputs.
    activation : {"tanh", "relu", "sigmoid", "linear"}
        Applied to ``w·x + b``.
    rng : random.Random
        Source of the initial weights, uniform in ``[-1, 1]`` scaled by ``1/sqrt(nin)``.
    fused : bool, default True
        True: ``w·x + b`` is one node (:func:`linear`); False: ``2·nin`` ``*``/``+``
        nodes, the graph the lecture draws. Same values and gradients.
    """

    __slots__ = ("w", "b", "activation", "fused")

    def __init__(
        self, nin: int, activation: str = "tanh", *, rng: random.Random, fused: bool = True
    ) -> None:
        if activation not in _ACTIVATIONS:
            raise ValueError(f"activation must be one of {_ACTIVATIONS}, got {activation!r}")
        scale = 1.0 / math.sqrt(nin)
        self.w = [Node(rng.uniform(-1.0, 1.0) * scale, "w") for _ in range(nin)]
        self.b = Node(0.0, "b")
        self.activation = activation
        self.fused = fused

    def __call__(self, x: Sequence[Node | float]) -> Node:
        """Compute the neuron's output for inputs ``x`` (nodes or numbers)."""
        if self.fused:
            z = linear(self.w, x, self.b)
        else:
            z = self.b
            for w, xi in zip(self.w, x):  # noqa: B905
                z = z + w * xi
        a = self.activation
        if a == "tanh":
            return z.tanh()
        if a == "relu":
            return z.relu()
        if a == "sigmoid":
            return z.sigmoid()
        return z

    def parameters(self) -> list[Node]:
        """Weights then bias.

        Returns
        -------
        list of Node
            ``[*w, b]``.
        """
        return [*self.w, self.b]


class Layer:
    """``nout`` neurons reading the same inputs.

    Parameters
    ----------
    nin, nout : int
        Number of inputs and of neurons.
    activation : str, default "tanh"
        See :class:`Neuron`.
    rng : random.Random
        Source of the initial weights.
    fused : bool, default True
        See :class:`Neuron`.
    """

    def __init__(
        self,
        nin: int,
        nout: int,
        activation: str = "tanh",
        *,
        rng: random.Random,
        fused: bool = True,
    ) -> None:
        self.neurons = [Neuron(nin, activation, rng=rng, fused=fused) for _ in range(nout)]

    def __call__(self, x: Sequence[Node | float]) -> list[Node]:
        """One output per neuron."""
        return [n(x) for n in self.neurons]

    def parameters(self) -> list[Node]:
        """All weights and biases, neuron by neuron.

        Returns
        -------
        list of Node
            Each neuron's :meth:`Neuron.parameters`, in order.
        """
        return [p for n in self.neurons for p in n.parameters()]


class MLP:
    """A multilayer perceptron built from :class:`Node` s.

    Parameters
    ----------
    nin : int
        Number of inputs.
    nouts : sequence of int
        Sizes of the hidden layers and, last, of the output layer.
    activation : str, default "tanh"
        Hidden activation (``tanh``, ``relu``, ``sigmoid``); the output layer is linear
        unless ``output_activation`` says otherwise.
    output_activation : str, default "linear"
        Activation of the last layer.
    seed : int, default 0
        Seed of the initial weights (a local ``random.Random``).
    fused : bool, default True
        See :class:`Neuron`.

    Examples
    --------
    >>> net = MLP(2, [4, 1], seed=0)
    >>> y = net([0.5, -1.0])[0]
    >>> y.backward()
    """

    def __init__(
        self,
        nin: int,
        nouts: Sequence[int],
        activation: str = "tanh",
        output_activation: str = "linear",
        *,
        seed: int = 0,
        fused: bool = True,
    ) -> None:
        rng = random.Random(seed)
        sizes = [nin, *nouts]
        self.layers = [
            Layer(
                sizes[i],
                sizes[i + 1],
                activation if i < len(nouts) - 1 else output_activation,
                rng=rng,
                fused=fused,
            )
            for i in range(len(nouts))
        ]

    def __call__(self, x: Sequence[Node | float]) -> list[Node]:
        """Compute the network's outputs for inputs ``x`` (nodes or numbers)."""
        out: Sequence[Node | float] = x
        for layer in self.layers:
            out = layer(out)
        return list(out)  # type: ignore[arg-type]

    def parameters(self) -> list[Node]:
        """All weights and biases, layer by layer.

        Returns
        -------
        list of Node
            Each layer's :meth:`Layer.parameters`, in order.
        """
        return [p for layer in self.layers for p in layer.parameters()]

    def zero_grad(self) -> None:
        """Set every parameter's gradient to 0 (needed only with ``accumulate=True``)."""
        for p in self.parameters():
            p.grad = 0.0


@dataclass
class XorResult:
    """Outcome of :func:`train_xor`.

    Attributes
    ----------
    model : MLP
        The trained network.
    losses : list of float
        Mean squared error after each step (before the update).
    predictions : list of float
        Network output on the four XOR points after training.
    targets : list of float
        The XOR targets, in the order of :data:`XOR_INPUTS`.
    """

    model: MLP
    losses: list[float]
    predictions: list[float]
    targets: list[float]


#: The four XOR points and their targets.
XOR_INPUTS = ((0.0, 0.0), (0.0, 1.0), (1.0, 0.0), (1.0, 1.0))
XOR_TARGETS = (0.0, 1.0, 1.0, 0.0)


def train_xor(hidden: int = 4, steps: int = 500, lr: float = 0.2, seed: int = 0) -> XorResult:
    """Train ``MLP(2, [hidden, 1])`` (tanh, linear output) on XOR with this engine only.

    Plain full-batch gradient descent on the mean squared error.

    Parameters
    ----------
    hidden : int, default 4
        Width of the hidden layer.
    steps : int, default 500
        Gradient-descent steps.
    lr : float, default 0.2
        Learning rate.
    seed : int, default 0
        Seed of the initial weights.

    Returns
    -------
    XorResult
        The model, its loss curve and its predictions.
    """
    model = MLP(2, [hidden, 1], seed=seed)
    params = model.parameters()
    losses = []
    for _ in range(steps):
        loss = _mse(model, XOR_INPUTS, XOR_TARGETS)
        loss.backward()
        losses.append(loss.value)
        for p in params:
            p.value -= lr * p.grad
    preds = [model(x)[0].value for x in XOR_INPUTS]
    return XorResult(model, losses, preds, list(XOR_TARGETS))


def _mse(model: MLP, xs: Sequence[Sequence[float]], ys: Sequence[float]) -> Node:
    total = Node(0.0, op="const")
    for x, y in zip(xs, ys):  # noqa: B905
        d = model(x)[0] - y
        total = total + d * d
    return total * (1.0 / len(xs))
