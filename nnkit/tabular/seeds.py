"""How much the seed matters: every model trained again on other splits, the spread of its score.

One seed hides the spread: on a 1,460-row table the same MLP scored R² 0.855 with one
seed and 0.762 with the next. :func:`seed_runs` repeats what a page does for each seed
— split (:func:`~nnkit.tabular.prepare`), baselines, the MLP (with its search) — within
a time budget; :func:`spread` gives each model's median, lowest and highest test score,
and :func:`spread_text` says it in sentences, with how often the MLP beat each baseline
on the same split.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import TypeAlias

import numpy as np
import pandas as pd

from nnkit._text import counted, noun
from nnkit.limits import Limits
from nnkit.tabular.baselines import compare, fit_baselines
from nnkit.tabular.mlp import MLPConfig, train_mlp
from nnkit.tabular.prepare import prepare
from nnkit.tabular.search import SearchSpace

__all__ = ["as_run", "seed_runs", "spread", "spread_text"]


def as_run(table: pd.DataFrame, seed: int) -> pd.DataFrame:
    """A :func:`~nnkit.tabular.compare` table as the rows of one seed (to add to :func:`seed_runs`).

    Parameters
    ----------
    table : pandas.DataFrame
        From :func:`~nnkit.tabular.compare`.
    seed : int
        The seed of its split.

    Returns
    -------
    pandas.DataFrame
        ``seed, model, score, train s``; ``attrs["metric"]`` is ``"R²"`` or ``"accuracy"``.
    """
    metric = "accuracy" if "accuracy" in table.columns else "R²"
    out = pd.DataFrame(
        {
            "seed": int(seed),
            "model": table["model"].astype(str).to_numpy(),
            "score": table[metric].to_numpy(dtype=float),
            "train s": table.get("train s", pd.Series(np.nan, index=table.index)).to_numpy(
                dtype=float
            ),
        }
    )
    out.attrs["metric"] = metric
    return out


def seed_runs(
    frame: pd.DataFrame,
    target: str,
    features: Sequence[str],
    seeds: Sequence[int],
    *,
    test_size: float = 0.2,
    log_target: bool = False,
    task: str | None = None,
    config: MLPConfig | None = None,
    search: SearchSpace | None = None,
    limits: Limits | None = None,
    max_seconds: float | None = None,
    n_threads: int | None = None,
    progress: Callable[[float], None] | None = None,
) -> pd.DataFrame:
    """Split, fit the baselines and train the MLP once per seed; every model's test score.

    Parameters
    ----------
    frame : pandas.DataFrame
        The table.
    target : str
        The column to predict.
    features : sequence of str
        Feature columns.
    seeds : sequence of int
        One run per seed: the split, the MLP's weights, validation rows and batches.
    test_size, log_target, task
        As for :func:`~nnkit.tabular.prepare`.
    config : MLPConfig, optional
        The MLP's settings (with ``search``: the ones the search does not choose).
    search : SearchSpace, optional
        Choose the MLP's width, weight decay and learning rate per seed (default: the
        default :class:`~nnkit.tabular.SearchSpace` when no ``config`` is given).
    limits : Limits, optional
        Caps on each MLP run.
    max_seconds : float, optional
        Time budget of all the runs together: no seed starts once it is spent, and each
        MLP run gets at most what is left.
    n_threads : int, optional
        Native threads for scikit-learn.
    progress : callable, optional
        ``progress(fraction)`` after each seed.

    Returns
    -------
    pandas.DataFrame
        ``seed, model, score, train s`` (one row per seed and model); ``attrs``:
        ``metric`` (``"R²"`` or ``"accuracy"``) and ``skipped`` (seeds left out by the
        time budget).
    """
    limits = limits or Limits()
    if search is None and config is None:
        search = SearchSpace()
    t0 = time.perf_counter()
    budget = math.inf if max_seconds is None else float(max_seconds)
    parts: list[pd.DataFrame] = []
    skipped: list[int] = []
    for i, seed in enumerate(seeds):
        left = budget - (time.perf_counter() - t0)
        if left <= 0:
            skipped.append(int(seed))
            continue
        data = prepare(
            frame, target, list(features), test_size=test_size, seed=int(seed),
            log_target=log_target, task=task,
        )  # fmt: skip
        models = fit_baselines(data, n_threads=n_threads)
        left = budget - (time.perf_counter() - t0)
        cap = replace(limits, max_train_seconds=max(min(limits.max_train_seconds, left), 1e-3))
        models["MLP"], _ = train_mlp(
            data, config, search=search or False, limits=cap, n_threads=n_threads
        )
        parts.append(as_run(compare(models, data), int(seed)))
        if progress is not None:
            progress((i + 1) / len(seeds))
    out = pd.concat(parts, ignore_index=True) if parts else as_run(_empty(), 0).iloc[:0]
    out.attrs["metric"] = parts[0].attrs["metric"] if parts else "R²"
    out.attrs["skipped"] = skipped
    return out


def _empty() -> pd.DataFrame:
    return pd.DataFrame({"model": [], "R²": [], "train s": []})


Runs: TypeAlias = pd.DataFrame | Sequence[pd.DataFrame]
"""The rows of :func:`seed_runs` and :func:`as_run`: one frame, or several to put together."""


def _together(runs: Runs) -> pd.DataFrame:
    """One frame of runs (the latest row of a seed and model wins), its attrs merged."""
    frames = [runs] if isinstance(runs, pd.DataFrame) else list(runs)
    out = pd.concat(frames, ignore_index=True).drop_duplicates(["seed", "model"], keep="first")
    out.attrs["metric"] = next((f.attrs["metric"] for f in frames if "metric" in f.attrs), "R²")
    out.attrs["skipped"] = [s for f in frames for s in f.attrs.get("skipped", [])]
    return out.reset_index(drop=True)


def spread(runs: Runs) -> pd.DataFrame:
    """Each model's median, lowest and highest test score over the seeds of ``runs``.

    Parameters
    ----------
    runs : pandas.DataFrame or sequence of them
        From :func:`seed_runs` and :func:`as_run` (a seed's first rows count).

    Returns
    -------
    pandas.DataFrame
        ``model, median, min, max, seeds`` (best median first); ``attrs["metric"]``.
    """
    rows = _together(runs)
    g = rows.groupby("model", sort=False)["score"]
    out = pd.DataFrame(
        {"median": g.median(), "min": g.min(), "max": g.max(), "seeds": g.count()}
    ).reset_index()
    out = out.sort_values("median", ascending=False, kind="stable").reset_index(drop=True)
    out.attrs["metric"] = rows.attrs.get("metric", "R²")
    return out


def spread_text(runs: Runs) -> str:
    """The spread over seeds in sentences: each score's median and range, the MLP's wins.

    Parameters
    ----------
    runs : pandas.DataFrame or sequence of them
        From :func:`seed_runs` and :func:`as_run`.

    Returns
    -------
    str
        Markdown.
    """
    rows = _together(runs)
    metric = rows.attrs.get("metric", "R²")
    table = spread(rows)
    if table.empty:
        return "No run finished within the time budget."
    fmt = (lambda x: f"{x:.1%}") if metric == "accuracy" else (lambda x: f"{x:.3f}")
    n = int(rows["seed"].nunique())
    parts = [
        f"{'the MLP' if r.model == 'MLP' else r.model} {fmt(r.median)} "
        f"({fmt(r.min)} to {fmt(r.max)})"
        for r in table.itertuples()
    ]
    text = (
        f"Over {counted(n, 'seed')} (each its own split, initial weights and batches), the median test "
        f"{metric} and its range: " + "; ".join(parts) + "."
    )
    wide = table.assign(width=table["max"] - table["min"]).set_index("model")["width"]
    if n > 1 and "MLP" in wide.index:
        move = float(wide["MLP"])
        by = f"{100 * move:.1f} points" if metric == "accuracy" else f"{move:.3f}"
        text += f" The MLP's {metric} moves by {by} from seed to seed."
    by_seed = rows.pivot_table(index="seed", columns="model", values="score", aggfunc="first")
    if "MLP" in by_seed.columns:
        for other in [m for m in by_seed.columns if m != "MLP" and m not in ("mean", "majority")]:
            both = by_seed[["MLP", other]].dropna()
            if len(both):
                wins = int(np.sum(both["MLP"].to_numpy() > both[other].to_numpy()))
                text += f" It beats {other} on {wins} of {counted(len(both), 'split')}."
    skipped = rows.attrs.get("skipped") or []
    if skipped:
        text += (
            f" {noun(len(skipped), 'Seed')} {', '.join(map(str, skipped))} did not fit in "
            "the time budget."
        )
    return text
