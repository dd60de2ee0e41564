"""Number formatting for what pages show (metrics, captions, tables)."""

from __future__ import annotations

import math

__all__ = ["fixed", "number", "significant"]


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


def significant(value: float | None, digits: int = 4) -> str:
    """``value`` to ``digits`` significant digits, scientific when tiny or huge ("n/a" for none).

    For losses and errors that span many orders of magnitude: ``0.01234``, ``1.234e-07``.

    Parameters
    ----------
    value : float or None
        The number (None, NaN and infinities read "n/a", "nan", "inf").
    digits : int, default 4
        Significant digits.

    Returns
    -------
    str
    """
    if value is None:
        return "n/a"
    if not math.isfinite(value):
        return "n/a" if math.isnan(value) else ("inf" if value > 0 else "-inf")
    if value == 0 or 1e-3 <= abs(value) < 1e4:
        return f"{value:.{digits}g}"
    return f"{value:.{digits - 1}e}"


def fixed(value: float | None, decimals: int = 4) -> str:
    """``value`` with ``decimals`` decimals and thousands separators ("n/a" for none or NaN).

    Parameters
    ----------
    value : float or None
        The number.
    decimals : int, default 4
        Decimals shown.

    Returns
    -------
    str
    """
    if value is None or not math.isfinite(value):
        return "n/a"
    return f"{value:,.{decimals}f}"
