"""Function fitting experiments of lecture 1: targets, presets, extrapolation, width sweep, XOR.

The MLP-fitting and XOR pages are thin: everything they compute is here, as plain
data (dataclasses and DataFrames) that :mod:`nnkit.plots.fitting` draws.

* :class:`Target` -- what to fit: Rastrigin (exercise 1), a 1-D function of
  :data:`nnkit.datasets.TARGETS_1D`, or a formula typed by a student
  (:func:`formula_target`, parsed by :mod:`nnkit.expr`, never evaluated).
* :class:`FitSettings` and :data:`PRESETS` -- architecture + optimizer in one
  hashable record: the lecture's TorchMLP with its two recipes, a plain MLP and
  Fourier features.
* :func:`evaluate_fit` -- truth, prediction and error on a window larger than the
  training box, R² inside vs outside, a 1-D slice, and how the prediction behaves
  outside (linear growth, saturation, oscillation), computed from the numbers.
* :func:`width_sweep` -- universal approximation: one hidden layer of sigmoids,
  error vs width.
* :func:`xor_study` -- success rate of XOR networks over seeds, for 0, 1, 2
  hidden layers and 1-8 units (all seeds of one architecture trained at once).
"""

from __future__ import annotations

import functools
import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from nnkit.datasets import RASTRIGIN_DOMAIN, TARGETS_1D, rastrigin
from nnkit.limits import Limits
from nnkit.metrics import r2_score

if TYPE_CHECKING:
    from nnkit.training import Trainer

__all__ = [
    "PRESETS",
    "FitEvaluation",
    "FitSettings",
    "LiveView",
    "XorFit",
    "Target",
    "builtin_target",
    "compare_runs",
    "decision_grid",
    "evaluate_fit",
    "fit_xor",
    "live_view",
    "formula_target",
    "grid_points",
    "make_data",
    "r2_score",
    "target_from_name",
    "train_xor_batch",
    "width_sweep",
    "xor_reference_accuracy",
    "xor_study",
]


# --------------------------------------------------------------------------- targets
@dataclass(frozen=True)
class Target:
    """A function to fit on a training box.

    Attributes
    ----------
    name : str
        Identifier (also a cache key: two targets with the same name are the same).
    label : str
        For titles, e.g. "Rastrigin".
    dim : int
        1 or 2 input variables.
    fn : callable
        Vectorised numpy function of ``dim`` arrays.
    domain : (float, float)
        Training box: [lo, hi] on every axis.
    formula : str
        Human-readable formula.
    """

    name: str
    label: str
    dim: int
    fn: Callable[..., np.ndarray] = field(repr=False, compare=False, hash=False)
    domain: tuple[float, float]
    formula: str

    def __call__(self, X: np.ndarray) -> np.ndarray:
        """Values at the rows of ``X`` (shape (n, dim)) as a float array of shape (n,)."""
        X = np.asarray(X, dtype=float)
        if X.ndim == 1:
            X = X[:, None]
        with np.errstate(all="ignore"):
            out = np.asarray(self.fn(*[X[:, i] for i in range(self.dim)]))
        if np.iscomplexobj(out):  # e.g. a typed sqrt(-1)*x: not a real target, not 0
            out = np.where(out.imag == 0, out.real, np.nan)
        out = np.asarray(out, dtype=float)
        return np.broadcast_to(out, (len(X),)).copy() if out.ndim == 0 else out.reshape(len(X))

    def with_domain(self, lo: float, hi: float) -> Target:
        """The same function on another training box."""
        if not (math.isfinite(lo) and math.isfinite(hi) and hi > lo):
            raise ValueError("the training domain needs finite bounds with upper > lower")
        if max(abs(lo), abs(hi)) > MAX_DOMAIN:
            raise ValueError(
                f"the training box must lie within ±{MAX_DOMAIN:g}: the network trains in "
                "float32 and its plots sample a window 1.5× the box"
            )
        return replace(self, domain=(float(lo), float(hi)))


def builtin_target(name: str) -> Target:
    """``"rastrigin"`` (2-D, on [-5.12, 5.12]²) or a name of :data:`nnkit.datasets.TARGETS_1D`."""
    if name == "rastrigin":
        return Target(
            "rastrigin",
            "Rastrigin",
            2,
            lambda x, y: rastrigin(x, y),
            RASTRIGIN_DOMAIN,
            "20 + (x² − 10 cos 2πx) + (y² − 10 cos 2πy)",
        )
    if name in TARGETS_1D:
        t = TARGETS_1D[name]
        return Target(t.name, t.label, 1, t.fn, t.domain, t.formula)
    raise ValueError(f"unknown target {name!r}; choose rastrigin or one of {', '.join(TARGETS_1D)}")


#: Largest |bound| of a training box, and largest |f| a typed formula may reach on it:
#: training runs in float32 (max ~3.4e38) and the output scaling squares the values.
MAX_DOMAIN = 1e6
MAX_TARGET = 1e15


def formula_target(formula, domain: tuple[float, float]) -> Target:
    """A target from a parsed :class:`nnkit.expr.Formula` in ``x`` or in ``x, y``.

    Parameters
    ----------
    formula : nnkit.expr.Formula
        Parsed with ``variables=("x", "y")`` (or ``("x",)``); a formula that uses only
        ``x`` is a 1-D target.
    domain : (float, float)
        Training box.

    Raises
    ------
    ValueError
        If the formula is not finite at some points of the training box (the message
        says how many and an example point).
    """
    used = {str(s) for s in formula.sympy.free_symbols}
    dim = 2 if "y" in used else 1
    f = formula.numpy

    def fn(*arrays):
        if dim == 1:
            return (
                f(arrays[0], np.zeros_like(arrays[0]))
                if len(formula.variables) == 2
                else f(arrays[0])
            )
        return f(*arrays)

    target = Target(f"formula:{formula.text}", formula.text, dim, fn, (0.0, 1.0), formula.text)
    target = target.with_domain(*domain)
    grid = grid_points(target.dim, target.domain, 41)
    vals = target(grid)
    bad = ~np.isfinite(vals)
    if bad.any():
        p = grid[np.argmax(bad)]
        where = ", ".join(f"{v}={c:.3g}" for v, c in zip("xy", p, strict=False))
        raise ValueError(
            f"the formula is not a finite number at {int(bad.sum())} of {len(vals)} test points "
            f"of the training domain (e.g. at {where}): change the formula or the domain"
        )
    biggest = float(np.max(np.abs(vals)))
    if biggest > MAX_TARGET:
        raise ValueError(
            f"the formula reaches |f| = {biggest:.3g} on the training domain, too large to train "
            f"on in float32 (at most {MAX_TARGET:g}): shrink the domain or rescale the formula"
        )
    return target


def target_from_name(name: str, domain: tuple[float, float] | None = None) -> Target:
    """Rebuild a target from its ``name`` (a built-in name or ``"formula:<text>"``).

    Targets hold a function, so caches key them by name and domain instead.
    """
    if name.startswith("formula:"):
        from nnkit.expr import parse

        return formula_target(parse(name[len("formula:") :], ("x", "y")), domain or (-1.0, 1.0))
    t = builtin_target(name)
    return t.with_domain(*domain) if domain is not None else t


def grid_points(dim: int, domain: tuple[float, float], n: int) -> np.ndarray:
    """A regular grid of ``n`` points per axis on ``domain`` (shape (n**dim, dim))."""
    g = np.linspace(domain[0], domain[1], n)
    if dim == 1:
        return g[:, None]
    gx, gy = np.meshgrid(g, g)
    return np.c_[gx.ravel(), gy.ravel()]


def make_data(
    target: Target, n_samples: int = 2000, noise: float = 0.0, seed: int = 0
) -> tuple[np.ndarray, np.ndarray]:
    """Uniform random samples of ``target`` on its box, plus Gaussian noise.

    Parameters
    ----------
    target : Target
    n_samples : int
        Number of samples (≥ 2).
    noise : float
        Standard deviation of the noise, as a fraction of the target's standard
        deviation on the samples (0.1 = 10 %).
    seed : int

    Returns
    -------
    X : ndarray (n_samples, dim)
    y : ndarray (n_samples,)
    """
    if n_samples < 2:
        raise ValueError("n_samples must be at least 2")
    if not (0 <= noise <= 10):
        raise ValueError("noise must be between 0 and 10 (a fraction of the target's spread)")
    rng = np.random.default_rng(seed)
    X = rng.uniform(target.domain[0], target.domain[1], (int(n_samples), target.dim))
    y = target(X)
    if noise > 0:
        y = y + noise * float(np.std(y)) * rng.standard_normal(len(y))
    return X, y


# --------------------------------------------------------------------------- settings
@dataclass(frozen=True)
class FitSettings:
    """Architecture and training recipe (hashable: a cache key and a job config).

    ``normalize=True`` maps the training box to [-1, 1] and standardises the output
    inside the model (see :func:`nnkit.models.mlp`); the lecture's presets do not.
    ``lr_schedule="cosine"`` anneals the learning rate from ``lr`` to nearly 0 over the
    ``epochs`` (see :class:`nnkit.training.Trainer`).
    """

    hidden: tuple[int, ...] = (128, 128, 128)
    activation: str = "tanh"
    output_activation: str | None = None
    fourier_features: int = 0
    fourier_scale: float = 3.0
    siren_w0: float = 30.0
    normalize: bool = True
    optimizer: str = "adam"
    lr: float = 2e-3
    batch_size: int | None = 256
    epochs: int = 300
    reduction: str = "mean"
    seed: int = 0
    lr_decay: float = 1.0
    lr_schedule: str = "constant"

    def build_model(
        self,
        dim: int,
        X: np.ndarray | None = None,
        y: np.ndarray | None = None,
        domain: tuple[float, float] | None = None,
    ):
        """The network for inputs of dimension ``dim`` (``X, y`` set the output scaling)."""
        from nnkit.models import mlp

        bounds = None
        out = None
        if self.normalize:
            if domain is not None:
                bounds = ([domain[0]] * dim, [domain[1]] * dim)
            if y is not None and len(y):
                std = float(np.std(y))
                out = (float(np.mean(y)), std if std > 0 else 1.0)
        return mlp(
            dim,
            self.hidden,
            1,
            activation=self.activation,
            output_activation=self.output_activation,
            fourier_features=self.fourier_features,
            fourier_scale=self.fourier_scale,
            siren_w0=self.siren_w0,
            input_bounds=bounds,
            output_scale=out,
            seed=self.seed,
        )

    def trainer(
        self,
        target: Target,
        X: np.ndarray,
        y: np.ndarray,
        *,
        val_fraction: float = 0.0,
        max_seconds: float | None = None,
        limits: Limits | None = None,
    ) -> Trainer:
        """A :class:`nnkit.training.Trainer` for these settings on ``(X, y)``."""
        from nnkit.training import supervised_trainer

        model = self.build_model(target.dim, X, y, target.domain)
        return supervised_trainer(
            model,
            X,
            y,
            loss="mse",
            reduction=self.reduction,
            optimizer=self.optimizer,
            lr=self.lr,
            batch_size=self.batch_size,
            val_fraction=val_fraction,
            seed=self.seed,
            max_seconds=max_seconds,
            lr_decay=self.lr_decay,
            lr_schedule=self.lr_schedule,
            limits=limits,
        )

    def describe(self) -> str:
        """One line: architecture and recipe."""
        arch = "→".join(str(h) for h in self.hidden) or "no hidden layer"
        ff = (
            f", {self.fourier_features} Fourier features (scale {self.fourier_scale:g})"
            if self.fourier_features
            else ""
        )
        outact = f", {self.output_activation} on the output" if self.output_activation else ""
        bs = "full batch" if self.batch_size is None else f"batch {self.batch_size}"
        red = ", summed loss" if self.reduction == "sum" else ""
        red += f", lr × {self.lr_decay:g} per epoch" if self.lr_decay != 1.0 else ""
        red += ", cosine lr schedule" if self.lr_schedule == "cosine" else ""
        return (
            f"{arch} {self.activation}{outact}{ff}; {self.optimizer} lr {self.lr:g}, {bs}{red}, "
            f"{self.epochs} epochs"
            + ("" if self.normalize else ", raw (unscaled) inputs and outputs")
        )


PRESETS: dict[str, FitSettings] = {
    "lecture TorchMLP · SGD lr 1e-6": FitSettings(
        hidden=(3,), activation="relu", output_activation="relu", normalize=False,
        optimizer="sgd", lr=1e-6, batch_size=None, epochs=2000, reduction="sum",
    ),
    "lecture TorchMLP · RMSprop lr 1e-3": FitSettings(
        hidden=(3,), activation="relu", output_activation="relu", normalize=False,
        optimizer="rmsprop", lr=1e-3, batch_size=None, epochs=2000, reduction="sum",
    ),
    "plain MLP": FitSettings(
        hidden=(128, 128, 128), activation="tanh", optimizer="adam", lr=2e-3, batch_size=256,
        epochs=300,
    ),
    "Fourier features": FitSettings(
        hidden=(128, 128), activation="tanh", fourier_features=128, fourier_scale=2.0,
        optimizer="adam", lr=5e-3, batch_size=1024, epochs=200, lr_schedule="cosine",
    ),
}  # fmt: skip
"""Named settings: the lecture's TorchMLP (2→3→1, ReLU on the output, summed MSE, full
batch, 2000 iterations) with its two recipes, a plain MLP and Fourier features.

The Fourier-features preset is the best recipe we found for Rastrigin (benchmarked in
``benchmarks/bench_training.py``): 128 random frequencies of spread 2 cycles per half
box in front of a 2×128 tanh net, and Adam's learning rate annealed along a cosine from
5e-3 to ~0 over its 200 epochs. The annealing matters as much as the features: at a
constant learning rate Adam keeps jittering around the minimum, annealed it settles
into it (on 20,000 samples, R² on a 200×200 grid 0.9993–0.9996 without, ≈ 0.9999 with it)."""


# --------------------------------------------------------------------------- evaluation
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
        R² on the grid points inside / outside the training box.
    rmse_inside, rmse_outside : float
    outside_behaviour : str
        "grows linearly", "flattens", "oscillates" or "follows the truth", read from
        the slice outside the box (see :func:`evaluate_fit`).
    line_r2_outside : float
        R² of a straight-line fit to the prediction on the slice outside the box.
    domain, window : (float, float)
    """

    grid: pd.DataFrame
    slice: pd.DataFrame
    r2_inside: float
    r2_outside: float
    rmse_inside: float
    rmse_outside: float
    outside_behaviour: str
    line_r2_outside: float
    domain: tuple[float, float]
    window: tuple[float, float]
    dim: int

    def note(self, activation: str | None = None, fourier: bool = False) -> str:
        """The "what you see" sentences, from the numbers above.

        ``activation`` / ``fourier`` (the model's) only choose which explanation to
        add when the observed behaviour matches what that architecture is known to
        do; the observation itself is always read from the data.
        """
        lo, hi = self.domain
        sq = "²" if self.dim == 2 else ""
        parts = [
            f"Inside the training box [{lo:g}, {hi:g}]{sq} the network explains "
            f"R² = {self.r2_inside:.4f} of the target's variance (RMSE {self.rmse_inside:.3g}); "
            f"outside it, on the rest of the {self.window[0]:g}…{self.window[1]:g} window, "
            f"R² = {self.r2_outside:.3f} (RMSE {self.rmse_outside:.3g})."
        ]
        b = self.outside_behaviour
        if b == "grows linearly":
            parts.append(
                "On the slice, beyond the box the prediction continues almost as a straight "
                f"line (a line fits each side with R² ≥ {self.line_r2_outside:.3f})."
            )
            if activation in ("relu", "leaky_relu") and not fourier:
                parts.append(
                    "A ReLU network is piecewise linear, so far from the data it extrapolates linearly."
                )
        elif b == "flattens":
            parts.append("On the slice, beyond the box the prediction flattens out.")
            if activation in ("tanh", "sigmoid") and not fourier:
                parts.append(
                    f"{activation} units saturate far from the data, so the output stops changing."
                )
        elif b == "oscillates":
            parts.append(
                "On the slice, beyond the box the prediction keeps wiggling but no longer matches the truth."
            )
            if fourier or activation in ("sine", "siren"):
                parts.append(
                    "Sine features are periodic: the network repeats patterns it saw instead of extrapolating."
                )
        else:
            parts.append("On the slice, the prediction still follows the truth beyond the box.")
        if self.r2_outside < self.r2_inside - 0.05:
            parts.append("The network has only learned the function where it saw data.")
        return " ".join(parts)


def _classify_outside(xs: np.ndarray, pred: np.ndarray, truth: np.ndarray, inside: np.ndarray):
    out = ~inside
    if out.sum() < 4:
        return "follows the truth", math.nan
    scores = []
    for side in (xs < xs[inside].min(), xs > xs[inside].max()):
        if side.sum() >= 3:
            coef = np.polyfit(xs[side], pred[side], 1)
            scores.append(r2_score(pred[side], np.polyval(coef, xs[side])))
    finite = [v for v in scores if math.isfinite(v)]
    line_r2 = float(min(finite)) if finite else math.nan
    r2_out = r2_score(truth[out], pred[out])
    if math.isfinite(r2_out) and r2_out > 0.9:
        return "follows the truth", line_r2
    spread_in = float(np.ptp(pred[inside])) or 1.0
    spread_out = max(
        float(np.ptp(pred[side]))
        for side in (xs < xs[inside].min(), xs > xs[inside].max())
        if side.any()
    )
    if math.isfinite(line_r2) and line_r2 > 0.98 and spread_out > 0.05 * spread_in:
        return "grows linearly", line_r2
    if spread_out <= 0.15 * spread_in or (math.isfinite(line_r2) and line_r2 > 0.98):
        return "flattens", line_r2
    return "oscillates", line_r2


def evaluate_fit(
    model, target: Target, *, window_factor: float = 1.5, n: int = 121
) -> FitEvaluation:
    """Compare ``model`` with ``target`` on a window ``window_factor`` times the training box.

    Parameters
    ----------
    model : torch.nn.Module
        A trained model (inputs of dimension ``target.dim``, one output).
    target : Target
    window_factor : float
        The window is the training box scaled about its centre by this factor.
    n : int
        Grid points per axis.

    Returns
    -------
    FitEvaluation
    """
    from nnkit.models import predict

    lo, hi = target.domain
    c, h = (lo + hi) / 2, (hi - lo) / 2 * window_factor
    window = (c - h, c + h)
    G = grid_points(target.dim, window, n)
    truth = target(G)
    pred = predict(model, G)[:, 0]
    inside = np.all((G >= lo - 1e-12) & (G <= hi + 1e-12), axis=1)
    cols = {"x": G[:, 0]}
    if target.dim == 2:
        cols["y"] = G[:, 1]
    grid = pd.DataFrame(
        cols | {"truth": truth, "prediction": pred, "error": pred - truth, "inside": inside}
    )

    if target.dim == 2:
        xs = np.linspace(*window, 4 * n)
        S = np.c_[xs, np.full_like(xs, c)]
    else:
        xs = np.linspace(*window, 4 * n)
        S = xs[:, None]
    s_truth, s_pred = target(S), predict(model, S)[:, 0]
    s_inside = (xs >= lo) & (xs <= hi)
    slice_df = pd.concat(
        [
            pd.DataFrame({"x": xs, "series": "truth", "value": s_truth, "inside": s_inside}),
            pd.DataFrame({"x": xs, "series": "prediction", "value": s_pred, "inside": s_inside}),
        ],
        ignore_index=True,
    )
    finite = np.isfinite(pred).all()
    behaviour, line_r2 = (
        _classify_outside(xs, s_pred, s_truth, s_inside)
        if finite
        else ("follows the truth", math.nan)
    )

    def rmse(mask):
        return float(np.sqrt(np.mean((pred[mask] - truth[mask]) ** 2))) if mask.any() else math.nan

    return FitEvaluation(
        grid=grid,
        slice=slice_df,
        r2_inside=r2_score(truth[inside], pred[inside]),
        r2_outside=r2_score(truth[~inside], pred[~inside]),
        rmse_inside=rmse(inside),
        rmse_outside=rmse(~inside),
        outside_behaviour=behaviour,
        line_r2_outside=line_r2,
        domain=(lo, hi),
        window=window,
        dim=target.dim,
    )


@dataclass
class LiveView:
    """A cheap snapshot of truth vs prediction for a view redrawn several times a second.

    Attributes
    ----------
    dim : int
    window : (float, float)
        The grid spans this interval on every axis.
    truth, prediction : ndarray
        (n, n) arrays (row = y index, lowest y first) in 2-D; (n,) in 1-D.
    xs : ndarray (n,)
        Grid coordinates along each axis.
    box : (i0, i1, j0, j1)
        Index range of the training box on the grid.
    r2_inside : float
        R² of the prediction against the truth on the grid points inside the box.
    """

    dim: int
    window: tuple[float, float]
    truth: np.ndarray
    prediction: np.ndarray
    xs: np.ndarray
    box: tuple[int, int, int, int]
    r2_inside: float

    def curves(self) -> pd.DataFrame:
        """1-D: long table ``x, series, value`` of truth and prediction."""
        n = len(self.xs)
        return pd.DataFrame(
            {
                "x": np.r_[self.xs, self.xs],
                "series": ["truth"] * n + ["prediction"] * n,
                "value": np.r_[self.truth.ravel(), self.prediction.ravel()],
            }
        )


@functools.lru_cache(maxsize=16)
def _cached_grid(dim: int, lo: float, hi: float, n: int) -> np.ndarray:
    g = grid_points(dim, (lo, hi), n)
    g.setflags(write=False)
    return g


def live_view(
    model,
    target: Target,
    *,
    n: int = 48,
    window_factor: float = 1.5,
    truth: np.ndarray | None = None,
) -> LiveView:
    """Truth and prediction on an n-point (per axis) grid over a window, fast.

    Parameters
    ----------
    model : torch.nn.Module
    target : Target
    n : int
        Grid points per axis.
    window_factor : float
        The window is the training box scaled by this factor about its centre.
    truth : ndarray, optional
        The ``truth`` of an earlier :class:`LiveView` with the same target, ``n`` and
        window, to skip recomputing it on every frame.

    Use :func:`evaluate_fit` for the full analysis once training has stopped.
    """
    from nnkit.models import predict

    lo, hi = target.domain
    c, h = (lo + hi) / 2, (hi - lo) / 2 * window_factor
    xs = np.linspace(c - h, c + h, n)
    G = _cached_grid(target.dim, c - h, c + h, n)
    truth = target(G) if truth is None else np.asarray(truth).ravel()
    pred = predict(model, G)[:, 0]
    inside_1d = np.flatnonzero((xs >= lo - 1e-12) & (xs <= hi + 1e-12))
    i0, i1 = int(inside_1d[0]), int(inside_1d[-1])
    inside = np.all((G >= lo - 1e-12) & (G <= hi + 1e-12), axis=1)
    r2 = r2_score(truth[inside], pred[inside])
    if target.dim == 2:
        truth, pred = truth.reshape(n, n), pred.reshape(n, n)
    return LiveView(target.dim, (c - h, c + h), truth, pred, xs, (i0, i1, i0, i1), r2)


# --------------------------------------------------------------------------- universal approximation
def compare_runs(
    target: Target,
    n_samples: int,
    seed: int,
    runs: dict[str, FitSettings],
    max_seconds: float = 15.0,
) -> dict[str, tuple]:
    """Train each of ``runs`` on the same data (same seed) and evaluate it.

    Returns
    -------
    dict
        label -> ``(history, stop_message, wall_time, r2_inside, r2_outside, mse_inside)``.
    """
    X, y = make_data(target, n_samples, 0.0, seed)
    out = {}
    for label, settings in runs.items():
        trainer = settings.trainer(target, X, y, max_seconds=max_seconds)
        res = trainer.run(settings.epochs)
        ev = evaluate_fit(trainer.model, target, n=61 if target.dim == 2 else 201)
        out[label] = (
            res.history, res.stop_message, res.wall_time, ev.r2_inside, ev.r2_outside,
            ev.rmse_inside**2,
        )  # fmt: skip
    return out


def width_sweep(
    target: Target,
    widths: Sequence[int] = (1, 2, 4, 8, 16, 32, 64, 128, 256),
    *,
    activation: str = "sigmoid",
    n_samples: int = 256,
    epochs: int = 300,
    seed: int = 0,
    max_seconds_each: float = 10.0,
) -> pd.DataFrame:
    """Universal approximation: fit one hidden layer of ``width`` units for each width.

    Funahashi (1989): one hidden layer of sigmoids approximates any continuous function
    on a compact set as well as you like, given enough units. Each width is trained
    with full-batch L-BFGS on ``n_samples`` evenly spaced points of the box and
    evaluated on 4× as many points in between.

    Returns
    -------
    DataFrame
        ``width, parameters, rmse, max_error, r2, epochs, seconds`` (one row per width).
    """
    if target.dim != 1:
        raise ValueError("the width sweep takes a 1-D target")
    from nnkit.models import count_parameters, mlp, predict
    from nnkit.training import fit

    X = np.linspace(*target.domain, n_samples)[:, None]
    y = target(X)
    Xt = np.linspace(*target.domain, 4 * n_samples + 1)[:, None]
    yt = target(Xt)
    std = float(np.std(y)) or 1.0
    rows = []
    for w in widths:
        net = mlp(
            1,
            [int(w)],
            1,
            activation=activation,
            input_bounds=([target.domain[0]], [target.domain[1]]),
            output_scale=(float(np.mean(y)), std),
            seed=seed,
        )
        res = fit(
            net,
            X,
            y,
            optimizer="lbfgs",
            lr=1.0,
            epochs=epochs,
            batch_size=None,
            seed=seed,
            max_seconds=max_seconds_each,
        )
        p = predict(net, Xt)[:, 0]
        err = np.abs(p - yt)
        rows.append(
            {
                "width": int(w),
                "parameters": count_parameters(net),
                "rmse": float(np.sqrt(np.mean(err**2))),
                "max_error": float(err.max()),
                "r2": r2_score(yt, p),
                "epochs": res.epochs,
                "seconds": res.wall_time,
                "stop": res.stop_reason,
            }
        )
    return pd.DataFrame(rows)


# --------------------------------------------------------------------------- XOR
def _quadrant_rule(X: np.ndarray) -> np.ndarray:
    return ((X[:, 0] > 0.5) ^ (X[:, 1] > 0.5)).astype(int)


def xor_reference_accuracy(X: np.ndarray, y: np.ndarray) -> float:
    """Accuracy of the ideal XOR rule ``(x > ½) xor (y > ½)`` on ``(X, y)`` (1 without noise)."""
    return float(np.mean(_quadrant_rule(X) == y))


def train_xor_batch(
    X: np.ndarray,
    y: np.ndarray,
    configs: Sequence[tuple[Sequence[int], int]],
    *,
    activation: str = "tanh",
    lr: float = 0.1,
    epochs: int = 300,
    deadline: float | None = None,
    return_epochs: bool = False,
) -> np.ndarray | tuple[np.ndarray, int]:
    """Train many small one-logit classifiers at once; return each one's training accuracy.

    ``configs`` lists ``(hidden, seed)`` pairs with the same number of hidden layers.
    Network k starts from exactly ``nnkit.models.mlp(2, hidden_k, 1, activation,
    seed=seed_k)`` and is trained as ``nnkit.training.fit(net, X, y, loss="bce",
    optimizer="adam", lr=lr, epochs=epochs, batch_size=None)`` would train it alone:
    the weights are stacked into batched tensors (narrower layers padded with zero
    weights and masked units), and the loss is the *sum* of the per-network mean
    losses, so each network gets exactly its own gradient and Adam (element-wise)
    updates each independently. Padded weights get a zero gradient and stay zero.

    ``deadline`` (a ``time.monotonic()`` value) stops training early, after the first
    epoch that ends past it (fair use on a shared server).

    Returns
    -------
    ndarray (len(configs),) of accuracies in [0, 1]
        and, with ``return_epochs=True``, the number of epochs actually trained.
    """
    from nnkit._torch import torch
    from nnkit.activations import get
    from nnkit.models import mlp

    configs = [([int(u) for u in h], int(s)) for h, s in configs]
    depth = len(configs[0][0])
    if any(len(h) != depth for h, _ in configs):
        raise ValueError("all configs must have the same number of hidden layers")
    widths = [2] + [max(h[i] for h, _ in configs) for i in range(depth)] + [1]
    S = len(configs)
    Ws = [torch.zeros(S, widths[i + 1], widths[i]) for i in range(depth + 1)]
    bs = [torch.zeros(S, widths[i + 1]) for i in range(depth + 1)]
    masks = [torch.zeros(S, 1, widths[i + 1]) for i in range(depth)]
    for k, (hidden, seed) in enumerate(configs):
        net = mlp(2, hidden, 1, activation=activation, seed=seed)
        lins = [m for m in net if isinstance(m, torch.nn.Linear)]
        for i, lin in enumerate(lins):
            o, n_in = lin.weight.shape
            Ws[i][k, :o, :n_in] = lin.weight.detach()
            bs[i][k, :o] = lin.bias.detach()
        for i, u in enumerate(hidden):
            masks[i][k, 0, :u] = 1.0
    for t in Ws + bs:
        t.requires_grad_(True)
    act = get(activation).torch_module()
    Xt = torch.as_tensor(np.asarray(X, dtype=np.float32)).expand(S, -1, -1)
    yt = torch.as_tensor(np.asarray(y, dtype=np.float32))[None, :].expand(S, -1)
    opt = torch.optim.Adam(Ws + bs, lr=lr)

    def forward():
        h = Xt
        for i, (W, b) in enumerate(zip(Ws, bs, strict=True)):
            h = torch.baddbmm(b[:, None, :], h, W.transpose(1, 2))
            if i < depth:
                h = act(h) * masks[i]
        return h[..., 0]

    F = torch.nn.functional
    done = 0
    for _ in range(int(epochs)):
        opt.zero_grad(set_to_none=True)
        loss = F.binary_cross_entropy_with_logits(forward(), yt, reduction="none").mean(1).sum()
        loss.backward()
        opt.step()
        done += 1
        if deadline is not None and time.monotonic() > deadline:
            break
    with torch.no_grad():
        pred = (forward() > 0).numpy()
    acc = (pred == np.asarray(y)[None, :]).mean(1)
    return (acc, done) if return_epochs else acc


def xor_study(
    X: np.ndarray,
    y: np.ndarray,
    *,
    layers: Sequence[int] = (0, 1, 2),
    units: Sequence[int] = tuple(range(1, 9)),
    n_seeds: int = 20,
    activation: str = "tanh",
    lr: float = 0.1,
    epochs: int = 300,
    max_seconds: float | None = None,
) -> pd.DataFrame:
    """Success rate over ``n_seeds`` initialisations for each architecture.

    A run succeeds when its training accuracy is at least that of the ideal XOR rule
    on the same points (all 4 points of the truth table; with noisy data the rule's
    own accuracy, since noise can push points across the boundary).

    Returns
    -------
    DataFrame
        ``layers, units, architecture, successes, seeds, success_rate,
        mean_accuracy, reference_accuracy, epochs_trained`` (0 hidden layers: one row,
        units = 0). ``epochs_trained < epochs`` where the time budget ran out.

    Notes
    -----
    ``max_seconds`` (default: none) is the budget for the whole study, shared equally by the depths: a group whose share runs out
    stops after its current epoch and says so in ``epochs_trained``.
    """
    budget = math.inf if max_seconds is None else float(max_seconds)
    ref = xor_reference_accuracy(X, y)
    seeds = list(range(int(n_seeds)))
    rows = []
    start = time.monotonic()
    for g, n_layers in enumerate(layers):
        widths = [0] if n_layers == 0 else [int(u) for u in units]
        configs = [([u] * int(n_layers), s) for u in widths for s in seeds]
        deadline = start + budget * (g + 1) / len(layers)
        acc_all, done = train_xor_batch(
            X, y, configs, activation=activation, lr=lr, epochs=epochs,
            deadline=deadline, return_epochs=True,
        )
        for j, u in enumerate(widths):
            hidden = [u] * int(n_layers)
            acc = acc_all[j * len(seeds) : (j + 1) * len(seeds)]
            ok = acc >= ref - 1e-9
            rows.append(
                {
                    "layers": int(n_layers),
                    "units": int(u),
                    "architecture": "no hidden layer"
                    if not hidden
                    else " → ".join(["2", *map(str, hidden), "1"]),
                    "successes": int(ok.sum()),
                    "seeds": len(seeds),
                    "success_rate": float(ok.mean()),
                    "mean_accuracy": float(acc.mean()),
                    "reference_accuracy": ref,
                    "epochs_trained": int(done),
                }
            )
    return pd.DataFrame(rows)


@dataclass
class XorFit:
    """One trained XOR classifier, as plain data.

    Attributes
    ----------
    architecture : str
        E.g. "2 → 2 → 1" or "no hidden layer".
    accuracy : float
        Training accuracy (threshold 0.5 on the predicted probability).
    grid : DataFrame
        ``x, y, p`` probability of class 1 on a grid over [-0.5, 1.5]² (see :func:`decision_grid`).
    history : nnkit.training.History
    """

    architecture: str
    accuracy: float
    grid: pd.DataFrame
    history: object


def fit_xor(
    X: np.ndarray,
    y: np.ndarray,
    hidden: Sequence[int],
    *,
    activation: str = "tanh",
    lr: float = 0.1,
    epochs: int = 300,
    seed: int = 0,
) -> XorFit:
    """Train ``mlp(2, hidden, 1)`` on XOR data (binary cross-entropy, full-batch Adam).

    The same recipe as :func:`xor_study`, for one seed, keeping the decision grid.
    """
    from nnkit.models import mlp, predict
    from nnkit.training import fit

    net = mlp(2, list(hidden), 1, activation=activation, seed=int(seed))
    res = fit(
        net,
        X,
        y,
        loss="bce",
        optimizer="adam",
        lr=lr,
        epochs=epochs,
        batch_size=None,
        seed=int(seed),
    )
    logits = predict(net, X)[:, 0]
    acc = float(np.mean((logits > 0).astype(int) == np.asarray(y)))
    arch = "no hidden layer" if not hidden else " → ".join(["2", *map(str, hidden), "1"])
    lo = float(min(-0.5, np.min(X) - 0.1))
    hi = float(max(1.5, np.max(X) + 0.1))
    return XorFit(arch, acc, decision_grid(net, lo, hi), res.history)


def decision_grid(model, lo: float = -0.5, hi: float = 1.5, n: int = 81) -> pd.DataFrame:
    """P(class 1) of a one-logit classifier on an n×n grid.

    Returns
    -------
    DataFrame
        ``x, y, p`` and ``boundary``: True where ``p − ½`` changes sign between the cell
        and its right or upper neighbour (the decision boundary, drawn as a line of cells).
    """
    from nnkit.models import predict

    G = grid_points(2, (lo, hi), n)
    logit = predict(model, G)[:, 0]
    p = 1.0 / (1.0 + np.exp(-np.clip(logit, -60, 60)))
    side = (logit > 0).reshape(n, n)  # rows: y index, columns: x index
    edge = np.zeros_like(side)
    edge[:, :-1] |= side[:, :-1] != side[:, 1:]
    edge[:-1, :] |= side[:-1, :] != side[1:, :]
    return pd.DataFrame({"x": G[:, 0], "y": G[:, 1], "p": p, "boundary": edge.ravel()})
