"""The engine: a scalar :class:`Node`, its operations, and reverse-mode ``backward``.

"Every node needs to store the forward and backprop values, in addition to the
analytical definition of its derivative." A :class:`Node` stores its ``value``, its
``grad``, its ``parents`` and, computed once in the forward pass, the *local
derivative* of its value with respect to each parent. :meth:`Node.backward` then
visits the graph in reverse topological order and, for every node, adds
``node.grad * local_derivative`` to each parent's ``grad``; a node used several
times (``x * x``, ``a + a``) receives one contribution per use, which is exactly
the multivariable chain rule.

>>> x = Node(3.0, "x")
>>> y = x * x + x.sin()
>>> y.backward()
>>> round(x.grad, 12) == round(2 * 3.0 + math.cos(3.0), 12)
True

Design
------
* ``__slots__`` and two tuples per node (``parents`` and the matching local
  derivatives): no closure and no dict per node; a binary node with its tuples and
  floats takes about 220 bytes (88 for the node object itself).
* ``backward()`` never recurses: it counts, for every node, how many of its
  consumers are reachable from the output (one pass with an explicit stack), then
  releases a node only once all of its consumers have passed their gradient back
  (Kahn's algorithm). A chain of a million nodes works; the lecture's recursive
  sort hits Python's recursion limit near depth 1000.
  :func:`topological_order` gives the same kind of order as a list (iterative
  depth-first post-order, parents before children, output last).

Accumulation rule (be explicit, as PyTorch is)
----------------------------------------------
``y.backward()`` **resets**: after it, every node reachable from ``y`` holds
exactly ``dy/dnode``; calling it twice gives the same numbers, never doubled.
``y.backward(accumulate=True)`` behaves like ``torch.Tensor.backward``: *leaf*
nodes (no parents: variables, parameters, constants) add the new gradient to the
one they already hold, so gradients of several outputs can be summed; interior
nodes always hold this call's gradient. Use :func:`zero_grad` (or
``MLP.zero_grad``) to clear leaves yourself in that mode.

Edge points follow torch in float64 (IEEE arithmetic, never an exception):

* ``relu`` at 0: value 0, local derivative **0** (the subgradient torch uses).
* ``abs`` at 0: value 0, local derivative **0** (``sign(0) = 0``, as torch).
* ``sqrt`` at 0: value 0, local derivative ``+inf``; ``sqrt`` of a negative number
  is ``nan`` (value and derivative).
* ``log`` at 0: value ``-inf``, local derivative ``+inf``; ``log`` of a negative
  number is ``nan``, its local derivative ``1/x`` (as torch).
* ``a / 0``: ``±inf`` (``nan`` for ``0 / 0``), local derivatives ``±inf`` or ``nan``.
* ``x ** 0``: 1 with local derivative **0**, also at ``x = 0``.
* ``a ** b`` with a node exponent: ``d/db = a**b · log(a)``, taken as 0 where
  ``a = 0`` and ``b >= 0`` (torch's rule), ``nan`` for ``a < 0``. A negative base
  with a non-integer exponent gives ``nan``, never a complex number.
* ``exp`` overflow: ``inf`` (value and local derivative).

A ``nan`` or ``inf`` propagates through the graph as it does in torch: a gradient
of 0 times an infinite local derivative is ``nan``.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Iterable
from typing import final

from nnkit.autodiff._ieee import NAN as _NAN
from nnkit.autodiff._ieee import div as _div
from nnkit.autodiff._ieee import exp as _exp
from nnkit.autodiff._ieee import log as _log
from nnkit.autodiff._ieee import pow_ as _pow

__all__ = ["OPS", "Node", "topological_order", "zero_grad"]

#: The operations a node can hold (``Node.op``) and what each means.
OPS: dict[str, str] = {
    "": "leaf: a variable or parameter",
    "const": "leaf: a number mixed into the formula",
    "+": "a + b",
    "-": "a - b",
    "*": "a * b",
    "/": "a / b",
    "neg": "-a",
    "^n": "a ** n for a number n (the op shows n, e.g. ^2)",
    "**": "a ** b for a node b (both get a gradient)",
    "exp": "exp(a)",
    "log": "natural logarithm",
    "sin": "sin(a)",
    "cos": "cos(a)",
    "tanh": "tanh(a)",
    "sigmoid": "1 / (1 + exp(-a))",
    "relu": "max(0, a)",
    "abs": "|a|",
    "sqrt": "square root",
    "w·x+b": "one neuron's weighted sum, fused into one node (see linear)",
}


@final
class Node:
    """One scalar in the computational graph: value, gradient, parents, local derivatives.

    Parameters
    ----------
    value : float
        The forward value.
    label : str, optional
        A name shown in drawings and tables (``"x"``, ``"w1"``).

    Attributes
    ----------
    value : float
        Forward value, computed when the node is created.
    grad : float
        ``d output / d this node`` after the last :meth:`backward` (0 before).
    op : str
        The operation that made the node (a key of :data:`OPS`; ``""`` for a leaf).
    label : str
        Display name, possibly empty.

    Notes
    -----
    Numbers mix in on either side (``2 * x``, ``1 - x``, ``x ** 0.5``): each number
    becomes a constant leaf node (``op == "const"``). Nodes compare and hash by
    identity, so they can be dictionary keys. Building a node and running
    :meth:`backward` are not thread-safe on a graph shared between threads.
    The class is final: the operations test ``type(x) is Node`` (the fastest check)
    to tell a node from a number.
    """

    __slots__ = ("value", "grad", "_parents", "_local", "op", "label", "_pending")

    def __init__(
        self,
        value: float,
        label: str = "",
        _parents: tuple[Node, ...] = (),
        _local: tuple[float, ...] = (),
        op: str = "",
    ) -> None:
        self.value = value
        self.grad = 0.0
        self._parents = _parents
        self._local = _local
        self.op = op
        self.label = label
        self._pending = 0

    # -- read-only views -------------------------------------------------------------
    @property
    def parents(self) -> tuple[Node, ...]:
        """The nodes this one was computed from, in argument order (repeats kept)."""
        return self._parents

    @property
    def local_grads(self) -> tuple[float, ...]:
        """``d self / d parent`` for each entry of :attr:`parents`, from the forward pass."""
        return self._local

    @property
    def is_leaf(self) -> bool:
        """True for variables, parameters and constants (no parents)."""
        return not self._parents

    def __repr__(self) -> str:
        """``Node(value=..., grad=..., op=..., label=...)``."""
        name = f", label={self.label!r}" if self.label else ""
        op = f", op={self.op!r}" if self.op else ""
        return f"Node(value={self.value!r}, grad={self.grad!r}{op}{name})"

    # -- binary operators: local derivatives d(a∘b)/da, d(a∘b)/db ----------------------
    def __add__(self, other: Node | float) -> Node:
        """``self + other``; local derivatives 1, 1."""
        o = other if type(other) is Node else _lift(other)
        if o is None:
            return NotImplemented
        return Node(self.value + o.value, "", (self, o), (1.0, 1.0), "+")

    def __radd__(self, other: float) -> Node:
        """``other + self`` for a number ``other``."""
        c = _lift(other)
        if c is None:
            return NotImplemented
        return Node(c.value + self.value, "", (c, self), (1.0, 1.0), "+")

    def __sub__(self, other: Node | float) -> Node:
        """``self - other``; local derivatives 1, -1."""
        o = other if type(other) is Node else _lift(other)
        if o is None:
            return NotImplemented
        return Node(self.value - o.value, "", (self, o), (1.0, -1.0), "-")

    def __rsub__(self, other: float) -> Node:
        """``other - self`` for a number ``other``."""
        c = _lift(other)
        if c is None:
            return NotImplemented
        return Node(c.value - self.value, "", (c, self), (1.0, -1.0), "-")

    def __mul__(self, other: Node | float) -> Node:
        """``self * other``; local derivatives ``other``, ``self``."""
        o = other if type(other) is Node else _lift(other)
        if o is None:
            return NotImplemented
        a = self.value
        b = o.value
        return Node(a * b, "", (self, o), (b, a), "*")

    def __rmul__(self, other: float) -> Node:
        """``other * self`` for a number ``other``."""
        c = _lift(other)
        if c is None:
            return NotImplemented
        return Node(c.value * self.value, "", (c, self), (self.value, c.value), "*")

    def __truediv__(self, other: Node | float) -> Node:
        """``self / other``; local derivatives ``1/other``, ``-self/other²``."""
        o = other if type(other) is Node else _lift(other)
        if o is None:
            return NotImplemented
        return _divide(self, o)

    def __rtruediv__(self, other: float) -> Node:
        """``other / self`` for a number ``other``."""
        c = _lift(other)
        if c is None:
            return NotImplemented
        return _divide(c, self)

    def __pow__(self, other: Node | float) -> Node:
        """``self ** other``: a number exponent (``^n``) or a node exponent (``**``)."""
        if type(other) is Node:
            return _power(self, other)
        if not isinstance(other, numbers.Real):
            return NotImplemented
        n = float(other)
        a = self.value
        # d/da a**n = n a**(n-1); exponent 0 has derivative 0 everywhere (as torch).
        if n == 0.5:  # as sqrt (torch does the same: matters only for the sign at -0.0)
            r = math.sqrt(a) if a >= 0.0 else _NAN
            return Node(r, "", (self,), (_div(0.5, r),), "^0.5")
        if n == -0.5:  # as 1 / sqrt, like torch
            r = _div(1.0, math.sqrt(a)) if a >= 0.0 else _NAN
            return Node(r, "", (self,), (-0.5 * _pow(a, -1.5),), "^-0.5")
        d = 0.0 if n == 0.0 else n * _pow(a, n - 1.0)
        return Node(_pow(a, n), "", (self,), (d,), f"^{n:g}")

    def __rpow__(self, other: float) -> Node:
        """``other ** self`` for a number ``other``."""
        c = _lift(other)
        if c is None:
            return NotImplemented
        return _power(c, self)

    def __neg__(self) -> Node:
        """``-self``; local derivative -1."""
        return Node(-self.value, "", (self,), (-1.0,), "neg")

    def __pos__(self) -> Node:
        """``+self`` is ``self`` (no node)."""
        return self

    # -- unary functions -------------------------------------------------------------
    def exp(self) -> Node:
        """``exp(self)``; local derivative ``exp(self)``."""
        v = _exp(self.value)
        return Node(v, "", (self,), (v,), "exp")

    def log(self) -> Node:
        """Natural log; ``log(0) = -inf`` with derivative ``+inf``, ``log(x<0) = nan``."""
        a = self.value
        return Node(_log(a), "", (self,), (_div(1.0, a),), "log")

    def sin(self) -> Node:
        """``sin(self)``; local derivative ``cos(self)``."""
        a = self.value
        return Node(math.sin(a), "", (self,), (math.cos(a),), "sin")

    def cos(self) -> Node:
        """``cos(self)``; local derivative ``-sin(self)``."""
        a = self.value
        return Node(math.cos(a), "", (self,), (-math.sin(a),), "cos")

    def tanh(self) -> Node:
        """``tanh(self)``; local derivative ``1 - tanh(self)**2``."""
        t = math.tanh(self.value)
        return Node(t, "", (self,), (1.0 - t * t,), "tanh")

    def sigmoid(self) -> Node:
        """Logistic ``1 / (1 + exp(-self))``, computed without overflow; derivative ``s (1 - s)``."""
        a = self.value
        if a >= 0.0:
            s = 1.0 / (1.0 + _exp(-a))
        else:
            e = _exp(a)
            s = e / (1.0 + e)
        return Node(s, "", (self,), (s * (1.0 - s),), "sigmoid")

    def relu(self) -> Node:
        """``max(0, self)``; local derivative 1 for ``self > 0``, else **0 (also at 0)**."""
        a = self.value
        if a > 0.0:
            return Node(a, "", (self,), (1.0,), "relu")
        return Node(0.0, "", (self,), (0.0,), "relu")

    def abs(self) -> Node:
        """``|self|``; local derivative ``sign(self)``, **0 at 0** (as torch)."""
        a = self.value
        d = 1.0 if a > 0.0 else (-1.0 if a < 0.0 else (0.0 if a == 0.0 else _NAN))
        return Node(abs(a), "", (self,), (d,), "abs")

    def sqrt(self) -> Node:
        """Square root; at 0 the value is 0 and the derivative ``+inf``; ``sqrt(x<0) = nan``."""
        a = self.value
        r = math.sqrt(a) if a >= 0.0 else _NAN
        return Node(r, "", (self,), (_div(0.5, r),), "sqrt")

    # -- reverse mode ----------------------------------------------------------------
    def backward(self, grad: float = 1.0, *, accumulate: bool = False) -> None:
        """Fill ``.grad`` of every node reachable from this one with ``d self / d node``.

        Parameters
        ----------
        grad : float, default 1.0
            Seed ``d L / d self`` (1 when this node is the output).
        accumulate : bool, default False
            False (default): gradients are **reset** first, so calling twice gives
            the same result. True: leaf nodes add to the gradient they already
            hold (PyTorch's rule); clear them with :func:`zero_grad`.

        Notes
        -----
        Iterative (no recursion): one pass counts each node's consumers, a second
        pass walks the graph output-first, releasing a node once every consumer has
        added ``consumer.grad * local_derivative`` to it (Kahn's algorithm, so the
        nodes are processed in a reverse topological order). Leaves are never
        pushed: they have nothing to pass on. Cost: O(nodes + edges), no recursion,
        no per-node allocation.
        """
        saved: list[tuple[Node, float]] = []
        stack = [self]
        push = stack.append
        pop = stack.pop
        try:
            # Pass 1: count consumers (edges) per reachable node and zero the gradients.
            self.grad = 0.0
            while stack:
                for p in pop()._parents:
                    k = p._pending
                    if not k:  # first visit
                        if p._parents:
                            push(p)
                        elif accumulate:
                            saved.append((p, p.grad))
                        p.grad = 0.0
                    p._pending = k + 1
            # Pass 2: reverse topological order (Kahn), one multiply-add per edge.
            if accumulate and not self._parents:
                saved.append((self, self.grad))
            self.grad = float(grad)
            push(self)
            while stack:
                node = pop()
                g = node.grad
                for p, d in zip(node._parents, node._local):  # noqa: B905 - same length
                    p.grad += g * d
                    k = p._pending - 1
                    p._pending = k
                    if not k and p._parents:  # leaves have nothing to pass on
                        push(p)
        except BaseException:  # e.g. KeyboardInterrupt: leave the graph usable
            _reset_pending(self)
            raise
        for p, old in saved:
            p.grad += old


def _lift(x: object) -> Node | None:
    """Wrap a number as a constant leaf node; None if ``x`` is not a real number."""
    if type(x) is float or type(x) is int or isinstance(x, numbers.Real):  # fast paths first
        return Node(float(x), "", (), (), "const")
    return None


def _divide(a: Node, b: Node) -> Node:
    x = a.value
    y = b.value
    return Node(_div(x, y), "", (a, b), (_div(1.0, y), -_div(x, y * y)), "/")


def _power(a: Node, b: Node) -> Node:
    x = a.value
    y = b.value
    da = 0.0 if y == 0.0 else y * _pow(x, y - 1.0)
    # d(a**b)/db = a**b * log(a); 0 where a == 0 and b >= 0 (torch's rule).
    db = 0.0 if x == 0.0 and y >= 0.0 else _pow(x, y) * _log(x)
    return Node(_pow(x, y), "", (a, b), (da, db), "**")


def _reset_pending(root: Node) -> None:
    seen = {root}
    stack = [root]
    while stack:
        n = stack.pop()
        n._pending = 0
        for p in n._parents:
            if p not in seen:
                seen.add(p)
                stack.append(p)


# ---------------------------------------------------------------------------
# Graph walks
# ---------------------------------------------------------------------------


def topological_order(root: Node) -> list[Node]:
    """Every node ``root`` depends on, parents before children, ``root`` last.

    Iterative depth-first post-order (the order a recursive DFS would give, without
    its recursion limit): parents are visited in argument order, each node once.

    Parameters
    ----------
    root : Node
        The output.

    Returns
    -------
    list of Node
        Each reachable node once; ``root`` last.
    """
    order: list[Node] = []
    visited = {root}
    stack = [(root, iter(root._parents))]
    while stack:
        node, parents = stack[-1]
        for p in parents:
            if p not in visited:
                visited.add(p)
                stack.append((p, iter(p._parents)))
                break
        else:
            stack.pop()
            order.append(node)
    return order


def zero_grad(root: Node | Iterable[Node]) -> None:
    """Set ``grad = 0`` on every node reachable from ``root`` (or on each node given).

    Parameters
    ----------
    root : Node or iterable of Node
        An output (its whole graph is cleared) or the nodes to clear.
    """
    nodes = topological_order(root) if isinstance(root, Node) else root
    for n in nodes:
        n.grad = 0.0
