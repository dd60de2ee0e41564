"""What an :func:`nnkit.models.mlp` is made of, without importing torch.

:mod:`nnkit.models` builds the networks (and re-exports :data:`INITS`); settings forms
(:class:`nnkit.pinn.config.PINNConfig`, :class:`nnkit.function_fitting.FitSettings`)
check an initialisation's name and count a network's weights here, so that a page can
draw them before torch is loaded (``tests/unit/test_fitting.py`` checks the count
against the networks torch builds).
"""

from __future__ import annotations

from collections.abc import Sequence

__all__ = ["INITS", "dense_parameters"]

INITS = ("default", "xavier", "kaiming", "normal", "siren")
"""Weight initialisations :func:`nnkit.models.mlp` understands (``"default"`` is PyTorch's own)."""


def dense_parameters(in_features: int, hidden: Sequence[int], out_features: int = 1) -> int:
    """Trainable numbers (weights and biases) of ``Linear`` layers ``in → hidden… → out``.

    Fixed input scaling, Fourier frequencies and output scaling are buffers, not counted.

    Parameters
    ----------
    in_features : int
        Inputs of the first layer (``2 m`` after ``m`` Fourier frequencies).
    hidden : sequence of int
        Hidden widths.
    out_features : int, default 1
        Outputs.

    Returns
    -------
    int
    """
    widths = [int(in_features), *(int(h) for h in hidden), int(out_features)]
    return sum(a * b + b for a, b in zip(widths[:-1], widths[1:], strict=True))
