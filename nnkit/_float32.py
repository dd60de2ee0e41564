"""Whether a float32 network can tell its inputs apart (used by every box nnkit normalises).

torch networks in nnkit compute in float32; :func:`check_float32_box` refuses an input
box they cannot resolve, with a message that says what to change. No torch import here,
so that code validating a box before any network exists stays light.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from nnkit._text import counted

__all__ = ["MIN_FLOAT32_STEPS", "check_float32_box"]

MIN_FLOAT32_STEPS = 1000
"""Distinct float32 values each side of an ``input_bounds`` box must hold at least."""


def check_float32_box(lo: ArrayLike, hi: ArrayLike) -> None:
    """Refuse an input box a float32 network cannot resolve (ValueError saying what to change).

    The network sees its inputs in float32: beyond ±3.4·10³⁸ they are infinite, and a box
    reaching past half of that overflows when centred; a side narrower than about 10⁻³⁸
    makes the normalising factor 2 / (high − low) overflow; and a side that is narrow for
    its distance from 0 (10¹⁵ … 10¹⁵ + 4) holds only a few float32 values, so every sample
    reaches the network as the same input and it can only learn a constant.

    Parameters
    ----------
    lo, hi : array_like
        The box's lower and upper bounds, one per input (``hi > lo``).

    Raises
    ------
    ValueError
        Naming the side and what to change.
    """
    f32 = np.finfo(np.float32)
    lows = np.asarray(lo, dtype=float).ravel().tolist()
    highs = np.asarray(hi, dtype=float).ravel().tolist()
    for a, b in zip(lows, highs, strict=True):
        side = f"[{a!r}, {b!r}]"
        if max(abs(a), abs(b)) > float(f32.max) / 2:
            raise ValueError(
                f"the input box {side} reaches beyond ±{float(f32.max) / 2:.2g}, half of "
                "float32's range (the network's precision; centring it would overflow): "
                "shrink it"
            )
        steps = (b - a) / float(np.spacing(np.float32(max(abs(a), abs(b)))))  # float32 steps
        if 2.0 / (b - a) > float(f32.max):
            raise ValueError(
                f"the input box {side} is too narrow for float32, the network's precision "
                f"(its width {b - a:.3g} makes the input scaling overflow): widen it"
            )
        if steps < MIN_FLOAT32_STEPS:
            raise ValueError(
                f"the input box {side} holds about {counted(int(steps) + 1, 'distinct value')} "
                f"in float32, the network's precision (it needs {MIN_FLOAT32_STEPS:,}): "
                "widen it or move it towards 0"
            )
