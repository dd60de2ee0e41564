"""The MLP fitting page's trained result as a script.

The lecture's ``TorchMLP`` recipes (2 → 3 → 1 with ReLU on the output, full batch,
SGD or RMSprop) become the lecture's own PyTorch class and loop; every other
setting becomes the chosen preset with what the user changed, trained by nnkit.
Either way the script prints the figures the page shows after training and saves
its picture.
"""

from __future__ import annotations

from collections.abc import Mapping

from nnkit.function_fitting.settings import PRESETS, FitSettings
from nnkit.reproduce import Code, NotReproducible, Script, call, changed_fields, literal

__all__ = ["fitting_script"]

_TORCH_OPTIMIZERS: Mapping[str, str] = {"sgd": "SGD", "rmsprop": "RMSprop", "adam": "Adam"}

_TORCH_MLP = """\
class TorchMLP(nn.Module):
    def __init__(self):
        super().__init__()
        self.hidden = nn.Linear(2, 3)
        self.output = nn.Linear(3, 1)

    def forward(self, x):
        return torch.relu(self.output(torch.relu(self.hidden(x))))


"""


def _is_torch_mlp(settings: FitSettings, dim: int) -> bool:
    """Whether ``settings`` are the lecture's TorchMLP and a loop plain PyTorch writes simply."""
    return (
        dim == 2
        and tuple(settings.hidden) == (3,)
        and settings.activation == "relu"
        and settings.output_activation == "relu"
        and settings.fourier_features == 0
        and not settings.normalize
        and settings.batch_size is None
        and settings.lr_decay == 1.0
        and settings.lr_schedule == "constant"
        and settings.optimizer in _TORCH_OPTIMIZERS
    )


def _target_code(name: str, domain: tuple[float, float]) -> tuple[list[str], str]:
    """``(names to import from function_fitting, the expression)`` of a target."""
    from nnkit.function_fitting.targets import builtin_target

    lo, hi = float(domain[0]), float(domain[1])
    if name.startswith("formula:"):
        text = name.removeprefix("formula:")
        formula = f"parse({literal(text)}, {literal(('x', 'y'))})"
        return ["formula_target"], f"formula_target({formula}, {literal((lo, hi))})"
    expr = f"builtin_target({literal(name)})"
    if (lo, hi) != tuple(builtin_target(name).domain):
        expr += f".with_domain({literal(lo)}, {literal(hi)})"
    return ["builtin_target"], expr


def fitting_script(
    target: str,
    domain: tuple[float, float],
    n_samples: int,
    noise: float,
    seed: int,
    settings: FitSettings,
    *,
    preset: str,
    val_fraction: float = 0.0,
    epochs_done: int | None = None,
    stop_reason: str = "completed",
) -> Script:
    """The script that trains the page's network and prints what the page shows after it.

    It prints the last training loss, R² inside and outside the training box, the
    RMSE inside and outside, and the "what you see" note, and saves the picture of
    truth and network (1-D: the curves).

    Parameters
    ----------
    target : str
        The :class:`~nnkit.function_fitting.Target`'s name (a built-in name, or
        ``"formula:<text>"``).
    domain : (float, float)
        The training box.
    n_samples, noise, seed
        As for :func:`~nnkit.function_fitting.make_data`.
    settings : FitSettings
        The network and the recipe (``settings.seed`` seeds the weights and batches).
    preset : str
        The preset the settings started from (a key of
        :data:`~nnkit.function_fitting.PRESETS`).
    val_fraction : float
        Samples held out for the validation loss.
    epochs_done : int, optional
        Epochs the page's run trained (default ``settings.epochs``).
    stop_reason : str
        Why it ended (:data:`nnkit.training.STOP_REASONS`).

    Returns
    -------
    Script

    Raises
    ------
    NotReproducible
        For a run stopped, capped or continued (the script trains
        ``settings.epochs`` from scratch), a diverged run, or an unknown preset.
    """
    from nnkit.function_fitting.targets import make_data, target_from_name
    from nnkit.training import STOP_REASONS

    epochs = int(settings.epochs)
    done = epochs if epochs_done is None else int(epochs_done)
    if stop_reason != "completed" or done != epochs:
        why = STOP_REASONS.get(stop_reason, stop_reason) if stop_reason != "completed" else ""
        raise NotReproducible(
            f"this run trained {done} of {epochs} epochs"
            + (f" ({why})" if why else " (continued)")
            + "; the script trains the settings from scratch: let a run finish to get it."
        )
    if preset not in PRESETS:
        raise NotReproducible(f"no preset {preset!r}.")
    try:
        dim = target_from_name(target, (float(domain[0]), float(domain[1]))).dim
    except ValueError as err:
        raise NotReproducible(f"this target cannot be fitted ({err}).") from None
    imports, target_expr = _target_code(target, domain)
    data = call(
        "make_data",
        make_data,
        Code("target"),
        int(n_samples),
        prefix="X, y = ",
        noise=float(noise),
        seed=int(seed),
    )
    n_grid = 101 if dim == 2 else 401
    if _is_torch_mlp(settings, dim):
        code, note = _torch_mlp_code(
            settings, imports, target_expr, data, n_samples, val_fraction, n_grid
        )
    else:
        code, note = _nnkit_code(settings, preset, imports, target_expr, data, val_fraction, n_grid)
    code += f"""\
print(f"R² inside the box: {{ev.r2_inside:.4f}}")
print(f"R² outside the box: {{ev.r2_outside:.3f}}")
print(f"RMSE inside / outside: {{ev.rmse_inside:.3g}} / {{ev.rmse_outside:.3g}}")
print({note})
"""
    if dim == 2:
        code += 'chart = fit_heatmaps(ev, size=280, parts=("truth", "prediction"))\n'
    else:
        code += "chart = fit_1d(ev, X, y)\n"
    code += 'chart.save("mlp_fitting.html")\n'
    return Script(
        code=code,
        explanation=(
            f"**MLP function fitting** (lecture 1, exercise 1): {settings.describe()}, trained "
            f"on {int(n_samples)} samples of `{target.removeprefix('formula:')}` on "
            f"[{float(domain[0]):g}, {float(domain[1]):g}]{'²' if dim == 2 else ''} (seed "
            f"{int(seed)}), then compared with the exact target inside the training box and in "
            "a window 1.5× larger, where the network extrapolates."
        ),
        name="mlp_fitting",
        chart="chart",
    )


def _nnkit_imports(names: list[str], imports: list[str]) -> str:
    parse = "from nnkit.expr import parse\n" if imports == ["formula_target"] else ""
    return parse + f"from nnkit.function_fitting import {', '.join(names)}\n"


def _chart_import(n_grid: int) -> str:
    return "fit_heatmaps" if n_grid == 101 else "fit_1d"


def _nnkit_code(
    settings: FitSettings,
    preset: str,
    imports: list[str],
    target_expr: str,
    data: str,
    val_fraction: float,
    n_grid: int,
) -> tuple[str, str]:
    from dataclasses import replace

    changed = changed_fields(settings, PRESETS[preset])
    names = sorted({"PRESETS", "evaluate_fit", "make_data", *imports})
    head = "from dataclasses import replace\n\n" if changed else ""
    head += _nnkit_imports(names, imports)
    head += f"from nnkit.plots.fitting import {_chart_import(n_grid)}\n\n"
    preset_expr = f"PRESETS[{literal(preset)}]"
    settings_line = (
        call("replace", replace, Code(preset_expr), prefix="settings = ", **changed)
        if changed
        else f"settings = {preset_expr}"
    )
    trainer = call(
        "settings.trainer",
        settings.trainer,
        Code("target"),
        Code("X"),
        Code("y"),
        prefix="trainer = ",
        val_fraction=float(val_fraction),
    )
    code = (
        head
        + f"""\
target = {target_expr}
{data}
{settings_line}
{trainer}
history = trainer.run().history
print(f"training loss after {{len(history)}} epochs: {{history.train_loss[-1]:.4g}}")
ev = evaluate_fit(trainer.model, target, n={n_grid})
"""
    )
    return code, "ev.note(settings.activation, settings.fourier_features > 0)"


def _torch_mlp_code(
    settings: FitSettings,
    imports: list[str],
    target_expr: str,
    data: str,
    n_samples: int,
    val_fraction: float,
    n_grid: int,
) -> tuple[str, str]:
    import torch

    names = sorted({"evaluate_fit", "make_data", *imports})
    head = "import numpy as np\nimport torch\nfrom torch import nn\n\n"
    head += _nnkit_imports(names, imports)
    head += f"from nnkit.plots.fitting import {_chart_import(n_grid)}\n\n\n"
    seed = int(settings.seed)
    n_val = int(round(float(val_fraction) * int(n_samples)))
    split = ""
    if n_val:
        split = (
            f"rows = np.random.default_rng({seed}).permutation(len(X))[{n_val}:]"
            "  # the rest: validation\n"
        )
        rows = "[rows]"
    else:
        rows = ""
    loss = 'nn.MSELoss(reduction="sum")' if settings.reduction == "sum" else "nn.MSELoss()"
    opt = call(
        f"torch.optim.{_TORCH_OPTIMIZERS[settings.optimizer]}",
        getattr(torch.optim, _TORCH_OPTIMIZERS[settings.optimizer]),
        Code("model.parameters()"),
        prefix="optimizer = ",
        lr=float(settings.lr),
    )
    code = (
        head
        + _TORCH_MLP
        + f"""\
target = {target_expr}
{data}
{split}X_train = torch.tensor(X{rows}, dtype=torch.float32)
y_train = torch.tensor(y{rows}, dtype=torch.float32).reshape(-1, 1)
torch.manual_seed({seed})
model = TorchMLP()
{opt}
loss_fn = {loss}
for epoch in range({int(settings.epochs)}):
    optimizer.zero_grad()
    loss = loss_fn(model(X_train), y_train)
    loss.backward()
    optimizer.step()
"""
    )
    per_sample = " / len(X_train)" if settings.reduction == "sum" else ""
    code += (
        f'print(f"training loss after {int(settings.epochs)} epochs: '
        f'{{loss.item(){per_sample}:.4g}}")\n'
        f"ev = evaluate_fit(model, target, n={n_grid})\n"
    )
    return code, 'ev.note("relu")'
