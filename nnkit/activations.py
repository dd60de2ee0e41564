"""Activation functions and their derivatives, in one registry.

Every entry of :data:`ACTIVATIONS` is an :class:`Activation`: the numpy function, its
derivative, the matching torch module, its LaTeX formula and its output range. The
numpy functions are vectorised and numerically stable (no overflow warnings for
large ``|x|``); the torch modules are the built-in ones where torch has one
(``nn.Sigmoid``, ``nn.GELU`` ...) and tiny modules from ``nnkit._activation_modules``
otherwise (heaviside, sine, Gaussian). Importing this module does not import torch:
:meth:`Activation.torch_module` imports it on first use.

Values at kinks (points where the function is not differentiable) follow torch, so
that a numpy derivative and torch's autograd agree everywhere:

============  =========================  ==============================
name          value at 0                 derivative used at 0
============  =========================  ==============================
heaviside     H(0) = 1 (``x >= 0``)       0 (jump; zero a.e. like torch)
sign          sgn(0) = 0                  0 (jump; torch's ``sign``)
relu          0                           0 (torch's ReLU backward)
leaky_relu    0                           0.01, the negative slope (torch)
============  =========================  ==============================

All other functions are differentiable everywhere (ELU with ``alpha = 1`` has a
continuous first derivative, equal to 1 at 0).

Examples
--------
>>> from nnkit.activations import get
>>> act = get("sigmoid")
>>> float(act.fn(0.0)), float(act.deriv(0.0))
(0.5, 0.25)
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

if TYPE_CHECKING:  # pragma: no cover - typing only
    import pandas as pd
    from torch import nn

__all__ = [
    "ACTIVATIONS",
    "Activation",
    "LEAKY_RELU_SLOPE",
    "ELU_ALPHA",
    "curves",
    "derivative_summary",
    "get",
    "names",
]

ArrayLike = npt.ArrayLike

#: Negative slope of ``leaky_relu`` (torch's default ``negative_slope``).
LEAKY_RELU_SLOPE = 0.01
#: ``alpha`` of ``elu`` (torch's default).
ELU_ALPHA = 1.0

_SQRT2 = math.sqrt(2.0)
_INV_SQRT_2PI = 1.0 / math.sqrt(2.0 * math.pi)


@dataclass(frozen=True)
class Activation:
    r"""One activation function: numpy function, derivative, torch module, formula, range.

    Attributes
    ----------
    name : str
        Registry key, e.g. ``"leaky_relu"``.
    label : str
        Human name for legends, e.g. ``"Leaky ReLU"``.
    fn : callable
        ``fn(x) -> ndarray``: the function, vectorised over a float array.
    deriv : callable
        ``deriv(x) -> ndarray``: its derivative; at kinks the value torch's autograd
        uses (see the module docstring).
    latex : str
        The formula in LaTeX (for ``st.latex`` / Markdown ``$...$``).
    output_range : tuple of float
        ``(low, high)``: infimum and supremum of the output (``±inf`` when unbounded).
        Whether the ends are attained is in :attr:`range_latex`.
    range_latex : str
        The exact output set in LaTeX, e.g. ``"(0, 1)"`` or ``"\{0, 1\}"``.
    kinks : tuple of float
        Points where the function is not differentiable (empty if none).
    note : str
        One sentence on where it is used / what to watch for.
    deriv_max : float
        Supremum of the derivative over the real line (the largest factor by which
        one such unit can scale a back-propagated gradient).
    deriv_max_text : str
        The same, in exact form where there is one (e.g. ``"1/4 at x = 0"``).
    """

    name: str
    label: str
    fn: Callable[[ArrayLike], np.ndarray] = field(repr=False)
    deriv: Callable[[ArrayLike], np.ndarray] = field(repr=False)
    latex: str
    output_range: tuple[float, float]
    range_latex: str = ""
    kinks: tuple[float, ...] = ()
    note: str = ""
    deriv_max: float = math.nan
    deriv_max_text: str = ""

    def torch_module(self) -> nn.Module:
        """Make a fresh ``torch.nn.Module`` computing the same function.

        Torch is imported here, on first use, not when ``nnkit.activations`` is.

        Returns
        -------
        torch.nn.Module
            A built-in module (``nn.Sigmoid()`` ...) or a small nnkit module for
            heaviside, sine and Gaussian. Its autograd derivative equals :attr:`deriv`.
        """
        from nnkit import _activation_modules

        return _activation_modules.build(self.name)


# ---------------------------------------------------------------------------
# numpy implementations (all vectorised, float64, stable for large |x|)
# ---------------------------------------------------------------------------


def _as_float(x: ArrayLike) -> np.ndarray:
    return np.asarray(x, dtype=float)


def _heaviside(x: ArrayLike) -> np.ndarray:
    x = _as_float(x)
    return np.where(x >= 0, 1.0, 0.0)


def _zeros(x: ArrayLike) -> np.ndarray:
    return np.zeros_like(_as_float(x))


def _sign(x: ArrayLike) -> np.ndarray:
    return np.sign(_as_float(x))


def _identity(x: ArrayLike) -> np.ndarray:
    return _as_float(x).copy()


def _ones(x: ArrayLike) -> np.ndarray:
    return np.ones_like(_as_float(x))


def _sigmoid(x: ArrayLike) -> np.ndarray:
    """σ(x) = 1/(1+e^{-x}) via scipy's ``expit``: one pass, no overflow for any x."""
    from scipy.special import expit  # lazy: scipy is only needed once a sigmoid is used

    return expit(_as_float(x))


def _sigmoid_deriv(x: ArrayLike) -> np.ndarray:
    s = _sigmoid(x)
    return s * (1.0 - s)


def _tanh(x: ArrayLike) -> np.ndarray:
    return np.tanh(_as_float(x))


def _tanh_deriv(x: ArrayLike) -> np.ndarray:
    t = np.tanh(_as_float(x))
    return 1.0 - t * t


def _relu(x: ArrayLike) -> np.ndarray:
    return np.maximum(_as_float(x), 0.0)


def _relu_deriv(x: ArrayLike) -> np.ndarray:
    x = _as_float(x)
    return np.where(x > 0, 1.0, 0.0)


def _leaky_relu(x: ArrayLike) -> np.ndarray:
    x = _as_float(x)
    return np.where(x > 0, x, LEAKY_RELU_SLOPE * x)


def _leaky_relu_deriv(x: ArrayLike) -> np.ndarray:
    x = _as_float(x)
    return np.where(x > 0, 1.0, LEAKY_RELU_SLOPE)


def _elu(x: ArrayLike) -> np.ndarray:
    x = _as_float(x)
    return np.where(x > 0, x, ELU_ALPHA * np.expm1(np.minimum(x, 0.0)))


def _elu_deriv(x: ArrayLike) -> np.ndarray:
    x = _as_float(x)
    return np.where(x > 0, 1.0, ELU_ALPHA * np.exp(np.minimum(x, 0.0)))


def _softplus(x: ArrayLike) -> np.ndarray:
    """log(1 + e^x) = max(x, 0) + log1p(e^{-|x|}): exact to rounding for all x."""
    x = _as_float(x)
    return np.maximum(x, 0.0) + np.log1p(np.exp(-np.abs(x)))


def _erf(x: np.ndarray) -> np.ndarray:
    # scipy is imported lazily: only GELU needs erf.
    from scipy.special import erf

    return erf(x)


def _gelu(x: ArrayLike) -> np.ndarray:
    """Exact GELU x·Φ(x) = x/2 · (1 + erf(x/√2)) (torch's default, not the tanh form)."""
    x = _as_float(x)
    return 0.5 * x * (1.0 + _erf(x / _SQRT2))


def _gelu_deriv(x: ArrayLike) -> np.ndarray:
    x = _as_float(x)
    cdf = 0.5 * (1.0 + _erf(x / _SQRT2))
    xc = np.clip(x, -40.0, 40.0)  # the pdf is exactly 0.0 in float64 beyond |x| ~ 38.6
    pdf = _INV_SQRT_2PI * np.exp(-0.5 * xc * xc)
    return cdf + x * pdf


def _silu(x: ArrayLike) -> np.ndarray:
    x = _as_float(x)
    return x * _sigmoid(x)


def _silu_deriv(x: ArrayLike) -> np.ndarray:
    x = _as_float(x)
    s = _sigmoid(x)
    return s * (1.0 + x * (1.0 - s))


def _sine(x: ArrayLike) -> np.ndarray:
    return np.sin(_as_float(x))


def _sine_deriv(x: ArrayLike) -> np.ndarray:
    return np.cos(_as_float(x))


def _gaussian(x: ArrayLike) -> np.ndarray:
    xc = np.clip(_as_float(x), -30.0, 30.0)  # e^{-900} is already 0.0 in float64
    return np.exp(-xc * xc)


def _gaussian_deriv(x: ArrayLike) -> np.ndarray:
    x = _as_float(x)
    return -2.0 * (x * _gaussian(x))


# Minima of GELU and SiLU (where the derivative vanishes); checked in the tests
# against a root solve of the derivative.
_GELU_MIN = -0.16997120747990369
_SILU_MIN = -0.27846454276107374

# Suprema of the derivatives of GELU (at x = √2), SiLU (root of SiLU'') and the
# Gaussian (at x = −1/√2); checked in the tests by numerical maximisation.
_GELU_DERIV_MAX = 0.5 * (1.0 + math.erf(1.0)) + math.exp(-1.0) / math.sqrt(math.pi)
_SILU_DERIV_MAX = 1.099839320128867
_GAUSSIAN_DERIV_MAX = math.sqrt(2.0 / math.e)

_INF = math.inf

ACTIVATIONS: dict[str, Activation] = {
    a.name: a
    for a in [
        Activation(
            name="heaviside",
            label="Heaviside step",
            fn=_heaviside,
            deriv=_zeros,
            latex=r"H(x) = \begin{cases} 1 & x \ge 0 \\ 0 & x < 0 \end{cases}",
            output_range=(0.0, 1.0),
            range_latex=r"\{0, 1\}",
            kinks=(0.0,),
            note="Rosenblatt's threshold unit; its derivative is 0 wherever it exists, "
            "so gradient descent cannot train it.",
            deriv_max=0.0,
            deriv_max_text="0 (wherever the derivative exists)",
        ),
        Activation(
            name="sign",
            label="Sign (sgn)",
            fn=_sign,
            deriv=_zeros,
            latex=r"\operatorname{sgn}(x) = \begin{cases} 1 & x > 0 \\ 0 & x = 0 \\ -1 & x < 0 \end{cases}",
            output_range=(-1.0, 1.0),
            range_latex=r"\{-1, 0, 1\}",
            kinks=(0.0,),
            note="The ±1 perceptron output; zero derivative almost everywhere, like Heaviside.",
            deriv_max=0.0,
            deriv_max_text="0 (wherever the derivative exists)",
        ),
        Activation(
            name="identity",
            label="Identity (linear)",
            fn=_identity,
            deriv=_ones,
            latex=r"f(x) = x",
            output_range=(-_INF, _INF),
            range_latex=r"(-\infty, \infty)",
            note="Output layer of a regression network; a stack of linear layers is linear.",
            deriv_max=1.0,
            deriv_max_text="1 everywhere",
        ),
        Activation(
            name="sigmoid",
            label="Sigmoid (logistic)",
            fn=_sigmoid,
            deriv=_sigmoid_deriv,
            latex=r"\sigma(x) = \frac{1}{1 + e^{-x}}, \quad \sigma'(x) = \sigma(x)\,(1 - \sigma(x))",
            output_range=(0.0, 1.0),
            range_latex=r"(0, 1)",
            note="Smooth step; saturates for large |x| and its derivative never exceeds 1/4.",
            deriv_max=0.25,
            deriv_max_text="1/4 at x = 0",
        ),
        Activation(
            name="tanh",
            label="tanh",
            fn=_tanh,
            deriv=_tanh_deriv,
            latex=r"\tanh(x) = \frac{e^{x} - e^{-x}}{e^{x} + e^{-x}}, \quad \tanh'(x) = 1 - \tanh^2(x)",
            output_range=(-1.0, 1.0),
            range_latex=r"(-1, 1)",
            note="Zero-centred sigmoid (tanh(x) = 2σ(2x) − 1); saturates like it.",
            deriv_max=1.0,
            deriv_max_text="1 at x = 0",
        ),
        Activation(
            name="relu",
            label="ReLU",
            fn=_relu,
            deriv=_relu_deriv,
            latex=r"\operatorname{ReLU}(x) = \max(0, x)",
            output_range=(0.0, _INF),
            range_latex=r"[0, \infty)",
            kinks=(0.0,),
            note="Derivative 1 for x > 0 (no saturation there) and 0 for x < 0 "
            "(a 'dead' unit gets no gradient); ReLU'(0) taken as 0, as torch does.",
            deriv_max=1.0,
            deriv_max_text="1 for x > 0",
        ),
        Activation(
            name="leaky_relu",
            label="Leaky ReLU",
            fn=_leaky_relu,
            deriv=_leaky_relu_deriv,
            latex=r"\operatorname{LeakyReLU}(x) = \begin{cases} x & x > 0 \\ 0.01\,x & x \le 0 \end{cases}",
            output_range=(-_INF, _INF),
            range_latex=r"(-\infty, \infty)",
            kinks=(0.0,),
            note="ReLU with a small slope 0.01 for x < 0, so no unit dies; derivative at 0 "
            "taken as 0.01, as torch does.",
            deriv_max=1.0,
            deriv_max_text="1 for x > 0",
        ),
        Activation(
            name="elu",
            label="ELU",
            fn=_elu,
            deriv=_elu_deriv,
            latex=r"\operatorname{ELU}(x) = \begin{cases} x & x > 0 \\ e^{x} - 1 & x \le 0 \end{cases}",
            output_range=(-ELU_ALPHA, _INF),
            range_latex=r"(-1, \infty)",
            note="Smooth negative part tending to −1; with α = 1 its derivative is "
            "continuous (equal to 1 at 0).",
            deriv_max=1.0,
            deriv_max_text="1 for x ≥ 0",
        ),
        Activation(
            name="softplus",
            label="Softplus",
            fn=_softplus,
            deriv=_sigmoid,
            latex=r"\operatorname{softplus}(x) = \ln(1 + e^{x}), \quad \operatorname{softplus}'(x) = \sigma(x)",
            output_range=(0.0, _INF),
            range_latex=r"(0, \infty)",
            note="A smooth ReLU; its derivative is the sigmoid.",
            deriv_max=1.0,
            deriv_max_text="1 as x → ∞ (not attained)",
        ),
        Activation(
            name="gelu",
            label="GELU",
            fn=_gelu,
            deriv=_gelu_deriv,
            latex=r"\operatorname{GELU}(x) = x\,\Phi(x) = \frac{x}{2}\left(1 + \operatorname{erf}\frac{x}{\sqrt 2}\right)",
            output_range=(_GELU_MIN, _INF),
            range_latex=r"[-0.16997\ldots, \infty)",
            note="Exact erf form (torch's default); used in transformers.",
            deriv_max=_GELU_DERIV_MAX,
            deriv_max_text="½(1 + erf 1) + 1/(e√π) ≈ 1.12890 at x = √2",
        ),
        Activation(
            name="silu",
            label="SiLU / Swish",
            fn=_silu,
            deriv=_silu_deriv,
            latex=r"\operatorname{SiLU}(x) = x\,\sigma(x), \quad \operatorname{SiLU}'(x) = \sigma(x)\,(1 + x\,(1 - \sigma(x)))",
            output_range=(_SILU_MIN, _INF),
            range_latex=r"[-0.27846\ldots, \infty)",
            note="Smooth, non-monotone ReLU look-alike (Swish with β = 1).",
            deriv_max=_SILU_DERIV_MAX,
            deriv_max_text="≈ 1.09984 at x ≈ 2.39936",
        ),
        Activation(
            name="sine",
            label="Sine",
            fn=_sine,
            deriv=_sine_deriv,
            latex=r"f(x) = \sin x, \quad f'(x) = \cos x",
            output_range=(-1.0, 1.0),
            range_latex=r"[-1, 1]",
            note="Periodic; the activation of SIREN networks, good at fine detail.",
            deriv_max=1.0,
            deriv_max_text="1 at x = 2kπ",
        ),
        Activation(
            name="gaussian",
            label="Gaussian",
            fn=_gaussian,
            deriv=_gaussian_deriv,
            latex=r"f(x) = e^{-x^2}, \quad f'(x) = -2x\,e^{-x^2}",
            output_range=(0.0, 1.0),
            range_latex=r"(0, 1]",
            note="A bump: radial-basis-like units that respond only near 0.",
            deriv_max=_GAUSSIAN_DERIV_MAX,
            deriv_max_text="√(2/e) ≈ 0.85776 at x = −1/√2",
        ),
    ]
}


def names() -> list[str]:
    """Registry keys, in the lecture's order (step functions first).

    Returns
    -------
    list of str
    """
    return list(ACTIVATIONS)


def get(name: str) -> Activation:
    """Look an activation up by name.

    Parameters
    ----------
    name : str
        A key of :data:`ACTIVATIONS` (case-insensitive; ``-`` and spaces read as ``_``,
        and ``"swish"`` is an alias of ``"silu"``).

    Returns
    -------
    Activation

    Raises
    ------
    ValueError
        If the name is unknown; the message lists the known names.
    """
    key = str(name).strip().lower().replace("-", "_").replace(" ", "_")
    key = {"swish": "silu", "step": "heaviside", "sgn": "sign", "linear": "identity"}.get(key, key)
    try:
        return ACTIVATIONS[key]
    except KeyError:
        raise ValueError(
            f"unknown activation {name!r}; choose one of: {', '.join(ACTIVATIONS)}"
        ) from None


def curves(
    names_: list[str], x_range: tuple[float, float] = (-6.0, 6.0), n: int = 601
) -> pd.DataFrame:
    """Sample activations and their derivatives on a grid, in long format for plotting.

    Parameters
    ----------
    names_ : list of str
        Registry names.
    x_range : (float, float), default (-6, 6)
        Plotted interval; must have ``low < high``.
    n : int, default 601
        Number of grid points (≥ 2). The grid contains 0 when ``low < 0 < high`` and
        ``n`` is chosen so (the default does for symmetric ranges).

    Returns
    -------
    pandas.DataFrame
        Columns ``name``, ``label``, ``x``, ``value`` (f(x)), ``derivative`` (f'(x)).
    """
    import pandas as pd

    lo, hi = float(x_range[0]), float(x_range[1])
    if not (np.isfinite(lo) and np.isfinite(hi) and lo < hi):
        raise ValueError(f"x range must be two finite numbers with low < high, got {x_range}")
    if n < 2:
        raise ValueError(f"n must be at least 2, got {n}")
    x = np.linspace(lo, hi, int(n))
    frames = []
    for name in names_:
        act = get(name)
        frames.append(
            pd.DataFrame(
                {"name": act.name, "label": act.label, "x": x, "value": act.fn(x),
                 "derivative": act.deriv(x)}
            )
        )  # fmt: skip
    if not frames:
        return pd.DataFrame(columns=["name", "label", "x", "value", "derivative"])
    return pd.concat(frames, ignore_index=True)


def derivative_summary(
    table: pd.DataFrame, threshold: float = 0.01, depth: int = 10
) -> pd.DataFrame:
    """Summarise what the plotted derivatives say about saturation and vanishing gradients.

    Reads a table made by :func:`curves` (so the numbers are those of the plotted data).

    Parameters
    ----------
    table : pandas.DataFrame
        Output of :func:`curves`.
    threshold : float, default 0.01
        A unit counts as saturated where ``|f'(x)| < threshold``.
    depth : int, default 10
        Number of stacked units for the gradient-factor bound.

    Returns
    -------
    pandas.DataFrame
        One row per activation: ``name``, ``label``, ``max_derivative`` (largest f' on
        the plotted grid), ``x_at_max``, ``exact_max`` (supremum over the whole line,
        :attr:`Activation.deriv_max`), ``exact_max_text``, ``saturated_fraction``
        (share of the plotted x-range with ``|f'| < threshold``), ``depth_factor``
        (``max_derivative ** depth``: the most a chain of ``depth`` such units can
        pass on of a gradient, weights aside).
    """
    import pandas as pd

    rows = []
    for name, g in table.groupby("name", sort=False):
        act = get(name)
        d = g["derivative"].to_numpy()
        k = int(np.argmax(d))
        rows.append(
            {
                "name": name,
                "label": act.label,
                "max_derivative": float(d[k]),
                "x_at_max": float(g["x"].to_numpy()[k]),
                "exact_max": act.deriv_max,
                "exact_max_text": act.deriv_max_text,
                "saturated_fraction": float(np.mean(np.abs(d) < threshold)),
                "depth_factor": float(max(d[k], 0.0) ** depth),
            }
        )
    return pd.DataFrame(rows)
