"""The targets the Symbolic distillation page offers, and the network recipe it trains on them.

Plain data and pure functions, so that the page, its "Reproduce in Python" script and a
notebook build the same network from the same settings.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from nnkit.symbolic.problems import (
    NGUYEN,
    RASTRIGIN,
    RASTRIGIN_1D,
    Problem,
    problem_from_formula,
    pure_noise,
)

if TYPE_CHECKING:
    from nnkit.symbolic.networks import NetworkFit

__all__ = [
    "DEFAULT_EPOCHS",
    "FOURIER_DEFAULT",
    "TARGETS",
    "problem_from_fitting_target",
    "resolve_target",
    "train_target_network",
]

TARGETS: dict[str, tuple[Problem | None, str]] = {
    "rastrigin1": (RASTRIGIN_1D, "Rastrigin, one axis: 10 + x² − 10 cos 2πx"),
    "rastrigin2": (RASTRIGIN, "Rastrigin 2-D (lecture 1, exercise 1)"),
    **{f"nguyen{i + 1}": (p, f"{p.name}: {p.truth}") for i, p in enumerate(NGUYEN)},
    "noise": (None, "pure noise (there is no formula)"),
    "formula": (None, "your formula f(x) or f(x, y)"),
}
"""Target key → (problem, or None when built from the settings; label)."""

FOURIER_DEFAULT = frozenset({"rastrigin1", "rastrigin2"})
"""Targets whose network uses Fourier features by default (Rastrigin's many bumps)."""

DEFAULT_EPOCHS = {"rastrigin1": 600, "rastrigin2": 1500}
"""Epochs by default per target (1,500 for the others)."""


def resolve_target(key: str, formula_text: str, lo: float, hi: float, seed: int) -> Problem:
    """The problem behind a target key.

    Parameters
    ----------
    key : str
        A key of :data:`TARGETS`.
    formula_text : str
        For ``"formula"``: the formula in ``x`` (and ``y``), read by :func:`nnkit.expr.parse`
        (raises :class:`nnkit.expr.FormulaError` when it does not parse).
    lo, hi : float
        For ``"formula"`` and ``"noise"``: the interval of every axis.
    seed : int
        For ``"noise"``: the noise's seed.

    Returns
    -------
    Problem
    """
    from nnkit.expr import parse

    if key == "formula":
        return problem_from_formula(parse(formula_text, ("x", "y")), (lo, hi))
    if key == "noise":
        return pure_noise(1, (lo, hi), seed)
    problem = TARGETS[key][0]
    if problem is None:
        raise ValueError(f"unknown target {key!r}")
    return problem


def train_target_network(
    key: str,
    formula_text: str,
    lo: float,
    hi: float,
    n: int,
    noise: float,
    epochs: int,
    fourier: bool,
    seed: int,
    *,
    max_seconds: float | None = None,
) -> NetworkFit:
    """Train the page's network on a target: its samples, architecture and schedule.

    Parameters
    ----------
    key, formula_text, lo, hi
        The target (see :func:`resolve_target`).
    n : int
        Samples.
    noise : float
        Noise added to the samples (× the target's standard deviation).
    epochs : int
        Training epochs.
    fourier : bool
        Fourier-feature encoding (32 frequencies in 1-D, 64 in 2-D, scale 3).
    seed : int
        Samples, weights and frequencies.
    max_seconds : float, optional
        Training time budget (none by default).

    Returns
    -------
    NetworkFit
    """
    problem = resolve_target(key, formula_text, lo, hi, seed)
    two_d = len(problem.domain) == 2
    from nnkit.symbolic.networks import train_network  # torch: only when a network trains

    return train_network(
        problem,
        problem.domain,
        n_samples=n,
        noise=noise,
        hidden=(128, 128) if two_d and fourier else (64, 64),
        fourier_features=(64 if two_d else 32) if fourier else 0,
        fourier_scale=3.0,
        epochs=epochs,
        lr=2e-3 if fourier else 3e-3,
        seed=seed,
        max_seconds=max_seconds,
    )


def problem_from_fitting_target(name: str, box: tuple[float, float]) -> Problem:
    """The problem behind a target of the MLP fitting page (its network is distilled here).

    Parameters
    ----------
    name : str
        The MLP page's target name: a built-in target (:func:`nnkit.function_fitting.builtin_target`)
        or ``"formula:<text>"`` for a typed formula.
    box : (float, float)
        The training box (every axis).

    Returns
    -------
    Problem
        With the true law when it can be read back as a formula (Rastrigin's is known).

    Raises
    ------
    ValueError
        When the target's formula cannot be read back (the message names it).
    """
    from dataclasses import replace

    from nnkit.expr import FormulaError, parse
    from nnkit.function_fitting import builtin_target

    target = None if str(name).startswith("formula:") else builtin_target(name).with_domain(*box)
    text = str(name)[len("formula:") :] if target is None else target.formula
    try:
        problem = problem_from_formula(parse(text, ("x", "y")), box)
    except (ValueError, FormulaError):
        if name != "rastrigin":  # Rastrigin's label is typeset, not parseable: its truth is known
            raise ValueError(
                f"the MLP page's target {text!r} cannot be read back as a formula"
            ) from None
        problem = RASTRIGIN
    if target is not None:
        problem = replace(
            problem,
            name=target.label,
            domain=((float(box[0]), float(box[1])),) * target.dim,
            symbols=(RASTRIGIN.symbols if target.dim == 2 else RASTRIGIN_1D.symbols)[: target.dim],
            fn=target,
        )
    return problem
