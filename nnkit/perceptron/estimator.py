"""Rosenblatt's perceptron as a scikit-learn style estimator that records its training.

:class:`Perceptron` implements the perceptron learning rule

    w ← w + η (t − ŷ) x,    b ← b + η (t − ŷ)

with a Heaviside (``t, ŷ ∈ {0, 1}``) or sign (``t, ŷ ∈ {−1, 1}``) output, one sample at
a time, and records the weights after every update and every epoch
(:class:`~nnkit.perceptron.history.PerceptronHistory`) so that a page can replay
training frame by frame (:meth:`Perceptron.replay`). It stops after the first epoch
without a mistake.
"""

from __future__ import annotations

import time
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

from nnkit.perceptron.history import FrameState, PerceptronHistory

__all__ = ["LR_RANGE", "Perceptron", "check_learning_rate"]

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
    def _check_data(X: ArrayLike, y: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
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

    def fit(self, X: ArrayLike, y: ArrayLike) -> Perceptron:
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
        w = np.zeros(d) if self.init == "zeros" else np.asarray(rng.standard_normal(d))
        b = 0.0 if self.init == "zeros" else float(rng.standard_normal())
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
            zs = X @ w + b
            outs = (zs >= 0).astype(float) if self.output == "heaviside" else np.sign(zs)
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
        frames_df = pd.DataFrame(
            frames, columns=["epoch", "sample", "target", "output", *wcols, "b"]
        )
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

    def decision_function(self, X: ArrayLike) -> np.ndarray:
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

    def predict(self, X: ArrayLike) -> np.ndarray:
        """Predicted labels: ``classes_[1]`` where the unit fires, else ``classes_[0]``.

        With a Heaviside output a point exactly on the line (z = 0) is positive; with
        a sign output it is negative (sgn(0) = 0 is not +1).

        Parameters
        ----------
        X : array_like of shape (n_samples, n_features)

        Returns
        -------
        ndarray of shape (n_samples,)
            Labels taken from ``classes_``.
        """
        z = self.decision_function(X)
        fires = z >= 0 if self.output == "heaviside" else z > 0
        return np.where(fires, self.classes_[1], self.classes_[0])

    def score(self, X: ArrayLike, y: ArrayLike) -> float:
        """Accuracy: the fraction of ``y`` predicted exactly.

        Parameters
        ----------
        X : array_like of shape (n_samples, n_features)
        y : array_like of shape (n_samples,)
            True labels.

        Returns
        -------
        float
            In [0, 1].
        """
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
        row = self.history_.frames.iloc[self.history_.clip(frame)]
        w = row[[f"w{j + 1}" for j in range(self.n_features_in_)]].to_numpy(dtype=float)
        return w, float(row["b"])

    def replay(self, X: ArrayLike, y: ArrayLike, frame: int) -> FrameState:
        """The state of training at a recorded frame, for a replay view.

        Parameters
        ----------
        X : array_like of shape (n_samples, n_features)
            The training inputs passed to :meth:`fit`.
        y : array_like of shape (n_samples,)
            The training labels passed to :meth:`fit`.
        frame : int
            Clipped to the recorded frames.

        Returns
        -------
        FrameState
            The weights before and after the frame's update, the update itself and
            the points the frame's weights misclassify; its ``position`` and
            ``describe`` give the replay's label and text.
        """
        self._check_fitted()
        X = np.asarray(X, dtype=float)
        f = self.history_.frames
        k = self.history_.clip(frame)
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
