"""Symbolic distillation on the twelve Nguyen formulas, ours beside gplearn in the same run.

For each formula an MLP (nnkit.models.mlp, trained by nnkit.training.fit) is fitted to
500 noiseless samples (``bench_symbolic_noise``: with 1 % Gaussian noise); then the
network is distilled by nnkit's sparse search and by gplearn (genetic programming,
given a fixed budget of CPU seconds per formula, on the same network samples; CPU
seconds because the machine is shared and wall time depends on the others' load). A formula counts as recovered if it is
exactly the truth after snapping (``nnkit.symbolic.is_equivalent``: sympy
simplification of the difference plus agreement to 1e-9 on the domain).

Times are wall-clock on a shared machine: the 1-minute load average at the start is
reported as its own row; CPU seconds of the search are in the notes.
"""

from __future__ import annotations

import os
import sys
import time

from benchmarks import Row

GP_BUDGET = float(os.environ.get("NNKIT_BENCH_GP_SECONDS", "5"))
SEARCH_LIMIT = 20.0  # seconds per formula, the goal


def _log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def run() -> list[Row]:
    return nguyen_rows(0.0)


def nguyen_rows(noise: float) -> list[Row]:
    """Per-formula and summary rows for the Nguyen set with ``noise`` on the samples."""
    from nnkit.symbolic import check_equivalence, distill
    from nnkit.symbolic.networks import train_network
    from nnkit.symbolic.problems import NGUYEN

    rows: list[Row] = [Row("machine load (1-min average) at start", os.getloadavg()[0], unit="load",
                           note=f"{os.cpu_count()} CPUs shared by the team")]
    tag = "noiseless" if noise == 0 else "1% noise"
    ours_ok = peer_ok = 0
    worst_wall = worst_cpu = 0.0
    for p in NGUYEN:
        net = train_network(p, p.domain, n_samples=500, noise=noise, seed=0)
        t0, c0 = time.perf_counter(), time.process_time()
        res = distill(net, p.domain, p.variables, accuracy=net.train_error, seed=0)
        wall, cpu = time.perf_counter() - t0, time.process_time() - c0
        ok = check_equivalence(res.best.expr, p.truth, p.domain).equivalent and res.found
        gp = distill(net, p.domain, p.variables, method="gplearn", accuracy=net.train_error,
                     time_budget=GP_BUDGET, budget_clock="cpu", seed=0)
        gp_ok = check_equivalence(gp.best.expr, p.truth, p.domain).equivalent and gp.found
        ours_ok += ok
        peer_ok += gp_ok
        worst_wall, worst_cpu = max(worst_wall, wall), max(worst_cpu, cpu)
        _log(f"  {tag:9s} {p.name:9s} net err {net.train_error:.2g}  ours {ok!s:5} {wall:5.1f}s "
             f"({cpu:.1f}s CPU) {res.best.text[:60]} | gplearn {gp_ok!s:5} "
             f"{gp.info.get('generations')} gen {gp.best.text[:50]}")
        rows.append(Row(
            f"{p.name} ({tag}): exact recovery",
            float(ok), float(gp_ok), unit="1 = exact", peer_name=f"gplearn ({GP_BUDGET:g} s CPU)",
            note=(f"ours: {res.best.text[:48]} in {wall:.1f} s wall / {cpu:.1f} s CPU; "
                  f"gplearn ({gp.info.get('generations')} generations): {gp.best.text[:40]}; "
                  f"network relative error {net.train_error:.2g}"),
        ))
    goal = "≥ 11/12" if noise == 0 else "≥ 6/12"
    rows.append(Row(f"Nguyen 1-12 ({tag}): formulas recovered exactly", float(ours_ok),
                    float(peer_ok), unit="of 12", peer_name=f"gplearn ({GP_BUDGET:g} s CPU)", goal=goal))
    rows.append(Row(f"Nguyen 1-12 ({tag}): slowest search", worst_wall, SEARCH_LIMIT, unit="s",
                    peer_name="the 20 s goal", goal="each ≤ 20 s",
                    note=f"slowest in CPU time: {worst_cpu:.1f} s (wall time inflated by load)"))
    return rows
