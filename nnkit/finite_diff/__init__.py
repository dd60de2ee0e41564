"""Finite-difference stencils, their error, the optimal step, and the complex step.

A stencil approximates the d-th derivative from samples at ``x + s_j h``::

    f^(d)(x) ≈ (1 / h^d) · Σ_j w_j f(x + s_j h)

with exact rational weights (Fornberg's algorithm), an order ``p`` and a leading
error constant ``C``. In floating point each sample also carries a rounding error
of about ``ε·|f|``, so the error of an estimate is

    E(h) ≈ |C|·M·h^p + S·ε·F / h^d,   M = |f^(d+p)(x)|,  S = Σ|w_j|,

the V shape of the log-log error plot, smallest at
``h* = (d·S·ε·F / (p·|C|·M))^(1/(p+d))``. :func:`error_sweep` measures the V on a
log-spaced grid of ``h`` and puts the model beside it; :func:`complex_step` and
:func:`autodiff_derivative` are the methods without the round-off wall.

One concern per module; every name is importable from ``nnkit.finite_diff`` itself:

============  =====================================================================
``stencils``  Fornberg weights, the :class:`Stencil` (exact, LaTeX), :func:`apply`
``methods``   complex step, torch autograd and nnkit's engine
``taylor``    exact derivatives at a point (Taylor mode, certified sympy values)
``model``     the error model: optimal step, fitted order, measured bottom
``sweep``     the error sweep over h, estimates at one h, the summary table
``describe``  what a sweep shows, as findings and sentences
============  =====================================================================

>>> from nnkit.finite_diff import stencil
>>> stencil(2, 2, "central").weights
(Fraction(1, 1), Fraction(-2, 1), Fraction(1, 1))
"""

from nnkit.finite_diff.describe import Finding, findings, what_you_see
from nnkit.finite_diff.methods import autodiff_derivative, complex_step, engine_derivative
from nnkit.finite_diff.model import (
    EPS,
    Bottom,
    fit_order,
    leading_term,
    measured_minimum,
    optimal_step,
)
from nnkit.finite_diff.stencils import (
    KINDS,
    LECTURE_SCHEMES,
    MAX_ACCURACY,
    MAX_DERIVATIVE,
    Stencil,
    apply,
    check_steps,
    derivative_notation,
    fornberg,
    scheme_labels,
    stencil,
    stencil_from_offsets,
    stencils_for,
)
from nnkit.finite_diff.sweep import (
    SUMMARY_COLUMNS,
    DomainError,
    Sweep,
    default_steps,
    error_sweep,
    estimates_at,
    failed_methods,
    summary_table,
)
from nnkit.finite_diff.taylor import (
    MAX_TAYLOR_DPS,
    exact_value,
    taylor_derivatives,
    taylor_scale,
)

__all__ = [
    "EPS",
    "KINDS",
    "LECTURE_SCHEMES",
    "MAX_ACCURACY",
    "MAX_DERIVATIVE",
    "MAX_TAYLOR_DPS",
    "SUMMARY_COLUMNS",
    "Bottom",
    "DomainError",
    "Finding",
    "Stencil",
    "Sweep",
    "apply",
    "autodiff_derivative",
    "check_steps",
    "complex_step",
    "default_steps",
    "derivative_notation",
    "engine_derivative",
    "error_sweep",
    "estimates_at",
    "exact_value",
    "failed_methods",
    "findings",
    "fit_order",
    "fornberg",
    "leading_term",
    "measured_minimum",
    "optimal_step",
    "scheme_labels",
    "stencil",
    "stencil_from_offsets",
    "stencils_for",
    "summary_table",
    "taylor_derivatives",
    "taylor_scale",
    "what_you_see",
]
