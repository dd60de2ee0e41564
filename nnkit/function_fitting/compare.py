"""Two (or more) training recipes on the same data and seed, side by side."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import TYPE_CHECKING, NamedTuple

from nnkit.function_fitting.evaluation import evaluate_fit
from nnkit.function_fitting.settings import FitSettings
from nnkit.function_fitting.targets import Target, make_data

if TYPE_CHECKING:
    from nnkit.training import History

__all__ = ["OVERFIT_RATIO", "RunSummary", "compare_note", "compare_runs"]

OVERFIT_RATIO = 3.0
"""A run over-fits when its mean squared error on a grid between the samples exceeds
its final training loss (on the samples) by more than this factor."""


class RunSummary(NamedTuple):
    """One run of :func:`compare_runs` (a tuple, in this order, for older notebooks).

    Attributes
    ----------
    history : nnkit.training.History
        Losses per epoch.
    stop_message : str
        Why the run ended, in words.
    wall_time : float
        Training seconds.
    r2_inside, r2_outside : float
        R² against the exact target inside the box / on the rest of a 1.5× window.
    mse_inside : float
        Mean squared error on the grid inside the box (between the samples).
    """

    history: History
    stop_message: str
    wall_time: float
    r2_inside: float
    r2_outside: float
    mse_inside: float

    @property
    def final_loss(self) -> float:
        """The last epoch's training loss (MSE per sample; NaN before the first epoch)."""
        return self.history.train_loss[-1] if self.history.train_loss else math.nan

    @property
    def overfits(self) -> bool:
        """True when the error between the samples is > :data:`OVERFIT_RATIO` × the training loss."""
        return bool(self.mse_inside > OVERFIT_RATIO * self.final_loss)


def compare_runs(
    target: Target,
    n_samples: int,
    seed: int,
    runs: Mapping[str, FitSettings],
    max_seconds: float = 15.0,
) -> dict[str, RunSummary]:
    """Train each of ``runs`` on the same data (same seed) and evaluate it.

    Parameters
    ----------
    target : Target
        What to fit.
    n_samples : int
        Samples drawn (noise-free) with ``seed``.
    seed : int
        Seeds the data (each run's own ``seed`` seeds its weights and batches).
    runs : mapping of str to FitSettings
        Label -> settings.
    max_seconds : float
        Time budget of each run.

    Returns
    -------
    dict of str to RunSummary
        In the order of ``runs``.
    """
    X, y = make_data(target, n_samples, 0.0, seed)
    out = {}
    for label, settings in runs.items():
        trainer = settings.trainer(target, X, y, max_seconds=max_seconds)
        res = trainer.run(settings.epochs)
        ev = evaluate_fit(trainer.model, target, n=61 if target.dim == 2 else 201)
        out[label] = RunSummary(
            res.history,
            res.stop_message,
            res.wall_time,
            ev.r2_inside,
            ev.r2_outside,
            ev.rmse_inside**2,
        )
    return out


def compare_note(runs: Mapping[str, RunSummary]) -> str:
    """What a comparison shows, from its numbers: which run fits the box better, over-fitting.

    Parameters
    ----------
    runs : mapping of str to RunSummary
        From :func:`compare_runs`.

    Returns
    -------
    str
        Names the run with the higher R² inside the box (or says they tie), the final
        training losses, runs whose predictions are not finite, and runs that fit their
        samples much better than the function between them.
    """
    finite = {k: r for k, r in runs.items() if math.isfinite(r.r2_inside)}
    broken = [k for k in runs if k not in finite]
    parts = []
    if len(finite) >= 2:
        ranked = sorted(finite, key=lambda k: finite[k].r2_inside, reverse=True)
        best, worst = finite[ranked[0]].r2_inside, finite[ranked[-1]].r2_inside
        if f"{best:.4f}" == f"{worst:.4f}":
            parts.append(f"The runs fit the box equally well (R² {best:.4f}).")
        else:
            others = ", ".join(f"{finite[k].r2_inside:.4f}" for k in ranked[1:])
            parts.append(f"Run {ranked[0]} fits the box better (R² {best:.4f} vs {others}).")
    elif len(finite) == 1:
        ((k, r),) = finite.items()
        parts.append(
            f"Only run {k} gives finite predictions (R² inside the box {r.r2_inside:.4f})."
        )
    if runs:
        losses = ", ".join(f"{k} {r.final_loss:.4g}" for k, r in runs.items())
        parts.append(f"Final training losses (MSE per sample): {losses}.")
    if broken:
        parts.append(
            " and ".join(f"run {k}" for k in broken)
            + " predicts NaN or infinite values (training diverged): lower its learning rate."
        )
    overfit = [
        f"run {k} ({r.mse_inside:.3g} on the grid vs {r.final_loss:.3g} on its samples)"
        for k, r in finite.items()
        if r.overfits
    ]
    if overfit:
        parts.append(
            f"The mean squared error between the samples is more than {OVERFIT_RATIO:g}× the "
            "training loss for " + " and ".join(overfit) + ": it fits its samples better than "
            "the function between them (over-fitting); more samples would help."
        )
    return " ".join(parts)
