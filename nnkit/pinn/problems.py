"""The differential equations a PINN solves on the page, each with its reference.

A :class:`Problem` knows its inputs and domain, its residual (from the network's
output and its input derivatives, :mod:`nnkit.pinn.derivatives`: ``torch.autograd``
with ``create_graph=True`` in general, a closed form for a plain tanh MLP; either way
the loss can be differentiated with respect to the weights), its initial/boundary conditions,
an optional hard-constraint output transform that satisfies them exactly, and a
reference solution computed without any network.

Problems: :class:`Oscillator` (forward and inverse for the damping μ), :class:`Heat`,
:class:`Poisson`, :class:`Burgers`, and :class:`FirstOrderODE` for a user-typed
u' = f(t, u).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
from typing_extensions import override

from nnkit.pinn import reference as ref

if TYPE_CHECKING:  # torch is imported where a tensor is computed: a problem's equation,
    # domain and reference solution need none (the PINN page draws them before torch loads)
    import pandas as pd
    from torch import Tensor

    from nnkit.pinn.derivatives import Jet

__all__ = [
    "Condition",
    "Observations",
    "Problem",
    "Oscillator",
    "Heat",
    "Poisson",
    "Burgers",
    "FirstOrderODE",
    "derivative",
    "gradient",
    "reference_frame",
]


def derivative(u: Tensor, X: Tensor, i: int) -> Tensor:
    """∂u/∂X_i at every row of ``X`` through ``torch.autograd`` (graph kept).

    Parameters
    ----------
    u : Tensor, shape (n, 1)
        Network output computed from ``X``.
    X : Tensor, shape (n, d)
        Inputs with ``requires_grad=True``.
    i : int
        Column (input) to differentiate with respect to.

    Returns
    -------
    Tensor, shape (n, 1)
        Differentiable again (``create_graph=True``), so second derivatives and the
        gradient of a loss built from it with respect to the weights both work.
    """
    from nnkit._torch import torch

    (g,) = torch.autograd.grad(u, X, grad_outputs=torch.ones_like(u), create_graph=True)
    return g[:, i : i + 1]


def gradient(u: Tensor, X: Tensor) -> Tensor:
    """All first derivatives ∂u/∂X (n, d) in one backward pass (graph kept)."""
    from nnkit._torch import torch

    (g,) = torch.autograd.grad(u, X, grad_outputs=torch.ones_like(u), create_graph=True)
    return g


@dataclass
class Condition:
    """Points where the solution (or its first derivative) is prescribed.

    Attributes
    ----------
    term : str
        Loss term it belongs to: ``"ic"`` (initial condition) or ``"bc"`` (boundary).
    X : numpy.ndarray, shape (n, d)
        Points.
    values : numpy.ndarray, shape (n,)
        Prescribed values.
    derivative : int or None
        None: prescribe u; i: prescribe ∂u/∂X_i.
    scale : float
        The error is divided by this (puts u' of a fast oscillator on u's scale).
    """

    term: str
    X: np.ndarray
    values: np.ndarray
    derivative: int | None = None
    scale: float = 1.0


@dataclass
class Observations:
    """Noisy measurements of the solution for the data term (inverse problems)."""

    X: np.ndarray
    values: np.ndarray
    noise: float


@dataclass
class Problem:
    """Base class: a differential equation on a box with its reference solution.

    Subclasses set ``key``, ``title``, ``inputs``, ``lows``, ``highs``, ``equation``
    and implement :meth:`residual`, :meth:`conditions`, :meth:`hard_transform`,
    :meth:`reference`.
    """

    key: str = field(init=False, default="")
    title: str = field(init=False, default="")
    inputs: tuple[str, ...] = field(init=False, default=("t",))
    lows: tuple[float, ...] = field(init=False, default=(0.0,))
    highs: tuple[float, ...] = field(init=False, default=(1.0,))
    equation: str = field(init=False, default="")
    residual_text: str = field(init=False, default="")
    first_derivatives: tuple[int, ...] = field(init=False, default=())
    """Inputs along which the residual needs ∂u/∂X_i."""
    second_derivatives: tuple[int, ...] = field(init=False, default=())
    """Inputs along which the residual needs ∂²u/∂X_i²."""

    # -- what every problem provides ---------------------------------------------------
    def residual_from_jet(self, J: Jet, X: Tensor, params: dict[str, Tensor]) -> Tensor:
        """Residual of the equation at ``X`` from u and its derivatives there (shape (n, 1)).

        ``J`` holds at least :attr:`first_derivatives` and :attr:`second_derivatives`
        (see :mod:`nnkit.pinn.derivatives`: closed form for a plain tanh MLP,
        autograd otherwise).
        """
        raise NotImplementedError

    def residual(self, u: Tensor, X: Tensor, params: dict[str, Tensor]) -> Tensor:
        """Residual at ``X`` for an output ``u`` computed from ``X`` (autograd derivatives).

        ``X`` must have ``requires_grad=True``; the result can be differentiated again.
        """
        from nnkit.pinn.derivatives import autograd_jet

        J = autograd_jet(u, X, self.first_derivatives, self.second_derivatives)
        return self.residual_from_jet(J, X, params)

    def conditions(self, n: int, seed: int = 0) -> list[Condition]:
        """Initial/boundary condition points: ``n`` on the initial line, ``n`` on the boundary."""
        raise NotImplementedError

    def hard_transform(self, X: Tensor, N: Tensor) -> Tensor:
        """Map the raw network output N to u satisfying every condition exactly."""
        raise NotImplementedError

    def reference(self, X: np.ndarray) -> np.ndarray:
        """Reference solution at points ``X`` (n, d) → (n,)."""
        raise NotImplementedError

    def constrained(self, X: Tensor, net: Callable[[Tensor], Tensor]) -> Tensor:
        """Return ``hard_transform(X, net(X))``; problems with a symmetry also impose it here."""
        return self.hard_transform(X, net(X))

    # -- shared --------------------------------------------------------------------------
    @property
    def dim(self) -> int:
        """Number of inputs (1 for an ODE in t, 2 for (t, x))."""
        return len(self.inputs)

    def parameters(self) -> dict[str, float]:
        """True values of the equation's coefficients."""
        return {}

    def learnable(self) -> dict[str, float]:
        """Coefficients to identify (inverse problem) → initial guess. Empty: forward."""
        return {}

    def observations(self) -> Observations | None:
        """Measurements for the data term, or None."""
        return None

    def grid_shape(self) -> tuple[int, ...]:
        """Evaluation grid size per input (t first)."""
        return (401,) if self.dim == 1 else (101, 201)

    def grid(self) -> tuple[list[np.ndarray], np.ndarray]:
        """Regular evaluation grid: the axes and the points (product, first axis slowest)."""
        axes = [
            np.linspace(lo, hi, n)
            for lo, hi, n in zip(self.lows, self.highs, self.grid_shape(), strict=True)
        ]
        mesh = np.meshgrid(*axes, indexing="ij")
        return axes, np.column_stack([m.ravel() for m in mesh])

    def reference_on_grid(self) -> np.ndarray:
        """Reference solution on :meth:`grid`, reshaped to the grid (cached)."""
        cache = self.__dict__.setdefault("_ref_cache", {})
        if "grid" not in cache:
            _, X = self.grid()
            cache["grid"] = self.reference(X).reshape(self.grid_shape())
        return cache["grid"]

    def describe(self) -> dict[str, Any]:
        """Key facts for a page or a report."""
        return {"problem": self.title, "equation": self.equation, **self.parameters()}


def _col(X: Tensor, i: int) -> Tensor:
    return X[:, i : i + 1]


def _ic_bc_points(
    n: int, x_range: tuple[float, float], t_end: float, seed: int
) -> tuple[np.ndarray, np.ndarray]:
    """Draw n random points on the initial line t = 0 and n on the two ends (half each)."""
    rng = np.random.default_rng(seed)
    x = rng.uniform(x_range[0], x_range[1], n)
    ic = np.column_stack([np.zeros(n), x])
    n_left = max(1, n // 2)
    n_right = max(1, n - n_left)
    t = rng.uniform(0.0, t_end, n_left + n_right)
    sides = np.concatenate([np.full(n_left, x_range[0]), np.full(n_right, x_range[1])])
    bc = np.column_stack([t, sides])
    return ic, bc


# ---------------------------------------------------------------------------------------
@dataclass
class Oscillator(Problem):
    """Damped harmonic oscillator m·u'' + μ·u' + k·u = 0, u(0) = 1, u'(0) = 0, t ∈ [0, T].

    The residual is divided by k (so it reads u''/ω0² + (2δ/ω0²) u' + u and is O(1)).
    With ``inverse=True`` the damping μ is unknown: it starts at ``mu_init`` and is
    learned from ``n_obs`` noisy observations of u (noise σ = ``noise``) together with
    the equation and the initial state.
    """

    m: float = 1.0
    mu: float = 4.0
    k: float = 400.0
    t_end: float = 1.0
    inverse: bool = False
    mu_init: float = 1.0
    n_obs: int = 40
    noise: float = 0.04
    obs_seed: int = 1

    def __post_init__(self) -> None:
        if not (self.m > 0 and self.k > 0 and self.mu >= 0 and self.t_end > 0):
            raise ValueError("the oscillator needs m > 0, k > 0, μ ≥ 0 and T > 0")
        ref.oscillator_exact(np.zeros(1), self.m, self.mu, self.k)  # raises if over-damped
        if self.inverse and not (self.n_obs >= 2 and self.noise >= 0):
            raise ValueError("the inverse problem needs at least 2 observations and noise σ ≥ 0")
        self.key = "oscillator_inverse" if self.inverse else "oscillator"
        self.title = "Damped oscillator" + (" (find μ)" if self.inverse else "")
        self.inputs = ("t",)
        self.lows = (0.0,)
        self.highs = (float(self.t_end),)
        self.equation = r"m\,u'' + \mu\,u' + k\,u = 0,\quad u(0)=1,\ u'(0)=0"
        self.residual_text = "r = (m u'' + μ u' + k u) / k"
        self.first_derivatives, self.second_derivatives = (0,), (0,)

    @property
    def omega0(self) -> float:
        """Natural frequency ω0 = √(k/m)."""
        return math.sqrt(self.k / self.m)

    @override
    def parameters(self) -> dict[str, float]:
        return {"m": self.m, "mu": self.mu, "k": self.k}

    @override
    def learnable(self) -> dict[str, float]:
        return {"mu": float(self.mu_init)} if self.inverse else {}

    @override
    def residual_from_jet(self, J: Jet, X: Tensor, params: dict[str, Tensor]) -> Tensor:
        mu = params.get("mu", self.mu)
        return (self.m * J.dd(0) + mu * J.d(0) + self.k * J.u) / self.k

    @override
    def conditions(self, n: int, seed: int = 0) -> list[Condition]:
        zero = np.zeros((1, 1))
        return [
            Condition("ic", zero, np.array([1.0])),
            Condition("ic", zero, np.array([0.0]), derivative=0, scale=self.omega0),
        ]

    @override
    def hard_transform(self, X: Tensor, N: Tensor) -> Tensor:
        # u = 1 + φ(t)·N with φ = (ω0 t)²/(1 + (ω0 t)²): φ(0) = φ'(0) = 0, φ → 1, so
        # N stays O(1) where plain t²·N would need values ~ −ω0²/2 near t = 0.
        s = (self.omega0 * _col(X, 0)) ** 2
        return 1.0 + s / (1.0 + s) * N

    @override
    def reference(self, X: np.ndarray) -> np.ndarray:
        return ref.oscillator_exact(X[:, 0], self.m, self.mu, self.k)

    def least_squares_mu(self) -> float:
        """μ fitted to the observations with the exact solution (scipy, bounded).

        The best any method can extract from these noisy measurements: the reference
        for the PINN's estimate (the truth itself is only recoverable up to the noise).
        """
        from scipy.optimize import minimize_scalar

        obs = self.observations()
        if obs is None:
            raise ValueError("least_squares_mu needs the inverse problem (inverse=True)")
        t = obs.X[:, 0]

        def sse(mu: float) -> float:
            return float(((ref.oscillator_exact(t, self.m, mu, self.k) - obs.values) ** 2).sum())

        upper = 2.0 * math.sqrt(self.k * self.m) * 0.999  # stay under-damped
        return float(
            minimize_scalar(sse, bounds=(0.0, upper), method="bounded", options={"xatol": 1e-8}).x
        )

    @override
    def observations(self) -> Observations | None:
        if not self.inverse:
            return None
        rng = np.random.default_rng(self.obs_seed)
        t = np.sort(rng.uniform(0.0, self.t_end, int(self.n_obs)))
        u = ref.oscillator_exact(t, self.m, self.mu, self.k) + self.noise * rng.standard_normal(
            t.size
        )
        return Observations(t[:, None], u, self.noise)


@dataclass
class Heat(Problem):
    """Heat equation u_t = α u_xx, x ∈ [0, 1], t ∈ [0, T], u(x, 0) = sin πx, u(0, t) = u(1, t) = 0."""

    alpha: float = 0.4
    t_end: float = 1.0

    def __post_init__(self) -> None:
        if not self.alpha > 0:
            raise ValueError(f"the diffusivity α must be positive, got {self.alpha:g}")
        if not self.t_end > 0:
            raise ValueError("the final time T must be positive")
        self.key = "heat"
        self.title = "Heat equation"
        self.inputs = ("t", "x")
        self.lows = (0.0, 0.0)
        self.highs = (float(self.t_end), 1.0)
        self.equation = r"u_t = \alpha\,u_{xx},\quad u(x,0)=\sin\pi x,\ u(0,t)=u(1,t)=0"
        self.residual_text = "r = u_t − α u_xx"
        self.first_derivatives, self.second_derivatives = (0,), (1,)

    @override
    def parameters(self) -> dict[str, float]:
        return {"alpha": self.alpha}

    @override
    def residual_from_jet(self, J: Jet, X: Tensor, params: dict[str, Tensor]) -> Tensor:
        return J.d(0) - self.alpha * J.dd(1)

    @override
    def conditions(self, n: int, seed: int = 0) -> list[Condition]:
        ic, bc = _ic_bc_points(n, (0.0, 1.0), self.t_end, seed)
        return [
            Condition("ic", ic, np.sin(np.pi * ic[:, 1])),
            Condition("bc", bc, np.zeros(len(bc))),
        ]

    @override
    def hard_transform(self, X: Tensor, N: Tensor) -> Tensor:
        t, x = _col(X, 0), _col(X, 1)
        return (math.pi * x).sin() + t * x * (1.0 - x) * N

    @override
    def reference(self, X: np.ndarray) -> np.ndarray:
        return ref.heat_exact(X[:, 0], X[:, 1], self.alpha)


@dataclass
class Poisson(Problem):
    """1-D Poisson −u'' = π² sin πx on [−1, 1], u(±1) = 0 (residual divided by π²)."""

    def __post_init__(self) -> None:
        self.key = "poisson"
        self.title = "Poisson 1-D (warm-up)"
        self.inputs = ("x",)
        self.lows = (-1.0,)
        self.highs = (1.0,)
        self.equation = r"-u'' = \pi^2 \sin \pi x,\quad u(\pm 1)=0"
        self.residual_text = "r = (−u'' − π² sin πx) / π²"
        self.second_derivatives = (0,)

    @override
    def residual_from_jet(self, J: Jet, X: Tensor, params: dict[str, Tensor]) -> Tensor:
        return (-J.dd(0) - math.pi**2 * (math.pi * X).sin()) / math.pi**2

    @override
    def conditions(self, n: int, seed: int = 0) -> list[Condition]:
        return [Condition("bc", np.array([[-1.0], [1.0]]), np.zeros(2))]

    @override
    def hard_transform(self, X: Tensor, N: Tensor) -> Tensor:
        return (1.0 - X**2) * N

    @override
    def reference(self, X: np.ndarray) -> np.ndarray:
        return ref.poisson_exact(X[:, 0])


@dataclass
class Burgers(Problem):
    """Viscous Burgers u_t + u·u_x = ν u_xx, x ∈ [−1, 1], t ∈ [0, 1], u(x, 0) = −sin πx, u(±1, t) = 0.

    Reference: Cole–Hopf with Gauss–Hermite quadrature
    (:func:`nnkit.pinn.reference.burgers_cole_hopf`). The default ν = 0.01/π is the
    benchmark of Raissi, Perdikaris & Karniadakis (2019): a shock forms at x = 0.
    """

    nu: float = 0.01 / math.pi

    def __post_init__(self) -> None:
        if not self.nu > 0:
            raise ValueError(f"the viscosity ν must be positive, got {self.nu:g}")
        if self.nu < 1e-4:
            raise ValueError(
                f"ν = {self.nu:g} is below 1e-4: the shock is then thinner than any "
                "collocation grid here can resolve; use ν ≥ 1e-4"
            )
        self.key = "burgers"
        self.title = "Viscous Burgers"
        self.inputs = ("t", "x")
        self.lows = (0.0, -1.0)
        self.highs = (1.0, 1.0)
        self.equation = r"u_t + u\,u_x = \nu\,u_{xx},\quad u(x,0)=-\sin\pi x,\ u(\pm1,t)=0"
        self.residual_text = "r = u_t + u u_x − ν u_xx"
        self.first_derivatives, self.second_derivatives = (0, 1), (1,)

    @override
    def parameters(self) -> dict[str, float]:
        return {"nu": self.nu}

    @override
    def grid_shape(self) -> tuple[int, ...]:
        return (101, 256)

    @override
    def residual_from_jet(self, J: Jet, X: Tensor, params: dict[str, Tensor]) -> Tensor:
        return J.d(0) + J.u * J.d(1) - self.nu * J.dd(1)

    @override
    def conditions(self, n: int, seed: int = 0) -> list[Condition]:
        ic, bc = _ic_bc_points(n, (-1.0, 1.0), 1.0, seed)
        return [
            Condition("ic", ic, -np.sin(np.pi * ic[:, 1])),
            Condition("bc", bc, np.zeros(len(bc))),
        ]

    @override
    def hard_transform(self, X: Tensor, N: Tensor) -> Tensor:
        t, x = _col(X, 0), _col(X, 1)
        return -(math.pi * x).sin() + t * (1.0 - x**2) * N

    def constrained(self, X: Tensor, net: Callable[[Tensor], Tensor]) -> Tensor:
        """Hard constraints plus the problem's symmetry: u is odd in x.

        The initial state −sin πx is odd, the boundary values are symmetric and the
        equation is unchanged by x → −x, u → −u, so the solution is odd in x. Using
        the odd part (N(t, x) − N(t, −x))/2 of the network imposes it exactly (the
        shock then stays at x = 0).
        """
        from nnkit._torch import torch

        n = X.shape[0]
        mirrored = torch.cat([X[:, :1], -X[:, 1:]], dim=1)
        N = net(torch.cat([X, mirrored], dim=0))
        return self.hard_transform(X, 0.5 * (N[:n] - N[n:]))

    @override
    def reference(self, X: np.ndarray) -> np.ndarray:
        return ref.burgers_cole_hopf(X[:, 0], X[:, 1], self.nu)


@dataclass
class FirstOrderODE(Problem):
    """u' = f(t, u), u(0) = u0 on [0, T], with f a formula in t and u (``nnkit.expr``).

    Parameters
    ----------
    formula : nnkit.expr.Formula
        Parsed right-hand side with variables ("t", "u"); anything providing
        ``.torch(t, u)`` and ``.numpy(t, u)`` and ``.text`` works.
    u0 : float
        Initial value.
    t_end : float
        Final time T > 0.
    """

    formula: Any = None
    u0: float = 1.0
    t_end: float = 2.0

    def __post_init__(self) -> None:
        if self.formula is None:
            raise ValueError("type a right-hand side f(t, u)")
        if not (self.t_end > 0 and math.isfinite(self.t_end)):
            raise ValueError("the final time T must be a positive number")
        if not math.isfinite(self.u0):
            raise ValueError("the initial value u0 must be a finite number")
        self.key = "ode"
        self.title = "Your ODE"
        self.inputs = ("t",)
        self.lows = (0.0,)
        self.highs = (float(self.t_end),)
        self.equation = "u' = " + str(
            getattr(self.formula, "latex", None) or getattr(self.formula, "text", self.formula)
        )
        self.residual_text = "r = u' − f(t, u)"
        self.first_derivatives = (0,)
        self.reference_on_grid()  # fail early (blow-up, non-finite f) with a message

    @override
    def parameters(self) -> dict[str, float]:
        return {"u0": self.u0, "T": self.t_end}

    @override
    def residual_from_jet(self, J: Jet, X: Tensor, params: dict[str, Tensor]) -> Tensor:
        from nnkit._torch import torch

        u = J.u
        f = self.formula.torch(_col(X, 0), u)
        if not isinstance(f, torch.Tensor):
            f = torch.as_tensor(f, dtype=u.dtype)
        return J.d(0) - f.to(u.dtype).expand_as(u)

    @override
    def conditions(self, n: int, seed: int = 0) -> list[Condition]:
        return [Condition("ic", np.zeros((1, 1)), np.array([float(self.u0)]))]

    @override
    def hard_transform(self, X: Tensor, N: Tensor) -> Tensor:
        return self.u0 + _col(X, 0) * N

    @override
    def reference(self, X: np.ndarray) -> np.ndarray:
        t = X[:, 0]
        order = np.argsort(t, kind="stable")
        ts = t[order]
        uniq, inv = np.unique(ts, return_inverse=True)
        u = ref.ode_reference(self.formula.numpy, self.u0, uniq, t_end=max(float(uniq[-1]), 1e-12))
        out = np.empty_like(t)
        out[order] = u[inv]
        return out


def reference_frame(problem: Problem, shape: tuple[int, ...] | None = None) -> pd.DataFrame:
    """Return the reference solution on a display grid (before any training; no torch).

    Returns
    -------
    pandas.DataFrame
        Columns: the problem's inputs and ``reference``.
    """
    import pandas as pd

    shape = shape or ((201,) if problem.dim == 1 else (41, 101))
    axes = [
        np.linspace(lo, hi, n) for lo, hi, n in zip(problem.lows, problem.highs, shape, strict=True)
    ]
    mesh = np.meshgrid(*axes, indexing="ij")
    X = np.column_stack([m.ravel() for m in mesh])
    frame = pd.DataFrame(X, columns=list(problem.inputs))
    frame["reference"] = problem.reference(X)
    return frame
