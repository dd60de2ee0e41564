"""Loss surfaces and optimizer trajectories (lecture 1, "Gradient descent").

Pure (no streamlit), all seeded. One module per concern:

- :mod:`~nnkit.landscapes.regression`: the lecture's line fit (its data drawn exactly
  as its PyTorch code does, the exact loss surface, the closed-form optimum, Hessian,
  critical learning rate and convergence rates);
- :mod:`~nnkit.landscapes.descent`: batch, stochastic and mini-batch gradient descent
  on it, in a shuffling ``DataLoader``'s order, and the tables and curves of runs;
- :mod:`~nnkit.landscapes.surfaces`: classic 2-D test surfaces, each defined once as
  a formula (value, exact gradient and torch version derived from it);
- :mod:`~nnkit.landscapes.optimizers`: ``torch.optim`` trajectories and races on them,
  classic pictures (presets), race tables;
- :mod:`~nnkit.landscapes.contours`: grids and contour lines for contour maps;
- :mod:`~nnkit.landscapes.explain`: what a run shows, in words computed from it.

Every public name is importable from ``nnkit.landscapes`` itself::

    from nnkit import landscapes as L
    problem = L.lecture_problem(seed=0)
    run = L.gradient_descent(problem, lr=0.01, epochs=1000)
    race = L.race(L.surface("rosenbrock"), {"sgd": {"lr": 1e-3}, "adam": {"lr": 0.1}})
"""

from nnkit.landscapes import explain
from nnkit.landscapes.contours import (
    SurfaceGrid,
    contour_levels,
    contour_segments,
    contours,
    thin_indices,
)
from nnkit.landscapes.descent import (
    ESCAPE,
    EXCESS,
    GDRun,
    dataloader_permutations,
    excess_loss_by_epoch,
    excess_loss_by_work,
    first_hit,
    gradient_descent,
    last_epoch_excess,
    mode_table,
    prediction_curves,
)
from nnkit.landscapes.optimizers import (
    OPTIMIZERS,
    PRESETS,
    HyperField,
    OptimizerSpec,
    Preset,
    Trajectory,
    hyper_fields,
    hyper_from_fields,
    preset_matches,
    race,
    race_losses,
    race_table,
    stuck_runs,
    trajectory,
)
from nnkit.landscapes.regression import (
    QuadraticAnalysis,
    RegressionProblem,
    analyse,
    lecture_problem,
    loss_surface,
    view_box,
)
from nnkit.landscapes.surfaces import SURFACES, Surface2D, surface

__all__ = [
    "ESCAPE",
    "EXCESS",
    "GDRun",
    "HyperField",
    "OPTIMIZERS",
    "OptimizerSpec",
    "PRESETS",
    "Preset",
    "QuadraticAnalysis",
    "RegressionProblem",
    "SURFACES",
    "Surface2D",
    "SurfaceGrid",
    "Trajectory",
    "analyse",
    "contour_levels",
    "contour_segments",
    "contours",
    "dataloader_permutations",
    "excess_loss_by_epoch",
    "excess_loss_by_work",
    "explain",
    "first_hit",
    "gradient_descent",
    "hyper_fields",
    "hyper_from_fields",
    "last_epoch_excess",
    "lecture_problem",
    "loss_surface",
    "mode_table",
    "prediction_curves",
    "preset_matches",
    "race",
    "race_losses",
    "race_table",
    "stuck_runs",
    "surface",
    "thin_indices",
    "trajectory",
    "view_box",
]
