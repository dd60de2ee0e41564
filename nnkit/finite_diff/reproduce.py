"""The Derivatives page's result as a script: the error sweep with the page's settings."""

from __future__ import annotations

from collections.abc import Sequence

from nnkit.reproduce import Code, NotReproducible, Script, call, literal

__all__ = ["derivatives_script"]


def derivatives_script(
    formula: str,
    x0: float,
    derivative: int,
    schemes: Sequence[tuple[str, int]],
    h_range: tuple[float, float],
    *,
    complex_step: bool,
    autodiff: bool,
    engine: bool,
    model: bool = True,
    h: float | None = None,
) -> Script:
    """The script that prints the Derivatives page's figures and saves its error plot.

    It prints f(x₀), the exact derivative, the summary table (fitted order, optimal
    and best step, smallest error per scheme), the page's "what you see" sentences
    and each scheme's estimate at the one step ``h``.

    Parameters
    ----------
    formula : str
        f(x) as typed.
    x0 : float
        The point.
    derivative : int
        Derivative order d.
    schemes : sequence of (kind, accuracy)
        The finite-difference schemes (e.g. ``("central", 2)``); may be empty.
    h_range : (float, float)
        Smallest and largest step of the sweep.
    complex_step, autodiff, engine : bool
        Also the complex step, torch's autograd and nnkit's engine.
    model : bool
        Draw the error model's lines on the plot.
    h : float, optional
        The one step of the page's last table (None: no such table).

    Returns
    -------
    Script

    Raises
    ------
    NotReproducible
        If the formula does not parse, the range of h is empty or nothing is chosen.
    """
    from nnkit import finite_diff as fd
    from nnkit.expr import FormulaError, parse
    from nnkit.plots.finite_diff import error_chart

    try:
        parse(formula)
    except FormulaError as err:
        raise NotReproducible(f"the formula does not parse ({err}).") from None
    lo, hi = float(h_range[0]), float(h_range[1])
    if not 0 < lo < hi:
        raise NotReproducible("the range of h is empty.")
    schemes = [(str(k), int(a)) for k, a in schemes]
    if not schemes and not (complex_step or autodiff or engine):
        raise NotReproducible("no method is chosen.")
    d = int(derivative)
    mark = "f" + fd.derivative_notation(d, unicode=True)
    lines = [
        "from nnkit import finite_diff as fd",
        "from nnkit.expr import parse",
        "from nnkit.plots.finite_diff import error_chart",
        "",
        f"f = parse({literal(formula)})",
        f"x0 = {literal(float(x0))}",
    ]
    stencils: Code | None = None
    if schemes:
        lines.append(f"stencils = fd.stencils_for({d}, {literal(schemes)})")
        stencils = Code("stencils")
    default_range = lo == 1e-16 and hi == 1.0  # error_sweep's own steps
    steps = (
        None if default_range else Code(call("fd.default_steps", fd.default_steps, lo=lo, hi=hi))
    )
    lines += [
        call(
            "fd.error_sweep",
            fd.error_sweep,
            Code("f"),
            Code("x0"),
            prefix="sweep = ",
            derivative=d,
            stencils=stencils,
            h=steps,
            complex_step_too=bool(complex_step),
            autodiff_too=bool(autodiff),
            engine_too=bool(engine),
        ),
        'print(f"f(x0) = {sweep.f0:.17g}")',
        f'print(f"exact {mark}(x0) = {{sweep.exact:.17g}}")',
    ]
    if schemes:
        lines.append("print(fd.summary_table(sweep).to_string(index=False))")
    lines += ["for line in fd.what_you_see(sweep):", "    print(line)"]
    if schemes and h is not None and h > 0:  # the page's table needs h > 0
        lines += [
            f"for row in fd.estimates_at(sweep, f, {literal(float(h))}).itertuples():",
            '    print(f"{row.method}: estimate {row.estimate:.17g}, error {row.error:.3e}")',
        ]
    lines += [
        call("error_chart", error_chart, Code("sweep"), prefix="chart = ", model=bool(model)),
        'chart.save("derivatives.html")',
    ]
    return Script(
        code="\n".join(lines) + "\n",
        explanation=(
            "**Derivatives** (lecture 1): the error of finite differences against the exact "
            f"derivative {mark}(x₀) of f(x) = `{formula}` at x₀ = {float(x0):g}, for "
            f"{len(fd.default_steps(200, lo, hi))} steps h from {lo:g} to {hi:g}: "
            "the V of truncation and round-off, and the best step."
        ),
        name="derivatives",
        chart="chart",
    )
