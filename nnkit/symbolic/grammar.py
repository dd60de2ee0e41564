"""The grammar of formulas: expression trees, their numpy values, sympy form and free constants.

A formula is a tree of :class:`Node` s over the grammar

    E → E + E | E · E | E ^ (p/q) | E ^ E | sin E | cos E | exp E | log E
        | sinh E | cosh E | tanh E | x_i | number | constant

(subtraction and division are ``+`` with a negative coefficient and ``^(−1)``;
``sqrt`` is ``^(1/2)``). *Numbers* are exact values chosen by the search (1, 2π, …);
*constants* are slots of a parameter vector fitted to the data. The same tree is
evaluated on numpy arrays (vectorised over the samples), turned into sympy for the
user, and re-parameterised (:func:`parameterize`) so that a local optimiser can
refine the numbers inside functions (``sin(x)`` becomes ``sin(a·x + b)``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction

import numpy as np
import sympy as sp

__all__ = [
    "FUNCTIONS",
    "Node",
    "add",
    "const",
    "evaluate_node",
    "fn",
    "mul",
    "num",
    "parameterize",
    "power",
    "substitute",
    "to_sympy",
    "var",
]

#: The unary functions of the grammar, with their numpy and sympy forms.
FUNCTIONS: dict[str, tuple[np.ufunc, type[sp.Function]]] = {
    "sin": (np.sin, sp.sin),
    "cos": (np.cos, sp.cos),
    "exp": (np.exp, sp.exp),
    "log": (np.log, sp.log),
    "sinh": (np.sinh, sp.sinh),
    "cosh": (np.cosh, sp.cosh),
    "tanh": (np.tanh, sp.tanh),
}


@dataclass(frozen=True, slots=True)
class Node:
    """One node of an expression tree.

    Attributes
    ----------
    op : str
        ``"var"`` (``value`` = column index), ``"num"`` (``value`` = the number),
        ``"par"`` (``value`` = slot in the parameter vector), ``"add"``, ``"mul"``
        (n-ary), ``"pow"`` (``value`` = a :class:`fractions.Fraction` exponent),
        ``"powv"`` (base ``args[0]`` to the power ``args[1]``), or a name of
        :data:`FUNCTIONS`.
    args : tuple of Node
        Children.
    value : int, float, Fraction or None
        See ``op``.
    """

    op: str
    args: tuple[Node, ...] = ()
    value: int | float | Fraction | None = None

    def __repr__(self) -> str:
        if self.op == "var":
            return f"x{self.value}"
        if self.op in ("num", "par"):
            return f"{'c' if self.op == 'par' else ''}{self.value}"
        inner = ", ".join(repr(a) for a in self.args)
        return f"{self.op}({inner}{'' if self.value is None else f'; {self.value}'})"


def var(i: int) -> Node:
    """The input variable of column ``i``."""
    return Node("var", (), int(i))


def num(v: float) -> Node:
    """A number fixed by the search."""
    return Node("num", (), float(v))


def const(slot: int) -> Node:
    """A fitted constant: slot ``slot`` of the parameter vector."""
    return Node("par", (), int(slot))


def add(*args: Node) -> Node:
    """Sum of the arguments (a single argument is returned as it is)."""
    return args[0] if len(args) == 1 else Node("add", tuple(args))


def mul(*args: Node) -> Node:
    """Product of the arguments (a single argument is returned as it is)."""
    return args[0] if len(args) == 1 else Node("mul", tuple(args))


def power(base: Node, exponent: Fraction | int) -> Node:
    """``base ** exponent`` for a rational exponent."""
    e = Fraction(exponent)
    return base if e == 1 else Node("pow", (base,), e)


def fn(name: str, arg: Node) -> Node:
    """A unary function of :data:`FUNCTIONS` applied to ``arg``."""
    if name not in FUNCTIONS:
        raise ValueError(f"unknown function {name!r}")
    return Node(name, (arg,))


# ------------------------------------------------------------------------------ values
def rational_power(base: np.ndarray, e: Fraction) -> np.ndarray:
    """Real ``base ** e``: NaN for a negative base unless ``e`` is an integer."""
    if e.denominator == 1:
        if e.numerator == 2:
            return base * base
        return np.power(base, float(e)) if e.numerator < 0 else base ** int(e.numerator)
    if e.denominator == 2 and e.numerator == 1:
        return np.sqrt(base)
    return np.power(base, float(e))


def evaluate_node(node: Node, X: np.ndarray, params: np.ndarray | None = None) -> np.ndarray:
    """Value of ``node`` at the rows of ``X`` (shape (n, d)), constants from ``params``.

    Parameters
    ----------
    node : Node
    X : numpy.ndarray, shape (n, d)
    params : numpy.ndarray, optional
        Values of the ``"par"`` slots.

    Returns
    -------
    numpy.ndarray, shape (n,)
        NaN or inf where the formula is undefined.
    """
    with np.errstate(all="ignore"):
        out = _eval(node, X, params)
    return np.broadcast_to(np.asarray(out, dtype=float), (X.shape[0],)).copy()


def _eval(node: Node, X: np.ndarray, p: np.ndarray | None) -> np.ndarray | float:
    op = node.op
    if op == "var":
        return X[:, int(node.value)]  # type: ignore[arg-type, index]
    if op == "num":
        return float(node.value)  # type: ignore[arg-type]
    if op == "par":
        if p is None:
            raise ValueError("the formula has fitted constants: pass params")
        return float(p[int(node.value)])  # type: ignore[arg-type]
    if op == "add":
        total: np.ndarray | float = 0.0
        for a in node.args:
            total = total + _eval(a, X, p)
        return total
    if op == "mul":
        prod: np.ndarray | float = 1.0
        for a in node.args:
            prod = prod * _eval(a, X, p)
        return prod
    if op == "pow":
        return rational_power(np.asarray(_eval(node.args[0], X, p), dtype=float), node.value)  # type: ignore[arg-type]
    if op == "powv":
        return np.power(_eval(node.args[0], X, p), _eval(node.args[1], X, p))
    return FUNCTIONS[op][0](_eval(node.args[0], X, p))


# ------------------------------------------------------------------------------ sympy
def exact_number(v: float, rtol: float = 1e-12) -> sp.Expr:
    """``v`` as an exact rational or rational multiple of π when it is one to ``rtol``."""
    if v == 0:
        return sp.Integer(0)
    for scale, sym in ((1.0, sp.Integer(1)), (np.pi, sp.pi)):
        f = Fraction(v / scale).limit_denominator(1000)
        if abs(float(f) * scale - v) <= rtol * abs(v):
            return sp.Rational(f.numerator, f.denominator) * sym
    return sp.Float(v, 15)


def to_sympy(
    node: Node,
    symbols: Sequence[sp.Symbol],
    params: np.ndarray | None = None,
    exact: dict[int, sp.Expr] | None = None,
) -> sp.Expr:
    """The sympy form of ``node``.

    Parameters
    ----------
    node : Node
    symbols : sequence of sympy.Symbol
        One per input column.
    params : numpy.ndarray, optional
        Values of the fitted constants.
    exact : dict, optional
        Slot -> exact sympy number for constants that were snapped.

    Returns
    -------
    sympy.Expr
    """
    exact = exact or {}

    def build(n: Node) -> sp.Expr:
        if n.op == "var":
            return symbols[int(n.value)]  # type: ignore[arg-type]
        if n.op == "num":
            return exact_number(float(n.value))  # type: ignore[arg-type]
        if n.op == "par":
            slot = int(n.value)  # type: ignore[arg-type]
            if slot in exact:
                return exact[slot]
            assert params is not None
            return sp.Float(float(params[slot]), 15)
        if n.op == "add":
            return sp.Add(*[build(a) for a in n.args])
        if n.op == "mul":
            return sp.Mul(*[build(a) for a in n.args])
        if n.op == "pow":
            e = Fraction(n.value)  # type: ignore[arg-type]
            return sp.Pow(build(n.args[0]), sp.Rational(e.numerator, e.denominator))
        if n.op == "powv":
            return sp.Pow(build(n.args[0]), build(n.args[1]))
        return FUNCTIONS[n.op][1](build(n.args[0]))

    return build(node)


# ------------------------------------------------------------------------------ constants
def slots(node: Node) -> list[int]:
    """The parameter slots used in ``node``, in order of first appearance."""
    out: list[int] = []

    def walk(n: Node) -> None:
        if n.op == "par" and n.value not in out:
            out.append(int(n.value))  # type: ignore[arg-type]
        for a in n.args:
            walk(a)

    walk(node)
    return out


def _terms(n: Node) -> list[tuple[float, Node | None]]:
    """``n`` as ``Σ coef · term`` (term None for a bare number)."""
    parts = n.args if n.op == "add" else (n,)
    out: list[tuple[float, Node | None]] = []
    for t in parts:
        if t.op == "num":
            out.append((float(t.value), None))  # type: ignore[arg-type]
        elif t.op == "mul" and t.args[0].op == "num":
            rest = mul(*t.args[1:])
            out.append((float(t.args[0].value), rest))  # type: ignore[arg-type]
        else:
            out.append((1.0, t))
    return out


def parameterize(node: Node, start: list[float] | None = None) -> tuple[Node, list[float]]:
    """Replace the numbers inside functions and powers by fitted constants.

    Every argument ``g = Σ cₖ tₖ + s`` of a function becomes ``Σ aₖ tₖ + b`` with
    ``aₖ, b`` free (starting at ``cₖ, s``); a lone square ``x²`` gets a term ``0·x``
    too, so that ``exp(−x²)`` can become ``exp(−(x − x₀)²)``. Inside ``exp`` there is no shift and inside
    ``log`` and a power the first coefficient stays fixed: those would only rescale
    the term, which its outer coefficient does already. Existing ``"par"`` slots are kept; new ones are appended after
    ``len(start)``.

    Parameters
    ----------
    node : Node
    start : list of float, optional
        Current values of the slots already in ``node``.

    Returns
    -------
    (Node, list of float)
        The parameterised tree and the starting parameter vector.
    """
    p = list(start or [])

    def new(v: float) -> Node:
        p.append(float(v))
        return const(len(p) - 1)

    def inner(g: Node, shift: bool, fix_first: bool = False) -> Node:
        parts = []
        s = 0.0
        terms = _terms(g)
        square = [
            t
            for _, t in terms
            if t is not None and t.op == "pow" and t.args[0].op == "var" and t.value == 2
        ]
        if len(terms) == 1 and square:
            # a square may be a shifted one: a·x² + b·x (+ c) completes (x − x₀)²
            terms = [*terms, (0.0, square[0].args[0])]
        for c, t in terms:
            if t is None:
                s += c
            elif t.op == "par" or (t.op == "mul" and any(a.op == "par" for a in t.args)):
                parts.append(walk(t))
            elif fix_first and not parts:
                parts.append(walk(t) if c == 1 else mul(num(c), walk(t)))
            else:
                parts.append(mul(new(c), walk(t)))
        if shift:
            parts.append(new(s))
        elif s:
            parts.append(num(s))
        return add(*parts)

    def walk(n: Node) -> Node:
        if n.op in FUNCTIONS:
            # exp(g + b) and log(a·g + b) only rescale or shift the term: one
            # constant fewer keeps the fit well posed
            return Node(n.op, (inner(n.args[0], n.op != "exp", fix_first=n.op == "log"),))
        if n.op == "pow" and n.args[0].op != "var":
            return Node("pow", (inner(n.args[0], True, fix_first=True),), n.value)
        if n.op == "powv":
            return Node("powv", (walk(n.args[0]), inner(n.args[1], False)))
        if n.args:
            return Node(n.op, tuple(walk(a) for a in n.args), n.value)
        return n

    return walk(node), p


def substitute(node: Node, variables: dict[int, Node], slot_offset: int = 0) -> Node:
    """``node`` with variable ``i`` replaced by ``variables[i]`` and slots shifted by ``slot_offset``.

    Used to put a formula found for a part of the problem (one input, or a combination
    such as ``x·y`` taken as a new input) back into the whole problem's variables.
    """
    if node.op == "var":
        return variables.get(int(node.value), node)  # type: ignore[arg-type]
    if node.op == "par":
        return const(int(node.value) + slot_offset)  # type: ignore[arg-type]
    if not node.args:
        return node
    return Node(
        node.op, tuple(substitute(a, variables, slot_offset) for a in node.args), node.value
    )
