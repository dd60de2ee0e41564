"""The references beside a perceptron's result: linear separability and Novikoff's bound.

:func:`is_linearly_separable` is an exact linear-programming feasibility test;
:func:`novikoff_bound` gives the convergence theorem's bound (R/γ)² on the number of
updates for a given separator, :func:`max_margin_separator` the tightest one.
:func:`convergence_reference` gathers them, with scikit-learn's perceptron on the same
data, for one data set; :func:`training_verdict` says how a run ended in their light.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import ArrayLike

if TYPE_CHECKING:
    from nnkit.perceptron.estimator import Perceptron

__all__ = [
    "ConvergenceReference",
    "Separator",
    "TrainingVerdict",
    "convergence_reference",
    "is_linearly_separable",
    "max_margin_separator",
    "novikoff_bound",
    "training_verdict",
]


def _signed_labels(y: ArrayLike) -> np.ndarray:
    y = np.asarray(y)
    classes = np.unique(y)
    if len(classes) != 2:
        raise ValueError(f"need exactly two classes, got {len(classes)}")
    return np.where(y == classes[1], 1.0, -1.0)


def is_linearly_separable(X: ArrayLike, y: ArrayLike) -> bool:
    """Whether a line (hyperplane) has every class strictly on its own side: an exact test.

    Solves the linear feasibility problem ``s_i (w · x_i + b) ≥ 1`` (``s_i = ±1``) with
    scipy's HiGHS solver; it is feasible exactly when the two classes are strictly
    linearly separable.

    Parameters
    ----------
    X : array_like of shape (n_samples, n_features)
    y : array_like of shape (n_samples,), two distinct labels

    Returns
    -------
    bool
    """
    from scipy.optimize import linprog

    X = np.asarray(X, dtype=float)
    s = _signed_labels(y)
    A = -s[:, None] * np.column_stack([X, np.ones(len(X))])
    res = linprog(
        c=np.zeros(X.shape[1] + 1),
        A_ub=A,
        b_ub=-np.ones(len(X)),
        bounds=[(None, None)] * (X.shape[1] + 1),
        method="highs",
    )
    return bool(res.status == 0)


@dataclass(frozen=True)
class Separator:
    """A separating hyperplane w · x + b = 0 and the quantities of Novikoff's theorem.

    Attributes
    ----------
    w : ndarray
        Normal vector.
    b : float
        Bias.
    gamma : float
        Margin of the augmented problem: min_i s_i (w · x_i + b) / ‖(w, b)‖, the
        margin the perceptron (which learns the bias as a weight on a constant input
        1) sees.
    radius : float
        R = max_i ‖(x_i, 1)‖.
    bound : float
        (R / γ)²: the most updates the perceptron can make from zero weights.
    """

    w: np.ndarray
    b: float
    gamma: float
    radius: float
    bound: float


def novikoff_bound(X: ArrayLike, y: ArrayLike, w: ArrayLike, b: float) -> Separator:
    """Novikoff's bound on the number of perceptron updates, for a given separator.

    With inputs augmented by a constant 1 (so the bias is a weight), if the unit
    vector ``u ∝ (w, b)`` separates the data with margin γ and every ``‖(x, 1)‖ ≤ R``,
    the perceptron started from zero makes at most ``(R/γ)²`` updates, whatever the
    order of the samples and the learning rate.

    Parameters
    ----------
    X : array_like of shape (n_samples, n_features)
    y : array_like of shape (n_samples,), two distinct labels
    w : array_like of shape (n_features,)
    b : float

    Returns
    -------
    Separator
        With ``bound = inf`` (and ``gamma <= 0``) if (w, b) does not separate the data.
    """
    X = np.asarray(X, dtype=float)
    s = _signed_labels(y)
    w = np.asarray(w, dtype=float)
    norm = float(np.sqrt(w @ w + b * b))
    gamma = float(np.min(s * (X @ w + b)) / norm) if norm > 0 else 0.0
    radius = float(np.sqrt(np.max(np.sum(X * X, axis=1) + 1.0)))
    bound = (radius / gamma) ** 2 if gamma > 0 else float("inf")
    return Separator(w=w, b=float(b), gamma=gamma, radius=radius, bound=bound)


def max_margin_separator(X: ArrayLike, y: ArrayLike) -> Separator | None:
    """The separator with the largest augmented margin γ, hence the tightest Novikoff bound.

    Solves min ‖v‖² subject to s_i v · (x_i, 1) ≥ 1 (a hard-margin SVM without a free
    bias) with scipy's SLSQP; γ is then recomputed exactly for the returned v, so the
    bound is valid even if the optimiser stops slightly short of the optimum.

    Parameters
    ----------
    X : array_like of shape (n_samples, n_features)
    y : array_like of shape (n_samples,), two distinct labels

    Returns
    -------
    Separator or None
        None if the data are not linearly separable.
    """
    from scipy.optimize import minimize

    if not is_linearly_separable(X, y):
        return None
    X = np.asarray(X, dtype=float)
    s = _signed_labels(y)
    A = s[:, None] * np.column_stack([X, np.ones(len(X))])
    # start from the least-squares fit of s, scaled to be feasible if it separates
    v0, *_ = np.linalg.lstsq(np.column_stack([X, np.ones(len(X))]), s, rcond=None)
    m = float(np.min(A @ v0))
    v0 = v0 / m if m > 0 else v0
    res = minimize(
        lambda v: float(v @ v),
        v0,
        jac=lambda v: 2 * v,
        constraints=[{"type": "ineq", "fun": lambda v: A @ v - 1.0, "jac": lambda v: A}],
        method="SLSQP",
        options={"maxiter": 500, "ftol": 1e-12},
    )
    v = res.x
    sep = novikoff_bound(X, y, v[:-1], float(v[-1]))
    if sep.gamma <= 0:  # optimiser failed: fall back on the LP's feasible point
        return None
    return sep


@dataclass(frozen=True)
class ConvergenceReference:
    """What theory and a peer implementation say about training a perceptron on one data set.

    Attributes
    ----------
    separable : bool
        Whether a line (hyperplane) puts each class strictly on its own side.
    separator : Separator or None
        The max-margin separator and its Novikoff bound (None when not separable).
    sklearn_accuracy : float
        Training accuracy of scikit-learn's ``Perceptron`` with the same epochs and seed.
    """

    separable: bool
    separator: Separator | None
    sklearn_accuracy: float


def convergence_reference(
    X: ArrayLike, y: ArrayLike, max_epochs: int = 100, seed: int = 0
) -> ConvergenceReference:
    """Separability, the tightest Novikoff bound and scikit-learn's result on ``(X, y)``.

    Parameters
    ----------
    X : array_like of shape (n_samples, n_features)
    y : array_like of shape (n_samples,)
        Two distinct labels.
    max_epochs : int, default 100
        Epochs for scikit-learn's ``Perceptron`` (``max_iter``, no early stop).
    seed : int, default 0
        Its ``random_state``.

    Returns
    -------
    ConvergenceReference
    """
    from sklearn.linear_model import Perceptron as SkPerceptron

    separable = is_linearly_separable(X, y)
    sep = max_margin_separator(X, y) if separable else None
    sk = SkPerceptron(max_iter=int(max_epochs), tol=None, random_state=int(seed)).fit(X, y)
    return ConvergenceReference(
        separable=separable, separator=sep, sklearn_accuracy=float(sk.score(X, y))
    )


@dataclass(frozen=True)
class TrainingVerdict:
    """How a perceptron's training ended, checked against the references, in words.

    Attributes
    ----------
    status : {"converged", "stopped", "never"}
        ``"converged"``: an epoch made no mistake; ``"stopped"``: a cap stopped it on
        separable data (more epochs would converge); ``"never"``: the data are not
        linearly separable, so no number of epochs converges.
    text : str
        One paragraph (markdown) saying so, with the numbers of the run and the
        reference (Novikoff's bound, the separability test).
    """

    status: str
    text: str


def training_verdict(
    model: Perceptron, reference: ConvergenceReference, explain_xor: bool = False
) -> TrainingVerdict:
    """Say how training ended, with the references that explain why.

    Parameters
    ----------
    model : Perceptron
        Fitted.
    reference : ConvergenceReference
        For the same data (:func:`convergence_reference`).
    explain_xor : bool, default False
        Add the midpoint argument for why no line separates XOR (when the data are XOR).

    Returns
    -------
    TrainingVerdict
    """
    sep = reference.separator
    if model.converged_:
        text = f"**Converged**: {model.stop_reason_}, after {model.n_updates_} updates."
        if sep is not None:
            text += (
                f" Reference: Novikoff's theorem guarantees at most (R/γ)² = "
                f"({sep.radius:.3f} / {sep.gamma:.4f})² = {sep.bound:.1f} updates, with "
                "R = max ‖(x, 1)‖ and γ the best margin of a separating line (bias counted "
                "as a weight)."
            )
        return TrainingVerdict("converged", text)
    if reference.separable:
        text = (
            f"Stopped: {model.stop_reason_}. The data are linearly separable (a linear "
            "program finds a separating line), so more epochs would converge"
            + (f": Novikoff's bound is (R/γ)² = {sep.bound:.1f} updates." if sep else ".")
        )
        return TrainingVerdict("stopped", text)
    text = (
        f"**Never converges**: {model.stop_reason_}; the last epoch still made "
        f"{model.history_.last_epoch_mistakes} mistakes. Reason: these points are **not "
        "linearly separable**: a linear program confirms no line w·x + b = 0 has each class "
        "strictly on its own side, so every epoch finds a mistake and the line keeps moving "
        "forever."
    )
    if explain_xor:
        text += (
            " For XOR: a line with (0,1) and (1,0) above it puts their midpoint (½, ½) above "
            "it too, but that is also the midpoint of (0,0) and (1,1), which must both be "
            "below. Contradiction."
        )
    return TrainingVerdict("never", text)
