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

import numpy as np
import sympy as sp

from nnkit.symbolic.evaluate import evaluate, node_count
from nnkit.symbolic.snap import simple_values

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
    with np.errstate(all="ignore"):
        p = evaluate(expr, values) * np.ones_like(y)
    if not np.all(np.isfinite(p)):
        return float("inf")
    return float(np.sqrt(np.mean((p - y) ** 2)))


def snap_floats(expr: sp.Expr, values: dict, y: np.ndarray, rel_tol: float = 0.3,
                abs_tol: float = 0.0) -> tuple[sp.Expr, float]:
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
) -> tuple[list, dict]:
    """Evolve formulas with gplearn for ``time_budget`` seconds.

    Returns the candidates and ``{"generations": …, "seconds": …}``. The candidates are the best program and the ``n_candidates`` fittest distinct
    programs of the last generation, converted to sympy with their floats snapped.
    """
    from gplearn.genetic import SymbolicRegressor

    from nnkit.symbolic.core import Candidate

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
    now = time.process_time if clock == "cpu" else time.perf_counter
    t0 = now()
    w0 = time.perf_counter()
    gen = 0
    while gen < max_generations:
        gen += 1
        est.set_params(generations=gen)
        est.fit(X, y)
        elapsed = now() - t0
        report(min(1.0, elapsed / time_budget))
        per_gen = elapsed / gen
        if elapsed + per_gen > time_budget or est._program.raw_fitness_ <= 1e-20:
            break
    programs = [est._program] + sorted(
        (p for p in est._programs[-1] if p is not None), key=lambda p: p.raw_fitness_
    )[: n_candidates]
    values = {s: X[:, i] for i, s in enumerate(symbols)}
    ystd = float(np.std(y))
    abs_tol = 1e-9 * (ystd + abs(float(np.mean(y))))
    out: dict[sp.Expr, Candidate] = {}
    for prog in programs:
        try:
            expr = program_to_sympy(prog.program, symbols)
        except ValueError:
            continue
        expr, rmse = snap_floats(expr, values, y, abs_tol=abs_tol)
        if expr in out or not np.isfinite(rmse):
            continue
        out[expr] = Candidate(
            expr=expr,
            complexity=node_count(expr),
            rmse=rmse,
            nrmse=rmse / ystd,
            n_terms=len(sp.Add.make_args(expr)),
            free_constants=len(expr.atoms(sp.Float)),
            method="gplearn",
        )
    info = {"generations": gen, "seconds": time.perf_counter() - w0, "clock": clock,
            "budget_used": now() - t0}
    return list(out.values()), info
