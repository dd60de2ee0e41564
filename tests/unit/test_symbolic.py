"""nnkit.symbolic: recovery, noise robustness, equivalence, Pareto front, snapping, seeds."""

from __future__ import annotations

import math
from types import SimpleNamespace

import numpy as np
import pytest
import sympy as sp

from nnkit.symbolic import (
    check_equivalence,
    compare_functions,
    distill,
    estimate_noise,
    evaluate,
    is_equivalent,
    node_count,
    pareto_front,
    widen_domain,
)
from nnkit.symbolic.gp import gplearn_candidates, program_to_sympy
from nnkit.symbolic.library import build_library
from nnkit.symbolic.problems import NGUYEN
from nnkit.symbolic.snap import simple_values, snap_linear

x = sp.Symbol("x", real=True)
x1, x2 = sp.symbols("x1 x2", real=True)


def _fn(expr, symbols):
    return lambda X: evaluate(expr, {s: X[:, i] for i, s in enumerate(symbols)}) * np.ones(len(X))


# ----------------------------------------------------------------------------- recovery
@pytest.mark.parametrize(
    ("truth", "domain"),
    [
        (x**3 + x**2 + x, [(-1, 1)]),
        (sp.sin(x) + x**2 / 2, [(-1, 1)]),
        (sp.sqrt(x), [(0, 4)]),
        (sp.exp(-(x**2)) * sp.cos(3 * x), [(-2, 2)]),
        (3 * x**2 - 10 * sp.cos(2 * sp.pi * x) + 10, [(-3, 3)]),
    ],
    ids=["poly", "sin+half-square", "sqrt", "gauss*cos", "rastrigin-like"],
)
def test_exact_recovery_from_clean_samples(truth, domain):
    res = distill(_fn(truth, [x]), domain, ["x"], n_samples=400)
    assert res.status == "found"
    eq = check_equivalence(res.best.expr, truth, domain)
    assert eq.equivalent, f"found {res.best.text}, expected {truth}"
    assert res.best.free_constants == 0  # every coefficient snapped to an exact number
    assert res.best.r2 > 1 - 1e-9


def test_exact_recovery_two_inputs():
    truth = 2 * sp.sin(x1) * sp.cos(x2)
    res = distill(_fn(truth, [x1, x2]), [(0, 1), (0, 1)], ["x1", "x2"], n_samples=400)
    assert is_equivalent(res.best.expr, truth, [(0, 1), (0, 1)])


def test_small_noise_still_recovers_structure():
    rng = np.random.default_rng(3)
    X = rng.uniform(-1, 1, (600, 1))
    clean = X[:, 0] ** 3 + X[:, 0] ** 2 + X[:, 0]
    y = clean + 0.01 * clean.std() * rng.standard_normal(600)
    res = distill((X, y), variables=["x"])
    assert res.status == "found"
    assert 0.003 < res.info["accuracy"] < 0.03  # the 1 % noise is estimated from the data
    assert is_equivalent(res.best.expr, x**3 + x**2 + x, [(-1, 1)])


def test_network_like_error_does_not_buy_extra_terms():
    # A smooth systematic error of 0.2 % (what a trained network leaves) must not be
    # fitted with extra terms once the source's accuracy is given.
    truth = NGUYEN[6]  # log(x+1) + log(x^2+1) on [0, 2]

    def net(X):
        v = truth(X)
        return v + 0.002 * v.std() * np.sin(5 * X[:, 0] + 1)

    res = distill(net, truth.domain, truth.variables, n_samples=500, accuracy=0.002)
    assert is_equivalent(res.best.expr, truth.truth, truth.domain)


def test_constant_target_says_so():
    res = distill(lambda X: np.full(len(X), 2.5), [(-1, 1)])
    assert res.status == "constant"
    assert res.best.expr == sp.Rational(5, 2)
    assert "constant" in res.message


def test_pure_noise_yields_no_formula_with_candidates():
    rng = np.random.default_rng(0)
    X = rng.uniform(-1, 1, (400, 1))
    res = distill((X, rng.standard_normal(400)), variables=["x"])
    assert res.status == "none"
    assert res.message.startswith("No simple formula found")
    assert len(res.candidates) > 3 and len(res.front) >= 1


def test_bad_inputs_raise_clear_errors():
    with pytest.raises(ValueError, match="domain"):
        distill(lambda X: X[:, 0])
    with pytest.raises(ValueError, match="rows"):
        distill((np.zeros((5, 1)), np.zeros(4)))
    with pytest.raises(ValueError, match="method"):
        distill(lambda X: X[:, 0], [(0, 1)], method="magic")


# ----------------------------------------------------------------------------- front, seeds
def test_pareto_front_is_monotone_and_holds_the_choice():
    truth = sp.sin(x) + sp.sin(x + x**2)
    res = distill(_fn(truth, [x]), [(-1, 1)], ["x"], n_samples=400)
    front = res.front
    assert np.all(np.diff(front["complexity"]) > 0)
    assert np.all(np.diff(front["nrmse"]) < 0)
    assert front["chosen"].sum() == 1
    # nothing evaluated beats the front: each candidate is dominated by a front point
    for c in res.candidates:
        assert any(f.complexity <= c.complexity and f.nrmse <= c.nrmse for f in pareto_front(res.candidates))


def test_same_seed_same_result_and_samples():
    truth = x1**2 - x2 / 2
    f = _fn(truth, [x1, x2])
    kw = {"n_samples": 200, "degree": 3, "max_terms": 4}
    a = distill(f, [(-1, 1), (0, 2)], ["x1", "x2"], seed=7, **kw)
    b = distill(f, [(-1, 1), (0, 2)], ["x1", "x2"], seed=7, **kw)
    c = distill(f, [(-1, 1), (0, 2)], ["x1", "x2"], seed=8, **kw)
    assert np.array_equal(a.X, b.X) and not np.array_equal(a.X, c.X)
    assert a.best.expr == b.best.expr
    assert list(a.front["formula"]) == list(b.front["formula"])


# ----------------------------------------------------------------------------- equivalence
def test_equivalence_checker():
    assert check_equivalence(sp.sin(x) * sp.cos(x**2) + sp.sin(x) + sp.sin(x**2) * sp.cos(x),
                             sp.sin(x) + sp.sin(x + x**2)).symbolic is True
    assert is_equivalent(sp.log(x + 1) + sp.log(x**2 + 1), sp.log(x**3 + x**2 + x + 1), [(0, 2)])
    assert not is_equivalent(x**2, x**2 + sp.Rational(1, 1000))
    assert not is_equivalent(x**2, 1.0000001 * x**2)
    # same function only where the domain allows it
    assert is_equivalent(sp.sqrt(x**2), x, [(0, 1)])
    assert not is_equivalent(sp.sqrt(x**2), x, [(-1, 1)])
    # symbols match by name (real=True or not)
    assert is_equivalent(sp.Symbol("x") ** 2, x**2)


# ----------------------------------------------------------------------------- parts
def test_snapping_finds_simple_numbers_and_keeps_others():
    t = np.linspace(0, 1, 200)
    A = np.column_stack([np.ones_like(t), t, t**2])
    exact, beta, rmse = snap_linear(A, math.pi + 0.5 * t + 0.3719 * t**2)
    assert exact[0] == sp.pi and exact[1] == sp.Rational(1, 2)
    assert exact[2] is None and beta[2] == pytest.approx(0.3719, rel=1e-9)
    values = [v for _, v in simple_values(0.33333)]
    assert values[0] == 0 and sp.Rational(1, 3) in values


def test_library_respects_the_domain_and_drops_duplicates():
    X = np.linspace(-1, 1, 200)[:, None]
    lib = build_library(X, (x,), [(-1, 1)])
    assert sp.sqrt(x) not in lib.exprs and 1 / x not in lib.exprs
    assert sp.sin(x**2) * sp.cos(x) in lib.exprs
    # sin(x)cos(x) = sin(2x)/2 is the same column as sin(2x): only one is kept
    assert not (sp.sin(x) * sp.cos(x) in lib.exprs and sp.sin(2 * x) in lib.exprs)
    pos = build_library(np.linspace(0.5, 2, 200)[:, None], (x,), [(0.5, 2)], products=False)
    assert sp.sqrt(x) in pos.exprs and sp.log(x) in pos.exprs


def test_evaluate_and_node_count():
    vals = {"x": np.array([0.5, 2.0])}
    np.testing.assert_allclose(evaluate(sp.exp(-(x**2)) + sp.sqrt(x), vals),
                               np.exp(-vals["x"] ** 2) + np.sqrt(vals["x"]))
    assert node_count(x**2 + 3 * x) == 7
    with pytest.raises(ValueError, match="evaluate"):
        evaluate(sp.gamma(x), vals)


def test_estimate_noise():
    rng = np.random.default_rng(1)
    X = rng.uniform(0, 1, (2000, 1))
    clean = np.sin(3 * X[:, 0])
    assert estimate_noise(X, clean) < 0.02
    noisy = clean + 0.1 * clean.std() * rng.standard_normal(2000)
    assert 0.07 < estimate_noise(X, noisy) < 0.13


def test_widen_domain_and_compare_functions():
    assert widen_domain([(-1, 1), (0, 4)]) == ((-2.0, 2.0), (0.0, 8.0))
    f = _fn(x**2, [x])
    comp = compare_functions({"truth": f, "same": f, "line": lambda X: X[:, 0]},
                             [(-1, 1)], [(-2, 2)], "truth", n=201)
    s = comp.scores.set_index("series")
    assert s.loc["same", "r2_inside"] == 1 and s.loc["same", "r2_outside"] == 1
    assert s.loc["line", "r2_outside"] < 0.5
    assert comp.grid["inside"].sum() == 3 * 101  # three series, 101 grid points inside [-1, 1]


def test_gplearn_program_conversion():
    def fn(name, arity):
        return SimpleNamespace(name=name, arity=arity)

    # add(mul(X0, X0), sqrt(sub(X1, 0.5)))  ->  x1**2 + sqrt(|x2 - 0.5|)
    program = [fn("add", 2), fn("mul", 2), 0, 0, fn("sqrt", 1), fn("sub", 2), 1, 0.5]
    expr = program_to_sympy(program, (x1, x2))
    assert expr == x1**2 + sp.sqrt(sp.Abs(x2 - sp.Float(0.5)))
    with pytest.raises(ValueError, match="no sympy conversion"):
        program_to_sympy([fn("weird", 1), 0], (x1,))


def test_gplearn_search_returns_checked_candidates():
    X = np.linspace(-1, 1, 100)[:, None]
    cands, info = gplearn_candidates(X, X[:, 0] ** 2 + X[:, 0], (x,), time_budget=0.5,
                                     population_size=100, max_generations=3, seed=0)
    assert cands and info["generations"] >= 1
    for c in cands:
        assert c.method == "gplearn" and np.isfinite(c.nrmse)
        # the reported error is the converted formula's own
        pred = evaluate(c.expr, {x: X[:, 0]}) * np.ones(100)
        assert np.sqrt(np.mean((pred - X[:, 0] ** 2 - X[:, 0]) ** 2)) == pytest.approx(c.rmse, rel=1e-6)


def test_large_data_sets_are_subsampled_with_the_seed():
    X = np.random.default_rng(0).uniform(-1, 1, (20_000, 1))
    a = distill((X, 2 * X[:, 0] + 1), n_samples=500, seed=3)
    b = distill((X, 2 * X[:, 0] + 1), n_samples=500, seed=3)
    assert a.X.shape == (500, 1) and np.array_equal(a.X, b.X)
    assert a.best.expr == 2 * sp.Symbol("x", real=True) + 1
