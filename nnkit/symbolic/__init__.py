"""Symbolic distillation: turn a trained network (or any function, or data) into a formula.

    >>> from nnkit.symbolic import distill
    >>> import numpy as np
    >>> res = distill(lambda X: np.sinh(X[:, 0]) + X[:, 0] ** 2, domain=[(-1, 1)])
    >>> res.status, res.best.text
    ('exact', 'x**2 + sinh(x)')

The search builds formulas from a grammar (:mod:`nnkit.symbolic.grammar`,
:mod:`nnkit.symbolic.features`): sums, products and ratios of rational powers and of
sin, cos, exp, log, sinh, cosh, tanh of small arguments, simplest first
(:mod:`nnkit.symbolic.search`), with constants refined by a local optimiser and snapped
to simple numbers while the fit stays exact (:mod:`nnkit.symbolic.refine`). With two or
more inputs the source is first examined for separability and symmetries
(:mod:`nnkit.symbolic.structure`). A formula is labelled *exact* only when it matches the
samples to their own noise level (:mod:`nnkit.symbolic.noise`); otherwise it is an
approximation with its error. Genetic programming with gplearn
(:mod:`nnkit.symbolic.gp`) is the classic contrast; :func:`is_equivalent` checks a
recovered formula against the truth.
"""

from nnkit.symbolic.compare import Comparison, compare_functions
from nnkit.symbolic.core import (
    Candidate,
    Distillation,
    description_length,
    distill,
    pareto_front,
    percent,
    sample_domain,
    score_on,
    widen_domain,
)
from nnkit.symbolic.equivalence import Equivalence, check_equivalence, is_equivalent
from nnkit.symbolic.evaluate import evaluate, node_count
from nnkit.symbolic.noise import Verdict, estimate_noise, judge

__all__ = [
    "Candidate",
    "Comparison",
    "Distillation",
    "Equivalence",
    "Verdict",
    "check_equivalence",
    "compare_functions",
    "description_length",
    "distill",
    "estimate_noise",
    "evaluate",
    "is_equivalent",
    "judge",
    "node_count",
    "pareto_front",
    "percent",
    "sample_domain",
    "score_on",
    "widen_domain",
]
