"""nnkit.bfgs: the dense BFGS optimizer the PINN page offers beside L-BFGS."""

from __future__ import annotations

import numpy as np
import pytest

from nnkit._torch import torch
from nnkit.bfgs import BFGS, MAX_BFGS_PARAMETERS, bfgs_update


def _textbook(H, s, y, tau=1.0):
    """Nocedal & Wright eq. 6.17 (scaled by 1/τ), in the product form, in numpy."""
    rho = 1.0 / (y @ s)
    eye = np.eye(len(s))
    return (eye - rho * np.outer(s, y)) @ H @ (eye - rho * np.outer(y, s)) / tau + rho * np.outer(
        s, s
    )


@pytest.mark.parametrize("tau", [1.0, 0.3])
def test_update_matches_the_textbook_product_form_and_the_secant_equation(tau):
    rng = np.random.default_rng(0)
    n = 7
    A = rng.normal(size=(n, n))
    H = A @ A.T + n * np.eye(n)
    s = rng.normal(size=n)
    y = rng.normal(size=n)
    if y @ s < 0:
        y = -y
    Ht = torch.tensor(H)
    out = bfgs_update(Ht, torch.tensor(s), torch.tensor(y), tau)
    assert out is Ht  # in place
    np.testing.assert_allclose(Ht.numpy(), _textbook(H, s, y, tau), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(Ht.numpy() @ y, s, rtol=1e-10, atol=1e-12)  # H y = s
    np.testing.assert_allclose(Ht.numpy(), Ht.numpy().T, atol=1e-12)
    assert np.linalg.eigvalsh(Ht.numpy()).min() > 0  # stays positive definite


def _quadratic(n=12, seed=0):
    g = torch.Generator().manual_seed(seed)
    Q = torch.randn(n, n, generator=g, dtype=torch.float64)
    A = Q @ Q.T + torch.eye(n, dtype=torch.float64)
    b = torch.randn(n, generator=g, dtype=torch.float64)
    return A, b


def _run(opt_cls, x, f, calls=1, **kw):
    opt = opt_cls([x], **kw)

    def closure():
        opt.zero_grad()
        loss = f(x)
        loss.backward()
        return loss

    for _ in range(calls):
        opt.step(closure)
    return opt


def test_minimises_a_quadratic_to_the_solution_of_the_linear_system():
    A, b = _quadratic()
    x = torch.zeros(len(b), dtype=torch.float64, requires_grad=True)
    opt = _run(
        BFGS,
        x,
        lambda v: 0.5 * v @ A @ v - b @ v,
        max_iter=200,
        tolerance_grad=1e-13,
        tolerance_change=1e-30,
    )
    np.testing.assert_allclose(
        x.detach().numpy(), torch.linalg.solve(A, b).numpy(), rtol=0, atol=1e-9
    )
    assert opt.inverse_hessian is not None and opt.inverse_hessian.shape == (12, 12)


def test_finds_the_rosenbrock_minimum():
    x = torch.tensor([-1.2, 1.0], dtype=torch.float64, requires_grad=True)
    _run(
        BFGS,
        x,
        lambda v: (1 - v[0]) ** 2 + 100 * (v[1] - v[0] ** 2) ** 2,
        max_iter=300,
        tolerance_grad=1e-12,
        tolerance_change=1e-30,
    )
    np.testing.assert_allclose(x.detach().numpy(), [1.0, 1.0], atol=1e-8)


def test_several_calls_continue_the_same_run():
    """The PINN trainer calls step() once per epoch: that must not restart BFGS."""
    A, b = _quadratic(n=30, seed=1)
    f = lambda v: 0.5 * v @ A @ v - b @ v + 0.1 * (v**4).sum()  # noqa: E731
    x1 = torch.zeros(30, dtype=torch.float64, requires_grad=True)
    o1 = _run(BFGS, x1, f, calls=1, max_iter=24, max_eval=1000)
    x2 = torch.zeros(30, dtype=torch.float64, requires_grad=True)
    o2 = _run(BFGS, x2, f, calls=3, max_iter=8, max_eval=1000)
    assert o1.state[x1]["n_iter"] == o2.state[x2]["n_iter"] == 24
    torch.testing.assert_close(x1, x2, rtol=0, atol=1e-14)


@pytest.mark.parametrize("self_scaling", [True, False])
def test_beats_lbfgs_on_an_ill_conditioned_quadratic(self_scaling):
    """Same line search, same 80 iterations: keeping every curvature pair gets much further."""
    n = 60
    Q, _ = torch.linalg.qr(
        torch.randn(n, n, generator=torch.Generator().manual_seed(3), dtype=torch.float64)
    )
    A = Q @ torch.diag(torch.logspace(0, 4, n, dtype=torch.float64)) @ Q.T  # condition number 1e4
    f = lambda v: 0.5 * v @ A @ v  # noqa: E731
    tol = dict(max_iter=80, max_eval=1000, tolerance_grad=1e-30, tolerance_change=1e-30)
    xb = torch.ones(n, dtype=torch.float64, requires_grad=True)
    _run(BFGS, xb, f, self_scaling=self_scaling, **tol)
    xl = torch.ones(n, dtype=torch.float64, requires_grad=True)
    _run(torch.optim.LBFGS, xl, f, history_size=50, line_search_fn="strong_wolfe", **tol)
    fb, fl = float(f(xb.detach())), float(f(xl.detach()))
    assert fb < 1e-6 * fl, (fb, fl)


def test_refuses_a_model_whose_matrix_would_not_fit():
    big = torch.nn.Linear(MAX_BFGS_PARAMETERS, 1)  # MAX + 1 weights
    with pytest.raises(ValueError, match="L-BFGS or a smaller network"):
        BFGS(big.parameters())
