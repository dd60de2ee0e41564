"""BFGS with a dense inverse-Hessian matrix: the full-memory parent of L-BFGS.

L-BFGS (``torch.optim.LBFGS``) keeps only the last m curvature pairs (s, y) and
rebuilds its inverse-Hessian estimate from them at every iteration. For a network
with a few thousand weights the full n × n estimate fits easily in memory (3,021
weights: 73 MB in float64), and updating it costs one pass over that matrix, cheap
next to one evaluation of a PINN loss on 10,000 points. Keeping every pair pays off
on stiff PINN losses: on the Burgers benchmark of Raissi et al. (2019), the median
relative L2 error over 5 seeds is 3.5e-4 after 3 minutes with BFGS and 6.4e-3 after
8 minutes with L-BFGS (``benchmarks/bench_pinn.py``; Urbán, Stefanou & Pons, 2025,
and Kiyani et al., 2025, report the same kind of gain on several PINN problems).

The update (Nocedal & Wright, *Numerical Optimization*, 2nd ed., eq. 6.17), with the
self-scaling factor τ of Oren & Luenberger as capped by Al-Baali (1998)::

    ρ = 1 / yᵀs,   H ← (1/τ) (I − ρ s yᵀ) H (I − ρ y sᵀ) + ρ s sᵀ,
    τ = min(1, yᵀs / sᵀBs),   sᵀBs = −t² gᵀd  (B = H⁻¹, d = −H g, s = t d)

It starts from H = I, as scipy's BFGS does. Why both choices: BFGS corrects an
estimate H that is too large quickly (the line search shortens the step) but one
that is too small only slowly (Powell, 1986), so H must not start or become too
small. Scaling H₀ by sᵀy / yᵀy from the first step (N&W eq. 6.20) sets it to the
inverse of the *largest* curvature, and the directions of small curvature then crawl:
on Burgers, seed 0, the error stalled at 3.4e-3, where H₀ = I with τ reaches 2.5e-4.
τ ≤ 1 enlarges H whenever a step finds less curvature than H assumed. Pairs with
yᵀs ≤ 1e-10 are skipped (as in torch's L-BFGS), which keeps H positive definite. The step length comes from the same strong-Wolfe line
search ``torch.optim.LBFGS`` uses, so the two optimizers differ only in how much
curvature they remember and how they scale it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

import torch

from nnkit._bfgs_size import MAX_BFGS_PARAMETERS, bfgs_matrix_bytes

__all__ = ["BFGS", "MAX_BFGS_PARAMETERS", "bfgs_matrix_bytes", "bfgs_update"]


def bfgs_update(
    H: torch.Tensor, s: torch.Tensor, y: torch.Tensor, tau: float = 1.0
) -> torch.Tensor:
    """H ← (1/τ)(I − ρ s yᵀ) H (I − ρ y sᵀ) + ρ s sᵀ with ρ = 1 / yᵀs, in place.

    Afterwards H satisfies the secant equation H y = s whatever τ. Costs the product
    Hy and one pass over H (the expansion H/τ + s aᵀ − (ρ/τ) Hy sᵀ as one rank-2
    matrix product). Requires yᵀs > 0 and H symmetric.

    Returns
    -------
    Tensor
        ``H`` itself.
    """
    Hy = torch.mv(H, y)
    rho = 1.0 / float(y.dot(s))
    inv_tau = 1.0 / float(tau)
    a = s * (rho + inv_tau * rho * rho * float(y.dot(Hy))) - Hy * (inv_tau * rho)
    return H.addmm_(
        torch.stack((s, Hy), 1), torch.stack((a, s * (-rho * inv_tau)), 0), beta=inv_tau
    )


class BFGS(torch.optim.LBFGS):
    """BFGS with a dense inverse Hessian and a strong-Wolfe line search.

    Used like ``torch.optim.LBFGS`` (``step(closure)``; one call runs up to
    ``max_iter`` iterations and keeps its state for the next call).

    Parameters
    ----------
    params : iterable of Tensor
        At most :data:`MAX_BFGS_PARAMETERS` numbers in all.
    lr : float
        Initial step tried by the line search (1 is the quasi-Newton step).
    max_iter : int
        Iterations per ``step`` call.
    max_eval : int or None
        Loss evaluations per ``step`` call (default 1.25 × ``max_iter``): no new
        iteration starts once they are used (the line search in progress finishes, up
        to 25 evaluations).
    tolerance_grad, tolerance_change : float
        Stop a call when max |gradient| ≤ ``tolerance_grad``, or when the step or the
        change of the loss falls below ``tolerance_change``.
    self_scaling : bool
        Apply the factor τ (True) or plain BFGS (False).

    Raises
    ------
    ValueError
        If the parameters hold more than :data:`MAX_BFGS_PARAMETERS` numbers.
    """

    def __init__(
        self,
        params: Iterable[torch.Tensor],
        lr: float = 1.0,
        max_iter: int = 20,
        max_eval: int | None = None,
        tolerance_grad: float = 1e-7,
        tolerance_change: float = 1e-9,
        self_scaling: bool = True,
    ) -> None:
        self.self_scaling = bool(self_scaling)
        super().__init__(
            params,
            lr=lr,
            max_iter=max_iter,
            max_eval=max_eval,
            tolerance_grad=tolerance_grad,
            tolerance_change=tolerance_change,
            history_size=1,
            line_search_fn="strong_wolfe",
        )
        n = self._numel()
        if n > MAX_BFGS_PARAMETERS:
            raise ValueError(
                f"BFGS stores an n × n matrix: this model has {n} weights "
                f"({bfgs_matrix_bytes(n) / 2**20:.0f} MB in float64), above the limit of "
                f"{MAX_BFGS_PARAMETERS}. Use L-BFGS or a smaller network."
            )

    @property
    def inverse_hessian(self) -> torch.Tensor | None:
        """The current estimate H (n × n), None before the first update."""
        return self.state[self._params[0]].get("H")

    @torch.no_grad()
    def step(self, closure: Callable[[], torch.Tensor]) -> torch.Tensor:  # type: ignore[override]
        """Run up to ``max_iter`` BFGS iterations; returns the loss at the start."""
        from torch.optim.lbfgs import _strong_wolfe  # torch's own, as LBFGS uses it

        closure = torch.enable_grad()(closure)
        group = self.param_groups[0]
        lr = float(group["lr"])
        max_iter, max_eval = group["max_iter"], group["max_eval"]
        tol_grad, tol_change = group["tolerance_grad"], group["tolerance_change"]
        state = self.state[self._params[0]]
        state.setdefault("func_evals", 0)
        state.setdefault("n_iter", 0)

        orig_loss = closure()
        loss = float(orig_loss)
        evals = 1
        state["func_evals"] += 1
        g = self._gather_flat_grad()
        if g.abs().max() <= tol_grad:
            return orig_loss
        d, t, H, g_prev = state.get("d"), state.get("t"), state.get("H"), state.get("g_prev")
        gtd = state.get("gtd")

        for n_iter in range(1, max_iter + 1):
            state["n_iter"] += 1
            if g_prev is None:  # very first iteration: steepest descent
                d = g.neg()
            else:
                y = g - g_prev
                s = d * t
                ys = float(y.dot(s))
                if ys > 1e-10:
                    if H is None:  # H0 = I (the first direction was −g)
                        H = torch.eye(g.numel(), dtype=g.dtype)
                    tau = 1.0
                    if self.self_scaling:  # sᵀBs = −t² gᵀd with the previous g and d
                        tau = min(1.0, ys / float(-t * t * gtd))
                    bfgs_update(H, s, y, tau)
                d = g.neg() if H is None else torch.mv(H, g).neg_()
            g_prev = g.clone()
            prev_loss = loss
            t = min(1.0, 1.0 / float(g.abs().sum())) * lr if state["n_iter"] == 1 else lr
            gtd = float(g.dot(d))
            if gtd > -tol_change:  # not a descent direction any more
                break
            x0 = self._clone_param()

            def along(
                x: list[torch.Tensor], step: float, direction: torch.Tensor
            ) -> tuple[float, torch.Tensor]:
                return self._directional_evaluate(closure, x, step, direction)

            # a full line search even near the end of the call's budget: a truncated one can
            # return a step without the curvature condition, and a poor (s, y) pair
            loss, g, t, ls_evals = _strong_wolfe(along, x0, t, d, loss, g, gtd)
            self._add_grad(t, d)
            evals += ls_evals
            state["func_evals"] += ls_evals
            if n_iter == max_iter or evals >= max_eval:
                break
            if g.abs().max() <= tol_grad:
                break
            if float(d.abs().max()) * t <= tol_change or abs(loss - prev_loss) < tol_change:
                break

        state.update(d=d, t=t, H=H, g_prev=g_prev, gtd=gtd)
        return orig_loss
