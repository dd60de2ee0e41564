"""The backward pass as data, one node at a time, for a step-through view.

:func:`backward_trace` replays what :meth:`Node.backward` does without touching
``.grad``: for each node with parents, in reverse topological order (output
first), every chain-rule term ``child.grad × local derivative`` it adds to a
parent. :class:`BackwardTrace` answers "what are the gradients after step k?",
"which node passes its gradient back at step k?" and "which terms did it add?".
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from nnkit.autodiff.draw import node_names
from nnkit.autodiff.engine import Node, topological_order

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = ["BackwardStep", "BackwardTrace", "Contribution", "backward_trace"]


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
        The child's final gradient.
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
    """The backward pass at one node: its (final) gradient passed to each parent.

    Attributes
    ----------
    node : int
        Index of the node in the trace's ``order``.
    grad : float
        Its final gradient.
    contributions : tuple of Contribution
        One term per parent slot, in argument order.
    """

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
        One per node that has parents, output first.
    """

    order: list[Node]
    names: dict[Node, str]
    steps: list[BackwardStep] = field(default_factory=list)

    def grads_after(self, k: int, *, reached_only: bool = False) -> dict[Node, float]:
        """Gradients once the first ``k`` steps have run (``k = 0``: only the seed).

        Parameters
        ----------
        k : int
            Number of steps run, clipped to ``0 .. len(steps)``.
        reached_only : bool, default False
            Hold only the output and the nodes that have received at least one term
            so far (for drawing "grad ?" on the others).

        Returns
        -------
        dict
            Node -> gradient.
        """
        k = max(0, min(int(k), len(self.steps)))
        grads = {} if reached_only else {n: 0.0 for n in self.order}
        grads[self.order[-1]] = 1.0
        for step in self.steps[:k]:
            for c in step.contributions:
                grads[self.order[c.parent]] = c.parent_grad
        return grads

    def input_grads(self, inputs: Mapping[str, Node]) -> dict[str, float]:
        """Each named input's gradient once every step has run.

        Parameters
        ----------
        inputs : mapping of str to Node
            E.g. ``Graph.inputs``.

        Returns
        -------
        dict of str to float
            In the order of ``inputs``; 0 for an input the output does not depend on
            (it is not in the graph).
        """
        final = self.grads_after(len(self.steps))
        return {name: final.get(node, 0.0) for name, node in inputs.items()}

    def node_at(self, k: int) -> Node | None:
        """Return the node whose gradient step ``k`` (1-based) passes back.

        Parameters
        ----------
        k : int
            Step number.

        Returns
        -------
        Node or None
            None outside ``1 .. len(steps)``.
        """
        if k <= 0 or k > len(self.steps):
            return None
        return self.order[self.steps[k - 1].node]

    def step_table(self, k: int) -> pd.DataFrame:
        """Tabulate the chain-rule terms of step ``k`` (1-based), for display.

        Parameters
        ----------
        k : int
            Step number, ``1 .. len(steps)``.

        Returns
        -------
        pandas.DataFrame
            One row per parent slot: ``child, parent, argument, child.grad, local
            derivative, child.grad × local, parent.grad after``.
        """
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
        The output.

    Returns
    -------
    BackwardTrace
        The order, the names and one step per node that has parents.
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
