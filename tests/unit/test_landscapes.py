"""nnkit.landscapes against torch (the lecture's own loop, autograd, torch.optim)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy.optimize import minimize

from nnkit import landscapes as L
from nnkit._torch import torch
from nnkit.plots.landscapes import contour_map, fit_chart, loss_chart, path_frame

SEED = 0


@pytest.fixture(scope="module")
def problem() -> L.RegressionProblem:
    return L.lecture_problem(SEED)


@pytest.fixture(scope="module")
def analysis(problem) -> L.QuadraticAnalysis:
    return L.analyse(problem)


# --------------------------------------------------------------------------- regression


def test_problem_is_the_lecture_data(problem):
    """Same numbers as the lecture's code after torch.manual_seed(seed)."""
    with torch.random.fork_rng():
        torch.manual_seed(SEED)
        X = torch.rand(100, 1) * 10
        y_true = 3 * X + 2 + torch.randn(100, 1) * 0.5
        w = torch.randn(1, requires_grad=True)
        b = torch.randn(1, requires_grad=True)
    np.testing.assert_array_equal(problem.x, X.double().numpy().ravel())
    np.testing.assert_array_equal(problem.y, y_true.double().numpy().ravel())
    assert problem.w0 == w.item() and problem.b0 == b.item()
    other = L.lecture_problem(SEED + 1)
    assert not np.array_equal(other.x, problem.x)


def test_loss_gradient_hessian_match_torch(problem, analysis):
    X = torch.tensor(problem.x)
    Y = torch.tensor(problem.y)
    rng = np.random.default_rng(1)
    for w_, b_ in rng.normal(size=(5, 2)) * 3:
        w = torch.tensor(w_, requires_grad=True)
        b = torch.tensor(b_, requires_grad=True)
        loss = ((w * X + b - Y) ** 2).mean()
        loss.backward()
        assert problem.loss(w_, b_) == pytest.approx(loss.item(), rel=1e-12)
        gw, gb = problem.gradient(w_, b_)
        assert gw == pytest.approx(w.grad.item(), rel=1e-10, abs=1e-10)
        assert gb == pytest.approx(b.grad.item(), rel=1e-10, abs=1e-10)

    def J(theta):
        return ((theta[0] * X + theta[1] - Y) ** 2).mean()

    H = torch.autograd.functional.hessian(J, torch.zeros(2, dtype=torch.float64)).numpy()
    np.testing.assert_allclose(analysis.hessian, H, rtol=1e-12)
    np.testing.assert_allclose(analysis.eigenvalues, np.linalg.eigvalsh(H), rtol=1e-12)


def test_surface_grid_equals_per_point_mean(problem):
    grid = L.loss_surface(problem, (0.0, 6.0), (-2.0, 5.0), n=30)
    W, B = np.meshgrid(grid.x, grid.y)
    direct = ((W[..., None] * problem.x + B[..., None] - problem.y) ** 2).mean(axis=-1)
    np.testing.assert_allclose(grid.z, direct, rtol=1e-11)
    assert grid.z.shape == (30, 30)


def test_sample_curvatures_are_per_point_hessian_eigenvalues(problem):
    i = 7
    x = torch.tensor(problem.x[i])
    y = torch.tensor(problem.y[i])
    H = torch.autograd.functional.hessian(
        lambda t: (t[0] * x + t[1] - y) ** 2, torch.zeros(2, dtype=torch.float64)
    )
    assert problem.sample_curvatures()[i] == pytest.approx(np.linalg.eigvalsh(H.numpy()).max())


def test_closed_form_optimum(problem, analysis):
    w_fit, b_fit = np.polyfit(problem.x, problem.y, 1)
    assert analysis.w_star == pytest.approx(w_fit, rel=1e-10)
    assert analysis.b_star == pytest.approx(b_fit, rel=1e-10)
    gw, gb = problem.gradient(analysis.w_star, analysis.b_star)
    assert abs(gw) < 1e-9 and abs(gb) < 1e-9
    # the lecture says w ≈ 3 and b ≈ 2
    assert abs(analysis.w_star - 3) < 0.1 and abs(analysis.b_star - 2) < 0.3
    assert analysis.loss_star == pytest.approx(problem.loss(analysis.w_star, analysis.b_star))
    assert analysis.excess_loss(3.1, 1.7) == pytest.approx(
        problem.loss(3.1, 1.7) - analysis.loss_star, rel=1e-9
    )


def test_full_batch_equals_lecture_loop_step_for_step(problem):
    """The lecture's loop in float64: identical path; in its own float32: same to 1e-4."""
    run = L.gradient_descent(problem, lr=0.01, epochs=1000)
    assert run.mode == "batch" and run.steps == 1000 and not run.diverged

    def lecture_loop(dtype):
        X = torch.tensor(problem.x, dtype=dtype).reshape(-1, 1)
        y_true = torch.tensor(problem.y, dtype=dtype).reshape(-1, 1)
        w = torch.tensor([problem.w0], dtype=dtype, requires_grad=True)
        b = torch.tensor([problem.b0], dtype=dtype, requires_grad=True)
        path = [(w.item(), b.item())]
        for _ in range(1000):
            y_pred = w * X + b
            loss = ((y_pred - y_true) ** 2).mean()
            loss.backward()
            with torch.no_grad():
                w -= 0.01 * w.grad
                b -= 0.01 * b.grad
            w.grad.zero_()
            b.grad.zero_()
            path.append((w.item(), b.item()))
        return np.array(path)

    np.testing.assert_allclose(run.path, lecture_loop(torch.float64), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(run.path[-1], lecture_loop(torch.float32)[-1], atol=1e-4)


@pytest.mark.parametrize("batch_size,epochs", [(32, 6), (1, 2), (7, 3)])
def test_minibatch_equals_dataloader_loop(problem, batch_size, epochs):
    """Shuffled mini-batches in exactly a DataLoader's order, step for step."""
    seed = 11
    run = L.gradient_descent(problem, lr=0.004, epochs=epochs, batch_size=batch_size, seed=seed)
    X = torch.tensor(problem.x).reshape(-1, 1)
    Y = torch.tensor(problem.y).reshape(-1, 1)
    loader = torch.utils.data.DataLoader(
        torch.utils.data.TensorDataset(X, Y),
        batch_size=batch_size,
        shuffle=True,
        generator=torch.Generator().manual_seed(seed),
    )
    w = torch.tensor([problem.w0], dtype=torch.float64, requires_grad=True)
    b = torch.tensor([problem.b0], dtype=torch.float64, requires_grad=True)
    path, batch_losses, evals = [(w.item(), b.item())], [], [0]
    for _ in range(epochs):
        for xb, yb in loader:
            loss = ((w * xb + b - yb) ** 2).mean()
            batch_losses.append(loss.item())
            loss.backward()
            with torch.no_grad():
                w -= 0.004 * w.grad
                b -= 0.004 * b.grad
            w.grad.zero_()
            b.grad.zero_()
            path.append((w.item(), b.item()))
            evals.append(evals[-1] + len(xb))
    assert run.steps == len(path) - 1 == epochs * math.ceil(100 / batch_size)
    np.testing.assert_allclose(run.path, np.array(path), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(run.batch_loss, batch_losses, rtol=1e-9)
    np.testing.assert_array_equal(run.grad_evals, evals)
    assert run.epoch_loss.shape == (epochs + 1,)
    assert run.epoch_loss[-1] == pytest.approx(run.loss[-1])


def test_dataloader_permutations_match_dataloader():
    loader = torch.utils.data.DataLoader(
        list(range(13)), batch_size=13, shuffle=True, generator=torch.Generator().manual_seed(4)
    )
    expected = np.array([torch.cat(list(loader)).numpy() for _ in range(4)])
    np.testing.assert_array_equal(L.dataloader_permutations(13, 4, 4), expected)


def test_gd_reaches_optimum_and_lecture_budget_is_short(problem, analysis):
    theta0 = (problem.w0, problem.b0)
    need = analysis.steps_to_reach(theta0, 0.01, tol=1e-3)
    assert need is not None and need > 1000  # the lecture's 1000 epochs are not enough
    run = L.gradient_descent(problem, lr=0.01, epochs=need)
    dist = np.hypot(*(run.path - analysis.theta_star).T)
    assert dist[-1] <= 1e-3 < dist[-2]  # reached exactly at the predicted epoch
    # the closed-form error prediction (I − αH)^t (θ0 − θ*) matches every step
    pred = analysis.predicted_error(theta0, 0.01, np.arange(need + 1))
    np.testing.assert_allclose(run.path - analysis.theta_star, pred, atol=1e-10)
    # after 1000 epochs the remaining error lies along the slow eigenvector
    err = run.path[1000] - analysis.theta_star
    slow = analysis.eigenvectors[:, 0]
    assert abs(err @ slow) / np.hypot(*err) > 0.999
    assert abs(slow[1]) > abs(slow[0])  # ... which is mostly the intercept b
    assert analysis.rate(0.01) == pytest.approx(1 - 0.01 * analysis.lambda_min)
    # centring x would make the problem much better conditioned
    assert analysis.centred_condition < analysis.condition / 5


def test_critical_learning_rate(problem, analysis):
    crit = analysis.critical_lr
    assert crit == pytest.approx(2 / np.linalg.eigvalsh(analysis.hessian).max())
    ok = L.gradient_descent(problem, lr=0.98 * crit, epochs=3000)
    assert not ok.diverged and ok.loss[-1] < ok.loss[0]
    bad = L.gradient_descent(problem, lr=1.05 * crit, epochs=3000)
    assert bad.diverged and bad.stop_reason
    assert np.all(np.isfinite(bad.path)) and bad.steps == bad.diverged_at - 1
    assert bad.loss[-1] > bad.loss[0]
    assert analysis.steps_to_reach((problem.w0, problem.b0), 1.05 * crit) is None
    inf = L.gradient_descent(problem, lr=1.0, epochs=2000, escape=math.inf)
    assert inf.diverged and "infinite or NaN" in inf.stop_reason


def test_bad_arguments_raise_value_error(problem):
    for kwargs in ({"lr": -1}, {"lr": float("nan")}, {"batch_size": 0}, {"epochs": -3}):
        with pytest.raises(ValueError):
            L.gradient_descent(problem, **kwargs)


# --------------------------------------------------------------------------- test surfaces

ALL_SURFACES = [
    L.surface("quadratic", condition=25, angle=30),
    L.surface("quadratic"),
    *(L.surface(k) for k in L.SURFACES if k != "quadratic"),
]


@pytest.mark.parametrize("surf", ALL_SURFACES, ids=lambda s: s.name)
def test_gradient_matches_autograd(surf):
    rng = np.random.default_rng(3)
    (x0, x1), (y0, y1) = surf.domain
    pts = np.column_stack([rng.uniform(x0, x1, 20), rng.uniform(y0, y1, 20)])
    for x, y in pts:
        p = torch.tensor([x, y], dtype=torch.float64, requires_grad=True)
        v = surf.torch_f(p[0], p[1])
        v.backward()
        assert float(surf.f(x, y)) == pytest.approx(v.item(), rel=1e-12, abs=1e-12)
        gx, gy = surf.grad(x, y)
        np.testing.assert_allclose([gx, gy], p.grad.numpy(), rtol=1e-10, atol=1e-9)


@pytest.mark.parametrize("surf", ALL_SURFACES, ids=lambda s: s.name)
def test_minima_where_the_literature_puts_them(surf):
    for m in surf.minima:
        assert float(surf.f(*m)) == pytest.approx(surf.f_min, abs=1e-9)
        # a numerical optimiser started nearby lands on the listed point
        res = minimize(
            lambda p: float(surf.f(*p)),
            np.array(m) + 0.05,
            jac=lambda p: np.array([float(g) for g in surf.grad(*p)]),
            method="BFGS",
            options={"gtol": 1e-12},
        )
        np.testing.assert_allclose(res.x, m, atol=2e-6)
        # and it is a minimum: positive-definite Hessian (autograd)
        H = torch.autograd.functional.hessian(
            lambda p: surf.torch_f(p[0], p[1]), torch.tensor(m, dtype=torch.float64)
        )
        assert np.all(np.linalg.eigvalsh(H.numpy()) > 0)
    if surf.minima:
        grid = surf.grid(201)
        assert grid.z.min() >= surf.f_min - 1e-12  # nothing on the grid lower than f_min


def test_saddle_has_a_saddle_and_no_minimum():
    s = L.surface("saddle")
    assert s.minima == () and s.f_min is None and s.critical_points == ((0.0, 0.0),)
    H = torch.autograd.functional.hessian(
        lambda p: s.torch_f(p[0], p[1]), torch.zeros(2, dtype=torch.float64)
    )
    lo, hi = np.linalg.eigvalsh(H.numpy())
    assert lo < 0 < hi


def test_quadratic_condition_number():
    s = L.surface("quadratic", condition=40, angle=20)
    H = torch.autograd.functional.hessian(
        lambda p: s.torch_f(p[0], p[1]), torch.zeros(2, dtype=torch.float64)
    )
    np.testing.assert_allclose(np.linalg.eigvalsh(H.numpy()), [1, 40], rtol=1e-12)
    with pytest.raises(ValueError):
        L.surface("quadratic", condition=0.5)
    with pytest.raises(ValueError):
        L.surface("nope")


def test_rastrigin_is_the_dataset_function():
    """The lecture's exercise 1 function; the formula sums its terms in another order."""
    from nnkit.datasets import rastrigin

    s = L.surface("rastrigin")
    x = np.linspace(-5, 5, 7)
    np.testing.assert_allclose(s.f(x, x[::-1]), rastrigin(x, x[::-1]), rtol=1e-14, atol=1e-13)


# --------------------------------------------------------------------------- optimizers

HYPER = {
    "sgd": {"lr": 0.002},
    "momentum": {"lr": 0.001, "momentum": 0.8},
    "nesterov": {"lr": 0.001},
    "adagrad": {"lr": 0.3},
    "rmsprop": {"lr": 0.01, "alpha": 0.9},
    "adam": {"lr": 0.05, "betas": (0.8, 0.99)},
}


@pytest.mark.parametrize("key", list(L.OPTIMIZERS))
def test_trajectory_equals_hand_written_torch_loop(key):
    s = L.surface("rosenbrock")
    tr = L.trajectory(s, key, start=(-1.2, 1.0), steps=120, **HYPER[key])
    p = torch.tensor([-1.2, 1.0], dtype=torch.float64, requires_grad=True)
    cls = {
        "sgd": torch.optim.SGD,
        "momentum": torch.optim.SGD,
        "nesterov": torch.optim.SGD,
        "adagrad": torch.optim.Adagrad,
        "rmsprop": torch.optim.RMSprop,
        "adam": torch.optim.Adam,
    }[key]
    extra = {"nesterov": {"momentum": 0.9, "nesterov": True}}.get(key, {})
    opt = cls([p], **{**extra, **HYPER[key]})
    path, loss = [], []
    for _ in range(121):
        opt.zero_grad()
        f = (1 - p[0]) ** 2 + 100 * (p[1] - p[0] ** 2) ** 2
        path.append(p.detach().numpy().copy())
        loss.append(f.item())
        f.backward()
        opt.step()
    assert not tr.diverged
    np.testing.assert_allclose(tr.path, np.array(path), rtol=1e-13, atol=1e-15)
    np.testing.assert_allclose(tr.loss, loss, rtol=1e-12)


def test_defaults_are_torchs():
    s = L.surface("himmelblau")
    tr = L.trajectory(s, "adam", steps=50)
    p = torch.tensor(s.start, dtype=torch.float64, requires_grad=True)
    opt = torch.optim.Adam([p])
    for _ in range(50):
        opt.zero_grad()
        s.torch_f(p[0], p[1]).backward()
        opt.step()
    np.testing.assert_allclose(tr.path[-1], p.detach().numpy(), rtol=1e-14)
    assert tr.hyper == {"lr": 0.001, "betas": (0.9, 0.999), "eps": 1e-8}
    assert L.OPTIMIZERS["rmsprop"].defaults()["alpha"] == 0.99
    assert L.OPTIMIZERS["momentum"].defaults()["momentum"] == 0.9


def test_divergence_is_a_result():
    s = L.surface("rosenbrock")
    tr = L.trajectory(s, "sgd", start=(-1.5, 2.5), steps=200, lr=0.01)
    assert tr.diverged and tr.stop_reason
    assert tr.path.shape[0] == tr.diverged_at  # every kept point is before the bad step
    assert np.all(np.isfinite(tr.path)) and np.all(np.isfinite(tr.loss))
    # the same loop by hand: the step reported is the first one that is non-finite/escaped
    p = torch.tensor([-1.5, 2.5], dtype=torch.float64, requires_grad=True)
    opt = torch.optim.SGD([p], lr=0.01)
    for t in range(tr.diverged_at):
        opt.zero_grad()
        f = s.torch_f(p[0], p[1])
        assert math.isfinite(f.item()) and p.abs().max().item() <= L.ESCAPE, t
        f.backward()
        opt.step()
    f = s.torch_f(p[0], p[1]).item()
    assert not (math.isfinite(f) and p.abs().max().item() <= L.ESCAPE)


def test_race_and_bad_names():
    s = L.surface("quadratic", condition=50)
    runs = L.race(s, {"sgd": {"lr": 0.03}, "momentum": {"lr": 0.03}}, steps=100)
    assert [r.optimizer for r in runs] == ["sgd", "momentum"]
    assert all(r.path.shape == (101, 2) for r in runs)
    with pytest.raises(ValueError):
        L.trajectory(s, "lbfgs")
    with pytest.raises(ValueError):
        L.trajectory(s, "sgd", betas=(0.9, 0.9))


# --------------------------------------------------------------------------- chart helpers


def test_contour_segments_lie_on_the_level_set():
    x = np.linspace(-2, 2, 81)
    grid = L.SurfaceGrid(x, x, x[None, :] ** 2 + x[:, None] ** 2)
    seg = L.contour_segments(grid, [1.0, 2.25])
    for level, r in ((1.0, 1.0), (2.25, 1.5)):
        s = seg[seg["level"] == level]
        assert len(s) > 40
        for cx, cy in (("x", "y"), ("x2", "y2")):
            np.testing.assert_allclose(np.hypot(s[cx], s[cy]), r, atol=2e-3)
    # a saddle grid (ambiguous cells) still produces segments on the level set
    g2 = L.SurfaceGrid(x, x, x[None, :] * x[:, None])
    s2 = L.contour_segments(g2, [0.5])
    np.testing.assert_allclose(s2["x"] * s2["y"], 0.5, atol=5e-3)


def test_chart_builders_return_serialisable_charts(problem, analysis):
    s = L.surface("beale")
    g = s.grid(40)
    seg = L.contour_segments(g, L.contour_levels(g.z))
    tr = L.trajectory(s, "adam", steps=30, lr=0.1)
    frame = path_frame({"Adam": tr.path}, upto=10)
    assert frame["step"].max() == 10
    chart = contour_map(seg, s.domain, paths=frame, markers=None)
    assert chart.to_dict()["layer"]
    run = L.gradient_descent(problem, epochs=20)
    assert fit_chart(problem.x, problem.y, {"fit": run.final}).to_dict()
    assert loss_chart(run.frame(), "step", "loss", rule_y=analysis.loss_star).to_dict()
    assert len(path_frame({"a": np.zeros((5000, 2))}, max_points=100)) <= 100


@pytest.mark.parametrize("key", list(L.SURFACES))
def test_surface_contours_fit_in_a_default_altair_chart(key):
    """Jupyter users get a chart without raising Altair's 5000-row limit."""
    s = L.surface(key)
    seg = s.contours()
    assert 0 < len(seg) <= 4500 and seg["level"].nunique() >= 4
    f = s.f(seg["x"].to_numpy(), seg["y"].to_numpy())
    # every segment end lies on its level (up to the grid's linear interpolation)
    spread = float(np.ptp(s.grid(80).z))
    assert np.median(np.abs(f - seg["level"].to_numpy())) < 0.01 * spread
    assert contour_map(seg, s.domain).to_dict()["layer"]


def test_classic_pictures_show_what_their_text_says():
    p = L.PRESETS["momentum_ravine"]
    s = L.surface(p.surface, **p.params)
    sgd, mom, nes = L.race(s, p.optimizers, p.start, p.steps)
    assert not (sgd.diverged or mom.diverged or nes.diverged)
    assert np.all(np.sign(sgd.path[1:21, 1]) != np.sign(sgd.path[:20, 1]))  # wall to wall
    assert sgd.path[:, 0].max() < 0 < mom.path[:, 0].max() - 0.5  # only momentum overshoots
    assert 0 < nes.path[:, 0].max() < mom.path[:, 0].max()  # Nesterov: less
    # the stability limits quoted in the text, checked by running
    mu, lam = 0.9, 50.0
    nes_limit, hb_limit = 2 * (1 + mu) / ((1 + 2 * mu) * lam), 2 * (1 + mu) / lam
    for key, limit in (("nesterov", nes_limit), ("momentum", hb_limit)):
        ok = L.trajectory(s, key, start=p.start, steps=400, lr=0.95 * limit, momentum=mu)
        bad = L.trajectory(s, key, start=p.start, steps=400, lr=1.05 * limit, momentum=mu)
        assert not ok.diverged and np.hypot(*ok.final) < 1e-6
        assert bad.diverged
    assert L.trajectory(s, "nesterov", start=p.start, steps=p.steps, lr=0.035).diverged

    p = L.PRESETS["adam_rosenbrock"]
    s = L.surface(p.surface, **p.params)
    runs = {r.optimizer: r for r in L.race(s, p.optimizers, p.start, p.steps)}
    dist = {k: s.nearest_minimum(r.final)[1] for k, r in runs.items()}
    assert dist["adam"] < dist["sgd"] and dist["momentum"] < dist["sgd"]
    assert runs["sgd"].path[-1, 0] < 0  # SGD still crawling along the valley floor


def test_preset_matching_and_stuck_points():
    p = L.PRESETS["momentum_ravine"]
    assert L.preset_matches(p, p.surface, dict(p.params), p.start, p.steps, p.optimizers)
    explicit = {k: {**L.OPTIMIZERS[k].defaults(), **h} for k, h in p.optimizers.items()}
    assert L.preset_matches(p, p.surface, {"condition": 50.0}, p.start, p.steps, explicit)
    changed = {**explicit, "sgd": {"lr": 0.03}}
    assert not L.preset_matches(p, p.surface, dict(p.params), p.start, p.steps, changed)
    assert not L.preset_matches(p, p.surface, {"condition": 40.0}, p.start, p.steps, explicit)
    assert not L.preset_matches(p, p.surface, dict(p.params), (0, 0), p.steps, explicit)

    r = L.surface("rastrigin")
    assert r.stuck_at((1.98991, 1.98991))  # a local minimum of Rastrigin
    assert not r.stuck_at((0.0, 0.0))  # the global one
    assert not r.stuck_at((2.3, 1.7))  # not stationary
    assert L.surface("saddle").stuck_at((0.0, 0.0))  # saddle point
