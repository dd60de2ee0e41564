"""The peers nnkit is measured against: each configuration as data, beside its source.

Every peer row of ``python -m benchmarks`` is built from one :class:`Peer` of
:data:`PEERS`: the benchmark reads the configuration from here (nothing about a peer's
set-up is hidden in the benchmark code), the row prints it with its source, and
``tests/unit/test_bench_peers.py`` checks it against what the peer's documentation
warns against. Nothing here imports a peer: the peers are benchmark-only packages
(``requirements-bench.txt``), imported inside the benchmark functions.

Roles:

* ``"peer"``: configured as the library's documentation, its published examples or
  an expert benchmark (SRBench) run it. This is the row that counts.
* ``"library default"``: the library's defaults, kept beside the peer because that is
  what a newcomer gets; the label says where the documentation advises otherwise.
  Never counted as the peer.
* ``"published example"``: the library's own example script for this problem, as
  published (network, points, schedule), cut at the same budget.
* ``"same graph"``: the library running the very graph nnkit runs, which is not how
  it is meant to be used; it isolates the cost of the engine.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from benchmarks import Row

ROLES = ("peer", "library default", "published example", "same graph")

SKLEARN_MLP_TIPS = (
    "https://scikit-learn.org/stable/modules/neural_networks_supervised.html#tips-on-practical-use"
)
SKLEARN_MLP_API = (
    "https://scikit-learn.org/stable/modules/generated/sklearn.neural_network.MLPRegressor.html"
)
DEEPXDE_EXAMPLES = "https://github.com/lululxvi/deepxde/blob/master/examples/pinn_forward/"
DEEPXDE_LBFGS_WARNING = (
    "https://deepxde.readthedocs.io/en/latest/modules/deepxde.optimizers.html"
    "#deepxde.optimizers.config.set_LBFGS_options"
)
SRBENCH = "https://github.com/cavalab/srbench/blob/master/algorithms/"


@dataclass(frozen=True)
class Peer:
    """One peer configuration.

    Attributes
    ----------
    key : str
        Name in :data:`PEERS`.
    library : str
        Distribution name, as pinned in ``requirements-bench.txt``.
    topic : str
        ``"fitting"``, ``"pinn"``, ``"symbolic"``, ``"derivatives"`` or ``"autodiff"``.
    role : str
        One of :data:`ROLES`.
    label : str
        What the table's "peer is" column says.
    config : mapping
        Everything the benchmark passes to the peer (read-only).
    source : str
        Where this configuration comes from (URL, with the section).
    """

    key: str
    library: str
    topic: str
    role: str
    label: str
    config: Mapping[str, Any] = field(default_factory=dict)
    source: str = ""

    def __post_init__(self) -> None:
        if self.role not in ROLES:
            raise ValueError(f"{self.key}: role {self.role!r} is not one of {ROLES}")
        object.__setattr__(self, "config", MappingProxyType(dict(self.config)))

    @property
    def name(self) -> str:
        """The "peer is" column: the label, prefixed with the role unless it is the peer."""
        return self.label if self.role == "peer" else f"[{self.role}] {self.label}"

    def describe(self) -> str:
        """The configuration on one line (``key=value; ...``)."""
        return "; ".join(f"{k}={_short(v)}" for k, v in self.config.items())

    def row(self, figure: str, ours: float, value: float | None, **kw: Any) -> Row:
        """A table row for this peer: its name, configuration and source filled in."""
        return Row(
            figure,
            ours,
            value,
            peer_name=self.name,
            config=self.describe(),
            source=self.source,
            **kw,
        )


def _short(v: Any) -> str:
    if isinstance(v, Mapping):
        return "{" + ", ".join(f"{k}: {_short(x)}" for k, x in v.items()) + "}"
    if isinstance(v, tuple | list):
        return "(" + ", ".join(_short(x) for x in v) + ")"
    return str(v)


# --------------------------------------------------------------------------- fitting
# bench_training: Rastrigin, 20,000 samples, the same wall budget, one thread, trained
# with partial_fit epochs until the budget is spent (MLPRegressor has no time limit).
_MLP_COMMON = {"solver": "adam", "threads": 1, "training": "partial_fit epochs until the budget"}

_FITTING = [
    Peer("sklearn-mlp-default", "scikit-learn", "fitting", "library default",
         "sklearn MLPRegressor(128,128,128) on raw inputs (docs: scale them)",
         {"scaler": None, "mlp": {"hidden_layer_sizes": (128, 128, 128)}, **_MLP_COMMON},
         SKLEARN_MLP_API + " (all defaults)"),
    Peer("sklearn-mlp-scaled", "scikit-learn", "fitting", "peer",
         "sklearn Pipeline(StandardScaler, MLPRegressor(128,128,128))",
         {"scaler": "StandardScaler", "mlp": {"hidden_layer_sizes": (128, 128, 128)},
          **_MLP_COMMON},
         SKLEARN_MLP_TIPS + ' ("MLP is sensitive to feature scaling ... use StandardScaler"; '
         '"adam works pretty well on relatively large datasets")'),
    Peer("sklearn-mlp-fourier", "scikit-learn", "fitting", "peer",
         "sklearn MLPRegressor(128,128) tanh on nnkit's Fourier features",
         {"features": "nnkit preset 'Fourier features' (128 frequencies, scale 2, in [-1, 1])",
          "scaler": None, "target_scaler": "StandardScaler",
          "mlp": {"hidden_layer_sizes": (128, 128), "activation": "tanh",
                  "learning_rate_init": 5e-3, "batch_size": 1024},
          **_MLP_COMMON},
         SKLEARN_MLP_TIPS + ' ("scale each attribute ... to [-1, +1]"); architecture, lr and '
         "batch of nnkit's preset (sklearn's adam has no cosine schedule)"),
]  # fmt: skip

# --------------------------------------------------------------------------- PINN
# bench_pinn_peers: DeepXDE with its PyTorch backend, one thread, the wall budget of
# nnkit's quick preset for the problem. "share": the part of the budget a phase may use
# (None: what is left); a phase also ends at its iteration count. L-BFGS is checked
# against the budget every ``lbfgs_check_every`` iterations (the PyTorch backend's
# chunk, LBFGS_options["iter_per_step"], 1000 by default; torch.optim.LBFGS keeps its
# history across chunks).
_DDE_COMMON = {
    "backend": "pytorch",
    "threads": 1,
    "batch_size": None,
    "seed": 0,
    "lbfgs_check_every": 50,
}
_EXAMPLE_NET = {"layers": (20, 20, 20), "activation": "tanh", "initializer": "Glorot normal"}
_EXAMPLE_POINTS = {"num_domain": 2540, "num_boundary": 80, "num_initial": 160}


def _dde_phases(adam_iterations: int, lbfgs: bool, adam_share: float | None) -> tuple:
    adam = {"optimizer": "adam", "lr": 1e-3, "iterations": adam_iterations, "share": adam_share}
    return (adam, {"optimizer": "L-BFGS", "share": None}) if lbfgs else (adam,)


def _dde_pair(
    problem: str,
    script: str,
    net: dict,
    points: dict,
    adam_iterations: int,
    lbfgs_in_example: bool,
    peer_points: dict | None = None,
) -> list[Peer]:
    example = Peer(
        f"deepxde-{problem}-example",
        "deepxde",
        "pinn",
        "published example",
        f"DeepXDE {script} as published (float32), cut at the budget",
        {
            **_DDE_COMMON,
            "problem": problem,
            **net,
            **points,
            "float": "float32",
            "phases": _dde_phases(adam_iterations, lbfgs_in_example, None),
        },
        DEEPXDE_EXAMPLES + script,
    )
    peer = Peer(
        f"deepxde-{problem}",
        "deepxde",
        "pinn",
        "peer",
        f"DeepXDE {script}: Adam then L-BFGS in float64, half the budget each",
        {
            **_DDE_COMMON,
            "problem": problem,
            **net,
            **points,
            **(peer_points or {}),
            "float": "float64",
            "phases": _dde_phases(adam_iterations, True, 0.5),
        },
        DEEPXDE_EXAMPLES + script + " (network, points, Adam lr 1e-3 then L-BFGS); float64 as "
        "set_LBFGS_options' warning says when L-BFGS stops early: " + DEEPXDE_LBFGS_WARNING,
    )
    return [example, peer]


_PINN = [
    # No DeepXDE example solves the damped oscillator: its second-order ODE example
    # (ode_2nd.py: 3 x 50 tanh, Glorot uniform, an IC on u and an OperatorBC on u',
    # Adam lr 1e-3 for 10,000 iterations) with nnkit's residual (divided by k) and
    # initial conditions (u' scaled by 1/omega0), the example's density of collocation
    # points (16 per 0.25 time units) in the example run, nnkit's 200 in the peer run.
    *_dde_pair(
        "oscillator",
        "ode_2nd.py",
        {"layers": (50, 50, 50), "activation": "tanh", "initializer": "Glorot uniform"},
        {"num_domain": 64, "num_boundary": 2},
        10_000,
        False,
        {"num_domain": 200},
    ),
    *_dde_pair(
        "heat", "heat.py", _EXAMPLE_NET, {**_EXAMPLE_POINTS, "num_test": 2540}, 20_000, True
    ),
    # Burgers.py trains on t in [0, 0.99] because its data file stops there; here t in
    # [0, 1], the domain of nnkit's problem and of the Cole-Hopf reference.
    *_dde_pair("burgers", "Burgers.py", _EXAMPLE_NET, _EXAMPLE_POINTS, 15_000, True),
]

# --------------------------------------------------------------------------- symbolic
# bench_symbolic_peers: every method gets the same 1,000 samples of the same trained
# network (the samples nnkit's distill used) and the same time budget, on one thread.
_OPERON_SRBENCH = {
    "offspring_generator": "basic",
    "initialization_method": "btc",
    "n_threads": 1,
    "objectives": ("r2", "length"),
    "epsilon": 1e-5,
    "optimizer_iterations": 1,
    "reinserter": "keep-best",
    "max_evaluations": 1_000_000,
    "female_selector": "tournament",
    "male_selector": "tournament",
    "brood_size": 5,
    "population_size": 1000,
    "model_selection_criterion": "minimum_description_length",
    # SRBench tunes these two with optuna; its richest symbol set and longest length:
    "allowed_symbols": "add,sub,mul,div,sin,cos,exp,log,sqrt,pow,constant,variable",
    "max_length": 50,
}
_GPLEARN_SRBENCH = {
    "tournament_size": 20,
    "init_depth": (2, 6),
    "init_method": "half and half",
    "metric": "mean absolute error",
    "parsimony_coefficient": 0.001,
    "p_crossover": 0.9,
    "p_subtree_mutation": 0.01,
    "p_hoist_mutation": 0.01,
    "p_point_mutation": 0.01,
    "p_point_replace": 0.05,
    "max_samples": 1.0,
    "function_set": ("add", "sub", "mul", "div", "log", "sqrt", "sin", "cos"),
    "population_size": 1000,
    "generations": 500,
    "n_jobs": 1,
}

_SYMBOLIC = [
    Peer("pyoperon-srbench", "pyoperon", "symbolic", "peer",
         "pyoperon SymbolicRegressor, SRBench settings",
         {"regressor": _OPERON_SRBENCH,
          "uncertainty": "SRBench's compute_sigma: in-sample RMSE of RandomForestRegressor()",
          "budget": "max_time=1 slices, warm_start, until the budget (CPU s)"},
         SRBENCH + "operon/regressor.py (default_params, and the uncertainty its fit() passes); "
         "https://github.com/heal-research/pyoperon/blob/main/example/operon-sklearn.py"),
    Peer("pyoperon-default", "pyoperon", "symbolic", "library default",
         "pyoperon SymbolicRegressor() defaults (+, -, x, /; no coefficient fitting)",
         {"regressor": {"n_threads": 1}, "budget": "max_time=1 slices, warm_start, until the budget (CPU s)"},
         "https://github.com/heal-research/pyoperon/blob/main/pyoperon/sklearn.py "
         "(SymbolicRegressor defaults; its docstring: optimizer_iterations=0 disables "
         "coefficient optimization)"),
    Peer("gplearn-srbench", "gplearn", "symbolic", "peer",
         "gplearn SymbolicRegressor, SRBench settings",
         {"regressor": _GPLEARN_SRBENCH,
          "budget": "one generation at a time (warm_start) until the budget (CPU s)"},
         SRBENCH + "gplearn/regressor.py (est and its second function set)"),
    Peer("gplearn-default", "gplearn", "symbolic", "library default",
         "gplearn SymbolicRegressor() defaults (+, -, x, /; 20 generations)",
         {"regressor": {"n_jobs": 1},
          "budget": "one generation at a time (warm_start) until the budget (CPU s)"},
         "https://gplearn.readthedocs.io/en/stable/reference.html#symbolic-regressor"),
]  # fmt: skip

# --------------------------------------------------------------------------- derivatives
_DERIVATIVES = [
    Peer("findiff-coefficients", "findiff", "derivatives", "peer",
         "findiff 0.16 coefficients() + numpy",
         {"call": "coefficients(deriv=d, acc=a)", "exact_call": "coefficients(..., symbolic=True)"},
         "https://findiff.readthedocs.io/en/latest/source/examples-basic.html"),
    Peer("numdifftools-central", "numdifftools", "derivatives", "peer",
         "numdifftools Derivative (central, adaptive step, Richardson)",
         {"method": "central", "order": 2, "step": None, "full_output": True},
         "https://numdifftools.readthedocs.io/en/latest/reference/numdifftools.html"
         "#numdifftools.core.Derivative (defaults: MaxStepGenerator steps, extrapolated)"),
    Peer("numdifftools-complex", "numdifftools", "derivatives", "peer",
         "numdifftools Derivative (complex step)",
         {"method": "complex", "order": 2, "step": None, "full_output": True,
          "function": "analytic (sin(x)*exp(-x^2))"},
         "https://numdifftools.readthedocs.io/en/latest/reference/numdifftools.html"
         "#numdifftools.core.Derivative (\"complex methods are usually the most accurate "
         "provided the function ... is analytic\")"),
]  # fmt: skip

# --------------------------------------------------------------------------- autodiff
_AUTODIFF = [
    Peer("micrograd", "micrograd", "autodiff", "peer", "micrograd 0.1.0",
         {"model": "micrograd.nn.MLP(2, [16, 16, 1])", "values": "one Value per scalar"},
         "https://github.com/karpathy/micrograd (README and demo.ipynb)"),
    Peer("torch-batched", "torch", "autodiff", "peer",
         "torch.autograd, nn.Sequential on a (150, 2) batch",
         {"model": "nn.Sequential(Linear(2,16), ReLU, Linear(16,16), ReLU, Linear(16,1))",
          "dtype": "float32 (torch's default)", "loss": "nn.functional.mse_loss",
          "threads": 1},
         "https://pytorch.org/tutorials/beginner/pytorch_with_examples.html"),
    Peer("torch-scalar-chain", "torch", "autodiff", "same graph",
         "torch.autograd on 0-d tensors, node for node",
         {"nodes": "0-d float64 tensors, one per node", "threads": 1},
         "https://pytorch.org/docs/stable/notes/autograd.html"),
]  # fmt: skip

PEERS: dict[str, Peer] = {
    p.key: p for p in (*_FITTING, *_PINN, *_SYMBOLIC, *_DERIVATIVES, *_AUTODIFF)
}
"""Every peer configuration, by key."""
