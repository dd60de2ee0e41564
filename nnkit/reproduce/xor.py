"""The XOR page's result as a script: the chosen network beside one neuron.

Written against :mod:`nnkit.xor`'s public names (``fit_xor``, ``output_field``,
``xor_reference_accuracy``) and :func:`nnkit.plots.xor.decision_boundary`.
"""

from __future__ import annotations

from collections.abc import Sequence

from nnkit.reproduce import Code, Script, call

__all__ = ["xor_script"]


def xor_script(
    hidden: Sequence[int],
    *,
    activation: str = "tanh",
    lr: float = 0.1,
    epochs: int = 300,
    seed: int = 0,
    n_samples: int | None = None,
    noise: float = 0.0,
) -> Script:
    """The XOR page's result as a script: the chosen network beside one neuron.

    It trains both with :func:`nnkit.xor.fit_xor`, prints their training accuracy beside the
    ideal rule's and saves the chosen network's decision boundary.

    Parameters
    ----------
    hidden : sequence of int
        Hidden widths of the chosen network.
    activation, lr, epochs, seed
        As for :func:`nnkit.xor.fit_xor`.
    n_samples : int, optional
        Noisy XOR with this many points (None: the 4-point truth table).
    noise : float
        Jitter of the noisy points.

    Returns
    -------
    nnkit.reproduce.Script
    """
    from nnkit.datasets import xor
    from nnkit.xor import fit_xor  # looked up per call (its defaults are what the script omits)

    data = "xor()" if n_samples is None else call("xor", xor, n_samples=int(n_samples), noise=noise)
    recipe = {"activation": activation, "lr": float(lr), "epochs": int(epochs), "seed": int(seed)}
    hidden = tuple(int(h) for h in hidden)
    network = call("fit_xor", fit_xor, Code("X"), Code("y"), hidden, prefix="network = ", **recipe)
    neuron = call("fit_xor", fit_xor, Code("X"), Code("y"), (), prefix="neuron = ", **recipe)
    code = f"""\
from nnkit.datasets import xor
from nnkit.plots.xor import decision_boundary
from nnkit.xor import fit_xor, output_field, xor_reference_accuracy

X, y = {data}
{network}
{neuron}
print(f"your network ({{network.architecture}}): training accuracy {{network.accuracy:.1%}}")
print(f"no hidden layer (one neuron): training accuracy {{neuron.accuracy:.1%}}")
print(f"reference, the ideal rule: {{xor_reference_accuracy(X, y):.1%}}")
field = output_field(network.grid)
chart = decision_boundary(field.grid, X, y, title=f"your network: {{network.architecture}}")
chart.save("xor.html")
"""
    data_text = (
        "the 4 points of XOR's truth table"
        if n_samples is None
        else f"{n_samples} noisy XOR points"
    )
    return Script(
        code=code,
        explanation=(
            f"**XOR** (lecture 1, exercise 2): a network with hidden layers {list(hidden)} "
            f"and a single neuron, both trained with full-batch Adam (lr {float(lr):g}, "
            f"{int(epochs)} epochs, seed {int(seed)}) on {data_text}. A line cannot separate "
            "XOR; one hidden layer can."
        ),
        name="xor",
        chart="chart",
    )
