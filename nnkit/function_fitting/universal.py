"""Universal approximation: one hidden layer, more and more units, the error measured."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from nnkit._text import counted
from nnkit.function_fitting.targets import Target
from nnkit.metrics import r2_score, rmse

__all__ = ["WIDTHS", "width_sweep", "width_sweep_note"]

WIDTHS: tuple[int, ...] = (1, 2, 4, 8, 16, 32, 64, 128, 256)
"""Hidden widths of the default sweep (powers of two)."""


def width_sweep(
    target: Target,
    widths: Sequence[int] = WIDTHS,
    *,
    activation: str = "sigmoid",
    n_samples: int = 256,
    epochs: int = 300,
    seed: int = 0,
    max_seconds_each: float = 10.0,
) -> pd.DataFrame:
    """Fit one hidden layer of ``width`` units for each width and measure the error.

    Funahashi (1989): one hidden layer of sigmoids approximates any continuous function
    on a compact set as well as you like, given enough units. Each width is trained
    with full-batch L-BFGS on ``n_samples`` evenly spaced points of the box and
    evaluated on 4× as many points in between.

    Parameters
    ----------
    target : Target
        A 1-D target.
    widths : sequence of int
        Hidden widths to try.
    activation : str
        Hidden activation.
    n_samples : int
        Training points.
    epochs : int
        L-BFGS epochs per width.
    seed : int
        Seeds every network.
    max_seconds_each : float
        Time budget of each width.

    Returns
    -------
    DataFrame
        ``width, parameters, rmse, max_error, r2, epochs, seconds, stop`` (one row per
        width; ``stop`` is the run's stop reason); ``attrs["activation"]`` names the
        activation.

    Raises
    ------
    ValueError
        For a 2-D target.
    """
    if target.dim != 1:
        raise ValueError("the width sweep takes a 1-D target")
    from nnkit.models import count_parameters, mlp, predict
    from nnkit.training import TrainConfig, fit

    X = np.linspace(*target.domain, n_samples)[:, None]
    y = target(X)
    Xt = np.linspace(*target.domain, 4 * n_samples + 1)[:, None]
    yt = target(Xt)
    std = float(np.std(y)) or 1.0
    config = TrainConfig(
        optimizer="lbfgs",
        lr=1.0,
        epochs=epochs,
        batch_size=None,
        seed=seed,
        max_seconds=max_seconds_each,
    )
    rows = []
    for w in widths:
        net = mlp(
            1,
            [int(w)],
            1,
            activation=activation,
            input_bounds=([target.domain[0]], [target.domain[1]]),
            output_scale=(float(np.mean(y)), std),
            seed=seed,
        )
        res = fit(net, X, y, config)
        p = predict(net, Xt)[:, 0]
        rows.append(
            {
                "width": int(w),
                "parameters": count_parameters(net),
                "rmse": rmse(yt, p),
                "max_error": float(np.abs(p - yt).max()),
                "r2": r2_score(yt, p),
                "epochs": res.epochs,
                "seconds": res.wall_time,
                "stop": res.stop_reason,
            }
        )
    out = pd.DataFrame(rows)
    out.attrs["activation"] = activation
    return out


def width_sweep_note(
    df: pd.DataFrame, activation: str, max_seconds_each: float | None = None
) -> str:
    """What a width sweep shows, from its numbers.

    Parameters
    ----------
    df : DataFrame
        From :func:`width_sweep`.
    activation : str
        Its activation (named in the text).
    max_seconds_each : float, optional
        Its time budget per width (named when some width ran out of it).

    Returns
    -------
    str
        The error of the narrowest network, the best error and its width, the widest
        network's error, whether more units still help, and how many widths ran out
        of time.
    """
    errors = df["rmse"].to_numpy(dtype=float)
    if not len(df) or not np.isfinite(errors).any():
        return "No width gave a finite error: the training diverged for every width."
    first, last = df.iloc[0], df.iloc[-1]
    best = df.iloc[int(np.nanargmin(errors))]
    w0 = int(first["width"])
    parts = [
        f"With {w0} {activation} unit{'s' if w0 != 1 else ''} the RMS error is "
        f"{first['rmse']:.3g}; the best, {best['rmse']:.3g}, is reached with "
        f"{int(best['width'])} units ({first['rmse'] / max(best['rmse'], 1e-300):.3g}× smaller), "
        f"and {int(last['width'])} units give {last['rmse']:.3g}."
    ]
    if best["width"] < last["width"]:
        parts.append(
            "Past that point more units no longer help: the optimizer (and float32 "
            "arithmetic), not the width, limits the error. The theorem promises that good "
            "weights exist, not that gradient descent finds them."
        )
    elif len(df) > 1:
        parts.append("The error is still falling at the widest layer.")
    capped = int((df["stop"] == "time_limit").sum()) if "stop" in df else 0
    if capped:
        budget = f" {max_seconds_each:g} s" if max_seconds_each is not None else ""
        parts.append(f"({counted(capped, 'width')} hit the{budget} time cap per width.)")
    return " ".join(parts)
