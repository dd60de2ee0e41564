"""The House prices page's result as a script: baselines and the MLP on a CSV.

Written against :mod:`nnkit.tabular`'s public names (``load_csv``, ``prepare``,
``fit_baselines``, ``train_mlp``, ``compare``), so it keeps working wherever those
live.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from nnkit._text import counted
from nnkit.reproduce import Code, NotReproducible, Script, call, literal

__all__ = ["DEFAULT_CSV", "house_prices_script"]

DEFAULT_CSV = "data/house_prices.csv"
"""Where the synthetic data set lives in the nnkit Lab repository."""

_TRAINED = ("completed", "early_stopping", "callback")  # all epochs, or early stopping


def house_prices_script(
    target: str,
    features: Sequence[str],
    *,
    test_size: float,
    seed: int,
    log_target: bool,
    config: Any = None,
    csv: str | None = None,
    suggested_features: Sequence[str] | None = None,
    stop_reason: str | None = None,
    task: str = "regression",
    search: Any = None,
    search_cut: bool = False,
) -> Script:
    """The script that prints the page's test-set table and saves its picture.

    It reads the CSV, prepares the same split, fits the baselines and, when the page
    has trained one, the MLP (to its early stop, keeping its best validation epochs'
    weights), prints every model's test metrics (regression: RMSE, MAE, R², MAPE;
    classification: accuracy, log-loss, ROC AUC) and saves predicted against actual
    (classification: the first model's confusion matrix).

    Parameters
    ----------
    target : str
        The column to predict.
    features : sequence of str
        The feature columns.
    test_size, seed, log_target
        As for :func:`nnkit.tabular.prepare`.
    config : nnkit.tabular.MLPConfig, optional
        The MLP's settings; None while the page has no trained MLP (baselines only).
    csv : str, optional
        The uploaded file's name (the script reads it from there: the user edits the
        path); None for the synthetic data set (:data:`DEFAULT_CSV`).
    suggested_features : sequence of str, optional
        The profile's suggestion: when ``features`` are exactly these, the script
        takes them from :func:`nnkit.tabular.profile` instead of listing them.
    stop_reason : str, optional
        Why the page's MLP run ended (:data:`nnkit.training.STOP_REASONS`).
    task : {"regression", "classification"}
        The page's task (a class label trains with cross-entropy; no log target).
    search : nnkit.tabular.SearchSpace, optional
        The search that chose width, weight decay and learning rate (None: ``config``
        trained as it is).
    search_cut : bool
        The time budget cut one of the search's rounds (the script, without a budget,
        would choose among fully trained candidates instead).

    Returns
    -------
    Script

    Raises
    ------
    NotReproducible
        For an MLP run stopped by the user or the time cap before early stopping, or a
        search whose rounds the time cap cut.
    """
    from nnkit import tabular
    from nnkit.training import STOP_REASONS

    classify = task == "classification"
    if config is not None and stop_reason not in _TRAINED:
        why = STOP_REASONS.get(stop_reason or "", stop_reason)
        raise NotReproducible(
            f"the MLP's run was cut short ({why}); the script trains it to its early "
            "stop: let a run end by itself to get it."
        )
    if config is not None and search is not None and search_cut:
        raise NotReproducible(
            "the time cap cut the search's rounds, so the page chose among partly trained "
            "networks; a script without a cap would train them all and may choose "
            "another. Turn the search off (Network and training) to get a script."
        )
    features = [str(f) for f in features]
    path = DEFAULT_CSV if csv is None else str(csv)
    where = (
        "  # the file you uploaded: put its path here"
        if csv is not None
        else "  # in the nnkit Lab repository"
    )
    lines = [
        "from nnkit import tabular",
        "from nnkit.plots import tabular as plots",
        "",
        f"table = tabular.load_csv({literal(path)}){where}",
    ]
    if suggested_features is not None and features == [
        f for f in suggested_features if f != target
    ]:
        lines.append(
            f"features = [c for c in tabular.profile(table.frame).features if c != {literal(target)}]"
        )
    else:
        lines.append(f"features = {literal(features)}")
    lines.append(
        call(
            "tabular.prepare",
            tabular.prepare,
            Code("table.frame"),
            str(target),
            Code("features"),
            prefix="data = ",
            test_size=float(test_size),
            seed=int(seed),
            log_target=bool(log_target) and not classify,
            task="classification" if classify else "regression",  # as the page chose it
        )
    )
    lines.append("models = tabular.fit_baselines(data)")
    if config is not None:
        recipe = {f: getattr(config, f) for f in config.__dataclass_fields__}
        recipe["hidden"] = tuple(int(h) for h in recipe["hidden"])
        lines += [
            call("tabular.MLPConfig", tabular.MLPConfig, prefix="config = ", **recipe),
        ]
        if search is None:
            lines.append("mlp, result = tabular.train_mlp(data, config)")
        else:
            space = {f: getattr(search, f) for f in search.__dataclass_fields__}
            lines += [
                "# successive halving chooses width, weight decay and learning rate first",
                call("tabular.SearchSpace", tabular.SearchSpace, prefix="space = ", **space),
                "mlp, result = tabular.train_mlp(data, config, search=space)",
            ]
        lines += [
            'print(f"MLP: {len(result.history)} epochs ({result.stop_message})")',
            'models = {"MLP": mlp, **models}',
        ]
    lines += [
        "metrics = tabular.compare(models, data)",
        'print(metrics.drop(columns="train s").to_string(index=False))',
    ]
    if classify:  # the confusion matrix of the first model (the MLP when trained)
        lines.append("chart = plots.result_views(models, data, [next(iter(models))])[0][0]")
    else:
        lines += [
            "predictions = tabular.predictions_frame(models, data)",
            f"long = plots.long_predictions(predictions, {literal(target)}, list(models))",
            f"chart = plots.predicted_vs_actual(long, {literal(target)})",
        ]
    lines.append('chart.save("house_prices.html")')
    source = "the synthetic data set" if csv is None else f"`{csv}`"
    return Script(
        code="\n".join(lines) + "\n",
        explanation=(
            f"**House prices** (lecture 1, exercise 3): predict `{target}` from "
            f"{counted(len(features), 'column')} of {source}, {float(test_size):.0%} of the rows held "
            f"out for testing (seed {int(seed)})"
            + (", on a log scale" if log_target and not classify else "")
            + (
                ". The majority class, logistic regression and gradient boosting are the baselines"
                if classify
                else ". The mean, ridge and gradient boosting are the baselines"
            )
            + (
                " the MLP has to beat."
                if config is not None
                else "; train the MLP on the page to add it."
            )
        ),
        name="house_prices",
        chart="chart",
    )
