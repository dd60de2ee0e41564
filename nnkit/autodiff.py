"""Scalar reverse-mode automatic differentiation, the way the lecture builds it.

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
import random
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd
    import sympy

    from nnkit.expr import Formula

__all__ = [
    "OPS",
    "SUPPORTED_TEXT",
    "XOR_INPUTS",
    "XOR_TARGETS",
    "BackwardStep",
    "BackwardTrace",
    "EXAMPLES",
    "Example",
    "Contribution",
    "Graph",
    "Layer",
    "MLP",
    "Neuron",
    "Node",
    "UnsupportedOperation",
    "XorResult",
    "abs_",
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

_INF = math.inf
_NAN = math.nan

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


def _div(a: float, b: float) -> float:
    """IEEE division: ``a / 0`` is ``±inf`` (or ``nan`` for ``0 / 0``) instead of raising."""
    try:
        return a / b
    except ZeroDivisionError:
        if a == 0.0 or a != a:
            return _NAN
        return math.copysign(_INF, a) * math.copysign(1.0, b)


def _pow(a: float, b: float) -> float:
    """IEEE/torch ``pow`` for floats: never complex, never raises."""
    try:
        r = a**b
    except ZeroDivisionError:  # 0.0 ** negative
        return math.copysign(_INF, a) if _is_odd_integer(b) else _INF
    except OverflowError:
        if a < 0:
            if not (math.isfinite(b) and b == int(b)):
                return _NAN  # negative base, non-integer exponent
            return -_INF if _is_odd_integer(b) else _INF
        return _INF
    if r.__class__ is complex:  # negative base, non-integer exponent
        return _NAN
    return float(r)


def _is_odd_integer(b: float) -> bool:
    return math.isfinite(b) and b == int(b) and int(b) % 2 == 1


def _exp(a: float) -> float:
    try:
        return math.exp(a)
    except OverflowError:
        return _INF


def _log(a: float) -> float:
    if a > 0.0:
        return math.log(a)
    if a == 0.0:
        return -_INF
    return _NAN  # negative or nan


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
        name = f", label={self.label!r}" if self.label else ""
        op = f", op={self.op!r}" if self.op else ""
        return f"Node(value={self.value!r}, grad={self.grad!r}{op}{name})"

    # -- binary operators ------------------------------------------------------------
    def __add__(self, other: Node | float) -> Node:
        if other.__class__ is not Node:
            other = _lift(other)
            if other is None:
                return NotImplemented
        return Node(self.value + other.value, "", (self, other), (1.0, 1.0), "+")

    def __radd__(self, other: float) -> Node:
        c = _lift(other)
        if c is None:
            return NotImplemented
        return Node(c.value + self.value, "", (c, self), (1.0, 1.0), "+")

    def __sub__(self, other: Node | float) -> Node:
        if other.__class__ is not Node:
            other = _lift(other)
            if other is None:
                return NotImplemented
        return Node(self.value - other.value, "", (self, other), (1.0, -1.0), "-")

    def __rsub__(self, other: float) -> Node:
        c = _lift(other)
        if c is None:
            return NotImplemented
        return Node(c.value - self.value, "", (c, self), (1.0, -1.0), "-")

    def __mul__(self, other: Node | float) -> Node:
        if other.__class__ is not Node:
            other = _lift(other)
            if other is None:
                return NotImplemented
        a = self.value
        b = other.value
        return Node(a * b, "", (self, other), (b, a), "*")

    def __rmul__(self, other: float) -> Node:
        c = _lift(other)
        if c is None:
            return NotImplemented
        return Node(c.value * self.value, "", (c, self), (self.value, c.value), "*")

    def __truediv__(self, other: Node | float) -> Node:
        if other.__class__ is not Node:
            other = _lift(other)
            if other is None:
                return NotImplemented
        return _divide(self, other)

    def __rtruediv__(self, other: float) -> Node:
        c = _lift(other)
        if c is None:
            return NotImplemented
        return _divide(c, self)

    def __pow__(self, other: Node | float) -> Node:
        if other.__class__ is Node:
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
        c = _lift(other)
        if c is None:
            return NotImplemented
        return _power(c, self)

    def __neg__(self) -> Node:
        return Node(-self.value, "", (self,), (-1.0,), "neg")

    def __pos__(self) -> Node:
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


def _lift(x: Any) -> Node | None:
    """A number as a constant leaf node, or None if ``x`` is not a real number."""
    cls = x.__class__
    if cls is float or cls is int or isinstance(x, numbers.Real):  # fast path first
        return Node(float(x), "", (), (), "const")
    return None


def _const(v: float) -> Node:
    return Node(v, "", (), (), "const")  # named by its value when drawn (node_names)


def _divide(a: Node, b: Node) -> Node:
    x = a.value
    y = b.value
    q = _div(x, y)
    return Node(q, "", (a, b), (_div(1.0, y), -_div(x, y * y)), "/")


def _pow_exponent_grad(a: float, b: float) -> float:
    """``d(a**b)/db = a**b * log(a)``; 0 where ``a == 0`` and ``b >= 0`` (torch's rule)."""
    if a == 0.0 and b >= 0.0:
        return 0.0
    return _pow(a, b) * _log(a)


def _power(a: Node, b: Node) -> Node:
    x = a.value
    y = b.value
    da = 0.0 if y == 0.0 else y * _pow(x, y - 1.0)
    return Node(_pow(x, y), "", (a, b), (da, _pow_exponent_grad(x, y)), "**")


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


def _as_node(x: Node | float) -> Node:
    if x.__class__ is Node:
        return x  # type: ignore[return-value]
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
    inputs : sequence of Node or float
        Same length as ``weights``; plain numbers are data (no gradient).
    bias : Node

    Returns
    -------
    Node
    """
    if len(weights) != len(inputs):
        raise ValueError(f"{len(weights)} weights but {len(inputs)} inputs")
    xs = [x.value if x.__class__ is Node else float(x) for x in inputs]
    ws = [w.value for w in weights]
    total = bias.value
    for w, x in zip(ws, xs):  # noqa: B905 - lengths checked above
        total += w * x
    node_inputs = [x for x in inputs if x.__class__ is Node]
    if node_inputs:
        w_of_node = [w for w, x in zip(ws, inputs) if x.__class__ is Node]  # noqa: B905
        parents = (*weights, *node_inputs, bias)
        local = (*xs, *w_of_node, 1.0)
    else:
        parents = (*weights, bias)
        local = (*xs, 1.0)
    return Node(total, "", parents, local, "w·x+b")


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

    Returns
    -------
    list of Node
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
    """Set ``grad = 0`` on every node reachable from ``root`` (or on each node given)."""
    nodes = topological_order(root) if isinstance(root, Node) else root
    for n in nodes:
        n.grad = 0.0


def node_names(order: Sequence[Node]) -> dict[Node, str]:
    """Short unique display names: a node's label, else ``n<k>`` (k = topological index).

    Constants are named by their value; a label used twice gets ``#k`` appended.
    """
    names: dict[Node, str] = {}
    used: set[str] = set()
    for k, n in enumerate(order):
        name = n.label or (f"{n.value:g}" if n.op == "const" else f"n{k}")
        if name in used:
            name = f"{name}#{k}"
        used.add(name)
        names[n] = name
    return names


def naive_backward(root: Node) -> dict[Node, float]:
    """The lecture's pitfall: gradients with ``idx = child.parents.index(node)``.

    Pull-style backward: each node sums, over its distinct children,
    ``child.grad * child.local[child.parents.index(node)]``. ``index`` finds only
    the *first* slot where ``node`` appears, so a child that uses the node twice
    (``x * x``, ``a + a``) is counted once: ``d(x*x)/dx`` comes out as ``x``
    instead of ``2x``. Kept to show the bug; :func:`pull_backward` is the fix.

    Returns
    -------
    dict
        Node -> gradient; the graph's ``.grad`` fields are not touched.
    """
    order = topological_order(root)
    children = _distinct_children(order)
    grads: dict[Node, float] = {root: 1.0}
    for n in reversed(order[:-1]):
        grads[n] = sum(
            grads[c] * c._local[c._parents.index(n)] for c in children.get(n, ())
        )
    return grads


def pull_backward(root: Node) -> dict[Node, float]:
    """The fix of :func:`naive_backward`: sum over *every* slot where the node is a parent.

    Gives the same gradients as :meth:`Node.backward` (which pushes instead of
    pulls), without touching ``.grad``.

    Returns
    -------
    dict
        Node -> gradient.
    """
    order = topological_order(root)
    children = _distinct_children(order)
    grads: dict[Node, float] = {root: 1.0}
    for n in reversed(order[:-1]):
        grads[n] = sum(
            grads[c] * d
            for c in children.get(n, ())
            for p, d in zip(c._parents, c._local)  # noqa: B905
            if p is n
        )
    return grads


def repeated_uses(root: Node) -> list[Node]:
    """Operations in the graph that use one node more than once (``x * x``, ``a + a``).

    These are exactly the places where :func:`naive_backward` goes wrong.
    """
    return [
        n for n in topological_order(root) if len({id(p) for p in n._parents}) < len(n._parents)
    ]


def compare_naive(graph: Graph) -> pd.DataFrame:
    """Each input's gradient by the lecture's naive rule, by the fixed rule and by backward().

    Parameters
    ----------
    graph : Graph

    Returns
    -------
    pandas.DataFrame
        Columns ``variable, naive (parents.index), fixed (every slot), backward()``
        and ``naive is right`` (exact equality).
    """
    import pandas as pd

    out = graph.output
    naive = naive_backward(out)
    fixed = pull_backward(out)
    out.backward()
    rows = []
    for name, node in graph.inputs.items():
        g_naive = naive.get(node, 0.0)
        rows.append(
            {
                "variable": name,
                "naive (parents.index)": g_naive,
                "fixed (every slot)": fixed.get(node, 0.0),
                "backward()": node.grad,
                # nan == nan here: both rules give the same undefined value.
                "naive is right": g_naive == node.grad
                or (math.isnan(g_naive) and math.isnan(node.grad)),
            }
        )
    return pd.DataFrame(rows)


def parse_variable_list(text: str, max_variables: int = 8) -> tuple[str, ...]:
    """Variable names typed as ``"x, y, w1"``: checked, never evaluated.

    Raises
    ------
    ValueError
        With a message saying what to change (bad name, duplicate, clash with a
        function or constant, too many).
    """
    import re

    from nnkit.expr import CONSTANTS, FUNCTIONS

    names = [v.strip() for v in text.replace(";", ",").split(",") if v.strip()]
    if not names:
        raise ValueError("Give at least one variable name, e.g. x, y.")
    if len(names) > max_variables:
        raise ValueError(f"At most {max_variables} variables (got {len(names)}).")
    for v in names:
        if not re.fullmatch(r"[A-Za-z][A-Za-z0-9_]{0,15}", v):
            raise ValueError(
                f"{v!r} is not a variable name: use a letter followed by letters, digits "
                "or _ (at most 16 characters), e.g. x, w1, x_2."
            )
        if v in FUNCTIONS or v in CONSTANTS:
            raise ValueError(f"{v!r} is a function or constant name; pick another variable name.")
    dupes = sorted({v for v in names if names.count(v) > 1})
    if dupes:
        raise ValueError(f"Variable names must be distinct: {', '.join(dupes)} repeated.")
    return tuple(names)


def _distinct_children(order: Sequence[Node]) -> dict[Node, list[Node]]:
    children: dict[Node, list[Node]] = {}
    for c in order:
        for p in c._parents:
            lst = children.setdefault(p, [])
            if not lst or lst[-1] is not c:  # a child's repeats are adjacent in its loop
                if not any(q is c for q in lst):
                    lst.append(c)
    return children


# ---------------------------------------------------------------------------
# Step-by-step backward pass (for teaching) and the Graphviz drawing
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Contribution:
    """One term of the chain rule: ``child.grad * local`` added to ``parent``.

    Attributes
    ----------
    parent : int
        Index of the parent in the trace's ``order``.
    slot : int
        Which argument of the child the parent is (0 = first).
    child_grad : float
    local : float
        ``d child / d parent`` stored in the forward pass.
    added : float
        ``child_grad * local``.
    parent_grad : float
        The parent's gradient right after this term was added.
    """

    parent: int
    slot: int
    child_grad: float
    local: float
    added: float
    parent_grad: float


@dataclass(frozen=True)
class BackwardStep:
    """The backward pass at one node: its (final) gradient passed to each parent."""

    node: int
    grad: float
    contributions: tuple[Contribution, ...]


@dataclass
class BackwardTrace:
    """The backward pass as data: the topological order and one step per non-leaf node.

    Steps visit the nodes that have parents in reverse topological order (output
    first). After step ``k`` (``k = 0 .. len(steps)``), :meth:`grads_after` gives every
    node's gradient so far; after the last step they equal :meth:`Node.backward`'s.

    Attributes
    ----------
    order : list of Node
        :func:`topological_order` of the output.
    names : dict
        Node -> display name (:func:`node_names`).
    steps : list of BackwardStep
    """

    order: list[Node]
    names: dict[Node, str]
    steps: list[BackwardStep] = field(default_factory=list)

    def grads_after(self, k: int, *, reached_only: bool = False) -> dict[Node, float]:
        """Gradients once the first ``k`` steps have run (``k = 0``: only the seed).

        With ``reached_only`` the result holds only the output and the nodes that have
        received at least one term so far (for drawing "grad ?" on the others).
        """
        k = max(0, min(int(k), len(self.steps)))
        grads = {} if reached_only else {n: 0.0 for n in self.order}
        grads[self.order[-1]] = 1.0
        for step in self.steps[:k]:
            for c in step.contributions:
                grads[self.order[c.parent]] = c.parent_grad
        return grads

    def node_at(self, k: int) -> Node | None:
        """The node whose gradient step ``k`` (1-based) passes back; None for ``k = 0``."""
        if k <= 0 or k > len(self.steps):
            return None
        return self.order[self.steps[k - 1].node]

    def step_table(self, k: int) -> pd.DataFrame:
        """The chain-rule terms of step ``k`` (1-based) as a table for display."""
        import pandas as pd

        step = self.steps[k - 1]
        child = self.names[self.order[step.node]]
        rows = [
            {
                "child": child,
                "parent": self.names[self.order[c.parent]],
                "argument": c.slot + 1,
                "child.grad": c.child_grad,
                "local derivative": c.local,
                "child.grad × local": c.added,
                "parent.grad after": c.parent_grad,
            }
            for c in step.contributions
        ]
        return pd.DataFrame(rows)


def backward_trace(root: Node) -> BackwardTrace:
    """Run the backward pass of ``root`` one node at a time and record every term.

    ``.grad`` fields are not touched; the result is plain data for a table or a
    step-through view.

    Parameters
    ----------
    root : Node

    Returns
    -------
    BackwardTrace
    """
    order = topological_order(root)
    index = {n: k for k, n in enumerate(order)}
    grads = [0.0] * len(order)
    grads[-1] = 1.0
    steps = []
    for k in range(len(order) - 1, -1, -1):
        n = order[k]
        if not n._parents:
            continue
        g = grads[k]
        contribs = []
        for slot, (p, d) in enumerate(zip(n._parents, n._local)):  # noqa: B905
            j = index[p]
            added = g * d
            grads[j] += added
            contribs.append(Contribution(j, slot, g, d, added, grads[j]))
        steps.append(BackwardStep(k, g, tuple(contribs)))
    return BackwardTrace(order, node_names(order), steps)


def _fmt(v: float, digits: int) -> str:
    if v != v:
        return "nan"
    if v in (_INF, -_INF):
        return "inf" if v > 0 else "-inf"
    return f"{v:.{digits}g}"


def _dot_escape(s: str) -> str:
    return s.replace("\\", "\\\\").replace('"', '\\"')


def to_dot(
    root: Node,
    *,
    grads: Mapping[Node, float] | None = None,
    show_grads: bool = True,
    highlight: Node | None = None,
    max_nodes: int = 60,
    digits: int = 4,
    rankdir: str = "LR",
) -> str:
    """Graphviz DOT source of the graph, for ``st.graphviz_chart`` or ``graphviz.Source``.

    Each node is a box with its name and operation, ``value`` and ``grad``; each edge
    goes from a parent to the node that uses it and is labelled with the local
    derivative. A parent used twice gets two edges.

    Parameters
    ----------
    root : Node
    grads : mapping, optional
        Gradients to show instead of ``node.grad`` (e.g. a :class:`BackwardTrace`
        part-way through); nodes missing from it show ``grad ?``.
    show_grads : bool, default True
        False shows values only (before the backward pass).
    highlight : Node, optional
        Drawn filled, with the edges to its parents in bold: the node whose
        gradient is being passed back.
    max_nodes : int, default 60
        Beyond this many nodes only the ``max_nodes`` nodes closest to the output
        (the end of the topological order) are drawn; all earlier ones are collapsed
        into one box that says how many were left out.
    digits : int, default 4
        Significant digits of the numbers shown.
    rankdir : {"LR", "TB"}
        Layout direction.

    Returns
    -------
    str
        DOT source.
    """
    order = topological_order(root)
    names = node_names(order)
    shown = order[-max_nodes:] if len(order) > max_nodes else order
    shown_set = set(shown)
    hidden = len(order) - len(shown)
    ids = {n: f"n{k}" for k, n in enumerate(order)}
    lines = [
        "digraph autodiff {",
        f"  rankdir={rankdir};",
        '  node [shape=box, style="rounded,filled", fillcolor="#ffffff", '
        'fontname="Helvetica", fontsize=14];',
        '  edge [fontname="Helvetica", fontsize=12, color="#607d8b", fontcolor="#455a64"];',
    ]
    if hidden:
        lines.append(
            f'  collapsed [label="… {hidden} earlier nodes\\nnot drawn", shape=note, '
            'fillcolor="#eceff1", fontcolor="#455a64"];'
        )
    for n in shown:
        name = names[n]
        head = name if n.op in ("", "const") else (
            f"{name} = {n.op}" if not n.label else f"{n.label} = {n.op}"
        )
        if n.op == "const":
            head = f"const {n.label}" if n.label else "const"  # e.g. "const pi"
        rows = [head, f"value {_fmt(n.value, digits)}"]
        if show_grads:
            g = grads.get(n) if grads is not None else n.grad
            rows.append("grad ?" if g is None else f"grad {_fmt(g, digits)}")
        fill = "#ffffff"
        if n.op == "":
            fill = "#e3f2fd"
        elif n.op == "const":
            fill = "#f5f5f5"
        if n is root:
            fill = "#e8f5e9"
        if n is highlight:
            fill = "#ffd54f"
        label = "\\n".join(_dot_escape(r) for r in rows)
        pen = ", penwidth=2.5" if n is highlight else ""
        lines.append(f'  {ids[n]} [label="{label}", fillcolor="{fill}"{pen}];')
    collapsed_edges: set[str] = set()
    for n in shown:
        for p, d in zip(n._parents, n._local):  # noqa: B905
            bold = ', color="#e65100", fontcolor="#e65100", penwidth=2.2' if n is highlight else ""
            if p in shown_set:
                lines.append(f'  {ids[p]} -> {ids[n]} [label="{_fmt(d, digits)}"{bold}];')
            elif ids[n] not in collapsed_edges:
                collapsed_edges.add(ids[n])
                lines.append(f"  collapsed -> {ids[n]} [style=dashed];")
    lines.append("}")
    return "\n".join(lines)


# ---------------------------------------------------------------------------
# From a parsed formula (nnkit.expr) to nodes: a walk over the sympy tree
# ---------------------------------------------------------------------------


class UnsupportedOperation(ValueError):
    """The formula uses a function the engine has no node for (says which ones it has)."""


SUPPORTED_TEXT = (
    "+ − × ÷ ^, exp, log, sin, cos, tan, tanh, sinh, cosh, sigmoid, relu, abs, sqrt"
)


@dataclass
class Graph:
    """A computational graph built from a formula.

    Attributes
    ----------
    output : Node
        The formula's value.
    inputs : dict of str to Node
        One leaf per variable, in the formula's variable order.
    """

    output: Node
    inputs: dict[str, Node]

    @property
    def size(self) -> int:
        """Number of nodes (leaves included)."""
        return len(topological_order(self.output))


@dataclass(frozen=True)
class Example:
    """A worked example from the lecture, ready for :func:`graph_from_formula`.

    Attributes
    ----------
    title : str
    formula : str
        Text for :func:`nnkit.expr.parse`.
    variables : tuple of str
    values : tuple of float
        One value per variable.
    powers_as_products : bool
        Build ``x^2`` as ``x * x`` (the pitfall example).
    note : str
        What the example shows.
    """

    title: str
    formula: str
    variables: tuple[str, ...]
    values: tuple[float, ...]
    powers_as_products: bool = False
    note: str = ""


EXAMPLES: tuple[Example, ...] = (
    Example(
        "Composition f(x, y) = g(F(x, y))",
        "exp(x*y + sin(x))",
        ("x", "y"),
        (0.5, -1.2),
        note=(
            "F(x, y) = x·y + sin(x) feeds g(u) = exp(u). x reaches the output along two "
            "paths (through x·y and through sin x), so its gradient is the sum of two "
            "chain-rule terms."
        ),
    ),
    Example(
        "Neuron σ(w·x + b)",
        "sigmoid(w1*x1 + w2*x2 + b)",
        ("w1", "x1", "w2", "x2", "b"),
        (0.8, 1.5, -0.4, 2.0, 0.1),
        note=(
            "One neuron: the weighted sum w·x + b through a sigmoid. The gradient with "
            "respect to a weight is σ'(z)·(its input): the local derivative of w·x is x."
        ),
    ),
    Example(
        "Pitfall: x·x (one node used twice)",
        "x*x",
        ("x",),
        (3.0,),
        powers_as_products=True,
        note=(
            "The product uses x in both of its slots. Summing over every slot gives "
            "2x = 6; the lecture's child.parents.index(node) finds only the first slot "
            "and gives x = 3."
        ),
    ),
    Example(
        "Two-layer expression",
        "tanh(w1*x + b1)*v1 + tanh(w2*x + b2)*v2",
        ("x", "w1", "b1", "v1", "w2", "b2", "v2"),
        (0.5, 1.2, -0.3, 0.9, -0.7, 0.4, 1.1),
        note=(
            "A 1-2-1 network written out: x feeds both hidden units, so its gradient "
            "collects one term per hidden unit."
        ),
    ),
)


def graph_from_formula(
    formula: Formula, values: Mapping[str, float], *, powers_as_products: bool = False
) -> Graph:
    """Build the engine's graph for a :class:`nnkit.expr.Formula` at the given point.

    Parameters
    ----------
    formula : nnkit.expr.Formula
        From ``nnkit.expr.parse`` (user text is never evaluated).
    values : mapping
        A number for every variable of the formula.
    powers_as_products : bool, default False
        Draw ``x**2`` and ``x**3`` as ``x * x`` and ``x * x * x`` (the same node used
        several times by one product): sympy always rewrites ``x*x`` as ``x**2``, so
        this is how to see the lecture's pitfall from a typed formula.

    Returns
    -------
    Graph

    Raises
    ------
    UnsupportedOperation
        If the formula uses a function the engine has no node for.
    ValueError
        If a variable has no value.
    """
    return graph_from_sympy(
        formula.sympy, formula.variables, values, powers_as_products=powers_as_products
    )


def graph_from_sympy(
    expr: sympy.Expr,
    variables: Sequence[str],
    values: Mapping[str, float],
    *,
    powers_as_products: bool = False,
) -> Graph:
    """Build the engine's graph from a sympy expression tree (whitelisted node types only).

    Identical sub-expressions (``sin(x)`` written twice) become one node used twice.
    See :func:`graph_from_formula` for the parameters.
    """
    import sympy

    missing = [v for v in variables if v not in values]
    if missing:
        raise ValueError(f"no value given for {', '.join(missing)}")
    inputs = {v: Node(float(values[v]), v) for v in variables}
    by_symbol_name = inputs
    memo: dict[Any, Node] = {}

    def const(e: Any) -> Node:
        n = _const(float(e))
        if not e.is_Number:  # pi, E, ...
            n.label = str(e)
        return n

    def neg_part(term: Any) -> Any | None:
        """``-t`` if ``term`` is a product with a negative numeric coefficient, else None."""
        if term.is_Mul and term.args[0].is_Number and term.args[0] < 0:
            return -term
        if term.is_Number and term < 0:
            return -term
        return None

    def build(e: Any) -> Node:
        if e in memo:
            return memo[e]
        node = convert(e)
        memo[e] = node
        return node

    def convert(e: Any) -> Node:
        if e.is_Symbol:
            if e.name not in by_symbol_name:
                raise ValueError(f"no value given for {e.name}")
            return by_symbol_name[e.name]
        if e.is_Number or e.is_NumberSymbol:
            if not e.is_real:
                raise UnsupportedOperation(f"{e} is not a real number")
            return const(e)
        if e.is_Add:
            pos = [t for t in e.args if neg_part(t) is None]
            negs = [neg_part(t) for t in e.args if neg_part(t) is not None]
            if pos:
                acc = build(pos[0])
                for t in pos[1:]:
                    acc = acc + build(t)
            else:
                acc = -build(negs.pop(0))
            for t in negs:
                acc = acc - build(t)
            return acc
        if e.is_Mul:
            coeff, rest = e.as_coeff_mul()
            num: list[Any] = []
            den: list[Any] = []
            for f in rest:
                if f.is_Pow and f.exp.is_Number and f.exp < 0:
                    den.append(f.base if f.exp == -1 else sympy.Pow(f.base, -f.exp))
                else:
                    num.append(f)
            sign = 1
            if coeff < 0:
                sign, coeff = -1, -coeff
            factors = [build(f) for f in num]
            if coeff != 1 or not factors:
                factors.insert(0, const(coeff))
            acc = factors[0]
            for f in factors[1:]:
                acc = acc * f
            if den:
                d = build(den[0])
                for f in den[1:]:
                    d = d * build(f)
                acc = acc / d
            return -acc if sign < 0 else acc
        if e.is_Pow:
            base, ex = e.args
            if ex == sympy.Rational(1, 2):
                return build(base).sqrt()
            if ex.is_Number and ex < 0:
                s = sigmoid_arg(base) if ex == -1 else None
                if s is not None:
                    return build(s).sigmoid()
                inner = base if ex == -1 else sympy.Pow(base, -ex)
                return const(sympy.Integer(1)) / build(inner)
            if base is sympy.E:
                return build(ex).exp()
            if powers_as_products and ex.is_Integer and 2 <= int(ex) <= 4:
                b = build(base)
                acc = b
                for _ in range(int(ex) - 1):
                    acc = acc * b
                return acc
            if ex.is_Number:
                return build(base) ** float(ex)
            return build(base) ** build(ex)
        if isinstance(e, sympy.Max) and len(e.args) == 2 and e.args[0] == 0:
            return build(e.args[1]).relu()
        unary = {
            sympy.exp: Node.exp,
            sympy.log: Node.log,
            sympy.sin: Node.sin,
            sympy.cos: Node.cos,
            sympy.tanh: Node.tanh,
            sympy.Abs: Node.abs,
        }
        fn = unary.get(type(e))
        if fn is not None and len(e.args) == 1:
            return fn(build(e.args[0]))
        if isinstance(e, sympy.tan):
            a = build(e.args[0])
            return a.sin() / a.cos()
        if isinstance(e, sympy.sinh | sympy.cosh):
            a = build(e.args[0])
            p, m = a.exp(), (-a).exp()
            return (p - m) * 0.5 if isinstance(e, sympy.sinh) else (p + m) * 0.5
        name = getattr(e.func, "__name__", type(e).__name__)
        raise UnsupportedOperation(
            f"The autodiff engine has no node for {name}(). It knows: {SUPPORTED_TEXT}."
        )

    def sigmoid_arg(base: Any) -> Any | None:
        """``z`` if ``base`` is ``1 + exp(-z)`` (sympy's form of ``sigmoid(z)``), else None."""
        if base.is_Add and len(base.args) == 2 and sympy.Integer(1) in base.args:
            other = base.args[0] if base.args[1] == 1 else base.args[1]
            if isinstance(other, sympy.exp):
                return -other.args[0]
        return None

    out = build(expr)
    if out.__class__ is not Node:  # pragma: no cover - build always returns a Node
        raise UnsupportedOperation("the formula did not produce a node")
    return Graph(out, inputs)


# ---------------------------------------------------------------------------
# The three references beside every gradient
# ---------------------------------------------------------------------------


def check_gradients(formula: Formula, values: Mapping[str, float]) -> pd.DataFrame:
    """Gradient of a formula three ways: this engine, torch.autograd, central difference.

    Parameters
    ----------
    formula : nnkit.expr.Formula
    values : mapping
        The point, one number per variable.

    Returns
    -------
    pandas.DataFrame
        One row per variable: ``variable, value, autodiff, torch, central difference,
        step h, |autodiff − torch|, |autodiff − central|``. torch runs in float64. The
        central difference ``(f(x+h) − f(x−h)) / 2h`` uses ``h = ε^(1/3)·max(1, |x|)``
        (ε = 2.2e-16), whose truncation and rounding errors balance near 1e-10
        relative.
    """
    import numpy as np
    import pandas as pd

    from nnkit._torch import torch

    graph = graph_from_formula(formula, values)
    graph.output.backward()
    point = [float(values[v]) for v in formula.variables]
    tensors = [torch.tensor(v, dtype=torch.float64, requires_grad=True) for v in point]
    out = formula.torch(*tensors)
    if out.requires_grad:
        torch_grads = torch.autograd.grad(out, tensors, allow_unused=True)
    else:  # a constant formula
        torch_grads = (None,) * len(tensors)
    eps = np.finfo(float).eps
    rows = []
    for k, name in enumerate(formula.variables):
        ours = graph.inputs[name].grad
        tg = torch_grads[k]
        ref = 0.0 if tg is None else float(tg)
        h = eps ** (1 / 3) * max(1.0, abs(point[k]))
        plus = list(point)
        minus = list(point)
        plus[k] += h
        minus[k] -= h
        fp = complex(formula.numpy(*plus))
        fm = complex(formula.numpy(*minus))
        fd = (fp.real - fm.real) / (2 * h) if fp.imag == 0 and fm.imag == 0 else math.nan
        rows.append(
            {
                "variable": name,
                "value": point[k],
                "autodiff": ours,
                "torch": ref,
                "central difference": fd,
                "step h": h,
                "|autodiff − torch|": abs(ours - ref),
                "|autodiff − central|": abs(ours - fd),
            }
        )
    return pd.DataFrame(rows)


def agreement_note(table: pd.DataFrame) -> str:
    """The "what you see" sentence for a :func:`check_gradients` table.

    Gaps are summarised over the variables whose gradients are finite in both the
    engine and torch; variables with an infinite or undefined (nan) gradient are named
    separately with both values, and a central difference that cannot be taken
    (f undefined on one side) is named too. Nothing is claimed about rows it did not
    compare.
    """
    import numpy as np

    ours = table["autodiff"].to_numpy(float)
    ref = table["torch"].to_numpy(float)
    cd = table["central difference"].to_numpy(float)
    names = table["variable"].tolist()
    finite = np.isfinite(ours) & np.isfinite(ref)
    parts = []
    if finite.any():
        gap_t = float(np.max(np.abs(ours[finite] - ref[finite])))
        scale = max(1.0, float(np.max(np.abs(ours[finite]))))
        if gap_t == 0:
            verdict = "agrees with torch bit for bit"
        elif gap_t <= 1e-13 * scale:
            verdict = "agrees with torch to rounding"
        else:
            verdict = "does NOT agree with torch beyond rounding"
        with_cd = finite & np.isfinite(cd)
        cd_text = (
            f", to the central difference {float(np.max(np.abs(ours[with_cd] - cd[with_cd]))):.2e}"
            " (the accuracy a finite difference has)"
            if with_cd.any()
            else ""
        )
        every = "" if finite.all() else f" (over {', '.join(np.array(names)[finite])})"
        parts.append(
            f"the largest gap to torch is {gap_t:.2e}{every} "
            f"({gap_t / scale:.1e} relative to the largest gradient){cd_text}: the engine "
            f"{verdict}."
        )
        no_cd = [n for n, f, c in zip(names, finite, cd, strict=True) if f and not np.isfinite(c)]
        if no_cd:
            parts.append(
                f"No central difference for {', '.join(no_cd)}: f is not defined (or not "
                "finite) on both sides of the point."
            )
    bad = [k for k in range(len(names)) if not finite[k]]
    if bad:
        same = all(
            (np.isnan(ours[k]) and np.isnan(ref[k])) or ours[k] == ref[k] for k in bad
        )
        listed = "; ".join(f"{names[k]}: engine {ours[k]:g}, torch {ref[k]:g}" for k in bad)
        parts.append(
            f"The gradient is infinite or undefined for {listed} (a log or sqrt at or "
            "below 0, a division by 0, an overflow): "
            + (
                "the engine gives the same IEEE value as torch."
                if same
                else "the engine and torch differ here."
            )
        )
    return " ".join(parts)


# ---------------------------------------------------------------------------
# A small neural network on top of the engine
# ---------------------------------------------------------------------------

_ACTIVATIONS = ("tanh", "relu", "sigmoid", "linear")


class Neuron:
    """``activation(w·x + b)`` with its own weight and bias nodes.

    Parameters
    ----------
    nin : int
        Number of inputs.
    activation : {"tanh", "relu", "sigmoid", "linear"}
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
        """Weights then bias."""
        return [*self.w, self.b]


class Layer:
    """``nout`` neurons reading the same inputs."""

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
        return [n(x) for n in self.neurons]

    def parameters(self) -> list[Node]:
        """All weights and biases, neuron by neuron."""
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
    seed : int, default 0
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
        out: Sequence[Node | float] = x
        for layer in self.layers:
            out = layer(out)
        return list(out)  # type: ignore[arg-type]

    def parameters(self) -> list[Node]:
        """All weights and biases, layer by layer."""
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
    losses : list of float
        Mean squared error after each step (before the update).
    predictions : list of float
        Network output on the four XOR points after training.
    targets : list of float
    """

    model: MLP
    losses: list[float]
    predictions: list[float]
    targets: list[float]


XOR_INPUTS = ((0.0, 0.0), (0.0, 1.0), (1.0, 0.0), (1.0, 1.0))
XOR_TARGETS = (0.0, 1.0, 1.0, 0.0)


def train_xor(
    hidden: int = 4, steps: int = 500, lr: float = 0.2, seed: int = 0
) -> XorResult:
    """Train ``MLP(2, [hidden, 1])`` (tanh, linear output) on XOR with this engine only.

    Plain full-batch gradient descent on the mean squared error.

    Parameters
    ----------
    hidden : int, default 4
    steps : int, default 500
    lr : float, default 0.2
    seed : int, default 0

    Returns
    -------
    XorResult
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
    total: Node | float = 0.0
    for x, y in zip(xs, ys):  # noqa: B905
        d = model(x)[0] - y
        total = total + d * d
    return total * (1.0 / len(xs))  # type: ignore[return-value]
