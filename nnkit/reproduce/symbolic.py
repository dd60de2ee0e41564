"""The Symbolic distillation page's result as a script: train (or read), then distil.

Two sources have a script: a network trained on the page (:func:`symbolic_script`)
and a CSV file (:func:`symbolic_csv_script`). Written against the page's calls
(:func:`nnkit.symbolic.networks.train_network`, :func:`nnkit.symbolic.distill`).
Genetic programming searches for a time budget, so its formula depends on the
machine's speed: its result gets a note, not a script (with "both", the script
reproduces the grammar search the page shows first).
"""

from __future__ import annotations

from collections.abc import Sequence

from nnkit.reproduce import Code, NotReproducible, Script, call, literal

__all__ = ["symbolic_csv_script", "symbolic_script"]

_TIMED = (
    "genetic programming searches for a time budget, so its formula depends on the machine's speed."
)

_SEARCH = """\
print(result.message)
print(f"f = {result.best.text}")
print(f"complexity {result.best.complexity}, relative error {percent(result.best.nrmse)}")
print(f"{result.library_size} formulas fitted")
candidates = pd.DataFrame(
    [(c.complexity, c.nrmse, c.text) for c in result.candidates],
    columns=["complexity", "nrmse", "formula"],
)
chart = pareto_chart(candidates, result.front, threshold=result.info.get("threshold"))
chart.save("symbolic.html")
"""


def _problem(key: str, formula: str, lo: float, hi: float, seed: int) -> tuple[str, str]:
    """``(import line, expression)`` of the target the page's network learns."""
    names = {"rastrigin1": "RASTRIGIN_1D", "rastrigin2": "RASTRIGIN"}
    if key in names:
        return f"from nnkit.symbolic.problems import {names[key]}", names[key]
    if key.startswith("nguyen"):
        return "from nnkit.symbolic.problems import NGUYEN", f"NGUYEN[{int(key[6:]) - 1}]"
    box = literal((float(lo), float(hi)))
    if key == "noise":
        return (
            "from nnkit.symbolic.problems import pure_noise",
            f"pure_noise(1, {box}, {int(seed)})",
        )
    if key == "formula":
        text = f"parse({literal(formula)}, {literal(('x', 'y'))})"
        return (
            "from nnkit.expr import parse\nfrom nnkit.symbolic.problems import problem_from_formula",
            f"problem_from_formula({text}, {box})",
        )
    raise NotReproducible(f"no script for the target {key!r}.")


def symbolic_script(
    key: str,
    formula: str,
    lo: float,
    hi: float,
    n_samples: int,
    noise: float,
    epochs: int,
    fourier: bool,
    seed: int,
    *,
    method: str = "grammar",
    stop_reason: str = "completed",
    time_budget: float = 20.0,
) -> Script:
    """The page's network trained on a target, distilled into a formula.

    It trains the network as the page does, prints its training error, the search's
    verdict, the formula and its complexity and R², whether it equals the truth, and
    the network's and the formula's R² inside and outside the training domain, and
    saves the Pareto chart.

    Parameters
    ----------
    key : str
        The page's target (``"rastrigin1"``, ``"rastrigin2"``, ``"nguyen1"`` ...
        ``"nguyen12"``, ``"noise"``, ``"formula"``).
    formula : str
        The typed formula (for ``"formula"``).
    lo, hi : float
        The domain (for ``"formula"`` and ``"noise"``).
    n_samples, noise, epochs, fourier, seed
        The network's settings on the page.
    method : {"grammar", "gplearn", "both"}
        The page's search.
    stop_reason : str
        Why the network's training ended (its ``TrainResult.stop_reason``).
    time_budget : float
        The search's time budget on the page.

    Returns
    -------
    Script

    Raises
    ------
    NotReproducible
        For a genetic-programming result, a network cut short by the time cap, or a
        target that cannot be built.
    """
    from nnkit.expr import FormulaError, parse
    from nnkit.symbolic.networks import train_network
    from nnkit.symbolic.problems import NGUYEN, RASTRIGIN

    if method == "gplearn":
        raise NotReproducible(_TIMED)
    if stop_reason not in ("completed",):
        raise NotReproducible(
            f"the network's training was cut short ({stop_reason}); the script would train "
            "it longer."
        )
    if key == "formula":
        try:
            parse(formula, ("x", "y"))
        except FormulaError as err:
            raise NotReproducible(f"the formula does not parse ({err}).") from None
    imports, problem = _problem(key, formula, lo, hi, seed)
    if key == "formula":
        two_d = "y" in {s.name for s in parse(formula, ("x", "y")).sympy.free_symbols}
    elif key.startswith("nguyen"):
        two_d = len(NGUYEN[int(key[6:]) - 1].domain) == 2
    else:
        two_d = key == "rastrigin2" and len(RASTRIGIN.domain) == 2
    features = (64 if two_d else 32) if fourier else 0
    net = call(
        "train_network",
        train_network,
        Code("problem"),
        Code("problem.domain"),
        prefix="net = ",
        n_samples=int(n_samples),
        noise=float(noise),
        hidden=(128, 128) if two_d and fourier else (64, 64),
        fourier_features=features,
        fourier_scale=3.0 if features else 1.0,
        epochs=int(epochs),
        lr=2e-3 if fourier else 3e-3,
        seed=int(seed),
    )
    names = (
        "distill, percent"
        if key == "noise"
        else "check_equivalence, compare_functions, distill, percent, widen_domain"
    )
    nnkit_imports = [
        "from nnkit.plots.symbolic import pareto_chart",
        f"from nnkit.symbolic import {names}",
        "from nnkit.symbolic.networks import train_network",
        *imports.split("\n"),
    ]
    budget = "" if time_budget == 20.0 else f", time_budget={time_budget:g}"
    code = f"""\
import pandas as pd

{chr(10).join(sorted(nnkit_imports))}

problem = {problem}
{net}
print(f"network: epochs trained {{net.epochs}}, relative training error {{percent(net.train_error)}}")
domain = problem.domain
result = distill(net, domain, problem.variables, accuracy=net.train_error, data=(net.X, net.y){budget})
"""
    if key != "noise":
        code += """\
if result.found:
    same = check_equivalence(result.best.expr, problem.truth, domain)
    print(f"equals the truth: {same.equivalent} (largest difference {same.max_abs_diff:.1e})")
functions = {"truth": problem, "network": net, "formula": result.predict}
scores = compare_functions(functions, domain, widen_domain(domain), "truth").scores
print(scores.to_string(index=False))
"""
    code += _SEARCH
    if key == "noise":
        code = code.replace(
            "check_equivalence, compare_functions, distill, widen_domain", "distill"
        )
    return Script(
        code=code,
        explanation=(
            "**Symbolic distillation** (lecture 3): a network trained on "
            f"{_target_name(key, formula)} ({int(n_samples)} "
            f"samples, {int(epochs)} epochs{', Fourier features' if fourier else ''}, seed "
            f"{int(seed)}) is distilled into a closed-form formula: a grammar search, simplest "
            "formulas first, split into parts by the structure the network's gradients reveal; "
            "the formula is checked against the truth inside and outside the training domain."
            + (
                " (The page's genetic-programming search is time-boxed: not in the script.)"
                if method == "both"
                else ""
            )
        ),
        name="symbolic",
        chart="chart",
    )


def symbolic_csv_script(
    csv: str,
    inputs: Sequence[str],
    output: str,
    *,
    method: str = "grammar",
    time_budget: float = 20.0,
) -> Script:
    """A CSV's columns distilled into a formula (no network).

    Parameters
    ----------
    csv : str
        The uploaded file's name (the user edits the path).
    inputs : sequence of str
        One or two input columns (``x``, then ``y``).
    output : str
        The output column.
    method : {"grammar", "gplearn", "both"}
        The page's search.
    time_budget : float
        The search's time budget on the page.

    Returns
    -------
    Script

    Raises
    ------
    NotReproducible
        For a genetic-programming result.
    """
    if method == "gplearn":
        raise NotReproducible(_TIMED)
    inputs = [str(c) for c in inputs]
    variables = ["x"] if len(inputs) == 1 else ["x", "y"]
    code = (
        f"""\
import pandas as pd

from nnkit.plots.symbolic import pareto_chart
from nnkit.symbolic import distill, percent
from nnkit.tabular import load_csv

table = load_csv({literal(str(csv))})  # the file you uploaded: put its path here
inputs = {literal(inputs)}
frame = table.frame[inputs + [{literal(str(output))}]].dropna()
X, y = frame[inputs].to_numpy(float), frame[{literal(str(output))}].to_numpy(float)
domain = [(frame[c].min(), frame[c].max()) for c in inputs]
result = distill((X, y), domain, {literal(variables)}{"" if time_budget == 20.0 else f", time_budget={time_budget:g}"})
"""
        + _SEARCH
    )
    return Script(
        code=code,
        explanation=(
            f"**Symbolic distillation** (lecture 3) of the data in `{csv}`: "
            f"{', '.join(inputs)} → {output}, searched by a grammar search, simplest "
            "formulas first (the data themselves, no network)."
        ),
        name="symbolic",
        chart="chart",
    )


def _target_name(key: str, formula: str) -> str:
    """How the explanation names the target."""
    from nnkit.symbolic.problems import NGUYEN, RASTRIGIN, RASTRIGIN_1D

    if key == "formula":
        return f"your formula `{formula}`"
    if key.startswith("nguyen"):
        p = NGUYEN[int(key[6:]) - 1]
        return f"{p.name} ({p.truth})"
    named = {"rastrigin1": RASTRIGIN_1D, "rastrigin2": RASTRIGIN}
    return named[key].name if key in named else "pure noise (there is no formula)"
