"""The grammar search behind :func:`nnkit.symbolic.distill`: structure first, then the parts.

With two or more inputs the source is first examined as a differentiable surrogate
(:mod:`nnkit.symbolic.structure`): inputs it does not depend on are dropped, a
dependence on one combination (``x·y``, ``x/y``, ``x ± y``) turns the problem into a
one-variable one, and an additive or multiplicative separation ``f = g(x) ∘ h(y)`` is
searched part by part on slices of the surrogate (AI Feynman, Udrescu & Tegmark 2020);
the parts' terms are then combined and refitted on the samples themselves. The whole
problem is searched too, with the time that is left.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import sympy as sp

from nnkit.symbolic.refine import Model
from nnkit.symbolic.search import SearchSettings, model_size, search

__all__ = ["grammar_search"]


def _models_to_exprs(models: Sequence[Model], symbols: Sequence[sp.Symbol], limit: int = 400,
                     ) -> list[tuple[sp.Expr, str]]:
    """The sympy forms of the most useful models: the exact ones and the error/size front."""
    by_error = sorted(models, key=lambda m: (m.rmse, model_size(m)))[: limit * 3 // 4]
    by_size = sorted(models, key=lambda m: (model_size(m), m.rmse))[: limit // 4]
    ranked = list({id(m): m for m in by_error + by_size}.values())
    out = []
    for m in ranked:
        try:
            out.append((m.sympy(symbols), m.origin or "grammar"))
        except (ValueError, TypeError, ZeroDivisionError):
            continue
    return out


def grammar_search(
    source: Callable[[np.ndarray], np.ndarray] | tuple[np.ndarray, np.ndarray],
    X: np.ndarray,
    y: np.ndarray,
    symbols: Sequence[sp.Symbol],
    domain: Sequence[tuple[float, float]],
    noise: float,
    *,
    time_budget: float = 20.0,
    max_terms: int = 8,
    degree: int | None = None,
    structure: bool = True,
    report: Callable[[str, float], None] | None = None,
    should_stop: Callable[[], bool] | None = None,
    on_best: Callable[[Any], None] | None = None,
    t0: float | None = None,
    seed: int = 0,
    slack: float = 0.0,
) -> tuple[list[tuple[sp.Expr, str]], dict[str, Any]]:
    """Formulas for the samples ``(X, y)`` of ``source``, as (sympy, how it was found) pairs.

    Parameters
    ----------
    source : callable or (X, y)
        The surrogate to examine (a callable), or the data themselves.
    X, y : numpy.ndarray
        The samples formulas are fitted to.
    symbols : sequence of sympy.Symbol
    domain : sequence of (low, high)
    noise : float
        Relative noise level of ``y``.
    time_budget : float, default 20
        Seconds for everything, counted from ``t0``.
    max_terms, degree
        See :class:`nnkit.symbolic.search.SearchSettings`.
    structure : bool, default True
        Examine the source's structure first (two or more inputs).
    report, should_stop, on_best
        Progress callback, stop hook and best-so-far hook (see :func:`distill`).
    t0 : float, optional
        ``time.perf_counter()`` at the start of the budget.
    seed : int, default 0
    slack : float, default 0
        The source's known relative inaccuracy (see :func:`nnkit.symbolic.search.search`).

    Returns
    -------
    (list, dict)
        The candidate formulas and ``{"n_models", "stopped", "stage", "structure"?}``.
    """
    t0 = time.perf_counter() if t0 is None else t0
    report = report or (lambda stage, f: None)
    info: dict[str, Any] = {}
    exprs: list[tuple[sp.Expr, str]] = []

    def best_hook(m: Model) -> None:
        if on_best is None:
            return
        from nnkit.symbolic.core import candidate_from
        from nnkit.symbolic.noise import exact_threshold

        c = candidate_from(m.sympy(symbols), X, y, symbols, exact_threshold(noise, len(y)),
                           m.origin)
        if c is not None:
            on_best(c)

    left = max(0.5, time_budget - (time.perf_counter() - t0))
    settings = SearchSettings(max_terms=max_terms, degree=degree, time_budget=left)
    state = search(X, y, noise, settings, progress=report, should_stop=should_stop,
                   on_model=best_hook, slack=slack)
    exprs += _models_to_exprs(state.models, symbols)
    info.update({"n_models": len(state.models), "stopped": state.stopped, "stage": state.stage})
    return exprs, info
