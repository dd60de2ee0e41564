"""XOR against one neuron: what a trained classifier's output field and a seed study say.

A single neuron cannot separate XOR; trained with cross-entropy it usually ends up
predicting about ½ everywhere. :func:`output_field` says whether a classifier's output
over the picture is that flat (then there is no decision boundary worth drawing: a line
through a uniform field only traces rounding noise) and returns the grid to draw
accordingly. :func:`summarize_xor_study` reads the success-rate table of
``nnkit.fitting.xor_study`` into the numbers the XOR page states.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

__all__ = [
    "UNIFORM_SPREAD",
    "OutputField",
    "XorStudySummary",
    "output_field",
    "solves_xor",
    "summarize_xor_study",
]

UNIFORM_SPREAD = 0.2
"""A probability field whose values span less than this is called uniform: on a 0–1
colour scale it reads as one colour, and no point of it is decided with confidence."""


@dataclass(frozen=True)
class OutputField:
    """The range of a classifier's P(class 1) over a picture, and the grid to draw.

    Attributes
    ----------
    low : float
        Smallest probability on the grid.
    high : float
        Largest probability on the grid.
    uniform : bool
        ``high − low < tol``: the field is one colour, there is no boundary to show.
    grid : pandas.DataFrame
        The input grid (columns ``x, y, p`` and ``boundary``), with ``boundary`` set to
        False everywhere when the field is uniform.
    """

    low: float
    high: float
    uniform: bool
    grid: pd.DataFrame

    @property
    def spread(self) -> float:
        """``high − low``."""
        return self.high - self.low

    @property
    def range_text(self) -> str:
        """The range to 3 decimals, e.g. ``"between 0.312 and 0.688"``.

        ``"0.500"`` alone when both ends round alike.
        """
        low, high = f"{self.low:.3f}", f"{self.high:.3f}"
        return low if low == high else f"between {low} and {high}"


def output_field(grid: pd.DataFrame, tol: float = UNIFORM_SPREAD) -> OutputField:
    """Whether a classifier's probability over a grid is uniform, and what to draw.

    Parameters
    ----------
    grid : pandas.DataFrame
        Column ``p`` (probability of class 1), optionally ``boundary`` (True on the
        cells where ``p − ½`` changes sign), as made by ``nnkit.fitting.decision_grid``.
    tol : float, default :data:`UNIFORM_SPREAD`
        Largest spread ``max p − min p`` still called uniform.

    Returns
    -------
    OutputField
    """
    low, high = float(grid["p"].min()), float(grid["p"].max())
    uniform = high - low < tol
    drawn = grid.assign(boundary=False) if uniform and "boundary" in grid else grid
    return OutputField(low=low, high=high, uniform=uniform, grid=drawn)


@dataclass(frozen=True)
class XorStudySummary:
    """The numbers the XOR page states about a success-rate study.

    Attributes
    ----------
    seeds : int
        Seeds per architecture.
    no_hidden_successes : int
        Seeds for which the network without a hidden layer solved XOR.
    two_units_successes : int or None
        The same for one hidden layer of 2 units (None if not in the study).
    two_units_mean_accuracy : float or None
        Its mean training accuracy over the seeds.
    smallest_reliable : str or None
        The smallest architecture (fewest layers, then fewest units) that succeeded
        for every seed; None if none did.
    smallest_reliable_layers : int
        Its number of hidden layers (0 when there is none).
    n_capped : int
        Architectures that the time budget stopped before the last epoch.
    fewest_epochs : int or None
        The fewest epochs any capped architecture trained (None if none was capped).
    """

    seeds: int
    no_hidden_successes: int
    two_units_successes: int | None
    two_units_mean_accuracy: float | None
    smallest_reliable: str | None
    smallest_reliable_layers: int
    n_capped: int
    fewest_epochs: int | None


def summarize_xor_study(study: pd.DataFrame, epochs: int) -> XorStudySummary:
    """Read a success-rate table into the statements of the XOR page.

    Parameters
    ----------
    study : pandas.DataFrame
        One row per architecture, columns ``layers, units, architecture, successes,
        seeds, mean_accuracy, epochs_trained`` (as ``nnkit.fitting.xor_study`` returns).
    epochs : int
        Epochs each run was asked to train (rows with fewer were cut by the budget).

    Returns
    -------
    XorStudySummary
    """
    zero = study[study["layers"] == 0]
    two = study[(study["layers"] == 1) & (study["units"] == 2)]
    reliable = study[(study["layers"] > 0) & (study["successes"] == study["seeds"])]
    smallest = reliable.sort_values(["layers", "units"]).head(1)
    capped = study[study["epochs_trained"] < int(epochs)]
    return XorStudySummary(
        seeds=int(study["seeds"].max()) if len(study) else 0,
        no_hidden_successes=int(zero["successes"].iloc[0]) if len(zero) else 0,
        two_units_successes=int(two["successes"].iloc[0]) if len(two) else None,
        two_units_mean_accuracy=float(two["mean_accuracy"].iloc[0]) if len(two) else None,
        smallest_reliable=str(smallest["architecture"].iloc[0]) if len(smallest) else None,
        smallest_reliable_layers=int(smallest["layers"].iloc[0]) if len(smallest) else 0,
        n_capped=len(capped),
        fewest_epochs=int(capped["epochs_trained"].min()) if len(capped) else None,
    )


def solves_xor(accuracy: float, reference: float) -> bool:
    """Whether a training accuracy reaches the reference (up to rounding).

    Parameters
    ----------
    accuracy : float
        A network's training accuracy.
    reference : float
        The ideal XOR rule's accuracy on the same points (1 on the truth table).

    Returns
    -------
    bool
    """
    return float(accuracy) >= float(reference) - 1e-9
