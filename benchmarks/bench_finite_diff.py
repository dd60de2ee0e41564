"""nnkit.finite_diff: a full error sweep and exact stencil generation, beside peers.

Figures (f = sin(x)·exp(−x²) at x0 = 0.5):

* Estimates and errors of the lecture's 8 formulas (central/forward/backward O(h²)
  and central O(h⁴), for f' and f'') at 200 log-spaced h from 1e-16 to 1: nnkit's
  ``apply`` (one numpy call per stencil over all h) beside (a) a per-point Python
  loop with the ``math`` module, the way one first writes it, and (b) findiff 0.16
  (``coefficients()`` for the weights, the same numpy evaluation): the peer that
  isolates what our weights cost.
* The whole ``error_sweep`` the Derivatives page shows for those 8 formulas (exact
  reference from sympy, Taylor-mode error model, fitted orders, h*, E*, the
  measured bottom): the issue's goal is "well under 50 ms". Peer: the naive loop,
  which computes only the estimates and errors.
* Exact stencils for derivatives 1–4 × accuracies 2–8 × forward/backward/central
  (66 stencils, Fornberg in Fractions, cache bypassed) beside findiff's exact mode
  ``coefficients(symbolic=True)`` (sympy), which returns the same rationals.

* One derivative with its error estimate, beside numdifftools 0.11 (``Derivative`` as
  its documentation runs it: central differences on a geometric sequence of steps,
  Richardson extrapolation, ``full_output`` for the error estimate; and its complex
  step). Ours: the central O(h⁴) stencil at its theoretical optimal step h* (from the
  formula's Taylor coefficients, ``taylor_derivatives`` + ``optimal_step``: nnkit knows
  f symbolically, numdifftools sees a black box), with the model's E* as estimate;
  and ``complex_step`` at h = 1e-20. Rows: the absolute errors, and the time of f' and
  f'' each with an error estimate.

findiff and numdifftools are benchmark-only dependencies (requirements-bench.txt); the
peers' configurations are in ``benchmarks.peers``.
"""

from __future__ import annotations

import math
import statistics
import time

import numpy as np

from benchmarks import Row, median_time
from benchmarks.peers import PEERS
from nnkit.expr import parse
from nnkit.finite_diff import (
    EPS,
    apply,
    complex_step,
    default_steps,
    error_sweep,
    optimal_step,
    stencil,
    taylor_derivatives,
)

X0 = 0.5
SCHEMES = [("central", 2), ("forward", 2), ("backward", 2), ("central", 4)]
KIND_FINDIFF = {"central": "center", "forward": "forward", "backward": "backward"}


def _f_math(x: float) -> float:
    return math.sin(x) * math.exp(-x * x)


def _naive(stencils, h_values, exact) -> list[float]:
    errors = []
    for st in stencils:
        pairs = [(float(s), float(w)) for s, w in zip(st.offsets, st.weights, strict=True)]
        for h in h_values:
            total = 0.0
            for s, w in pairs:
                total += w * _f_math(X0 + s * h)
            errors.append(abs(total / h**st.derivative - exact[st.derivative]))
    return errors


def _findiff(formula, h, exact):
    from findiff import coefficients

    out = []
    for d in (1, 2):
        table = coefficients(deriv=d, acc=2)
        table4 = coefficients(deriv=d, acc=4)
        for kind, acc in SCHEMES:
            c = (table if acc == 2 else table4)[KIND_FINDIFF[kind]]
            offs = np.asarray(c["offsets"], float)
            w = np.asarray(c["coefficients"], float)
            samples = formula.numpy(X0 + h[:, None] * offs)
            out.append(np.abs(samples @ w / h**d - exact[d]))
    return out


def _median_cpu(fn, repeat: int = 7) -> float:
    """Median CPU time (this process) of ``fn()``, after one warm-up call."""
    fn()
    times = []
    for _ in range(repeat):
        t0 = time.process_time()
        fn()
        times.append(time.process_time() - t0)
    return statistics.median(times)


def _ours(formula, stencils, h, exact):
    return [np.abs(apply(st, formula.numpy, X0, h) - exact[st.derivative]) for st in stencils]


def run() -> list[Row]:
    formula = parse("sin(x)*exp(-x^2)")
    h = default_steps(200)
    stencils = [stencil(d, a, k) for d in (1, 2) for k, a in SCHEMES]
    exact = {
        1: math.cos(X0) * math.exp(-X0 * X0) - 2 * X0 * _f_math(X0),
        2: (4 * X0 * X0 - 3) * _f_math(X0) - 4 * X0 * math.cos(X0) * math.exp(-X0 * X0),
    }
    # Same numbers from all three (checked, so the timings compare like with like).
    ours = np.concatenate(_ours(formula, stencils, h, exact))
    naive = np.array(_naive(stencils, h, exact))
    fdf = np.concatenate(_findiff(formula, h, exact))
    finite = h > 1e-3  # truncation-dominated: round-off differences do not show
    for other in (naive, fdf):
        both = np.tile(finite, 8)
        assert np.allclose(ours[both], other[both], rtol=1e-4, atol=1e-8)

    t_ours = median_time(lambda: _ours(formula, stencils, h, exact), repeat=21, warmup=3)
    t_naive = median_time(lambda: _naive(stencils, h, exact), repeat=7)
    t_findiff = median_time(lambda: _findiff(formula, h, exact), repeat=7)

    def full() -> None:
        for d in (1, 2):
            error_sweep(
                formula,
                X0,
                d,
                [st for st in stencils if st.derivative == d],
                complex_step_too=False,
                autodiff_too=False,
            )

    t_full = median_time(full, repeat=7, warmup=2)
    cpu_full = _median_cpu(full)
    cpu_naive = _median_cpu(lambda: _naive(stencils, h, exact))

    def ours_stencils() -> None:
        for d in range(1, 5):
            for acc in range(2, 9):
                for kind in ("forward", "backward", "central"):
                    if kind == "central" and acc % 2:
                        continue
                    stencil.__wrapped__(d, acc, kind)

    def findiff_stencils() -> None:
        from findiff import coefficients

        for d in range(1, 5):
            for acc in range(2, 9, 2):
                coefficients(deriv=d, acc=acc, symbolic=True)
            for acc in range(3, 9, 2):  # one-sided only: findiff's acc is even
                coefficients(deriv=d, acc=acc + 1, symbolic=True)

    t_st = median_time(ours_stencils, repeat=5)
    t_fst = median_time(findiff_stencils, repeat=3)
    return [
        Row(
            "8 lecture formulas x 200 h: estimates + errors",
            t_ours,
            t_naive,
            peer_name="per-point Python loop (math)",
            note="same numbers (checked)",
        ),
        PEERS["findiff-coefficients"].row(
            "8 lecture formulas x 200 h: estimates + errors",
            t_ours,
            t_findiff,
            unit="s",
            note="same evaluation; peer's weights are floats",
        ),
        Row(
            "full error_sweep, 8 formulas x 200 h (2 calls: f', f'')",
            t_full,
            t_naive,
            peer_name="per-point Python loop (estimates only)",
            goal="well under 50 ms",
            note="ours adds sympy reference, Taylor model, fits, h*",
        ),
        Row(
            "full error_sweep, CPU time (process_time)",
            cpu_full,
            cpu_naive,
            peer_name="per-point Python loop (estimates only)",
            goal="well under 50 ms",
            note="CPU seconds: less sensitive to other processes than wall time",
        ),
        PEERS["findiff-coefficients"].row(
            "exact stencils d=1..4, acc=2..8, 3 kinds",
            t_st,
            t_fst,
            unit="s",
            note="findiff coefficients(symbolic=True): 16 calls, 3 kinds each; acc even only",
        ),
        *_numdifftools_rows(formula, exact),
    ]


# --------------------------------------------------------------------------- numdifftools
def _ours_at_h_star(formula, d: int) -> tuple[float, float, float]:
    """Central O(h⁴) estimate of f^(d)(X0) at the model's optimal step: (estimate, E*, h*)."""
    st = stencil(d, 4, "central")
    taylor = taylor_derivatives(formula, X0, d + st.order)
    m = abs(complex(taylor[d + st.order]))
    f_scale = max(abs(complex(taylor[0])), 1e-300)
    h_star, e_star = optimal_step(st, m, f_scale, EPS)
    return float(apply(st, formula.numpy, X0, h_star)), e_star, h_star


def _numdifftools(peer, f, d: int) -> tuple[float, float, int]:
    """numdifftools' estimate of f^(d)(X0) as configured: (estimate, its error estimate, calls)."""
    import numdifftools as nd

    calls = [0]

    def counted(x):
        calls[0] += np.size(x)
        return f(x)

    cfg = peer.config
    deriv = nd.Derivative(
        counted,
        n=d,
        method=cfg["method"],
        order=cfg["order"],
        step=cfg["step"],
        full_output=cfg["full_output"],
    )
    r = deriv(X0)
    est, err = (
        (r.estimate, r.error_estimate) if hasattr(r, "estimate") else (r[0], r[1].error_estimate)
    )
    return float(est), float(err), calls[0]


def _numdifftools_rows(formula, exact) -> list[Row]:
    central, cplx = PEERS["numdifftools-central"], PEERS["numdifftools-complex"]
    f = formula.numpy
    rows = []
    for d in (1, 2):
        est, e_star, h_star = _ours_at_h_star(formula, d)
        p_est, p_err, calls = _numdifftools(central, f, d)
        rows.append(central.row(
            f"f{chr(39) * d}(0.5) of sin(x)exp(-x²): |error|, central O(h⁴) at h*",
            abs(est - exact[d]), abs(p_est - exact[d]), unit="abs err", goal="(accuracy)",
            note=(f"ours h* = {h_star:.2g}, 5-point stencil, model's E* = {e_star:.1e}; "
                  f"peer {calls} evaluations, its error estimate {p_err:.1e}"),
        ))  # fmt: skip
    ours_cs = float(complex_step(f, X0, 1e-20))
    p_est, p_err, calls = _numdifftools(cplx, f, 1)
    rows.append(
        cplx.row(
            "f'(0.5): |error|, complex step",
            abs(ours_cs - exact[1]),
            abs(p_est - exact[1]),
            unit="abs err",
            goal="(accuracy)",
            note=f"ours h = 1e-20, 1 evaluation; peer {calls} evaluations, estimate {p_err:.1e}",
        )
    )

    def ours() -> None:
        for d in (1, 2):
            _ours_at_h_star(formula, d)

    def peer() -> None:
        for d in (1, 2):
            _numdifftools(central, f, d)

    rows.append(
        central.row(
            "f' and f'' at 0.5, each with an error estimate: time",
            median_time(ours, repeat=7),
            median_time(peer, repeat=7),
            unit="s",
            note="ours: Taylor coefficients (mpmath) for h* and E*, then 5 samples each",
        )
    )
    return rows
