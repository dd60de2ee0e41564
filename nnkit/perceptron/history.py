"""What a perceptron's training leaves behind for a replay: its history and one frame of it."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

__all__ = ["FrameState", "PerceptronHistory"]


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

    @property
    def last_frame(self) -> int:
        """Index of the last frame (= the number of updates)."""
        return len(self.frames) - 1

    @property
    def last_epoch_mistakes(self) -> int:
        """Mistakes (updates) made during the last epoch run (0 when training converged)."""
        return int(self.epochs["mistakes"].iloc[-1]) if len(self.epochs) else 0

    def clip(self, frame: int) -> int:
        """``frame`` clipped to the recorded frames ``0 … last_frame``.

        Parameters
        ----------
        frame : int
            Any integer.

        Returns
        -------
        int
        """
        return int(np.clip(int(frame), 0, self.last_frame))


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
    w : ndarray
        Weights after this frame's update.
    b : float
        Bias after this frame's update.
    w_before : ndarray
        Weights before it (equal to ``w`` at frame 0).
    b_before : float
        Bias before it (equal to ``b`` at frame 0).
    sample : int
        Row of X whose mistake caused the update (-1 at frame 0).
    target : float
        t of that sample (nan at frame 0).
    output : float
        ŷ of that sample before the update (nan at frame 0).
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

    @property
    def last(self) -> int:
        """Index of the last recorded frame (= the number of updates)."""
        return self.n_frames - 1

    @property
    def is_update(self) -> bool:
        """True after an update (frame ≥ 1), False for the initial weights."""
        return self.frame > 0

    @property
    def position(self) -> str:
        """Where the replay stands, e.g. ``"update 12 of 143"`` or ``"frame 0 of 143"``.

        The replay's progress label, its chart title and its description all use this
        one string, so they cannot disagree.
        """
        kind = "update" if self.is_update else "frame"
        return f"{kind} {self.frame} of {self.last}"

    def describe(self, X: np.ndarray) -> str:
        """The frame in one paragraph (markdown): the update and what it changed.

        Parameters
        ----------
        X : ndarray of shape (n_samples, n_features)
            The training inputs (to show the point that caused the update).

        Returns
        -------
        str
            The position (as :attr:`position`), the weights, and, after an update,
            the rule w ← w + η(t − ŷ)·x with this frame's numbers; always the number
            of misclassified points.
        """
        n = len(self.misclassified)
        w_txt = _vector(self.w)
        head = self.position[0].upper() + self.position[1:]
        if not self.is_update:
            return (
                f"**{head}**: initial weights w = ({w_txt}), b = {self.b:.3g}; "
                f"{self.n_errors} of {n} points misclassified."
            )
        xi = np.asarray(X, dtype=float)[self.sample]
        return (
            f"**{head}** (epoch {self.epoch}): point #{self.sample} at ({_vector(xi)}) has "
            f"target t = {self.target:g} but the unit said ŷ = {self.output:g}, so "
            f"w ← ({_vector(self.w_before)}) + η(t − ŷ)·x with η(t − ŷ) = {self.step:+.3g}, "
            f"giving w = ({w_txt}), and b ← {self.b_before:.3g} + ({self.step:+.3g}) = "
            f"{self.b:.3g}. Now {self.n_errors} of {n} points are misclassified."
        )


def _vector(v: np.ndarray) -> str:
    return ", ".join(f"{float(x):.3g}" for x in v)
