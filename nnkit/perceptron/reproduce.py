"""The Perceptron page's training result as a script: Rosenblatt's rule and its references."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from nnkit.reproduce import Code, NotReproducible, Script, call

__all__ = ["perceptron_script"]


def _data_call(name: str, n_samples: int, noise: float, seed: int) -> tuple[str, str]:
    """``(import line, call)`` of the data set ``name`` of :data:`nnkit.datasets.TOY_2D`."""
    from nnkit import datasets as ds

    makers: dict[str, tuple[str, Callable[..., Any], tuple[Any, ...], dict[str, Any]]] = {
        gate: ("logic_gate", ds.logic_gate, (gate,), {}) for gate in ("and", "or", "xor")
    }
    makers["blobs"] = ("separable_blobs", ds.separable_blobs, (), {"margin": 0.3})
    for other in ("circles", "moons", "spiral"):
        makers[other] = (other, getattr(ds, other), (), {})
    if name not in makers:
        raise NotReproducible(f"no script for the data set {name!r}.")
    fn_name, fn, args, fixed = makers[name]
    kw = {"n_samples": int(n_samples), **fixed, "noise": float(noise), "seed": int(seed)}
    # separable_blobs' default margin is the page's 0.3 too: call() drops it then
    return f"from nnkit.datasets import {fn_name}", call(fn_name, fn, *args, prefix="X, y = ", **kw)


def perceptron_script(
    data: str,
    n_samples: int,
    noise: float,
    seed: int,
    lr: float,
    output: str,
    max_epochs: int,
    *,
    stop_reason: str = "",
) -> Script:
    """The script that trains the page's perceptron and prints what the page shows.

    It prints the updates made, the epochs run, the training accuracy beside
    scikit-learn's perceptron, Novikoff's bound and the verdict, and saves the
    picture of the last frame (the learned line over the data).

    Parameters
    ----------
    data : str
        Key of :data:`nnkit.datasets.TOY_2D`.
    n_samples, noise, seed
        The data set's settings (``seed`` also seeds the perceptron's shuffling).
    lr : float
        Learning rate η.
    output : {"heaviside", "sign"}
        The output unit.
    max_epochs : int
        Epoch cap.
    stop_reason : str
        The page's ``Perceptron.stop_reason_``: a run the page's time budget cut
        short has no script (the script would train longer).

    Returns
    -------
    Script

    Raises
    ------
    NotReproducible
        For a run cut short by the time budget or an unknown data set.
    """
    from nnkit.perceptron import Perceptron, convergence_reference, training_verdict

    if "time budget" in stop_reason:
        raise NotReproducible(f"the run was cut short ({stop_reason}).")
    import_data, make_data = _data_call(data, n_samples, noise, seed)
    epochs, seed = int(max_epochs), int(seed)
    perceptron = call(
        "Perceptron", Perceptron, lr=float(lr), max_epochs=epochs, output=output, seed=seed
    )
    reference = call(
        "convergence_reference",
        convergence_reference,
        Code("X"),
        Code("y"),
        max_epochs=epochs,
        seed=seed,
        prefix="reference = ",
    )
    verdict = call(
        "training_verdict",
        training_verdict,
        Code("perceptron"),
        Code("reference"),
        explain_xor=data == "xor",
    )
    code = f"""\
{import_data}
from nnkit.perceptron import Perceptron, convergence_reference, training_verdict, view_box
from nnkit.plots.perceptron import replay_chart

{make_data}
perceptron = {perceptron}.fit(X, y)
{reference}
separator = reference.separator
print(f"updates made: {{perceptron.n_updates_}}")
print(f"Novikoff bound (R/γ)² = {{separator.bound:.1f}}" if separator else "not separable")
print(f"epochs run: {{perceptron.n_epochs_}}")
print(f"training accuracy: {{perceptron.score(X, y):.1%}}")
print(f"scikit-learn's Perceptron: {{reference.sklearn_accuracy:.1%}}")
print({verdict}.text)
last = perceptron.replay(X, y, perceptron.history_.last_frame)
chart = replay_chart(X, y, last, *view_box(X, pad=0.3, min_span=2.0))
chart.save("perceptron.html")
"""
    return Script(
        code=code,
        explanation=(
            "**Perceptron training** (lecture 1): Rosenblatt's rule w ← w + η (t − ŷ) x on "
            f"the {data!r} data ({int(n_samples)} points), with η = {float(lr):g} and at most "
            f"{epochs} epochs, beside Novikoff's bound and scikit-learn's perceptron. The "
            "chart is the last frame of the replay: the learned line over the data."
        ),
        name="perceptron",
        chart="chart",
    )
