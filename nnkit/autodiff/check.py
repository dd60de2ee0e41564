"""The references beside every gradient: torch.autograd and a central difference.

:func:`check_gradients` puts the engine's gradient of a formula beside torch's
(float64, the same chain rule) and a central finite difference (an independent
estimate, accurate to about 1e-10); :func:`agreement` reads that table back as
plain data and :meth:`Agreement.note` says in one paragraph what it shows.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from nnkit.autodiff.convert import graph_from_formula

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from nnkit.expr import Formula

__all__ = ["Agreement", "agreement", "agreement_note", "check_gradients"]

#: Relative gap to torch (over the largest gradient) still counted as rounding.
ROUNDING = 1e-13


def check_gradients(
    formula: Formula,
    values: Mapping[str, float],
    *,
    engine: Mapping[str, float] | None = None,
) -> pd.DataFrame:
    """Gradient of a formula three ways: this engine, torch.autograd, central difference.

    Parameters
    ----------
    formula : nnkit.expr.Formula
        The function, from :func:`nnkit.expr.parse`.
    values : mapping
        The point, one number per variable.
    engine : mapping of str to float, optional
        The engine's gradients to check, one per variable (e.g.
        :meth:`BackwardTrace.input_grads` of a graph drawn another way). Default:
        build the graph with :func:`graph_from_formula` and run ``backward()``.

    Returns
    -------
    pandas.DataFrame
        One row per variable: ``variable, value, autodiff, torch, central difference,
        step h, |autodiff − torch|, |autodiff − central|``. torch runs in float64. The
        central difference ``(f(x+h) − f(x−h)) / 2h`` uses ``h = ε^(1/3)·max(1, |x|)``
        (ε = 2.2e-16), whose truncation and rounding errors balance near 1e-10
        relative.
    """
    import numpy as np
    import pandas as pd

    from nnkit._torch import torch

    if engine is None:
        graph = graph_from_formula(formula, values)
        graph.output.backward()
        engine = {name: node.grad for name, node in graph.inputs.items()}
    point = [float(values[v]) for v in formula.variables]
    tensors = [torch.tensor(v, dtype=torch.float64, requires_grad=True) for v in point]
    out = formula.torch(*tensors)
    torch_grads: list[float] = [0.0] * len(tensors)
    if out.requires_grad:  # else a constant formula: every gradient is 0
        grads = torch.autograd.grad(out, tensors, allow_unused=True)
        torch_grads = [0.0 if g is None else float(g) for g in grads]
    eps = np.finfo(float).eps
    rows = []
    for k, name in enumerate(formula.variables):
        ours = float(engine[name])
        ref = torch_grads[k]
        h = eps ** (1 / 3) * max(1.0, abs(point[k]))
        plus = list(point)
        minus = list(point)
        plus[k] += h
        minus[k] -= h
        fp = complex(formula.numpy(*plus))
        fm = complex(formula.numpy(*minus))
        fd = (fp.real - fm.real) / (2 * h) if fp.imag == 0 and fm.imag == 0 else math.nan
        rows.append(
            {
                "variable": name,
                "value": point[k],
                "autodiff": ours,
                "torch": ref,
                "central difference": fd,
                "step h": h,
                "|autodiff − torch|": abs(ours - ref),
                "|autodiff − central|": abs(ours - fd),
            }
        )
    return pd.DataFrame(rows)


@dataclass(frozen=True)
class Agreement:
    """What a :func:`check_gradients` table shows, as plain data.

    Attributes
    ----------
    compared : tuple of str
        Variables whose gradient is finite in both the engine and torch.
    gap_torch : float
        Largest ``|autodiff − torch|`` over ``compared`` (nan if none).
    scale : float
        ``max(1, largest |autodiff|)`` over ``compared``: the gap's yardstick.
    gap_central : float
        Largest ``|autodiff − central|`` over the compared variables that have a
        central difference (nan if none).
    no_central : tuple of str
        Compared variables without a central difference (f not finite and real on
        both sides of the point).
    nonfinite : tuple of (str, float, float)
        ``(variable, engine, torch)`` for the gradients that are infinite or nan.
    verdict : {"bit for bit", "rounding", "disagree", "none"}
        How closely the compared gradients match torch ("none": nothing compared).
    """

    compared: tuple[str, ...]
    gap_torch: float
    scale: float
    gap_central: float
    no_central: tuple[str, ...]
    nonfinite: tuple[tuple[str, float, float], ...]
    verdict: Literal["bit for bit", "rounding", "disagree", "none"]

    @property
    def same_ieee(self) -> bool:
        """True if every non-finite gradient is the same IEEE value in both engines."""
        return all(
            (math.isnan(ours) and math.isnan(ref)) or ours == ref for _, ours, ref in self.nonfinite
        )

    def note(self) -> str:
        """Say what the table shows, in sentences computed from the fields.

        Returns
        -------
        str
            Nothing is claimed about a variable that was not compared.
        """
        parts = []
        if self.compared:
            verdict = {
                "bit for bit": "agrees with torch bit for bit",
                "rounding": "agrees with torch to rounding",
                "disagree": "does NOT agree with torch beyond rounding",
            }[self.verdict]
            cd_text = (
                f", to the central difference {self.gap_central:.2e}"
                " (the accuracy a finite difference has)"
                if not math.isnan(self.gap_central)
                else ""
            )
            every = f" (over {', '.join(self.compared)})" if self.nonfinite else ""
            parts.append(
                f"the largest gap to torch is {self.gap_torch:.2e}{every} "
                f"({self.gap_torch / self.scale:.1e} relative to the largest gradient)"
                f"{cd_text}: the engine {verdict}."
            )
            if self.no_central:
                parts.append(
                    f"No central difference for {', '.join(self.no_central)}: f is not "
                    "defined (or not finite) on both sides of the point."
                )
        if self.nonfinite:
            listed = "; ".join(f"{n}: engine {a:g}, torch {b:g}" for n, a, b in self.nonfinite)
            parts.append(
                f"The gradient is infinite or undefined for {listed} (a log or sqrt at or "
                "below 0, a division by 0, an overflow): "
                + (
                    "the engine gives the same IEEE value as torch."
                    if self.same_ieee
                    else "the engine and torch differ here."
                )
            )
        return " ".join(parts)


def agreement(table: pd.DataFrame) -> Agreement:
    """Read a :func:`check_gradients` table: gaps over the finite rows, the others named.

    Parameters
    ----------
    table : pandas.DataFrame
        From :func:`check_gradients`.

    Returns
    -------
    Agreement
        Gaps are taken over the variables whose gradients are finite in both the
        engine and torch; variables with an infinite or undefined (nan) gradient are
        listed separately with both values.
    """
    import numpy as np

    ours = table["autodiff"].to_numpy(float)
    ref = table["torch"].to_numpy(float)
    cd = table["central difference"].to_numpy(float)
    names = [str(n) for n in table["variable"]]
    finite = np.isfinite(ours) & np.isfinite(ref)
    with_cd = finite & np.isfinite(cd)
    gap_t = float(np.max(np.abs(ours[finite] - ref[finite]))) if finite.any() else math.nan
    scale = max(1.0, float(np.max(np.abs(ours[finite])))) if finite.any() else 1.0
    verdict: Literal["bit for bit", "rounding", "disagree", "none"]
    if not finite.any():
        verdict = "none"
    elif gap_t == 0:
        verdict = "bit for bit"
    elif gap_t <= ROUNDING * scale:
        verdict = "rounding"
    else:
        verdict = "disagree"
    return Agreement(
        compared=tuple(n for n, f in zip(names, finite, strict=True) if f),
        gap_torch=gap_t,
        scale=scale,
        gap_central=(
            float(np.max(np.abs(ours[with_cd] - cd[with_cd]))) if with_cd.any() else math.nan
        ),
        no_central=tuple(n for n, f, c in zip(names, finite, with_cd, strict=True) if f and not c),
        nonfinite=tuple(
            (names[k], float(ours[k]), float(ref[k])) for k in range(len(names)) if not finite[k]
        ),
        verdict=verdict,
    )


def agreement_note(table: pd.DataFrame) -> str:
    """Say what a :func:`check_gradients` table shows (the "what you see" note).

    Parameters
    ----------
    table : pandas.DataFrame
        From :func:`check_gradients`.

    Returns
    -------
    str
        :meth:`Agreement.note` of :func:`agreement`.
    """
    return agreement(table).note()
