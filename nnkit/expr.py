"""Safe parsing of the formulas students type: a whitelist parser, never ``eval``.

``parse("sin(x)*exp(-x^2)")`` reads the text with a hand-written tokenizer and a
recursive-descent parser and builds the expression from sympy constructors
(``sympy.Add``, ``sympy.sin`` ...). Nothing the user typed is ever handed to
``eval``, ``exec``, ``sympify`` or ``parse_expr``: a name is either one of the
caller's variables, a whitelisted function or a constant, or it is an error.

Grammar (``^`` and ``**`` are the same operator, right-associative)::

    expr    := term (("+" | "-") term)*
    term    := unary (("*" | "/") unary | implicit)*   # 2x, 2(x+1), (x+1)(x-1)
    unary   := ("-" | "+") unary | power
    power   := primary (("^" | "**") unary)?
    primary := NUMBER | NAME | FUNCTION "(" expr ("," expr)* ")" | "(" expr ")"

so ``-x^2`` is ``-(x^2)`` and ``2^3^2`` is ``2^9``. Inputs are bounded (length,
nesting depth, number of nodes, size of numeric powers) so that ``9**9**9**9`` or
a page of parentheses is rejected at once instead of hanging the server.

The resulting :class:`Formula` gives the sympy expression (exact derivatives,
LaTeX), a vectorised numpy function (complex inputs work wherever the function is
analytic, which is what the complex-step derivative needs) and a torch function
(autograd flows through it).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import sympy

__all__ = [
    "CONSTANTS",
    "FUNCTIONS",
    "MAX_DEPTH",
    "MAX_EXPONENT",
    "MAX_LENGTH",
    "MAX_NODES",
    "Formula",
    "FormulaError",
    "latex_lines",
    "parse",
]

#: Longest formula accepted, in characters.
MAX_LENGTH = 500
#: Deepest nesting accepted (parentheses, function calls, unary signs, powers).
MAX_DEPTH = 40
#: Largest number of nodes (numbers, names, operators, calls) in one formula.
MAX_NODES = 400
#: Largest magnitude of a numeric exponent (``x^1000`` is fine, ``x^1001`` is not).
MAX_EXPONENT = 1000
#: Largest decimal order of magnitude of any number built from literals (1e300).
MAX_MAGNITUDE = 300
#: Longest numeric literal, in characters.
MAX_NUMBER_CHARS = 40


class FormulaError(ValueError):
    """A formula that cannot be accepted, with the position of the offending text.

    Attributes
    ----------
    message : str
        What is wrong and what to change, in one or two sentences.
    position : int
        0-based index into ``text`` of the offending character.
    text : str
        The formula as typed.
    """

    def __init__(self, message: str, position: int = 0, text: str = "") -> None:
        self.message = message
        self.position = max(0, min(int(position), len(text)))
        self.text = text
        super().__init__(self._full())

    def caret(self) -> str:
        """The formula with a ``^`` under the offending character (two lines).

        Long formulas are cut to a window around the position.
        """
        text, pos = self.text, self.position
        if len(text) > 70:
            start = max(0, pos - 35)
            snippet = text[start : start + 70]
            prefix = "…" if start > 0 else ""
            suffix = "…" if start + 70 < len(text) else ""
            return f"{prefix}{snippet}{suffix}\n{' ' * (len(prefix) + pos - start)}^"
        return f"{text}\n{' ' * pos}^"

    def _full(self) -> str:
        if not self.text:
            return self.message
        return f"{self.message}\n{self.caret()}"


# ---------------------------------------------------------------------------
# The whitelist: functions and constants, and how each is built in sympy.
# ---------------------------------------------------------------------------


def _sigmoid(z: sympy.Expr) -> sympy.Expr:
    return 1 / (1 + sympy.exp(-z))


def _relu(z: sympy.Expr) -> sympy.Expr:
    return sympy.Max(0, z)


def _softplus(z: sympy.Expr) -> sympy.Expr:
    return sympy.log(1 + sympy.exp(z))


def _log10(z: sympy.Expr) -> sympy.Expr:
    return sympy.log(z, 10)


def _log2(z: sympy.Expr) -> sympy.Expr:
    return sympy.log(z, 2)


@dataclass(frozen=True)
class _Function:
    build: Callable[..., sympy.Expr]
    nargs: tuple[int, int]  # min, max number of arguments
    doc: str


_ONE = (1, 1)
FUNCTIONS: dict[str, _Function] = {
    "sin": _Function(sympy.sin, _ONE, "sine"),
    "cos": _Function(sympy.cos, _ONE, "cosine"),
    "tan": _Function(sympy.tan, _ONE, "tangent"),
    "exp": _Function(sympy.exp, _ONE, "exponential"),
    "log": _Function(sympy.log, _ONE, "natural logarithm"),
    "ln": _Function(sympy.log, _ONE, "natural logarithm"),
    "log10": _Function(_log10, _ONE, "base-10 logarithm"),
    "log2": _Function(_log2, _ONE, "base-2 logarithm"),
    "sqrt": _Function(sympy.sqrt, _ONE, "square root"),
    "abs": _Function(sympy.Abs, _ONE, "absolute value"),
    "sign": _Function(sympy.sign, _ONE, "sign"),
    "sinh": _Function(sympy.sinh, _ONE, "hyperbolic sine"),
    "cosh": _Function(sympy.cosh, _ONE, "hyperbolic cosine"),
    "tanh": _Function(sympy.tanh, _ONE, "hyperbolic tangent"),
    "asin": _Function(sympy.asin, _ONE, "inverse sine"),
    "acos": _Function(sympy.acos, _ONE, "inverse cosine"),
    "atan": _Function(sympy.atan, _ONE, "inverse tangent"),
    "arcsin": _Function(sympy.asin, _ONE, "inverse sine"),
    "arccos": _Function(sympy.acos, _ONE, "inverse cosine"),
    "arctan": _Function(sympy.atan, _ONE, "inverse tangent"),
    "asinh": _Function(sympy.asinh, _ONE, "inverse hyperbolic sine"),
    "acosh": _Function(sympy.acosh, _ONE, "inverse hyperbolic cosine"),
    "atanh": _Function(sympy.atanh, _ONE, "inverse hyperbolic tangent"),
    "arcsinh": _Function(sympy.asinh, _ONE, "inverse hyperbolic sine"),
    "arccosh": _Function(sympy.acosh, _ONE, "inverse hyperbolic cosine"),
    "arctanh": _Function(sympy.atanh, _ONE, "inverse hyperbolic tangent"),
    "erf": _Function(sympy.erf, _ONE, "error function"),
    "sigmoid": _Function(_sigmoid, _ONE, "logistic sigmoid 1/(1+exp(-x))"),
    "relu": _Function(_relu, _ONE, "max(0, x)"),
    "softplus": _Function(_softplus, _ONE, "log(1+exp(x))"),
    "min": _Function(sympy.Min, (2, 8), "smallest of its arguments"),
    "max": _Function(sympy.Max, (2, 8), "largest of its arguments"),
}

#: Named constants a formula may use.
CONSTANTS: dict[str, sympy.Expr] = {"pi": sympy.pi, "e": sympy.E}

#: Functions whose value at a complex point is not the analytic continuation
#: (the complex-step derivative is wrong for them).
_NON_ANALYTIC = (sympy.Abs, sympy.sign, sympy.Max, sympy.Min, sympy.Heaviside, sympy.DiracDelta)

_NAME_RE = re.compile(r"[A-Za-z][A-Za-z0-9_]*")
_NUMBER_RE = re.compile(r"(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?")
_ALIASES = {"\u2212": "-", "\u00d7": "*", "\u00b7": "*", "\u22c5": "*"}
_SINGLE = set("+-*/^(),")


# ---------------------------------------------------------------------------
# Tokenizer
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class _Token:
    kind: str  # "num", "name", "op", "end"
    text: str
    pos: int


def _tokenize(text: str) -> list[_Token]:
    tokens: list[_Token] = []
    i, n = 0, len(text)
    while i < n:
        ch = _ALIASES.get(text[i], text[i])
        if ch in " \t":
            i += 1
            continue
        if ch.isascii() and (ch.isdigit() or ch == "."):
            m = _NUMBER_RE.match(text, i)
            if m is None:
                raise FormulaError(
                    "'.' is only allowed inside a number such as 0.5 "
                    "(attribute access like x.real is not allowed).",
                    i,
                    text,
                )
            end = m.end()
            if end < n and text[end] == ".":
                raise FormulaError(
                    "A number cannot be followed by '.' (attribute access is not allowed).",
                    end,
                    text,
                )
            if end - i > MAX_NUMBER_CHARS:
                raise FormulaError(
                    f"Number too long (more than {MAX_NUMBER_CHARS} characters).", i, text
                )
            tokens.append(_Token("num", m.group(0), i))
            i = end
            continue
        if ch.isascii() and ch.isalpha():
            m = _NAME_RE.match(text, i)
            assert m is not None
            tokens.append(_Token("name", m.group(0), i))
            i = m.end()
            continue
        if ch == "*" and i + 1 < n and _ALIASES.get(text[i + 1], text[i + 1]) == "*":
            tokens.append(_Token("op", "^", i))
            i += 2
            continue
        if ch in _SINGLE:
            tokens.append(_Token("op", ch, i))
            i += 1
            continue
        if ch == "_":
            msg = "Names cannot start with '_' (no dunder names)."
        elif ch in "'\"":
            msg = "Strings are not allowed: a formula holds numbers, variables and functions."
        elif ch in "[]{}":
            msg = f"'{ch}' is not allowed: use round parentheses ( )."
        elif ch == "=":
            msg = "'=' is not allowed: type only the right-hand side, e.g. sin(x)."
        elif ch == "!":
            msg = "'!' (factorial) is not supported."
        elif ch == "|":
            msg = "'|' is not allowed: write abs(x) for an absolute value."
        else:
            shown = ch if ch.isprintable() else repr(ch)
            msg = f"Character {shown!r} is not allowed." if ch.isprintable() else (
                f"Character {shown} is not allowed."
            )
        raise FormulaError(msg, i, text)
    tokens.append(_Token("end", "", n))
    return tokens


# ---------------------------------------------------------------------------
# Parser
# ---------------------------------------------------------------------------


def _magnitude(value: sympy.Expr) -> float:
    """Decimal order of magnitude of a finite sympy number (0 for zero)."""
    if value == 0:
        return 0.0
    if isinstance(value, sympy.Rational):
        p, q = abs(int(value.p)), int(value.q)
        return _int_log10(p) - _int_log10(q)
    try:
        return math.log10(abs(complex(value)))
    except (OverflowError, ValueError, TypeError):
        return math.inf


def _int_log10(k: int) -> float:
    if k < 10**300:
        return math.log10(k)
    return len(str(k)) - 1.0


class _Parser:
    def __init__(self, text: str, symbols: dict[str, sympy.Symbol]) -> None:
        self.text = text
        self.symbols = symbols
        self.tokens = _tokenize(text)
        self.i = 0
        self.depth = 0
        self.nodes = 0

    # -- helpers --------------------------------------------------------------
    @property
    def tok(self) -> _Token:
        return self.tokens[self.i]

    def error(self, message: str, pos: int | None = None) -> FormulaError:
        return FormulaError(message, self.tok.pos if pos is None else pos, self.text)

    def count(self, pos: int) -> None:
        self.nodes += 1
        if self.nodes > MAX_NODES:
            raise self.error(f"Formula too large (more than {MAX_NODES} terms).", pos)

    def enter(self, pos: int) -> None:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise self.error(f"Formula nested too deeply (more than {MAX_DEPTH} levels).", pos)

    def check(self, value: sympy.Expr, pos: int) -> sympy.Expr:
        """Reject undefined or overflowing constants produced by an operation."""
        if value.has(sympy.zoo, sympy.nan, sympy.oo, -sympy.oo):
            raise self.error(
                "This gives an undefined or infinite value (division by zero?).", pos
            )
        # Keep every constant inside float range: sympy compares and simplifies
        # constants while building, and a tower like exp(exp(exp(100))) would make
        # it compute with millions of digits.
        constants = [value] if not value.free_symbols else [
            a for a in value.args if not a.free_symbols
        ]
        for c in constants:
            if c.is_Number:
                size = _magnitude(c)
            else:
                v = _const_value(c)
                size = math.log10(abs(v)) if v != 0 and np.isfinite(v) else (
                    0.0 if v == 0 else math.inf
                )
            if size > MAX_MAGNITUDE:
                raise self.error(f"Number too large (beyond 1e{MAX_MAGNITUDE}).", pos)
        return value

    def expect(self, op: str, opened_at: int | None = None) -> None:
        if self.tok.kind == "op" and self.tok.text == op:
            self.i += 1
            return
        found = "the end of the formula" if self.tok.kind == "end" else repr(self.tok.text)
        if op == ")" and opened_at is not None:
            raise self.error(
                f"Missing ')' to close the '(' at column {opened_at + 1}; found {found}."
            )
        raise self.error(f"Expected '{op}' but found {found}.")

    # -- grammar --------------------------------------------------------------
    def parse(self) -> sympy.Expr:
        if self.tok.kind == "end":
            raise self.error("The formula is empty: type an expression such as sin(x).")
        value = self.expr()
        if self.tok.kind != "end":
            t = self.tok
            if t.text == ")":
                raise self.error("Unmatched ')': there is no '(' to close.")
            if t.text == ",":
                raise self.error("',' is only allowed between the arguments of min/max.")
            raise self.error(f"Unexpected {t.text!r}: is an operator missing before it?")
        return value

    def expr(self) -> sympy.Expr:
        value = self.term()
        while self.tok.kind == "op" and self.tok.text in "+-":
            op = self.tok
            self.i += 1
            self.count(op.pos)
            rhs = self.term()
            value = self.check(sympy.Add(value, rhs if op.text == "+" else -rhs), op.pos)
        return value

    def _starts_operand(self) -> bool:
        t = self.tok
        return t.kind in ("num", "name") or (t.kind == "op" and t.text == "(")

    def term(self) -> sympy.Expr:
        value = self.unary()
        while True:
            t = self.tok
            if t.kind == "op" and t.text in "*/":
                self.i += 1
                self.count(t.pos)
                rhs = self.unary()
                if t.text == "/":
                    if rhs == 0:
                        raise self.error("Division by zero.", t.pos)
                    value = self.check(sympy.Mul(value, sympy.Pow(rhs, -1)), t.pos)
                else:
                    value = self.check(sympy.Mul(value, rhs), t.pos)
            elif self._starts_operand() and self._implicit_ok():
                self.count(t.pos)
                rhs = self.unary()
                value = self.check(sympy.Mul(value, rhs), t.pos)
            else:
                return value

    def _implicit_ok(self) -> bool:
        """Implicit product only after a number or ')': ``2x``, ``2(x+1)``, ``(x)(y)``."""
        prev = self.tokens[self.i - 1]
        cur = self.tok
        if prev.kind == "num" and cur.kind == "num":
            return False
        return prev.kind == "num" or (prev.kind == "op" and prev.text == ")")

    def unary(self) -> sympy.Expr:
        t = self.tok
        if t.kind == "op" and t.text in "+-":
            self.i += 1
            self.enter(t.pos)
            self.count(t.pos)
            operand = self.unary()
            self.depth -= 1
            return operand if t.text == "+" else self.check(-operand, t.pos)
        return self.power()

    def power(self) -> sympy.Expr:
        base = self.primary()
        t = self.tok
        if t.kind == "op" and t.text == "^":
            self.i += 1
            self.enter(t.pos)
            self.count(t.pos)
            exponent = self.unary()
            self.depth -= 1
            return self.pow(base, exponent, t.pos)
        return base

    def pow(self, base: sympy.Expr, exponent: sympy.Expr, pos: int) -> sympy.Expr:
        if exponent.is_Number:
            if _magnitude(exponent) > math.log10(MAX_EXPONENT):
                raise self.error(
                    f"Exponent too large: numeric powers are limited to ±{MAX_EXPONENT}.", pos
                )
            if base.is_Number:
                if base == 0 and exponent.is_negative:
                    raise self.error("0 to a negative power is undefined (division by zero).", pos)
                if abs(float(exponent)) * abs(_magnitude(base)) > MAX_MAGNITUDE:
                    raise self.error(f"Number too large (beyond 1e{MAX_MAGNITUDE}).", pos)
        elif base.is_Number and base != 0 and not exponent.free_symbols:
            # The exponent is an unevaluated constant such as 3*pi.
            size = abs(_const_value(exponent)) * abs(_magnitude(base))
            if not size <= MAX_MAGNITUDE:
                raise self.error(f"Number too large (beyond 1e{MAX_MAGNITUDE}).", pos)
        return self.check(sympy.Pow(base, exponent), pos)

    def primary(self) -> sympy.Expr:
        t = self.tok
        if t.kind == "num":
            self.i += 1
            self.count(t.pos)
            return self.number(t)
        if t.kind == "name":
            self.i += 1
            self.count(t.pos)
            return self.name(t)
        if t.kind == "op" and t.text == "(":
            self.i += 1
            self.enter(t.pos)
            if self.tok.kind == "op" and self.tok.text == ")":
                raise self.error("Empty parentheses: put an expression inside ( ).")
            value = self.expr()
            self.expect(")", opened_at=t.pos)
            self.depth -= 1
            return value
        if t.kind == "end":
            raise self.error("The formula ends too early: an operand is missing.")
        if t.text == ")":
            raise self.error("Unexpected ')': an operand is missing before it.")
        raise self.error(f"Unexpected {t.text!r}: an operand is missing before it.")

    def number(self, t: _Token) -> sympy.Expr:
        text = t.text
        if text.isdigit():
            value: sympy.Expr = sympy.Integer(int(text))
        else:
            # The token matched _NUMBER_RE, so float() reads a plain decimal literal.
            x = float(text)
            if not math.isfinite(x) or (x != 0 and abs(math.log10(x)) > MAX_MAGNITUDE):
                raise self.error(f"Number out of range (beyond 1e±{MAX_MAGNITUDE}).", t.pos)
            value = sympy.Integer(int(x)) if x.is_integer() and abs(x) < 2**53 else sympy.Float(x)
        return self.check(value, t.pos)

    def name(self, t: _Token) -> sympy.Expr:
        word = t.text
        nxt = self.tok
        calls = nxt.kind == "op" and nxt.text == "("
        if word in self.symbols:
            if calls:
                raise self.error(
                    f"'{word}' is a variable, not a function: write {word}*( ... ) to multiply.",
                    nxt.pos,
                )
            return self.symbols[word]
        if word in CONSTANTS:
            if calls:
                raise self.error(f"'{word}' is a constant, not a function.", nxt.pos)
            return CONSTANTS[word]
        if word in FUNCTIONS:
            if not calls:
                raise self.error(
                    f"'{word}' is a function: write it with parentheses, e.g. {word}(x).",
                    nxt.pos,
                )
            return self.call(t, FUNCTIONS[word])
        raise self.error(_unknown_name_message(word, tuple(self.symbols)), t.pos)

    def call(self, t: _Token, fn: _Function) -> sympy.Expr:
        open_tok = self.tok
        self.i += 1
        self.enter(open_tok.pos)
        if self.tok.kind == "op" and self.tok.text == ")":
            raise self.error(f"{t.text}() needs an argument, e.g. {t.text}(x).")
        args = [self.expr()]
        while self.tok.kind == "op" and self.tok.text == ",":
            self.i += 1
            args.append(self.expr())
        self.expect(")", opened_at=open_tok.pos)
        self.depth -= 1
        lo, hi = fn.nargs
        if not lo <= len(args) <= hi:
            want = f"{lo}" if lo == hi else f"{lo} to {hi}"
            raise self.error(
                f"{t.text}() takes {want} argument{'s' if hi > 1 else ''}, got {len(args)}.",
                t.pos,
            )
        try:
            value = fn.build(*args)
        except (TypeError, ValueError, ArithmeticError) as exc:  # pragma: no cover - defensive
            raise self.error(f"{t.text}() cannot take these arguments ({exc}).", t.pos) from None
        return self.check(value, t.pos)


def _unknown_name_message(word: str, variables: tuple[str, ...]) -> str:
    var_list = ", ".join(variables) if variables else "none"
    hint = ""
    lower = word.lower()
    if lower in FUNCTIONS or lower in CONSTANTS or lower in variables:
        hint = f" Names are case-sensitive: did you mean '{lower}'?"
    elif word in ("import", "lambda", "exec", "eval", "open", "os", "sys"):
        hint = " Only mathematical formulas are accepted."
    return (
        f"Unknown name '{word}'. Allowed variables: {var_list}; constants: pi, e; "
        f"functions: {', '.join(sorted(set(FUNCTIONS)))}.{hint}"
    )


# ---------------------------------------------------------------------------
# Compiling a sympy expression to numpy or torch (a walk over the tree).
# ---------------------------------------------------------------------------

_Fn = Callable[[Sequence[Any]], Any]


def _np_heaviside(z: Any) -> Any:
    return np.heaviside(np.real(z), 0.5)


def _np_sign(z: Any) -> Any:
    return np.sign(np.real(z)) if np.iscomplexobj(z) else np.sign(z)


def _np_delta(z: Any) -> Any:
    return np.zeros_like(np.real(z))


def _np_erf(z: Any) -> Any:
    from scipy.special import erf  # scipy's erf accepts complex arguments

    return erf(z)


_NUMPY_FUNCS: dict[type, Callable[..., Any]] = {
    sympy.sin: np.sin,
    sympy.cos: np.cos,
    sympy.tan: np.tan,
    sympy.exp: np.exp,
    sympy.log: np.log,
    sympy.Abs: np.abs,
    sympy.sign: _np_sign,
    sympy.sinh: np.sinh,
    sympy.cosh: np.cosh,
    sympy.tanh: np.tanh,
    sympy.asin: np.arcsin,
    sympy.acos: np.arccos,
    sympy.atan: np.arctan,
    sympy.asinh: np.arcsinh,
    sympy.acosh: np.arccosh,
    sympy.atanh: np.arctanh,
    sympy.erf: _np_erf,
    sympy.Heaviside: _np_heaviside,
    sympy.DiracDelta: _np_delta,
}


def _torch_funcs() -> dict[type, Callable[..., Any]]:
    from nnkit._torch import torch

    def heaviside(z: Any) -> Any:
        return torch.heaviside(z, torch.full_like(z, 0.5))

    return {
        sympy.sin: torch.sin,
        sympy.cos: torch.cos,
        sympy.tan: torch.tan,
        sympy.exp: torch.exp,
        sympy.log: torch.log,
        sympy.Abs: torch.abs,
        sympy.sign: torch.sign,
        sympy.sinh: torch.sinh,
        sympy.cosh: torch.cosh,
        sympy.tanh: torch.tanh,
        sympy.asin: torch.asin,
        sympy.acos: torch.acos,
        sympy.atan: torch.atan,
        sympy.asinh: torch.asinh,
        sympy.acosh: torch.acosh,
        sympy.atanh: torch.atanh,
        sympy.erf: torch.erf,
        sympy.Heaviside: heaviside,
        sympy.DiracDelta: torch.zeros_like,
    }


def _const_value(e: sympy.Expr) -> complex:
    """Value of a constant expression in complex double precision (never mpmath)."""
    if e.is_Number:
        try:
            return complex(float(e))
        except OverflowError:
            return complex(math.inf)
    if e.is_NumberSymbol or e is sympy.I:
        return complex(e)
    args = [np.complex128(_const_value(a)) for a in e.args]
    with np.errstate(all="ignore"):
        if e.is_Add:
            return complex(sum(args[1:], args[0]))
        if e.is_Mul:
            out = args[0]
            for a in args[1:]:
                out = out * a
            return complex(out)
        if e.is_Pow:
            return complex(args[0] ** args[1])
        if isinstance(e, sympy.Max | sympy.Min):
            pick = max if isinstance(e, sympy.Max) else min
            return complex(pick(args, key=lambda z: z.real))
        fn = _NUMPY_FUNCS.get(type(e))
        if fn is None:
            raise FormulaError(f"Cannot evaluate {type(e).__name__} numerically.", 0, "")
        return complex(fn(args[0]))


def _constant(expr: sympy.Expr) -> complex | float:
    value = _const_value(expr)
    return value.real if value.imag == 0 else value


def _compile(expr: sympy.Expr, index: dict[sympy.Symbol, int], backend: str) -> _Fn:
    """Turn a sympy tree into nested closures ``f(args)`` for ``backend`` (numpy/torch)."""
    funcs = _NUMPY_FUNCS if backend == "numpy" else _torch_funcs()
    if backend == "numpy":
        sqrt, maximum, minimum = np.sqrt, np.maximum, np.minimum
    else:
        from nnkit._torch import torch

        sqrt = torch.sqrt

        def _as_tensor_pair(a: Any, b: Any) -> tuple[Any, Any]:
            ref = a if isinstance(a, torch.Tensor) else b
            return torch.as_tensor(a, dtype=ref.dtype), torch.as_tensor(b, dtype=ref.dtype)

        def maximum(a: Any, b: Any) -> Any:
            return torch.maximum(*_as_tensor_pair(a, b))

        def minimum(a: Any, b: Any) -> Any:
            return torch.minimum(*_as_tensor_pair(a, b))

    def build(e: sympy.Expr) -> _Fn:
        if e.is_Symbol:
            k = index[e]
            return lambda a: a[k]
        if not e.free_symbols:
            c = _constant(e)
            return lambda a: c
        parts = [build(arg) for arg in e.args]
        if e.is_Add:

            def add(a: Sequence[Any]) -> Any:
                total = parts[0](a)
                for p in parts[1:]:
                    total = total + p(a)
                return total

            return add
        if e.is_Mul:

            def mul(a: Sequence[Any]) -> Any:
                total = parts[0](a)
                for p in parts[1:]:
                    total = total * p(a)
                return total

            return mul
        if e.is_Pow:
            b, ex = parts
            p = e.exp
            if p == sympy.Rational(1, 2):
                return lambda a: sqrt(b(a))
            if p == sympy.Rational(-1, 2):
                return lambda a: 1 / sqrt(b(a))
            if p == -1:
                return lambda a: 1 / b(a)
            if p.is_Integer:
                k = int(p)
                if k < 0:
                    return lambda a: 1 / b(a) ** (-k)
                return lambda a: b(a) ** k
            return lambda a: b(a) ** ex(a)
        if isinstance(e, sympy.Max | sympy.Min):
            op = maximum if isinstance(e, sympy.Max) else minimum

            def extremum(a: Sequence[Any]) -> Any:
                total = parts[0](a)
                for p in parts[1:]:
                    total = op(total, p(a))
                return total

            return extremum
        fn = funcs.get(type(e))
        if isinstance(e, sympy.Heaviside | sympy.DiracDelta):
            parts = parts[:1]  # Heaviside(x, 1/2), DiracDelta(x, k): value set at 0
        if fn is None or len(parts) != 1:
            raise FormulaError(f"Cannot evaluate {type(e).__name__} numerically.", 0, "")
        inner = parts[0]
        return lambda a: fn(inner(a))

    return build(expr)


# ---------------------------------------------------------------------------
# The public result
# ---------------------------------------------------------------------------


@dataclass(eq=False)
class Formula:
    """A parsed formula: exact (sympy) and numeric (numpy, torch) forms.

    Build one with :func:`parse` (from user text) or :meth:`from_sympy`.

    Attributes
    ----------
    text : str
        The formula as typed (or ``str(sympy)`` for one built from sympy).
    variables : tuple of str
        Variable names, in the order ``numpy``/``torch`` take their arguments.
    sympy : sympy.Expr
        The expression; its symbols are ``symbols`` (real-valued sympy Symbols).
    symbols : tuple of sympy.Symbol
        One real sympy Symbol per variable.
    """

    text: str
    variables: tuple[str, ...]
    sympy: sympy.Expr
    symbols: tuple[sympy.Symbol, ...]
    _cache: dict[str, Any] = field(default_factory=dict, repr=False)

    # -- construction -----------------------------------------------------------
    @classmethod
    def from_sympy(
        cls, expr: sympy.Expr, variables: Sequence[str] = ("x",), text: str | None = None
    ) -> Formula:
        """Wrap a trusted sympy expression (e.g. a derivative) as a Formula.

        Symbols are matched by name to ``variables`` and replaced by nnkit's real
        symbols. Raises :class:`FormulaError` if the expression uses a free symbol
        not in ``variables`` or a function nnkit cannot evaluate.
        """
        variables = _check_variables(variables)
        symbols = _symbols(variables)
        if not isinstance(expr, sympy.Basic):
            raise TypeError("from_sympy takes a sympy expression (use parse() for text)")
        by_name = {s.name: s for s in symbols}
        extra = sorted(s.name for s in expr.free_symbols if s.name not in by_name)
        if extra:
            raise FormulaError(f"Unknown variable(s): {', '.join(extra)}.", 0, "")
        expr = expr.xreplace({s: by_name[s.name] for s in expr.free_symbols})
        formula = cls(text if text is not None else str(expr), variables, expr, symbols)
        formula._compiled("numpy")  # validates that every node can be evaluated
        return formula

    def __getstate__(self) -> dict[str, Any]:
        state = dict(self.__dict__)
        state["_cache"] = {}
        return state

    # -- exact forms --------------------------------------------------------------
    @property
    def latex(self) -> str:
        """LaTeX of the expression (sympy's printer)."""
        if "latex" not in self._cache:
            self._cache["latex"] = sympy.latex(self.sympy)
        return self._cache["latex"]

    @property
    def is_analytic(self) -> bool:
        """False if it uses abs, sign, min, max, relu (complex step is then invalid)."""
        return not self.sympy.has(*_NON_ANALYTIC)

    def diff(self, n: int = 1, var: str | None = None) -> Formula:
        """Exact n-th derivative with respect to ``var`` (default: the first variable).

        Parameters
        ----------
        n : int
            Derivative order, ``n >= 0`` (0 returns the formula itself).
        var : str, optional
            Variable to differentiate with respect to.

        Returns
        -------
        Formula
            The derivative, with the same variables.
        """
        if n < 0:
            raise ValueError("derivative order must be >= 0")
        name = self.variables[0] if var is None else var
        if name not in self.variables:
            raise ValueError(f"unknown variable {name!r}; variables are {self.variables}")
        if n == 0:
            return self
        sym = self.symbols[self.variables.index(name)]
        expr = sympy.diff(self.sympy, sym, n)
        text = f"d{'^' + str(n) if n > 1 else ''}/d{name}{'^' + str(n) if n > 1 else ''} ({self.text})"
        return Formula(text, self.variables, expr, self.symbols)

    # -- numeric forms --------------------------------------------------------------
    def _compiled(self, backend: str) -> _Fn:
        key = "fn_" + backend
        if key not in self._cache:
            index = {s: k for k, s in enumerate(self.symbols)}
            self._cache[key] = _compile(self.sympy, index, backend)
        return self._cache[key]

    def numpy(self, *arrays: Any) -> np.ndarray:
        """Evaluate on numpy arrays (broadcast together); complex input is allowed.

        Points outside the domain give ``nan`` (or ``inf``) silently; the caller
        decides what to do with them. Integer input is converted to float.

        Returns
        -------
        numpy.ndarray
            The broadcast shape of the inputs; complex if any input is complex or
            the value is complex (e.g. ``log(-1)`` written as a constant).
        """
        self._check_arity(len(arrays))
        args = [_as_float_array(a) for a in arrays]
        with np.errstate(all="ignore"):
            out = self._compiled("numpy")(args)
            shape = np.broadcast_shapes(*(a.shape for a in args)) if args else ()
            return np.broadcast_to(np.asarray(out), shape).copy()

    def torch(self, *tensors: Any) -> Any:
        """Evaluate on torch tensors; autograd flows through the result.

        Returns
        -------
        torch.Tensor
            The broadcast shape of the inputs (a constant formula gives a tensor of
            that constant, without gradient).
        """
        from nnkit._torch import torch

        self._check_arity(len(tensors))
        args = [t if isinstance(t, torch.Tensor) else torch.as_tensor(t) for t in tensors]
        out = self._compiled("torch")(args)
        if not isinstance(out, torch.Tensor):
            shape = torch.broadcast_shapes(*(a.shape for a in args)) if args else ()
            dtype = args[0].dtype if args else torch.get_default_dtype()
            if isinstance(out, complex):
                dtype = torch.complex128 if dtype == torch.float64 else torch.complex64
            return torch.full(shape, out, dtype=dtype)
        if args:
            shape = torch.broadcast_shapes(*(a.shape for a in args))
            if out.shape != shape:
                out = out.expand(shape)
        return out

    def _check_arity(self, k: int) -> None:
        if k != len(self.variables):
            raise TypeError(
                f"formula takes {len(self.variables)} argument(s) {self.variables}, got {k}"
            )

    def __str__(self) -> str:
        return self.text


def _as_float_array(a: Any) -> np.ndarray:
    arr = np.asarray(a)
    if np.iscomplexobj(arr):
        return arr.astype(np.complex128, copy=False)
    return arr.astype(np.float64, copy=False)


def _check_variables(variables: Sequence[str]) -> tuple[str, ...]:
    if isinstance(variables, str):
        variables = (variables,)
    names = tuple(variables)
    for v in names:
        if not isinstance(v, str) or not _NAME_RE.fullmatch(v):
            raise ValueError(f"invalid variable name {v!r}: use letters, digits and '_'")
        if v in FUNCTIONS or v in CONSTANTS:
            raise ValueError(f"variable name {v!r} clashes with a function or constant")
    if len(set(names)) != len(names):
        raise ValueError(f"duplicate variable names in {names}")
    return names


_SYMBOL_CACHE: dict[str, sympy.Symbol] = {}


def _symbols(variables: tuple[str, ...]) -> tuple[sympy.Symbol, ...]:
    return tuple(_SYMBOL_CACHE.setdefault(v, sympy.Symbol(v, real=True)) for v in variables)


def parse(text: str, variables: Sequence[str] = ("x",)) -> Formula:
    """Parse a formula typed by a user, through a whitelist (never ``eval``).

    Parameters
    ----------
    text : str
        E.g. ``"sin(x)*exp(-x^2)"``, ``"x**3 - 2*x"``, ``"log(1+x^2)"``, ``"2x + 1"``.
        Allowed: numbers (``2``, ``0.5``, ``1e-3``), the ``variables``, the constants
        ``pi`` and ``e``, ``+ - * / ^ **`` (``^`` and ``**`` both mean power),
        parentheses, implicit products after a number or ``)`` (``2x``, ``(x+1)(x-1)``)
        and the functions in :data:`FUNCTIONS`.
    variables : sequence of str
        The variable names the formula may use, in the order the numeric forms take
        their arguments.

    Returns
    -------
    Formula

    Raises
    ------
    FormulaError
        For anything else, with ``.position`` at the offending character and a
        message saying what to change. ``str(error)`` shows a caret under it.
    ValueError
        If ``variables`` themselves are invalid (a programming error, not user input).
    """
    variables = _check_variables(variables)
    if not isinstance(text, str):
        raise FormulaError("The formula must be text.", 0, "")
    if len(text) > MAX_LENGTH:
        raise FormulaError(
            f"Formula too long ({len(text)} characters; at most {MAX_LENGTH}).",
            MAX_LENGTH,
            text,
        )
    symbols = _symbols(variables)
    parser = _Parser(text, dict(zip(variables, symbols, strict=True)))
    expr = parser.parse()
    return Formula(text.strip(), variables, expr, symbols)


def latex_lines(expr: sympy.Expr, lhs: str, width: int = 90, max_terms: int = 40) -> str:
    """``lhs = expr`` in LaTeX, broken over several aligned lines when it is long.

    A long product such as ``(a + b + c)·e^{-x^2}`` is first distributed into a sum
    (never expanding powers of sums, so ``(x+1)^{1000}`` stays as it is); the terms
    are then packed into lines of about ``width`` LaTeX characters. Short
    expressions, or ones that would distribute into more than ``max_terms`` terms,
    are returned on one line.
    """
    tex = sympy.latex(expr)
    if len(tex) <= width:
        return f"{lhs} = {tex}"
    spread = sympy.expand(
        expr, mul=True, multinomial=False, power_exp=False, power_base=False, log=False
    )
    terms = spread.as_ordered_terms() if spread.is_Add else [spread]
    if len(terms) > max_terms or len(terms) < 2:
        return f"{lhs} = {tex}"
    lines: list[str] = []
    current = ""
    for k, term in enumerate(terms):
        if k == 0:
            piece = sympy.latex(term)
        elif term.could_extract_minus_sign():
            piece = "- " + sympy.latex(-term)
        else:
            piece = "+ " + sympy.latex(term)
        if current and len(current) + len(piece) > width:
            lines.append(current)
            current = piece
        else:
            current = f"{current} {piece}".strip()
    lines.append(current)
    body = r" \\ &\quad ".join(lines)
    return rf"\begin{{aligned}} {lhs} = {{}} & {body} \end{{aligned}}"
