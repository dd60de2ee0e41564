"""PINNs beside DeepXDE (PyTorch backend): relative L2 error after the same wall budget.

    python -m benchmarks pinn_peers     # ~8 minutes

For the damped oscillator (30 s), the heat equation (60 s) and viscous Burgers (60 s),
nnkit's quick preset (``nnkit.pinn.presets.QUICK``, as the PINN page runs it) beside
DeepXDE configured from ``benchmarks.peers``: its published example for the problem,
cut at the budget, and the same example with its two phases (Adam, then L-BFGS) fitted
into the budget, in float64 as DeepXDE's L-BFGS documentation advises. Everything runs
on one thread; each DeepXDE run is a fresh process (``DDE_BACKEND=pytorch`` must be
set before deepxde is imported, and its float setting is process-wide), one at a time.
The error of every run is ``nnkit.metrics.relative_l2`` against the reference nnkit's
problem uses (closed forms; Cole–Hopf for Burgers) on that problem's grid. The budget
starts with the first training step on both sides (DeepXDE's ``callbacks.Timer``).

deepxde is a benchmark-only dependency (requirements-bench.txt).
"""

from __future__ import annotations

import contextlib
import io
import math
import multiprocessing
import os
import time
from concurrent.futures import ProcessPoolExecutor
from typing import Any

import numpy as np

from benchmarks import Row
from benchmarks.peers import PEERS

BUDGETS = {"oscillator": 30.0, "heat": 60.0, "burgers": 60.0}


def _load() -> str:
    return "load {:.1f}/{:.1f}/{:.1f}".format(*os.getloadavg())


def _problem(key: str):
    from nnkit.pinn.presets import make_problem

    return make_problem(key)


def deepxde_plan(config: dict[str, Any], budget: float) -> list[dict[str, Any]]:
    """The training phases a DeepXDE configuration runs, each with its seconds cap.

    A phase with ``share`` gets that part of the budget; one without gets what the
    phases before it left (computed when it starts). Plain data: the test reads it.
    """
    plan = []
    for phase in config["phases"]:
        share = phase.get("share")
        plan.append({**phase, "seconds": None if share is None else share * budget})
    return plan


# --------------------------------------------------------------------------- DeepXDE (child)
def _deepxde_problem(dde, key: str, params: dict[str, float], cfg: dict[str, Any]):
    """geometry, residual and conditions of nnkit's problem ``key``, DeepXDE's way.

    DeepXDE's inputs are (x, t) where nnkit's are (t, x).
    """
    if key == "oscillator":
        m, mu, k = params["m"], params["mu"], params["k"]
        omega0 = math.sqrt(k / m)
        geom = dde.geometry.TimeDomain(0.0, params["t_end"])

        def ode(t, u):  # nnkit's residual: (m u'' + mu u' + k u) / k
            du = dde.grad.jacobian(u, t)
            d2u = dde.grad.hessian(u, t)
            return (m * d2u + mu * du + k * u) / k

        def at_zero(t, on_initial):
            return on_initial and dde.utils.isclose(t[0], 0)

        ic_u = dde.icbc.IC(geom, lambda t: 1.0, lambda _, on_initial: on_initial)
        ic_du = dde.icbc.OperatorBC(  # u'(0) = 0, scaled by 1/omega0 as nnkit's condition
            geom, lambda t, u, X: dde.grad.jacobian(u, t, i=0, j=None) / omega0, at_zero
        )
        data = dde.data.TimePDE(geom, ode, [ic_u, ic_du], cfg["num_domain"], cfg["num_boundary"])
        return data

    x_lo, x_hi = (0.0, 1.0) if key == "heat" else (-1.0, 1.0)
    geomtime = dde.geometry.GeometryXTime(
        dde.geometry.Interval(x_lo, x_hi), dde.geometry.TimeDomain(0.0, params["t_end"])
    )
    if key == "heat":
        alpha = params["alpha"]

        def pde(x, u):
            return dde.grad.jacobian(u, x, i=0, j=1) - alpha * dde.grad.hessian(u, x, i=0, j=0)

        def initial(x):
            return np.sin(np.pi * x[:, 0:1])
    else:
        nu = params["nu"]

        def pde(x, u):
            u_x = dde.grad.jacobian(u, x, i=0, j=0)
            u_t = dde.grad.jacobian(u, x, i=0, j=1)
            return u_t + u * u_x - nu * dde.grad.hessian(u, x, i=0, j=0)

        def initial(x):
            return -np.sin(np.pi * x[:, 0:1])

    bc = dde.icbc.DirichletBC(geomtime, lambda x: 0, lambda _, on_boundary: on_boundary)
    ic = dde.icbc.IC(geomtime, initial, lambda _, on_initial: on_initial)
    extra = {"num_test": cfg["num_test"]} if cfg.get("num_test") else {}
    return dde.data.TimePDE(
        geomtime,
        pde,
        [bc, ic],
        num_domain=cfg["num_domain"],
        num_boundary=cfg["num_boundary"],
        num_initial=cfg["num_initial"],
        **extra,
    )


def _deepxde_run(args: tuple[dict[str, Any], dict[str, float], float, np.ndarray]) -> dict:
    """One DeepXDE run in a fresh process: train by the plan, predict on nnkit's grid."""
    cfg, params, budget, grid = args
    os.environ["DDE_BACKEND"] = cfg["backend"]
    import torch

    torch.set_num_threads(cfg["threads"])
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        import deepxde as dde
        from deepxde.optimizers import config as lbfgs_config

        dde.config.set_default_float(cfg["float"])
        dde.config.set_random_seed(cfg["seed"])
        data = _deepxde_problem(dde, cfg["problem"], params, cfg)
        n_in = 1 if cfg["problem"] == "oscillator" else 2
        net = dde.nn.FNN([n_in, *cfg["layers"], 1], cfg["activation"], cfg["initializer"])
        model = dde.Model(data, net)
        phases, spent, lbfgs_stopped_early = [], 0.0, False
        cpu = 0.0
        for phase in deepxde_plan(cfg, budget):
            left = budget - spent
            seconds = left if phase["seconds"] is None else min(phase["seconds"], left)
            if seconds <= 0:
                break
            timer = dde.callbacks.Timer(seconds / 60.0)  # minutes
            it0 = model.train_state.iteration
            # compile() is not training (the first one takes ~2 s in the PyTorch
            # backend): the clock starts after it, as nnkit's starts at its first step
            if phase["optimizer"] == "L-BFGS":
                chunk = int(cfg["lbfgs_check_every"])
                opts = lbfgs_config.LBFGS_options
                opts["iter_per_step"] = chunk
                opts["fun_per_step"] = opts["maxfun"] * chunk // opts["maxiter"]
                model.compile("L-BFGS")
                t0, c0 = time.perf_counter(), time.process_time()
                model.train(
                    callbacks=[timer], batch_size=cfg["batch_size"], display_every=10**9, verbose=0
                )
                took = time.perf_counter() - t0
                cpu += time.process_time() - c0
                lbfgs_stopped_early = took < 0.9 * seconds
            else:
                model.compile(phase["optimizer"], lr=phase["lr"])
                t0, c0 = time.perf_counter(), time.process_time()
                model.train(
                    iterations=phase["iterations"],
                    callbacks=[timer],
                    batch_size=cfg["batch_size"],
                    display_every=1000,
                    verbose=0,
                )
                took = time.perf_counter() - t0
                cpu += time.process_time() - c0
            spent += took
            phases.append((phase["optimizer"], model.train_state.iteration - it0, took))
        X = grid[:, ::-1] if grid.shape[1] == 2 else grid  # nnkit (t, x) -> DeepXDE (x, t)
        pred = np.asarray(
            model.predict(X.astype(np.float64 if cfg["float"] == "float64" else np.float32)),
            dtype=float,
        ).ravel()
    return {
        "pred": pred,
        "phases": phases,
        "wall": spent,
        "cpu": cpu,
        "lbfgs_stopped_early": lbfgs_stopped_early,
    }


# --------------------------------------------------------------------------- run
def _ours(key: str, budget: float) -> tuple[float, str]:
    from nnkit.limits import Limits
    from nnkit.pinn import PINN
    from nnkit.pinn.presets import QUICK

    pinn = PINN(
        _problem(key),
        QUICK[key],
        limits=Limits(max_train_seconds=budget, max_epochs=10**7, max_samples=50_000),
    )
    c0 = time.process_time()
    pinn.run()
    cpu = time.process_time() - c0
    return (
        pinn.error(),
        f"ours {pinn.epochs_done} epochs in {pinn.wall_time:.1f} s ({cpu:.0f} s CPU)",
    )


def _describe_run(r: dict) -> str:
    phases = ", ".join(f"{name} {its} it in {s:.1f} s" for name, its, s in r["phases"])
    early = " (L-BFGS stopped before its time)" if r["lbfgs_stopped_early"] else ""
    return f"peer {phases}{early} ({r['cpu']:.0f} s CPU)"


def run() -> list[Row]:
    import torch

    from nnkit.metrics import relative_l2

    torch.set_num_threads(1)
    rows: list[Row] = []
    ctx = multiprocessing.get_context("spawn")
    for key, budget in BUDGETS.items():
        problem = _problem(key)
        params = {**problem.parameters(), "t_end": float(problem.highs[0])}
        _, grid = problem.grid()
        ref = problem.reference_on_grid().ravel()
        load0 = _load()
        ours, ours_note = _ours(key, budget)
        for peer in (PEERS[f"deepxde-{key}-example"], PEERS[f"deepxde-{key}"]):
            with ProcessPoolExecutor(max_workers=1, mp_context=ctx) as pool:
                r = pool.submit(_deepxde_run, (dict(peer.config), params, budget, grid)).result()
            err = relative_l2(r["pred"], ref)
            rows.append(
                peer.row(
                    f"{key} rel L2 after {budget:g} s, one thread",
                    ours,
                    err,
                    unit="rel L2",
                    goal="ours < peer" if peer.role == "peer" else "(reference only)",
                    note=f"{ours_note}; {_describe_run(r)}; {load0} at start, {_load()} now",
                )
            )
    return rows
