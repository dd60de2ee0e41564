"""Symbolic distillation on public formula sets the search was not tuned on.

Three sets, every formula of one or two variables (the page's scope), from 500
noiseless random samples on the set's usual training domain (the page's CSV route):

* **Keijzer** (Keijzer 2003): K1–K4, K7–K15 (K5 has three variables; K6, the
  harmonic sum Σ 1/i, is not an elementary function and is left out);
* **Vladislavleva** (Vladislavleva et al. 2009): V1, V2, V3, V6, V7, V8 (the others
  have more variables);
* **AI Feynman** (Udrescu & Tegmark 2020): every equation of the database with one or
  two variables, on the database's ranges.

A formula counts as recovered if it is labelled exact and is the truth
(``check_equivalence``); labelled exact but not the truth counts as a mislabel.
Truths are written in code (sympy), never parsed; ``asinh x`` is written as
``log(x + √(x² + 1))`` so that nnkit's evaluator can compute it.
"""

from __future__ import annotations

import os
import sys
import time

import sympy as sp

from benchmarks import Row

SEARCH_LIMIT = 20.0

x, y = sp.symbols("x y", real=True)
pi = sp.pi


def _v2(t):
    return sp.exp(-t) * t**3 * sp.cos(t) * sp.sin(t) * (sp.cos(t) * sp.sin(t) ** 2 - 1)


SETS: dict[str, list[tuple[str, sp.Expr, list[tuple[float, float]]]]] = {
    "Keijzer": [
        ("K1", sp.Rational(3, 10) * x * sp.sin(2 * pi * x), [(-1, 1)]),
        ("K2", sp.Rational(3, 10) * x * sp.sin(2 * pi * x), [(-2, 2)]),
        ("K3", sp.Rational(3, 10) * x * sp.sin(2 * pi * x), [(-3, 3)]),
        (
            "K4",
            x**3 * sp.exp(-x) * sp.cos(x) * sp.sin(x) * (sp.sin(x) ** 2 * sp.cos(x) - 1),
            [(0, 10)],
        ),
        ("K7", sp.log(x), [(1, 100)]),
        ("K8", sp.sqrt(x), [(0, 100)]),
        ("K9", sp.log(x + sp.sqrt(x**2 + 1)), [(0, 100)]),
        ("K10", x**y, [(0, 1), (0, 1)]),
        ("K11", x * y + sp.sin((x - 1) * (y - 1)), [(-3, 3), (-3, 3)]),
        ("K12", x**4 - x**3 + y**2 / 2 - y, [(-3, 3), (-3, 3)]),
        ("K13", 6 * sp.sin(x) * sp.cos(y), [(-3, 3), (-3, 3)]),
        ("K14", 8 / (2 + x**2 + y**2), [(-3, 3), (-3, 3)]),
        ("K15", x**3 / 5 + y**3 / 2 - y - x, [(-3, 3), (-3, 3)]),
    ],
    "Vladislavleva": [
        (
            "V1",
            sp.exp(-((x - 1) ** 2)) / (sp.Rational(6, 5) + (y - sp.Rational(5, 2)) ** 2),
            [(0.3, 4), (0.3, 4)],
        ),
        ("V2", _v2(x), [(0.05, 10)]),
        ("V3", _v2(x) * (y - 5), [(0.05, 10), (0.05, 10.05)]),
        ("V6", 6 * sp.sin(x) * sp.cos(y), [(0.1, 5.9), (0.1, 5.9)]),
        ("V7", (x - 3) * (y - 3) + 2 * sp.sin((x - 4) * (y - 4)), [(0.05, 6.05), (0.05, 6.05)]),
        (
            "V8",
            ((x - 3) ** 4 + (y - 3) ** 3 - (y - 3)) / ((y - 2) ** 4 + 10),
            [(0.05, 6.05), (0.05, 6.05)],
        ),
    ],
    "AI Feynman": [
        ("I.6.2a", sp.exp(-(x**2) / 2) / sp.sqrt(2 * pi), [(1, 3)]),
        ("I.6.2", sp.exp(-((y / x) ** 2) / 2) / (sp.sqrt(2 * pi) * x), [(1, 3), (1, 3)]),
        ("I.12.1", x * y, [(1, 5), (1, 5)]),
        ("I.12.5", x * y, [(1, 5), (1, 5)]),
        ("I.14.4", x * y**2 / 2, [(1, 5), (1, 5)]),
        ("I.25.13", x / y, [(1, 5), (1, 5)]),
        ("I.26.2", sp.asin(x * sp.sin(y)), [(0, 1), (1, 5)]),
        ("I.29.4", x / y, [(1, 10), (1, 10)]),
        ("I.34.27", y / (2 * pi) * x, [(1, 5), (1, 5)]),
        ("I.39.1", sp.Rational(3, 2) * x * y, [(1, 5), (1, 5)]),
        ("II.3.24", x / (4 * pi * y**2), [(1, 5), (1, 5)]),
        ("II.8.31", x * y**2 / 2, [(1, 5), (1, 5)]),
        ("II.11.28", 1 + x * y / (1 - x * y / 3), [(0, 1), (0, 1)]),
        ("II.27.18", x * y**2, [(1, 5), (1, 5)]),
        ("II.38.14", x / (2 * (1 + y)), [(1, 5), (1, 5)]),
        ("III.12.43", x * y / (2 * pi), [(1, 5), (1, 5)]),
    ],
}
"""Set name -> [(name, truth in x (and y), domain)]."""


def _log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def run() -> list[Row]:
    import numpy as np

    from benchmarks.bench_symbolic import load_row
    from nnkit.symbolic import check_equivalence, distill, evaluate

    only = os.environ.get("NNKIT_BENCH_SETS")
    rows: list[Row] = [load_row()]
    total = [0, 0, 0]
    for set_name, problems in SETS.items():
        if only and set_name not in only.split(","):
            continue
        ok_n = bad_n = 0
        slowest = 0.0
        missed = []
        for name, truth, domain in problems:
            syms = [x] if len(domain) == 1 else [x, y]
            rng = np.random.default_rng(0)
            X = np.column_stack([rng.uniform(lo, hi, 500) for lo, hi in domain])
            values = evaluate(truth, {s: X[:, i] for i, s in enumerate(syms)}) * np.ones(len(X))
            t0, c0 = time.perf_counter(), time.process_time()
            res = distill((X, values), variables=[s.name for s in syms], seed=0)
            wall, cpu = time.perf_counter() - t0, time.process_time() - c0
            equal = check_equivalence(res.best.expr, truth, domain).equivalent
            ok, bad = res.status == "exact" and equal, res.status == "exact" and not equal
            ok_n += ok
            bad_n += bad
            slowest = max(slowest, wall)
            if not ok:
                missed.append(
                    f"{name} ({'MISLABELLED ' if bad else ''}{res.status}, "
                    f"error {res.best.nrmse:.1g})"
                )
            _log(
                f"  {set_name:13s} {name:10s} {res.status:13s} truth={equal!s:5} {wall:5.1f}s "
                f"({cpu:.1f}s CPU) {res.best.text[:70]}"
            )
        total[0] += ok_n
        total[1] += bad_n
        total[2] += len(problems)
        rows.append(
            Row(
                f"{set_name} (1-2 variables, 500 noiseless samples): recovered exactly",
                float(ok_n),
                unit=f"of {len(problems)}",
                goal="≥ 80 %",
                note="missed: " + ("; ".join(missed) or "none"),
            )
        )
        rows.append(
            Row(
                f"{set_name}: approximations labelled exact",
                float(bad_n),
                unit=f"of {len(problems)}",
                goal="0",
            )
        )
        rows.append(
            Row(
                f"{set_name}: slowest search",
                slowest,
                SEARCH_LIMIT,
                unit="s",
                peer_name="the 20 s goal",
                goal="each ≤ 20 s",
            )
        )
    rows.append(
        Row(
            "held-out sets together: recovered exactly",
            float(total[0]),
            unit=f"of {total[2]}",
            goal="≥ 80 %",
            note=f"{total[1]} approximations labelled exact",
        )
    )
    return rows
