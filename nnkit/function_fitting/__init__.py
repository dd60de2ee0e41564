"""Function fitting (lecture 1, exercise 1): fit a function with an MLP, then look beyond the box.

- ``targets``: :class:`Target` (Rastrigin, the 1-D targets, a typed formula),
  :func:`make_data`, :func:`grid_points`.
- ``settings``: :class:`FitSettings` (architecture as a :class:`nnkit.models.ModelSpec`,
  recipe as a :class:`nnkit.training.TrainConfig`) and the named :data:`PRESETS`.
- ``evaluation``: :func:`evaluate_fit`, truth vs prediction inside and outside the
  training box, and a verdict on extrapolation read from those numbers.
- ``live``: :func:`live_view`, a cheap snapshot for a view redrawn while training runs.
- ``diagnostics``: :func:`diagnose_recipe`, what the lecture's recipe does (dead output
  ReLU, summed loss, unscaled data), measured.
- ``compare``: :func:`compare_runs`, two recipes on the same data and seed.
- ``universal``: :func:`width_sweep`, universal approximation with one hidden layer.

Examples
--------
>>> from nnkit.function_fitting import PRESETS, builtin_target, evaluate_fit, make_data
>>> target = builtin_target("sine")
>>> X, y = make_data(target, 500, seed=0)
>>> trainer = PRESETS["plain MLP"].trainer(target, X, y)
>>> result = trainer.run(20)
>>> evaluation = evaluate_fit(trainer.model, target)
>>> evaluation.inside_fit in ("learned", "rough", "not learned")
True
"""

from nnkit.function_fitting.compare import OVERFIT_RATIO, RunSummary, compare_note, compare_runs
from nnkit.function_fitting.diagnostics import (
    RECIPE_NOT_LIBRARY,
    RecipeDiagnostics,
    diagnose_recipe,
)
from nnkit.function_fitting.evaluation import (
    BEHAVIOURS,
    LEARNED_R2,
    ROUGH_R2,
    FitEvaluation,
    evaluate_fit,
)
from nnkit.function_fitting.live import LiveView, live_view
from nnkit.function_fitting.settings import (
    BATCH_SIZES,
    CONTROLS,
    HIDDEN_ACTIVATIONS,
    LEARNING_RATES,
    LR_DECAYS,
    OPTIMIZER_LABELS,
    PRESETS,
    FitSettings,
)
from nnkit.function_fitting.targets import (
    MAX_DOMAIN,
    MAX_TARGET,
    TARGET_CHOICES,
    Target,
    builtin_target,
    formula_target,
    grid_points,
    make_data,
    target_for,
    target_from_name,
)
from nnkit.function_fitting.universal import WIDTHS, width_sweep, width_sweep_note

__all__ = [
    "BATCH_SIZES",
    "BEHAVIOURS",
    "CONTROLS",
    "HIDDEN_ACTIVATIONS",
    "LEARNED_R2",
    "LEARNING_RATES",
    "LR_DECAYS",
    "OPTIMIZER_LABELS",
    "MAX_DOMAIN",
    "MAX_TARGET",
    "OVERFIT_RATIO",
    "PRESETS",
    "ROUGH_R2",
    "TARGET_CHOICES",
    "WIDTHS",
    "FitEvaluation",
    "FitSettings",
    "LiveView",
    "RecipeDiagnostics",
    "RunSummary",
    "Target",
    "builtin_target",
    "compare_note",
    "compare_runs",
    "RECIPE_NOT_LIBRARY",
    "diagnose_recipe",
    "evaluate_fit",
    "formula_target",
    "grid_points",
    "live_view",
    "make_data",
    "target_for",
    "target_from_name",
    "width_sweep",
    "width_sweep_note",
]
