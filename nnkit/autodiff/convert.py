"""From a parsed formula to the engine's graph: a walk over the sympy tree.

:func:`graph_from_formula` turns a :class:`nnkit.expr.Formula` (user text, parsed by
the whitelist parser, never evaluated) into :class:`Node` s at a given point;
:func:`parse_variable_list` checks the variable names a user types. The lecture's
worked examples (:data:`EXAMPLES`) come ready to convert.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from nnkit.autodiff.engine import Node, topological_order

if TYPE_CHECKING:  # pragma: no cover
    import sympy

    from nnkit.expr import Formula

__all__ = [
    "EXAMPLES",
    "SUPPORTED_TEXT",
    "Example",
    "Graph",
    "UnsupportedOperation",
    "graph_from_formula",
    "graph_from_sympy",
    "parse_variable_list",
]


class UnsupportedOperation(ValueError):
    """The formula uses a function the engine has no node for (says which ones it has)."""


SUPPORTED_TEXT = "+ − × ÷ ^, exp, log, sin, cos, tan, tanh, sinh, cosh, sigmoid, relu, abs, sqrt"


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
        Shown in the page's example picker.
    formula : str
        Text for :func:`nnkit.expr.parse`.
    variables : tuple of str
        The formula's variables, in order.
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
        The output node and one leaf per variable.

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

    Parameters
    ----------
    expr : sympy.Expr
        A trusted expression (e.g. ``Formula.sympy``).
    variables : sequence of str
        Names of its symbols, in the order of :attr:`Graph.inputs`.
    values : mapping
        A number for every variable.
    powers_as_products : bool, default False
        See :func:`graph_from_formula`.

    Returns
    -------
    Graph
        The output node and one leaf per variable.

    Raises
    ------
    UnsupportedOperation
        If the expression uses a function the engine has no node for.
    ValueError
        If a variable has no value.
    """
    import sympy

    missing = [v for v in variables if v not in values]
    if missing:
        raise ValueError(f"no value given for {', '.join(missing)}")
    inputs = {v: Node(float(values[v]), v) for v in variables}
    by_symbol_name = inputs
    memo: dict[sympy.Basic, Node] = {}

    def const(e: sympy.Basic) -> Node:
        n = Node(float(e), op="const")  # named by its value when drawn (node_names)
        if not e.is_Number:  # pi, E, ...
            n.label = str(e)
        return n

    def neg_part(term: sympy.Basic) -> sympy.Basic | None:
        """``-t`` if ``term`` is a product with a negative numeric coefficient, else None."""
        if term.is_Mul and term.args[0].is_Number and term.args[0] < 0:
            return -term
        if term.is_Number and term < 0:
            return -term
        return None

    def build(e: sympy.Basic) -> Node:
        if e in memo:
            return memo[e]
        node = convert(e)
        memo[e] = node
        return node

    def convert(e: sympy.Basic) -> Node:
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
            num: list[sympy.Basic] = []
            den: list[sympy.Basic] = []
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

    def sigmoid_arg(base: sympy.Basic) -> sympy.Basic | None:
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


def parse_variable_list(text: str, max_variables: int = 8) -> tuple[str, ...]:
    """Variable names typed as ``"x, y, w1"``: checked, never evaluated.

    Parameters
    ----------
    text : str
        Names separated by commas (or semicolons).
    max_variables : int, default 8
        Most names accepted.

    Returns
    -------
    tuple of str
        The names, in the order typed.

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
