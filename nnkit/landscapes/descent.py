"""Batch, stochastic and mini-batch gradient descent on the lecture's line fit.

:func:`gradient_descent` runs the lecture's PyTorch loop: full-batch (one step per
epoch), stochastic (batch 1) or mini-batch, with batches in exactly the order of a
shuffling ``DataLoader`` seeded through a ``torch.Generator``. Each step is computed
from the batch's sufficient statistics, so it costs a handful of float operations
whatever the batch size. The functions after it turn runs into the tables and curves
the "Gradient descent" page shows (excess loss per epoch and per gradient evaluation,
the closed-form prediction beside a run, the first time a run gets close to J*).

Divergence is a result, not a crash: a run stops at the first step whose parameters
are not finite or leave a huge box (``escape``, default :data:`ESCAPE`, far outside
every plotted region), and reports that step.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import cast

import numpy as np
import pandas as pd

from nnkit.landscapes.contours import thin_indices
from nnkit.landscapes.regression import QuadraticAnalysis, RegressionProblem

__all__ = [
    "ESCAPE",
    "EXCESS",
    "GDRun",
    "dataloader_permutations",
    "excess_loss_by_epoch",
    "excess_loss_by_work",
    "first_hit",
    "gradient_descent",
    "last_epoch_excess",
    "mode_table",
    "prediction_curves",
]

#: A run whose parameters exceed this in absolute value is reported as diverged.
ESCAPE = 1e6

#: Column of the excess loss ``J − J*`` in the frames below (also the charts' tooltip).
EXCESS = "J − J*"


def dataloader_permutations(n: int, epochs: int, seed: int) -> np.ndarray:
    """The sample order of ``DataLoader(..., shuffle=True, generator=g)`` for each epoch.

    ``g = torch.Generator().manual_seed(seed)``. The order comes from a real
    ``DataLoader`` over ``range(n)`` (its ``RandomSampler`` draws from ``g``), iterated
    to the end once per epoch as a training loop does, so the order does not depend on
    the batch size and mini-batch runs here visit the samples in exactly the order of
    the lecture's training loop with that generator.

    Parameters
    ----------
    n : int
        Number of samples.
    epochs : int
        Number of passes.
    seed : int
        Seed of the loader's generator.

    Returns
    -------
    numpy.ndarray
        Shape ``(epochs, n)``, integer indices.
    """
    import torch
    from torch.utils.data import DataLoader, Dataset

    g = torch.Generator().manual_seed(int(seed))
    samples = cast("Dataset[int]", range(n))  # any sized, indexable sequence will do
    loader: DataLoader[int] = DataLoader(
        samples, batch_size=n, shuffle=True, generator=g, collate_fn=np.asarray
    )
    out = np.empty((epochs, n), dtype=np.int64)
    for e in range(epochs):
        out[e] = np.concatenate(list(loader))
    return out


@dataclass(frozen=True)
class GDRun:
    """One gradient-descent run on the lecture's regression problem.

    Attributes
    ----------
    mode : str
        ``"batch"``, ``"stochastic"`` or ``"mini-batch"``.
    batch_size : int
    lr : float
    epochs : int
        Epochs asked for.
    steps_per_epoch : int
    path : numpy.ndarray
        ``(steps + 1, 2)``: ``(w, b)`` before the first step and after every step.
    loss : numpy.ndarray
        Full-data loss ``J`` at every point of ``path``.
    batch_loss : numpy.ndarray
        ``(steps,)``: loss of the batch used at each step, before the step (what a
        training loop prints).
    grad_evals : numpy.ndarray
        Cumulative per-sample gradient evaluations at every point of ``path``.
    epoch_loss : numpy.ndarray
        ``J`` at the start and after every completed epoch.
    diverged_at : int or None
        Step at which the run was stopped for diverging, ``None`` if it was not.
    stop_reason : str or None
        What happened at that step.
    """

    mode: str
    batch_size: int
    lr: float
    epochs: int
    steps_per_epoch: int
    path: np.ndarray
    loss: np.ndarray
    batch_loss: np.ndarray
    grad_evals: np.ndarray
    epoch_loss: np.ndarray
    diverged_at: int | None = None
    stop_reason: str | None = None

    @property
    def steps(self) -> int:
        """Steps actually taken."""
        return int(self.path.shape[0] - 1)

    @property
    def diverged(self) -> bool:
        """Whether the run was stopped for diverging."""
        return self.diverged_at is not None

    @property
    def final(self) -> tuple[float, float]:
        """Last finite ``(w, b)``."""
        return float(self.path[-1, 0]), float(self.path[-1, 1])

    @property
    def epochs_done(self) -> int:
        """Completed epochs."""
        return int(self.epoch_loss.shape[0] - 1)

    def path_after(self, epochs: int) -> np.ndarray:
        """``(w, b)`` from the start up to the end of epoch ``epochs`` (or the last step).

        Parameters
        ----------
        epochs : int
            Completed epochs to show (an animation's current frame).

        Returns
        -------
        numpy.ndarray
            Shape ``(k + 1, 2)``.
        """
        return self.path[: min(int(epochs) * self.steps_per_epoch, self.steps) + 1]

    def excess_loss(self, analysis: QuadraticAnalysis) -> np.ndarray:
        """``J − J*`` at every point of the path (accurate even near the optimum).

        Parameters
        ----------
        analysis : QuadraticAnalysis
            The closed-form analysis of the same problem.

        Returns
        -------
        numpy.ndarray
            Shape ``(steps + 1,)``.
        """
        return analysis.excess_loss(self.path[:, 0], self.path[:, 1])

    def frame(self) -> pd.DataFrame:
        """One row per point of the path.

        Returns
        -------
        pandas.DataFrame
            ``step, epoch`` (fractional), ``w, b, loss, grad_evals``.
        """
        steps = np.arange(self.path.shape[0])
        return pd.DataFrame(
            {
                "step": steps,
                "epoch": steps / self.steps_per_epoch,
                "w": self.path[:, 0],
                "b": self.path[:, 1],
                "loss": self.loss,
                "grad_evals": self.grad_evals,
            }
        )


def _mode_name(batch_size: int, n: int) -> str:
    if batch_size >= n:
        return "batch"
    if batch_size == 1:
        return "stochastic"
    return "mini-batch"


def gradient_descent(
    problem: RegressionProblem,
    lr: float = 0.01,
    epochs: int = 1000,
    batch_size: int | None = None,
    seed: int = 0,
    start: Sequence[float] | None = None,
    escape: float = ESCAPE,
) -> GDRun:
    """Gradient descent on the mean squared error, as the lecture's PyTorch loop does it.

    Each step takes one batch ``B``, computes ``L_B = mean_B((w·x + b − y)²)`` and
    its gradient, and updates ``w ← w − α ∂L_B/∂w``, ``b ← b − α ∂L_B/∂b``. Batches
    come from the per-epoch order of a shuffling ``DataLoader`` (see
    :func:`dataloader_permutations`), last batch smaller when ``batch_size`` does not
    divide ``n`` (``drop_last=False``). The gradient of each batch is computed from
    its sufficient statistics, so a step costs O(1) whatever the batch size; a unit
    test checks the path against a hand-written torch autograd loop step by step.

    Parameters
    ----------
    problem : RegressionProblem
        The data and the default start.
    lr : float, default 0.01
        Learning rate α (the lecture's value).
    epochs : int, default 1000
        Passes over the data (the lecture's value).
    batch_size : int or None, default None
        ``None`` (or ≥ n): full batch, one step per epoch, like the lecture's loop;
        1: stochastic gradient descent; anything else: mini-batch (32 on the
        lecture's training-loop slide).
    seed : int, default 0
        Seed of the shuffling (unused for full batch).
    start : (float, float), optional
        Initial ``(w, b)``; default the problem's random ``(w0, b0)``.
    escape : float, default 1e6
        A step whose ``|w|`` or ``|b|`` exceeds this, or whose value is not finite,
        stops the run as diverged.

    Returns
    -------
    GDRun
        The path, losses and work of the run.
    """
    if not (isinstance(lr, int | float) and math.isfinite(lr) and lr > 0):
        raise ValueError(f"learning rate must be a positive number, got {lr!r}")
    epochs = int(epochs)
    if epochs < 0:
        raise ValueError(f"epochs must be ≥ 0, got {epochs}")
    n = problem.n
    bs = n if batch_size is None else int(batch_size)
    if bs < 1:
        raise ValueError(f"batch size must be ≥ 1, got {batch_size}")
    bs = min(bs, n)
    x, y = problem.x, problem.y
    starts = np.arange(0, n, bs)
    steps_per_epoch = len(starts)
    if bs == n:
        order = np.broadcast_to(np.arange(n), (epochs, n))
    else:
        order = dataloader_permutations(n, epochs, seed)
    xo, yo = x[order], y[order]
    if epochs > 0:
        m = np.add.reduceat(np.ones_like(xo), starts, axis=1).ravel()
        sx = np.add.reduceat(xo, starts, axis=1).ravel()
        sy = np.add.reduceat(yo, starts, axis=1).ravel()
        sxx = np.add.reduceat(xo * xo, starts, axis=1).ravel()
        sxy = np.add.reduceat(xo * yo, starts, axis=1).ravel()
    else:
        m = sx = sy = sxx = sxy = np.empty(0)
    total = epochs * steps_per_epoch
    w, b = (problem.w0, problem.b0) if start is None else (float(start[0]), float(start[1]))
    ws = [w]
    bs_ = [b]
    diverged_at: int | None = None
    reason: str | None = None
    # The loop only does scalar arithmetic: 2/m folded into per-step coefficients.
    c = (2.0 * lr / m).tolist()
    sx_l, sxx_l, sxy_l, sy_l, m_l = sx.tolist(), sxx.tolist(), sxy.tolist(), sy.tolist(), m.tolist()
    for t in range(total):
        ct = c[t]
        dw = ct * (w * sxx_l[t] + b * sx_l[t] - sxy_l[t])
        db = ct * (w * sx_l[t] + b * m_l[t] - sy_l[t])
        w -= dw
        b -= db
        if not (abs(w) <= escape and abs(b) <= escape):  # also catches nan / inf
            diverged_at = t + 1
            reason = (
                "the parameters became infinite or NaN"
                if not (math.isfinite(w) and math.isfinite(b))
                else f"|w| or |b| exceeded {escape:g} (w = {w:.3g}, b = {b:.3g})"
            )
            break
        ws.append(w)
        bs_.append(b)
    path = np.column_stack([ws, bs_])
    k = path.shape[0] - 1
    loss = problem.loss(path[:, 0], path[:, 1])
    # batch losses from the residuals themselves (no cancellation when they are tiny)
    mk = m[:k].astype(np.int64)
    used = int(mk.sum())
    theta = np.repeat(path[:k], mk, axis=0)
    r = theta[:, 0] * xo.ravel()[:used] + theta[:, 1] - yo.ravel()[:used]
    with np.errstate(over="ignore", invalid="ignore"):
        batch_loss = (
            np.add.reduceat(r * r, np.concatenate([[0], np.cumsum(mk)[:-1]])) / m[:k]
            if k
            else np.empty(0)
        )
    grad_evals = np.concatenate([[0.0], np.cumsum(m[:k])])
    epoch_loss = loss[::steps_per_epoch][: k // steps_per_epoch + 1]
    return GDRun(
        mode=_mode_name(bs, n),
        batch_size=bs,
        lr=float(lr),
        epochs=epochs,
        steps_per_epoch=steps_per_epoch,
        path=path,
        loss=loss,
        batch_loss=batch_loss,
        grad_evals=grad_evals,
        epoch_loss=epoch_loss,
        diverged_at=diverged_at,
        stop_reason=reason,
    )


# ---------------------------------------------------------------------------
# Tables and curves of runs (what the page's charts and tables show)
# ---------------------------------------------------------------------------

#: Labels of the two curves of :func:`prediction_curves`.
RUN_CURVE = "gradient descent (this run)"
PREDICTION_CURVE = "prediction (I − αH)ᵗ(θ₀ − θ*)"


def prediction_curves(
    run: GDRun, analysis: QuadraticAnalysis, max_points: int = 500
) -> pd.DataFrame:
    """Excess loss of a full-batch run beside its closed-form prediction, per epoch.

    The prediction ``θ_t − θ* = (I − αH)ᵗ (θ₀ − θ*)`` is computed from the Hessian
    without running anything; for full-batch descent the two curves coincide.

    Parameters
    ----------
    run : GDRun
        A full-batch run (one step per epoch).
    analysis : QuadraticAnalysis
        The closed-form analysis of the same problem.
    max_points : int, default 500
        Each curve is thinned to at most this many points (first and last kept).

    Returns
    -------
    pandas.DataFrame
        ``epoch, J − J*, curve``; ``curve`` is :data:`RUN_CURVE` or
        :data:`PREDICTION_CURVE`.
    """
    t = np.arange(run.steps + 1)
    pred = analysis.predicted_error(run.path[0], run.lr, t) + analysis.theta_star
    idx = thin_indices(run.steps + 1, max_points)
    return pd.concat(
        [
            pd.DataFrame({"epoch": t, EXCESS: run.excess_loss(analysis), "curve": RUN_CURVE}).iloc[
                idx
            ],
            pd.DataFrame(
                {
                    "epoch": t,
                    EXCESS: analysis.excess_loss(pred[:, 0], pred[:, 1]),
                    "curve": PREDICTION_CURVE,
                }
            ).iloc[idx],
        ]
    )


def excess_loss_by_epoch(runs: Mapping[str, GDRun], analysis: QuadraticAnalysis) -> pd.DataFrame:
    """``J − J*`` at the start and after every completed epoch of each run.

    Parameters
    ----------
    runs : mapping of str to GDRun
        Runs by the name shown for them.
    analysis : QuadraticAnalysis
        The closed-form analysis of their problem.

    Returns
    -------
    pandas.DataFrame
        ``epoch, J − J*, mode`` (``mode`` is the run's name).
    """
    frames = []
    for name, r in runs.items():
        n = r.epochs_done + 1
        excess = r.excess_loss(analysis)[:: r.steps_per_epoch][:n]
        frames.append(pd.DataFrame({"epoch": np.arange(n), EXCESS: excess, "mode": name}))
    return pd.concat(frames, ignore_index=True)


def excess_loss_by_work(
    runs: Mapping[str, GDRun], analysis: QuadraticAnalysis, max_points: int = 600
) -> pd.DataFrame:
    """``J − J*`` against the work done, counted in per-sample gradient evaluations.

    Parameters
    ----------
    runs : mapping of str to GDRun
        Runs by the name shown for them.
    analysis : QuadraticAnalysis
        The closed-form analysis of their problem.
    max_points : int, default 600
        Each run is thinned to at most this many points.

    Returns
    -------
    pandas.DataFrame
        ``gradient evaluations, J − J*, mode``.
    """
    frames = []
    for name, r in runs.items():
        idx = thin_indices(r.steps + 1, max_points)
        frames.append(
            pd.DataFrame(
                {
                    "gradient evaluations": r.grad_evals[idx],
                    EXCESS: r.excess_loss(analysis)[idx],
                    "mode": name,
                }
            )
        )
    return pd.concat(frames, ignore_index=True)


def first_hit(run: GDRun, level: float) -> int | None:
    """Per-sample gradient evaluations until the full-data loss first gets to ``level``.

    Parameters
    ----------
    run : GDRun
        The run.
    level : float
        Target loss, e.g. ``1.05 J*``.

    Returns
    -------
    int or None
        Cumulative gradient evaluations at the first point with ``J ≤ level``;
        ``None`` if the run never gets there.
    """
    hit = np.nonzero(run.loss <= level)[0]
    return int(run.grad_evals[hit[0]]) if hit.size else None


def last_epoch_excess(run: GDRun, analysis: QuadraticAnalysis) -> float:
    """Mean of ``J − J*`` over the last epoch's points (SGD's noise floor).

    Parameters
    ----------
    run : GDRun
        The run.
    analysis : QuadraticAnalysis
        Gives ``J*``.

    Returns
    -------
    float
        Mean excess loss over the last ``steps_per_epoch + 1`` points (all of them if
        the run is shorter).
    """
    k = run.steps_per_epoch + 1
    last = run.loss[-k:] if run.steps >= run.steps_per_epoch else run.loss
    return float(np.mean(last)) - analysis.loss_star


def mode_table(
    runs: Mapping[str, GDRun], analysis: QuadraticAnalysis, target: float = 1.05
) -> pd.DataFrame:
    """One row per run: steps, final ``(w, b)`` and ``J``, noise floor, work to near ``J*``.

    Parameters
    ----------
    runs : mapping of str to GDRun
        Runs by the name shown for them.
    analysis : QuadraticAnalysis
        The closed-form analysis of their problem.
    target : float, default 1.05
        "Near the optimum" means ``J ≤ target · J*``.

    Returns
    -------
    pandas.DataFrame
        Columns ``mode, steps, final w, final b, final J, J − J* (last epoch, mean)``,
        ``gradient evals until first J ≤ {target} J*`` (missing if never) and
        ``diverged at step``.
    """
    hits = f"gradient evals until first J ≤ {target:g} J*"
    rows = [
        {
            "mode": name,
            "steps": r.steps,
            "final w": r.final[0],
            "final b": r.final[1],
            "final J": r.loss[-1],
            "J − J* (last epoch, mean)": last_epoch_excess(r, analysis),
            hits: first_hit(r, target * analysis.loss_star),
            "diverged at step": r.diverged_at,
        }
        for name, r in runs.items()
    ]
    return pd.DataFrame(rows)
