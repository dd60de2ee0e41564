"""nnkit.pinn: references, residuals through autodiff, sampling, loss terms, training."""

from __future__ import annotations

import math

import numpy as np
import pytest

from nnkit._torch import torch
from nnkit.limits import Limits
from nnkit.pinn import (
    PINN,
    Burgers,
    FirstOrderODE,
    Heat,
    Oscillator,
    PINNConfig,
    Poisson,
    relative_l2,
    sample_box,
)
from nnkit.pinn import reference as ref
from nnkit.pinn.sampling import refine_by_residual

D = torch.float64
NO_CAP = (
    Limits()
)  # the library default: a loaded test machine must not turn a run into "time_limit"


def _points(problem, n=64, seed=0, lows=None):
    X = sample_box(n, lows or problem.lows, problem.highs, "uniform", seed=seed)
    return torch.as_tensor(X, dtype=D).requires_grad_(True)


# --------------------------------------------------------------------------- references
def test_oscillator_exact_satisfies_initial_conditions_and_has_right_frequency():
    t = np.linspace(0, 1, 2001)
    u = ref.oscillator_exact(t)
    assert u[0] == pytest.approx(1.0)
    du0 = (ref.oscillator_exact(1e-7) - ref.oscillator_exact(-1e-7)) / 2e-7
    assert abs(du0) < 1e-6
    # δ = 2, ω = √396: zero crossings are π/ω apart (phase shift aside)
    crossings = t[1:][np.sign(u[1:]) != np.sign(u[:-1])]
    assert np.diff(crossings).mean() == pytest.approx(math.pi / math.sqrt(396), rel=2e-3)


def test_overdamped_oscillator_is_refused_with_a_message():
    with pytest.raises(ValueError, match="under-damped"):
        Oscillator(mu=50.0)


def test_cole_hopf_matches_an_independent_finite_difference_solution():
    times = np.array([0.25, 0.5, 0.75, 1.0])
    x_c, U_c = ref.burgers_fd(times, nx=1001)
    x_f, U_f = ref.burgers_fd(times, nx=2001)
    C_c = ref.burgers_cole_hopf(times[:, None], x_c[None, :])
    C_f = ref.burgers_cole_hopf(times[:, None], x_f[None, :])
    err_c = np.abs(C_c - U_c).max()
    err_f = np.abs(C_f - U_f).max()
    assert relative_l2(C_f, U_f) < 2e-4
    assert err_f < 2e-3  # the steepest gradient (|u_x| ~ 150 at the shock) included
    # and the gap is the FD's own second-order error: halving Δx divides it by ~4
    assert 3.0 < err_c / err_f < 5.0


def test_cole_hopf_initial_state_boundaries_and_shock_symmetry():
    x = np.linspace(-1, 1, 257)
    assert np.allclose(ref.burgers_cole_hopf(0.0, x), -np.sin(np.pi * x))
    u = ref.burgers_cole_hopf(np.full_like(x, 0.6), x)
    assert np.abs(u[[0, -1]]).max() < 1e-10
    assert np.allclose(u, -u[::-1], atol=1e-10)  # odd in x
    with pytest.raises(ValueError, match="positive"):
        ref.burgers_cole_hopf(0.5, x, nu=-0.1)


def test_ode_reference_matches_closed_form_and_reports_blow_up():
    t = np.linspace(0, 2, 50)
    u = ref.ode_reference(lambda t, u: -2 * u + t, 1.0, t)
    exact = (1.25) * np.exp(-2 * t) + t / 2 - 0.25
    assert np.abs(u - exact).max() < 1e-9
    with pytest.raises(ValueError, match="blow|stopped|grows"):
        ref.ode_reference(lambda t, u: u**2, 1.0, np.linspace(0, 2, 20))


# --------------------------------------------------------------------------- residuals via autodiff
def _torch_oscillator(t, m=1.0, mu=4.0, k=400.0):
    d = mu / (2 * m)
    w = math.sqrt(k / m - d * d)
    return torch.exp(-d * t) * (torch.cos(w * t) + d / w * torch.sin(w * t))


def test_exact_oscillator_has_zero_residual_and_a_wrong_one_does_not():
    p = Oscillator()
    X = _points(p)
    r = p.residual(_torch_oscillator(X), X, {})
    assert r.abs().max().item() < 1e-10
    r_wrong = p.residual(_torch_oscillator(X, mu=3.0), X, {})
    assert r_wrong.abs().max().item() > 1e-3
    # the learnable μ enters the residual
    r_mu = p.residual(_torch_oscillator(X, mu=3.0), X, {"mu": torch.tensor(3.0, dtype=D)})
    assert r_mu.abs().max().item() < 1e-10


def test_exact_heat_and_poisson_have_zero_residual():
    heat = Heat(alpha=0.4)
    X = _points(heat)
    u = torch.exp(-0.4 * math.pi**2 * X[:, :1]) * torch.sin(math.pi * X[:, 1:])
    assert heat.residual(u, X, {}).abs().max().item() < 1e-12
    assert Heat(alpha=0.5).residual(u, X, {}).abs().max().item() > 1e-2
    pois = Poisson()
    X = _points(pois)
    assert pois.residual(torch.sin(math.pi * X), X, {}).abs().max().item() < 1e-12
    assert pois.residual(torch.sin(2 * math.pi * X), X, {}).abs().max().item() > 0.1


def _torch_cole_hopf(X, nu):
    z, w = np.polynomial.hermite.hermgauss(100)
    z, w = torch.as_tensor(z, dtype=D), torch.as_tensor(w, dtype=D)
    t, x = X[:, :1], X[:, 1:]
    y = x - 2 * torch.sqrt(nu * t) * z
    log_f = -torch.cos(math.pi * y) / (2 * math.pi * nu)
    f = torch.exp(log_f - log_f.max(dim=1, keepdim=True).values.detach())
    return -(w * torch.sin(math.pi * y) * f).sum(1, keepdim=True) / (w * f).sum(1, keepdim=True)


def test_cole_hopf_solution_has_small_burgers_residual_through_autodiff():
    p = Burgers()
    X = _points(p, n=200, lows=(0.1, -1.0))
    u = _torch_cole_hopf(X, p.nu)
    # the torch formula reproduces the numpy reference ...
    assert np.allclose(u.detach().numpy().ravel(), p.reference(X.detach().numpy()), atol=1e-12)
    r = p.residual(u, X, {})
    # ... and satisfies the PDE: residual tiny next to the size of its terms
    u_t = torch.autograd.grad(u.sum(), X, create_graph=True)[0][:, :1]
    assert r.abs().max().item() < 1e-6 * (1 + u_t.abs().max().item())
    assert Burgers(nu=0.02).residual(u, X, {}).abs().max().item() > 1e-2


def test_ode_residual_uses_the_parsed_formula():
    from nnkit.expr import parse

    p = FirstOrderODE(parse("-2*u + t", variables=("t", "u")), u0=1.0, t_end=2.0)
    X = _points(p)
    t = X[:, :1]
    u = 1.25 * torch.exp(-2 * t) + t / 2 - 0.25
    assert p.residual(u, X, {}).abs().max().item() < 1e-12
    assert (
        np.abs(
            p.reference_on_grid() - (1.25 * np.exp(-2 * p.grid()[0][0]) + p.grid()[0][0] / 2 - 0.25)
        ).max()
        < 1e-8
    )


def test_ode_that_blows_up_is_refused_with_a_message():
    from nnkit.expr import parse

    with pytest.raises(ValueError, match="blow|grows|stopped"):
        FirstOrderODE(parse("u^2", variables=("t", "u")), u0=1.0, t_end=2.0)


@pytest.mark.parametrize(
    "problem", [Oscillator(), Heat(), Poisson(), Burgers()], ids=lambda p: p.key
)
def test_hard_constraint_transform_satisfies_the_conditions_exactly(problem):
    torch.manual_seed(0)
    for c in problem.conditions(16, seed=3):
        X = torch.as_tensor(c.X, dtype=D).requires_grad_(True)
        N = torch.randn(len(X), 1, dtype=D) + X.sum(1, keepdim=True) ** 2  # any network output
        u = problem.hard_transform(X, N)
        got = (
            u
            if c.derivative is None
            else torch.autograd.grad(u.sum(), X)[0][:, c.derivative : c.derivative + 1]
        )
        assert np.allclose(got.detach().numpy().ravel(), c.values, atol=1e-12), c.term


# --------------------------------------------------------------------------- sampling
@pytest.mark.parametrize("kind", ["uniform", "lhs", "sobol"])
def test_sampling_covers_the_domain(kind):
    lows, highs = (0.0, -1.0), (1.0, 1.0)
    X = sample_box(256, lows, highs, kind, seed=4)
    assert X.shape == (256, 2)
    assert np.all(X >= lows) and np.all(X <= highs)
    # every cell of a 4x4 grid of the box holds points
    cells = np.floor((X - lows) / (np.array(highs) - lows) * 4).clip(0, 3)
    counts = np.bincount((cells[:, 0] * 4 + cells[:, 1]).astype(int), minlength=16)
    assert counts.min() >= (8 if kind != "uniform" else 4)
    if kind == "lhs":  # one point per slab along each axis
        for j in range(2):
            slabs = np.floor((X[:, j] - lows[j]) / (highs[j] - lows[j]) * 256).astype(int)
            assert len(np.unique(slabs)) == 256
    assert np.array_equal(X, sample_box(256, lows, highs, kind, seed=4))


def test_sampling_rejects_zero_points_and_unknown_kind():
    with pytest.raises(ValueError, match="at least 1"):
        sample_box(0, (0,), (1,))
    with pytest.raises(ValueError, match="unknown sampling"):
        sample_box(10, (0,), (1,), kind="grid")


def test_refinement_picks_points_where_the_residual_is_largest():
    new = refine_by_residual(
        lambda X: np.exp(-100 * (X[:, 0] - 0.3) ** 2), 20, (0.0,), (1.0,), seed=1
    )
    assert new.shape == (20, 1)
    assert np.abs(new[:, 0] - 0.3).max() < 0.05


# --------------------------------------------------------------------------- loss terms and training
def test_each_loss_term_is_reported_and_weighted():
    cfg = PINNConfig(
        hidden=(8,),
        n_collocation=32,
        n_conditions=8,
        hard_constraints=False,
        adam_epochs=1,
        adam_steps_per_epoch=1,
    )
    heat = PINN(Heat(), cfg, limits=NO_CAP)
    terms = heat.loss_terms()
    assert set(terms) == {"residual", "ic", "bc"}
    double = PINN(
        Heat(), PINNConfig(**{**cfg.__dict__, "weights": (("bc", 2.0), ("ic", 0.0))}), limits=NO_CAP
    )
    t2 = double.loss_terms()
    assert set(t2) == {"residual", "bc"}
    assert t2["bc"].item() == pytest.approx(2 * terms["bc"].item(), rel=1e-6)
    inv = PINN(Oscillator(inverse=True), cfg, limits=NO_CAP)
    assert set(inv.loss_terms()) == {"residual", "ic", "data"}
    hard = PINN(Heat(), PINNConfig(hidden=(8,), n_collocation=32), limits=NO_CAP)
    assert set(hard.loss_terms()) == {"residual"}


def test_short_training_lowers_every_term_and_the_error():
    cfg = PINNConfig(
        hidden=(16, 16),
        n_collocation=128,
        n_conditions=32,
        hard_constraints=False,
        adam_epochs=30,
        adam_steps_per_epoch=10,
        lr=5e-3,
        eval_every=5,
        seed=0,
    )
    p = PINN(Heat(), cfg, limits=NO_CAP)
    res = p.run()
    assert res.stop_reason == "completed"
    h = p.history
    assert set(h.terms) == {"residual", "ic", "bc"}
    for name, values in h.terms.items():
        assert values[-1] < 0.5 * values[0], name
    err = h.monitor["rel_l2"]
    assert err[-1] < 0.5 * err[0]
    assert len(h.epoch) == 30 and h.steps[-1] == 300


def test_lbfgs_phase_runs_in_float64_and_continues_the_history():
    cfg = PINNConfig(
        hidden=(16,),
        n_collocation=64,
        adam_epochs=5,
        adam_steps_per_epoch=5,
        lr=1e-2,
        lbfgs_epochs=5,
        lbfgs_iters_per_epoch=5,
        eval_every=1,
    )
    p = PINN(Poisson(), cfg, limits=NO_CAP)
    p.run()
    assert [ph for _, ph in p.phase_starts_] == ["adam", "lbfgs"]
    assert p.dtype == torch.float64 and next(p.model.parameters()).dtype == torch.float64
    assert len(p.history.epoch) == 10 and p.history.epoch[-1] == 10
    assert p.history.monitor["rel_l2"][-1] < p.history.monitor["rel_l2"][4]
    assert p.finished


def test_bfgs_phase_replaces_lbfgs_and_gets_further_in_as_many_epochs():
    """quasi_newton="bfgs": the same schedule with nnkit.bfgs.BFGS (every curvature pair)."""
    from nnkit.bfgs import BFGS

    errors = {}
    for method in ("lbfgs", "bfgs"):
        cfg = PINNConfig(
            hidden=(16, 16),
            n_collocation=128,
            hard_constraints=False,
            adam_epochs=0,
            lbfgs_epochs=8,
            lbfgs_iters_per_epoch=25,
            quasi_newton=method,
            eval_every=1,
        )
        p = PINN(Heat(), cfg, limits=NO_CAP)
        p.run()
        assert [ph for _, ph in p.phase_starts_] == [method]
        assert isinstance(p._trainer.optimizer, BFGS) == (method == "bfgs")
        state = p._trainer.optimizer.state[p._trainer.optimizer._params[0]]
        assert state["n_iter"] <= 200
        for name, values in p.history.terms.items():
            assert values[-1] < 0.2 * values[0], (method, name)
        errors[method] = p.error()
    # measured: 1.8e-3 against 7.8e-3 (seeds 1, 2: 9e-4 / 2.3e-2, 1.1e-3 / 1.1e-2)
    assert errors["bfgs"] < 0.5 * errors["lbfgs"], errors


def test_bfgs_refuses_a_network_whose_matrix_would_not_fit_with_a_message():
    big = PINNConfig(
        hidden=(64,) * 3, quasi_newton="bfgs", lbfgs_epochs=1
    )  # 8,577 weights for 2 inputs
    assert big.n_weights(2) == 2 * 64 + 64 + 2 * (64 * 64 + 64) + 65
    big.validate()  # without the input count the size is unknown
    with pytest.raises(ValueError, match="choose L-BFGS, or a network of at most 6,000 weights"):
        big.validate(dim=2)
    with pytest.raises(ValueError, match="choose L-BFGS"):
        PINN(Heat(), big, limits=NO_CAP)
    PINNConfig(hidden=(64,) * 3, quasi_newton="lbfgs", lbfgs_epochs=1).validate(
        dim=2
    )  # L-BFGS: fine
    PINNConfig(hidden=(64,) * 3, quasi_newton="bfgs", lbfgs_epochs=0).validate(dim=2)  # never used
    with pytest.raises(ValueError, match="quasi-Newton method"):
        PINNConfig(quasi_newton="newton").validate()
    # the identified coefficient is one more weight: 6,000 in the network + μ is too many
    edge = PINNConfig(hidden=(1999, 1), quasi_newton="bfgs", lbfgs_epochs=1)
    assert edge.n_weights(1) == 6000
    edge.validate(dim=1)
    PINN(Oscillator(), edge, limits=NO_CAP)
    with pytest.raises(ValueError, match="6,001 weights"):
        PINN(Oscillator(inverse=True), edge, limits=NO_CAP)


def test_refinement_adds_points_during_adam():
    cfg = PINNConfig(
        hidden=(8,),
        n_collocation=50,
        adam_epochs=6,
        adam_steps_per_epoch=2,
        refine_every=2,
        refine_points=10,
    )
    p = PINN(Burgers(), cfg, limits=NO_CAP)
    p.run()
    assert p.added_.shape == (30, 2)
    assert p.n_points == 80 and len(p._X) == 80


def test_inverse_problem_moves_mu_toward_the_truth():
    cfg = PINNConfig(
        hidden=(32, 32),
        n_collocation=100,
        adam_epochs=40,
        adam_steps_per_epoch=10,
        lr=1e-2,
        coef_lr=1e-2,
        eval_every=5,
        seed=0,
    )
    p = PINN(Oscillator(inverse=True, mu_init=1.0), cfg, limits=NO_CAP)
    p.run()
    mu = p.history.monitor["mu"]
    assert abs(mu[-1] - 4.0) < 0.5 * abs(mu[0] - 4.0)


def test_config_errors_say_what_to_change():
    with pytest.raises(ValueError, match="at least 1 collocation"):
        PINN(Heat(), PINNConfig(n_collocation=0))
    with pytest.raises(ValueError, match="weight"):
        PINN(Heat(), PINNConfig(weights=(("bc", -1.0),)))
    with pytest.raises(ValueError, match="viscosity"):
        Burgers(nu=-0.01)


def test_burgers_hard_constraints_make_u_exactly_odd_in_x():
    problem = Burgers()
    net = torch.nn.Sequential(
        torch.nn.Linear(2, 8), torch.nn.Tanh(), torch.nn.Linear(8, 1)
    ).double()
    X = torch.as_tensor(sample_box(50, problem.lows, problem.highs, seed=2), dtype=D)
    u = problem.constrained(X, net)
    u_m = problem.constrained(torch.cat([X[:, :1], -X[:, 1:]], 1), net)
    assert torch.allclose(u, -u_m, atol=1e-14)
    assert not torch.allclose(
        net(X), -net(torch.cat([X[:, :1], -X[:, 1:]], 1))
    )  # the raw net is not
    at_shock = torch.tensor([[0.7, 0.0]], dtype=D)
    assert problem.constrained(at_shock, net).abs().item() < 1e-15


def test_least_squares_mu_is_the_noise_limited_reference():
    exact = Oscillator(inverse=True, noise=0.0)
    assert exact.least_squares_mu() == pytest.approx(4.0, abs=1e-5)
    noisy = Oscillator(inverse=True, noise=0.04, obs_seed=1)
    assert 0.005 < abs(noisy.least_squares_mu() - 4.0) / 4.0 < 0.05
    with pytest.raises(ValueError, match="inverse"):
        Oscillator().least_squares_mu()


# --------------------------------------------------------------------------- closed-form derivatives
def _jet_parts(J):
    return [J.u] + [J.first[i] for i in sorted(J.first)] + [J.second[i] for i in sorted(J.second)]


@pytest.mark.parametrize(
    "d, hidden, bounds, first, second, n, chunk, keep",
    [
        (2, [20] * 8, ([0.0, -1.0], [1.0, 1.0]), (0, 1), (1,), 700, 256, True),  # Burgers' shape
        (
            2,
            [5, 7, 3],
            ([0.0, 0.0], [2.0, 0.5]),
            (0, 1),
            (0, 1),
            90,
            31,
            False,
        ),  # both second orders
        (1, [32, 32, 32], ([0.0], [3.0]), (0,), (0,), 300, 4096, None),  # oscillator / Poisson
        (
            3,
            [6],
            None,
            (1,),
            (),
            40,
            9,
            True,
        ),  # no input scaling, one hidden layer, first order only
    ],
)
def test_closed_form_jet_equals_autograd_values_and_weight_gradients(
    d, hidden, bounds, first, second, n, chunk, keep
):
    from nnkit.models import mlp
    from nnkit.pinn.derivatives import autograd_jet, tanh_mlp_jet

    net = mlp(d, hidden, 1, activation="tanh", input_bounds=bounds, seed=3).double()
    for p in net.parameters():  # non-zero biases everywhere, weights not too small
        p.data.mul_(1.5).add_(0.05)
    rng = np.random.default_rng(0)
    X = torch.as_tensor(rng.uniform(-1.2, 2.5, (n, d)), dtype=D)
    Xg = X.clone().requires_grad_(True)
    A = autograd_jet(net(Xg), Xg, first, second)
    B = tanh_mlp_jet(net, X, first, second, chunk=chunk, keep=keep)
    assert B is not None
    assert set(B.first) == set(A.first) and set(B.second) == set(A.second) == set(second)
    for a, b in zip(_jet_parts(A), _jet_parts(B), strict=True):
        assert b.shape == a.shape == (n, 1)
        assert torch.allclose(a, b, rtol=0, atol=1e-12 * (1 + float(a.detach().abs().max())))
    # a loss mixing every channel nonlinearly, as a residual does (u·u_x)
    w = torch.as_tensor(rng.standard_normal((len(_jet_parts(A)), n, 1)), dtype=D)

    def loss(J):
        parts = _jet_parts(J)
        return (
            sum((wi * p).sum() + (p * p).sum() for wi, p in zip(w, parts, strict=True))
            + (parts[0] * parts[-1]).sum()
        )

    ga = torch.autograd.grad(loss(A), list(net.parameters()))
    gb = torch.autograd.grad(loss(B), list(net.parameters()))
    for a, b in zip(ga, gb, strict=True):
        assert float((a - b).abs().max()) <= 1e-12 * (1 + float(a.abs().max()))


def test_the_pinn_loss_uses_the_closed_form_transparently_and_falls_back_to_autograd():
    from nnkit.pinn.derivatives import has_closed_form, jet

    cfg = PINNConfig(
        hidden=(12, 12, 12),
        n_collocation=200,
        n_conditions=20,
        hard_constraints=False,
        float64=True,
        adam_epochs=1,
        adam_steps_per_epoch=1,
        seed=4,
    )
    fast = PINN(Burgers(), cfg, limits=NO_CAP)
    slow = PINN(Burgers(), PINNConfig(**{**cfg.__dict__, "fast_derivatives": False}), limits=NO_CAP)
    assert has_closed_form(fast.model)
    grads = []
    for p in (fast, slow):
        p.model.zero_grad()
        terms = p.loss_terms()
        sum(terms.values()).backward()
        grads.append((terms, [q.grad.clone() for q in p.model.parameters()]))
    (tf, gf), (ts, gs) = grads
    for k in ts:
        assert tf[k].item() == pytest.approx(ts[k].item(), rel=1e-12, abs=1e-15)
    for a, b in zip(gf, gs, strict=True):
        assert float((a - b).abs().max()) <= 1e-12 * (1 + float(b.abs().max()))
    G = fast._grid[:500]
    assert np.allclose(fast.residual_at(G), slow.residual_at(G), rtol=0, atol=1e-12)
    # hard constraints wrap the network in a transform, a sine network is not tanh: autograd then
    hard = PINN(Burgers(), PINNConfig(hidden=(8,), n_collocation=20), limits=NO_CAP)
    sine = PINN(
        Heat(),
        PINNConfig(hidden=(8,), n_collocation=20, activation="sine", hard_constraints=False),
        limits=NO_CAP,
    )
    assert not has_closed_form(hard.model) and not has_closed_form(sine.model)
    for p in (hard, sine):
        X = p._X[:10]
        J = jet(p.model, X, p.problem.first_derivatives, p.problem.second_derivatives)
        Xg = X.clone().requires_grad_(True)
        r = p.problem.residual(p.model(Xg), Xg, {})
        assert torch.allclose(p.problem.residual_from_jet(J, X, {}), r, atol=1e-6)
        assert set(p.loss_terms()) >= {"residual"}


def test_glorot_normal_init_is_the_papers_truncated_normal_with_zero_biases():
    p = PINN(
        Burgers(),
        PINNConfig(hidden=(200, 200), n_collocation=10, init="glorot_normal", seed=1),
        limits=NO_CAP,
    )
    lins = [m for m in p.model.net if isinstance(m, torch.nn.Linear)]
    for m in lins:
        std = math.sqrt(2.0 / (m.in_features + m.out_features))
        assert float(m.bias.detach().abs().max()) == 0.0
        assert float(m.weight.detach().abs().max()) <= 2 * std * (1 + 1e-6)
    w = lins[1].weight.detach().double()
    # a normal truncated at ±2σ has std 0.880σ
    assert float(w.std()) == pytest.approx(0.880 * math.sqrt(2.0 / 400), rel=0.02)
    again = PINN(
        Burgers(),
        PINNConfig(hidden=(200, 200), n_collocation=10, init="glorot_normal", seed=1),
        limits=NO_CAP,
    )
    assert torch.equal(again.model.net[1].weight, p.model.net[1].weight)
    with pytest.raises(ValueError, match="init"):
        PINNConfig(init="zeros").validate()


def test_an_ode_reference_that_would_take_for_ever_is_refused_with_a_message(monkeypatch):
    """u' = -2u + sin 4t up to T = 1e300 needs ~1e300 steps: the solver's budget of
    evaluations of f ends it with a message (the page had hung on it for ever)."""
    from nnkit.pinn import reference

    monkeypatch.setattr(reference, "MAX_ODE_EVALUATIONS", 3000)  # the budget, made small
    f = lambda t, u: -2 * u + np.sin(4 * t)  # noqa: E731
    assert reference.ode_reference(f, 1.0, np.linspace(0, 3, 7)).shape == (7,)  # ~500 calls
    with pytest.raises(ValueError, match="more than 3,000 evaluations.*shorten the interval"):
        reference.ode_reference(f, 1.0, np.linspace(0, 1e300, 7))


@pytest.mark.parametrize(
    ("m", "mu", "k", "says"),
    [
        (1e-300, 4.0, 400.0, "not under-damped"),  # δ = 2e300: δ² overflowed (OverflowError)
        (1.0, 1e308, 400.0, "not under-damped"),
        (1e-300, 4.0, 1e308, "overflows"),  # k/m is infinite
    ],
)
def test_an_oscillator_with_extreme_constants_is_refused_with_a_message(m, mu, k, says):
    with pytest.raises(ValueError, match=says):
        ref.oscillator_exact(np.zeros(2), m, mu, k)
