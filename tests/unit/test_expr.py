"""nnkit.expr: the whitelist formula parser (never eval) and its numeric forms."""

from __future__ import annotations

import math
import time

import numpy as np
import pytest
import sympy
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nnkit import expr
from nnkit.expr import MAX_DEPTH, MAX_LENGTH, Formula, FormulaError, parse

X = sympy.Symbol("x", real=True)
Y = sympy.Symbol("y", real=True)

# --- valid input -------------------------------------------------------------------

VALID = [
    ("sin(x)*exp(-x^2)", sympy.sin(X) * sympy.exp(-(X**2))),
    ("x**3 - 2*x", X**3 - 2 * X),
    ("log(1+x^2)", sympy.log(1 + X**2)),
    ("-x^2", -(X**2)),
    ("2^3^2", sympy.Integer(512)),
    ("2**3**2", sympy.Integer(512)),
    ("(2^3)^2", sympy.Integer(64)),
    ("2x + 1", 2 * X + 1),
    ("2(x+1)", 2 * (X + 1)),
    ("(x+1)(x-1)", (X + 1) * (X - 1)),
    ("x / 2 / 4", X / 8),
    ("x - 1 - 1", X - 2),
    ("x^-2", X**-2),
    ("--x", X),
    ("+x", X),
    ("pi*x", sympy.pi * X),
    ("e^x", sympy.exp(X)),
    ("exp(1)", sympy.E),
    ("sqrt(x)", sympy.sqrt(X)),
    ("abs(x)", sympy.Abs(X)),
    ("ln(x) - log(x)", sympy.Integer(0)),
    ("log10(x)", sympy.log(X) / sympy.log(10)),
    ("arctan(x) + atan(x)", 2 * sympy.atan(X)),
    ("tanh(x)", sympy.tanh(X)),
    ("sigmoid(x)", 1 / (1 + sympy.exp(-X))),
    ("max(x, 0)", sympy.Max(X, 0)),
    ("relu(x)", sympy.Max(X, 0)),
    ("min(x, 1, 2)", sympy.Min(X, 1)),
    ("1e-3 * x", sympy.Float(1e-3) * X),
    (".5x", sympy.Float(0.5) * X),
    ("3.0", sympy.Integer(3)),
    ("  sin( x )\t", sympy.sin(X)),
    ("2 \u2212 x \u00d7 3", 2 - 3 * X),  # unicode minus and times from copied slides
    ("erf(x)", sympy.erf(X)),
]


@pytest.mark.parametrize(("text", "expected"), VALID)
def test_valid_formulas_give_the_expected_sympy_expression(text, expected):
    f = parse(text)
    assert sympy.simplify(f.sympy - expected) == 0
    assert f.variables == ("x",)
    assert f.text == text.strip()


def test_two_variables_and_argument_order():
    f = parse("x*y^2 + t", variables=("t", "x", "y"))
    assert f.variables == ("t", "x", "y")
    out = f.numpy(np.array([1.0]), np.array([2.0]), np.array([3.0]))
    assert out.tolist() == [1.0 + 2.0 * 9.0]


def test_latex_of_the_lecture_example():
    assert parse("sin(x)*exp(-x^2)").latex == sympy.latex(sympy.sin(X) * sympy.exp(-(X**2)))


def test_numpy_matches_numpy_written_by_hand_and_broadcasts():
    f = parse("sin(x)*exp(-x^2) + log(1+x^2) - x^3/7")
    x = np.linspace(-3, 3, 101)
    np.testing.assert_allclose(
        f.numpy(x), np.sin(x) * np.exp(-(x**2)) + np.log1p(x**2) - x**3 / 7, rtol=1e-14
    )
    c = parse("2*pi")
    assert c.numpy(np.zeros((2, 3))).shape == (2, 3)
    assert np.all(c.numpy(np.zeros(4)) == 2 * np.pi)


def test_numpy_integer_input_and_negative_integer_powers():
    assert parse("x^-2").numpy(np.array([2])).tolist() == [0.25]


def test_numpy_is_complex_safe_for_the_complex_step():
    f = parse("exp(x)*sin(x)/sqrt(cos(x)^3 + sin(x)^3)")
    h = 1e-30
    x0 = 1.5
    cs = f.numpy(np.array([x0 + 1j * h])).imag / h
    exact = float(f.diff().sympy.subs(X, x0))
    assert cs[0] == pytest.approx(exact, rel=1e-14)
    assert f.is_analytic
    assert not parse("abs(x) + 1").is_analytic


def test_outside_the_domain_gives_nan_without_warnings():
    with np.errstate(all="raise"):
        out = parse("log(x) + sqrt(x)").numpy(np.array([-1.0, 4.0]))
    assert math.isnan(out[0]) and out[1] == pytest.approx(math.log(4) + 2)


def test_torch_matches_numpy_and_autograd_gives_the_exact_derivative():
    from nnkit._torch import torch

    f = parse("sin(x)*exp(-x^2) + sigmoid(x) + x^3 - sqrt(1+x^2) + max(x, 0.1) + erf(x)")
    x = torch.linspace(-2, 2, 41, dtype=torch.float64, requires_grad=True)
    y = f.torch(x)
    np.testing.assert_allclose(y.detach().numpy(), f.numpy(x.detach().numpy()), rtol=1e-13)
    (g,) = torch.autograd.grad(y.sum(), x)
    np.testing.assert_allclose(g.numpy(), f.diff().numpy(x.detach().numpy()), rtol=1e-12)


def test_torch_constant_formula_broadcasts():
    from nnkit._torch import torch

    out = parse("pi").torch(torch.zeros(5, dtype=torch.float64))
    assert out.shape == (5,) and torch.allclose(out, torch.full((5,), math.pi, dtype=out.dtype))


def test_diff_is_exact():
    f = parse("x^3 - 2*x")
    assert f.diff().sympy == 3 * X**2 - 2
    assert f.diff(2).sympy == 6 * X
    assert f.diff(0) is f
    g = parse("x*y", variables=("x", "y"))
    assert g.diff(var="y").sympy == X


def test_from_sympy_rejects_text_and_unknown_symbols():
    with pytest.raises(TypeError):
        Formula.from_sympy("x + 1")  # type: ignore[arg-type]
    with pytest.raises(FormulaError):
        Formula.from_sympy(sympy.Symbol("z") + 1)
    f = Formula.from_sympy(sympy.Symbol("x") ** 2)
    assert f.numpy(np.array([3.0])).tolist() == [9.0]
    with pytest.raises(FormulaError):
        Formula.from_sympy(sympy.gamma(sympy.Symbol("x")))


def test_formula_pickles_for_streamlit_caching():
    import pickle

    f = parse("sin(x)")
    f.numpy(np.zeros(1))  # fill the cache of compiled functions
    g = pickle.loads(pickle.dumps(f))  # noqa: S301 - our own bytes, as st.cache_data does
    assert g.sympy == f.sympy and g.numpy(np.array([0.5]))[0] == math.sin(0.5)


def test_bad_variable_names_are_a_programming_error():
    for bad in (("sin",), ("e",), ("_x",), ("x", "x"), ("1x",)):
        with pytest.raises(ValueError):
            parse("1", variables=bad)


# --- hostile input -------------------------------------------------------------------

HOSTILE = [
    "__import__('os').system('ls')",
    "__import__",
    "x.__class__",
    "x.__class__.__bases__[0].__subclasses__()",
    "().__class__",
    "''.join",
    '"abc"',
    "'x'",
    "lambda: 1",
    "lambda x: x",
    "exec('1')",
    "eval('1')",
    "open('/etc/passwd')",
    "import os",
    "os.system('ls')",
    "sys.exit()",
    "globals()",
    "locals()",
    "getattr(x, 'real')",
    "x.real",
    "sin.__call__(x)",
    "x if x else 1",
    "[x for x in range(3)]",
    "{1: 2}",
    "x; 1",
    "x = 1",
    "x == 1",
    "x and 1",
    "x % 2",
    "x @ x",
    "x & 1",
    "~x",
    "`x`",
    "$x",
    "x#comment",
    "\\x",
    "x\n+1",
    "9**9**9**9",
    "9^9^9^9",
    "2^2^2^2^2",
    "10^1000",
    "(10^300)^2",
    "x^(10^9)",
    "1e400",
    "max(exp(exp(exp(100))), 1)",
    "exp(700)*exp(700)*x",
    "sign(exp(exp(100)) - 1)",
    "1" * 60,
    "(" * 200 + "x" + ")" * 200,
    "-" * 200 + "x",
    "x" + "+x" * 400,
    "sin(" * 60 + "x" + ")" * 60,
    "x^" * 60 + "2",
    "1/0",
    "x/0",
    "0^-1",
    "",
    "   ",
    "sin",
    "sin()",
    "sin(x, x)",
    "max(x)",
    "Sin(x)",
    "foo(x)",
    "y",
    "x(2)",
    "pi(2)",
    "x y",
    "2 3",
    "(x",
    "x)",
    "()",
    "x +",
    "* x",
    "x ** ** 2",
    "1..2",
    "1.2.3",
    "x,1",
    "\u00e9",
    "x\x00",
    "λ",
]


@pytest.mark.parametrize("text", HOSTILE)
def test_hostile_input_is_rejected_quickly_with_a_position(text):
    t0 = time.perf_counter()
    with pytest.raises(FormulaError) as info:
        parse(text)
    assert time.perf_counter() - t0 < 1.0
    err = info.value
    assert isinstance(err, ValueError)
    assert 0 <= err.position <= len(text)
    assert err.message.rstrip().endswith((".", "?"))  # a full sentence
    if text.strip():
        assert "^" in str(err).splitlines()[-1]  # caret line under the formula


@pytest.mark.parametrize(
    ("text", "position", "words"),
    [
        ("sin(x) + foo(x)", 9, "Unknown name 'foo'"),
        ("x.real", 1, "'.'"),
        ("(x + 1", 6, "Missing ')'"),
        ("x + 1)", 5, "Unmatched ')'"),
        ("2 * __import__('os')", 4, "'_'"),
        ("exp(x) $ 2", 7, "'$'"),
        ("Sin(x)", 0, "did you mean 'sin'"),
        ("9**9**9**9", 4, "Exponent too large"),
        ("x/0", 1, "Division by zero"),
    ],
)
def test_error_points_at_the_offending_character(text, position, words):
    with pytest.raises(FormulaError) as info:
        parse(text)
    assert info.value.position == position
    assert words in info.value.message
    lines = str(info.value).splitlines()
    assert lines[-2] == text and lines[-1] == " " * position + "^"


def test_length_and_depth_limits_are_the_documented_ones():
    ok = "x" + "+x" * ((MAX_LENGTH - 1) // 2 - 1)
    assert len(ok) <= MAX_LENGTH
    with pytest.raises(FormulaError, match="too large"):
        parse(ok)  # too many nodes even though short enough
    parse("(" * (MAX_DEPTH - 1) + "x" + ")" * (MAX_DEPTH - 1))
    with pytest.raises(FormulaError, match="nested too deeply"):
        parse("(" * (MAX_DEPTH + 1) + "x" + ")" * (MAX_DEPTH + 1))
    with pytest.raises(FormulaError, match="too long"):
        parse("x" * (MAX_LENGTH + 1))


def test_caret_window_for_long_formulas():
    text = "x + " * 40 + "foo"
    with pytest.raises(FormulaError) as info:
        parse(text)
    snippet, caret = info.value.caret().splitlines()
    assert snippet[caret.index("^") :].startswith("foo")


# --- fuzzing: only FormulaError, never anything else, never a hang --------------------

_PIECES = [
    "x",
    "y",
    "1",
    "0",
    "2.5",
    "1e3",
    "9",
    ".",
    "e",
    "pi",
    "(",
    ")",
    "+",
    "-",
    "*",
    "/",
    "^",
    "**",
    ",",
    " ",
    "sin",
    "log",
    "sqrt",
    "exp",
    "max",
    "abs",
    "_",
    "'",
    "__",
    "lambda",
    "import",
    "[",
    "]",
    ":",
    "=",
    "0.0",
    "1e-300",
    "1e300",
]


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(_PIECES), max_size=25))
def test_fuzz_token_soup_only_raises_formula_error(pieces):
    text = "".join(pieces)
    try:
        f = parse(text)
    except FormulaError as err:
        assert 0 <= err.position <= len(text)
        return
    with np.errstate(all="ignore"):
        out = f.numpy(np.linspace(0.1, 2, 5))
    assert out.shape == (5,)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=60))
def test_fuzz_any_text_only_raises_formula_error(text):
    try:
        parse(text)
    except FormulaError as err:
        assert 0 <= err.position <= len(text)


def test_package_never_calls_eval_on_text():
    import ast
    from pathlib import Path

    files = sorted(Path(expr.__file__).parent.glob("*.py"))
    assert len(files) > 1  # every module of the package, not only its __init__
    evaluating = {"sympify", "parse_expr", "lambdify", "S"}  # sympy's text evaluators
    builtins = {"eval", "exec", "compile", "__import__"} | evaluating
    for path in files:
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Call):
                f = node.func
                bad = (isinstance(f, ast.Name) and f.id in builtins) or (
                    isinstance(f, ast.Attribute) and f.attr in evaluating
                )
                assert not bad, f"{path.name}:{node.lineno} calls {ast.unparse(f)}"


def test_latex_lines_breaks_long_derivatives_and_keeps_short_ones():
    from nnkit.expr import latex_lines

    f = parse("sin(x)*exp(-x^2)")
    assert latex_lines(f.sympy, "f(x)") == "f(x) = " + f.latex
    long = latex_lines(f.diff(3).sympy, "f'''(x)", width=60)
    assert long.startswith(r"\begin{aligned} f'''(x) = {} &") and long.count(r"\\") >= 1
    assert "8 x^{3} e^{- x^{2}}" in long  # the product was distributed into terms
    big = parse("(x+1)^1000*sin(x)").diff(1).sympy  # (x+1)^1000 is never expanded
    assert r"\left(x + 1\right)^{1000}" in latex_lines(big, "f'(x)", width=20)
