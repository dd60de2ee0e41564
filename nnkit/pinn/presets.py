"""The problems offered on the page, with settings that train quickly on a small CPU.

``PROBLEM_KEYS`` lists them in page order; :func:`make_problem` builds one from its
parameters; :data:`QUICK` holds the default :class:`~nnkit.pinn.PINNConfig` of each
(measured in ``benchmarks/bench_pinn.py``); :data:`PAPER_BURGERS` is the setup of
Raissi, Perdikaris & Karniadakis (2019), and :data:`PAPER_BURGERS_BFGS` the same with
full-matrix BFGS instead of L-BFGS.
"""

from __future__ import annotations

import math
from dataclasses import replace
from typing import Any

from nnkit.pinn.config import PINNConfig
from nnkit.pinn.problems import Burgers, FirstOrderODE, Heat, Oscillator, Poisson, Problem

__all__ = [
    "PROBLEM_LABELS",
    "PROBLEM_KEYS",
    "DEFAULT_PARAMS",
    "QUICK",
    "PAPER_BURGERS",
    "PAPER_BURGERS_BFGS",
    "PAPER_BURGERS_MEASURED",
    "make_problem",
]

PROBLEM_LABELS: dict[str, str] = {
    "poisson": "Poisson 1-D (warm-up)",
    "oscillator": "Damped oscillator",
    "oscillator_inverse": "Damped oscillator: find μ from data",
    "heat": "Heat equation",
    "burgers": "Viscous Burgers",
    "ode": "Your ODE u' = f(t, u)",
}
PROBLEM_KEYS = tuple(PROBLEM_LABELS)

DEFAULT_PARAMS: dict[str, dict[str, Any]] = {
    "poisson": {},
    "oscillator": {"m": 1.0, "mu": 4.0, "k": 400.0},
    "oscillator_inverse": {
        "m": 1.0,
        "mu": 4.0,
        "k": 400.0,
        "mu_init": 1.0,
        "n_obs": 40,
        "noise": 0.04,
    },
    "heat": {"alpha": 0.4},
    "burgers": {"nu": 0.01 / math.pi},
    "ode": {"f": "-2*u + sin(4*t)", "u0": 1.0, "t_end": 3.0},
}
"""Each problem's parameters as the page starts (the issue's defaults)."""

QUICK: dict[str, PINNConfig] = {
    "poisson": PINNConfig(
        hidden=(20, 20),
        n_collocation=100,
        adam_epochs=20,
        adam_steps_per_epoch=10,
        lr=1e-2,
        lbfgs_epochs=10,
        eval_every=2,
    ),
    "oscillator": PINNConfig(
        hidden=(32, 32, 32),
        n_collocation=200,
        adam_epochs=100,
        adam_steps_per_epoch=10,
        lr=1e-2,
        lbfgs_epochs=50,
        eval_every=5,
    ),
    "oscillator_inverse": PINNConfig(
        hidden=(32, 32, 32),
        n_collocation=200,
        adam_epochs=40,
        adam_steps_per_epoch=10,
        lr=1e-2,
        lbfgs_epochs=60,
        eval_every=5,
    ),
    "heat": PINNConfig(
        hidden=(20, 20, 20),
        n_collocation=500,
        adam_epochs=30,
        adam_steps_per_epoch=10,
        lr=1e-2,
        lbfgs_epochs=60,
        eval_every=5,
    ),
    "burgers": PINNConfig(
        hidden=(20, 20, 20),
        n_collocation=1000,
        adam_epochs=30,
        adam_steps_per_epoch=10,
        lr=1e-2,
        refine_every=5,
        refine_points=100,
        lbfgs_epochs=300,
        eval_every=5,
    ),
    "ode": PINNConfig(
        hidden=(32, 32),
        n_collocation=200,
        adam_epochs=50,
        adam_steps_per_epoch=10,
        lr=1e-2,
        lbfgs_epochs=30,
        eval_every=5,
    ),
}
"""Default settings per problem: train in seconds to a minute here."""

PAPER_BURGERS = PINNConfig(
    hidden=(20,) * 8,
    init="glorot_normal",
    n_collocation=10_000,
    sampling="lhs",
    n_conditions=50,
    hard_constraints=False,
    adam_epochs=0,
    lbfgs_epochs=20_000,
    lbfgs_iters_per_epoch=50,
    float64=True,
    eval_every=1,
    seed=0,
)
"""Raissi et al. (2019): 8 × 20 tanh initialised as in their code (truncated Glorot
normal, zero biases), 10,000 Latin-hypercube collocation points, 100 initial/boundary
points (50 on t = 0, 25 on each end), soft constraints, L-BFGS in float64 from the
start (50 iterations per recorded epoch: each optimizer call re-evaluates the loss
once, so longer calls waste fewer evaluations). The derivatives are computed in
closed form (:mod:`nnkit.pinn.derivatives`)."""

PAPER_BURGERS_BFGS = replace(PAPER_BURGERS, quasi_newton="bfgs")
"""The paper's setup (same network, initialisation, points, float64, line search) with
the quasi-Newton method that keeps every curvature pair: self-scaled BFGS
(:mod:`nnkit.bfgs`; 3,021 weights, a 73 MB matrix). Over 5 seeds, on one core of a
2-core machine: median relative L2 3.5e-4 after 3 minutes and 2.2e-4 after 8 (worst
seed 1.5e-3 and 9.2e-4), against 6.9e-3 and 6.4e-3 for L-BFGS; Raissi et al. report
6.7e-4 (``benchmarks/bench_pinn.py``)."""

PAPER_BURGERS_MEASURED: dict[str, float] = {
    "bfgs_3min": 3.5e-4,
    "bfgs_8min": 2.2e-4,
    "lbfgs_3min": 6.9e-3,
    "lbfgs_8min": 6.4e-3,
    "paper": 6.7e-4,
}
"""Median relative L2 over 5 seeds of :data:`PAPER_BURGERS_BFGS` ("bfgs") and
:data:`PAPER_BURGERS` ("lbfgs") after 3 and 8 minutes, one run per core of a 2-core
machine (``NNKIT_BENCH_PINN_LONG=only python -m benchmarks pinn``, 2026-11-26), and the
error Raissi et al. report: the figures the page quotes, kept in one place."""


def make_problem(key: str, params: dict[str, Any] | None = None) -> Problem:
    """Build a problem by key with the given parameters (defaults for missing ones).

    Raises
    ------
    ValueError
        With a message saying what to change (negative viscosity, over-damped
        oscillator, a formula that is not a function of t and u, a blow-up, ...).
    """
    if key not in PROBLEM_LABELS:
        raise ValueError(f"unknown problem {key!r}; choose one of {', '.join(PROBLEM_KEYS)}")
    p = {**DEFAULT_PARAMS[key], **(params or {})}
    if key == "poisson":
        return Poisson()
    if key == "oscillator":
        return Oscillator(m=p["m"], mu=p["mu"], k=p["k"])
    if key == "oscillator_inverse":
        return Oscillator(
            m=p["m"],
            mu=p["mu"],
            k=p["k"],
            inverse=True,
            mu_init=p["mu_init"],
            n_obs=int(p["n_obs"]),
            noise=p["noise"],
        )
    if key == "heat":
        return Heat(alpha=p["alpha"])
    if key == "burgers":
        return Burgers(nu=p["nu"])
    from nnkit.expr import parse

    f = p["f"]
    formula = parse(f, variables=("t", "u")) if isinstance(f, str) else f
    return FirstOrderODE(formula, u0=float(p["u0"]), t_end=float(p["t_end"]))
