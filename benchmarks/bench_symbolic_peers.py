"""Symbolic regression beside Operon (pyoperon) and gplearn, on the twelve Nguyen formulas.

For each formula an MLP is fitted to 500 noiseless samples (``train_network``, as in
``bench_symbolic``) and distilled by nnkit's sparse search (``distill``). Every peer
then gets the very samples the distillation used (1,000 points of the network) and
the same budget of CPU seconds per formula, on one thread, configured from
``benchmarks.peers``: Operon and gplearn as SRBench runs them, and each library's
defaults for reference. Every chosen formula is scored the same way: expanded, its
floats snapped to simple numbers where the fit allows it (``nnkit.symbolic.gp.snap_floats``,
with the slack nnkit's own search gets: the network's relative error, at most 5 %, of
the samples' spread), then
``nnkit.symbolic.check_equivalence`` against the truth (exact recovery: sympy
simplification of the difference plus agreement to 1e-9 on the domain).

    python -m benchmarks symbolic_peers          # ~10 minutes
    NNKIT_BENCH_SR_SECONDS=20 ...                 # CPU s per formula and peer (default 10)

pyoperon and gplearn are benchmark-only dependencies (requirements-bench.txt).
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Sequence
from typing import Any

import numpy as np

from benchmarks import Row
from benchmarks.peers import PEERS, Peer

SR_BUDGET = float(os.environ.get("NNKIT_BENCH_SR_SECONDS", "10"))
PEER_KEYS = ("pyoperon-srbench", "gplearn-srbench", "pyoperon-default", "gplearn-default")


def _log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


# --------------------------------------------------------------------------- Operon
def operon_to_sympy(tree: Any, variables: dict[int, str], symbols: Sequence[Any]) -> Any:
    """A pyoperon ``Tree`` as a sympy expression, built node by node (no text parsing).

    Operon stores a tree in postfix order; node ``i``'s first argument is node
    ``i − 1`` and each next one starts before the subtree of the previous
    (``Length`` is the number of descendants). Variables carry a weight
    (``Value · x``). ``variables`` maps a variable's hash to its name ``X1, X2, …``
    (``SymbolicRegressor.variables_``), column ``k − 1`` of the data.
    """
    import sympy as sp

    nodes = tree.Nodes
    unary = {
        "Exp": sp.exp, "Log": sp.log, "Sin": sp.sin, "Cos": sp.cos, "Tan": sp.tan,
        "Tanh": sp.tanh, "Sqrt": sp.sqrt, "Cbrt": sp.cbrt, "Square": lambda a: a**2,
        "Abs": sp.Abs, "Logabs": lambda a: sp.log(sp.Abs(a)),
        "Sqrtabs": lambda a: sp.sqrt(sp.Abs(a)), "Log1p": lambda a: sp.log(1 + a),
        "Sinh": sp.sinh, "Cosh": sp.cosh, "Asin": sp.asin, "Acos": sp.acos, "Atan": sp.atan,
    }  # fmt: skip

    def build(i: int) -> Any:
        node = nodes[i]
        kind = str(node.Type).rsplit(".", 1)[-1]
        if kind == "Constant":
            return sp.Float(float(node.Value), 15)
        if kind == "Variable":
            col = int(variables[node.HashValue].lstrip("X")) - 1
            return sp.Float(float(node.Value), 15) * symbols[col]
        args, j = [], i - 1
        for _ in range(node.Arity):
            args.append(build(j))
            j -= nodes[j].Length + 1
        if kind == "Add":
            return sp.Add(*args)
        if kind == "Mul":
            return sp.Mul(*args)
        if kind == "Sub":
            return -args[0] if len(args) == 1 else args[0] - sp.Add(*args[1:])
        if kind == "Div":
            return 1 / args[0] if len(args) == 1 else args[0] / sp.Mul(*args[1:])
        if kind == "Aq":
            return args[0] / sp.sqrt(1 + args[1] ** 2)
        if kind == "Pow":
            return args[0] ** args[1]
        if kind == "Powabs":
            return sp.Abs(args[0]) ** args[1]
        if kind in ("Fmin", "Fmax"):
            return (sp.Min if kind == "Fmin" else sp.Max)(*args)
        if kind in unary and len(args) == 1:
            return unary[kind](args[0])
        raise ValueError(f"Operon node {kind} has no sympy conversion")

    return build(len(nodes) - 1)


def _srbench_sigma(X: np.ndarray, y: np.ndarray) -> float:
    """SRBench's ``compute_sigma``: in-sample RMSE of a default random forest (seeded here)."""
    from sklearn.ensemble import RandomForestRegressor

    rf = RandomForestRegressor(random_state=0).fit(X, y)
    return float(np.sqrt(np.mean((rf.predict(X) - y) ** 2)))


def _operon(peer: Peer, X, y, symbols, accuracy: float) -> tuple[Any, str]:
    """Operon for SR_BUDGET CPU seconds: 1-s ``max_time`` slices, each warm-started from
    the population the last one left (``warm_start``), so a busy machine does not cut
    its share of CPU (``max_time`` is wall-clock; gplearn is given CPU seconds too)."""
    from pyoperon.sklearn import SymbolicRegressor

    params = dict(peer.config["regressor"])
    if "objectives" in params:
        params["objectives"] = list(params["objectives"])
    if "uncertainty" in peer.config:
        params["uncertainty"] = [_srbench_sigma(X, y)]
    reg = SymbolicRegressor(**params, max_time=1, warm_start=True, random_state=0)
    c0 = time.process_time()
    generations = slices = 0
    while True:
        reg.set_params(random_state=slices)
        reg.fit(X, y)
        slices += 1
        generations += int(reg.stats_.get("generations", 0))
        spent = time.process_time() - c0
        if spent * (slices + 1) / slices > SR_BUDGET:
            break
    expr = operon_to_sympy(reg.model_, reg.variables_, symbols)
    return expr, f"{generations} generations in {slices} slices, {spent:.1f} s CPU"


# --------------------------------------------------------------------------- gplearn
def _gplearn(peer: Peer, X, y, symbols, accuracy: float) -> tuple[Any, str]:
    from gplearn.genetic import SymbolicRegressor

    from nnkit.symbolic.gp import program_to_sympy

    params = dict(peer.config["regressor"])
    last = int(params.pop("generations", 20))  # gplearn's default
    est = SymbolicRegressor(**params, generations=1, warm_start=True, random_state=0)
    c0 = time.process_time()
    gen = 0
    while gen < last:
        gen += 1
        est.set_params(generations=gen)
        est.fit(X, y)
        spent = time.process_time() - c0
        if spent * (gen + 1) / gen > SR_BUDGET or est._program.raw_fitness_ <= 1e-20:
            break
    expr = program_to_sympy(est._program.program, symbols)
    return expr, f"{gen} generations, {time.process_time() - c0:.1f} s CPU"


# --------------------------------------------------------------------------- scoring
def snapped(
    expr: Any, X: np.ndarray, y: np.ndarray, symbols: Sequence[Any], accuracy: float
) -> Any:
    """``expr`` expanded, then its floats snapped with the slack nnkit's search gets.

    ``accuracy``: the network's relative error (RMSE / std of the samples); nnkit's
    sparse search lets a snapped coefficient raise the RMSE by up to
    ``min(accuracy, 0.05) · std`` (``nnkit.symbolic.core``), and so does this.
    """
    import sympy as sp

    from nnkit.symbolic.gp import snap_floats

    values = {s: X[:, i] for i, s in enumerate(symbols)}
    ystd, ymean = float(np.std(y)), float(np.mean(y))
    abs_tol = max(1e-9 * (ystd + abs(ymean)), min(accuracy, 0.05) * ystd)
    try:
        expr = sp.expand(expr)
    except Exception:  # sympy may give up on odd expressions: score the formula as found
        pass
    return snap_floats(expr, values, y, abs_tol=abs_tol)[0]


RUNNERS = {"pyoperon": _operon, "gplearn": _gplearn}


def run() -> list[Row]:
    from nnkit.symbolic import check_equivalence, distill
    from nnkit.symbolic.networks import train_network
    from nnkit.symbolic.problems import NGUYEN

    load0 = "load {:.1f}/{:.1f}/{:.1f}".format(*os.getloadavg())
    peers = [PEERS[k] for k in PEER_KEYS]
    ours_ok = 0
    peer_ok = dict.fromkeys(PEER_KEYS, 0)
    ours_cpu = []
    rows: list[Row] = []
    for p in NGUYEN:
        net = train_network(p, p.domain, n_samples=500, noise=0.0, seed=0)
        c0 = time.process_time()
        res = distill(
            net, p.domain, p.variables, accuracy=net.train_error, data=(net.X, net.y), seed=0
        )
        ours_cpu.append(time.process_time() - c0)
        ok = check_equivalence(res.best.expr, p.truth, p.domain).equivalent and res.found
        ours_ok += ok
        found: dict[str, tuple[bool, str, str]] = {}
        for peer in peers:
            try:
                expr, info = RUNNERS[peer.library](peer, res.X, res.y, res.symbols, net.train_error)
                expr = snapped(expr, res.X, res.y, res.symbols, net.train_error)
                good = check_equivalence(expr, p.truth, p.domain).equivalent
                text = str(expr)
            except Exception as exc:  # a peer's failure is a result, not a crash
                good, text, info = False, f"failed: {exc}", ""
            peer_ok[peer.key] += good
            found[peer.key] = (good, text, info)
        _log(
            f"  {p.name:9s} ours {ok!s:5} {res.best.text[:40]:40s} | "
            + " | ".join(f"{k} {g!s:5} {t[:30]}" for k, (g, t, _) in found.items())
        )
        op_ok, op_text, op_info = found["pyoperon-srbench"]
        rows.append(
            PEERS["pyoperon-srbench"].row(
                f"{p.name} (noiseless): exact recovery",
                float(ok),
                float(op_ok),
                unit="1 = exact",
                note=(
                    f"ours: {res.best.text[:48]} ({ours_cpu[-1]:.1f} s CPU); Operon: {op_text[:48]} "
                    f"({op_info}); "
                    + "; ".join(
                        f"{k} {'exact' if g else 'not exact'}"
                        for k, (g, _, _) in found.items()
                        if k != "pyoperon-srbench"
                    )
                ),
            )
        )
    for peer in peers:
        rows.append(
            peer.row(
                "Nguyen 1-12 (noiseless): formulas recovered exactly",
                float(ours_ok),
                float(peer_ok[peer.key]),
                unit="of 12",
                goal="ours >= peer" if peer.role == "peer" else "(reference only)",
                note=(
                    f"same 1,000 network samples; peer {SR_BUDGET:g} CPU s per formula, ours "
                    f"not time-boxed (slowest {max(ours_cpu):.1f} s CPU, median "
                    f"{float(np.median(ours_cpu)):.1f} s); {load0} at start"
                ),
            )
        )
    return rows
