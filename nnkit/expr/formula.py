"""The parsed formula: exact (sympy) and numeric (numpy, torch) forms of one expression.

A :class:`Formula` holds the sympy tree built by :func:`nnkit.expr.parse` and gives
its LaTeX, its exact derivatives, and vectorised numpy and torch functions
(compiled once, cached, and left out when the formula is pickled).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt
import sympy

from nnkit._text import counted, noun
from nnkit.expr.evaluate import Backend, Compiled, compile_expr
from nnkit.expr.whitelist import _NAME_RE, _NON_ANALYTIC, CONSTANTS, FUNCTIONS, FormulaError

if TYPE_CHECKING:  # pragma: no cover
    import torch as _torch_types

__all__ = ["Formula"]


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
        symbols.

        Parameters
        ----------
        expr : sympy.Expr
            The expression (never text: use :func:`parse` for that).
        variables : sequence of str, default ("x",)
            Variable names, in the order the numeric forms take their arguments.
        text : str, optional
            What :attr:`text` shows; default ``str(expr)``.

        Returns
        -------
        Formula
            The wrapped expression, its numpy form already checked.

        Raises
        ------
        FormulaError
            If the expression uses a free symbol not in ``variables`` or a function
            nnkit cannot evaluate.
        TypeError
            If ``expr`` is not a sympy expression.
        """
        variables = _check_variables(variables)
        symbols = _symbols(variables)
        if not isinstance(expr, sympy.Basic):
            raise TypeError("from_sympy takes a sympy expression (use parse() for text)")
        by_name = {s.name: s for s in symbols}
        extra = sorted(s.name for s in expr.free_symbols if s.name not in by_name)
        if extra:
            raise FormulaError(
                f"Unknown {noun(len(extra), 'variable')}: {', '.join(extra)}.", 0, ""
            )
        expr = expr.xreplace({s: by_name[s.name] for s in expr.free_symbols})
        formula = cls(text if text is not None else str(expr), variables, expr, symbols)
        formula._compiled("numpy")  # validates that every node can be evaluated
        return formula

    def __getstate__(self) -> dict[str, Any]:
        """Pickle without the compiled functions (closures do not pickle)."""
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
        text = (
            f"d{'^' + str(n) if n > 1 else ''}/d{name}{'^' + str(n) if n > 1 else ''} ({self.text})"
        )
        return Formula(text, self.variables, expr, self.symbols)

    # -- numeric forms --------------------------------------------------------------
    def _compiled(self, backend: Backend) -> Compiled:
        key = "fn_" + backend
        if key not in self._cache:
            index = {s: k for k, s in enumerate(self.symbols)}
            self._cache[key] = compile_expr(self.sympy, index, backend)
        return self._cache[key]

    def numpy(self, *arrays: npt.ArrayLike) -> np.ndarray:
        """Evaluate on numpy arrays (broadcast together); complex input is allowed.

        Points outside the domain give ``nan`` (or ``inf``) silently; the caller
        decides what to do with them. Integer input is converted to float.

        Parameters
        ----------
        *arrays : array_like
            One per variable, in the order of :attr:`variables`.

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

    def torch(self, *tensors: _torch_types.Tensor | float) -> _torch_types.Tensor:
        """Evaluate on torch tensors; autograd flows through the result.

        Parameters
        ----------
        *tensors : torch.Tensor or float
            One per variable, in the order of :attr:`variables`.

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
                f"formula takes {counted(len(self.variables), 'argument')} {self.variables}, got {k}"
            )

    def __str__(self) -> str:
        """Return the formula as typed."""
        return self.text


def _as_float_array(a: npt.ArrayLike) -> np.ndarray:
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
