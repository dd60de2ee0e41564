"""How a trained network compares with its target, inside the training box and beyond it.

:func:`evaluate_fit` samples truth and prediction on a window larger than the training
box and returns a :class:`FitEvaluation`: R² and RMSE inside and outside, a 1-D slice,
what the prediction does beyond the box (a straight line, flat, wiggling...) and a
verdict read from those numbers. Extrapolation is only judged for a network that has
learned the function inside the box: a network that fits the data poorly has nothing
to extrapolate, whatever shape it has outside.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from nnkit.function_fitting.targets import Target, grid_points
from nnkit.metrics import r2_score, rmse

if TYPE_CHECKING:
    from nnkit._torch import torch

__all__ = [
    "BEHAVIOURS",
    "LEARNED_R2",
    "ROUGH_R2",
    "FitEvaluation",
    "evaluate_fit",
]

LEARNED_R2 = 0.9
"""R² inside the box from which the network counts as having learned the function
there; only then does :meth:`FitEvaluation.note` judge its extrapolation."""

ROUGH_R2 = 0.5
"""R² inside the box below which the network has not even learned the function's rough
shape."""

BEHAVIOURS: dict[str, str] = {
    "follows the truth": "Along the slice, the prediction still follows the truth beyond the box.",
    "grows linearly": (
        "Along the slice, beyond the box the prediction continues almost as a straight line "
        "(a line fits each side with R² ≥ {line_r2:.3f})."
    ),
    "flattens": "Along the slice, beyond the box the prediction flattens out.",
    "bends away": (
        "Along the slice, beyond the box the prediction keeps curving away from the box "
        "(neither straight nor flat, and without wiggles)."
    ),
    "oscillates": (
        "Along the slice, beyond the box the prediction keeps wiggling ({turns} turning "
        "points) but no longer matches the truth."
    ),
}
"""What the prediction does beyond the box (keys of ``FitEvaluation.outside_behaviour``)
and the sentence :meth:`FitEvaluation.note` says about it."""


@dataclass
class FitEvaluation:
    """Truth vs prediction on a window larger than the training box.

    Attributes
    ----------
    grid : DataFrame
        Columns ``x`` (and ``y`` in 2-D), ``truth``, ``prediction``, ``error``
        (prediction − truth), ``inside`` (in the training box).
    slice : DataFrame
        Long format ``x, series ("truth"/"prediction"), value, inside`` along
        y = centre of the box (2-D) or the whole line (1-D).
    r2_inside, r2_outside : float
        R² on the grid points inside / outside the training box (NaN when the
        predictions are not finite or the truth is constant there).
    rmse_inside, rmse_outside : float
        Root-mean-square error inside / outside.
    outside_behaviour : str or None
        A key of :data:`BEHAVIOURS`, read from the slice outside the box; None when
        the window has no points outside the box or a prediction is not finite.
    line_r2_outside : float
        R² of a straight-line fit to the prediction on each side of the slice outside
        the box (the worse side).
    domain, window : (float, float)
        The training box and the evaluated window (on every axis).
    dim : int
        Input dimension.
    outside_turns : int
        Turning points (local extrema) of the prediction on the slice outside the box.
    """

    grid: pd.DataFrame
    slice: pd.DataFrame
    r2_inside: float
    r2_outside: float
    rmse_inside: float
    rmse_outside: float
    outside_behaviour: str | None
    line_r2_outside: float
    domain: tuple[float, float]
    window: tuple[float, float]
    dim: int
    outside_turns: int = 0

    @property
    def non_finite(self) -> int:
        """Grid points where the prediction is NaN or infinite (a diverged network)."""
        return int((~np.isfinite(self.grid["prediction"].to_numpy(dtype=float))).sum())

    @property
    def inside_fit(self) -> str:
        """How well the network fits where it saw data, from the numbers.

        ``"not finite"`` (some prediction is NaN or infinite: training diverged),
        ``"not learned"`` (R² inside below :data:`ROUGH_R2`), ``"rough"`` (below
        :data:`LEARNED_R2`) or ``"learned"``. For a target constant on the box (R²
        undefined) the RMSE relative to the target's size decides.
        """
        if self.non_finite:
            return "not finite"
        r2 = self.r2_inside
        if math.isnan(r2):
            inside = self.grid[self.grid["inside"]]
            size = float(np.max(np.abs(inside["truth"]))) if len(inside) else 0.0
            return "learned" if self.rmse_inside <= 0.05 * max(size, 1.0) else "not learned"
        if r2 >= LEARNED_R2:
            return "learned"
        return "rough" if r2 >= ROUGH_R2 else "not learned"

    @property
    def extrapolation(self) -> str | None:
        """The extrapolation verdict: ``"extrapolates"``, ``"only inside"`` or None.

        None unless :attr:`inside_fit` is ``"learned"`` (a network that has not learned
        the function where it saw data has nothing to extrapolate) and the window has
        points outside the box. ``"extrapolates"`` when R² outside is at least
        :data:`LEARNED_R2` too, else ``"only inside"``.
        """
        if self.inside_fit != "learned" or math.isnan(self.r2_outside):
            return None
        return "extrapolates" if self.r2_outside >= LEARNED_R2 else "only inside"

    def note(self, activation: str | None = None, fourier: bool = False) -> str:
        """The "what you see" sentences, from the numbers above.

        Parameters
        ----------
        activation : str, optional
            The model's hidden activation.
        fourier : bool
            Whether the model has Fourier features.

        Returns
        -------
        str
            The R² and RMSE inside and outside, then the verdict: a diverged or
            untrained network is called so, without any claim about extrapolation;
            for a network that fits the box, what it does beyond it. ``activation``
            and ``fourier`` only choose which explanation to add when the observed
            behaviour matches what that architecture is known to do.
        """
        fit = self.inside_fit
        if fit == "not finite":
            return (
                f"The network's prediction is not a finite number at {self.non_finite} of "
                f"{len(self.grid)} grid points: training diverged, so there is nothing to read "
                "inside or outside the box. Lower the learning rate or turn on scaling."
            )
        lo, hi = self.domain
        sq = "²" if self.dim == 2 else ""
        r2_in, r2_out = self.r2_inside, self.r2_outside
        parts = [
            f"Inside the training box [{lo:g}, {hi:g}]{sq} the network explains "
            f"R² = {r2_in:.4f} of the target's variance (RMSE {self.rmse_inside:.3g}); "
            f"outside it, on the rest of the {self.window[0]:g}…{self.window[1]:g} window, "
            f"R² = {r2_out:.3f} (RMSE {self.rmse_outside:.3g})."
        ]
        if fit == "not learned":
            parts.append(
                "The network has not learned the function even inside the box, where it saw "
                "the data: train longer or change the settings. What it does outside the box "
                "says nothing about extrapolation yet."
            )
            return " ".join(parts)
        if fit == "rough":
            parts.append(
                f"The network has only the function's rough shape inside the box (R² below "
                f"{LEARNED_R2:g}): train longer or change the settings before judging how it "
                "extrapolates."
            )
            return " ".join(parts)
        b = self.outside_behaviour
        if b is not None and b != "follows the truth":
            parts.append(
                BEHAVIOURS[b].format(line_r2=self.line_r2_outside, turns=self.outside_turns)
            )
            parts += _explanation(b, activation, fourier)
        verdict = self.extrapolation
        if verdict == "extrapolates":
            parts.append(
                f"Beyond the box it still matches the truth (R² {r2_out:.3f}): here the network "
                "extrapolates."
            )
        elif verdict == "only inside":
            parts.append(
                f"The network has learned the function only where it saw data: R² falls from "
                f"{r2_in:.4f} inside the box to {r2_out:.3f} outside"
                + (
                    ", although along the slice it stays close."
                    if b == "follows the truth"
                    else "."
                )
            )
        return " ".join(parts)


def _explanation(behaviour: str, activation: str | None, fourier: bool) -> list[str]:
    """Why this architecture behaves so far from the data, when it is the known reason."""
    if behaviour == "grows linearly" and activation in ("relu", "leaky_relu") and not fourier:
        return [
            "A ReLU network is piecewise linear, so far from the data it extrapolates linearly."
        ]
    if behaviour == "flattens" and activation in ("tanh", "sigmoid") and not fourier:
        return [f"{activation} units saturate far from the data, so the output stops changing."]
    if behaviour == "oscillates" and (fourier or activation in ("sine", "siren")):
        return [
            "Sine features are periodic: the network repeats patterns it saw instead of "
            "extrapolating."
        ]
    return []


def _turning_points(values: np.ndarray, tolerance: float) -> int:
    """Local extrema of a sampled curve, ignoring steps smaller than ``tolerance``."""
    d = np.diff(values)
    signs = np.sign(d[np.abs(d) > tolerance])
    return int(np.count_nonzero(signs[1:] != signs[:-1]))


def _classify_outside(
    xs: np.ndarray, pred: np.ndarray, truth: np.ndarray, inside: np.ndarray
) -> tuple[str | None, float, int]:
    """``(behaviour, line R², turning points)`` of the prediction on a slice beyond the box."""
    out = ~inside
    if out.sum() < 4 or not np.isfinite(pred).all():
        return None, math.nan, 0
    sides = [s for s in (xs < xs[inside].min(), xs > xs[inside].max()) if s.sum() >= 3]
    line_scores = []
    for side in sides:
        coef = np.polyfit(xs[side], pred[side], 1)
        line_scores.append(r2_score(pred[side], np.polyval(coef, xs[side])))
    finite = [v for v in line_scores if math.isfinite(v)]
    line_r2 = float(min(finite)) if finite else math.nan
    spread_in = float(np.ptp(pred[inside])) or 1.0
    spread_out = max((float(np.ptp(pred[side])) for side in sides), default=0.0)
    turns = sum(_turning_points(pred[side], 1e-6 * spread_in) for side in sides)
    r2_out = r2_score(truth[out], pred[out])
    if math.isfinite(r2_out) and r2_out > LEARNED_R2:
        return "follows the truth", line_r2, turns
    wiggle = max(
        (
            float(np.sum(np.abs(np.diff(pred[s])))) - float(abs(pred[s][-1] - pred[s][0]))
            for s in sides
        ),
        default=0.0,
    )  # total variation beyond the net change: how far the wiggles go up and down
    if turns >= 2 and wiggle > 0.1 * spread_in:
        return "oscillates", line_r2, turns
    if math.isfinite(line_r2) and line_r2 > 0.98 and spread_out > 0.05 * spread_in:
        return "grows linearly", line_r2, turns
    if spread_out <= 0.15 * spread_in or (math.isfinite(line_r2) and line_r2 > 0.98):
        return "flattens", line_r2, turns
    return "bends away", line_r2, turns


def evaluate_fit(
    model: torch.nn.Module | None, target: Target, *, window_factor: float = 1.5, n: int = 121
) -> FitEvaluation:
    """Compare ``model`` with ``target`` on a window ``window_factor`` times the training box.

    Parameters
    ----------
    model : torch.nn.Module or None
        A trained model (inputs of dimension ``target.dim``, one output); None: the truth
        only (before any training; no torch): predictions, errors and scores are NaN.
    target : Target
        The function it was trained on, with its training box.
    window_factor : float
        The window is the training box scaled about its centre by this factor.
    n : int
        Grid points per axis (the slice has ``4 n`` points).

    Returns
    -------
    FitEvaluation
    """
    from nnkit.function_fitting.live import _predict

    lo, hi = target.domain
    c, h = (lo + hi) / 2, (hi - lo) / 2 * window_factor
    window = (c - h, c + h)
    G = grid_points(target.dim, window, n)
    truth = target(G)
    pred = _predict(model, G)
    inside = np.all((G >= lo - 1e-12) & (G <= hi + 1e-12), axis=1)
    cols = {"x": G[:, 0]}
    if target.dim == 2:
        cols["y"] = G[:, 1]
    grid = pd.DataFrame(
        cols | {"truth": truth, "prediction": pred, "error": pred - truth, "inside": inside}
    )

    xs = np.linspace(*window, 4 * n)
    S = np.c_[xs, np.full_like(xs, c)] if target.dim == 2 else xs[:, None]
    s_truth, s_pred = target(S), _predict(model, S)
    s_inside = (xs >= lo) & (xs <= hi)
    slice_df = pd.concat(
        [
            pd.DataFrame({"x": xs, "series": "truth", "value": s_truth, "inside": s_inside}),
            pd.DataFrame({"x": xs, "series": "prediction", "value": s_pred, "inside": s_inside}),
        ],
        ignore_index=True,
    )
    behaviour, line_r2, turns = (
        _classify_outside(xs, s_pred, s_truth, s_inside)
        if np.isfinite(pred).all()
        else (None, math.nan, 0)
    )
    return FitEvaluation(
        grid=grid,
        slice=slice_df,
        r2_inside=r2_score(truth[inside], pred[inside]),
        r2_outside=r2_score(truth[~inside], pred[~inside]),
        rmse_inside=rmse(truth[inside], pred[inside]),
        rmse_outside=rmse(truth[~inside], pred[~inside]),
        outside_behaviour=behaviour,
        line_r2_outside=line_r2,
        domain=(lo, hi),
        window=window,
        dim=target.dim,
        outside_turns=turns,
    )
