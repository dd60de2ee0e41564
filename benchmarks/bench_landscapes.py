"""Loss surfaces and trajectories (issue 6): ours beside the code a student would write.

Figures, each measured in this run beside its peer:

- the lecture's loss J(w, b) on a 200 × 200 grid: sufficient statistics (one quadratic
  form) vs numpy broadcasting over every data point, and vs a Python double loop;
- the Rosenbrock surface on a 200 × 200 grid: vectorised vs a Python double loop;
- six 500-step ``torch.optim`` trajectories on Rosenbrock: ``nnkit.landscapes.race`` vs
  the plain loop (autograd, ``.item()``, list of clones) a student writes;
- the issue's figure: surface + six trajectories together;
- stochastic gradient descent (batch 1, 20 epochs = 2000 steps) on the lecture's data:
  sufficient-statistics steps vs a per-sample torch autograd loop.
"""

from __future__ import annotations

import numpy as np

from benchmarks import Row, median_time
from nnkit import landscapes as L
from nnkit._torch import torch

N = 200
STEPS = 500


def _naive_surface_loop(problem: L.RegressionProblem, w: np.ndarray, b: np.ndarray) -> np.ndarray:
    z = np.empty((b.size, w.size))
    for i, bi in enumerate(b):
        for j, wj in enumerate(w):
            z[i, j] = np.mean((wj * problem.x + bi - problem.y) ** 2)
    return z


def _broadcast_surface(problem: L.RegressionProblem, w: np.ndarray, b: np.ndarray) -> np.ndarray:
    W, B = np.meshgrid(w, b)
    return ((W[..., None] * problem.x + B[..., None] - problem.y) ** 2).mean(axis=-1)


def _rosenbrock_loop(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    z = np.empty((y.size, x.size))
    for i, yi in enumerate(y):
        for j, xj in enumerate(x):
            z[i, j] = (1 - xj) ** 2 + 100 * (yi - xj * xj) ** 2
    return z


def _naive_race(start: tuple[float, float], steps: int) -> list[list[tuple[float, float]]]:
    """What a student writes: one loop per optimizer, autograd, .item(), a list of points."""
    makers = [
        lambda p: torch.optim.SGD([p], lr=1e-3),
        lambda p: torch.optim.SGD([p], lr=1e-3, momentum=0.9),
        lambda p: torch.optim.SGD([p], lr=1e-3, momentum=0.9, nesterov=True),
        lambda p: torch.optim.Adagrad([p]),
        lambda p: torch.optim.RMSprop([p]),
        lambda p: torch.optim.Adam([p]),
    ]
    out = []
    for make in makers:
        p = torch.tensor(start, dtype=torch.float64, requires_grad=True)
        opt = make(p)
        path, losses = [p.detach().clone()], []
        for _ in range(steps):
            opt.zero_grad()
            loss = (1 - p[0]) ** 2 + 100 * (p[1] - p[0] ** 2) ** 2
            losses.append(loss.item())
            loss.backward()
            opt.step()
            path.append(p.detach().clone())
        out.append([tuple(q.tolist()) for q in path])
    return out


def _naive_sgd(problem: L.RegressionProblem, epochs: int, seed: int) -> tuple[float, float]:
    X = torch.tensor(problem.x).reshape(-1, 1)
    Y = torch.tensor(problem.y).reshape(-1, 1)
    loader = torch.utils.data.DataLoader(
        torch.utils.data.TensorDataset(X, Y),
        batch_size=1,
        shuffle=True,
        generator=torch.Generator().manual_seed(seed),
    )
    w = torch.tensor([problem.w0], dtype=torch.float64, requires_grad=True)
    b = torch.tensor([problem.b0], dtype=torch.float64, requires_grad=True)
    for _ in range(epochs):
        for xb, yb in loader:
            loss = ((w * xb + b - yb) ** 2).mean()
            loss.backward()
            with torch.no_grad():
                w -= 0.01 * w.grad
                b -= 0.01 * b.grad
            w.grad.zero_()
            b.grad.zero_()
    return w.item(), b.item()


def run() -> list[Row]:
    problem = L.lecture_problem(0)
    w = np.linspace(-1.0, 4.0, N)
    b = np.linspace(-2.0, 4.0, N)
    ours_grid = L.loss_surface(problem, (-1.0, 4.0), (-2.0, 4.0), n=N).z
    assert np.allclose(ours_grid, _broadcast_surface(problem, w, b), rtol=1e-10)
    rows = []

    t_ours = median_time(lambda: L.loss_surface(problem, (-1.0, 4.0), (-2.0, 4.0), n=N), 7)
    t_bc = median_time(lambda: _broadcast_surface(problem, w, b), 3)
    t_loop = median_time(lambda: _naive_surface_loop(problem, w, b), 1, warmup=0)
    rows.append(
        Row(
            "lecture J(w,b), 200×200 grid",
            t_ours,
            t_bc,
            "s",
            "numpy broadcast over 100 points",
            note="same values to 1e-10",
        )
    )
    rows.append(Row("lecture J(w,b), 200×200 grid", t_ours, t_loop, "s", "Python double loop"))

    surf = L.surface("rosenbrock")
    g = surf.grid(N)
    assert np.allclose(g.z, _rosenbrock_loop(g.x, g.y), rtol=1e-12)
    t_s_ours = median_time(lambda: surf.grid(N), 7)
    t_s_loop = median_time(lambda: _rosenbrock_loop(g.x, g.y), 1, warmup=0)
    rows.append(Row("Rosenbrock, 200×200 grid", t_s_ours, t_s_loop, "s", "Python double loop"))

    start = (-1.2, 1.0)
    hyper = {
        "sgd": {},
        "momentum": {"lr": 1e-3},
        "nesterov": {"lr": 1e-3},
        "adagrad": {},
        "rmsprop": {},
        "adam": {},
    }
    ours_paths = L.race(surf, hyper, start=start, steps=STEPS)
    peer_paths = _naive_race(start, STEPS)
    for tr, pp in zip(ours_paths, peer_paths, strict=True):
        assert np.allclose(tr.path, np.array(pp), rtol=1e-12, atol=1e-14)
    t_r_ours = median_time(lambda: L.race(surf, hyper, start=start, steps=STEPS), 3)
    t_r_peer = median_time(lambda: _naive_race(start, STEPS), 3)
    rows.append(
        Row(
            "6 optimizers × 500 steps (torch.optim)",
            t_r_ours,
            t_r_peer,
            "s",
            "student's torch loop",
            note="same paths; both are torch.optim",
        )
    )
    rows.append(
        Row(
            "issue figure: 200×200 surface + 6×500 steps",
            t_s_ours + t_r_ours,
            t_s_loop + t_r_peer,
            "s",
            "double loop + student's loop",
            goal="report the time",
        )
    )

    epochs = 20
    ours_run = L.gradient_descent(problem, lr=0.01, epochs=epochs, batch_size=1, seed=0)
    assert np.allclose(ours_run.final, _naive_sgd(problem, epochs, 0), rtol=1e-9)
    t_g_ours = median_time(
        lambda: L.gradient_descent(problem, lr=0.01, epochs=epochs, batch_size=1, seed=0), 5
    )
    t_g_peer = median_time(lambda: _naive_sgd(problem, epochs, 0), 1)
    rows.append(
        Row(
            "SGD batch 1, 20 epochs (2000 steps)",
            t_g_ours,
            t_g_peer,
            "s",
            "DataLoader + autograd loop",
            note="same path to 1e-9",
        )
    )
    return rows
