"""The Gradient descent page's three results as scripts, one function per part.

- :func:`lecture_script`: part 1, the lecture's PyTorch loop itself beside nnkit's run
  and the closed-form references;
- :func:`modes_script`: part 2, batch vs stochastic vs mini-batch;
- :func:`race_script`: part 3, ``torch.optim`` optimizers racing on a test surface
  (a classic picture's preset when the settings are one).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from nnkit.reproduce import Code, Script, call, literal

__all__ = ["lecture_script", "modes_script", "race_script"]

_TORCH_LOOP = """\
# The lecture's code (float64 after the draw, as the page computes)
torch.manual_seed({seed})
X = torch.rand(100, 1) * 10
y_true = 3 * X + 2 + torch.randn(100, 1) * 0.5
w, b = torch.randn(1), torch.randn(1)
X, y_true = X.double(), y_true.double()
w, b = w.double().requires_grad_(), b.double().requires_grad_()
lr = {lr}
for epoch in range({epochs}):
    y_pred = w * X + b
    loss = ((y_pred - y_true) ** 2).mean()
    loss.backward()
    with torch.no_grad():
        w -= lr * w.grad
        b -= lr * b.grad
        w.grad.zero_()
        b.grad.zero_()
print(f"PyTorch loop: w = {{w.item():.5f}}, b = {{b.item():.5f}}")

"""


def lecture_script(seed: int, lr: float, epochs: int) -> Script:
    """Part 1: the lecture's line fit by full-batch gradient descent.

    The script runs the lecture's own PyTorch loop (unless it diverges: then only
    nnkit's run, which stops at the divergence as the page does), then nnkit's
    :func:`~nnkit.landscapes.gradient_descent` and the closed-form analysis, prints the
    page's four figures with their references and saves the excess-loss chart.

    Parameters
    ----------
    seed : int
        ``torch.manual_seed``.
    lr : float
        Learning rate α.
    epochs : int
        Full-batch epochs.

    Returns
    -------
    Script
    """
    from nnkit import landscapes as L

    seed, lr, epochs = int(seed), float(lr), int(epochs)
    problem = L.lecture_problem(seed)
    diverges = L.gradient_descent(problem, lr=lr, epochs=epochs).diverged
    run = call("L.gradient_descent", L.gradient_descent, Code("problem"), lr=lr, epochs=epochs)
    lines = ["import torch", ""] if not diverges else []
    lines += [
        "from nnkit import landscapes as L",
        "from nnkit.plots.landscapes import loss_chart",
        "",
    ]
    code = "\n".join(lines) + "\n"
    if not diverges:
        code += _TORCH_LOOP.format(seed=seed, lr=literal(lr), epochs=epochs)
    code += f"""\
problem = L.lecture_problem({seed})
run = {run}
a = L.analyse(problem)
w, b = run.final
print(f"w after {{run.steps}} epochs: {{w:.5f}} ({{w - a.w_star:+.2e}} vs w* = {{a.w_star:.6f}})")
print(f"b after {{run.steps}} epochs: {{b:.5f}} ({{b - a.b_star:+.2e}} vs b* = {{a.b_star:.6f}})")
print(f"J after the run: {{run.loss[-1]:.6g}} (J* = {{a.loss_star:.6f}})")
print(f"critical α = 2/λ_max: {{a.critical_lr:.5f}}")
"""
    if diverges:
        code += "print(L.explain.lecture_divergence(run, a))\n"
    code += """\
curves = L.prediction_curves(run, a)
chart = loss_chart(curves, "epoch", L.EXCESS, "curve", dash="curve")
chart.save("gradient_descent.html")
"""
    return Script(
        code=code,
        explanation=(
            "**Gradient descent, part 1** (lecture 1): the lecture fits y = w·x + b to 100 "
            f"noisy points (seed {seed}) by full-batch gradient descent with α = {lr:g} for "
            f"{epochs} epochs. The script runs "
            + ("the lecture's PyTorch loop, then " if not diverges else "")
            + "nnkit's run with the closed-form optimum, and plots the excess loss beside "
            "its prediction from the Hessian."
        ),
        name="gradient_descent",
        chart="chart",
    )


def modes_script(seed: int, lr: float, epochs: int, batch_size: int) -> Script:
    """Part 2: batch, stochastic and mini-batch gradient descent on the same data.

    The script prints the page's table (steps, final w, b and J, SGD's noise floor,
    work until J ≤ 1.05 J*), the closed-form optimum and the "what you see" note, and
    saves the excess loss per epoch.

    Parameters
    ----------
    seed : int
        Seeds the data and the shuffling.
    lr : float
        Learning rate α.
    epochs : int
        Epochs of every run.
    batch_size : int
        The mini-batch size.

    Returns
    -------
    Script
    """
    from nnkit import landscapes as L

    seed, lr, epochs, bs = int(seed), float(lr), int(epochs), int(batch_size)
    common: dict[str, Any] = {"lr": lr, "epochs": epochs, "seed": seed}

    def gd(**batch: Any) -> str:
        return call("L.gradient_descent", L.gradient_descent, Code("problem"), **common, **batch)

    code = f"""\
from nnkit import landscapes as L
from nnkit.plots.landscapes import loss_chart

problem = L.lecture_problem({seed})
a = L.analyse(problem)
runs = {{
    "batch (100/step)": {gd()},
    "SGD (1/step)": {gd(batch_size=1)},
    "mini-batch ({bs}/step)": {gd(batch_size=bs)},
}}
print(L.mode_table(runs, a).to_string(index=False))
print(f"closed form: w* = {{a.w_star:.5f}}, b* = {{a.b_star:.5f}}, J* = {{a.loss_star:.5f}}")
print(L.explain.modes_note(runs, a))
chart = loss_chart(L.excess_loss_by_epoch(runs, a), "epoch", L.EXCESS, "mode")
chart.save("gradient_descent_modes.html")
"""
    return Script(
        code=code,
        explanation=(
            "**Gradient descent, part 2** (lecture 1): the same line fit (seed "
            f"{seed}) with the whole data set per step, one shuffled point per step and "
            f"shuffled batches of {bs}, α = {lr:g}, {epochs} epochs each, against the "
            "closed-form optimum."
        ),
        name="gradient_descent_modes",
        chart="chart",
    )


def race_script(
    surface: str,
    start: Sequence[float],
    steps: int,
    optimizers: Mapping[str, Mapping[str, Any]],
    condition: float = 10.0,
) -> Script:
    """Part 3: ``torch.optim`` optimizers from one start on one surface.

    When the settings are one of :data:`~nnkit.landscapes.PRESETS`, the script loads
    that preset; otherwise it spells out the surface, the start (if not the
    surface's own), the steps and each optimizer's hyper-parameters that differ from
    its defaults. It prints the page's table and note, and saves the value curves.

    Parameters
    ----------
    surface : str
        Key of :data:`~nnkit.landscapes.SURFACES`.
    start : (float, float)
        Start of every path.
    steps : int
        Steps of every optimizer.
    optimizers : mapping
        ``{optimizer key: hyper-parameters}`` as the page passes them (every value).
    condition : float
        Condition number κ of the ``"quadratic"`` surface.

    Returns
    -------
    Script
    """
    from nnkit import landscapes as L
    from nnkit.plots.landscapes import loss_chart

    params: dict[str, Any] = {"condition": float(condition)} if surface == "quadratic" else {}
    surf = L.surface(surface, **params)
    start = (float(start[0]), float(start[1]))
    chosen = {k: dict(h) for k, h in optimizers.items()}
    preset = next(
        (
            key
            for key, p in L.PRESETS.items()
            if L.preset_matches(p, surface, params, start, int(steps), chosen)
        ),
        None,
    )
    log = surf.f_min is not None and surf.f_min >= 0
    if preset is not None:
        setup = f"""\
preset = L.PRESETS[{literal(preset)}]
surf = L.surface(preset.surface, **preset.params)
runs = L.race(surf, preset.optimizers, start=preset.start, steps=preset.steps)
"""
        steps_text = "preset.steps"
    else:
        changed = {k: _changed_hyper(k, h) for k, h in chosen.items()}
        table = literal(changed)
        if len(table) > 70:  # one optimizer per line
            table = (
                "{\n"
                + "".join(f"    {literal(k)}: {literal(h)},\n" for k, h in changed.items())
                + "}"
            )
        race = call(
            "L.race",
            L.race,
            Code("surf"),
            Code("optimizers"),
            prefix="runs = ",
            start=None if _same_point(start, surf.start) else start,
            steps=int(steps),
        )
        setup = f"surf = {call('L.surface', L.surface, surface, **params)}\n"
        setup += f"optimizers = {table}\n{race}\n"
        steps_text = str(int(steps))
    chart = call(
        "loss_chart",
        loss_chart,
        Code("L.race_losses(runs)"),
        "step",
        "f",
        "optimizer",
        prefix="chart = ",
        log=log,
    )
    code = f"""\
from nnkit import landscapes as L
from nnkit.plots.landscapes import loss_chart

{setup}print(L.race_table(surf, runs).to_string(index=False))
print(L.explain.race_note(surf, runs, {steps_text}))
{chart}
chart.save("optimizers_race.html")
"""
    what = f"the classic picture “{L.PRESETS[preset].title}”" if preset else surf.name
    return Script(
        code=code,
        explanation=(
            "**Gradient descent, part 3** (lecture 1): real `torch.optim` optimizers "
            f"(`zero_grad`, `backward`, `step`) from the same start on {what}, "
            f"{int(steps)} steps each."
        ),
        name="optimizers_race",
        chart="chart",
    )


def _changed_hyper(optimizer: str, hyper: Mapping[str, Any]) -> dict[str, Any]:
    from nnkit.landscapes import OPTIMIZERS

    defaults = OPTIMIZERS[optimizer].defaults()
    out = {}
    for name, value in hyper.items():
        default = defaults.get(name)
        if isinstance(value, tuple | list):
            value = tuple(float(v) for v in value)
            default = tuple(float(v) for v in default) if default is not None else None
        else:
            value = float(value)
        if value != default:
            out[name] = value
    return out


def _same_point(a: Sequence[float], b: Sequence[float]) -> bool:
    return float(a[0]) == float(b[0]) and float(a[1]) == float(b[1])
