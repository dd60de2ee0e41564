"""Train a physics-informed network on a :class:`~nnkit.pinn.problems.Problem`.

The network is :func:`nnkit.models.mlp` (inputs mapped to [−1, 1], PyTorch's default
initialisation), optionally wrapped in the problem's hard-constraint transform. The
loss closure returns the named, weighted terms

* ``residual``: mean squared residual of the equation at the collocation points,
* ``ic`` / ``bc``: mean squared error of the initial / boundary conditions,
* ``data``: mean squared misfit to observations (inverse problems),

and training runs through :class:`nnkit.training.Trainer` (the course's one loop:
history per term, time cap, stop, divergence detection, callbacks), in two phases:
Adam, then an optional quasi-Newton phase, L-BFGS or full-matrix BFGS
(:mod:`nnkit.bfgs`), with a strong-Wolfe line search (in float64 by default, because
in float32 it stalls after a few iterations on Burgers). :class:`PINN`
chains the phases and looks like a ``Trainer`` to :class:`nnkit.training.TrainingJob`,
so the page trains it in the background with Start / Stop / Continue.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from nnkit._torch import torch
from nnkit.limits import Limits
from nnkit.metrics import relative_l2
from nnkit.pinn.config import QUASI_NEWTON, TERM_NAMES, PINNConfig, with_weights
from nnkit.pinn.derivatives import has_closed_form, jet
from nnkit.pinn.problems import Problem, derivative, reference_frame
from nnkit.pinn.sampling import refine_by_residual, sample_box
from nnkit.training import EpochInfo, History, Trainer, TrainResult

__all__ = [
    "PINNConfig",
    "PINNModel",
    "PINN",
    "QUASI_NEWTON",
    "RunReport",
    "TERM_NAMES",
    "glorot_normal_",
    "reference_frame",
    "relative_l2",
    "with_weights",
]

nn = torch.nn
Tensor = torch.Tensor


@dataclass(frozen=True)
class RunReport:
    """What a trained PINN achieved, each figure with its reference.

    Attributes
    ----------
    rel_l2 : float
        Relative L2 error against the reference solution on the evaluation grid.
    max_abs_error : float
        Largest |u − reference| on the grid ...
    where : dict of str -> float
        ... and where it occurs (input name → value).
    mean_abs_residual : float
        Mean |residual| on the grid (not only at the collocation points).
    coefficients : dict of str -> (float, float)
        Identified coefficient → (estimate, true value).
    n_points : int
        Collocation points used (with refinement).
    """

    rel_l2: float
    max_abs_error: float
    where: dict[str, float]
    mean_abs_residual: float
    coefficients: dict[str, tuple[float, float]]
    n_points: int


class PINNModel(nn.Module):
    """u_θ: the MLP, an optional hard-constraint transform, and learnable coefficients.

    Parameters
    ----------
    net : torch.nn.Module
        Maps inputs (n, d) to raw outputs N (n, 1).
    transform : callable or None
        ``transform(X, net) -> u`` (the problem's hard constraints,
        :meth:`~nnkit.pinn.problems.Problem.constrained`) or None: u = net(X).
    learnable : dict of str -> float
        Coefficients to identify (inverse problems) and their initial guesses; they
        are parameters of this module, so every optimizer updates them too.
    """

    def __init__(
        self,
        net: nn.Module,
        transform: Callable[[Tensor, nn.Module], Tensor] | None = None,
        learnable: dict[str, float] | None = None,
    ) -> None:
        super().__init__()
        self.net = net
        self.transform = transform
        self.learned = nn.ParameterDict(
            {k: nn.Parameter(torch.tensor(float(v))) for k, v in (learnable or {}).items()}
        )

    def forward(self, X: Tensor) -> Tensor:  # noqa: D102
        return self.net(X) if self.transform is None else self.transform(X, self.net)

    def coefficients(self) -> dict[str, float]:
        """Current values of the learnable coefficients."""
        return {k: float(v.detach()) for k, v in self.learned.items()}


@dataclass
class _Phase:
    name: str
    epochs: int
    done: int = 0


class PINN:
    """A problem, a network, its collocation points and a two-phase training schedule.

    Duck-types :class:`nnkit.training.Trainer` (``run``, ``history``, ``model``,
    ``epochs_done``, ``steps_done``, ``wall_time``, ``stop_reason``,
    ``diverged_epoch``, ``result``) so :class:`nnkit.training.TrainingJob` can run it
    in a thread; each phase is run by a real ``Trainer`` sharing one history.

    Parameters
    ----------
    problem : Problem
    config : PINNConfig
    limits : Limits, optional
        Fair-use caps (default :data:`nnkit.limits.LIMITS`).
    max_seconds : float, optional
        Time budget of each ``run()`` (capped by ``limits.max_train_seconds``).

    Attributes
    ----------
    model : PINNModel
    history : nnkit.training.History
        Terms per epoch, plus ``history.monitor["rel_l2"]`` (and each learnable
        coefficient) every ``eval_every`` epochs.
    collocation_ : numpy.ndarray
        Initial collocation points.
    added_ : numpy.ndarray
        Points added by residual-based refinement (in order).
    phase_starts_ : list of (int, str)
        Epoch after which each phase started: "adam", then "lbfgs" or "bfgs".
    """

    def __init__(
        self,
        problem: Problem,
        config: PINNConfig | None = None,
        *,
        limits: Limits | None = None,
        max_seconds: float | None = None,
    ) -> None:
        from nnkit.models import mlp

        self.problem = problem
        self.config = config = config or PINNConfig()
        self.limits = limits or Limits()
        config.validate(self.limits, dim=problem.dim)
        cap = float(self.limits.max_train_seconds)
        self.max_seconds = cap if max_seconds is None else min(float(max_seconds), cap)
        self.fast_derivatives = bool(config.fast_derivatives)
        init = "default" if config.init == "glorot_normal" else config.init
        net = mlp(
            problem.dim,
            list(config.hidden),
            1,
            activation=config.activation,
            init=init,
            input_bounds=(problem.lows, problem.highs),
            seed=config.seed,
        )
        if config.init == "glorot_normal":
            glorot_normal_(net, seed=config.seed)
        transform = problem.constrained if config.hard_constraints else None
        self.model = PINNModel(net, transform, problem.learnable())
        config.check_bfgs_size(sum(p.numel() for p in self.model.parameters()))  # with coefficients
        self.dtype = torch.float32
        self.collocation_ = sample_box(
            config.n_collocation, problem.lows, problem.highs, config.sampling, seed=config.seed
        )
        self.added_ = np.zeros((0, problem.dim))
        self.conditions_ = (
            []
            if config.hard_constraints
            else problem.conditions(config.n_conditions, seed=config.seed + 1)
        )
        self.observations_ = problem.observations()
        self.history = History()
        self.phases = [
            _Phase("adam", int(config.adam_epochs)),
            _Phase("lbfgs", int(config.lbfgs_epochs)),
        ]
        self.phase_starts_: list[tuple[int, str]] = []
        self.stop_reason = "completed"
        self.diverged_epoch: int | None = None
        self._trainer: Trainer | None = None
        self._trainer_phase: str | None = None
        self._ref = problem.reference_on_grid()
        _, self._grid = problem.grid()
        if config.float64:
            self._to(torch.float64)
        else:
            self._to(torch.float32)

    # ----------------------------------------------------------------- progress (live)
    # Read by TrainingJob from another thread while a phase runs: delegate to the
    # phase's Trainer, which carries the cumulative counts forward.
    @property
    def epochs_done(self) -> int:
        """Epochs completed (all phases, all runs)."""
        return self._trainer.epochs_done if self._trainer is not None else 0

    @property
    def steps_done(self) -> int:
        """Optimizer steps taken (an L-BFGS step is ``lbfgs_iters_per_epoch`` iterations)."""
        return self._trainer.steps_done if self._trainer is not None else 0

    @property
    def steps_in_epoch(self) -> int:
        """Steps taken inside the current epoch (live progress)."""
        return getattr(self._trainer, "steps_in_epoch", 0) if self._trainer is not None else 0

    @property
    def wall_time(self) -> float:
        """Training seconds (all phases, all runs)."""
        return self._trainer.wall_time if self._trainer is not None else 0.0

    # ----------------------------------------------------------------- tensors
    def _to(self, dtype: torch.dtype) -> None:
        self.dtype = dtype
        self.model.to(dtype)
        pts = (
            np.concatenate([self.collocation_, self.added_])
            if len(self.added_)
            else self.collocation_
        )
        self._X = torch.as_tensor(pts, dtype=dtype)
        self._cond = [
            (
                c.term,
                torch.as_tensor(c.X, dtype=dtype),
                torch.as_tensor(c.values, dtype=dtype)[:, None],
                c.derivative,
                float(c.scale),
            )
            for c in self.conditions_
        ]
        obs = self.observations_
        self._obs = (
            None
            if obs is None
            else (
                torch.as_tensor(obs.X, dtype=dtype),
                torch.as_tensor(obs.values, dtype=dtype)[:, None],
            )
        )

    @property
    def n_points(self) -> int:
        """Collocation points in use (initial + refinement)."""
        return len(self.collocation_) + len(self.added_)

    # ----------------------------------------------------------------- loss
    def loss_terms(self, model: PINNModel | None = None) -> dict[str, torch.Tensor]:
        """The weighted loss terms at the current parameters (what is minimised).

        Returns
        -------
        dict of str -> scalar Tensor
            ``residual`` always; ``ic``/``bc`` with soft constraints; ``data`` for an
            inverse problem. Terms whose weight is 0 are left out.
        """
        model = model or self.model
        cfg = self.config
        out: dict[str, torch.Tensor] = {}
        problem = self.problem
        X = self._X.detach()
        J = jet(
            model,
            X,
            problem.first_derivatives,
            problem.second_derivatives,
            fast=self.fast_derivatives,
        )
        r = problem.residual_from_jet(J, X, dict(model.learned))
        if cfg.weight("residual") > 0:
            out["residual"] = cfg.weight("residual") * r.pow(2).mean()
        errs: dict[str, list[torch.Tensor]] = {}
        for term, Xc, vals, deriv, scale in self._cond:
            if deriv is None:
                pred = model(Xc)
            else:
                Xg = Xc.detach().requires_grad_(True)
                pred = derivative(model(Xg), Xg, deriv)
            errs.setdefault(term, []).append(((pred - vals) / scale).reshape(-1))
        for term, parts in errs.items():
            if cfg.weight(term) > 0:
                out[term] = cfg.weight(term) * torch.cat(parts).pow(2).mean()
        if self._obs is not None and cfg.weight("data") > 0:
            Xo, vo = self._obs
            out["data"] = cfg.weight("data") * (model(Xo) - vo).pow(2).mean()
        if not out:
            raise ValueError("every loss weight is 0: nothing to minimise")
        return out

    # ----------------------------------------------------------------- evaluation
    def predict(self, X: np.ndarray, model: PINNModel | None = None) -> np.ndarray:
        """u_θ at points ``X`` (n, d) → (n,) float64."""
        model = model or self.model
        dtype = next(model.parameters()).dtype
        with torch.no_grad():
            return (
                model(torch.tensor(np.array(X, dtype=float), dtype=dtype)).double().numpy().ravel()
            )

    def residual_at(self, X: np.ndarray, model: PINNModel | None = None) -> np.ndarray:
        """The equation's residual at points ``X`` (n, d) → (n,)."""
        model = model or self.model
        dtype = next(model.parameters()).dtype
        problem = self.problem
        params = {k: v.detach() for k, v in model.learned.items()}
        closed = self.fast_derivatives and has_closed_form(model)
        out = []
        for i in range(0, len(X), 8192):
            Xt = torch.tensor(np.array(X[i : i + 8192], dtype=float), dtype=dtype)
            with torch.set_grad_enabled(
                not closed
            ):  # autograd needs the graph, the closed form not
                J = jet(
                    model, Xt, problem.first_derivatives, problem.second_derivatives, fast=closed
                )
                r = problem.residual_from_jet(J, Xt, params)
            out.append(r.detach().double().numpy().ravel())
        return np.concatenate(out) if out else np.zeros(0)

    def error(self, model: PINNModel | None = None) -> float:
        """Relative L2 error against the reference on the problem's grid."""
        return relative_l2(self.predict(self._grid, model), self._ref)

    def field_frame(
        self,
        model: PINNModel | None = None,
        shape: tuple[int, ...] | None = None,
        residual: bool = True,
    ) -> pd.DataFrame:
        """Prediction, reference, absolute error and residual on a display grid.

        Parameters
        ----------
        model : PINNModel, optional
            Default: the live model (pass a snapshot's copy while training runs).
        shape : tuple of int, optional
            Grid points per input (default 201 in 1-D, 41 × 101 in 2-D: few enough
            cells for a browser chart).
        residual : bool
            Also compute the residual (autodiff through the network: the costly part).

        Returns
        -------
        pandas.DataFrame
            One row per grid point: the inputs (``t``, ``x``), ``u`` (network),
            ``reference``, ``abs_error`` and ``residual``.
        """
        cache = self.__dict__.setdefault("_reference_frames", {})
        if shape not in cache:  # the reference does not change: computed once per grid
            cache[shape] = reference_frame(self.problem, shape)
        frame = cache[shape].copy()
        X = frame[list(self.problem.inputs)].to_numpy()
        frame["u"] = self.predict(X, model)
        frame["abs_error"] = np.abs(frame["u"] - frame["reference"])
        if residual:
            frame["residual"] = self.residual_at(X, model)
        return frame

    def points_frame(self) -> pd.DataFrame:
        """Every training point with its role: collocation, refinement, ic, bc, data.

        Returns
        -------
        pandas.DataFrame
            Columns: the inputs, ``role``, and ``value`` (prescribed/observed value,
            NaN for collocation points).
        """
        import pandas as pd

        cols = list(self.problem.inputs)
        parts = [
            pd.DataFrame(self.collocation_, columns=cols).assign(role="collocation", value=np.nan)
        ]
        if len(self.added_):
            parts.append(
                pd.DataFrame(self.added_, columns=cols).assign(
                    role="added by refinement", value=np.nan
                )
            )
        for c in self.conditions_:
            role = "initial condition" if c.term == "ic" else "boundary condition"
            if c.derivative is not None:
                role += " (slope)"
            parts.append(pd.DataFrame(c.X, columns=cols).assign(role=role, value=c.values))
        if self.observations_ is not None:
            o = self.observations_
            parts.append(pd.DataFrame(o.X, columns=cols).assign(role="measurement", value=o.values))
        return pd.concat(parts, ignore_index=True)

    def report(self, model: PINNModel | None = None) -> RunReport:
        """Error, worst point, mean residual and identified coefficients of ``model``."""
        model = model or self.model
        u = self.predict(self._grid, model)
        err = np.abs(u - self._ref.ravel())
        i = int(np.argmax(err))
        res = self.residual_at(self._grid, model)
        truth = self.problem.parameters()
        coefs = {k: (v, float(truth[k])) for k, v in model.coefficients().items()}
        return RunReport(
            rel_l2=relative_l2(u, self._ref),
            max_abs_error=float(err[i]),
            where={name: float(self._grid[i, j]) for j, name in enumerate(self.problem.inputs)},
            mean_abs_residual=float(np.mean(np.abs(res))),
            coefficients=coefs,
            n_points=self.n_points,
        )

    def _monitor(self, model: PINNModel) -> dict[str, float]:
        out = {"rel_l2": self.error(model)}
        out.update(model.coefficients())
        return out

    # ----------------------------------------------------------------- refinement
    def refine(self, n_add: int | None = None) -> np.ndarray:
        """Add the ``n_add`` candidate points with the largest |residual| (RAR).

        Returns the new points; they are used from the next step on.
        """
        n_add = int(n_add or self.config.refine_points)
        room = self.limits.max_samples - self.n_points
        n_add = int(min(n_add, room))
        if n_add < 1:
            return np.zeros((0, self.problem.dim))
        new = refine_by_residual(
            self.residual_at,
            n_add,
            self.problem.lows,
            self.problem.highs,
            seed=self.config.seed + 1000 + len(self.added_),
        )
        self.added_ = np.concatenate([self.added_, new])
        self._X = torch.cat([self._X, torch.as_tensor(new, dtype=self.dtype)])
        return new

    def _refine_callback(self, info: EpochInfo) -> bool:
        every = self.config.refine_every
        if (
            every
            and self.config.refine_points
            and info.epoch % every == 0
            and self._trainer_phase == "adam"
        ):
            self.refine()
        return False

    # ----------------------------------------------------------------- training
    def _make_trainer(self, phase: str) -> Trainer:
        from nnkit.training import TrainConfig, closure_trainer

        cfg = self.config
        if phase == "lbfgs" and cfg.lbfgs_float64 and self.dtype != torch.float64:
            self._to(torch.float64)
        if phase == "adam":
            coef_lr = cfg.coef_lr if cfg.coef_lr is not None else 10 * cfg.lr
            groups: list[dict] = [{"params": list(self.model.net.parameters())}]
            if len(self.model.learned):
                groups.append({"params": list(self.model.learned.parameters()), "lr": coef_lr})
            optimizer: torch.optim.Optimizer = torch.optim.Adam(groups, lr=cfg.lr)
        else:
            # One recorded step = several quasi-Newton iterations inside one optimizer call
            # (torch's default re-evaluates the loss at every single iteration).
            common: dict[str, Any] = dict(
                lr=1.0,
                max_iter=int(cfg.lbfgs_iters_per_epoch),
                tolerance_grad=1e-12,
                tolerance_change=1e-16,
            )
            if cfg.quasi_newton == "bfgs":
                from nnkit.bfgs import BFGS

                # BFGS's line search takes ~1.7 evaluations per iteration here (L-BFGS ~1.1):
                # room for the epoch's iterations
                optimizer = BFGS(
                    self.model.parameters(), max_eval=4 * int(cfg.lbfgs_iters_per_epoch), **common
                )
            else:
                optimizer = torch.optim.LBFGS(
                    self.model.parameters(),
                    history_size=int(cfg.lbfgs_history),
                    line_search_fn="strong_wolfe",
                    **common,
                )
        trainer = closure_trainer(
            self.model,
            self.loss_terms,
            TrainConfig(
                optimizer="lbfgs" if phase == "lbfgs" else "adam",
                lr=1.0 if phase == "lbfgs" else cfg.lr,
                steps_per_epoch=1 if phase == "lbfgs" else cfg.adam_steps_per_epoch,
                seed=cfg.seed,
            ),
            optimizer=optimizer,
            callbacks=[self._refine_callback],
            monitor=self._monitor,
            monitor_every=max(1, cfg.eval_every),
            limits=self.limits,
            history=self.history,  # both phases append to one record
        )
        self._trainer, self._trainer_phase = trainer, phase
        self.phase_starts_.append(
            (self.epochs_done, cfg.quasi_newton if phase == "lbfgs" else phase)
        )
        return trainer

    def run(
        self,
        epochs: int | None = None,
        *,
        stop_event: threading.Event | None = None,
        on_tick: Callable[[], None] | None = None,
        tick_seconds: float = 0.1,
    ) -> TrainResult:
        """Train through the remaining phases (or ``epochs`` more epochs of them).

        Continues where the last call stopped (same optimizer state, same history).
        Each call has the time budget ``max_seconds``.

        Returns
        -------
        nnkit.training.TrainResult
        """
        budget_end = None  # the clock starts with the first step, not with one-time imports
        left = math.inf if epochs is None else int(epochs)
        if self.finished and epochs is not None and self.diverged_epoch is None:
            # "Continue" after the schedule ended: more of the last phase that ran
            last = next(p for p in reversed(self.phases) if p.epochs > 0)
            last.epochs += int(epochs)
        reason = "completed"
        for phase in self.phases:
            if left <= 0:
                break
            todo = min(phase.epochs - phase.done, left)
            if todo <= 0:
                continue
            trainer = self._trainer
            if trainer is None or self._trainer_phase != phase.name:
                trainer = self._make_trainer(phase.name)
            if budget_end is None:
                budget_end = time.perf_counter() + self.max_seconds
            before = trainer.epochs_done
            res = trainer.run(
                int(todo),
                max_seconds=max(0.0, budget_end - time.perf_counter()),
                stop_event=stop_event,
                on_tick=on_tick,
                tick_seconds=tick_seconds,
            )
            done = trainer.epochs_done - before
            phase.done += done
            left -= done
            self.diverged_epoch = trainer.diverged_epoch
            reason = res.stop_reason
            if reason != "completed":
                break
        if (
            reason == "completed"
            and self.history.epoch
            and (
                not self.history.monitor_epoch
                or self.history.monitor_epoch[-1] != self.history.epoch[-1]
            )
        ):
            self._record_final_eval()
        self.stop_reason = reason
        return self.result()

    def _record_final_eval(self) -> None:
        h = self.history
        for k, v in self._monitor(self.model).items():
            h.monitor.setdefault(k, [math.nan] * len(h.monitor_epoch)).append(float(v))
        h.monitor_epoch.append(h.epoch[-1])

    @property
    def finished(self) -> bool:
        """True when every phase has run all its epochs."""
        return all(p.done >= p.epochs for p in self.phases)

    def result(self) -> TrainResult:
        """The current state as a :class:`nnkit.training.TrainResult`."""
        return TrainResult(
            self.model,
            self.history,
            self.epochs_done,
            self.steps_done,
            self.wall_time,
            self.stop_reason,
            self.diverged_epoch,
        )


def glorot_normal_(net: nn.Module, seed: int = 0) -> None:
    """Re-initialise every ``Linear`` of ``net`` as Raissi et al.'s PINN code does.

    Weights: normal with std √(2/(fan_in + fan_out)) truncated at ±2 std (TensorFlow's
    ``truncated_normal``); biases: zero. Same seed, same weights.
    """
    gen = torch.Generator().manual_seed(int(seed))
    for m in net.modules():
        if isinstance(m, nn.Linear):
            std = math.sqrt(2.0 / (m.in_features + m.out_features))  # Glorot's std
            nn.init.trunc_normal_(m.weight, std=std, a=-2 * std, b=2 * std, generator=gen)
            nn.init.zeros_(m.bias)
