"""A fitted MLP model as one JSON file of numbers, and back (never pickle).

The file holds what the fit learned and nothing executable: the learned numbers of the
one preprocessing definition (:data:`~nnkit.tabular.prepare.LEARNED`: medians, means,
scales, ranges, categories), the network's settings, weights and target scaling, the
target's name and whether it is log-transformed. :func:`load_model` rebuilds the *same*
objects — :class:`~nnkit.tabular.TabularModel` with
:func:`~nnkit.tabular.make_preprocessor` and a :class:`~nnkit.tabular.TorchMLPRegressor`
— by fitting them on a few stand-in rows (so scikit-learn sets up every step) and
putting the learned numbers back; the loaded model predicts exactly what the exported
one did.
"""

from __future__ import annotations

import json
import math
import os
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from nnkit._text import counted, noun
from nnkit.limits import Limits
from nnkit.tabular.estimators import TabularClassifier, TabularModel
from nnkit.tabular.io import TabularError, read_source
from nnkit.tabular.networks import TorchMLPClassifier, TorchMLPRegressor, _TorchMLP
from nnkit.tabular.prepare import (
    Prepared,
    learned_parameters,
    set_learned_parameters,
    stand_in_frame,
)

__all__ = ["FORMAT", "FORMAT_VERSION", "export_model", "load_model", "loaded_summary"]

FORMAT = "nnkit-tabular-model"
FORMAT_VERSION = 3
"""Version written (3: heavy-tailed columns and a clipped target); :func:`load_model` also
reads versions 2 and 1 (nnkit before the estimators)."""

_MAX_LAYERS = 16
_MAX_WIDTH = 4096
_MAX_PARAMS = 5_000_000
_PARAMS = ("hidden", "activation", "lr", "weight_decay", "batch_size", "epochs", "patience",
           "val_fraction", "max_seconds", "seed", "linear_path", "members", "linear_start",
           "average_best")  # fmt: skip
_MAX_MEMBERS = 32
_MAX_AVERAGED = 1000


def export_model(
    model: TabularModel | TabularClassifier, *, metrics: Mapping[str, float] | None = None
) -> bytes:
    """The fitted MLP model as one JSON file (UTF-8 bytes).

    Parameters
    ----------
    model : TabularModel or TabularClassifier
        Fitted, with a :class:`TorchMLPRegressor` or :class:`TorchMLPClassifier` (e.g.
        from :func:`~nnkit.tabular.train_mlp`); the weights it predicts with are written
        (its best epoch's, or the average of its best epochs').
    metrics : mapping, optional
        Test metrics to record beside the model (informational).

    Returns
    -------
    bytes
        Float32 weights are written as float64 values, which convert back exactly.

    Raises
    ------
    TypeError
        For a model whose estimator is not a torch MLP (the baselines are cheap to
        refit).
    """
    reg = model.estimator_
    if not isinstance(reg, _TorchMLP):
        raise TypeError("only the MLP model can be exported (baselines are cheap to refit)")
    params = {k: v for k, v in reg.get_params().items() if k in _PARAMS}
    params["hidden"] = [int(h) for h in params["hidden"]]
    doc = {
        "format": FORMAT,
        "version": FORMAT_VERSION,
        "task": model.task,
        "target": model.target,
        "log_target": bool(model.log_target),
        "numeric": list(model.numeric),
        "categorical": list(model.categorical),
        "heavy_tailed": [c for c in model.numeric if c in set(model.heavy_tailed)],
        "preprocess": learned_parameters(model.preprocessor_),
        "network": {"params": params, **reg.learned_parameters()},
        "metrics": {k: float(v) for k, v in (metrics or {}).items()},
    }
    if isinstance(model, TabularModel):
        doc["clip_target"] = bool(model.clip_target)
        doc["target_range"] = list(model.target_range_)
    return json.dumps(doc, allow_nan=False, separators=(",", ":")).encode("utf-8")


def _need(cond: bool, what: str) -> None:
    if not cond:
        raise TabularError(f"This is not a valid nnkit model file: {what}.")


def _dict(x: object, what: str) -> dict[str, Any]:
    _need(isinstance(x, dict), what)
    assert isinstance(x, dict)
    return x


def _list(x: object, what: str) -> list[Any]:
    _need(isinstance(x, list), what)
    assert isinstance(x, list)
    return x


def _finite(x: object) -> bool:
    return isinstance(x, int | float) and not isinstance(x, bool) and math.isfinite(x)


def _int(x: object) -> bool:
    return isinstance(x, int) and not isinstance(x, bool)


def _from_v1(doc: dict[str, Any]) -> dict[str, Any]:
    """A version-1 file (per-column dicts, ``network.spec``) in version 2's layout."""
    numeric = _list(doc.get("numeric"), "columns missing")
    categorical = _list(doc.get("categorical"), "columns missing")
    net = _dict(doc.get("network"), "no network")
    keys = ("median", "mean", "scale", "lo", "hi")
    for c in numeric:
        _need(isinstance(c, dict) and isinstance(c.get("name"), str), "bad numeric column")
        _need(all(_finite(c.get(k)) for k in keys), f"bad numbers for {c.get('name')!r}")
    for c in categorical:
        _need(isinstance(c, dict) and isinstance(c.get("name"), str), "bad categorical column")
    pre: dict[str, Any] = {}
    if numeric:
        col = {k: [c[k] for c in numeric] for k in keys}
        pre.update({
            "num.impute.statistics_": col["median"],
            "num.scale.mean_": col["mean"],
            "num.scale.var_": [s * s for s in col["scale"]],
            "num.scale.scale_": col["scale"],
            "num.clip.lo_": col["lo"],
            "num.clip.hi_": col["hi"],
        })  # fmt: skip
    if categorical:
        pre["cat.onehot.categories_"] = [c.get("categories") for c in categorical]
    return {
        **doc,
        "numeric": [c["name"] for c in numeric],
        "categorical": [c["name"] for c in categorical],
        "preprocess": pre,
        "network": {
            "params": {"hidden": net.get("hidden"), "activation": net.get("activation")},
            "n_features_in_": net.get("in_features"),
            "y_loc_": net.get("y_loc"),
            "y_scale_": net.get("y_scale"),
            "best_epoch_": None,
            "weights": net.get("weights"),
        },
    }


def _regressor_params(net: Mapping[str, Any]) -> dict[str, Any]:
    """The network's settings, each type- and range-checked."""
    from nnkit import activations

    p = _dict(net.get("params"), "no network settings")
    hidden = _list(p.get("hidden"), "bad hidden layers")
    _need(
        len(hidden) <= _MAX_LAYERS and all(_int(h) and 1 <= h <= _MAX_WIDTH for h in hidden),
        "bad hidden layers",
    )
    _need(p.get("activation") in activations.ACTIVATIONS, "unknown activation")
    out: dict[str, Any] = {"hidden": tuple(hidden), "activation": p["activation"]}
    checks = {
        "lr": lambda v: _finite(v) and v > 0,
        "weight_decay": lambda v: _finite(v) and v >= 0,
        "batch_size": lambda v: _int(v) and v >= 1,
        "epochs": lambda v: _int(v) and v >= 0,
        "patience": lambda v: v is None or (_int(v) and v >= 1),
        "val_fraction": lambda v: _finite(v) and 0 <= v < 1,
        "max_seconds": lambda v: v is None or (_finite(v) and v >= 0),
        "seed": lambda v: _int(v) and 0 <= v < 2**63,
        "linear_path": lambda v: isinstance(v, bool),
        "linear_start": lambda v: isinstance(v, bool),
        "members": lambda v: _int(v) and 1 <= v <= _MAX_MEMBERS,
        "average_best": lambda v: _int(v) and 1 <= v <= _MAX_AVERAGED,
    }
    for key, ok in checks.items():
        if key in p:
            _need(bool(ok(p[key])), f"bad setting {key}")
            out[key] = p[key]
    return out


def _check_preprocess(
    doc: Mapping[str, Any],
) -> tuple[list[str], list[str], list[str], list[list[str]]]:
    """The columns (numeric, categorical, heavy-tailed) and categories, checked."""
    numeric = _list(doc.get("numeric"), "columns missing")
    categorical = _list(doc.get("categorical"), "columns missing")
    heavy = _list(doc.get("heavy_tailed", []), "bad heavy-tailed columns")
    names = [*numeric, *categorical]
    _need(all(isinstance(n, str) for n in names), "column names must be texts")
    _need(len(set(names)) == len(names) and bool(names), "duplicate or no columns")
    _need(all(isinstance(c, str) and c in numeric for c in heavy), "bad heavy-tailed columns")
    pre = _dict(doc.get("preprocess"), "no preprocessing")
    cats = _list(pre.get("cat.onehot.categories_", []) if categorical else [], "bad categories")
    _need(
        len(cats) == len(categorical)
        and all(isinstance(c, list) and c and all(isinstance(v, str) for v in c) for c in cats),
        "bad categories",
    )
    plain = [c for c in numeric if c not in set(heavy)]
    if plain:
        scale, lo, hi = (
            _list(pre.get(f"num.{k}"), "bad scale or range")
            for k in ("scale.scale_", "clip.lo_", "clip.hi_")
        )
        _need(
            all(len(v) == len(plain) and all(map(_finite, v)) for v in (scale, lo, hi)),
            "bad scale or range",
        )
        _need(all(s != 0 for s in scale) and all(a <= b for a, b in zip(lo, hi, strict=True)),
              "bad scale or range")  # fmt: skip
    return numeric, categorical, heavy, cats


def load_model(
    source: bytes | str | os.PathLike[str], *, limits: Limits | None = None
) -> TabularModel:
    """Load a model written by :func:`export_model`, ready to ``predict``.

    Safe on untrusted files: the bytes are parsed as JSON (no pickle, no code), every
    field is type- and range-checked, and the network's size is bounded before it is
    built; its weights must match the architecture's shapes exactly.

    Parameters
    ----------
    source : bytes or path
        The file.
    limits : Limits, optional
        ``max_upload_mb`` caps the file size (default: no cap).

    Returns
    -------
    TabularModel or TabularClassifier
        Named "MLP (loaded)"; ``predict(frame)`` (and ``predict_proba``) give the same
        numbers as the exported model.

    Raises
    ------
    TabularError
        Not JSON, wrong format or version, missing or malformed fields.
    """
    data = read_source(source, limits or Limits())
    try:
        doc = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as err:
        raise TabularError("This is not a valid nnkit model file: it is not JSON.") from err
    except RecursionError as err:  # e.g. 200,000 nested '[': json recurses per level
        raise TabularError(
            "This is not a valid nnkit model file: it is nested far too deeply."
        ) from err
    doc = _dict(doc, f"'format' is not {FORMAT!r}")
    _need(doc.get("format") == FORMAT, f"'format' is not {FORMAT!r}")
    _need(
        doc.get("version") in (1, 2, FORMAT_VERSION), f"unsupported version {doc.get('version')!r}"
    )
    if doc["version"] == 1:
        doc = _from_v1(doc)
    numeric, categorical, heavy, cats = _check_preprocess(doc)
    net = _dict(doc.get("network"), "no network")
    params = _regressor_params(net)
    task = doc.get("task", "regression")
    _need(task in ("regression", "classification"), "unknown task")
    classes: list[str] = []
    if task == "classification":
        classes = _list(net.get("classes_"), "bad classes")
        _need(
            2 <= len(classes) <= 1000
            and all(isinstance(c, str) for c in classes)
            and classes == sorted(set(classes)),
            "bad classes",
        )
    n_in = len(numeric) + sum(len(c) for c in cats)
    _need(net.get("n_features_in_") == n_in, "input size does not match the columns")
    n_out = len(classes) if len(classes) > 2 else 1
    sizes = [n_in, *params["hidden"], n_out]
    n_params = sum(a * b + b for a, b in zip(sizes[:-1], sizes[1:], strict=True))
    n_params += (n_in * n_out + n_out) * bool(params.get("linear_path", False))
    _need(n_params * params.get("members", 1) <= _MAX_PARAMS, "network too large")
    target = doc.get("target")
    common: dict[str, Any] = {
        "target": target if isinstance(target, str) else None,
        "name": "MLP (loaded)",
        "heavy_tailed": heavy,
    }
    model: TabularModel | TabularClassifier
    span: list[Any] = []
    rows = stand_in_frame(numeric, categorical, cats, min_rows=len(classes))
    if task == "classification":
        model = TabularClassifier(TorchMLPClassifier(**params), numeric, categorical, **common)
        y: np.ndarray = np.array(
            [classes[i % len(classes)] for i in range(len(rows))], dtype=object
        )
    else:
        log = bool(doc.get("log_target"))
        clip = doc.get("clip_target", False)
        _need(isinstance(clip, bool), "bad clip_target")
        if clip or "target_range" in doc:
            span = _list(doc.get("target_range"), "bad target range")
            _need(len(span) == 2 and all(map(_finite, span)) and span[0] <= span[1],
                  "bad target range")  # fmt: skip
            _need(not log or span[0] > 0, "bad target range")
        model = TabularModel(
            TorchMLPRegressor(**params), numeric, categorical, log_target=log, clip_target=clip,
            **common,
        )  # fmt: skip
        y = np.arange(1.0, len(rows) + 1.0)
    try:
        # the architecture only: no trainer (its optimizer would import torch._dynamo)
        model.fit(rows, y, estimator__epochs=0, estimator__trainer=False)
        set_learned_parameters(model.preprocessor_, doc["preprocess"])
        model.estimator_.set_learned_parameters(net)
        if span:
            model.target_range_ = (float(span[0]), float(span[1]))
    except ValueError as err:
        raise TabularError(f"This is not a valid nnkit model file: {err}.") from err
    return model


def loaded_summary(
    loaded: TabularModel | TabularClassifier,
    frame: pd.DataFrame,
    data: Prepared,
    trained: TabularModel | TabularClassifier | None = None,
) -> tuple[str, str | None]:
    """What a loaded model is, and what it does on the current test rows, in sentences.

    Parameters
    ----------
    loaded : TabularModel or TabularClassifier
        From :func:`load_model`.
    frame : pandas.DataFrame
        The current table.
    data : Prepared
        The current split (its test rows, target and task).
    trained : TabularModel or TabularClassifier, optional
        The MLP trained on the current split, to compare with.

    Returns
    -------
    (str, str or None)
        Markdown, and a warning when the table lacks columns the model reads.
    """
    from nnkit.tabular.baselines import class_probabilities, prediction_gap, regression_metrics
    from nnkit.tabular.classification import classification_metrics

    net = loaded.estimator_
    sizes = " → ".join(map(str, [net.n_features_in_, *net.hidden, net._n_outputs()]))
    if getattr(net, "linear_path", False):
        sizes += ", plus a linear path"
    if getattr(net, "members", 1) > 1:
        sizes += f"; the mean of {net.members} such networks"
    if isinstance(loaded, TabularClassifier):
        what = f"classifying **{loaded.target}** into {', '.join(map(str, loaded.classes_))}"
    else:
        what = f"predicting **{loaded.target}**{' via log' if loaded.log_target else ''}"
    text = (
        f"An MLP ({sizes}, {net.activation}) {what} from {counted(len(loaded.features), 'column')}: "
        f"{', '.join(loaded.features)}."
    )
    absent = [c for c in loaded.features if c not in frame.columns]
    if absent:
        return text, (
            f"The current data set has no {noun(len(absent), 'column')} {', '.join(absent)}: load the data the "
            "model was trained on to use it here."
        )
    rows = frame.loc[data.X_test.index, loaded.features]
    text += f" Its predictions on the {len(rows):,} current test rows"
    if loaded.target == data.target and loaded.task == data.task:
        if isinstance(loaded, TabularClassifier):
            proba = class_probabilities(loaded, rows, data.classes)
            text += f" have accuracy **{classification_metrics(data.y_test, proba, data.classes)['accuracy']:.1%}**"
        else:
            text += (
                f" have R² **{regression_metrics(data.y_test, loaded.predict(rows))['R²']:.4f}**"
            )
    if (
        trained is not None
        and list(trained.features) == list(loaded.features)
        and trained.task == loaded.task
    ):
        gap = prediction_gap(loaded, trained, data.X_test)
        text += (
            "; identical to the MLP trained above"
            if gap == 0
            else f"; they differ from the MLP trained above by up to {gap:,.4g} (a different training run)"
        )
    return text + ".", None
