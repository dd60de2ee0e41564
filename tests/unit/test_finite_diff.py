"""nnkit.finite_diff: exact stencils, their error model, and the sweep the page shows."""

from __future__ import annotations

import math
from fractions import Fraction as F

import numpy as np
import pytest
import sympy

from nnkit.expr import parse
from nnkit.finite_diff import (
    EPS,
    LECTURE_SCHEMES,
    DomainError,
    apply,
    autodiff_derivative,
    complex_step,
    error_sweep,
    findings,
    fit_order,
    fornberg,
    measured_minimum,
    optimal_step,
    stencil,
    stencil_from_offsets,
    taylor_derivatives,
    what_you_see,
)


def _finding(sweep, kind):
    found = [f for f in findings(sweep) if f.kind == kind]
    assert len(found) == 1, [f.kind for f in findings(sweep)]
    return found[0]


# --- the lecture's formulas come out of stencil() -------------------------------------

# (derivative, accuracy, kind) -> ({offset: integer numerator}, common denominator L)
# f^(d)(x) ≈ Σ n_s f(x + s h) / (L h^d), exactly as the lecture writes them.
LECTURE = {
    (1, 2, "central"): ({1: 1, -1: -1}, 2),
    (2, 2, "central"): ({1: 1, 0: -2, -1: 1}, 1),
    (1, 2, "forward"): ({0: -3, 1: 4, 2: -1}, 2),
    (2, 2, "forward"): ({0: 2, 1: -5, 2: 4, 3: -1}, 1),
    (1, 2, "backward"): ({0: 3, -1: -4, -2: 1}, 2),
    (2, 2, "backward"): ({0: 2, -1: -5, -2: 4, -3: -1}, 1),
    (1, 4, "central"): ({2: -1, 1: 8, -1: -8, -2: 1}, 12),
    (2, 4, "central"): ({2: -1, 1: 16, 0: -30, -1: 16, -2: -1}, 12),
    # first order, which students meet first
    (1, 1, "forward"): ({0: -1, 1: 1}, 1),
    (1, 1, "backward"): ({0: 1, -1: -1}, 1),
}


@pytest.mark.parametrize("key", list(LECTURE), ids=lambda k: f"d{k[0]}-{k[2]}-O(h^{k[1]})")
def test_lecture_formulas_come_out_of_fornberg(key):
    d, acc, kind = key
    numerators, lcm = LECTURE[key]
    st = stencil(d, acc, kind)
    got = {int(s): w for s, w in zip(st.offsets, st.weights, strict=True) if w != 0}
    assert got == {s: F(n, lcm) for s, n in numerators.items()}
    assert st.common_denominator()[0] == lcm
    assert st.order == acc
    assert all(isinstance(w, F) for w in st.weights)


def test_latex_reads_like_the_lecture():
    assert stencil(1, 2, "central").latex() == r"f'(x) \approx \frac{f(x+h) - f(x-h)}{2h}"
    assert stencil(2, 2, "central").latex() == (
        r"f''(x) \approx \frac{f(x+h) - 2f(x) + f(x-h)}{h^{2}}"
    )
    assert stencil(1, 2, "forward").latex() == (
        r"f'(x) \approx \frac{-3f(x) + 4f(x+h) - f(x+2h)}{2h}"
    )
    assert stencil(1, 2, "backward").latex() == (
        r"f'(x) \approx \frac{3f(x) - 4f(x-h) + f(x-2h)}{2h}"
    )
    assert stencil(2, 4, "central").latex() == (
        r"f''(x) \approx \frac{-f(x+2h) + 16f(x+h) - 30f(x) + 16f(x-h) - f(x-2h)}{12h^{2}}"
    )
    assert stencil(4, 2, "central").latex().startswith(r"f^{(4)}(x) \approx")


def test_error_constants_are_the_textbook_ones():
    assert stencil(1, 1, "forward").error_constant == F(1, 2)
    assert stencil(1, 1, "backward").error_constant == F(-1, 2)
    assert stencil(1, 2, "central").error_constant == F(1, 6)
    assert stencil(2, 2, "central").error_constant == F(1, 12)
    assert stencil(1, 4, "central").error_constant == F(-1, 30)
    assert stencil(2, 4, "central").error_constant == F(-1, 90)
    assert stencil(1, 2, "forward").error_constant == F(-1, 3)
    assert stencil(1, 2, "central").abs_sum == 1
    assert stencil(2, 2, "forward").abs_sum == 12


def _taylor_solve(offsets, d):
    """Independent: solve Σ_j w_j s_j^k / k! = [k == d], k = 0..n-1, in sympy rationals."""
    n = len(offsets)
    a = sympy.Matrix(n, n, lambda k, j: sympy.Rational(offsets[j]) ** k / sympy.factorial(k))
    b = sympy.Matrix(n, 1, lambda k, _: 1 if k == d else 0)
    return [F(int(w.p), int(w.q)) for w in a.LUsolve(b)]


@pytest.mark.parametrize("d", [1, 2, 3, 4])
@pytest.mark.parametrize("acc", [2, 3, 4, 5, 6, 7, 8])
@pytest.mark.parametrize("kind", ["forward", "backward", "central"])
def test_weights_equal_an_independent_taylor_solve(d, acc, kind):
    if kind == "central" and acc % 2:
        with pytest.raises(ValueError, match="even"):
            stencil(d, acc, kind)
        return
    st = stencil(d, acc, kind)
    assert st.weights == tuple(_taylor_solve([int(s) for s in st.offsets], d))
    assert st.order >= acc
    # The error constant is the first Taylor moment the weights do not cancel.
    k = d + st.order
    moment = sum(w * s**k for w, s in zip(st.weights, st.offsets, strict=True)) / math.factorial(k)
    assert moment == st.error_constant != 0
    for j in range(d + 1, k):
        assert sum(w * s**j for w, s in zip(st.weights, st.offsets, strict=True)) == 0


def test_offsets_are_the_fewest_points():
    assert [int(s) for s in stencil(1, 2, "central").offsets] == [-1, 0, 1]
    assert [int(s) for s in stencil(3, 2, "central").offsets] == [-2, -1, 0, 1, 2]
    assert [int(s) for s in stencil(2, 2, "forward").offsets] == [0, 1, 2, 3]
    assert stencil(1, 2, "central").n_points == 2  # f(x) has weight 0


def test_fornberg_gives_all_derivative_orders_and_custom_offsets():
    c = fornberg([-1, 0, 1], 2)
    assert c[0] == [0, 1, 0] and c[1] == [F(-1, 2), 0, F(1, 2)] and c[2] == [1, -2, 1]
    st = stencil_from_offsets([F(-1, 2), F(1, 2)], 1)  # staggered grid
    assert st.weights == (-1, 1) and st.order == 2 and st.error_constant == F(1, 24)
    with pytest.raises(ValueError):
        fornberg([0, 0, 1], 1)
    with pytest.raises(ValueError, match="at least 3 points"):
        stencil_from_offsets([0, 1], 2)


@pytest.mark.parametrize(
    ("args", "words"),
    [
        ((0, 2, "central"), "derivative"),
        ((1, 0, "forward"), "accuracy"),
        ((1, 3, "central"), "even"),
        ((1, 2, "sideways"), "kind"),
    ],
)
def test_bad_stencil_requests_say_what_to_change(args, words):
    with pytest.raises(ValueError, match=words):
        stencil(*args)


# --- evaluation -------------------------------------------------------------------------


def test_apply_is_vectorised_over_x_and_h_and_matches_a_loop():
    st = stencil(1, 4, "central")
    x = np.linspace(-1, 1, 7)
    h = np.logspace(-4, -1, 5)
    out = apply(st, np.sin, x, h)
    assert out.shape == (7, 5)
    loop = [
        [
            sum(
                float(w) * math.sin(xi + float(s) * hj)
                for s, w in zip(st.offsets, st.weights, strict=True)
            )
            / hj
            for hj in h
        ]
        for xi in x
    ]
    np.testing.assert_allclose(out, loop, rtol=1e-12, atol=1e-13)
    np.testing.assert_allclose(out[:, 2], np.cos(x), atol=1e-10)


def test_apply_rejects_non_positive_steps():
    for bad in ([0.1, 0.0], [-1e-3], [np.nan], []):
        with pytest.raises(ValueError, match="h must be"):
            apply(stencil(1, 2, "central"), np.sin, 0.0, bad)


def test_complex_step_reaches_machine_precision_at_tiny_h():
    f = parse("exp(x)/sqrt(sin(x)^3 + cos(x)^3)")
    x0 = 1.5
    exact = float(f.diff().sympy.evalf(30, subs={f.symbols[0]: sympy.Rational(x0)}))
    est = complex_step(f.numpy, x0, [1e-8, 1e-20, 1e-100])
    assert np.all(np.abs(est - exact) <= 4 * EPS * abs(exact))


def test_autodiff_derivative_orders():
    f = parse("x^3 - 2*x")
    assert autodiff_derivative(f, 2.0, 1) == 10.0
    assert autodiff_derivative(f, 2.0, 2) == 12.0
    assert autodiff_derivative(f, 2.0, 3) == 6.0
    assert autodiff_derivative(f, 2.0, 4) == 0.0


# --- the error model and the sweep --------------------------------------------------------

CASES = [("sin(x)", 0.7), ("exp(x)", 0.3), ("x^9 - 4x^6 + 3x^5 - x", 0.7)]


@pytest.mark.parametrize(("text", "x0"), CASES)
@pytest.mark.parametrize("d", [1, 2])
def test_fitted_orders_match_the_theory(text, x0, d):
    stencils = [stencil(d, a, k) for k, a in LECTURE_SCHEMES] + [stencil(d, 6, "central")]
    sw = error_sweep(parse(text), x0, d, stencils, complex_step_too=False, autodiff_too=False)
    fd = sw.summary.set_index("method")
    for st in stencils:
        assert abs(fd.loc[st.label, "fitted_order"] - st.order) < 0.1, st.label


@pytest.mark.parametrize(("text", "x0"), CASES)
@pytest.mark.parametrize("d", [1, 2])
def test_optimal_step_and_error_match_the_measured_bottom(text, x0, d):
    sw = error_sweep(parse(text), x0, d, complex_step_too=False, autodiff_too=False)
    ratios = []
    for _, row in sw.summary.iterrows():
        # h* lies in the measured minimum region (smoothed error within 3x of its
        # bottom), give or take a factor 3.
        assert row.h_lo / 3 <= row.h_star <= 3 * row.h_hi, row.method
        ratios.append(row.e_star / row.e_best)
    # The round-off term S·ε·F is a bound: E* sits at or above the measured bottom,
    # typically within 3x (checked over many points below), never far off.
    assert 1 / 3 <= np.median(ratios) <= 3
    assert all(1 / 5 <= r <= 5 for r in ratios), ratios


def test_optimal_error_within_3x_of_the_measured_bottom_at_most_points():
    rng = np.random.default_rng(3)
    ratios = []
    for text in ("sin(x)", "exp(x)", "x^9 - 4x^6 + 3x^5 - x"):
        for x0 in rng.uniform(-1.5, 1.5, 4):
            for d in (1, 2):
                sw = error_sweep(
                    parse(text), float(x0), d, complex_step_too=False, autodiff_too=False
                )
                ratios += list(sw.summary.e_star / sw.summary.e_best)
    ratios = np.array(ratios)
    assert len(ratios) == 144
    assert np.mean((ratios >= 1 / 3) & (ratios <= 3)) >= 0.85
    assert np.all((ratios >= 1 / 8) & (ratios <= 8))


def test_optimal_step_formula():
    st = stencil(1, 2, "central")  # E = h²/6·M + ε·F/h  ->  h* = (3εF/M)^(1/3)
    h_star, e_star = optimal_step(st, m=1.0, f_scale=1.0, eps=1e-16)
    assert h_star == pytest.approx((3e-16) ** (1 / 3), rel=1e-12)
    assert e_star == pytest.approx(h_star**2 / 6 + 1e-16 / h_star, rel=1e-12)
    assert all(math.isnan(v) for v in optimal_step(st, m=0.0, f_scale=1.0))


def test_fit_order_on_synthetic_data():
    h = np.logspace(-10, 0, 100)
    err = 0.3 * h**3 + 1e-16 / h
    assert fit_order(h, err, 1e-16 / h) == pytest.approx(3.0, abs=0.01)
    assert math.isnan(fit_order(h, np.zeros_like(h), 1e-16 / h))


def test_measured_minimum_ignores_single_lucky_steps():
    h = np.logspace(-12, 0, 150)
    err = h**2 + 1e-16 / h
    lucky = err.copy()
    lucky[40] = 1e-30
    clean = measured_minimum(h, err)
    assert measured_minimum(h, lucky).h == pytest.approx(clean.h)
    assert clean.h_lo < (0.5e-16) ** (1 / 3) < clean.h_hi


def test_sweep_is_tidy_and_has_the_flat_methods():
    sw = error_sweep(parse("sin(x)*exp(-x^2)"), 0.5, 1)
    assert set(sw.data.columns) >= {
        "method",
        "family",
        "h",
        "estimate",
        "error",
        "truncation",
        "roundoff",
    }
    assert len(sw.data) == 200 * (len(LECTURE_SCHEMES) + 2)
    exact = math.cos(0.5) * math.exp(-0.25) - 2 * 0.5 * math.sin(0.5) * math.exp(-0.25)
    assert sw.exact == pytest.approx(exact, rel=1e-15)
    cs = sw.data[sw.data.method == "complex step"]
    assert cs[cs.h < 1e-8].error.max() <= 4 * EPS
    ad = sw.data[sw.data.method == "autodiff (torch)"]
    assert ad.error.max() <= 4 * EPS
    # The V: error falls towards h* and rises again to the left.
    central = sw.data[sw.data.method == "central O(h²)"].set_index("h").error
    assert central.iloc[0] > 1e3 * central.min() and central.iloc[-1] > 1e3 * central.min()


def test_sweep_for_second_derivative_leaves_complex_step_out_with_a_note():
    sw = error_sweep(parse("exp(x)"), 1.0, 2)
    assert "complex step" not in set(sw.data.method)
    assert len(sw.notes) == 1  # and it says why


def test_sweep_of_non_analytic_f_leaves_complex_step_out():
    sw = error_sweep(parse("abs(x) + x^2"), 1.0, 1)
    assert "complex step" not in set(sw.data.method)
    assert len(sw.notes) == 1


def test_sweep_bad_inputs():
    with pytest.raises(DomainError, match="f\\(x\\)"):
        error_sweep(parse("log(x)"), -1.0, 1)
    with pytest.raises(DomainError, match="derivative"):
        error_sweep(parse("sqrt(x)"), 0.0, 1)
    with pytest.raises(ValueError, match="h must be"):
        error_sweep(parse("sin(x)"), 1.0, 1, h=[1e-3, -1e-3])
    with pytest.raises(ValueError, match="approximates derivative"):
        error_sweep(parse("sin(x)"), 1.0, 1, [stencil(2, 2, "central")])


def test_samples_outside_the_domain_are_left_out_with_a_note():
    sw = error_sweep(parse("log(x)"), 0.5, 1, complex_step_too=False, autodiff_too=False)
    back = sw.data[sw.data.method == "backward O(h)"]
    assert back[back.h > 0.5].error.isna().all() and back[back.h < 0.4].error.notna().all()
    assert any("backward O(h)" in n for n in sw.notes)  # the note names the method


def test_polynomial_differentiated_exactly_has_no_fitted_order():
    sw = error_sweep(parse("x^2 + 1"), 0.7, 1, [stencil(1, 2, "central")], complex_step_too=False)
    row = sw.summary.iloc[0]
    assert math.isnan(row.fitted_order) and math.isnan(row.h_star)


@pytest.mark.parametrize(
    ("text", "x0"),
    [
        ("tanh(x)", 0.5),
        ("sin(x)*exp(-x^2)", 0.5),
        ("log(1+x^2)", 2.0),
        ("x^x", 1.5),
        ("asin(x) + acos(x/2) + atan(x) + asinh(x) + atanh(x/2) + erf(x) + acosh(x+2)", 0.3),
        ("sqrt(1+x)/tan(x) + 2^x - abs(x)*x", 0.7),
        ("max(x, 1)*x^2 + cosh(x)", 0.5),
    ],
)
def test_taylor_mode_derivatives_equal_sympy(text, x0):
    f = parse(text)
    got = taylor_derivatives(f, x0, 6)
    x = f.symbols[0]
    for k in range(7):
        want = complex(sympy.diff(f.sympy, x, k).evalf(30, subs={x: sympy.Rational(x0)}))
        assert abs(got[k] - want) <= 1e-14 * max(1.0, abs(want)), k


def test_taylor_mode_is_fast_at_high_order():
    import time

    t0 = time.perf_counter()
    d = taylor_derivatives(parse("tanh(x)"), 0.5, 20)
    assert time.perf_counter() - t0 < 2.0  # sympy needs minutes for the 20th derivative
    assert all(np.isfinite(v) for v in d)
    assert (
        taylor_derivatives(parse("sqrt(x)"), 0.0, 2)[1]
        != taylor_derivatives(parse("sqrt(x)"), 0.0, 2)[1]
    )


def test_sweep_with_nnkit_engine_matches_exact_and_explains_gaps():
    sw = error_sweep(parse("sin(x)*exp(-x^2)"), 0.5, 1, engine_too=True)
    eng = sw.data[sw.data.method == "autodiff (nnkit engine)"]
    assert len(eng) == 200 and eng.error.max() <= 4 * EPS
    sw = error_sweep(parse("erf(x)"), 0.5, 1, engine_too=True, autodiff_too=False)
    assert "autodiff (nnkit engine)" not in set(sw.data.method)
    assert any("erf" in n for n in sw.notes)


def test_vanishing_leading_term_raises_the_order_at_that_point():
    # sin''(0) = 0, so forward O(h) behaves as O(h²) at x0 = 0; the model follows.
    sw = error_sweep(parse("sin(x)"), 0.0, 1, complex_step_too=False, autodiff_too=False)
    row = sw.summary.set_index("method").loc["forward O(h)"]
    assert row.order == 1 and row.order_here == 2
    assert abs(row.fitted_order - 2) < 0.1
    slopes = _finding(sw, "slopes")
    assert "order raised" in slopes.flags and f"{row.fitted_order:.2f}" in slopes.text
    assert "no round-off wall" in _finding(sw, "best").flags


def test_kink_is_reported_and_no_order_is_claimed():
    sw = error_sweep(parse("abs(x)"), 0.0, 1, complex_step_too=False, autodiff_too=False)
    assert not sw.smooth
    assert sw.summary.fitted_order.isna().all() and sw.summary.h_star.isna().all()
    assert len(sw.notes) == 1
    assert [f.kind for f in findings(sw)] == ["not smooth"]
    assert what_you_see(sw) == [findings(sw)[0].text]


def test_what_you_see_numbers_come_from_the_sweep():
    sw = error_sweep(parse("exp(x)"), 1.0, 1, complex_step_too=False, autodiff_too=False)
    fd = sw.summary.set_index("method")
    slopes = _finding(sw, "slopes")
    assert slopes.methods == tuple(fd.index) and not slopes.flags
    for method in fd.index:
        assert f"{fd.loc[method, 'fitted_order']:.2f}" in slopes.text
    best = _finding(sw, "best")
    assert best.methods == (fd.e_best.idxmin(),)
    assert (
        f"{fd.e_best.min():.1e}" in best.text
        and f"{fd.loc[best.methods[0], 'h_star']:.1e}" in best.text
    )
    assert best.flags == {"round-off below h*"}
    assert what_you_see(sw) == [f.text for f in findings(sw)]


# --- functions with a nearby singularity, and cancellation in the model (review) -----------

NEAR_SINGULARITY = [
    ("sqrt(x)", 1e-3),
    ("sqrt(x)", 1e-5),
    ("log(x)", 1e-2),
    ("log(x)", 1e-4),
    ("1/x", 1e-3),
]


@pytest.mark.parametrize(("text", "x0"), NEAR_SINGULARITY)
def test_order_is_not_raised_where_the_leading_derivative_is_large(text, x0):
    # Near a singularity f^(k)(x0) grows like x0^-k: compared at h = 1 the later Taylor
    # terms look huge and the (non-zero!) leading one looked negligible, so the page
    # claimed "theory 4, not 2: f's derivative in the O(h^2) term is 0 at this x0".
    f = parse(text)
    x = f.symbols[0]
    stencils = [stencil(1, a, k) for k, a in (("forward", 1), ("central", 2), ("central", 4))]
    sw = error_sweep(f, x0, 1, stencils, complex_step_too=False, autodiff_too=False)
    rows = sw.summary.set_index("method")
    for st in stencils:
        lead = sympy.diff(f.sympy, x, 1 + st.order).subs(x, sympy.Float(x0, 30))
        assert abs(float(lead)) > 1.0  # independently: the leading derivative is far from 0
        row = rows.loc[st.label]
        assert row.order_here == st.order, st.label
        assert abs(row.fitted_order - st.order) < 0.1, st.label
        assert row.h_lo / 3 <= row.h_star <= 3 * row.h_hi, st.label
        assert 1 / 5 <= row.e_star / row.e_best <= 5, st.label
    assert "order raised" not in _finding(sw, "slopes").flags


@pytest.mark.parametrize(
    ("text", "x0"), [("tanh(x)", 20.0), ("tanh(x)", 30.0), ("sigmoid(x)", 45.0)]
)
def test_taylor_mode_survives_cancellation(text, x0):
    # tanh'(30) = 1 - tanh(30)^2 ~ 3.5e-26: 20 fixed digits gave 0 (and f^(7) = -1e-21).
    f = parse(text)
    x = f.symbols[0]
    got = taylor_derivatives(f, x0, 8, dps=20)
    for k in range(9):
        want = float(sympy.diff(f.sympy, x, k).subs(x, sympy.Float(x0, 80)).evalf(60))
        assert got[k].real == pytest.approx(want, rel=1e-12, abs=0), k


@pytest.mark.parametrize(("text", "x0"), [("asin(x)", 1.0), ("acos(x)", 1.0), ("acos(x)", -1.0)])
def test_exact_reference_at_a_branch_point_is_a_domain_error_not_noise(text, x0):
    # asin'(x) = 1/sqrt(1 - x^2): at x0 = 1 evalf(subs=) returned 1.8e75 (rounding noise
    # of 1 - 1), which the page showed as "the exact value".
    with pytest.raises(DomainError, match="exact derivative"):
        error_sweep(parse(text), x0, 1, complex_step_too=False, autodiff_too=False)


def test_exact_reference_survives_cancellation_to_zero():
    # (x+1)^2 - x^2 - 2x has f' = 0 everywhere: the reference must be exactly 0.
    sw = error_sweep(
        parse("(x+1)^2 - x^2 - 2x"), 0.3, 1, complex_step_too=False, autodiff_too=False
    )
    assert sw.exact == 0.0


@pytest.mark.parametrize("h", [1e300, 1e200, 1e-300])
def test_estimates_at_extreme_steps_gives_numbers_not_overflow_errors(h):
    from nnkit.finite_diff import estimates_at

    f = parse("sin(x)")
    sw = error_sweep(f, 0.5, 1, complex_step_too=True, autodiff_too=False)
    table = estimates_at(sw, f, h)
    assert len(table) == len(sw.stencils) + 1
    assert (table.exact == sw.exact).all()


def test_what_you_see_says_when_h_star_is_off_the_plot():
    # The note used to quote h* = 8e4 for tanh at 30 as if it were reachable, and said
    # "going below that h only adds round-off" when the whole plot lay below h*.
    f = parse("sin(x)*exp(-x^2)")
    narrow = error_sweep(
        f, 0.5, 1, h=np.logspace(-16, -9, 100), complex_step_too=False, autodiff_too=False
    )
    best = _finding(narrow, "best")
    assert {"h* beyond plot", "widen range"} <= best.flags and "1e-09" in best.text
    sat = error_sweep(parse("tanh(x)"), 30.0, 1, complex_step_too=False, autodiff_too=False)
    assert sat.exact == pytest.approx(3.502604305078608e-26, rel=1e-15)
    best = _finding(sat, "best")
    assert "unrecoverable" in best.flags and "round-off below h*" not in best.flags


def test_overflowing_derivatives_are_not_called_a_kink():
    # log at 1e-300 is smooth; its 2nd derivative (-1e600) overflows. The note called it
    # "a kink, a jump or a singularity" and spoke of one-sided slopes.
    sw = error_sweep(parse("log(x)"), 1e-300, 1, complex_step_too=False, autodiff_too=False)
    assert not sw.smooth and sw.overflow
    assert _finding(sw, "not smooth").flags == {"overflow"}
    kink = error_sweep(parse("abs(x) + x^2"), 0.0, 1, complex_step_too=False, autodiff_too=False)
    assert not kink.smooth and not kink.overflow
    assert _finding(kink, "not smooth").flags == frozenset()
    assert sw.notes != kink.notes and findings(sw)[0].text != findings(kink)[0].text


def test_large_complex_step_error_is_explained_as_truncation():
    # sqrt at 1e-10: for h up to 1e-8 the complex step is 85% off, under a sentence about
    # "no round-off wall"; the note now says why and shows the error at the smallest h.
    sw = error_sweep(parse("sqrt(x)"), 1e-10, 1, [], complex_step_too=True, autodiff_too=False)
    cs = sw.data[sw.data.method == "complex step"]
    smallest = cs.loc[cs.h.idxmin()]
    assert smallest.error / sw.exact < 1e-10  # tiny h: accurate, no round-off wall
    found = _finding(sw, "complex step")
    assert found.flags == {"truncation"} and f"{smallest.error:.1e}" in found.text
    ok = error_sweep(parse("sin(x)"), 0.5, 1, [], complex_step_too=True, autodiff_too=False)
    assert _finding(ok, "complex step").flags == frozenset()


def test_an_exact_complex_step_or_autodiff_is_called_exact_not_an_error_of_zero():
    # x² at 0.5: the complex step and the engine both give exactly 1; "its error is at
    # most 0.0e+00 (0.0e+00 relative)" read as a bound. sin at 0.5: a real, tiny error.
    exact = error_sweep(parse("x^2"), 0.5, 1, [], complex_step_too=True, engine_too=True)
    assert exact.data[exact.data.method != "autodiff (torch)"].error.max() == 0
    assert "exact (error 0)" in _finding(exact, "complex step").text
    assert "e+00" not in _finding(exact, "complex step").text
    engine = [f for f in findings(exact) if f.kind == "autodiff" and "engine" in f.text]
    assert engine and "exact (error 0)" in engine[0].text
    tiny = error_sweep(parse("sin(x)*exp(-x^2)"), 0.5, 1, [], complex_step_too=True)
    worst = tiny.data[(tiny.data.method == "complex step") & (tiny.data.h <= 1e-8)].error.max()
    assert worst > 0 and f"at most {worst:.1e}" in _finding(tiny, "complex step").text


def test_what_you_see_flags_an_optimistic_e_star():
    # f^(6) with central O(h^10) at 0.5: E* = 2e-7 but the measured bottom is 2e-4; the
    # note quoted both without a word. It must say the model is too optimistic there,
    # and must not say so where the model holds.
    f = parse("sin(x)*exp(-x^2)")
    high = error_sweep(
        f, 0.5, 6, [stencil(6, 10, "central")], complex_step_too=False, autodiff_too=False
    )
    row = high.summary.iloc[0]
    assert row.e_best / row.e_star > 5
    best = _finding(high, "best")
    assert "optimistic model" in best.flags and f"{row.e_best / row.e_star:.0f}×" in best.text
    low = error_sweep(f, 0.5, 1, complex_step_too=False, autodiff_too=False)
    assert "optimistic model" not in _finding(low, "best").flags


# --- helpers the page uses -------------------------------------------------------------


def test_scheme_labels_name_the_lecture_schemes():
    from nnkit.finite_diff import scheme_labels, stencils_for

    for d in (1, 2):
        labels = scheme_labels(d)
        assert list(labels.values()) == list(LECTURE_SCHEMES)
        assert list(labels) == [st.label for st in stencils_for(d, LECTURE_SCHEMES)]
    assert "central O(h²)" in scheme_labels(1)


def test_derivative_notation_matches_the_stencil_latex():
    from nnkit.finite_diff import derivative_notation

    for d in (1, 2, 3, 4, 5):
        lhs = stencil(d, 2, "central").latex().split(r" \approx")[0]
        assert lhs == f"f{derivative_notation(d)}(x)"
    assert derivative_notation(2, unicode=True) == "′′"
    assert derivative_notation(4, unicode=True) == "^(4)"


def test_summary_table_has_one_row_per_stencil_and_the_sweep_numbers():
    from nnkit.finite_diff import SUMMARY_COLUMNS, summary_table

    sw = error_sweep(parse("exp(x)"), 0.3, 1)
    table = summary_table(sw)
    assert list(table.columns) == list(SUMMARY_COLUMNS.values())
    assert list(table["method"]) == list(sw.stencils)
    fd = sw.summary.set_index("method")
    for _, row in table.iterrows():
        assert row["h* (theory)"] == fd.loc[row["method"], "h_star"]


def test_failed_methods_lists_the_non_finite_estimates():
    from nnkit.finite_diff import estimates_at, failed_methods

    f = parse("log(x)")
    sw = error_sweep(f, 0.5, 1, autodiff_too=False)
    assert failed_methods(estimates_at(sw, f, 1e-3)) == []
    broken = failed_methods(estimates_at(sw, f, 0.6))  # x0 - h < 0 for backward/central
    assert broken and "forward O(h)" not in broken and "backward O(h)" in broken


def test_taylor_scale_of_denormal_derivatives_is_defined():
    from nnkit.finite_diff.taylor import taylor_scale

    # |f^(k)(x0)| = 5e-324 (the smallest float): divided by k! it rounds to 0
    assert 0 < taylor_scale([0.0, 5e-324, 5e-324, 5e-324, 1e-320]) <= 1
