"""The whitelist parser: a hand-written tokenizer and a recursive-descent parser.

``parse("sin(x)*exp(-x^2)")`` reads the text and builds the expression from sympy
constructors (``sympy.Add``, ``sympy.sin`` ...). Nothing the user typed is ever
handed to ``eval``, ``exec``, ``sympify`` or ``parse_expr``: a name is either one of
the caller's variables, a whitelisted function or a constant, or it is an error.

Grammar (``^`` and ``**`` are the same operator, right-associative)::

    expr    := term (("+" | "-") term)*
    term    := unary (("*" | "/") unary | implicit)*   # 2x, 2(x+1), (x+1)(x-1)
    unary   := ("-" | "+") unary | power
    power   := primary (("^" | "**") unary)?
    primary := NUMBER | NAME | FUNCTION "(" expr ("," expr)* ")" | "(" expr ")"

so ``-x^2`` is ``-(x^2)`` and ``2^3^2`` is ``2^9``. Inputs are bounded (length,
nesting depth, number of nodes, size of numeric powers: see
:mod:`nnkit.expr.whitelist`).
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import sympy

from nnkit.expr.evaluate import constant_value
from nnkit.expr.formula import Formula, _check_variables, _symbols
from nnkit.expr.whitelist import (
    _NAME_RE,
    CONSTANTS,
    FUNCTIONS,
    MAX_DEPTH,
    MAX_EXPONENT,
    MAX_LENGTH,
    MAX_MAGNITUDE,
    MAX_NODES,
    MAX_NUMBER_CHARS,
    FormulaError,
    _Function,
)

__all__ = ["parse"]

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
            msg = (
                f"Character {shown!r} is not allowed."
                if ch.isprintable()
                else (f"Character {shown} is not allowed.")
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
            raise self.error("This gives an undefined or infinite value (division by zero?).", pos)
        # Keep every constant inside float range: sympy compares and simplifies
        # constants while building, and a tower like exp(exp(exp(100))) would make
        # it compute with millions of digits.
        constants = (
            [value] if not value.free_symbols else [a for a in value.args if not a.free_symbols]
        )
        for c in constants:
            if c.is_Number:
                size = _magnitude(c)
            else:
                v = constant_value(c)
                size = (
                    math.log10(abs(v))
                    if v != 0 and np.isfinite(v)
                    else (0.0 if v == 0 else math.inf)
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
            size = abs(constant_value(exponent)) * abs(_magnitude(base))
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
