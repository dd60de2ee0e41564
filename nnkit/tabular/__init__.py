"""Regression on a table of data (a CSV): loading, profiling, preprocessing, models, export.

The House prices page of lecture 1 (exercise 3) runs on this package, and so can a
notebook::

    from nnkit import tabular
    table = tabular.load_csv("data/house_prices.csv")
    prof = tabular.profile(table.frame)
    data = tabular.prepare(table.frame, prof.target, prof.features, test_size=0.2, seed=0)
    models = tabular.fit_baselines(data)
    models["MLP"], result = tabular.train_mlp(data)  # settings chosen on validation rows
    tabular.compare(models, data)              # RMSE, MAE, R², MAPE on the test set

or, the scikit-learn way, on any split::

    model = tabular.TabularModel(tabular.TorchMLPRegressor(hidden=(32, 32)),
                                 numeric=["Square_Footage"], categorical=[], log_target=True)
    model.fit(X_train, y_train).predict(X_test)

One module per step:

* :mod:`~nnkit.tabular.io` — :func:`load_csv` reads bytes or a path as *data only*
  (delimiter, decimal comma, encoding, binary files, ragged rows, caps) and says what
  to change in a :class:`TabularError`; :func:`to_csv_bytes` writes a table with
  spreadsheet formula injection neutralised.
* :mod:`~nnkit.tabular.profile` — :func:`profile` types every column and suggests a
  target and features; :func:`describe_target` / :func:`suggest_log_target` measure the
  target's shape.
* :mod:`~nnkit.tabular.preprocess` — :func:`make_preprocessor`, the one preprocessing
  definition (quantiles for heavy-tailed columns), and the numbers it learns;
  :mod:`~nnkit.tabular.prepare` — :func:`prepare` splits train/test and fits it on the
  training rows only.
* :mod:`~nnkit.tabular.estimators` — :class:`TorchMLPRegressor` (trained by
  :mod:`nnkit.training`) and :class:`TabularModel` (preprocessing, regressor and log
  target composed in one scikit-learn ``Pipeline``).
* :mod:`~nnkit.tabular.mlp` — :class:`MLPConfig`, :func:`mlp_trainer` (a trainer
  for a live view) and :func:`train_mlp` on a :class:`Prepared` split.
* :mod:`~nnkit.tabular.search` — :class:`HalvingSearch`: width, weight decay and learning
  rate chosen on the validation rows by successive halving, within the run's budget.
* :mod:`~nnkit.tabular.baselines` — :func:`fit_baselines` (mean, ridge, gradient
  boosting; or majority, logistic regression, gradient boosting), :func:`compare`.
* :mod:`~nnkit.tabular.classification` — scores, confusion matrix and calibration of
  class probabilities; :mod:`~nnkit.tabular.verdict` — :func:`verdict`, what a
  comparison says, and why (:func:`facts` of the data and the run).
* :mod:`~nnkit.tabular.seeds` — :func:`seed_runs`, :func:`spread`: every model again on
  other seeds, the spread of its score.
* :mod:`~nnkit.tabular.importance` — permutation importance of the raw columns.
* :mod:`~nnkit.tabular.export` — :func:`export_model` / :func:`load_model`: one JSON
  file of numbers, nothing executable.
"""

from nnkit.tabular.baselines import (
    BASELINES,
    class_probabilities,
    compare,
    fit_baselines,
    metrics_note,
    predict_test_rows,
    prediction_gap,
    predictions_frame,
    regression_metrics,
    what_if,
)
from nnkit.tabular.best_weights import BestWeights
from nnkit.tabular.classification import (
    CLASSIFICATION_BASELINES,
    classification_metrics,
    confusion_table,
    reliability_table,
)
from nnkit.tabular.estimators import TabularClassifier, TabularModel
from nnkit.tabular.export import FORMAT, FORMAT_VERSION, export_model, load_model, loaded_summary
from nnkit.tabular.importance import importance, importance_text
from nnkit.tabular.io import (
    DELIMITERS,
    MISSING_TOKENS,
    NONE_TOKENS,
    LoadedTable,
    TabularError,
    escape_formula,
    load_csv,
    to_csv_bytes,
)
from nnkit.tabular.mlp import (
    LOSS_NAME,
    MLPConfig,
    MLPRun,
    kept_text,
    mlp_model,
    mlp_trainer,
    network_text,
    run_summary,
    train_mlp,
)
from nnkit.tabular.networks import TorchMLPClassifier, TorchMLPRegressor
from nnkit.tabular.prepare import (
    MAX_INPUTS,
    MISSING_CATEGORY,
    ClipToRange,
    Prepared,
    input_template,
    make_preprocessor,
    outside_range,
    prepare,
)
from nnkit.tabular.profile import (
    KINDS,
    LABEL_WORDS,
    MAX_CLASSES,
    MAX_LEVELS,
    MOSTLY_MISSING,
    ColumnProfile,
    Profile,
    TargetShape,
    describe_target,
    heavy_tail,
    is_date_part,
    is_heavy_tailed,
    profile,
    suggest_log_target,
    target_kind,
)
from nnkit.tabular.search import HalvingSearch, SearchSpace, auto_batch_size
from nnkit.tabular.seeds import as_run, seed_runs, spread, spread_text
from nnkit.tabular.verdict import Facts, Verdict, facts, verdict

__all__ = [
    "BASELINES",
    "CLASSIFICATION_BASELINES",
    "DELIMITERS",
    "FORMAT",
    "FORMAT_VERSION",
    "KINDS",
    "LABEL_WORDS",
    "LOSS_NAME",
    "MAX_CLASSES",
    "MAX_INPUTS",
    "MAX_LEVELS",
    "MISSING_CATEGORY",
    "MISSING_TOKENS",
    "MOSTLY_MISSING",
    "NONE_TOKENS",
    "BestWeights",
    "ClipToRange",
    "ColumnProfile",
    "Facts",
    "HalvingSearch",
    "LoadedTable",
    "MLPConfig",
    "MLPRun",
    "Prepared",
    "Profile",
    "SearchSpace",
    "TabularError",
    "TabularClassifier",
    "TabularModel",
    "TargetShape",
    "TorchMLPClassifier",
    "TorchMLPRegressor",
    "Verdict",
    "as_run",
    "auto_batch_size",
    "class_probabilities",
    "classification_metrics",
    "compare",
    "confusion_table",
    "describe_target",
    "escape_formula",
    "export_model",
    "facts",
    "fit_baselines",
    "metrics_note",
    "heavy_tail",
    "importance",
    "importance_text",
    "input_template",
    "is_date_part",
    "is_heavy_tailed",
    "kept_text",
    "load_csv",
    "load_model",
    "loaded_summary",
    "make_preprocessor",
    "mlp_model",
    "mlp_trainer",
    "network_text",
    "outside_range",
    "prediction_gap",
    "predict_test_rows",
    "predictions_frame",
    "prepare",
    "profile",
    "regression_metrics",
    "reliability_table",
    "run_summary",
    "seed_runs",
    "spread",
    "spread_text",
    "suggest_log_target",
    "target_kind",
    "to_csv_bytes",
    "train_mlp",
    "verdict",
    "what_if",
]
