"""Float64 arithmetic that never raises, with torch's results at the edge points.

Python's ``math`` raises where IEEE arithmetic (and torch) return ``inf`` or ``nan``:
``1 / 0``, ``0.0 ** -1``, ``math.exp(1000)``, ``math.log(0)``. The engine's nodes use
these helpers instead, so a formula evaluated at an edge point gives the same value
as torch in float64.
"""

from __future__ import annotations

import math

INF = math.inf
NAN = math.nan


def div(a: float, b: float) -> float:
    """IEEE division: ``a / 0`` is ``±inf`` (or ``nan`` for ``0 / 0``) instead of raising."""
    try:
        return a / b
    except ZeroDivisionError:
        if a == 0.0 or a != a:
            return NAN
        return math.copysign(INF, a) * math.copysign(1.0, b)


def pow_(a: float, b: float) -> float:
    """IEEE/torch ``pow`` for floats: never complex, never raises."""
    try:
        r = a**b
    except ZeroDivisionError:  # 0.0 ** negative
        return math.copysign(INF, a) if is_odd_integer(b) else INF
    except OverflowError:
        if a < 0:
            if not (math.isfinite(b) and b == int(b)):
                return NAN  # negative base, non-integer exponent
            return -INF if is_odd_integer(b) else INF
        return INF
    if r.__class__ is complex:  # negative base, non-integer exponent
        return NAN
    return float(r)


def is_odd_integer(b: float) -> bool:
    """Tell whether a finite float is an odd integer (``3.0``, ``-1.0``)."""
    return math.isfinite(b) and b == int(b) and int(b) % 2 == 1


def exp(a: float) -> float:
    """``exp(a)``; ``inf`` on overflow."""
    try:
        return math.exp(a)
    except OverflowError:
        return INF


def log(a: float) -> float:
    """Natural log; ``-inf`` at 0, ``nan`` for a negative number or ``nan``."""
    if a > 0.0:
        return math.log(a)
    if a == 0.0:
        return -INF
    return NAN  # negative or nan
