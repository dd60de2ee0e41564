"""The Automatic differentiation page's result as a script: backward pass and its checks."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from nnkit.reproduce import NotReproducible, Script, literal

__all__ = ["autodiff_script"]


def autodiff_script(
    formula: str,
    variables: Sequence[str],
    values: Mapping[str, float],
    *,
    powers_as_products: bool = False,
) -> Script:
    """The script that prints the page's gradients, their references and the pitfall.

    It builds the engine's graph of the formula at the point, runs ``backward()``,
    prints f and the gradient table beside torch.autograd and a central difference
    (15 digits, as the page), the "what you see" note and the lecture's pitfall table,
    and saves the agreement chart.

    Parameters
    ----------
    formula : str
        The formula as typed.
    variables : sequence of str
        Its variables, in order.
    values : mapping
        The point: a number per variable.
    powers_as_products : bool
        Draw x^2, x^3 as repeated products (the page's checkbox).

    Returns
    -------
    Script

    Raises
    ------
    NotReproducible
        If the formula does not parse or the engine has no node for one of its
        operations.
    """
    from nnkit.autodiff import UnsupportedOperation, graph_from_formula
    from nnkit.expr import FormulaError, parse

    names = tuple(str(v) for v in variables)
    point = {v: float(values[v]) for v in names}
    try:
        graph_from_formula(parse(formula, names), point, powers_as_products=powers_as_products)
    except (FormulaError, UnsupportedOperation, ValueError) as err:
        raise NotReproducible(f"the engine cannot build this formula ({err}).") from None
    products = ", powers_as_products=True" if powers_as_products else ""
    code = f"""\
from nnkit import autodiff as ad
from nnkit.expr import parse
from nnkit.plots.autodiff import agreement_chart

f = parse({literal(formula)}, {literal(names)})
point = {literal(point)}
graph = ad.graph_from_formula(f, point{products})
graph.output.backward()
print(f"f = {{graph.output.value:.10g}}")
grads = {{name: node.grad for name, node in graph.inputs.items()}}
table = ad.check_gradients(f, point, engine=grads)
print(table.to_string(index=False, float_format="{{:.15g}}".format))
print(ad.agreement_note(table))
pitfall = ad.pitfall(graph)
print(pitfall.table.to_string(index=False))
print(pitfall.note())
chart = agreement_chart(table)
chart.save("autodiff.html")
"""
    at = ", ".join(f"{v} = {point[v]:g}" for v in names)
    return Script(
        code=code,
        explanation=(
            "**Automatic differentiation** (lecture 1): nnkit's reverse-mode engine on "
            f"f = `{formula}` at {at}. `backward()` fills every gradient; each is checked "
            "against torch.autograd and a central difference, then the lecture's "
            "`parents.index(node)` pitfall is compared with the fix."
        ),
        name="autodiff",
        chart="chart",
    )
