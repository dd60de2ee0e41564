"""Test functions and toy data sets used across the course (all seeded).

Several pages share these: the Rastrigin exercise (MLP, symbolic distillation), the
2-D toy classification sets (perceptron, XOR), 1-D targets (universal approximation).
"""

from __future__ import annotations

import numpy as np

RASTRIGIN_DOMAIN = (-5.12, 5.12)


def rastrigin(x: np.ndarray, y: np.ndarray, a: float = 10.0) -> np.ndarray:
    """The 2-D Rastrigin function of the lecture's exercise 1.

    f(x, y) = 2a + (x² − a cos 2πx) + (y² − a cos 2πy); with a = 10 this is
    20 + (x² − 10 cos 2πx) + (y² − 10 cos 2πy), minimum 0 at the origin.

    Parameters
    ----------
    x, y : array_like
        Coordinates (broadcast together).
    a : float, default 10
        Amplitude of the cosine bumps.

    Returns
    -------
    numpy.ndarray
        f(x, y), same shape as the broadcast inputs.
    """
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    return 2 * a + (x**2 - a * np.cos(2 * np.pi * x)) + (y**2 - a * np.cos(2 * np.pi * y))
