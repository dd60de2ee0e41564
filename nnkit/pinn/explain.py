"""What the PINN page says about a run, computed from the run (never canned).

:func:`what_you_see` turns a :class:`~nnkit.pinn.solver.RunReport` and the run's progress
into the page's notes, each number beside its reference: the error against the
reference solution, an identified coefficient against its true value and against the
best any method can extract from the same noisy data (a least-squares fit of the exact
solution). A run cut by a cap is said to be cut, and no verdict is drawn from it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from nnkit._text import counted

if TYPE_CHECKING:
    from nnkit.pinn.solver import RunReport

__all__ = ["what_you_see"]

_LABELS = {"mu": "μ"}


def _pct_off(estimate: float, truth: float) -> float:
    return 100.0 * abs(estimate - truth) / abs(truth) if truth else float("nan")


def what_you_see(
    report: RunReport,
    *,
    epochs: int,
    steps: int,
    seconds: float,
    cut: bool = False,
    least_squares: Mapping[str, float] | None = None,
    n_measurements: int | None = None,
    noise: float | None = None,
    n_added: int = 0,
) -> list[str]:
    """The page's notes on one trained PINN (Markdown, one item each).

    Parameters
    ----------
    report : RunReport
        From :meth:`nnkit.pinn.PINN.report`.
    epochs, steps : int
        Progress of the run the report is about.
    seconds : float
        Its training time.
    cut : bool
        True when a cap stopped the run before its schedule ended: the first note says
        so and the error is called provisional.
    least_squares : mapping of str to float, optional
        Per identified coefficient, the least-squares estimate from the exact solution
        (the noise floor of any method).
    n_measurements : int, optional
        How many noisy measurements an inverse problem had.
    noise : float, optional
        Their noise level σ.
    n_added : int
        Collocation points added by refinement.

    Returns
    -------
    list of str
    """
    where = ", ".join(f"{n} = {v:.3f}" for n, v in report.where.items())
    when = f"after {counted(epochs, 'epoch')} ({counted(steps, 'optimizer step')}, {seconds:.1f} s)"
    notes = []
    if cut:
        notes.append(
            f"This run was **cut by a cap** {when}, before its schedule ended: the figures "
            "below describe an unfinished network. Press **Continue** to train it further."
        )
    notes.append(
        f"Relative L2 error **{report.rel_l2:.2e}** against the reference {when}"
        + (" (provisional)" if cut else "")
        + f"; the largest error, {report.max_abs_error:.2e}, is at {where}."
    )
    for name, (estimate, truth) in report.coefficients.items():
        label = _LABELS.get(name, name)
        text = f"Estimated {label} = **{estimate:.4f}** vs true {truth:g} ({_pct_off(estimate, truth):.2f} % off)"
        if n_measurements is not None:
            text += f", from {n_measurements} measurements"
            if noise is not None:
                text += f" with noise σ = {noise:g}"
        text += "."
        ls = (least_squares or {}).get(name)
        if ls is not None:
            ls_off = _pct_off(ls, truth)
            text += (
                f" Fitting the exact solution to the same data gives {label} = {ls:.4f} "
                f"({ls_off:.2f} % off): the noise alone limits any estimate to about that"
            )
            text += (
                "; this run is there."
                if _pct_off(estimate, truth) <= 1.5 * ls_off + 0.05
                else "; this run is not there yet."
            )
        notes.append(text)
    added = f", {n_added} added by refinement" if n_added else ""
    notes.append(
        f"Mean |residual| on the whole grid: {report.mean_abs_residual:.2e} "
        f"({report.n_points} collocation points{added})."
    )
    return notes
