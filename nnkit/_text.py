"""Counting words in sentences: "1 epoch", "57 epochs", never "57 epoch(s)".

Every sentence nnkit writes about a count it knows uses :func:`counted` (the number and
the noun) or :func:`noun` (the noun alone, e.g. before a list of names).
"""

from __future__ import annotations

__all__ = ["counted", "noun"]


def noun(n: int, singular: str, plural: str | None = None) -> str:
    """``singular`` for one, else ``plural`` (default: ``singular + "s"``).

    >>> noun(1, "column"), noun(3, "column"), noun(2, "value", "values")
    ('column', 'columns', 'values')
    """
    return singular if n == 1 else (plural if plural is not None else singular + "s")


def counted(n: int, singular: str, plural: str | None = None) -> str:
    """The count (with thousands separators) and its noun: ``"1 row"``, ``"1,234 rows"``.

    >>> counted(1, "epoch"), counted(57, "epoch"), counted(0, "row")
    ('1 epoch', '57 epochs', '0 rows')
    """
    return f"{n:,} {noun(n, singular, plural)}"
