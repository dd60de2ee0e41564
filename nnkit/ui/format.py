"""Number formatting for what pages show (metrics, captions, tables)."""

from __future__ import annotations

import math

__all__ = ["number"]


def number(value: float, decimals: int = 5, big: float = 1e4, digits: int = 4) -> str:
    """``value`` with ``decimals`` decimals, or ``digits`` significant digits once it is big.

    A parameter that has blown up (a diverging run) then reads ``3.142e+05`` instead of
    a line of digits.

    Parameters
    ----------
    value : float
        The number.
    decimals : int, default 5
        Decimals below ``big``.
    big : float, default 1e4
        From this absolute value on, significant digits are shown instead.
    digits : int, default 4
        Significant digits from ``big`` on (and for inf and nan).

    Returns
    -------
    str
    """
    if math.isfinite(value) and abs(value) < big:
        return f"{value:.{decimals}f}"
    return f"{value:.{digits}g}"
