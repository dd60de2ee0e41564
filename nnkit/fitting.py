"""Old home of the function-fitting and XOR experiments, kept so notebooks keep working.

The code now lives where its names say what it holds:

- :mod:`nnkit.function_fitting`: targets, settings and presets, evaluation inside and
  outside the training box, the live view, run comparison, the width sweep;
- :mod:`nnkit.xor`: XOR networks (:func:`fit_xor`, :func:`xor_study`);
- :mod:`nnkit.metrics`: :func:`r2_score`.

Import from those in new code.
"""

from nnkit.function_fitting import (
    MAX_DOMAIN,
    MAX_TARGET,
    PRESETS,
    FitEvaluation,
    FitSettings,
    LiveView,
    RunSummary,
    Target,
    builtin_target,
    compare_runs,
    evaluate_fit,
    formula_target,
    grid_points,
    live_view,
    make_data,
    target_from_name,
    width_sweep,
)
from nnkit.metrics import r2_score
from nnkit.xor import (
    XorFit,
    decision_grid,
    fit_xor,
    train_xor_batch,
    xor_reference_accuracy,
    xor_study,
)

__all__ = [
    "MAX_DOMAIN",
    "MAX_TARGET",
    "PRESETS",
    "FitEvaluation",
    "FitSettings",
    "LiveView",
    "RunSummary",
    "Target",
    "XorFit",
    "builtin_target",
    "compare_runs",
    "decision_grid",
    "evaluate_fit",
    "fit_xor",
    "formula_target",
    "grid_points",
    "live_view",
    "make_data",
    "r2_score",
    "target_from_name",
    "train_xor_batch",
    "width_sweep",
    "xor_reference_accuracy",
    "xor_study",
]
