"""Rosenblatt's perceptron, a single neuron, and a layer of neurons on the plane.

:class:`Perceptron` implements the perceptron learning rule

    w ← w + η (t − ŷ) x,    b ← b + η (t − ŷ)

with a Heaviside (``t, ŷ ∈ {0, 1}``) or sign (``t, ŷ ∈ {−1, 1}``) output, one sample at
a time, and records the weights after every update and every epoch so that a page can
replay training. It stops after the first epoch without a mistake.

Helpers give the references a page shows beside the perceptron's result:
:func:`is_linearly_separable` (an exact linear-programming feasibility test) and
:func:`novikoff_bound` (the convergence theorem's bound (R/γ)² on the number of updates).
:func:`neuron_output` and :func:`layer_output` evaluate neurons with any activation of
:mod:`nnkit.activations` on a grid, for the "one neuron" and "a layer" pictures.

Examples
--------
>>> from nnkit.datasets import logic_gate
>>> X, y = logic_gate("and")
>>> p = Perceptron(lr=1.0, max_epochs=20).fit(X, y)
>>> p.converged_, p.score(X, y)
(True, 1.0)
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from nnkit.activations import get as get_activation

__all__ = [
    "FrameState",
    "LR_RANGE",
    "Perceptron",
    "check_learning_rate",
    "gate_of_neuron",
    "half_plane_polygon",
    "layer_regions",
    "layer_firing_shares",
    "boundary_segment",
    "view_box",
    "PerceptronHistory",
    "Separator",
    "is_linearly_separable",
    "layer_output",
    "max_margin_separator",
    "neuron_output",
    "novikoff_bound",
    "plane_grid",
]

_OUTPUTS = ("heaviside", "sign")


LR_RANGE = (1e-6, 1e6)
"""Learning rates the perceptron accepts. From zero weights η only scales the weights, so
the updates are the same for every η; outside this range the weights overflow (η = 1e308
gave w = inf) or underflow into subnormals (η = 5e-324 changed the number of updates)."""


def check_learning_rate(lr: Any) -> float:
    """``lr`` as a float, or a ``ValueError`` that says what to change.

    Parameters
    ----------
    lr : number
        The learning rate η; must lie in :data:`LR_RANGE`.

    Returns
    -------
    float
    """
    lo, hi = LR_RANGE
    try:
        value = float(lr)
    except (TypeError, ValueError):
        raise ValueError(f"learning rate must be a number, got {lr!r}") from None
    if not np.isfinite(value) or value <= 0:
        raise ValueError(
            f"learning rate η must be greater than 0 (it scales each correction), got {lr!r}"
        )
    if not lo <= value <= hi:
        raise ValueError(
            f"learning rate η must be between {lo:g} and {hi:g}, got {value:g}: from zero "
            "weights η only rescales the weights (the updates are the same), and beyond "
            "that range they overflow or lose precision"
        )
    return value


@dataclass(frozen=True)
class PerceptronHistory:
    """Everything needed to replay a perceptron's training.

    Attributes
    ----------
    frames : pandas.DataFrame
        One row per state of the weights: frame 0 is the initial state, frame ``k``
        the state after the ``k``-th update. Columns: ``frame``, ``epoch`` (epoch of
        the update, 0 for the initial state), ``sample`` (row of ``X`` that caused the
        update, -1 for frame 0), ``target`` and ``output`` (t and ŷ of that sample
        before the update), ``w1`` … ``wd``, ``b``.
    epochs : pandas.DataFrame
        One row per epoch. Columns: ``epoch`` (1-based), ``mistakes`` (updates made
        during the epoch), ``errors_after`` (training points misclassified by the
        weights at the end of the epoch), ``last_frame`` (frame at the end of the
        epoch), ``w1`` … ``wd``, ``b``.
    """

    frames: pd.DataFrame
    epochs: pd.DataFrame

    @property
    def n_frames(self) -> int:
        """Number of frames (updates + 1)."""
        return len(self.frames)


@dataclass(frozen=True)
class FrameState:
    """The perceptron at one recorded frame, with what it gets wrong.

    Attributes
    ----------
    frame : int
        0 = initial weights, k = after the k-th update.
    n_frames : int
        Frames recorded in total.
    epoch : int
        Epoch of this update (0 for the initial state).
    w, b : ndarray, float
        Weights and bias after this frame's update.
    w_before, b_before : ndarray, float
        Weights and bias before it (equal to ``w, b`` at frame 0).
    sample : int
        Row of X whose mistake caused the update (-1 at frame 0).
    target, output : float
        t and ŷ of that sample before the update (nan at frame 0).
    step : float
        η (t − ŷ): the multiple of (x, 1) added to (w, b).
    misclassified : ndarray of bool
        Points the weights of this frame get wrong.
    """

    frame: int
    n_frames: int
    epoch: int
    w: np.ndarray
    b: float
    w_before: np.ndarray
    b_before: float
    sample: int
    target: float
    output: float
    step: float
    misclassified: np.ndarray

    @property
    def n_errors(self) -> int:
        """Number of misclassified points at this frame."""
        return int(np.sum(self.misclassified))


class Perceptron:
    """Rosenblatt's perceptron, scikit-learn style, recording its training for replay.

    Parameters
    ----------
    lr : float, default 1.0
        Learning rate η > 0. With zero initial weights it only rescales w and b:
        the predictions and the number of updates do not depend on it.
    max_epochs : int, default 100
        Largest number of passes over the data.
    output : {"heaviside", "sign"}, default "heaviside"
        Threshold unit: H(z) = 1 if z ≥ 0 else 0 (targets 0/1) or sgn(z) (targets ±1,
        sgn(0) = 0 counts as a mistake).
    shuffle : bool, default True
        Visit the samples in a new random order each epoch (else in data order).
    init : {"zeros", "random"}, default "zeros"
        Initial weights: all zero (the convergence theorem's setting) or standard
        normal draws.
    seed : int, default 0
        Seed of the shuffling and of random initial weights.
    max_seconds : float or None, default None
        Wall-clock budget; training stops (keeping its history) when exceeded.

    Attributes
    ----------
    classes_ : ndarray of shape (2,)
        The two labels; ``classes_[1]`` is the positive class (output 1).
    coef_ : ndarray of shape (1, n_features)
        Final weights w.
    intercept_ : ndarray of shape (1,)
        Final bias b.
    n_updates_ : int
        Number of weight updates (mistakes) made in total.
    n_epochs_ : int
        Number of epochs run.
    converged_ : bool
        True if the last epoch made no mistake (all training points classified).
    stop_reason_ : str
        Why training stopped, in words.
    history_ : PerceptronHistory
        Weights after every update and every epoch.
    """

    def __init__(
        self,
        lr: float = 1.0,
        max_epochs: int = 100,
        output: str = "heaviside",
        shuffle: bool = True,
        init: str = "zeros",
        seed: int = 0,
        max_seconds: float | None = None,
    ) -> None:
        self.lr = lr
        self.max_epochs = max_epochs
        self.output = output
        self.shuffle = shuffle
        self.init = init
        self.seed = seed
        self.max_seconds = max_seconds

    # -- parameter and data checks ------------------------------------------------

    def _check_params(self) -> None:
        check_learning_rate(self.lr)
        if isinstance(self.max_epochs, bool) or int(self.max_epochs) != self.max_epochs:
            raise ValueError(f"max_epochs must be a whole number, got {self.max_epochs!r}")
        if self.max_epochs < 1:
            raise ValueError(f"max_epochs must be at least 1, got {self.max_epochs}")
        if self.output not in _OUTPUTS:
            raise ValueError(f"output must be one of {_OUTPUTS}, got {self.output!r}")
        if self.init not in ("zeros", "random"):
            raise ValueError(f"init must be 'zeros' or 'random', got {self.init!r}")

    @staticmethod
    def _check_data(X, y) -> tuple[np.ndarray, np.ndarray]:
        X = np.asarray(X, dtype=float)
        y = np.asarray(y)
        if X.ndim != 2:
            raise ValueError(f"X must be a 2-D array (n_samples, n_features), got shape {X.shape}")
        if len(X) == 0:
            raise ValueError("X has no samples: give at least one point of each class")
        if y.shape != (len(X),):
            raise ValueError(f"y must have shape ({len(X)},) to match X, got {y.shape}")
        if not np.all(np.isfinite(X)):
            raise ValueError("X contains NaN or infinite values")
        return X, y

    # -- the learning rule --------------------------------------------------------

    def fit(self, X, y) -> Perceptron:
        """Run the perceptron learning rule until an epoch makes no mistake.

        Parameters
        ----------
        X : array_like of shape (n_samples, n_features)
        y : array_like of shape (n_samples,)
            Exactly two distinct labels (any values, e.g. 0/1 or −1/+1).

        Returns
        -------
        Perceptron
            ``self``, fitted.

        Raises
        ------
        ValueError
            Bad hyper-parameters (e.g. a learning rate ≤ 0) or data (no samples, not
            exactly two classes, NaN).
        """
        self._check_params()
        X, y = self._check_data(X, y)
        classes = np.unique(y)
        if len(classes) != 2:
            raise ValueError(
                f"the perceptron needs exactly two classes in y, got {len(classes)}: "
                f"{classes.tolist()[:5]}"
            )
        positive = y == classes[1]
        t = positive.astype(float) if self.output == "heaviside" else np.where(positive, 1.0, -1.0)

        rng = np.random.default_rng(self.seed)
        n, d = X.shape
        if self.init == "zeros":
            w, b = np.zeros(d), 0.0
        else:
            w, b = rng.standard_normal(d), float(rng.standard_normal())
        lr = float(self.lr)
        started = time.perf_counter()

        # frame rows: epoch, sample, target, output, w..., b
        frames: list[list[float]] = [[0, -1, np.nan, np.nan, *w, b]]
        epochs: list[list[float]] = []
        converged = False
        stop = f"max_epochs = {self.max_epochs} reached with mistakes left"
        # The sample loop runs on Python floats: for the 2-D toy sets this is several
        # times faster than per-sample numpy calls (same operations, same order).
        rows = X.tolist()
        targets = t.tolist()
        heaviside = self.output == "heaviside"
        wl = w.tolist()
        for epoch in range(1, int(self.max_epochs) + 1):
            order = rng.permutation(n) if self.shuffle else np.arange(n)
            mistakes = 0
            for i in order.tolist():
                xi = rows[i]
                z = 0.0
                for wj, xj in zip(wl, xi, strict=True):
                    z += wj * xj
                z += b
                if heaviside:
                    out = 1.0 if z >= 0 else 0.0
                else:
                    out = 1.0 if z > 0 else (-1.0 if z < 0 else 0.0)
                ti = targets[i]
                if out != ti:
                    step = lr * (ti - out)
                    wl = [wj + step * xj for wj, xj in zip(wl, xi, strict=True)]
                    b = b + step
                    mistakes += 1
                    frames.append([epoch, i, ti, out, *wl, b])
            w = np.array(wl)
            z = X @ w + b
            outs = (z >= 0).astype(float) if self.output == "heaviside" else np.sign(z)
            errors = int(np.sum(outs != t))
            epochs.append([epoch, mistakes, errors, len(frames) - 1, *w, b])
            if mistakes == 0:
                converged = True
                stop = f"epoch {epoch} made no mistake: every training point is classified"
                break
            if self.max_seconds is not None and time.perf_counter() - started > self.max_seconds:
                stop = f"time budget of {self.max_seconds:g} s used up after epoch {epoch}"
                break

        wcols = [f"w{j + 1}" for j in range(d)]
        frames_df = pd.DataFrame(frames, columns=["epoch", "sample", "target", "output", *wcols, "b"])
        frames_df.insert(0, "frame", np.arange(len(frames_df)))
        frames_df[["epoch", "sample"]] = frames_df[["epoch", "sample"]].astype(int)
        epochs_df = pd.DataFrame(
            epochs, columns=["epoch", "mistakes", "errors_after", "last_frame", *wcols, "b"]
        )
        epochs_df[["epoch", "mistakes", "errors_after", "last_frame"]] = epochs_df[
            ["epoch", "mistakes", "errors_after", "last_frame"]
        ].astype(int)

        self.classes_ = classes
        self.coef_ = w.reshape(1, d)
        self.intercept_ = np.array([b])
        self.n_features_in_ = d
        self.n_updates_ = len(frames) - 1
        self.n_epochs_ = len(epochs)
        self.converged_ = converged
        self.stop_reason_ = stop
        self.history_ = PerceptronHistory(frames=frames_df, epochs=epochs_df)
        return self

    # -- prediction ---------------------------------------------------------------

    def _check_fitted(self) -> None:
        if not hasattr(self, "coef_"):
            raise ValueError("this Perceptron is not fitted yet: call fit(X, y) first")

    def decision_function(self, X) -> np.ndarray:
        """Net input z = w · x + b for each row of ``X``.

        Parameters
        ----------
        X : array_like of shape (n_samples, n_features)

        Returns
        -------
        ndarray of shape (n_samples,)
        """
        self._check_fitted()
        X = np.asarray(X, dtype=float)
        return X @ self.coef_[0] + self.intercept_[0]

    def predict(self, X) -> np.ndarray:
        """Predicted labels: ``classes_[1]`` where the unit fires, else ``classes_[0]``.

        With a Heaviside output a point exactly on the line (z = 0) is positive; with
        a sign output it is negative (sgn(0) = 0 is not +1).
        """
        z = self.decision_function(X)
        fires = z >= 0 if self.output == "heaviside" else z > 0
        return np.where(fires, self.classes_[1], self.classes_[0])

    def score(self, X, y) -> float:
        """Training-set style accuracy: fraction of ``y`` predicted exactly."""
        return float(np.mean(self.predict(X) == np.asarray(y)))

    def weights_at(self, frame: int) -> tuple[np.ndarray, float]:
        """Weights and bias at a recorded frame (0 = initial, k = after update k).

        Parameters
        ----------
        frame : int
            Clipped to ``[0, history_.n_frames - 1]``.

        Returns
        -------
        w : ndarray of shape (n_features,)
        b : float
        """
        self._check_fitted()
        f = self.history_.frames
        k = int(np.clip(frame, 0, len(f) - 1))
        row = f.iloc[k]
        w = row[[f"w{j + 1}" for j in range(self.n_features_in_)]].to_numpy(dtype=float)
        return w, float(row["b"])

    def replay(self, X, y, frame: int) -> FrameState:
        """The state of training at a recorded frame, for a replay view.

        Parameters
        ----------
        X, y : the training data passed to :meth:`fit`.
        frame : int
            Clipped to the recorded frames.

        Returns
        -------
        FrameState
        """
        self._check_fitted()
        X = np.asarray(X, dtype=float)
        f = self.history_.frames
        k = int(np.clip(frame, 0, len(f) - 1))
        w, b = self.weights_at(k)
        w0, b0 = self.weights_at(k - 1) if k > 0 else (w, b)
        z = X @ w + b
        fires = z >= 0 if self.output == "heaviside" else z > 0
        predicted = np.where(fires, self.classes_[1], self.classes_[0])
        row = f.iloc[k]
        step = float(float(self.lr) * (row["target"] - row["output"])) if k > 0 else 0.0
        return FrameState(
            frame=k,
            n_frames=len(f),
            epoch=int(row["epoch"]),
            w=w,
            b=b,
            w_before=w0,
            b_before=b0,
            sample=int(row["sample"]),
            target=float(row["target"]),
            output=float(row["output"]),
            step=step,
            misclassified=predicted != np.asarray(y),
        )


# ---------------------------------------------------------------------------
# References: linear separability and the convergence bound
# ---------------------------------------------------------------------------


def _signed_labels(y) -> np.ndarray:
    y = np.asarray(y)
    classes = np.unique(y)
    if len(classes) != 2:
        raise ValueError(f"need exactly two classes, got {len(classes)}")
    return np.where(y == classes[1], 1.0, -1.0)


def is_linearly_separable(X, y) -> bool:
    """Exact test: is there a line (hyperplane) with every class strictly on its side?

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


def novikoff_bound(X, y, w, b: float) -> Separator:
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


def max_margin_separator(X, y) -> Separator | None:
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


# ---------------------------------------------------------------------------
# One neuron and one layer on the plane
# ---------------------------------------------------------------------------


def plane_grid(
    x_range: tuple[float, float], y_range: tuple[float, float], steps: int = 60
) -> np.ndarray:
    """Points of a regular ``steps × steps`` grid covering a rectangle.

    Returns
    -------
    ndarray of shape (steps * steps, 2)
        Columns x1, x2.
    """
    if steps < 2:
        raise ValueError(f"steps must be at least 2, got {steps}")
    g1 = np.linspace(*x_range, steps)
    g2 = np.linspace(*y_range, steps)
    a, c = np.meshgrid(g1, g2)
    return np.column_stack([a.ravel(), c.ravel()])


def neuron_output(X, w, b: float, activation: str = "heaviside") -> np.ndarray:
    """Output σ(w · x + b) of one neuron for each row of ``X``.

    Parameters
    ----------
    X : array_like of shape (n_samples, n_features)
    w : array_like of shape (n_features,)
    b : float
    activation : str
        A name from :mod:`nnkit.activations`.

    Returns
    -------
    ndarray of shape (n_samples,)
    """
    X = np.asarray(X, dtype=float)
    return get_activation(activation).fn(X @ np.asarray(w, dtype=float) + float(b))


def layer_output(X, W, b, activation: str = "heaviside") -> np.ndarray:
    """Outputs of a layer of neurons sharing the same input: σ(X Wᵀ + b).

    Parameters
    ----------
    X : array_like of shape (n_samples, n_features)
    W : array_like of shape (n_neurons, n_features)
        One row of weights per neuron.
    b : array_like of shape (n_neurons,)
    activation : str

    Returns
    -------
    ndarray of shape (n_samples, n_neurons)
    """
    X = np.asarray(X, dtype=float)
    W = np.atleast_2d(np.asarray(W, dtype=float))
    b = np.asarray(b, dtype=float).reshape(-1)
    if W.shape[1] != X.shape[1] or len(b) != len(W):
        raise ValueError(
            f"layer shapes do not match: X {X.shape}, W {W.shape} (neurons × inputs), b {b.shape}"
        )
    return get_activation(activation).fn(X @ W.T + b)


def view_box(X, pad: float = 0.25, min_span: float = 1.0) -> tuple[tuple[float, float], tuple[float, float]]:
    """A rectangle around 2-D points with a margin, for fixed chart axes.

    Parameters
    ----------
    X : array_like of shape (n_samples, 2)
    pad : float, default 0.25
        Margin added on every side, as a fraction of the larger span.
    min_span : float, default 1
        Smallest span used for the margin (so 4 gate points get room too).

    Returns
    -------
    ((x1_low, x1_high), (x2_low, x2_high))
    """
    X = np.asarray(X, dtype=float)
    lo, hi = X.min(axis=0), X.max(axis=0)
    m = pad * max(float(np.max(hi - lo)), min_span)
    return (float(lo[0] - m), float(hi[0] + m)), (float(lo[1] - m), float(hi[1] + m))


def boundary_segment(
    w, b: float, x_range: tuple[float, float], y_range: tuple[float, float]
) -> np.ndarray | None:
    """The part of the line w1·x1 + w2·x2 + b = 0 inside a rectangle.

    Parameters
    ----------
    w : array_like of shape (2,)
    b : float
    x_range, y_range : (float, float)
        The rectangle.

    Returns
    -------
    ndarray of shape (2, 2) or None
        The two end points (rows, as (x1, x2)), or None when the line misses the
        rectangle or w = 0 (no line: the neuron's output is constant).
    """
    w1, w2 = (float(v) for v in np.asarray(w, dtype=float)[:2])
    b = float(b)
    (x0, x1), (y0, y1) = x_range, y_range
    pts = []
    if w2 != 0:
        for x in (x0, x1):
            y = -(w1 * x + b) / w2
            if y0 <= y <= y1:
                pts.append((x, y))
    if w1 != 0:
        for y in (y0, y1):
            x = -(w2 * y + b) / w1
            if x0 <= x <= x1:
                pts.append((x, y))
    if len(pts) < 2:
        return None
    pts_arr = np.unique(np.round(np.array(pts), 12), axis=0)
    if len(pts_arr) < 2:
        return None
    # the two points farthest apart (corners can appear twice)
    d = np.linalg.norm(pts_arr[:, None, :] - pts_arr[None, :, :], axis=-1)
    i, j = np.unravel_index(np.argmax(d), d.shape)
    return pts_arr[[i, j]]


def gate_of_neuron(w, b: float) -> tuple[tuple[int, ...], str | None]:
    """Which Boolean gate a threshold neuron computes on the corners of the unit square.

    Parameters
    ----------
    w : array_like of shape (2,)
    b : float

    Returns
    -------
    outputs : tuple of int
        H(w · x + b) at (0, 0), (0, 1), (1, 0), (1, 1).
    gate : str or None
        The name from :data:`nnkit.datasets.LOGIC_GATES` with that truth table
        (None if it is another function, e.g. constant or x₁ alone).
    """
    from nnkit.datasets import LOGIC_GATES

    corners = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
    outputs = tuple(int(v) for v in (corners @ np.asarray(w, dtype=float) + float(b) >= 0))
    for name, table in LOGIC_GATES.items():
        if tuple(table) == outputs:
            return outputs, name
    return outputs, None


def layer_firing_shares(
    W, b, x_range: tuple[float, float], y_range: tuple[float, float]
) -> np.ndarray:
    """Share of a rectangle where exactly 0, 1, …, k neurons of a layer fire (w·x + b ≥ 0).

    Exact: the areas of the cells of :func:`layer_regions` divided by the rectangle's.

    Returns
    -------
    ndarray of shape (k + 1,)
        Entry j is the share of the rectangle where exactly j neurons fire (sums to 1).
    """
    k = len(np.atleast_2d(np.asarray(W, dtype=float)))
    total = (x_range[1] - x_range[0]) * (y_range[1] - y_range[0])
    shares = np.zeros(k + 1)
    for pattern, poly in layer_regions(W, b, x_range, y_range):
        shares[sum(pattern)] += _area(poly) / total
    return shares


def half_plane_polygon(
    w, b: float, x_range: tuple[float, float], y_range: tuple[float, float], positive: bool = True
) -> np.ndarray:
    """The part of a rectangle where w · x + b ≥ 0 (``positive``) or < 0, as a polygon.

    The rectangle is clipped by the line (Sutherland–Hodgman with one edge), so the
    result is convex.

    Parameters
    ----------
    w : array_like of shape (2,)
    b : float
    x_range, y_range : (float, float)
        The rectangle.
    positive : bool, default True
        Which side: z ≥ 0 (where a Heaviside unit outputs 1) or z < 0.

    Returns
    -------
    ndarray of shape (k, 2)
        Vertices in order (k = 0 when that side misses the rectangle).
    """
    (x0, x1), (y0, y1) = x_range, y_range
    box = np.array([(x0, y0), (x1, y0), (x1, y1), (x0, y1)], dtype=float)
    return _clip(box, w, b, positive)


def _clip(poly: np.ndarray, w, b: float, positive: bool) -> np.ndarray:
    """Clip a convex polygon to the side w · x + b ≥ 0 (or < 0): Sutherland–Hodgman."""
    w = np.asarray(w, dtype=float)
    sign = 1.0 if positive else -1.0

    def value(p):
        return sign * (w[0] * p[0] + w[1] * p[1] + b)

    out = []
    for k in range(len(poly)):
        cur, prev = poly[k], poly[k - 1]
        vc, vp = value(cur), value(prev)
        if (vc >= 0) != (vp >= 0):  # the edge crosses the line
            t = vp / (vp - vc)
            out.append((prev[0] + t * (cur[0] - prev[0]), prev[1] + t * (cur[1] - prev[1])))
        if vc >= 0:
            out.append((cur[0], cur[1]))
    return np.array(out, dtype=float).reshape(-1, 2)


def layer_regions(
    W, b, x_range: tuple[float, float], y_range: tuple[float, float]
) -> list[tuple[tuple[bool, ...], np.ndarray]]:
    """The cells into which a layer's lines cut a rectangle, with who fires in each.

    Parameters
    ----------
    W : array_like of shape (n_neurons, 2)
    b : array_like of shape (n_neurons,)
    x_range, y_range : (float, float)

    Returns
    -------
    list of (pattern, polygon)
        ``pattern[j]`` is True where neuron j fires (w_j · x + b_j ≥ 0); ``polygon``
        the convex cell (vertices in order). Only non-empty cells are listed; they
        tile the rectangle.
    """
    W = np.atleast_2d(np.asarray(W, dtype=float))
    b = np.asarray(b, dtype=float).reshape(-1)
    (x0, x1), (y0, y1) = x_range, y_range
    cells = [((), np.array([(x0, y0), (x1, y0), (x1, y1), (x0, y1)], dtype=float))]
    for j in range(len(W)):
        nxt = []
        for pattern, poly in cells:
            for fires in (True, False):
                part = _clip(poly, W[j], b[j], fires)
                if len(part) >= 3 and _area(part) > 1e-12:
                    nxt.append(((*pattern, fires), part))
        cells = nxt
    return cells


def _area(poly: np.ndarray) -> float:
    x, y = poly[:, 0], poly[:, 1]
    return 0.5 * abs(float(np.dot(x, np.roll(y, -1)) - np.dot(y, np.roll(x, -1))))
