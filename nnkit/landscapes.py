"""Loss surfaces and optimizer trajectories (lecture 1, "Gradient descent").

Three things live here, all pure (no streamlit), all seeded:

1. **The lecture's linear regression.** :func:`lecture_problem` draws the lecture's
   data exactly as its PyTorch code does (``X = torch.rand(100, 1) * 10``,
   ``y = 3 X + 2 + 0.5 randn``, ``w, b = randn``), :func:`analyse` gives the
   closed-form least-squares optimum, the Hessian of the mean squared error, its
   eigenvalues, the critical learning rate ``2 / λ_max`` and the convergence rate
   of the slow direction, and :func:`gradient_descent` runs full-batch, stochastic
   (batch 1) or mini-batch gradient descent on it. The loss is a quadratic form in
   ``(w, b)``, so everything is computed from sufficient statistics (Σx, Σx², Σxy,
   ...): the surface on a 200 × 200 grid is one vectorised expression, and a step
   costs a handful of float operations whatever the batch size.
2. **Classic 2-D test surfaces** (:data:`SURFACES`, :func:`surface`): a quadratic
   bowl with adjustable condition number, Rosenbrock, Beale, Himmelblau, Rastrigin
   and a saddle, each with its analytic gradient, a torch version (for autograd and
   ``torch.optim``) and its known minima with their literature reference.
3. **Optimizer trajectories** (:data:`OPTIMIZERS`, :func:`trajectory`, :func:`race`)
   with the real ``torch.optim`` classes (SGD, momentum, Nesterov, Adagrad, RMSprop,
   Adam), so a trajectory is exactly what PyTorch does.

Divergence is a result, not a crash: a run stops at the first step whose loss or
parameters are not finite, or whose parameters leave a huge box (``escape``,
default 1e6, far outside every plotted region), and reports that step.

Contour lines for charts come from :func:`contour_segments` (vectorised marching
squares), so no plotting library beyond Altair is needed.
"""

from __future__ import annotations

import inspect
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from nnkit.datasets import rastrigin as _rastrigin_numpy

__all__ = [
    "ESCAPE",
    "GDRun",
    "OPTIMIZERS",
    "OptimizerSpec",
    "QuadraticAnalysis",
    "RegressionProblem",
    "SURFACES",
    "Surface2D",
    "SurfaceGrid",
    "Trajectory",
    "analyse",
    "contour_levels",
    "contour_segments",
    "dataloader_permutations",
    "gradient_descent",
    "lecture_problem",
    "loss_surface",
    "PRESETS",
    "Preset",
    "preset_matches",
    "race",
    "surface",
    "thin_indices",
    "trajectory",
]

#: A run whose parameters exceed this in absolute value is reported as diverged.
ESCAPE = 1e6


# ---------------------------------------------------------------------------
# 1. The lecture's linear regression
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class RegressionProblem:
    """The lecture's data set and initial guess for fitting ``y ≈ w·x + b``.

    The data are the float32 numbers torch draws (stored here as exact float64
    copies), so the loss surface, the optimum and the gradient-descent runs are all
    about the very points the lecture's code produces for the same seed.

    Attributes
    ----------
    x, y : numpy.ndarray
        Inputs and targets, shape ``(n,)``.
    w0, b0 : float
        Initial weight and bias (the lecture's ``torch.randn(1)`` draws).
    seed : int
        Seed of the ``torch.Generator`` that drew everything.
    true_w, true_b, noise : float
        The recipe: ``y = true_w·x + true_b + noise·N(0, 1)``.
    """

    x: np.ndarray
    y: np.ndarray
    w0: float
    b0: float
    seed: int = 0
    true_w: float = 3.0
    true_b: float = 2.0
    noise: float = 0.5

    @property
    def n(self) -> int:
        """Number of data points."""
        return int(self.x.shape[0])

    @property
    def stats(self) -> tuple[float, float, float, float, float, float]:
        """Sufficient statistics ``(n, Σx, Σy, Σx², Σxy, Σy²)`` of the squared loss."""
        x, y = self.x, self.y
        return (
            float(self.n),
            float(x.sum()),
            float(y.sum()),
            float((x * x).sum()),
            float((x * y).sum()),
            float((y * y).sum()),
        )

    def loss(self, w: Any, b: Any) -> np.ndarray:
        """Mean squared error ``J(w, b) = mean((w·x + b − y)²)``, vectorised over w, b.

        ``w`` and ``b`` broadcast together (e.g. a meshgrid); the cost does not
        depend on the number of data points.
        """
        n, sx, sy, sxx, sxy, syy = self.stats
        w = np.asarray(w, dtype=float)
        b = np.asarray(b, dtype=float)
        with np.errstate(over="ignore", invalid="ignore"):
            return (sxx * w * w + 2 * sx * w * b + n * b * b - 2 * sxy * w - 2 * sy * b + syy) / n

    def sample_curvatures(self) -> np.ndarray:
        """Largest Hessian eigenvalue of each point's own loss ``(w·x_i + b − y_i)²``.

        That Hessian is ``2 [[x², x], [x, 1]]`` (rank 1), so its eigenvalue is
        ``2 (1 + x_i²)``: a step of size α on that point alone overshoots when
        ``α > 2 / (2 (1 + x_i²))``. Stochastic gradient descent meets every point.
        """
        return 2.0 * (1.0 + self.x**2)

    def gradient(self, w: Any, b: Any) -> tuple[np.ndarray, np.ndarray]:
        """``(∂J/∂w, ∂J/∂b)`` of the mean squared error, vectorised over w, b."""
        n, sx, sy, sxx, sxy, _ = self.stats
        w = np.asarray(w, dtype=float)
        b = np.asarray(b, dtype=float)
        return 2 * (sxx * w + sx * b - sxy) / n, 2 * (sx * w + n * b - sy) / n


def lecture_problem(
    seed: int = 0,
    n: int = 100,
    true_w: float = 3.0,
    true_b: float = 2.0,
    noise: float = 0.5,
    x_max: float = 10.0,
) -> RegressionProblem:
    """The lecture's linear-regression data, drawn exactly like its PyTorch code.

    Equivalent to ``torch.manual_seed(seed)`` followed by the lecture's lines::

        X = torch.rand(n, 1) * 10
        y_true = 3 * X + 2 + torch.randn(n, 1) * 0.5
        w = torch.randn(1, requires_grad=True)
        b = torch.randn(1, requires_grad=True)

    but with a private ``torch.Generator``, so torch's global random state is left
    alone.

    Parameters
    ----------
    seed : int, default 0
        Seed of the generator.
    n : int, default 100
        Number of points (at least 2).
    true_w, true_b, noise, x_max : float
        The recipe ``y = true_w·x + true_b + noise·N(0,1)``, ``x ~ U(0, x_max)``.

    Returns
    -------
    RegressionProblem
    """
    from nnkit._torch import torch

    if n < 2:
        raise ValueError(f"need at least 2 points to fit a line, got n={n}")
    g = torch.Generator().manual_seed(int(seed))
    X = torch.rand(n, 1, generator=g) * x_max
    y = true_w * X + true_b + torch.randn(n, 1, generator=g) * noise
    w = torch.randn(1, generator=g)
    b = torch.randn(1, generator=g)
    return RegressionProblem(
        x=X.reshape(-1).double().numpy().copy(),
        y=y.reshape(-1).double().numpy().copy(),
        w0=float(w.item()),
        b0=float(b.item()),
        seed=int(seed),
        true_w=float(true_w),
        true_b=float(true_b),
        noise=float(noise),
    )


@dataclass(frozen=True)
class QuadraticAnalysis:
    """Everything gradient descent on the mean squared error is decided by.

    ``J(θ) = J* + ½ (θ − θ*)ᵀ H (θ − θ*)`` exactly, with ``θ = (w, b)``. Full-batch
    gradient descent with learning rate α is the linear map
    ``θ_{t+1} − θ* = (I − α H)(θ_t − θ*)``: along the eigenvector of eigenvalue λ the
    error is multiplied by ``1 − α λ`` per step. It converges iff ``α < 2 / λ_max``,
    and the slow direction (λ_min) sets how many steps it takes.

    Attributes
    ----------
    w_star, b_star : float
        Closed-form least-squares optimum (``numpy.linalg.lstsq``).
    loss_star : float
        ``J(w*, b*)``, the smallest mean squared error any line achieves.
    hessian : numpy.ndarray
        ``H = (2/n) [[Σx², Σx], [Σx, n]]`` (constant: the loss is quadratic).
    eigenvalues : numpy.ndarray
        ``(λ_min, λ_max)``.
    eigenvectors : numpy.ndarray
        Columns are the unit eigenvectors, in the order of ``eigenvalues``.
    centred_eigenvalues : numpy.ndarray
        Eigenvalues of the Hessian if x were centred (x − mean x): ``(2 var x, 2)``
        sorted; the "why" of the slow intercept.
    """

    w_star: float
    b_star: float
    loss_star: float
    hessian: np.ndarray
    eigenvalues: np.ndarray
    eigenvectors: np.ndarray
    centred_eigenvalues: np.ndarray

    @property
    def theta_star(self) -> np.ndarray:
        """``(w*, b*)``."""
        return np.array([self.w_star, self.b_star])

    @property
    def lambda_min(self) -> float:
        return float(self.eigenvalues[0])

    @property
    def lambda_max(self) -> float:
        return float(self.eigenvalues[1])

    @property
    def critical_lr(self) -> float:
        """``2 / λ_max``: full-batch GD diverges for any learning rate above it."""
        return 2.0 / self.lambda_max

    @property
    def best_lr(self) -> float:
        """``2 / (λ_min + λ_max)``: the learning rate with the fastest worst direction."""
        return 2.0 / (self.lambda_min + self.lambda_max)

    @property
    def condition(self) -> float:
        """Condition number ``λ_max / λ_min`` of the Hessian."""
        return self.lambda_max / self.lambda_min

    @property
    def centred_condition(self) -> float:
        """Condition number the Hessian would have with centred x."""
        return float(self.centred_eigenvalues[1] / self.centred_eigenvalues[0])

    def factors(self, lr: float) -> np.ndarray:
        """Per-step error multipliers ``1 − α λ`` along the two eigenvectors."""
        return 1.0 - lr * self.eigenvalues

    def rate(self, lr: float) -> float:
        """Spectral radius ``max |1 − α λ|``: the per-step contraction (≥ 1: no convergence)."""
        return float(np.abs(self.factors(lr)).max())

    def error_components(self, theta0: Sequence[float]) -> np.ndarray:
        """Initial error ``θ0 − θ*`` in the eigenbasis ``(slow, fast)``."""
        return self.eigenvectors.T @ (np.asarray(theta0, dtype=float) - self.theta_star)

    def predicted_error(self, theta0: Sequence[float], lr: float, steps: Any) -> np.ndarray:
        """``θ_T − θ*`` of full-batch GD after ``steps`` (scalar or array) steps, exactly.

        Returns shape ``(..., 2)`` (w, b), computed as ``V diag((1 − αλ)^T) Vᵀ (θ0 − θ*)``.
        """
        c = self.error_components(theta0)
        t = np.asarray(steps, dtype=float)[..., None]
        with np.errstate(over="ignore", invalid="ignore"):
            comp = c * self.factors(lr) ** t
        return comp @ self.eigenvectors.T

    def steps_to_reach(self, theta0: Sequence[float], lr: float, tol: float = 1e-3) -> int | None:
        """Fewest full-batch steps with ``‖θ_T − θ*‖ ≤ tol``; ``None`` if never (α too large).

        Exact: the error norm ``sqrt(Σ c_i² (1 − αλ_i)^{2T})`` is decreasing in T
        when both factors are below 1 in absolute value, so a bisection on T finds it.
        """
        c = self.error_components(theta0)
        if float(np.hypot(*c)) <= tol:
            return 0
        f = np.abs(self.factors(lr))
        if np.any((f >= 1.0) & (np.abs(c) > 0)):
            return None
        bounds = [
            math.ceil(math.log(tol / (math.sqrt(2) * abs(ci))) / math.log(fi))
            for ci, fi in zip(c, f, strict=True)
            if abs(ci) * math.sqrt(2) > tol and fi > 0
        ]
        hi = max([1, *bounds])
        lo = 0

        def err(t: int) -> float:
            return float(np.sqrt(np.sum((c * f**t) ** 2)))

        while lo < hi:  # smallest t in [lo, hi] with err(t) <= tol
            mid = (lo + hi) // 2
            if err(mid) <= tol:
                hi = mid
            else:
                lo = mid + 1
        return lo

    def excess_loss(self, w: Any, b: Any) -> np.ndarray:
        """``J(w, b) − J*`` as the quadratic form ``½ dᵀ H d``: accurate even near 0."""
        dw = np.asarray(w, dtype=float) - self.w_star
        db = np.asarray(b, dtype=float) - self.b_star
        h = self.hessian
        return 0.5 * (h[0, 0] * dw * dw + 2 * h[0, 1] * dw * db + h[1, 1] * db * db)


def analyse(problem: RegressionProblem) -> QuadraticAnalysis:
    """Closed-form optimum, Hessian, eigenvalues and rates of the lecture's loss.

    Parameters
    ----------
    problem : RegressionProblem

    Returns
    -------
    QuadraticAnalysis
    """
    x, y = problem.x, problem.y
    A = np.column_stack([x, np.ones_like(x)])
    (w_star, b_star), *_ = np.linalg.lstsq(A, y, rcond=None)
    n, sx, _, sxx, _, _ = problem.stats
    H = (2.0 / n) * np.array([[sxx, sx], [sx, n]])
    lam, vec = np.linalg.eigh(H)
    # fix the sign of each eigenvector (first nonzero component positive) for stable output
    for k in range(2):
        if vec[np.argmax(np.abs(vec[:, k])), k] < 0:
            vec[:, k] = -vec[:, k]
    residual = A @ np.array([w_star, b_star]) - y
    centred = np.sort(np.array([2.0 * float(np.var(x)), 2.0]))
    return QuadraticAnalysis(
        w_star=float(w_star),
        b_star=float(b_star),
        loss_star=float(np.mean(residual**2)),
        hessian=H,
        eigenvalues=lam,
        eigenvectors=vec,
        centred_eigenvalues=centred,
    )


@dataclass(frozen=True)
class SurfaceGrid:
    """A function sampled on a regular grid: ``z[i, j] = f(x[j], y[i])``."""

    x: np.ndarray
    y: np.ndarray
    z: np.ndarray

    def frame(self) -> pd.DataFrame:
        """Long format ``x, y, z`` (one row per grid point)."""
        X, Y = np.meshgrid(self.x, self.y)
        return pd.DataFrame({"x": X.ravel(), "y": Y.ravel(), "z": self.z.ravel()})


def loss_surface(
    problem: RegressionProblem,
    w_range: tuple[float, float],
    b_range: tuple[float, float],
    n: int = 200,
) -> SurfaceGrid:
    """The exact loss ``J(w, b)`` on an ``n × n`` grid (x = w, y = b), vectorised.

    Parameters
    ----------
    problem : RegressionProblem
    w_range, b_range : (float, float)
        Extent of the grid.
    n : int, default 200
        Points per axis.

    Returns
    -------
    SurfaceGrid
    """
    w = np.linspace(*w_range, n)
    b = np.linspace(*b_range, n)
    return SurfaceGrid(w, b, problem.loss(w[None, :], b[:, None]))


def dataloader_permutations(n: int, epochs: int, seed: int) -> np.ndarray:
    """The sample order of ``DataLoader(..., shuffle=True, generator=g)`` for each epoch.

    ``g = torch.Generator().manual_seed(seed)``. Per epoch a ``DataLoader`` iterator
    draws one base seed from ``g``, then its ``RandomSampler`` draws one
    ``randperm(n)`` (used) and, when exhausted, one more (discarded); this function
    makes the same draws, so mini-batch runs here visit the samples in exactly the
    order the lecture's training loop with that generator would (a unit test checks it
    against a real ``DataLoader``).

    Returns
    -------
    numpy.ndarray
        Shape ``(epochs, n)``, integer indices.
    """
    from nnkit._torch import torch

    g = torch.Generator().manual_seed(int(seed))
    out = np.empty((epochs, n), dtype=np.int64)
    for e in range(epochs):
        torch.empty((), dtype=torch.int64).random_(generator=g)
        out[e] = torch.randperm(n, generator=g).numpy()
        torch.randperm(n, generator=g)
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
        return self.diverged_at is not None

    @property
    def final(self) -> tuple[float, float]:
        """Last finite ``(w, b)``."""
        return float(self.path[-1, 0]), float(self.path[-1, 1])

    @property
    def epochs_done(self) -> int:
        """Completed epochs."""
        return int(self.epoch_loss.shape[0] - 1)

    def frame(self) -> pd.DataFrame:
        """One row per point of the path: step, epoch (fractional), w, b, loss, grad_evals."""
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
# 2. Classic 2-D test surfaces
# ---------------------------------------------------------------------------

Fn = Callable[[Any, Any], Any]


@dataclass(frozen=True)
class Surface2D:
    """A 2-D test function with its gradient, torch version and known minima.

    Attributes
    ----------
    key, name : str
        Identifier and display name.
    latex : str
        Formula, for display.
    domain : ((float, float), (float, float))
        Plotting box ``((x_min, x_max), (y_min, y_max))``.
    minima : tuple of (float, float)
        Known global minima (literature values; empty for the saddle).
    f_min : float or None
        Value at the minima.
    start : (float, float)
        A start point that shows something interesting.
    reference : str
        Where the minima are documented.
    log_levels : bool
        Whether contour levels should be spaced logarithmically (large range).
    critical_points : tuple of (float, float)
        Other notable critical points (the saddle's origin).
    """

    key: str
    name: str
    latex: str
    domain: tuple[tuple[float, float], tuple[float, float]]
    minima: tuple[tuple[float, float], ...]
    f_min: float | None
    start: tuple[float, float]
    reference: str
    _f: Fn = field(repr=False)
    _grad: Callable[[Any, Any], tuple[Any, Any]] = field(repr=False)
    _f_torch: Fn = field(repr=False)
    log_levels: bool = True
    critical_points: tuple[tuple[float, float], ...] = ()

    def f(self, x: Any, y: Any) -> np.ndarray:
        """Value, vectorised over numpy arrays."""
        return np.asarray(self._f(np.asarray(x, dtype=float), np.asarray(y, dtype=float)))

    def grad(self, x: Any, y: Any) -> tuple[np.ndarray, np.ndarray]:
        """Analytic gradient ``(∂f/∂x, ∂f/∂y)``, vectorised over numpy arrays."""
        gx, gy = self._grad(np.asarray(x, dtype=float), np.asarray(y, dtype=float))
        return np.asarray(gx), np.asarray(gy)

    def torch_f(self, x: Any, y: Any) -> Any:
        """Value on torch tensors (differentiable)."""
        return self._f_torch(x, y)

    def grid(self, n: int = 200) -> SurfaceGrid:
        """``f`` on an ``n × n`` grid over :attr:`domain`, vectorised."""
        (x0, x1), (y0, y1) = self.domain
        x = np.linspace(x0, x1, n)
        y = np.linspace(y0, y1, n)
        return SurfaceGrid(x, y, self.f(x[None, :], y[:, None]))

    def contours(self, n: int = 80, levels: int = 12, max_rows: int = 4500) -> pd.DataFrame:
        """Contour segments of the surface, at most ``max_rows`` of them.

        Altair refuses to embed more than 5000 rows by default (and every row is sent
        to the browser on each animation frame), so bumpy surfaces such as Rastrigin
        get fewer levels until the segments fit.
        """
        grid = self.grid(n)
        k = levels
        while True:
            seg = contour_segments(grid, contour_levels(grid.z, n=k, log=self.log_levels))
            if len(seg) <= max_rows or k <= 3:
                return seg.iloc[:max_rows]
            k -= 1

    def stuck_at(self, point: Sequence[float], grad_tol: float = 1e-2, dist: float = 0.05) -> bool:
        """Whether ``point`` is stationary (‖∇f‖ < ``grad_tol``) but not a known minimum.

        That is where gradient methods get stuck: a local minimum (Rastrigin's grid of
        them) or a saddle point. A point within ``dist`` of a known minimum is not stuck.
        """
        gx, gy = self.grad(*point)
        if float(np.hypot(gx, gy)) >= grad_tol:
            return False
        near = self.nearest_minimum(point)
        return near is None or near[1] > dist

    def nearest_minimum(self, point: Sequence[float]) -> tuple[tuple[float, float], float] | None:
        """The known minimum closest to ``point`` and its distance (None if no minimum)."""
        if not self.minima:
            return None
        p = np.asarray(point, dtype=float)
        d = [float(np.hypot(*(p - np.asarray(m)))) for m in self.minima]
        i = int(np.argmin(d))
        return self.minima[i], d[i]


def _quadratic(condition: float, angle_deg: float) -> Surface2D:
    if not (math.isfinite(condition) and condition >= 1):
        raise ValueError(f"condition number must be ≥ 1, got {condition}")
    a = math.radians(angle_deg)
    c, s = math.cos(a), math.sin(a)
    # f = ½ (u² + κ v²), u = c x + s y, v = −s x + c y: eigenvalues 1 and κ
    h11 = c * c + condition * s * s
    h22 = s * s + condition * c * c
    h12 = c * s * (1 - condition)

    def f(x: Any, y: Any) -> Any:
        return 0.5 * (h11 * x * x + 2 * h12 * x * y + h22 * y * y)

    def grad(x: Any, y: Any) -> tuple[Any, Any]:
        return h11 * x + h12 * y, h12 * x + h22 * y

    if angle_deg == 0:
        latex = rf"f = \tfrac12\,(x^2 + {condition:g}\, y^2)"
    else:
        latex = (
            rf"f = \tfrac12\,(u^2 + {condition:g}\, v^2),\ (u, v) = (x, y)"
            rf"\text{{ rotated by }}{angle_deg:g}^\circ"
        )
    return Surface2D(
        key="quadratic",
        name=f"Quadratic bowl (κ = {condition:g})",
        latex=latex,
        domain=((-2.0, 2.0), (-2.0, 2.0)),
        minima=((0.0, 0.0),),
        f_min=0.0,
        start=(-1.8, 1.2),
        reference="f = ½θᵀHθ with Hessian eigenvalues 1 and κ: minimum 0 at the origin",
        _f=f,
        _grad=grad,
        _f_torch=f,
        log_levels=True,
    )


def _rosenbrock_f(x: Any, y: Any) -> Any:
    return (1 - x) ** 2 + 100 * (y - x * x) ** 2


def _rosenbrock_grad(x: Any, y: Any) -> tuple[Any, Any]:
    return -2 * (1 - x) - 400 * x * (y - x * x), 200 * (y - x * x)


def _beale_f(x: Any, y: Any) -> Any:
    return (1.5 - x + x * y) ** 2 + (2.25 - x + x * y * y) ** 2 + (2.625 - x + x * y**3) ** 2


def _beale_grad(x: Any, y: Any) -> tuple[Any, Any]:
    t1 = 1.5 - x + x * y
    t2 = 2.25 - x + x * y * y
    t3 = 2.625 - x + x * y**3
    gx = 2 * t1 * (y - 1) + 2 * t2 * (y * y - 1) + 2 * t3 * (y**3 - 1)
    gy = 2 * t1 * x + 2 * t2 * 2 * x * y + 2 * t3 * 3 * x * y * y
    return gx, gy


def _himmelblau_f(x: Any, y: Any) -> Any:
    return (x * x + y - 11) ** 2 + (x + y * y - 7) ** 2


def _himmelblau_grad(x: Any, y: Any) -> tuple[Any, Any]:
    a = x * x + y - 11
    b = x + y * y - 7
    return 4 * x * a + 2 * b, 2 * a + 4 * y * b


def _rastrigin_grad(x: Any, y: Any) -> tuple[Any, Any]:
    return (
        2 * x + 20 * np.pi * np.sin(2 * np.pi * x),
        2 * y + 20 * np.pi * np.sin(2 * np.pi * y),
    )


def _rastrigin_torch(x: Any, y: Any) -> Any:
    from nnkit._torch import torch

    return (
        20 + (x * x - 10 * torch.cos(2 * math.pi * x)) + (y * y - 10 * torch.cos(2 * math.pi * y))
    )


def _saddle_f(x: Any, y: Any) -> Any:
    return x * x - y * y


def _saddle_grad(x: Any, y: Any) -> tuple[Any, Any]:
    return 2 * x, -2 * y


def _fixed(
    key: str,
    name: str,
    latex: str,
    domain: tuple[tuple[float, float], tuple[float, float]],
    minima: tuple[tuple[float, float], ...],
    f_min: float | None,
    start: tuple[float, float],
    reference: str,
    f: Fn,
    grad: Callable[[Any, Any], tuple[Any, Any]],
    f_torch: Fn | None = None,
    log_levels: bool = True,
    critical_points: tuple[tuple[float, float], ...] = (),
) -> Surface2D:
    return Surface2D(
        key=key,
        name=name,
        latex=latex,
        domain=domain,
        minima=minima,
        f_min=f_min,
        start=start,
        reference=reference,
        _f=f,
        _grad=grad,
        _f_torch=f_torch or f,
        log_levels=log_levels,
        critical_points=critical_points,
    )


_SURFACE_FACTORIES: dict[str, Callable[..., Surface2D]] = {
    "quadratic": lambda condition=10.0, angle=0.0: _quadratic(float(condition), float(angle)),
    "rosenbrock": lambda: _fixed(
        "rosenbrock",
        "Rosenbrock",
        r"f = (1 - x)^2 + 100\,(y - x^2)^2",
        ((-2.0, 2.0), (-1.0, 3.0)),
        ((1.0, 1.0),),
        0.0,
        (-1.2, 1.0),
        "Rosenbrock (1960), Comput. J. 3(3):175: minimum 0 at (1, 1) in a curved valley",
        _rosenbrock_f,
        _rosenbrock_grad,
    ),
    "beale": lambda: _fixed(
        "beale",
        "Beale",
        r"f = (1.5 - x + xy)^2 + (2.25 - x + xy^2)^2 + (2.625 - x + xy^3)^2",
        ((-4.5, 4.5), (-4.5, 4.5)),
        ((3.0, 0.5),),
        0.0,
        (1.0, 1.5),
        "Beale (1958); Jamil & Yang (2013), Int. J. Math. Model. Numer. Optim. 4(2), "
        "no. 17: minimum 0 at (3, 0.5)",
        _beale_f,
        _beale_grad,
    ),
    "himmelblau": lambda: _fixed(
        "himmelblau",
        "Himmelblau",
        r"f = (x^2 + y - 11)^2 + (x + y^2 - 7)^2",
        ((-5.0, 5.0), (-5.0, 5.0)),
        (
            (3.0, 2.0),
            (-2.805118, 3.131312),
            (-3.779310, -3.283186),
            (3.584428, -1.848126),
        ),
        0.0,
        (-0.5, -0.5),
        "Himmelblau (1972), Applied Nonlinear Programming: four minima of value 0, at "
        "(3, 2), (−2.805118, 3.131312), (−3.779310, −3.283186), (3.584428, −1.848126)",
        _himmelblau_f,
        _himmelblau_grad,
    ),
    "rastrigin": lambda: _fixed(
        "rastrigin",
        "Rastrigin",
        r"f = 20 + (x^2 - 10\cos 2\pi x) + (y^2 - 10\cos 2\pi y)",
        ((-5.12, 5.12), (-5.12, 5.12)),
        ((0.0, 0.0),),
        0.0,
        (2.3, 1.7),
        "Rastrigin (1974); the lecture's exercise 1: global minimum 0 at the origin, a "
        "local minimum near every integer point",
        lambda x, y: _rastrigin_numpy(x, y),
        _rastrigin_grad,
        _rastrigin_torch,
        log_levels=False,
    ),
    "saddle": lambda: _fixed(
        "saddle",
        "Saddle",
        r"f = x^2 - y^2",
        ((-2.0, 2.0), (-2.0, 2.0)),
        (),
        None,
        (-1.8, 0.01),
        "f = x² − y²: a single critical point, the saddle at the origin (no minimum; "
        "f is unbounded below)",
        _saddle_f,
        _saddle_grad,
        log_levels=False,
        critical_points=((0.0, 0.0),),
    ),
}

#: Display names of the surfaces, by key.
SURFACES: dict[str, str] = {
    "quadratic": "Quadratic bowl (condition number κ)",
    "rosenbrock": "Rosenbrock",
    "beale": "Beale",
    "himmelblau": "Himmelblau",
    "rastrigin": "Rastrigin",
    "saddle": "Saddle",
}


def surface(key: str, **params: Any) -> Surface2D:
    """The test surface ``key`` (see :data:`SURFACES`).

    Parameters
    ----------
    key : str
        One of ``quadratic, rosenbrock, beale, himmelblau, rastrigin, saddle``.
    **params
        Only for ``quadratic``: ``condition`` (κ ≥ 1, default 10) and ``angle``
        (degrees, default 0).

    Returns
    -------
    Surface2D
    """
    try:
        factory = _SURFACE_FACTORIES[key]
    except KeyError:
        raise ValueError(f"unknown surface {key!r}; choose one of {sorted(SURFACES)}") from None
    return factory(**params)


# ---------------------------------------------------------------------------
# 3. Optimizer trajectories with torch.optim
# ---------------------------------------------------------------------------


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
        from nnkit._torch import torch

        return getattr(torch.optim, self.torch_name)

    def defaults(self) -> dict[str, Any]:
        """Default of every exposed hyper-parameter: torch's own, except :attr:`overrides`."""
        sig = inspect.signature(self.torch_class())
        out = {}
        for name in self.exposed:
            out[name] = self.overrides.get(name, sig.parameters[name].default)
        return out

    def make(self, params: Any, **hyper: Any) -> Any:
        """Build the torch optimizer on ``params`` with defaults updated by ``hyper``."""
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
        return self.diverged_at is not None

    @property
    def final(self) -> tuple[float, float]:
        return float(self.path[-1, 0]), float(self.path[-1, 1])

    def frame(self) -> pd.DataFrame:
        """``step, x, y, loss, optimizer`` per point of the path."""
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
    optimizer : str, default "sgd"
        Key in :data:`OPTIMIZERS`.
    start : (float, float), optional
        Default ``surf.start``.
    steps : int, default 500
    escape : float, default 1e6
        Stop as diverged when ``|x|`` or ``|y|`` exceeds this (or anything is non-finite).
    **hyper
        Hyper-parameters (see ``OPTIMIZERS[optimizer].exposed``); torch's defaults
        otherwise.

    Returns
    -------
    Trajectory
    """
    from nnkit._torch import torch

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
    """Several optimizers from the same start: ``{key: hyper}`` → list of trajectories."""
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
# Helpers for charts: contour lines and thinning
# ---------------------------------------------------------------------------


def contour_levels(z: np.ndarray, n: int = 14, log: bool = True) -> np.ndarray:
    """``n`` contour levels for ``z``: geometric above the minimum if ``log``, else linear.

    Levels span the 0.5 % to 90 % quantiles of ``z − min z`` (log) or of ``z``
    (linear), so a few huge values at the edge of the box do not flatten everything.
    """
    zf = z[np.isfinite(z)]
    if zf.size == 0:
        return np.empty(0)
    lo = float(zf.min())
    if log:
        s = zf - lo
        pos = s[s > 0]
        if pos.size == 0:
            return np.empty(0)
        a = float(np.quantile(pos, 0.005))
        b = float(np.quantile(pos, 0.9))
        if not b > a:
            return np.array([lo + a])
        return lo + np.geomspace(a, b, n)
    a, b = np.quantile(zf, [0.02, 0.98])
    return np.linspace(a, b, n)


def contour_segments(grid: SurfaceGrid, levels: Sequence[float]) -> pd.DataFrame:
    """Contour lines of a grid as line segments (vectorised marching squares).

    Parameters
    ----------
    grid : SurfaceGrid
    levels : sequence of float

    Returns
    -------
    pandas.DataFrame
        Columns ``x, y, x2, y2, level``: one row per segment, ready for an Altair
        ``mark_rule``.
    """
    x, y, z = grid.x, grid.y, grid.z
    z00, z01 = z[:-1, :-1], z[:-1, 1:]  # bottom-left, bottom-right
    z10, z11 = z[1:, :-1], z[1:, 1:]  # top-left, top-right
    xl = np.broadcast_to(x[:-1][None, :], z00.shape)
    xr = np.broadcast_to(x[1:][None, :], z00.shape)
    yb = np.broadcast_to(y[:-1][:, None], z00.shape)
    yt = np.broadcast_to(y[1:][:, None], z00.shape)
    centre = (z00 + z01 + z10 + z11) / 4
    frames = []
    with np.errstate(divide="ignore", invalid="ignore"):
        for level in levels:
            a00, a01, a10, a11 = z00 > level, z01 > level, z10 > level, z11 > level
            # crossing points on the four edges (nan where the edge is not crossed)
            tb = (level - z00) / (z01 - z00)
            tr = (level - z01) / (z11 - z01)
            tt = (level - z10) / (z11 - z10)
            tl = (level - z00) / (z10 - z00)
            cross = np.stack([a00 != a01, a01 != a11, a10 != a11, a00 != a10])  # b, r, t, l
            px = np.stack([xl + tb * (xr - xl), xr, xl + tt * (xr - xl), xl])
            py = np.stack([yb, yb + tr * (yt - yb), yt, yb + tl * (yt - yb)])
            count = cross.sum(axis=0)
            # cells with one segment: the two crossed edges, in b, r, t, l order
            two = count == 2
            if two.any():
                idx = np.argsort(~cross[:, two], axis=0, kind="stable")[:2]
                cols = np.nonzero(two.ravel())[0]
                pxs = px.reshape(4, -1)[:, cols]
                pys = py.reshape(4, -1)[:, cols]
                j = np.arange(cols.size)
                frames.append(
                    pd.DataFrame(
                        {
                            "x": pxs[idx[0], j],
                            "y": pys[idx[0], j],
                            "x2": pxs[idx[1], j],
                            "y2": pys[idx[1], j],
                            "level": level,
                        }
                    )
                )
            # saddle cells: two segments, disambiguated by the centre value
            four = count == 4
            if four.any():
                same = (centre > level)[four] == a00[four]
                pxs = px[:, four]
                pys = py[:, four]
                # same side as bottom-left: (b, r) and (t, l); otherwise (b, l) and (t, r)
                e1 = np.where(same, 1, 3)
                e2 = np.where(same, 3, 1)
                j = np.arange(pxs.shape[1])
                for a_, b_ in ((np.zeros_like(e1), e1), (np.full_like(e1, 2), e2)):
                    frames.append(
                        pd.DataFrame(
                            {
                                "x": pxs[a_, j],
                                "y": pys[a_, j],
                                "x2": pxs[b_, j],
                                "y2": pys[b_, j],
                                "level": level,
                            }
                        )
                    )
    if not frames:
        return pd.DataFrame({"x": [], "y": [], "x2": [], "y2": [], "level": []})
    out = pd.concat(frames, ignore_index=True)
    # 5 significant digits of the box are plenty for a picture and halve the JSON size
    span = max(float(np.ptp(x)), float(np.ptp(y)), 1e-300)
    digits = max(0, 5 - int(math.floor(math.log10(span))))
    out[["x", "y", "x2", "y2"]] = out[["x", "y", "x2", "y2"]].round(digits)
    return out


def thin_indices(n: int, max_points: int = 400) -> np.ndarray:
    """At most ``max_points`` indices of ``range(n)``, evenly spread, first and last kept."""
    if n <= max_points:
        return np.arange(n)
    return np.unique(np.round(np.linspace(0, n - 1, max_points)).astype(int))
