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

Importing ``nnkit.pinn`` does not import torch: the problems, their references and
the settings need none (the PINN page draws them first); :class:`PINN`,
:class:`PINNModel` and :class:`RunReport` load :mod:`nnkit.pinn.solver`, and torch
with it, when first used.
"""

import importlib
from typing import TYPE_CHECKING, Any

from nnkit.metrics import relative_l2
from nnkit.pinn.config import QUASI_NEWTON, TERM_NAMES, PINNConfig, with_weights
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
    reference_frame,
)
from nnkit.pinn.sampling import SAMPLINGS, refine_by_residual, sample_box

if TYPE_CHECKING:
    from nnkit.pinn.solver import PINN, PINNModel, RunReport

_SOLVER = ("PINN", "PINNModel", "RunReport")


def __getattr__(name: str) -> Any:
    """``nnkit.pinn.PINN`` and the solver's other classes, imported on first use."""
    if name in _SOLVER:
        return getattr(importlib.import_module("nnkit.pinn.solver"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    """Every public name, loaded or not (tab completion in a notebook lists them all)."""
    return sorted(set(globals()) | set(__all__))


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
