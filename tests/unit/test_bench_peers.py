"""No peer in ``benchmarks/`` is run in a configuration its documentation warns against.

The benchmarks build every peer from ``benchmarks.peers.PEERS`` (the table prints that
configuration and its source beside the row); these tests read the same data, and
build the scikit-learn estimators and DeepXDE's training plan with the benchmarks' own
functions, so what is checked is what runs. Each rule cites the documentation it comes
from. The peers themselves are not needed (they are benchmark-only packages).
"""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from benchmarks.bench_pinn_peers import BUDGETS, deepxde_plan
from benchmarks.bench_training import fourier_features, sklearn_estimator
from benchmarks.peers import PEERS, ROLES, Peer

ROOT = Path(__file__).resolve().parents[2]
N_TRAIN = 20_000  # bench_training's Rastrigin samples
NGUYEN_PRIMITIVES = ("sin", "cos", "log", "sqrt")  # what the Nguyen truths are made of


def _sklearn(peer: Peer) -> list[str]:
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import MinMaxScaler, StandardScaler

    out = []
    est = sklearn_estimator(peer)
    mlp = est[-1] if isinstance(est, Pipeline) else est
    scaled = isinstance(est, Pipeline) and isinstance(est[0], StandardScaler | MinMaxScaler)
    bounded = "[-1, 1]" in str(peer.config.get("features", ""))
    if peer.role == "peer" and not (scaled or bounded):
        # "Multi-layer Perceptron is sensitive to feature scaling, so it is highly
        # recommended to scale your data." (user guide, Tips on practical use)
        out.append("MLPRegressor on unscaled inputs")
    if peer.role == "peer" and N_TRAIN >= 1000 and mlp.solver != "adam":
        # "The default solver 'adam' works pretty well on relatively large datasets (with
        # thousands of training samples or more)" (MLPRegressor, solver)
        out.append(f"solver {mlp.solver!r} on {N_TRAIN} samples")
    return out


def _deepxde(peer: Peer) -> list[str]:
    cfg, out = peer.config, []
    if cfg["backend"] != "pytorch":
        out.append("not the PyTorch backend")
    if cfg["batch_size"] is not None:
        # model.train: "If you solve PDEs via dde.data.PDE or dde.data.TimePDE, do not
        # use batch_size"
        out.append("batch_size with TimePDE")
    if cfg["activation"] != "tanh":  # every DeepXDE PINN example: the residual needs u''
        out.append(f"activation {cfg['activation']!r}")
    if cfg["threads"] != 1:
        out.append("not on nnkit's one thread")
    if cfg["problem"] not in BUDGETS:
        out.append("no budget shared with nnkit")
    uses_lbfgs = any(p["optimizer"] == "L-BFGS" for p in cfg["phases"])
    if peer.role == "peer" and uses_lbfgs and cfg["float"] != "float64":
        # set_LBFGS_options: "Warning: If L-BFGS stops earlier than expected, set the
        # default float type to 'float64'"
        out.append("L-BFGS in float32")
    plan = deepxde_plan(dict(cfg), 60.0)
    fixed = sum(p["seconds"] for p in plan if p["seconds"] is not None)
    if fixed > 60.0 or plan[-1]["seconds"] is not None and fixed < 60.0:
        out.append("the phases do not spend exactly the budget")
    if any(p["optimizer"] == "adam" and not p.get("lr") for p in plan):
        out.append("Adam without a learning rate")
    return out


def _pyoperon(peer: Peer) -> list[str]:
    reg, out = peer.config["regressor"], []
    if reg.get("n_threads", 1) != 1:
        out.append("more than one thread")
    if peer.role == "peer":
        if reg.get("optimizer_iterations", 0) < 1:
            # SymbolicRegressor: "optimizer_iterations ... 0 disables coefficient
            # optimization"; SRBench runs 1
            out.append("no coefficient optimization")
        symbols = set(reg.get("allowed_symbols", "add,sub,mul,div,constant,variable").split(","))
        if not set(NGUYEN_PRIMITIVES) <= symbols:
            out.append("cannot express the Nguyen formulas")
    return out


def _gplearn(peer: Peer) -> list[str]:
    reg, out = peer.config["regressor"], []
    if reg.get("n_jobs", 1) != 1:
        out.append("more than one process")
    functions = set(reg.get("function_set", ("add", "sub", "mul", "div")))
    if peer.role == "peer" and not set(NGUYEN_PRIMITIVES) <= functions:
        out.append("cannot express the Nguyen formulas")
    return out


def _numdifftools(peer: Peer) -> list[str]:
    cfg, out = peer.config, []
    if cfg["method"] in ("central", "complex") and cfg["order"] % 2:
        # Derivative: "For 'central' and 'complex' methods, it must be an even number."
        out.append("odd order for a symmetric method")
    if cfg["order"] < 2:
        out.append("first order")  # "First order methods is usually not recommended."
    if cfg["method"] in ("complex", "multicomplex") and (
        "analytic" not in cfg.get("function", "")
        or re.search(r"abs|max|min", cfg.get("function", ""))
    ):
        # "this method fails if fun(x) does not support complex numbers or involves
        # non-analytic functions such as e.g.: abs, max, min."
        out.append("complex step on a function not known to be analytic")
    if peer.role == "peer" and cfg["step"] is not None:
        out.append("a fixed step instead of the adaptive default")
    return out


def _torch(peer: Peer) -> list[str]:
    if peer.role == "peer" and not str(peer.config.get("model", "")).startswith("nn."):
        return ["torch on scalars counted as the peer"]  # its tutorials run batched nn modules
    return []


RULES = {"scikit-learn": _sklearn, "deepxde": _deepxde, "pyoperon": _pyoperon,
         "gplearn": _gplearn, "numdifftools": _numdifftools, "torch": _torch}  # fmt: skip


def warned(peer: Peer) -> list[str]:
    """What the peer's documentation warns against in this configuration (empty: nothing).

    A configuration shown for reference only (library defaults, a published example)
    must say so in its label; the documentation's advice binds the row that counts.
    """
    out = [] if peer.role in ROLES else [f"unknown role {peer.role!r}"]
    if not re.search(r"https?://", peer.source):
        out.append("no source")
    if peer.role != "peer" and not peer.name.startswith(f"[{peer.role}]"):
        out.append("a non-peer configuration not labelled as such")
    rule = RULES.get(peer.library)
    return out + (rule(peer) if rule else [])


@pytest.mark.parametrize("key", sorted(PEERS))
def test_no_peer_runs_a_configuration_its_docs_warn_against(key):
    assert warned(PEERS[key]) == []


def _with(key: str, **changes) -> Peer:
    peer = PEERS[key]
    return replace(peer, **{k: v for k, v in changes.items() if k != "config"},
                   config={**peer.config, **changes.get("config", {})})  # fmt: skip


@pytest.mark.parametrize(
    ("bad", "expected"),
    [
        (_with("sklearn-mlp-scaled", config={"scaler": None}), "unscaled"),
        (_with("sklearn-mlp-scaled", config={"solver": "lbfgs"}), "solver"),
        (_with("deepxde-burgers", config={"float": "float32"}), "float32"),
        (_with("deepxde-heat", config={"batch_size": 256}), "batch_size"),
        (_with("deepxde-burgers", config={"phases": ({"optimizer": "adam", "lr": 1e-3,
                                                      "iterations": 100, "share": 0.5},)}),
         "budget"),
        (_with("pyoperon-srbench", config={"regressor": {"optimizer_iterations": 0}}),
         "coefficient"),
        (_with("gplearn-srbench", config={"regressor": {"n_jobs": 1}}), "Nguyen"),
        (_with("numdifftools-central", config={"order": 1}), "first order"),
        (_with("numdifftools-complex", config={"function": "abs(x)"}), "analytic"),
        (_with("sklearn-mlp-default", role="peer", label="sklearn MLPRegressor"), "unscaled"),
        (_with("torch-scalar-chain", role="peer"), "scalars"),
        (_with("deepxde-heat-example", label="x", role="published example", source="docs"),
         "source"),
    ],
)  # fmt: skip
def test_the_rules_catch_what_the_docs_warn_against(bad, expected):
    """The check above can fail: each configuration here is one the docs warn against."""
    problems = warned(bad)
    assert any(expected in p for p in problems), problems


def test_an_unscaled_mlp_is_never_the_peer():
    for peer in PEERS.values():
        if peer.library == "scikit-learn" and peer.config.get("scaler") is None:
            assert peer.role != "peer" or "[-1, 1]" in peer.config.get("features", "")
    unscaled = PEERS["sklearn-mlp-default"]
    assert unscaled.name.startswith("[library default]")


def test_fourier_features_given_to_the_peer_are_bounded_as_its_docs_ask():
    """The Fourier-feature peer skips the scaler because its inputs are in [-1, 1]: check it."""
    from nnkit.datasets import rastrigin

    X = np.random.default_rng(0).uniform(-5.12, 5.12, (500, 2))
    F = fourier_features(X, rastrigin(X[:, 0], X[:, 1]))(X)
    assert F.shape == (500, 256)
    assert np.abs(F).max() <= 1.0 + 1e-12
    assert F.std(axis=0).min() > 0.05  # features, not constants


def test_deepxde_burgers_runs_its_published_example():
    """3 x 20 tanh, 2,540 domain / 80 boundary / 160 initial points, Adam 1e-3 then L-BFGS."""
    for key in ("deepxde-burgers", "deepxde-burgers-example"):
        cfg = PEERS[key].config
        assert tuple(cfg["layers"]) == (20, 20, 20)
        assert (cfg["activation"], cfg["initializer"]) == ("tanh", "Glorot normal")
        assert (cfg["num_domain"], cfg["num_boundary"], cfg["num_initial"]) == (2540, 80, 160)
        assert [p["optimizer"] for p in cfg["phases"]] == ["adam", "L-BFGS"]
        assert cfg["phases"][0]["lr"] == 1e-3


def test_every_topic_has_a_peer_and_every_peer_library_is_pinned():
    topics = {p.topic for p in PEERS.values() if p.role == "peer"}
    assert topics >= {"fitting", "pinn", "symbolic", "derivatives", "autodiff"}
    pins = {}
    for name in ("requirements.txt", "requirements-bench.txt"):
        for line in (ROOT / name).read_text().splitlines():
            m = re.match(r"\s*([A-Za-z0-9_.\-]+)==(\S+)", line)
            if m:
                pins[m[1].lower()] = m[2]
    for peer in PEERS.values():
        assert peer.library.lower() in pins, f"{peer.library} is not pinned"
    runtime = (ROOT / "requirements.txt").read_text()
    for bench_only in ("deepxde", "pyoperon", "numdifftools", "findiff", "micrograd"):
        assert bench_only not in runtime  # the app does not depend on the peers
