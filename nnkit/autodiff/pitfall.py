"""The lecture's pitfall: ``child.parents.index(node)`` and its fix.

The lecture's backward pass lets each node *pull* from its children
``child.grad * child.local[child.parents.index(node)]``. ``index`` returns only the
first slot where the node appears, so an operation that uses one node twice
(``x * x``, ``a + a``) contributes once. :func:`naive_backward` keeps that bug to
show it, :func:`pull_backward` sums over every slot (the fix), and
:func:`pitfall` puts both beside :meth:`Node.backward` for every input of a graph.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from nnkit._text import counted, noun
from nnkit.autodiff.draw import node_names
from nnkit.autodiff.engine import Node, topological_order

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from nnkit.autodiff.convert import Graph

__all__ = [
    "Pitfall",
    "compare_naive",
    "naive_backward",
    "pitfall",
    "pull_backward",
    "repeated_uses",
]


def naive_backward(root: Node) -> dict[Node, float]:
    """Compute gradients the lecture's way, with ``idx = child.parents.index(node)``.

    Pull-style backward: each node sums, over its distinct children,
    ``child.grad * child.local[child.parents.index(node)]``. ``index`` finds only
    the *first* slot where ``node`` appears, so a child that uses the node twice
    (``x * x``, ``a + a``) is counted once: ``d(x*x)/dx`` comes out as ``x``
    instead of ``2x``. Kept to show the bug; :func:`pull_backward` is the fix.

    Parameters
    ----------
    root : Node
        The output.

    Returns
    -------
    dict
        Node -> gradient; the graph's ``.grad`` fields are not touched.
    """
    order = topological_order(root)
    children = _distinct_children(order)
    grads: dict[Node, float] = {root: 1.0}
    for n in reversed(order[:-1]):
        grads[n] = sum(grads[c] * c._local[c._parents.index(n)] for c in children.get(n, ()))
    return grads


def pull_backward(root: Node) -> dict[Node, float]:
    """Fix :func:`naive_backward`: sum over *every* slot where the node is a parent.

    Gives the same gradients as :meth:`Node.backward` (which pushes instead of
    pulls), without touching ``.grad``.

    Parameters
    ----------
    root : Node
        The output.

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

    Parameters
    ----------
    root : Node
        The output.

    Returns
    -------
    list of Node
        In topological order.
    """
    return [
        n for n in topological_order(root) if len({id(p) for p in n._parents}) < len(n._parents)
    ]


def compare_naive(graph: Graph) -> pd.DataFrame:
    """Each input's gradient by the lecture's naive rule, by the fixed rule and by backward().

    Runs ``graph.output.backward()``.

    Parameters
    ----------
    graph : Graph
        From :func:`graph_from_formula`.

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


@dataclass
class Pitfall:
    """The naive rule beside the fixed one on one graph (see :func:`pitfall`).

    Attributes
    ----------
    table : pandas.DataFrame
        :func:`compare_naive`'s table, one row per input.
    repeated : tuple of str
        The operations that use one node more than once, as ``"name = op"`` (names
        from :func:`node_names`), in topological order.
    wrong : tuple of str
        The inputs whose naive gradient differs from ``backward()``'s.
    """

    table: pd.DataFrame
    repeated: tuple[str, ...]
    wrong: tuple[str, ...]

    def note(self, shown: int = 5) -> str:
        """Say what the comparison shows, in a sentence computed from the fields.

        Parameters
        ----------
        shown : int, default 5
            At most this many repeated operations are named.

        Returns
        -------
        str
            One sentence.
        """
        if not self.repeated:
            return (
                "no operation in this graph uses the same node twice, so the naive rule "
                "happens to be right. Pick the *Pitfall* example, or tick the "
                "repeated-products box with a power such as x^2, to see it fail."
            )
        wrong = ", ".join(self.wrong) if self.wrong else "no variable"
        return (
            f"{counted(len(self.repeated), 'operation')} here {noun(len(self.repeated), 'uses', 'use')} one node twice "
            f"({', '.join(self.repeated[:shown])}); the naive rule is wrong for {wrong}, "
            "the fixed rule matches backward()."
        )


def pitfall(graph: Graph) -> Pitfall:
    """Run the naive rule, the fixed rule and ``backward()`` on a graph and compare.

    Runs ``graph.output.backward()``.

    Parameters
    ----------
    graph : Graph
        From :func:`graph_from_formula`.

    Returns
    -------
    Pitfall
        The comparison table, the operations that use a node twice, and the inputs
        the naive rule gets wrong.
    """
    names = node_names(topological_order(graph.output))
    table = compare_naive(graph)
    repeated = tuple(f"{names[n]} = {n.op}" for n in repeated_uses(graph.output))
    wrong = tuple(table.loc[~table["naive is right"], "variable"])
    return Pitfall(table, repeated, wrong)


def _distinct_children(order: Sequence[Node]) -> dict[Node, list[Node]]:
    children: dict[Node, list[Node]] = {}
    for c in order:
        for p in c._parents:
            lst = children.setdefault(p, [])
            if not lst or lst[-1] is not c:  # a child's repeats are adjacent in its loop
                if not any(q is c for q in lst):
                    lst.append(c)
    return children
