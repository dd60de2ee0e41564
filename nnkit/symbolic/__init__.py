"""Symbolic distillation: turn a trained network (or any function, or data) into a formula.

    >>> from nnkit.symbolic import distill, is_equivalent
    >>> import numpy as np
    >>> res = distill(lambda X: X[:, 0] ** 2 + np.sin(X[:, 0]), domain=[(-1, 1)])
    >>> res.best.text
    'x**2 + sin(x)'

Two search methods: a sparse best-subset regression over a library of elementary terms
(:mod:`nnkit.symbolic.library`, :mod:`nnkit.symbolic.sparse`) with coefficient snapping
(:mod:`nnkit.symbolic.snap`) and a description-length model choice, and genetic
programming with gplearn (:mod:`nnkit.symbolic.gp`). :func:`is_equivalent` checks a
recovered formula against the truth.
"""

from nnkit.symbolic.compare import Comparison, compare_functions
from nnkit.symbolic.core import (
    Candidate,
    Distillation,
    description_length,
    distill,
    estimate_noise,
    pareto_front,
    sample_domain,
    score_on,
    widen_domain,
)
from nnkit.symbolic.equivalence import Equivalence, check_equivalence, is_equivalent
from nnkit.symbolic.evaluate import evaluate, node_count

__all__ = [
    "Candidate",
    "Comparison",
    "Distillation",
    "Equivalence",
    "check_equivalence",
    "compare_functions",
    "estimate_noise",
    "description_length",
    "distill",
    "evaluate",
    "is_equivalent",
    "node_count",
    "pareto_front",
    "sample_domain",
    "score_on",
    "widen_domain",
]
