"""The derivatives a finite difference is compared with: complex step and autodiff.

None of them subtracts nearby samples of f, so none has the round-off wall of a
finite difference: the complex step ``Im f(x + ih) / h`` for any f analytic and
real on the real axis, torch's autograd (any order, by repeated ``grad``), and
nnkit's own scalar reverse-mode engine (:mod:`nnkit.autodiff`, first order).
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
import numpy.typing as npt

from nnkit.expr import Formula
from nnkit.finite_diff.stencils import check_steps

__all__ = ["autodiff_derivative", "complex_step", "engine_derivative"]


def complex_step(
    f: Callable[[np.ndarray], np.ndarray], x: npt.ArrayLike, h: npt.ArrayLike
) -> np.ndarray:
    """Complex-step first derivative ``Im f(x + i h) / h`` (every x with every h).

    No subtraction, hence no cancellation: accurate to machine precision for tiny
    h, for any f that is analytic and real on the real axis.

    Parameters
    ----------
    f : callable
        Vectorised function that accepts complex arrays (e.g. ``Formula.numpy``).
    x, h : array_like
        Points and steps (h > 0).

    Returns
    -------
    numpy.ndarray
        Shape ``x.shape + h.shape``.
    """
    xs = np.asarray(x, dtype=float)
    hs = check_steps(h)
    z = xs[(...,) + (None,) * hs.ndim] + 1j * hs
    with np.errstate(all="ignore"):
        return np.imag(np.asarray(f(z), dtype=complex)) / hs


def autodiff_derivative(formula: Formula, x0: float, derivative: int = 1) -> float:
    """Differentiate ``formula`` at ``x0`` with torch autograd in float64 (repeated grad).

    Parameters
    ----------
    formula : Formula
        One variable.
    x0 : float
        The point.
    derivative : int, default 1
        Order, >= 1.

    Returns
    -------
    float
        0 once a derivative no longer depends on x.
    """
    from nnkit._torch import torch

    x = torch.tensor(float(x0), dtype=torch.float64, requires_grad=True)
    y = formula.torch(x)
    for k in range(derivative):
        if not y.requires_grad:  # the derivative became a constant
            return 0.0
        (y,) = torch.autograd.grad(y, x, create_graph=k < derivative - 1)
    return float(y.detach())


def engine_derivative(formula: Formula, x0: float) -> tuple[float, str]:
    """Differentiate ``formula`` at ``x0`` with nnkit's own reverse-mode engine.

    Parameters
    ----------
    formula : Formula
        One variable.
    x0 : float
        The point.

    Returns
    -------
    (value, reason) : tuple
        ``reason`` is empty on success, else why the engine cannot do this formula
        (a function it has no node for); ``value`` is then ``nan``.
    """
    from nnkit.autodiff import UnsupportedOperation, graph_from_formula

    try:
        graph = graph_from_formula(formula, {formula.variables[0]: float(x0)})
    except UnsupportedOperation as err:
        return math.nan, str(err)
    graph.output.backward()
    return float(graph.inputs[formula.variables[0]].grad), ""
