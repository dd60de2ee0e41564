"""Physics-informed neural networks (lecture 2).

* :mod:`nnkit.pinn.reference`: reference solutions without networks (closed forms,
  Cole–Hopf for Burgers, a finite-difference Burgers solver, ``solve_ivp``);
* :mod:`nnkit.pinn.derivatives`: u and the input derivatives a residual needs (a
  "jet"): ``torch.autograd`` in general, closed form for a plain tanh MLP;
* :mod:`nnkit.pinn.problems`: the equations (residuals from a jet, initial/boundary
  conditions, hard-constraint transforms);
* :mod:`nnkit.pinn.sampling`: collocation points (uniform, Latin hypercube, Sobol)
  and residual-based adaptive refinement;
* :mod:`nnkit.pinn.solver`: :class:`PINN`, trained with :mod:`nnkit.training`;
* :mod:`nnkit.pinn.presets`: the problems and settings the page and benchmarks use.

Importing ``nnkit.pinn`` imports torch.
"""

from nnkit.pinn.problems import (
    Burgers,
    Condition,
    FirstOrderODE,
    Heat,
    Observations,
    Oscillator,
    Poisson,
    Problem,
    derivative,
)
from nnkit.pinn.sampling import SAMPLINGS, refine_by_residual, sample_box
from nnkit.pinn.solver import (
    PINN,
    QUASI_NEWTON,
    TERM_NAMES,
    PINNConfig,
    PINNModel,
    RunReport,
    reference_frame,
    relative_l2,
    with_weights,
)

__all__ = [
    "Burgers",
    "Condition",
    "FirstOrderODE",
    "Heat",
    "Observations",
    "Oscillator",
    "PINN",
    "PINNConfig",
    "PINNModel",
    "Poisson",
    "Problem",
    "QUASI_NEWTON",
    "RunReport",
    "SAMPLINGS",
    "TERM_NAMES",
    "derivative",
    "reference_frame",
    "refine_by_residual",
    "relative_l2",
    "sample_box",
    "with_weights",
]
