"""Drawing a graph: short node names and Graphviz DOT source.

:func:`to_dot` gives the text ``st.graphviz_chart`` or ``graphviz.Source`` draws:
one box per node (name, operation, value, gradient), one edge per use of a parent,
labelled with the local derivative.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

from nnkit.autodiff.engine import Node, topological_order

__all__ = ["node_names", "to_dot"]


def node_names(order: Sequence[Node]) -> dict[Node, str]:
    """Short unique display names: a node's label, else ``n<k>`` (k = topological index).

    Constants are named by their value; a label used twice gets ``#k`` appended.

    Parameters
    ----------
    order : sequence of Node
        Usually :func:`topological_order` of the output.

    Returns
    -------
    dict
        Node -> name.
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


def _fmt(v: float, digits: int) -> str:
    if v != v:
        return "nan"
    if v in (math.inf, -math.inf):
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
        The output.
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
        head = (
            name
            if n.op in ("", "const")
            else (f"{name} = {n.op}" if not n.label else f"{n.label} = {n.op}")
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
