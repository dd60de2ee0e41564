"""The PINN page's trained result as a script: the problem, the preset and what was changed."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from nnkit.pinn.config import PINNConfig
from nnkit.reproduce import Code, NotReproducible, Script, call, changed_fields, literal

__all__ = ["pinn_script"]

_CLASSES = {
    "poisson": "Poisson",
    "oscillator": "Oscillator",
    "oscillator_inverse": "Oscillator",
    "heat": "Heat",
    "burgers": "Burgers",
    "ode": "FirstOrderODE",
}


def _problem_code(key: str, params: Mapping[str, Any]) -> str:
    """``problem = <Class>(...)`` with the parameters that differ from the class's defaults."""
    from nnkit import pinn
    from nnkit.pinn.presets import DEFAULT_PARAMS

    name = _CLASSES[key]
    cls = getattr(pinn, name)
    p = {**DEFAULT_PARAMS[key], **params}
    if key == "ode":
        formula = Code(f"parse({literal(str(p['f']))}, {literal(('t', 'u'))})")
        return call(
            name, cls, formula, prefix="problem = ", u0=float(p["u0"]), t_end=float(p["t_end"])
        )
    kwargs: dict[str, Any] = {k: v for k, v in p.items() if k not in ("n_obs",)}
    if key == "oscillator_inverse":
        kwargs = {"inverse": True, **kwargs, "n_obs": int(p["n_obs"])}
    kwargs = {
        k: (float(v) if k != "n_obs" and not isinstance(v, bool) else v) for k, v in kwargs.items()
    }
    return call(name, cls, prefix="problem = ", **kwargs)


def _base(key: str, setup: str) -> tuple[str, str, PINNConfig]:
    """``(import line, expression, config)`` of the preset the page's settings start from."""
    from nnkit.pinn import presets

    if setup == "paper":
        return "PAPER_BURGERS_BFGS", "PAPER_BURGERS_BFGS", presets.PAPER_BURGERS_BFGS
    return "QUICK", f"QUICK[{literal(key)}]", presets.QUICK[key]


def pinn_script(
    key: str,
    params: Mapping[str, Any],
    config: PINNConfig,
    *,
    setup: str = "quick",
    epochs_done: int | None = None,
    stop_reason: str = "completed",
) -> Script:
    """The script that trains the page's PINN and prints what the page says after training.

    It prints the relative L2 error against the reference, the largest error and
    where, the identified coefficient beside the best estimate from the exact
    solution (inverse problem), and the mean residual, and saves the page's picture
    (the solution for one input, network / reference / error maps for two).

    Parameters
    ----------
    key : str
        A key of :data:`nnkit.pinn.presets.PROBLEM_KEYS`.
    params : mapping
        The problem's parameters as the page passes them to
        :func:`~nnkit.pinn.presets.make_problem` (``"f"``: the ODE's formula text).
    config : PINNConfig
        The page's settings.
    setup : {"quick", "paper"}
        The preset they start from: :data:`~nnkit.pinn.presets.QUICK` or, for
        Burgers, the paper's :data:`~nnkit.pinn.presets.PAPER_BURGERS_BFGS`.
    epochs_done : int, optional
        Epochs the page's run trained (default: the whole schedule).
    stop_reason : str
        Why it ended (:data:`nnkit.training.STOP_REASONS`).

    Returns
    -------
    Script

    Raises
    ------
    NotReproducible
        For a run stopped, capped or continued before the end of its schedule, or a
        problem that cannot be built (a formula that does not parse ...).
    """
    from nnkit.expr import FormulaError
    from nnkit.pinn.presets import make_problem
    from nnkit.training import STOP_REASONS

    total = int(config.adam_epochs) + int(config.lbfgs_epochs)
    done = total if epochs_done is None else int(epochs_done)
    if stop_reason != "completed" or done != total:
        why = STOP_REASONS.get(stop_reason, stop_reason) if stop_reason != "completed" else ""
        raise NotReproducible(
            f"this run trained {done} of {total} epochs"
            + (f" ({why})" if why else " (continued)")
            + "; the script runs the whole schedule: let a run finish to get it."
        )
    try:
        problem = make_problem(key, dict(params))
    except (ValueError, FormulaError) as err:
        raise NotReproducible(f"this problem cannot be built ({err}).") from None
    base_name, base_expr, base = _base(key, setup)
    same_weights = all(
        config.weight(t) == base.weight(t) for t in {*dict(config.weights), *dict(base.weights)}
    )
    changed = changed_fields(
        replace(config, weights=base.weights) if same_weights else config, base
    )
    config_line = (
        call("replace", replace, Code(base_expr), prefix="config = ", **changed)
        if changed
        else f"config = {base_expr}"
    )
    cls = _CLASSES[key]
    two_d = len(problem.lows) == 2
    head = "from dataclasses import replace\n\n" if changed else ""
    head += "from nnkit.expr import parse\n" if key == "ode" else ""
    head += f"""\
from nnkit.pinn import PINN, {cls}
from nnkit.pinn.presets import {base_name}
from nnkit.plots import pinn as plots

"""
    code = (
        head
        + f"""\
{_problem_code(key, params)}
{config_line}
pinn = PINN(problem, config)
pinn.run()
report = pinn.report()
print(f"relative L2 error: {{report.rel_l2:.2e}} after {{pinn.epochs_done}} epochs ({{pinn.steps_done}} steps)")
where = ", ".join(f"{{name}} = {{value:.3f}}" for name, value in report.where.items())
print(f"largest error: {{report.max_abs_error:.2e}} at {{where}}")
"""
    )
    if key == "oscillator_inverse":
        code += """\
estimate, true = report.coefficients["mu"]
print(f"estimated μ = {estimate:.4f} vs true {true:g}")
print(f"μ fitted with the exact solution to the same data: {problem.least_squares_mu():.4f}")
"""
    code += """\
print(f"mean |residual| on the grid: {report.mean_abs_residual:.2e} ({report.n_points} points)")
"""
    if two_d:
        code += "chart = plots.fields_row(pinn.field_frame())\n"
    else:
        code += "chart = plots.solution_1d_chart(pinn.field_frame(), pinn.points_frame())\n"
    code += 'chart.save("pinn.html")\n'
    return Script(
        code=code,
        explanation=(
            f"**Physics-informed neural network** (lecture 2): {problem.title}, "
            f"${problem.equation}$. A network of hidden layers {list(config.hidden)} "
            f"({config.activation}) is trained for {int(config.adam_epochs)} Adam and "
            f"{int(config.lbfgs_epochs)} quasi-Newton epochs so that the equation's residual "
            "vanishes at the collocation points, then compared with the reference solution."
        ),
        name="pinn",
        chart="chart",
    )
