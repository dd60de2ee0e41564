"""Reference solutions for the PINN problems (numpy / scipy only, no torch).

Every PINN on the page is compared against one of these:

* damped harmonic oscillator and heat equation: closed forms;
* 1-D Poisson: closed form;
* viscous Burgers: the Cole–Hopf transform evaluated with Gauss–Hermite quadrature
  (:func:`burgers_cole_hopf`), checked in the tests against an independent fine
  finite-difference solver (:func:`burgers_fd`);
* a user-typed ODE u' = f(t, u): scipy's ``solve_ivp`` at tight tolerances
  (:func:`ode_reference`).
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

__all__ = [
    "oscillator_exact",
    "heat_exact",
    "poisson_exact",
    "burgers_cole_hopf",
    "burgers_fd",
    "ode_reference",
    "MAX_ODE_EVALUATIONS",
]

MAX_ODE_EVALUATIONS = 100_000
"""Evaluations of f :func:`ode_reference` may spend (about 2.5 s; T = 300 for
u' = −2u + sin 4t takes 42,000): an interval such as [0, 10³⁰⁰] is refused with a
message instead of keeping a thread busy for ever."""


def oscillator_exact(
    t: np.ndarray, m: float = 1.0, mu: float = 4.0, k: float = 400.0
) -> np.ndarray:
    """Under-damped oscillator m·u'' + μ·u' + k·u = 0, u(0) = 1, u'(0) = 0.

    u(t) = e^{−δt} (cos ωt + (δ/ω) sin ωt), δ = μ/(2m), ω = √(k/m − δ²).

    Parameters
    ----------
    t : array_like
        Times.
    m, mu, k : float
        Mass, damping (friction) coefficient and spring constant; the motion must be
        under-damped (δ < ω0 = √(k/m)).

    Returns
    -------
    numpy.ndarray
        u(t), same shape as ``t``.
    """
    t = np.asarray(t, dtype=float)
    delta = mu / (2.0 * m)
    w0sq = k / m
    if not math.isfinite(w0sq):
        raise ValueError(f"k/m = {k:g}/{m:g} overflows: raise m or lower k")
    if not delta < math.sqrt(w0sq):  # not δ² < k/m: δ² overflows for μ ~ 1e300
        raise ValueError(
            f"the oscillator is not under-damped: δ = μ/2m = {delta:g} must be below "
            f"ω0 = √(k/m) = {math.sqrt(w0sq):g}; lower μ or raise k"
        )
    omega = math.sqrt(w0sq - delta**2)
    return np.exp(-delta * t) * (np.cos(omega * t) + (delta / omega) * np.sin(omega * t))


def heat_exact(t: np.ndarray, x: np.ndarray, alpha: float = 0.4) -> np.ndarray:
    """Heat equation u_t = α u_xx on [0, 1], u(x, 0) = sin πx, zero ends: e^{−απ²t} sin πx."""
    t = np.asarray(t, dtype=float)
    x = np.asarray(x, dtype=float)
    with np.errstate(over="ignore", invalid="ignore"):  # α π² overflows for α ~ 1e308
        decay = np.exp(-(alpha * np.pi**2) * t)
    return np.where(t == 0, 1.0, decay) * np.sin(np.pi * x)  # exact at t = 0 for any α


def poisson_exact(x: np.ndarray) -> np.ndarray:
    """1-D Poisson −u'' = π² sin πx on [−1, 1], u(±1) = 0: u = sin πx."""
    return np.sin(np.pi * np.asarray(x, dtype=float))


def burgers_cole_hopf(
    t: np.ndarray, x: np.ndarray, nu: float = 0.01 / np.pi, n_nodes: int = 100
) -> np.ndarray:
    """Viscous Burgers u_t + u u_x = ν u_xx, u(x, 0) = −sin πx, by the Cole–Hopf transform.

    u(x, t) = −∫ sin(π(x−η)) f(x−η) e^{−η²/4νt} dη / ∫ f(x−η) e^{−η²/4νt} dη with
    f(y) = exp(−cos(πy)/(2πν)). Substituting η = 2√(νt)·z turns both integrals into
    ∫ g(z) e^{−z²} dz, evaluated with ``n_nodes`` Gauss–Hermite nodes; the maximum of
    log f over the nodes is subtracted before exponentiating (f reaches e^{±50} for
    ν = 0.01/π). The solution of the whole line with 2-periodic data is odd about
    x = ±1, so it also satisfies u(±1, t) = 0.

    Parameters
    ----------
    t, x : array_like
        Times (≥ 0) and positions, broadcast together.
    nu : float, default 0.01/π
        Viscosity, > 0.
    n_nodes : int, default 100
        Gauss–Hermite nodes.

    Returns
    -------
    numpy.ndarray
        u(x, t), the broadcast shape of ``t`` and ``x``.
    """
    if not nu > 0:
        raise ValueError(f"viscosity ν must be positive, got {nu:g}")
    if not 10 <= int(n_nodes) <= 250:
        raise ValueError(
            f"n_nodes must be between 10 and 250 (numpy's hermgauss overflows beyond), got {n_nodes}"
        )
    t, x = np.broadcast_arrays(np.asarray(t, dtype=float), np.asarray(x, dtype=float))
    z, w = np.polynomial.hermite.hermgauss(int(n_nodes))
    out = np.empty(t.shape)
    flat_t, flat_x, flat_out = t.ravel(), x.ravel(), out.ravel()
    at_zero = flat_t <= 0
    flat_out[at_zero] = -np.sin(np.pi * flat_x[at_zero])
    idx = np.flatnonzero(~at_zero)
    for start in range(0, idx.size, 4096):  # chunks keep memory flat on fine grids
        i = idx[start : start + 4096]
        y = flat_x[i, None] - 2.0 * np.sqrt(nu * flat_t[i, None]) * z[None, :]
        log_f = -np.cos(np.pi * y) / (2.0 * np.pi * nu)
        f = np.exp(log_f - log_f.max(axis=1, keepdims=True))
        num = -(w * np.sin(np.pi * y) * f).sum(axis=1)
        den = (w * f).sum(axis=1)
        flat_out[i] = num / den
    return out


def burgers_fd(
    t_out: np.ndarray, nu: float = 0.01 / np.pi, nx: int = 2001, cfl: float = 0.4
) -> tuple[np.ndarray, np.ndarray]:
    """Independent finite-difference solution of the same Burgers problem.

    Method of lines on a uniform grid of ``nx`` points on [−1, 1] with u = 0 at both
    ends: the flux (u²/2)_x and u_xx by second-order central differences, time
    stepping by classical Runge–Kutta 4 with a step limited by both diffusion
    (Δt ≤ cfl·Δx²/ν) and advection (Δt ≤ cfl·Δx/max|u|). It shares nothing with
    :func:`burgers_cole_hopf` and is used to check it.

    Parameters
    ----------
    t_out : array_like
        Increasing output times in [0, ∞).
    nu : float
        Viscosity, > 0.
    nx : int
        Grid points (the default resolves the ν = 0.01/π shock, width ~ ν ≈ 3e-3,
        with Δx = 1e-3).
    cfl : float
        Safety factor of the time step.

    Returns
    -------
    x : numpy.ndarray, shape (nx,)
    u : numpy.ndarray, shape (len(t_out), nx)
    """
    if not nu > 0:
        raise ValueError(f"viscosity ν must be positive, got {nu:g}")
    t_out = np.atleast_1d(np.asarray(t_out, dtype=float))
    x = np.linspace(-1.0, 1.0, nx)
    dx = x[1] - x[0]
    u = -np.sin(np.pi * x)
    u[0] = u[-1] = 0.0

    def rhs(v: np.ndarray) -> np.ndarray:
        d = np.zeros_like(v)
        flux = 0.5 * v * v
        d[1:-1] = -(flux[2:] - flux[:-2]) / (2 * dx) + nu * (v[2:] - 2 * v[1:-1] + v[:-2]) / dx**2
        return d

    out = np.empty((t_out.size, nx))
    t = 0.0
    for j, target in enumerate(t_out):
        while t < target - 1e-15:
            umax = max(np.abs(u).max(), 1e-12)
            dt = min(cfl * dx * dx / nu, cfl * dx / umax, target - t)
            k1 = rhs(u)
            k2 = rhs(u + 0.5 * dt * k1)
            k3 = rhs(u + 0.5 * dt * k2)
            k4 = rhs(u + dt * k3)
            u = u + dt / 6.0 * (k1 + 2 * k2 + 2 * k3 + k4)
            t += dt
        out[j] = u
    return x, out


def ode_reference(
    f: Callable[[np.ndarray, np.ndarray], np.ndarray],
    u0: float,
    t: np.ndarray,
    t_end: float | None = None,
) -> np.ndarray:
    """Solve u' = f(t, u), u(0) = u0 with scipy's ``solve_ivp`` (DOP853, rtol 1e-10).

    Parameters
    ----------
    f : callable
        Vectorised right-hand side ``f(t, u)`` on numpy arrays.
    u0 : float
        Initial value at t = 0.
    t : array_like
        Increasing output times in [0, t_end].
    t_end : float, optional
        End of the interval (default ``t[-1]``).

    Returns
    -------
    numpy.ndarray
        u at ``t``.

    Raises
    ------
    ValueError
        If the solver fails (e.g. the solution blows up or f is not finite) or needs
        more than :data:`MAX_ODE_EVALUATIONS` evaluations of f, with the time reached.
    """
    from scipy.integrate import solve_ivp

    t = np.asarray(t, dtype=float)
    t_end = float(t[-1] if t_end is None else t_end)
    calls = 0

    def rhs(tt: float, y: np.ndarray) -> np.ndarray:
        nonlocal calls
        calls += 1
        if calls > MAX_ODE_EVALUATIONS:  # T = 1e300 would take forever: say so instead
            raise FloatingPointError(
                f"it needs more than {MAX_ODE_EVALUATIONS:,} evaluations of f to reach "
                f"T = {t_end:.4g} (it got to t = {tt:.4g}): shorten the interval"
            )
        with np.errstate(all="ignore"):
            raw = np.asarray(f(np.asarray(tt), y))
            if np.iscomplexobj(raw):  # a complex value is not a real slope: refuse, don't drop
                raw = np.where(raw.imag == 0, raw.real, np.nan)
            val = np.broadcast_to(np.asarray(raw, dtype=float), y.shape)
        if not np.all(np.isfinite(val)):
            raise FloatingPointError(f"f(t, u) is not finite at t = {tt:.4g}, u = {y[0]:.4g}")
        return np.array(val, dtype=float)

    try:
        sol = solve_ivp(
            rhs, (0.0, t_end), [float(u0)], t_eval=t, method="DOP853", rtol=1e-10, atol=1e-12
        )
    except FloatingPointError as exc:
        raise ValueError(f"the reference solver stopped: {exc}") from None
    if sol.status != 0 or sol.y.shape[1] != t.size:
        reached = sol.t[-1] if sol.t.size else 0.0
        raise ValueError(
            f"the reference solver stopped at t = {reached:.4g} ({sol.message.strip()}); "
            "the solution probably blows up: shorten the interval or change f"
        )
    u = sol.y[0]
    if not np.all(np.isfinite(u)) or np.abs(u).max() > 1e6:
        raise ValueError("the solution grows beyond 1e6 on this interval: shorten it or change f")
    return u
