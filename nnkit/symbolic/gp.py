"""Genetic programming with gplearn, converted to sympy: the classic contrast to the sparse search.

gplearn (Stephens, 0.4.3) evolves expression trees over ``+ − × ÷ sin cos log √``
with random constants in [−1, 1]. Its protected operators (``√|a|``, ``log|a|``,
division that returns 1 near a zero denominator) are converted to their sympy forms
``sqrt(Abs(a))``, ``log(Abs(a))``, ``a/b``; every error reported is computed from the
converted formula, not from gplearn's own fitness. Evolution runs one generation at a
time (``warm_start``) until the time budget is spent, so both methods can be given
the same budget.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import sympy as sp

from nnkit.symbolic.evaluate import evaluate, node_count
from nnkit.symbolic.snap import simple_values

if TYPE_CHECKING:
    from nnkit.symbolic.core import Candidate

__all__ = ["gplearn_candidates", "program_to_sympy", "snap_floats"]

FUNCTION_SET = ("add", "sub", "mul", "div", "sin", "cos", "log", "sqrt", "neg")

_BINARY = {
    "add": lambda a, b: a + b,
    "sub": lambda a, b: a - b,
    "mul": lambda a, b: a * b,
    "div": lambda a, b: a / b,
    "max": sp.Max,
    "min": sp.Min,
}
_UNARY = {
    "sin": sp.sin,
    "cos": sp.cos,
    "tan": sp.tan,
    "log": lambda a: sp.log(sp.Abs(a)),
    "sqrt": lambda a: sp.sqrt(sp.Abs(a)),
    "neg": lambda a: -a,
    "inv": lambda a: 1 / a,
    "abs": sp.Abs,
}


def program_to_sympy(program: Sequence, symbols: Sequence[sp.Symbol]) -> sp.Expr:
    """Convert a gplearn program (prefix list of functions, feature indices, floats).

    Parameters
    ----------
    program : sequence
        ``est._program.program``: gplearn ``_Function`` objects (with ``name`` and
        ``arity``), ``int`` feature indices and ``float`` constants, in prefix order.
    symbols : sequence of sympy.Symbol
        Symbol of each feature index.

    Returns
    -------
    sympy.Expr
    """
    pos = 0

    def build() -> sp.Expr:
        nonlocal pos
        node = program[pos]
        pos += 1
        if isinstance(node, int | np.integer):
            return symbols[int(node)]
        if isinstance(node, float | np.floating):
            return sp.Float(float(node), 15)
        name = node.name
        args = [build() for _ in range(node.arity)]
        if node.arity == 2 and name in _BINARY:
            return _BINARY[name](*args)
        if node.arity == 1 and name in _UNARY:
            return _UNARY[name](args[0])
        raise ValueError(f"gplearn function {name!r} has no sympy conversion")

    return build()


def _rmse(expr: sp.Expr, values: dict, y: np.ndarray) -> float:
    """RMSE of ``expr`` on the samples; inf where it is not a finite number everywhere.

    Replacing a float can make sympy fold a subexpression into ``zoo``, ``oo`` or an
    ``AccumBounds`` (``sin(oo)``), which has no numeric value: such a formula is
    simply not a candidate.
    """
    try:
        with np.errstate(all="ignore"):
            p = evaluate(expr, values) * np.ones_like(y)
    except (ValueError, TypeError, ZeroDivisionError, OverflowError):
        return float("inf")
    if not np.all(np.isfinite(p)):
        return float("inf")
    return float(np.sqrt(np.mean((p - y) ** 2)))


def snap_floats(
    expr: sp.Expr, values: dict, y: np.ndarray, rel_tol: float = 0.3, abs_tol: float = 0.0
) -> tuple[sp.Expr, float]:
    """Replace each float of ``expr`` by a simple number where the RMSE allows it.

    The same rule as the sparse search's snapping (see :mod:`nnkit.symbolic.snap`):
    a replacement is kept while the RMSE stays below the original RMSE plus
    ``rel_tol · min(RMSE, 0.1 std(y)) + abs_tol``; floats are not refitted.
    """
    base = _rmse(expr, values, y)
    if not np.isfinite(base):
        return expr, base
    limit = base + rel_tol * min(base, 0.1 * float(np.std(y))) + abs_tol
    current, rmse = expr, base
    for f in sorted(expr.atoms(sp.Float), key=lambda f: abs(float(f))):
        for _, v in simple_values(float(f)):
            trial = current.xreplace({f: v})
            r = _rmse(trial, values, y)
            if r <= limit:
                current, rmse = trial, r
                break
    return current, rmse


def _candidate(
    program: Sequence,
    symbols: Sequence[sp.Symbol],
    values: dict,
    y: np.ndarray,
    abs_tol: float,
    snap: bool = True,
) -> Candidate | None:
    """A gplearn program as a :class:`Candidate` (floats snapped), or None if it is not finite."""
    from nnkit.symbolic.core import Candidate

    try:
        expr = program_to_sympy(program, symbols)
    except (ValueError, TypeError, ZeroDivisionError):
        return None
    if snap:
        expr, rmse = snap_floats(expr, values, y, abs_tol=abs_tol)
    else:
        rmse = _rmse(expr, values, y)
    if not np.isfinite(rmse):
        return None
    return Candidate(
        expr=expr,
        complexity=node_count(expr),
        rmse=rmse,
        nrmse=rmse / (float(np.std(y)) or 1.0),
        n_terms=len(sp.Add.make_args(expr)),
        free_constants=len(expr.atoms(sp.Float)),
        method="gplearn",
    )


def gplearn_candidates(
    X: np.ndarray,
    y: np.ndarray,
    symbols: Sequence[sp.Symbol],
    time_budget: float = 20.0,
    population_size: int = 1000,
    max_generations: int = 200,
    parsimony: float = 0.001,
    seed: int = 0,
    n_candidates: int = 12,
    progress: Callable[[float], None] | None = None,
    clock: str = "wall",
    should_stop: Callable[[], bool] | None = None,
    on_best: Callable[[Candidate], None] | None = None,
) -> tuple[list[Candidate], dict[str, Any]]:
    """Evolve formulas with gplearn for ``time_budget`` seconds.

    Parameters
    ----------
    X : numpy.ndarray
        Inputs, shape ``(n, d)``.
    y : numpy.ndarray
        Outputs, shape ``(n,)``.
    symbols : sequence of sympy.Symbol
        Symbol of each input column.
    time_budget : float, default 20
        Seconds of evolution (counted on ``clock``); it stops before a generation that
        would not fit.
    population_size, max_generations : int
        gplearn's population size and the most generations.
    parsimony : float, default 0.001
        gplearn's parsimony coefficient.
    seed : int, default 0
        gplearn's ``random_state``.
    n_candidates : int, default 12
        Fittest programs of the last generation kept besides the best one.
    progress : callable, optional
        ``progress(fraction)`` after each generation.
    clock : {"wall", "cpu"}
        How the time budget is counted.
    should_stop : callable, optional
        Polled after each generation: True ends the evolution with what it has.
    on_best : callable, optional
        Called with the best program so far (converted, floats not snapped) whenever
        a generation improves on it.

    Returns
    -------
    candidates : list of Candidate
        The best program and the ``n_candidates`` fittest distinct programs of the last
        generation whose converted formula is finite on the samples (a protected
        operator of gplearn can hide a division by zero or the log of 0), floats
        snapped.
    info : dict
        ``{"generations", "seconds", "clock", "budget_used", "stopped"}``; ``stopped``
        is ``""``, ``"time"`` or ``"stopped"``.
    """
    from gplearn.genetic import SymbolicRegressor

    report = progress or (lambda f: None)
    est = SymbolicRegressor(
        population_size=population_size,
        generations=1,
        function_set=FUNCTION_SET,
        metric="mse",
        parsimony_coefficient=parsimony,
        warm_start=True,
        random_state=seed,
        n_jobs=1,
    )
    values = {s: X[:, i] for i, s in enumerate(symbols)}
    abs_tol = 1e-9 * (float(np.std(y)) + abs(float(np.mean(y))))
    now = time.process_time if clock == "cpu" else time.perf_counter
    t0 = now()
    w0 = time.perf_counter()
    gen = 0
    stopped = ""
    best_fitness = float("inf")
    while gen < max_generations:
        gen += 1
        est.set_params(generations=gen)
        est.fit(X, y)
        if on_best is not None and est._program.raw_fitness_ < best_fitness:
            best_fitness = est._program.raw_fitness_
            cand = _candidate(est._program.program, symbols, values, y, abs_tol, snap=False)
            if cand is not None:
                on_best(cand)
        elapsed = now() - t0
        report(min(1.0, elapsed / time_budget))
        if est._program.raw_fitness_ <= 1e-20:
            break
        if should_stop is not None and should_stop():
            stopped = "stopped"
            break
        if elapsed + elapsed / gen > time_budget:
            stopped = "time"
            break
    programs = [est._program] + sorted(
        (p for p in est._programs[-1] if p is not None), key=lambda p: p.raw_fitness_
    )
    out: dict[sp.Expr, Candidate] = {}
    seen: set[str] = set()
    for prog in programs:
        if len(out) > n_candidates or len(seen) > 4 * (n_candidates + 1):
            break
        if str(prog) in seen:  # a converged population repeats its best programs
            continue
        seen.add(str(prog))
        cand = _candidate(prog.program, symbols, values, y, abs_tol)
        if cand is not None and cand.expr not in out:
            out[cand.expr] = cand
    info = {
        "generations": gen,
        "seconds": time.perf_counter() - w0,
        "clock": clock,
        "budget_used": now() - t0,
        "stopped": stopped,
    }
    return list(out.values()), info
