"""Symbolic distillation on the twelve Nguyen formulas: from data, and from trained networks.

Two routes, as on the page:

* **from data** – 500 noiseless random samples of each formula (the page's CSV route);
* **from a network** – an MLP trained with the page's defaults (500 samples, 1,500
  epochs, nnkit.symbolic.networks.train_network), distilled with ``distill(net, …,
  accuracy=net.train_error, data=(net.X, net.y))``: the search runs on the network,
  the formulas are refitted and judged on its training samples.

gplearn (genetic programming) runs beside ours on the network route with a fixed
budget of CPU seconds. A formula counts as recovered if it is labelled exact and is
the truth (``nnkit.symbolic.check_equivalence``: sympy simplification of the difference
plus agreement to 1e-9 on the domain); an exact label on anything else is counted as a
mislabel. ``bench_symbolic_noise`` is the same with 1 % noise on the samples.

Times are wall-clock on a shared machine: the 1-minute load average at the start is
its own row; CPU seconds are in the notes.
"""

from __future__ import annotations

import os
import sys
import time

from benchmarks import Row

GP_BUDGET = float(os.environ.get("NNKIT_BENCH_GP_SECONDS", "5"))
SEARCH_LIMIT = 20.0  # seconds per formula, the goal
PAGE_EPOCHS = 1500  # the page's default for the Nguyen targets


def _log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def run() -> list[Row]:
    return nguyen_rows(0.0)


def _judge(res, truth, domain) -> tuple[bool, bool]:
    """(recovered, mislabelled): exact and the truth, or exact but not the truth."""
    from nnkit.symbolic import check_equivalence

    equal = check_equivalence(res.best.expr, truth, domain).equivalent
    exact = res.status == "exact"
    return exact and equal, exact and not equal


def load_row() -> Row:
    return Row(
        "machine load (1-min average) at start",
        os.getloadavg()[0],
        unit="load",
        note=f"{os.cpu_count()} CPUs shared by the team",
    )


def nguyen_rows(noise: float) -> list[Row]:
    """Rows for the Nguyen set with ``noise`` (fraction of std) on the samples."""
    import numpy as np

    from nnkit.symbolic import distill
    from nnkit.symbolic.networks import train_network
    from nnkit.symbolic.problems import NGUYEN

    rows: list[Row] = [load_row()]
    tag = "noiseless" if noise == 0 else f"{100 * noise:g} % noise"
    counts = {"data": [0, 0, 0.0], "network": [0, 0, 0.0]}  # recovered, mislabelled, slowest
    gp_ok = 0
    for p in NGUYEN:
        rng = np.random.default_rng(0)
        X = np.column_stack([rng.uniform(lo, hi, 500) for lo, hi in p.domain])
        y = p(X)
        y = y + noise * y.std() * rng.standard_normal(len(y))
        t0, c0 = time.perf_counter(), time.process_time()
        res_d = distill((X, y), variables=p.variables, seed=0)
        wall_d, cpu_d = time.perf_counter() - t0, time.process_time() - c0

        net = train_network(p, p.domain, n_samples=500, noise=noise, epochs=PAGE_EPOCHS, seed=0)
        t0, c0 = time.perf_counter(), time.process_time()
        res_n = distill(
            net, p.domain, p.variables, accuracy=net.train_error, data=(net.X, net.y), seed=0
        )
        wall_n, cpu_n = time.perf_counter() - t0, time.process_time() - c0
        gp = distill(
            net,
            p.domain,
            p.variables,
            method="gplearn",
            accuracy=net.train_error,
            data=(net.X, net.y),
            time_budget=GP_BUDGET,
            budget_clock="cpu",
            seed=0,
        )

        ok_d, bad_d = _judge(res_d, p.truth, p.domain)
        ok_n, bad_n = _judge(res_n, p.truth, p.domain)
        gp_ok += _judge(gp, p.truth, p.domain)[0]
        for route, ok, bad, wall in (
            ("data", ok_d, bad_d, wall_d),
            ("network", ok_n, bad_n, wall_n),
        ):
            counts[route][0] += ok
            counts[route][1] += bad
            counts[route][2] = max(counts[route][2], wall)
        _log(
            f"  {tag:9s} {p.name:9s} data {ok_d!s:5} {wall_d:5.1f}s {res_d.best.text[:40]:40s} | net "
            f"(err {net.train_error:.1e}) {ok_n!s:5} {wall_n:5.1f}s {res_n.best.text[:40]}"
        )
        rows.append(
            Row(
                f"{p.name} ({tag}): exact recovery, from data | from the network",
                float(ok_d),
                float(ok_n),
                unit="1 = exact",
                peer_name="from the network",
                note=(
                    f"data: {res_d.status}, {wall_d:.1f} s ({cpu_d:.1f} s CPU); network "
                    f"(relative error {net.train_error:.1e}): {res_n.status}, {wall_n:.1f} s "
                    f"({cpu_n:.1f} s CPU): {res_n.best.text[:48]}; gplearn: {gp.best.text[:32]}"
                ),
            )
        )
    goal = "12/12" if noise == 0 else "≥ 10/12"
    for route in ("data", "network"):
        ok, bad, slowest = counts[route]
        rows.append(
            Row(
                f"Nguyen 1-12 ({tag}), from the {route}: recovered exactly",
                float(ok),
                float(gp_ok) if route == "network" else None,
                unit="of 12",
                peer_name=f"gplearn ({GP_BUDGET:g} s CPU)" if route == "network" else "",
                goal=goal,
            )
        )
        rows.append(
            Row(
                f"Nguyen 1-12 ({tag}), from the {route}: approximations labelled exact",
                float(bad),
                unit="of 12",
                goal="0",
            )
        )
        rows.append(
            Row(
                f"Nguyen 1-12 ({tag}), from the {route}: slowest search",
                slowest,
                SEARCH_LIMIT,
                unit="s",
                peer_name="the 20 s goal",
                goal="each ≤ 20 s",
            )
        )
    return rows
