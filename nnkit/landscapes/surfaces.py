"""Classic 2-D test surfaces for optimizers, each defined once as a formula.

Every surface is one line of text in ``x`` and ``y`` (for example Rosenbrock's
``"(1 - x)^2 + 100*(y - x^2)^2"``), read by :func:`nnkit.expr.parse`. Everything else
is derived from that one definition: the vectorised numpy value
(:meth:`Surface2D.f`), the exact gradient (sympy's derivative, compiled to numpy:
:meth:`Surface2D.grad`) and the torch value that autograd and ``torch.optim``
differentiate (:meth:`Surface2D.torch_f`). So the three cannot drift apart.

:func:`surface` builds one: a quadratic bowl with adjustable condition number,
Rosenbrock, Beale, Himmelblau, Rastrigin and a saddle, each with its known minima
and their literature reference.
"""

from __future__ import annotations

import dataclasses
import functools
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from nnkit.landscapes.contours import SurfaceGrid, contours

if TYPE_CHECKING:
    from nnkit.expr import Formula

__all__ = ["DEFINITIONS", "SURFACES", "Surface2D", "surface"]

Box = tuple[tuple[float, float], tuple[float, float]]
Point = tuple[float, float]


@dataclass(frozen=True)
class Surface2D:
    """A 2-D test function, its derivatives and its known minima.

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
    formula : nnkit.expr.Formula
        The one definition, in the variables ``(x, y)``; value, gradient and torch
        version all come from it.
    log_levels : bool
        Whether contour levels should be spaced logarithmically (large range).
    critical_points : tuple of (float, float)
        Other notable critical points (the saddle's origin).
    """

    key: str
    name: str
    latex: str
    domain: Box
    minima: tuple[Point, ...]
    f_min: float | None
    start: Point
    reference: str
    formula: Formula = field(repr=False)
    log_levels: bool = True
    critical_points: tuple[Point, ...] = ()

    @functools.cached_property
    def gradient_formulas(self) -> tuple[Formula, Formula]:
        """``(∂f/∂x, ∂f/∂y)``, exact (sympy's derivatives of :attr:`formula`)."""
        return self.formula.diff(1, "x"), self.formula.diff(1, "y")

    def f(self, x: Any, y: Any) -> np.ndarray:
        """Value, vectorised over numpy arrays.

        Parameters
        ----------
        x, y : array_like
            Coordinates (broadcast together).

        Returns
        -------
        numpy.ndarray
            ``f(x, y)`` in the broadcast shape.
        """
        return self.formula.numpy(x, y)

    def grad(self, x: Any, y: Any) -> tuple[np.ndarray, np.ndarray]:
        """Exact gradient ``(∂f/∂x, ∂f/∂y)``, vectorised over numpy arrays.

        Parameters
        ----------
        x, y : array_like
            Coordinates (broadcast together).

        Returns
        -------
        (numpy.ndarray, numpy.ndarray)
            The two partial derivatives in the broadcast shape.
        """
        fx, fy = self.gradient_formulas
        return fx.numpy(x, y), fy.numpy(x, y)

    def torch_f(self, x: Any, y: Any) -> Any:
        """Value on torch tensors (autograd flows through it).

        Parameters
        ----------
        x, y : torch.Tensor
            Coordinates.

        Returns
        -------
        torch.Tensor
            ``f(x, y)``.
        """
        return self._torch_tree([x, y])

    def __getstate__(self) -> dict[str, Any]:
        # compiled closures do not pickle; they are rebuilt on first use
        return {k: v for k, v in self.__dict__.items() if k != "_torch_tree"}

    @functools.cached_property
    def _torch_tree(self) -> Callable[[Sequence[Any]], Any]:
        # The formula's tree compiled once for torch (nnkit-internal). Formula.torch also
        # checks arity and broadcast shapes on every call: a quarter of an optimizer step.
        return self.formula._compiled("torch")

    def grid(self, n: int = 200) -> SurfaceGrid:
        """``f`` on an ``n × n`` grid over :attr:`domain`, vectorised.

        Parameters
        ----------
        n : int, default 200
            Points per axis.

        Returns
        -------
        SurfaceGrid
            ``z[i, j] = f(x[j], y[i])``.
        """
        (x0, x1), (y0, y1) = self.domain
        x = np.linspace(x0, x1, n)
        y = np.linspace(y0, y1, n)
        return SurfaceGrid(x, y, self.f(x[None, :], y[:, None]))

    def contours(self, n: int = 80, levels: int = 12, max_rows: int = 4500) -> pd.DataFrame:
        """Contour segments of the surface, at most ``max_rows`` of them.

        Altair refuses to embed more than 5000 rows by default (and every row is sent
        to the browser on each animation frame), so bumpy surfaces such as Rastrigin
        get fewer levels until the segments fit.

        Parameters
        ----------
        n : int, default 80
            Grid points per axis.
        levels : int, default 12
            Contour levels to start from.
        max_rows : int, default 4500
            Largest number of segments.

        Returns
        -------
        pandas.DataFrame
            ``x, y, x2, y2, level`` (see :func:`nnkit.landscapes.contour_segments`).
        """
        return contours(self.grid(n), levels=levels, log=self.log_levels, max_rows=max_rows)

    def stuck_at(self, point: Sequence[float], grad_tol: float = 1e-2, dist: float = 0.05) -> bool:
        """Whether ``point`` is stationary (‖∇f‖ < ``grad_tol``) but not a known minimum.

        That is where gradient methods get stuck: a local minimum (Rastrigin's grid of
        them) or a saddle point.

        Parameters
        ----------
        point : (float, float)
            Where a run stopped.
        grad_tol : float, default 0.01
            Gradient norm below which the point counts as stationary.
        dist : float, default 0.05
            A point within this distance of a known minimum is not stuck.

        Returns
        -------
        bool
        """
        gx, gy = self.grad(*point)
        if float(np.hypot(gx, gy)) >= grad_tol:
            return False
        near = self.nearest_minimum(point)
        return near is None or near[1] > dist

    def nearest_minimum(self, point: Sequence[float]) -> tuple[Point, float] | None:
        """The known minimum closest to ``point`` and its distance.

        Parameters
        ----------
        point : (float, float)
            Any point.

        Returns
        -------
        ((float, float), float) or None
            The minimum and the distance to it; ``None`` if no minimum is known.
        """
        if not self.minima:
            return None
        p = np.asarray(point, dtype=float)
        d = [float(np.hypot(*(p - np.asarray(m)))) for m in self.minima]
        i = int(np.argmin(d))
        return self.minima[i], d[i]


@dataclass(frozen=True)
class _Definition:
    """Everything about a surface but its parameters; ``formula`` is the one definition."""

    name: str
    formula: str
    latex: str
    domain: Box
    minima: tuple[Point, ...]
    f_min: float | None
    start: Point
    reference: str
    log_levels: bool = True
    critical_points: tuple[Point, ...] = ()
    parameters: tuple[str, ...] = ()


#: The surfaces, by key. ``formula`` is in ``x``, ``y`` and ``parameters``; the
#: quadratic bowl ``½ (u² + κ v²)`` has the coordinates ``(u, v)`` = ``(x, y)`` rotated
#: by ``theta``, so its Hessian has eigenvalues 1 and κ.
DEFINITIONS: dict[str, _Definition] = {
    "quadratic": _Definition(
        name="Quadratic bowl (κ = {condition:g})",
        formula="((cos(theta)*x + sin(theta)*y)^2 + kappa*(cos(theta)*y - sin(theta)*x)^2)/2",
        latex=r"f = \tfrac12\,(x^2 + {condition:g}\, y^2)",
        domain=((-2.0, 2.0), (-2.0, 2.0)),
        minima=((0.0, 0.0),),
        f_min=0.0,
        start=(-1.8, 1.2),
        reference="f = ½θᵀHθ with Hessian eigenvalues 1 and κ: minimum 0 at the origin",
        parameters=("kappa", "theta"),
    ),
    "rosenbrock": _Definition(
        name="Rosenbrock",
        formula="(1 - x)^2 + 100*(y - x^2)^2",
        latex=r"f = (1 - x)^2 + 100\,(y - x^2)^2",
        domain=((-2.0, 2.0), (-1.0, 3.0)),
        minima=((1.0, 1.0),),
        f_min=0.0,
        start=(-1.2, 1.0),
        reference="Rosenbrock (1960), Comput. J. 3(3):175: minimum 0 at (1, 1) in a curved valley",
    ),
    "beale": _Definition(
        name="Beale",
        formula="(1.5 - x + x*y)^2 + (2.25 - x + x*y^2)^2 + (2.625 - x + x*y^3)^2",
        latex=r"f = (1.5 - x + xy)^2 + (2.25 - x + xy^2)^2 + (2.625 - x + xy^3)^2",
        domain=((-4.5, 4.5), (-4.5, 4.5)),
        minima=((3.0, 0.5),),
        f_min=0.0,
        start=(1.0, 1.5),
        reference="Beale (1958); Jamil & Yang (2013), Int. J. Math. Model. Numer. Optim. 4(2), "
        "no. 17: minimum 0 at (3, 0.5)",
    ),
    "himmelblau": _Definition(
        name="Himmelblau",
        formula="(x^2 + y - 11)^2 + (x + y^2 - 7)^2",
        latex=r"f = (x^2 + y - 11)^2 + (x + y^2 - 7)^2",
        domain=((-5.0, 5.0), (-5.0, 5.0)),
        minima=(
            (3.0, 2.0),
            (-2.805118, 3.131312),
            (-3.779310, -3.283186),
            (3.584428, -1.848126),
        ),
        f_min=0.0,
        start=(-0.5, -0.5),
        reference="Himmelblau (1972), Applied Nonlinear Programming: four minima of value 0, at "
        "(3, 2), (−2.805118, 3.131312), (−3.779310, −3.283186), (3.584428, −1.848126)",
    ),
    "rastrigin": _Definition(
        name="Rastrigin",
        formula="20 + (x^2 - 10*cos(2*pi*x)) + (y^2 - 10*cos(2*pi*y))",
        latex=r"f = 20 + (x^2 - 10\cos 2\pi x) + (y^2 - 10\cos 2\pi y)",
        domain=((-5.12, 5.12), (-5.12, 5.12)),
        minima=((0.0, 0.0),),
        f_min=0.0,
        start=(2.3, 1.7),
        reference="Rastrigin (1974); the lecture's exercise 1: global minimum 0 at the origin, a "
        "local minimum near every integer point",
        log_levels=False,
    ),
    "saddle": _Definition(
        name="Saddle",
        formula="x^2 - y^2",
        latex=r"f = x^2 - y^2",
        domain=((-2.0, 2.0), (-2.0, 2.0)),
        minima=(),
        f_min=None,
        start=(-1.8, 0.01),
        reference="f = x² − y²: a single critical point, the saddle at the origin (no minimum; "
        "f is unbounded below)",
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


@functools.cache
def _parsed(key: str) -> Formula:
    from nnkit.expr import parse

    d = DEFINITIONS[key]
    return parse(d.formula, ("x", "y", *d.parameters))


def _build(key: str, formula: Formula, **text: Any) -> Surface2D:
    d = DEFINITIONS[key]
    return Surface2D(
        key=key,
        name=d.name.format(**text),
        latex=d.latex.format(**text),
        domain=d.domain,
        minima=d.minima,
        f_min=d.f_min,
        start=d.start,
        reference=d.reference,
        formula=formula,
        log_levels=d.log_levels,
        critical_points=d.critical_points,
    )


@functools.lru_cache(maxsize=64)
def _quadratic(condition: float, angle_deg: float) -> Surface2D:
    import sympy

    from nnkit.expr import Formula

    if not (math.isfinite(condition) and condition >= 1):
        raise ValueError(f"condition number must be ≥ 1, got {condition}")
    if not math.isfinite(angle_deg):
        raise ValueError(f"angle must be a finite number of degrees, got {angle_deg}")
    base = _parsed("quadratic")
    kappa, theta = base.symbols[2:]
    values = {kappa: sympy.Float(condition), theta: sympy.Float(math.radians(angle_deg))}
    formula = Formula.from_sympy(
        base.sympy.xreplace(values),
        ("x", "y"),
        text=f"{base.text} with kappa = {condition:g}, theta = {angle_deg:g}°",
    )
    surf = _build("quadratic", formula, condition=condition)
    if angle_deg != 0:
        latex = (
            rf"f = \tfrac12\,(u^2 + {condition:g}\, v^2),\ (u, v) = (x, y)"
            rf"\text{{ rotated by }}{angle_deg:g}^\circ"
        )
        surf = dataclasses.replace(surf, latex=latex)
    return surf


@functools.cache
def _fixed(key: str) -> Surface2D:
    return _build(key, _parsed(key))


def surface(key: str, **params: Any) -> Surface2D:
    """The test surface ``key`` (see :data:`SURFACES`).

    Surfaces are immutable and built once per key (and per parameters), so calling
    this again is cheap.

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
        The surface, with its formula, gradient and known minima.
    """
    if key not in DEFINITIONS:
        raise ValueError(f"unknown surface {key!r}; choose one of {sorted(SURFACES)}")
    if key == "quadratic":
        unknown = set(params) - {"condition", "angle"}
        if not unknown:
            return _quadratic(float(params.get("condition", 10.0)), float(params.get("angle", 0.0)))
    else:
        unknown = set(params)
        if not unknown:
            return _fixed(key)
    raise ValueError(f"surface {key!r} takes no parameter(s) {sorted(unknown)}")
