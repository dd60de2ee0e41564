"""Optimizer trajectories on 2-D surfaces, with the real ``torch.optim`` classes.

:data:`OPTIMIZERS` lists SGD, momentum, Nesterov, Adagrad, RMSprop and Adam as
``torch.optim`` builds them; :func:`trajectory` runs one of them on a
:class:`~nnkit.landscapes.surfaces.Surface2D` (the loop every PyTorch user writes:
``zero_grad``, value, ``backward``, ``step``), so a trajectory is exactly what PyTorch
does; :func:`race` runs several from the same start. :data:`PRESETS` are classic
pictures (momentum overshooting in a ravine, Adam on Rosenbrock);
:func:`race_table` and :func:`race_losses` are the table and the curves a page shows.

Divergence is a result, not a crash: a run stops at the first step whose value or
parameters are not finite, or whose parameters leave a huge box (``escape``, default
:data:`~nnkit.landscapes.descent.ESCAPE`), and reports that step.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from nnkit.landscapes.contours import thin_indices
from nnkit.landscapes.descent import ESCAPE
from nnkit.landscapes.surfaces import Surface2D

__all__ = [
    "HyperField",
    "OPTIMIZERS",
    "OptimizerSpec",
    "PRESETS",
    "Preset",
    "TORCH_DEFAULTS",
    "Trajectory",
    "hyper_fields",
    "hyper_from_fields",
    "preset_matches",
    "race",
    "race_losses",
    "race_table",
    "stuck_runs",
    "trajectory",
]


@dataclass(frozen=True)
class OptimizerSpec:
    """One optimizer as ``torch.optim`` builds it.

    Attributes
    ----------
    key, label : str
    torch_name : str
        Class in ``torch.optim``.
    fixed : dict
        Arguments that define the variant (``nesterov=True``).
    exposed : tuple of str
        Hyper-parameters a user may set.
    overrides : dict
        Defaults that differ from torch's signature, with the reason in
        :attr:`note` (momentum 0.9: torch's default 0 is plain SGD).
    note : str
    """

    key: str
    label: str
    torch_name: str
    fixed: dict[str, Any] = field(default_factory=dict)
    exposed: tuple[str, ...] = ("lr",)
    overrides: dict[str, Any] = field(default_factory=dict)
    note: str = ""

    def torch_class(self) -> type:
        """The ``torch.optim`` class."""
        import torch

        return getattr(torch.optim, self.torch_name)

    def defaults(self) -> dict[str, Any]:
        """Default of every exposed hyper-parameter: torch's own, except :attr:`overrides`.

        Read from :data:`TORCH_DEFAULTS`, so a form can show them without importing
        torch (a second or more on a page's first visit).
        """
        torch_defaults = TORCH_DEFAULTS[self.torch_name]
        return {name: self.overrides.get(name, torch_defaults[name]) for name in self.exposed}

    def make(self, params: Any, **hyper: Any) -> Any:
        """Build the torch optimizer on ``params`` with defaults updated by ``hyper``.

        Parameters
        ----------
        params : iterable of torch.Tensor
            The parameters to optimize.
        **hyper
            Any of :attr:`exposed`.

        Returns
        -------
        torch.optim.Optimizer
        """
        unknown = set(hyper) - set(self.exposed)
        if unknown:
            raise ValueError(
                f"{self.label} has no hyper-parameter {sorted(unknown)}; "
                f"it takes {list(self.exposed)}"
            )
        kwargs = {**self.defaults(), **hyper, **self.fixed}
        if "betas" in kwargs:
            kwargs["betas"] = tuple(float(v) for v in kwargs["betas"])
        return self.torch_class()(params, **kwargs)


#: ``torch.optim``'s own defaults of the hyper-parameters :data:`OPTIMIZERS` expose, as
#: the signatures of torch 2.13 give them (``tests/unit/test_landscapes_results.py``
#: checks them against the installed torch, so an upgrade that changes one fails there).
TORCH_DEFAULTS: dict[str, dict[str, Any]] = {
    "SGD": {"lr": 1e-3, "momentum": 0},
    "Adagrad": {"lr": 1e-2, "eps": 1e-10},
    "RMSprop": {"lr": 1e-2, "alpha": 0.99, "eps": 1e-8, "momentum": 0},
    "Adam": {"lr": 1e-3, "betas": (0.9, 0.999), "eps": 1e-8},
}

OPTIMIZERS: dict[str, OptimizerSpec] = {
    "sgd": OptimizerSpec("sgd", "SGD", "SGD", exposed=("lr",)),
    "momentum": OptimizerSpec(
        "momentum",
        "SGD + momentum",
        "SGD",
        exposed=("lr", "momentum"),
        overrides={"momentum": 0.9},
        note="momentum 0.9 (torch's default 0 would be plain SGD)",
    ),
    "nesterov": OptimizerSpec(
        "nesterov",
        "Nesterov",
        "SGD",
        fixed={"nesterov": True},
        exposed=("lr", "momentum"),
        overrides={"momentum": 0.9},
        note="SGD(nesterov=True), momentum 0.9 (torch requires momentum > 0)",
    ),
    "adagrad": OptimizerSpec("adagrad", "Adagrad", "Adagrad", exposed=("lr", "eps")),
    "rmsprop": OptimizerSpec(
        "rmsprop", "RMSprop", "RMSprop", exposed=("lr", "alpha", "eps", "momentum")
    ),
    "adam": OptimizerSpec("adam", "Adam", "Adam", exposed=("lr", "betas", "eps")),
}


@dataclass(frozen=True)
class HyperField:
    """One hyper-parameter of one optimizer, as a form asks for it.

    Attributes
    ----------
    optimizer : str
        Key in :data:`OPTIMIZERS`.
    name : str
        ``lr``, ``momentum``, ``alpha``, ``beta1`` or ``beta2`` (Adam's ``betas`` are
        two fields).
    label : str
        ``"<optimizer label>: <name>"`` (β₁, β₂ for the betas).
    default : float
        The optimizer's default (:meth:`OptimizerSpec.defaults`).
    low, high : float
        Range torch accepts (``lr`` up to 10, and Nesterov's momentum above 0).
    format : str
        printf-style format with enough digits for the default.
    """

    optimizer: str
    name: str
    label: str
    default: float
    low: float
    high: float
    format: str


#: ``(low, high, format)`` of each hyper-parameter a form asks for.
_RANGES: dict[str, tuple[float, float, str]] = {
    "lr": (1e-5, 10.0, "%.4f"),
    "momentum": (0.0, 0.999, "%.3f"),
    "alpha": (0.0, 0.9999, "%.4f"),
    "beta1": (0.0, 0.9999, "%.4f"),
    "beta2": (0.0, 0.9999, "%.4f"),
}


def hyper_fields() -> list[HyperField]:
    """Every hyper-parameter of every optimizer that a form exposes (``eps`` is not).

    Returns
    -------
    list of HyperField
        In the order of :data:`OPTIMIZERS`, then ``lr, momentum, alpha, beta1, beta2``.
    """
    out = []
    for key, spec in OPTIMIZERS.items():
        d = spec.defaults()
        values: dict[str, Any] = {n: d[n] for n in ("lr", "momentum", "alpha") if n in d}
        if "betas" in d:
            values["beta1"], values["beta2"] = d["betas"]
        for name, default in values.items():
            low, high, fmt = _RANGES[name]
            if name == "momentum" and spec.fixed.get("nesterov"):
                low = 0.01  # torch: Nesterov momentum requires a momentum > 0
            shown = {"beta1": "β₁", "beta2": "β₂"}.get(name, name)
            out.append(
                HyperField(key, name, f"{spec.label}: {shown}", float(default), low, high, fmt)
            )
    return out


def hyper_from_fields(optimizer: str, values: Mapping[str, Any]) -> dict[str, Any]:
    """The keyword arguments of ``optimizer`` from its :func:`hyper_fields` values.

    Parameters
    ----------
    optimizer : str
        Key in :data:`OPTIMIZERS`.
    values : mapping
        Value of each field by its ``name`` (``beta1`` and ``beta2`` become ``betas``).

    Returns
    -------
    dict
        Hyper-parameters for :func:`trajectory` (floats; ``betas`` a pair).
    """
    d = OPTIMIZERS[optimizer].defaults()
    hyper: dict[str, Any] = {n: float(values[n]) for n in ("lr", "momentum", "alpha") if n in d}
    if "betas" in d:
        hyper["betas"] = (float(values["beta1"]), float(values["beta2"]))
    return hyper


@dataclass(frozen=True)
class Trajectory:
    """The path of one optimizer on one surface.

    Attributes
    ----------
    optimizer : str
        Key in :data:`OPTIMIZERS`.
    label : str
    hyper : dict
        Hyper-parameters used (defaults filled in).
    surface : str
    path : numpy.ndarray
        ``(k + 1, 2)``: start and every iterate, all finite.
    loss : numpy.ndarray
        ``f`` at every point of ``path``.
    steps : int
        Steps asked for.
    diverged_at : int or None
        First step whose value or parameters were not finite or beyond ``escape``.
    stop_reason : str or None
    """

    optimizer: str
    label: str
    hyper: dict[str, Any]
    surface: str
    path: np.ndarray
    loss: np.ndarray
    steps: int
    diverged_at: int | None = None
    stop_reason: str | None = None

    @property
    def diverged(self) -> bool:
        """Whether the run was stopped for diverging."""
        return self.diverged_at is not None

    @property
    def final(self) -> tuple[float, float]:
        """Last finite point of the path."""
        return float(self.path[-1, 0]), float(self.path[-1, 1])

    @property
    def path_length(self) -> float:
        """Total distance travelled: the sum of the step lengths."""
        return float(np.hypot(*np.diff(self.path, axis=0).T).sum())

    def frame(self) -> pd.DataFrame:
        """One row per point of the path.

        Returns
        -------
        pandas.DataFrame
            ``step, x, y, loss, optimizer``.
        """
        return pd.DataFrame(
            {
                "step": np.arange(self.path.shape[0]),
                "x": self.path[:, 0],
                "y": self.path[:, 1],
                "loss": self.loss,
                "optimizer": self.label,
            }
        )


def trajectory(
    surf: Surface2D,
    optimizer: str = "sgd",
    start: Sequence[float] | None = None,
    steps: int = 500,
    escape: float = ESCAPE,
    **hyper: Any,
) -> Trajectory:
    """Run a real ``torch.optim`` optimizer on a 2-D surface, recording every iterate.

    The loop is the one every PyTorch user writes: ``zero_grad``, evaluate
    ``f(x, y)``, ``backward``, ``step``, on one float64 parameter tensor ``(x, y)``.

    Parameters
    ----------
    surf : Surface2D
        The surface (its torch form is what autograd differentiates).
    optimizer : str, default "sgd"
        Key in :data:`OPTIMIZERS`.
    start : (float, float), optional
        Default ``surf.start``.
    steps : int, default 500
        Optimizer steps.
    escape : float, default 1e6
        Stop as diverged when ``|x|`` or ``|y|`` exceeds this (or anything is non-finite).
    **hyper
        Hyper-parameters (see ``OPTIMIZERS[optimizer].exposed``); torch's defaults
        otherwise.

    Returns
    -------
    Trajectory
        Every iterate and its value, up to the end or the step that diverged.
    """
    import torch

    try:
        spec = OPTIMIZERS[optimizer]
    except KeyError:
        raise ValueError(
            f"unknown optimizer {optimizer!r}; choose one of {list(OPTIMIZERS)}"
        ) from None
    steps = int(steps)
    if steps < 0:
        raise ValueError(f"steps must be ≥ 0, got {steps}")
    x0, y0 = surf.start if start is None else (float(start[0]), float(start[1]))
    if not (math.isfinite(x0) and math.isfinite(y0)):
        raise ValueError(f"start point must be finite, got {(x0, y0)}")
    p = torch.tensor([x0, y0], dtype=torch.float64, requires_grad=True)
    opt = spec.make([p], **hyper)
    used = {**spec.defaults(), **hyper}
    path = np.empty((steps + 1, 2))
    loss = np.empty(steps + 1)
    diverged_at: int | None = None
    reason: str | None = None
    k = 0
    for t in range(steps + 1):
        opt.zero_grad()
        px, py = p.unbind()
        value = surf.torch_f(px, py)
        v = value.item()
        xy = p.detach().tolist()
        if not (math.isfinite(v) and abs(xy[0]) <= escape and abs(xy[1]) <= escape):
            diverged_at = t
            if not all(math.isfinite(c) for c in xy):
                reason = "the parameters became infinite or NaN"
            elif not math.isfinite(v):
                reason = "the value became infinite or NaN"
            else:
                reason = f"|x| or |y| exceeded {escape:g}"
            break
        path[t] = xy
        loss[t] = v
        k = t + 1
        if t == steps:
            break
        value.backward()
        opt.step()
    return Trajectory(
        optimizer=optimizer,
        label=spec.label,
        hyper=used,
        surface=surf.key,
        path=path[:k].copy(),
        loss=loss[:k].copy(),
        steps=steps,
        diverged_at=diverged_at,
        stop_reason=reason,
    )


def race(
    surf: Surface2D,
    optimizers: dict[str, dict[str, Any]],
    start: Sequence[float] | None = None,
    steps: int = 500,
    escape: float = ESCAPE,
) -> list[Trajectory]:
    """Several optimizers from the same start, one :func:`trajectory` each.

    Parameters
    ----------
    surf : Surface2D
        The surface.
    optimizers : dict of str to dict
        ``{optimizer key: hyper-parameters}``, in the order of the result.
    start : (float, float), optional
        Default ``surf.start``.
    steps : int, default 500
        Steps of every run.
    escape : float, default 1e6
        Divergence box (see :func:`trajectory`).

    Returns
    -------
    list of Trajectory
        One per optimizer.
    """
    return [
        trajectory(surf, key, start=start, steps=steps, escape=escape, **hyper)
        for key, hyper in optimizers.items()
    ]


@dataclass(frozen=True)
class Preset:
    """A classic picture: a surface, a start, a step count and optimizers with settings.

    Attributes
    ----------
    key, title : str
    surface : str
    params : dict
        Surface parameters (``condition`` for the quadratic bowl).
    start : (float, float)
    steps : int
    optimizers : dict of str to dict
        ``{optimizer key: hyper-parameters}`` (others at torch's defaults).
    what : str
        What to look at.
    """

    key: str
    title: str
    surface: str
    params: dict[str, Any]
    start: tuple[float, float]
    steps: int
    optimizers: dict[str, dict[str, Any]]
    what: str


def _same(a: Any, b: Any) -> bool:
    return bool(np.array_equal(np.asarray(a, dtype=float), np.asarray(b, dtype=float)))


def preset_matches(
    preset: Preset,
    surface_key: str,
    params: dict[str, Any],
    start: Sequence[float],
    steps: int,
    optimizers: dict[str, dict[str, Any]],
) -> bool:
    """Whether these settings are exactly the classic picture ``preset``.

    Hyper-parameters not given count as torch's defaults on both sides, so a page that
    passes every widget value matches a preset that lists only what it changes.
    """
    if surface_key != preset.surface or int(steps) != preset.steps:
        return False
    if not _same(start, preset.start) or list(optimizers) != list(preset.optimizers):
        return False
    if any(not _same(params.get(k), v) for k, v in preset.params.items()):
        return False
    for key, hyper in optimizers.items():
        want = {**OPTIMIZERS[key].defaults(), **preset.optimizers[key]}
        have = {**OPTIMIZERS[key].defaults(), **hyper}
        if any(not _same(have[n], want[n]) for n in want):
            return False
    return True


PRESETS: dict[str, Preset] = {
    "momentum_ravine": Preset(
        key="momentum_ravine",
        title="Momentum overshooting in a ravine",
        surface="quadratic",
        params={"condition": 50.0},
        start=(-1.8, 0.8),
        steps=150,
        optimizers={
            "sgd": {"lr": 0.035},
            "momentum": {"lr": 0.035, "momentum": 0.9},
            "nesterov": {"lr": 0.025, "momentum": 0.9},
        },
        what=(
            "A ravine (condition number 50, curvatures 1 and 50). Plain SGD at lr 0.035 "
            "bounces from wall to wall across the steep direction (factor 1 − 0.035·50 = "
            "−0.75 per step) while crawling along the floor; momentum 0.9 gathers speed "
            "along the floor and overshoots the minimum far to the other side before coming "
            "back. Nesterov runs at lr 0.025: its look-ahead is stable only for "
            "lr < 2(1 + μ)/((1 + 2μ)·50) ≈ 0.027 on this ravine (heavy-ball momentum up to "
            "2(1 + μ)/50 = 0.076), so at 0.035 it would diverge; at 0.025 it overshoots "
            "less than momentum."
        ),
    ),
    "adam_rosenbrock": Preset(
        key="adam_rosenbrock",
        title="Adam on Rosenbrock",
        surface="rosenbrock",
        params={},
        start=(-1.2, 1.0),
        steps=500,
        optimizers={
            "sgd": {"lr": 0.001},
            "momentum": {"lr": 0.001, "momentum": 0.9},
            "adam": {"lr": 0.1},
        },
        what=(
            "Rosenbrock's curved valley from the classic start (−1.2, 1). SGD falls into "
            "the valley and then crawls along its nearly flat floor; momentum goes faster; "
            "Adam, which rescales each coordinate by its recent gradient size, follows the "
            "curve towards (1, 1) with steps of about lr whatever the gradient."
        ),
    ),
}


# ---------------------------------------------------------------------------
# Tables and curves of a race (what the page's charts and tables show)
# ---------------------------------------------------------------------------


def race_losses(runs: Sequence[Trajectory], max_points: int = 600) -> pd.DataFrame:
    """The value of the surface along each path, thinned for a chart.

    Parameters
    ----------
    runs : sequence of Trajectory
        The race.
    max_points : int, default 600
        Each run is thinned to at most this many points (first and last kept).

    Returns
    -------
    pandas.DataFrame
        ``step, f, optimizer`` (the optimizer's label).
    """
    frames = []
    for r in runs:
        idx = thin_indices(r.path.shape[0], max_points)
        frames.append(pd.DataFrame({"step": idx, "f": r.loss[idx], "optimizer": r.label}))
    return pd.concat(frames, ignore_index=True)


def race_table(surf: Surface2D, runs: Sequence[Trajectory]) -> pd.DataFrame:
    """One row per run: where it ended, how far from a known minimum, how far it went.

    Parameters
    ----------
    surf : Surface2D
        The surface the runs were on (gives the known minima).
    runs : sequence of Trajectory
        The race.

    Returns
    -------
    pandas.DataFrame
        ``optimizer, hyper-parameters, final x, final y, final f``,
        ``nearest known minimum`` (text, "—" if none is known), ``distance to it``,
        ``path length`` and ``diverged at step``.
    """
    rows = []
    for r in runs:
        near = surf.nearest_minimum(r.final)
        rows.append(
            {
                "optimizer": r.label,
                "hyper-parameters": ", ".join(f"{k}={v}" for k, v in r.hyper.items()),
                "final x": r.final[0],
                "final y": r.final[1],
                "final f": r.loss[-1],
                "nearest known minimum": f"({near[0][0]:g}, {near[0][1]:g})" if near else "—",
                "distance to it": near[1] if near else None,
                "path length": r.path_length,
                "diverged at step": r.diverged_at,
            }
        )
    return pd.DataFrame(rows)


def stuck_runs(surf: Surface2D, runs: Sequence[Trajectory], tol: float = 1e-6) -> list[Trajectory]:
    """Runs that stopped where the gradient vanishes but no known minimum is.

    Parameters
    ----------
    surf : Surface2D
        The surface (its known minima and minimum value).
    runs : sequence of Trajectory
        The race.
    tol : float, default 1e-6
        A run whose final value is within ``tol`` of the minimum value is not stuck.

    Returns
    -------
    list of Trajectory
        The runs stuck in a local minimum or at a saddle point (see
        :meth:`Surface2D.stuck_at`), in race order.
    """
    f_min = surf.f_min or 0.0
    return [r for r in runs if r.loss[-1] > f_min + tol and surf.stuck_at(r.final)]
