"""The lecture's line fit: its data, its exact loss surface and what decides descent on it.

:func:`lecture_problem` draws the lecture's data exactly as its PyTorch code does
(``X = torch.rand(100, 1) * 10``, ``y = 3 X + 2 + 0.5 randn``, ``w, b = randn``), with
a private generator. The mean squared error is a quadratic form in ``(w, b)``, so
everything is computed from sufficient statistics (Σx, Σx², Σxy, ...): the surface on
a 200 × 200 grid (:func:`loss_surface`) is one vectorised expression. :func:`analyse`
gives the closed-form least-squares optimum, the Hessian, its eigenvalues, the
critical learning rate ``2 / λ_max`` and the convergence rate of the slow direction.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from nnkit.landscapes.contours import SurfaceGrid

__all__ = [
    "QuadraticAnalysis",
    "RegressionProblem",
    "analyse",
    "lecture_problem",
    "loss_surface",
    "view_box",
]


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

    def steepest_sample(self) -> int:
        """Index of the point whose own loss is the most curved (the largest ``|x_i|``).

        A single-sample step of size α overshoots on it first, for
        ``α > 2 / sample_curvatures()[i]``.
        """
        return int(np.argmax(self.sample_curvatures()))

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
        The data and the initial ``(w0, b0)``.
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
        """Smallest Hessian eigenvalue (the slow direction)."""
        return float(self.eigenvalues[0])

    @property
    def lambda_max(self) -> float:
        """Largest Hessian eigenvalue (the steep direction)."""
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
        The data.

    Returns
    -------
    QuadraticAnalysis
        Optimum, Hessian and everything derived from its eigenvalues.
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
        The data.
    w_range, b_range : (float, float)
        Extent of the grid.
    n : int, default 200
        Points per axis.

    Returns
    -------
    SurfaceGrid
        ``z[i, j] = J(w[j], b[i])``.
    """
    w = np.linspace(*w_range, n)
    b = np.linspace(*b_range, n)
    return SurfaceGrid(w, b, problem.loss(w[None, :], b[:, None]))


def view_box(
    problem: RegressionProblem,
    analysis: QuadraticAnalysis,
    margin: tuple[float, float] = (1.0, 1.5),
) -> tuple[tuple[float, float], tuple[float, float]]:
    """A ``(w, b)`` box around the random start and the optimum, for a contour map.

    Parameters
    ----------
    problem : RegressionProblem
        Gives the start ``(w0, b0)``.
    analysis : QuadraticAnalysis
        Gives the optimum ``(w*, b*)``.
    margin : (float, float), default (1, 1.5)
        Space added on both sides in w and in b.

    Returns
    -------
    ((float, float), (float, float))
        ``((w_min, w_max), (b_min, b_max))``.
    """
    w_lo, w_hi = sorted((problem.w0, analysis.w_star))
    b_lo, b_hi = sorted((problem.b0, analysis.b_star))
    return (w_lo - margin[0], w_hi + margin[0]), (b_lo - margin[1], b_hi + margin[1])
