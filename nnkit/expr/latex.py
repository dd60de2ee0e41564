"""Long LaTeX, broken over aligned lines (a high derivative does not fit on one)."""

from __future__ import annotations

import sympy

__all__ = ["latex_lines"]


def latex_lines(expr: sympy.Expr, lhs: str, width: int = 90, max_terms: int = 40) -> str:
    """``lhs = expr`` in LaTeX, broken over several aligned lines when it is long.

    A long product such as ``(a + b + c)·e^{-x^2}`` is first distributed into a sum
    (never expanding powers of sums, so ``(x+1)^{1000}`` stays as it is); the terms
    are then packed into lines of about ``width`` LaTeX characters. Short
    expressions, or ones that would distribute into more than ``max_terms`` terms,
    are returned on one line.

    Parameters
    ----------
    expr : sympy.Expr
        The right-hand side.
    lhs : str
        The left-hand side, in LaTeX (e.g. ``"f'(x)"``).
    width : int, default 90
        Target line length in LaTeX characters.
    max_terms : int, default 40
        Most terms spread over lines.

    Returns
    -------
    str
        ``lhs = ...`` on one line, or an ``aligned`` environment.
    """
    tex = sympy.latex(expr)
    if len(tex) <= width:
        return f"{lhs} = {tex}"
    spread = sympy.expand(
        expr, mul=True, multinomial=False, power_exp=False, power_base=False, log=False
    )
    terms = spread.as_ordered_terms() if spread.is_Add else [spread]
    if len(terms) > max_terms or len(terms) < 2:
        return f"{lhs} = {tex}"
    lines: list[str] = []
    current = ""
    for k, term in enumerate(terms):
        if k == 0:
            piece = sympy.latex(term)
        elif term.could_extract_minus_sign():
            piece = "- " + sympy.latex(-term)
        else:
            piece = "+ " + sympy.latex(term)
        if current and len(current) + len(piece) > width:
            lines.append(current)
            current = piece
        else:
            current = f"{current} {piece}".strip()
    lines.append(current)
    body = r" \\ &\quad ".join(lines)
    return rf"\begin{{aligned}} {lhs} = {{}} & {body} \end{{aligned}}"
