"""How to build and train a PINN, as plain data: :class:`PINNConfig` and its labels."""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

from nnkit._bfgs_size import MAX_BFGS_PARAMETERS, bfgs_matrix_bytes
from nnkit._mlp_shape import INITS, dense_parameters
from nnkit.limits import Limits
from nnkit.pinn.sampling import SAMPLINGS

__all__ = ["MAX_BFGS_PARAMETERS", "QUASI_NEWTON", "TERM_NAMES", "PINNConfig", "with_weights"]

TERM_NAMES: dict[str, str] = {
    "residual": "equation residual at the collocation points",
    "ic": "initial condition",
    "bc": "boundary condition",
    "data": "misfit to the measurements",
}
"""Loss-term key → what it measures."""

QUASI_NEWTON: dict[str, str] = {
    "lbfgs": "L-BFGS (last 50 steps)",
    "bfgs": "BFGS (full matrix)",
}
"""Quasi-Newton methods of the second phase → label."""


@dataclass(frozen=True)
class PINNConfig:
    """How to build and train a PINN (plain data: usable as a cache key).

    Attributes
    ----------
    hidden : tuple of int
        Hidden layer widths of the MLP.
    activation : str
        Activation name from :mod:`nnkit.activations` (tanh is smooth: its second
        derivative exists, which the residual needs; ReLU's does not).
    init : str
        Weight initialisation: ``"default"`` (PyTorch's), ``"glorot_normal"`` (Raissi
        et al.'s code: normal with std √(2/(fan_in + fan_out)) truncated at 2 std, zero
        biases), or any other name :func:`nnkit.models.mlp` knows.
    n_collocation : int
        Collocation points in the domain (≥ 1).
    sampling : {"lhs", "sobol", "uniform"}
        How the collocation points are spread.
    n_conditions : int
        Points per initial/boundary condition (soft constraints).
    hard_constraints : bool
        Wrap the network in the problem's output transform that satisfies the
        initial/boundary conditions exactly; the ``ic``/``bc`` terms then vanish.
    weights : tuple of (str, float)
        Weight of each loss term (missing: 1).
    adam_epochs : int
        Recorded epochs of Adam, each of ``adam_steps_per_epoch`` steps.
    adam_steps_per_epoch : int
    lr : float
        Adam's learning rate.
    lbfgs_epochs : int
        Recorded epochs of the quasi-Newton phase after Adam, each of
        ``lbfgs_iters_per_epoch`` iterations (0: none).
    lbfgs_iters_per_epoch : int
    quasi_newton : {"lbfgs", "bfgs"}
        The quasi-Newton method of that phase: ``"lbfgs"`` (``torch.optim.LBFGS``,
        the last ``lbfgs_history`` curvature pairs) or ``"bfgs"``
        (:class:`nnkit.bfgs.BFGS`, the full n × n inverse-Hessian estimate: every
        pair, for networks of at most :data:`nnkit.bfgs.MAX_BFGS_PARAMETERS` weights).
        Both use the same strong-Wolfe line search.
    lbfgs_history : int
        Curvature pairs L-BFGS keeps.
    float64 : bool
        Train in float64 from the start.
    lbfgs_float64 : bool
        Switch to float64 for the L-BFGS phase.
    coef_lr : float or None
        Adam's learning rate for the identified coefficients (inverse problems);
        None: 10 × ``lr``. Adam moves a parameter by about its learning rate per step,
        so μ would need hundreds of steps to travel from 1 to 4 at the network's rate.
    refine_every : int
        Residual-based refinement every this many Adam epochs (0: never).
    refine_points : int
        Points added by each refinement.
    eval_every : int
        Epochs between evaluations of the error against the reference.
    fast_derivatives : bool
        Compute u_t, u_x, u_xx ... in closed form when the network is a plain tanh MLP
        without output transform (:mod:`nnkit.pinn.derivatives`; same values as
        autograd, cheaper); False: always ``torch.autograd`` (double backward).
    seed : int
        Seeds the weights, the collocation and condition points.
    """

    hidden: tuple[int, ...] = (32, 32, 32)
    activation: str = "tanh"
    init: str = "default"
    n_collocation: int = 1000
    sampling: str = "lhs"
    n_conditions: int = 100
    hard_constraints: bool = True
    weights: tuple[tuple[str, float], ...] = ()
    adam_epochs: int = 200
    adam_steps_per_epoch: int = 10
    lr: float = 1e-3
    lbfgs_epochs: int = 0
    lbfgs_iters_per_epoch: int = 10
    quasi_newton: str = "lbfgs"
    lbfgs_history: int = 50
    float64: bool = False
    lbfgs_float64: bool = True
    coef_lr: float | None = None
    refine_every: int = 0
    refine_points: int = 0
    eval_every: int = 5
    fast_derivatives: bool = True
    seed: int = 0

    def weight(self, term: str) -> float:
        """Weight of a loss term (1 unless set)."""
        return float(dict(self.weights).get(term, 1.0))

    def n_weights(self, dim: int) -> int:
        """Weights of the network for ``dim`` inputs and one output."""
        return dense_parameters(dim, self.hidden, 1)

    def validate(self, limits: Limits | None = None, dim: int | None = None) -> None:
        """Raise ``ValueError`` with a message saying what to change.

        ``dim`` (the problem's number of inputs), when given, also checks that BFGS's
        matrix fits (its size depends on the network's number of weights).
        """
        limits = limits or Limits()
        if int(self.n_collocation) < 1:
            raise ValueError("use at least 1 collocation point (the residual is enforced there)")
        if self.n_collocation > limits.max_samples:
            raise ValueError(
                f"{self.n_collocation} collocation points is above the fair-use cap of "
                f"{limits.max_samples}: use fewer"
            )
        if self.init not in (*INITS, "glorot_normal"):
            raise ValueError(
                f"unknown init {self.init!r}; choose one of {', '.join((*INITS, 'glorot_normal'))}"
            )
        if self.sampling not in SAMPLINGS:
            raise ValueError(
                f"unknown sampling {self.sampling!r}; choose one of {', '.join(SAMPLINGS)}"
            )
        if int(self.n_conditions) < 1:
            raise ValueError("use at least 1 point per initial/boundary condition")
        if not self.hidden or any(int(h) < 1 for h in self.hidden):
            raise ValueError("the network needs at least one hidden layer of width ≥ 1")
        for name, w in self.weights:
            if name not in TERM_NAMES:
                raise ValueError(f"unknown loss term {name!r}; terms are {', '.join(TERM_NAMES)}")
            if not (math.isfinite(w) and w >= 0):
                raise ValueError(f"the weight of '{name}' must be a number ≥ 0, got {w}")
        if not (math.isfinite(self.lr) and self.lr > 0):
            raise ValueError(f"the learning rate must be positive, got {self.lr}")
        if self.coef_lr is not None and not (math.isfinite(self.coef_lr) and self.coef_lr > 0):
            raise ValueError(
                f"the coefficients' learning rate must be positive, got {self.coef_lr}"
            )
        if self.adam_epochs < 0 or self.lbfgs_epochs < 0:
            raise ValueError("epoch counts must be ≥ 0")
        if self.adam_epochs + self.lbfgs_epochs < 1:
            raise ValueError("ask for at least one Adam or L-BFGS epoch")
        if self.refine_every < 0 or self.refine_points < 0:
            raise ValueError("refinement settings must be ≥ 0")
        if self.quasi_newton not in QUASI_NEWTON:
            raise ValueError(
                f"unknown quasi-Newton method {self.quasi_newton!r}; choose one of "
                f"{', '.join(QUASI_NEWTON)}"
            )
        if int(self.lbfgs_history) < 1:
            raise ValueError("L-BFGS needs a history of at least 1 pair")
        if dim is not None:
            self.check_bfgs_size(self.n_weights(dim))

    def check_bfgs_size(self, n_weights: int) -> None:
        """Raise ``ValueError`` if BFGS is asked for and its n × n matrix would not fit."""
        if (
            self.quasi_newton == "bfgs"
            and self.lbfgs_epochs > 0
            and n_weights > MAX_BFGS_PARAMETERS
        ):
            raise ValueError(
                f"BFGS keeps an n × n matrix and this network has {n_weights:,} weights "
                f"({bfgs_matrix_bytes(n_weights) / 2**20:,.0f} MB): choose L-BFGS, or a network of at "
                f"most {MAX_BFGS_PARAMETERS:,} weights (fewer or narrower layers)"
            )


def with_weights(config: PINNConfig, **weights: float) -> PINNConfig:
    """A copy of ``config`` with some loss weights changed."""
    merged = dict(config.weights)
    merged.update(weights)
    return replace(config, weights=tuple(sorted(merged.items())))
