"""What a sweep shows, computed from it: findings as data, and the page's sentences.

:func:`findings` reads a :class:`Sweep` and returns what it shows as
:class:`Finding` s: a ``kind``, the methods it is about, the variant of the
observation (``flags``) and the sentence for the page. Nothing is canned: every
number and every variant comes from the sweep, so a finding that does not hold is
not made.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import pandas as pd

from nnkit.finite_diff.sweep import Sweep

__all__ = ["Finding", "findings", "what_you_see"]

#: Fitted slopes further than this from the theory are called off.
SLOPE_TOLERANCE = 0.3
#: A measured bottom this many times above E* is called an optimistic model.
OPTIMISTIC = 5.0


@dataclass(frozen=True)
class Finding:
    """One observation about a sweep.

    Attributes
    ----------
    kind : str
        What it is about: ``"not smooth"``, ``"slopes"`` (fitted orders),
        ``"slopes off"`` (fitted orders away from the theory), ``"exact"`` (no
        truncation error for this f), ``"best"`` (the most accurate finite
        difference), ``"complex step"`` or ``"autodiff"``.
    methods : tuple of str
        The methods it is about.
    flags : frozenset of str
        Which variant holds. ``"not smooth"``: ``"overflow"`` (derivatives overflow,
        no kink). ``"slopes"``: ``"order raised"`` (some order at x0 exceeds the
        stencil's). ``"best"``: ``"h* beyond plot"``, ``"unrecoverable"`` (no small
        step recovers the derivative), ``"widen range"``, ``"round-off below h*"``,
        ``"optimistic model"`` (bottom above E* by more than :data:`OPTIMISTIC`),
        ``"no round-off wall"`` (f(x0) = 0 at x0 = 0), ``"exact"`` (error 0).
        ``"complex step"``: ``"truncation"`` (its worst error at h ≤ 1e-8 is
        truncation, not round-off).
    text : str
        The sentence for the page.
    """

    kind: str
    methods: tuple[str, ...] = ()
    flags: frozenset[str] = field(default_factory=frozenset)
    text: str = ""


def what_you_see(sweep: Sweep) -> list[str]:
    """Say what the sweep shows, in sentences computed from it (the page's note).

    Parameters
    ----------
    sweep : Sweep
        From :func:`error_sweep`.

    Returns
    -------
    list of str
        The :attr:`Finding.text` of each of :func:`findings`.
    """
    return [f.text for f in findings(sweep)]


def findings(sweep: Sweep) -> list[Finding]:
    """Read a sweep: slopes, exact stencils, the best step, complex step and autodiff.

    Parameters
    ----------
    sweep : Sweep
        From :func:`error_sweep`.

    Returns
    -------
    list of Finding
        In the order the page shows them.
    """
    out = []
    fd = sweep.summary[sweep.summary.method.isin(list(sweep.stencils))]
    if not sweep.smooth:
        out.append(_not_smooth(sweep))
        fd = fd.iloc[0:0]
    fitted = fd.dropna(subset=["fitted_order"])
    if not fitted.empty:
        out.append(_slopes(fitted))
        off = fitted[(fitted.fitted_order - fitted.order_here).abs() > SLOPE_TOLERANCE]
        if not off.empty:
            out.append(
                Finding(
                    "slopes off",
                    tuple(off.method),
                    text=(
                        f"{', '.join(off.method)}: the fitted slope is off the theory because "
                        "the window where the leading Taylor term alone sets the error is "
                        "narrow here: rounding is still felt at small h and the next Taylor "
                        "terms at large h (typical of high orders and high derivatives)."
                    ),
                )
            )
    exact = fd[fd.fitted_order.isna() & fd.h_star.isna()]
    if not exact.empty:
        out.append(
            Finding(
                "exact",
                tuple(exact.method),
                text=(
                    f"{', '.join(exact.method)}: no truncation error for this f at this "
                    "point (the Taylor term the stencil neglects vanishes, e.g. a low-degree "
                    "polynomial), so only round-off is left and the error grows as h shrinks."
                ),
            )
        )
    valid = fd.dropna(subset=["e_best"])
    if not valid.empty:
        out.append(_best(sweep, valid.loc[valid.e_best.idxmin()]))
    flat = sweep.summary[~sweep.summary.method.isin(list(sweep.stencils))]
    for r in flat.itertuples():
        if r.method == "complex step" and math.isfinite(r.e_best):
            out.append(_complex_step(sweep))
        if str(r.method).startswith("autodiff") and math.isfinite(r.e_best):
            out.append(
                Finding(
                    "autodiff",
                    (str(r.method),),
                    text=(
                        f"{r.method}: no h at all, the chain rule on exact local "
                        "derivatives; "
                        + (
                            "its result is exact (error 0)."
                            if r.e_best == 0
                            else f"error {r.e_best:.1e}."
                        )
                    ),
                )
            )
    return out


def _not_smooth(sweep: Sweep) -> Finding:
    if sweep.overflow:
        text = (
            "f's derivatives overflow double precision at this point (f changes on a "
            "scale far below any plotted h), so the Taylor argument behind every formula "
            "fails here: no step in range resolves f's variation, and the error need not "
            "shrink like h^p."
        )
    else:
        text = (
            "f is not smooth at this point, so the Taylor argument behind every "
            "formula fails: the error need not shrink like h^p (one-sided formulas "
            "approach a one-sided slope, not the derivative sympy reports)."
        )
    flags = frozenset({"overflow"}) if sweep.overflow else frozenset()
    return Finding("not smooth", tuple(sweep.stencils), flags, text)


def _slopes(fitted: pd.DataFrame) -> Finding:
    parts = [
        f"{r.method}: slope {r.fitted_order:.2f} (theory {int(r.order_here)}"
        + (
            f", not {int(r.order)}: f's derivative in the O(h^{int(r.order)}) term is 0 at this x₀)"
            if r.order_here != r.order
            else ")"
        )
        for r in fitted.itertuples()
    ]
    raised = bool((fitted.order_here != fitted.order).any())
    return Finding(
        "slopes",
        tuple(fitted.method),
        frozenset({"order raised"}) if raised else frozenset(),
        "On the right of the V the error falls as h^p: " + "; ".join(parts) + ".",
    )


def _best(sweep: Sweep, best: pd.Series) -> Finding:
    flags: set[str] = set()
    star = (
        f"; theory: h* = {best.h_star:.1e}, E* = {best.e_star:.1e}"
        if math.isfinite(best.h_star)
        else ""
    )
    h_top = float(sweep.data.h.max()) if not sweep.data.empty else math.nan
    if math.isfinite(best.h_star) and best.h_star > h_top:
        flags.add("h* beyond plot")
        tail = f". That h* lies beyond the largest plotted step ({h_top:.0e})"
        if best.h_star > 1 and best.e_best >= 0.1 * abs(sweep.exact):
            # tanh at 30, sin at 1e17: x0 + h rounds back to x0 or f barely moves.
            flags.add("unrecoverable")
            tail += (
                ": no small step recovers this derivative in double precision (x₀ + h "
                "rounds to x₀, or f barely changes), so even the best error is "
                f"{best.e_best / abs(sweep.exact):.0%} of |exact|."
                if sweep.exact
                else "."
            )
        else:
            flags.add("widen range")
            tail += ": widen the h range to see the bottom of the V."
    elif math.isfinite(best.h_star):
        flags.add("round-off below h*")
        tail = ". Going below that h only adds round-off."
        ratio = best.e_best / best.e_star if best.e_star > 0 else math.nan
        if math.isfinite(ratio) and ratio > OPTIMISTIC:
            # d = 6, accuracy 10: the bottom sits at h ~ 0.05, where the Taylor terms
            # after the leading one are not small; the one-term model is too optimistic.
            flags.add("optimistic model")
            tail += (
                f" The measured bottom is {ratio:.0f}× above E*: near h* the Taylor "
                "terms after the leading one are not negligible (common for high "
                "derivatives and orders), so the one-term model is too optimistic there."
            )
    elif sweep.f0 == 0 and sweep.x0 == 0:
        flags.add("no round-off wall")
        tail = (
            ". There is no round-off wall here: f(x₀) = 0 at x₀ = 0, so every sample "
            "is rounded relative to its own small size."
        )
    else:
        tail = "."
    if best.e_best == 0:
        flags.add("exact")
    size = "0 (exact in double precision)" if best.e_best == 0 else f"{best.e_best:.1e}"
    return Finding(
        "best",
        (str(best.method),),
        frozenset(flags),
        f"The most accurate finite difference here is {best.method}: about "
        f"{size} at h ≈ {best.h_best:.1e}{star}{tail}",
    )


def _complex_step(sweep: Sweep) -> Finding:
    tiny = sweep.data[(sweep.data.method == "complex step") & (sweep.data.h <= 1e-8)]
    worst = float(tiny.error.max()) if not tiny.empty else math.nan
    rel = worst / abs(sweep.exact) if sweep.exact else math.nan
    text = "The complex step has no subtraction, so no round-off wall: for every h ≤ 1e-8 " + (
        "its result is exact (error 0)."
        if worst == 0
        else f"its error is at most {worst:.1e}"
        + (f" ({rel:.1e} relative)." if math.isfinite(rel) else ".")
    )
    flags: frozenset[str] = frozenset()
    if math.isfinite(rel) and rel > 1e-6:
        # sqrt at 1e-10: h = 1e-8 is far from small next to x0's own scale.
        first = tiny.loc[tiny.h.idxmin()]
        flags = frozenset({"truncation"})
        text += (
            " That worst case is truncation, not round-off: h = 1e-8 is not small "
            "on the scale where f changes near this x₀; at h = "
            f"{first.h:.1e} the error is {first.error:.1e}."
        )
    return Finding("complex step", ("complex step",), flags, text)
