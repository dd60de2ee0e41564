"""nnkit.autodiff against torch.autograd (float64): values, gradients, edge points."""

from __future__ import annotations

import math

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nnkit import autodiff as ad
from nnkit._torch import torch
from nnkit.autodiff import MLP, Node
from nnkit.expr import parse

# ---------------------------------------------------------------------------
# Random expression graphs, built identically on Nodes and on torch tensors
# ---------------------------------------------------------------------------

# Each op takes two operands (a, b) from the pool of earlier results, so nodes are
# reused freely (the same node can be both operands). Ops whose domain is limited
# get an argument that is inside it by construction, in both engines alike.
OPS = {
    "add": lambda a, b, m: a + b,
    "sub": lambda a, b, m: a - b,
    "mul": lambda a, b, m: a * b,
    "div": lambda a, b, m: a / (b * b + 0.5),
    "neg": lambda a, b, m: -a,
    "radd": lambda a, b, m: 1.5 + a,
    "rsub": lambda a, b, m: 2.0 - a,
    "rmul": lambda a, b, m: 0.7 * a,
    "rdiv": lambda a, b, m: 1.0 / (a * a + 0.25),
    "pow2": lambda a, b, m: a**2,
    "pow3": lambda a, b, m: a**3,
    "powf": lambda a, b, m: (a * a + 0.5) ** 0.7,
    "pownode": lambda a, b, m: (a * a + 0.5) ** m.tanh(b),
    "rpow": lambda a, b, m: 1.3 ** m.tanh(a),
    "exp": lambda a, b, m: m.exp(m.tanh(a)),
    "log": lambda a, b, m: m.log(a * a + 0.5),
    "sin": lambda a, b, m: m.sin(a),
    "cos": lambda a, b, m: m.cos(a),
    "tanh": lambda a, b, m: m.tanh(a),
    "sigmoid": lambda a, b, m: m.sigmoid(a),
    "relu": lambda a, b, m: m.relu(a),
    "abs": lambda a, b, m: m.abs(a),
    "sqrt": lambda a, b, m: m.sqrt(a * a + 0.1),
}


class _NodeMath:
    exp = staticmethod(ad.exp)
    log = staticmethod(ad.log)
    sin = staticmethod(ad.sin)
    cos = staticmethod(ad.cos)
    tanh = staticmethod(ad.tanh)
    sigmoid = staticmethod(ad.sigmoid)
    relu = staticmethod(ad.relu)
    abs = staticmethod(ad.abs_)
    sqrt = staticmethod(ad.sqrt)


class _TorchMath:
    exp = staticmethod(torch.exp)
    log = staticmethod(torch.log)
    sin = staticmethod(torch.sin)
    cos = staticmethod(torch.cos)
    tanh = staticmethod(torch.tanh)
    sigmoid = staticmethod(torch.sigmoid)
    relu = staticmethod(torch.relu)
    abs = staticmethod(torch.abs)
    sqrt = staticmethod(torch.sqrt)


@st.composite
def programs(draw):
    n_vars = draw(st.integers(1, 3))
    values = draw(
        st.lists(
            st.floats(-2.0, 2.0, allow_nan=False, allow_infinity=False),
            min_size=n_vars,
            max_size=n_vars,
        )
    )
    n_steps = draw(st.integers(1, 14))
    steps = []
    for k in range(n_steps):
        pool = n_vars + k
        op = draw(st.sampled_from(sorted(OPS)))
        steps.append((op, draw(st.integers(0, pool - 1)), draw(st.integers(0, pool - 1))))
    return values, steps


def _run(values, steps, leaf, math_ns):
    pool = [leaf(v) for v in values]
    leaves = list(pool)
    for op, i, j in steps:
        pool.append(OPS[op](pool[i], pool[j], math_ns))
    return leaves, pool[-1]


def _close(ours: float, ref: float, tol: float = 1e-12) -> bool:
    if math.isnan(ref):
        return math.isnan(ours)
    if math.isinf(ref):
        return ours == ref
    return math.isclose(ours, ref, rel_tol=tol, abs_tol=1e-300)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(programs())
def test_random_graphs_match_torch_float64(program):
    values, steps = program
    leaves, out = _run(values, steps, lambda v: Node(v), _NodeMath)
    out.backward()
    t_leaves, t_out = _run(
        values,
        steps,
        lambda v: torch.tensor(v, dtype=torch.float64, requires_grad=True),
        _TorchMath,
    )
    t_grads = torch.autograd.grad(t_out, t_leaves, allow_unused=True)
    assert _close(out.value, t_out.item()), (out.value, t_out.item())
    for node, tg in zip(leaves, t_grads, strict=True):
        ref = 0.0 if tg is None else float(tg)
        # Relative 1e-12, except where the gradient is a sum of terms that cancel to
        # ~0: there the absolute error is bounded by 1e-12 times the terms' size.
        scale = max(1.0, abs(out.value), *(abs(float(g)) for g in t_grads if g is not None))
        assert _close(node.grad, ref) or abs(node.grad - ref) <= 1e-12 * scale, (
            node.grad,
            ref,
            steps,
        )


# ---------------------------------------------------------------------------
# Reused nodes, the naive pitfall, and the accumulation rule
# ---------------------------------------------------------------------------


def test_node_used_twice_gets_both_contributions():
    x = Node(3.0, "x")
    (x * x).backward()
    assert x.grad == 6.0
    a = Node(2.0, "a")
    (a + a).backward()
    assert a.grad == 2.0
    b = a + a
    c = b + b
    c.backward()
    assert a.grad == 4.0 and b.grad == 2.0
    q = x / x
    q.backward()
    assert q.value == 1.0 and x.grad == 0.0
    (x - x).backward()
    assert x.grad == 0.0


def test_naive_backward_gets_x_times_x_wrong_and_pull_backward_fixes_it():
    x = Node(3.0, "x")
    y = x * x
    assert ad.naive_backward(y)[x] == 3.0  # the lecture's idx = parents.index(node) bug
    assert ad.pull_backward(y)[x] == 6.0
    a = Node(2.0, "a")
    c = (a + a) + (a + a)
    assert ad.naive_backward(c)[a] == 2.0
    assert ad.pull_backward(c)[a] == 4.0
    # Without a node used twice by one operation, naive and fixed agree.
    u, v = Node(0.3, "u"), Node(-1.2, "v")
    f = (u * v).sin() + u.exp() * v
    f.backward()
    naive, fixed = ad.naive_backward(f), ad.pull_backward(f)
    assert naive[u] == pytest.approx(u.grad, rel=1e-15) and fixed[v] == pytest.approx(
        v.grad, rel=1e-15
    )


def test_backward_twice_resets_by_default():
    x = Node(1.5, "x")
    y = x * x.sin()
    y.backward()
    first = x.grad
    y.backward()
    assert x.grad == first


def test_backward_accumulate_adds_on_leaves_only_like_torch():
    x = Node(1.5, "x")
    h = x * 2.0
    y = h * h
    y.backward()
    g = x.grad
    y.backward(accumulate=True)
    assert x.grad == 2 * g  # leaf accumulates
    assert h.grad == 2 * h.value  # interior node: this call's gradient only
    # Same as torch with two backward calls.
    tx = torch.tensor(1.5, dtype=torch.float64, requires_grad=True)
    ty = (tx * 2.0) ** 2
    ty.backward(retain_graph=True)
    ty.backward()
    assert x.grad == float(tx.grad)
    ad.zero_grad(y)
    assert x.grad == 0.0
    y.backward(accumulate=True)
    assert x.grad == g


def test_backward_seed_and_leaf_output():
    x = Node(2.0, "x")
    y = x.exp()
    y.backward(grad=3.0)
    assert x.grad == pytest.approx(3.0 * math.exp(2.0), rel=1e-15)
    x.backward()
    assert x.grad == 1.0


def test_gradients_of_shared_parameters_across_two_outputs_accumulate():
    w = Node(0.5, "w")
    y1 = w * 3.0
    y2 = w.tanh()
    y1.backward()
    y2.backward(accumulate=True)
    assert w.grad == pytest.approx(3.0 + (1 - math.tanh(0.5) ** 2), rel=1e-15)


# ---------------------------------------------------------------------------
# Deep graphs: no recursion anywhere
# ---------------------------------------------------------------------------


def _chain(n: int) -> tuple[Node, Node]:
    x = Node(0.5, "x")
    y = x
    for i in range(n):
        y = y * 1.0000001 if i % 2 else y + 0.1
    return x, y


def test_deep_chain_backward_and_order_without_recursion():
    x, y = _chain(100_000)
    y.backward()
    assert x.grad == pytest.approx(1.0000001**50_000, rel=1e-12)
    order = ad.topological_order(y)
    assert order[-1] is y and order[0] is x
    assert len(order) == 100_000 + 1 + 100_000  # nodes + one constant per op
    y.backward()  # the counters were restored: a second pass gives the same result
    assert x.grad == pytest.approx(1.0000001**50_000, rel=1e-12)


@pytest.mark.slow
def test_million_node_chain():
    x, y = _chain(1_000_000)
    y.backward()
    assert x.grad == pytest.approx(1.0000001**500_000, rel=1e-11)


def test_topological_order_is_valid_and_visits_each_node_once():
    a, b = Node(1.0, "a"), Node(2.0, "b")
    c = a * b
    d = c + a
    e = d * c
    order = ad.topological_order(e)
    pos = {n: k for k, n in enumerate(order)}
    assert len(order) == len(set(order)) == 5
    for n in order:
        for p in n.parents:
            assert pos[p] < pos[n]
    assert order[-1] is e


# ---------------------------------------------------------------------------
# Every op at its edge points, against torch float64 (inf/nan included)
# ---------------------------------------------------------------------------

EDGE_UNARY = [
    ("relu", [0.0, -0.0, -1.0, 2.0]),
    ("abs", [0.0, -0.0, -2.0, 3.0]),
    ("sqrt", [0.0, -0.0, -1.0, 4.0]),
    ("log", [0.0, -0.0, -1.0, 1.0]),
    ("exp", [0.0, 800.0, -800.0]),
    ("sigmoid", [0.0, 40.0, -40.0, -800.0, 800.0]),
    ("tanh", [0.0, 30.0, -30.0]),
    ("sin", [0.0, math.pi]),
    ("cos", [0.0, math.pi]),
]


@pytest.mark.parametrize(("name", "points"), EDGE_UNARY)
def test_unary_edge_points_match_torch(name, points):
    for v in points:
        x = Node(v, "x")
        y = getattr(x, name)()
        y.backward()
        t = torch.tensor(v, dtype=torch.float64, requires_grad=True)
        ty = getattr(torch, name)(t)
        ty.backward()
        assert _close(y.value, ty.item()), (name, v, y.value, ty.item())
        assert _close(x.grad, float(t.grad)), (name, v, x.grad, float(t.grad))


def test_documented_edge_choices():
    for v, name, deriv in [(0.0, "relu", 0.0), (0.0, "abs", 0.0), (0.0, "sqrt", math.inf)]:
        x = Node(v)
        getattr(x, name)().backward()
        assert x.grad == deriv
    x = Node(0.0)
    y = x.log()
    y.backward()
    assert y.value == -math.inf and x.grad == math.inf
    assert math.isnan(Node(-1.0).log().value)


BINARY_EDGES = [
    ("div", lambda a, b: a / b, [(1.0, 0.0), (-1.0, 0.0), (0.0, 0.0), (1.0, -0.0), (3.0, 2.0)]),
    (
        "pow",
        lambda a, b: a**b,
        [
            (0.0, 2.0),
            (0.0, 0.0),
            (0.0, -1.0),
            (-0.0, -3.0),
            (-8.0, 1.0 / 3.0),
            (-2.0, 3.0),
            (2.0, 0.5),
            (-1.0, -1.0),
            (-10.0, 1001.0),
            (-10.0, 1000.5),
            (10.0, 1000.5),
        ],
    ),
]


@pytest.mark.parametrize(("name", "fn", "points"), BINARY_EDGES)
def test_binary_edge_points_match_torch(name, fn, points):
    for a, b in points:
        x, y = Node(a, "a"), Node(b, "b")
        out = fn(x, y)
        out.backward()
        ta = torch.tensor(a, dtype=torch.float64, requires_grad=True)
        tb = torch.tensor(b, dtype=torch.float64, requires_grad=True)
        tout = fn(ta, tb)
        tout.backward()
        where = (name, a, b)
        assert _close(out.value, tout.item()), (where, out.value, tout.item())
        assert _close(x.grad, float(ta.grad)), (where, x.grad, float(ta.grad))
        assert _close(y.grad, float(tb.grad)), (where, y.grad, float(tb.grad))


@pytest.mark.parametrize("n", [0.0, 1.0, 2.0, 3.0, -1.0, 0.5, -0.5, 2.5])
@pytest.mark.parametrize("a", [0.0, -0.0, 1.5, -1.5])
def test_number_exponent_matches_torch(a, n):
    x = Node(a)
    y = x**n
    y.backward()
    t = torch.tensor(a, dtype=torch.float64, requires_grad=True)
    ty = t**n
    ty.backward()
    assert _close(y.value, ty.item()), (a, n, y.value, ty.item())
    assert _close(x.grad, float(t.grad)), (a, n, x.grad, float(t.grad))


def test_numbers_mix_in_on_either_side_and_other_types_are_rejected():
    x = Node(2.0, "x")
    assert (3 - x).value == 1.0 and (x - 3).value == -1.0
    assert (1 / x).value == 0.5 and (x / 4).value == 0.5
    assert (2**x).value == 4.0 and (x**2).value == 4.0
    assert (3 * x).value == 6.0 and (x + 1).value == 3.0
    with pytest.raises(TypeError):
        x + "1"  # noqa: B018
    with pytest.raises(TypeError):
        ad.exp("x")


# ---------------------------------------------------------------------------
# Step-through trace and the Graphviz drawing
# ---------------------------------------------------------------------------


def test_backward_trace_replays_backward_term_by_term():
    x, y = Node(0.7, "x"), Node(-0.4, "y")
    f = (x * y + x.sin()).exp() * x
    trace = ad.backward_trace(f)
    f.backward()
    final = trace.grads_after(len(trace.steps))
    for n in trace.order:
        assert final[n] == pytest.approx(n.grad, rel=1e-15, abs=1e-300)
    start = trace.grads_after(0)
    assert start[f] == 1.0 and start[x] == 0.0
    # Steps go output-first and every contribution is child.grad * local.
    assert trace.order[trace.steps[0].node] is f
    for step in trace.steps:
        for c in step.contributions:
            assert c.added == c.child_grad * c.local
    table = trace.step_table(1)
    assert list(table["child.grad × local"]) == [c.added for c in trace.steps[0].contributions]


def test_to_dot_labels_values_grads_and_draws_reuse_twice():
    x = Node(3.0, "x")
    y = x * x
    y.backward()
    dot = ad.to_dot(y)
    assert dot.startswith("digraph")
    assert "value 9" in dot and "grad 6" in dot and "= *" in dot
    assert dot.count("n0 -> n1") == 2
    dot = ad.to_dot(y, show_grads=False, highlight=y)
    assert "grad" not in dot.split("edge [")[1] and "#ffd54f" in dot
    dot = ad.to_dot(y, grads={y: 1.0})
    assert "grad ?" in dot


def test_to_dot_collapses_large_graphs():
    x, y = _chain(500)
    dot = ad.to_dot(y, max_nodes=40)
    assert "961 earlier nodes" in dot
    drawn = [line for line in dot.splitlines() if " -> " not in line and "[label=" in line]
    assert len(drawn) == 41  # 40 drawn nodes + the collapsed box


# ---------------------------------------------------------------------------
# Graphs from parsed formulas (nnkit.expr), checked three ways
# ---------------------------------------------------------------------------

FORMULAS = [
    ("exp(x*y + sin(x))", {"x": 0.5, "y": -1.2}),
    ("sigmoid(w*x + b)", {"w": 0.8, "x": 1.5, "b": -0.3}),
    ("x^2*y - y/x + sqrt(x^2+1)", {"x": 1.3, "y": 0.4}),
    ("log(1 + exp(x)) - tanh(x*y)^3 + abs(y) + relu(x - y)", {"x": 0.3, "y": -2.0}),
    ("2^x + x^y + cos(pi*x)/(1+y^2) - e^y", {"x": 1.7, "y": 0.6}),
    ("tan(x) + sinh(y) + cosh(x*y)", {"x": 0.4, "y": 0.9}),
    ("-x - y", {"x": 0.4, "y": 0.9}),
    ("1/sqrt(x) - 3/(x*y)", {"x": 0.4, "y": 0.9}),
]


@pytest.mark.parametrize(("text", "values"), FORMULAS)
def test_graph_from_formula_matches_torch_and_central_difference(text, values):
    formula = parse(text, tuple(values))
    graph = ad.graph_from_formula(formula, values)
    reference = formula.numpy(*values.values())
    assert graph.output.value == pytest.approx(float(reference), rel=1e-13)
    table = ad.check_gradients(formula, values)
    assert list(table["variable"]) == list(values)
    for _, row in table.iterrows():
        assert row["autodiff"] == pytest.approx(row["torch"], rel=1e-12, abs=1e-15)
        assert row["autodiff"] == pytest.approx(row["central difference"], rel=1e-7, abs=1e-8)


def test_formula_graph_shapes():
    f = parse("sigmoid(w*x + b)", ("w", "x", "b"))
    g = ad.graph_from_formula(f, {"w": 1.0, "x": 2.0, "b": 0.5})
    assert g.output.op == "sigmoid"
    f = parse("relu(x)", ("x",))
    assert ad.graph_from_formula(f, {"x": 1.0}).output.op == "relu"
    f = parse("x*x", ("x",))
    plain = ad.graph_from_formula(f, {"x": 3.0})
    assert plain.output.op == "^2"
    pitfall = ad.graph_from_formula(f, {"x": 3.0}, powers_as_products=True)
    x = pitfall.inputs["x"]
    assert pitfall.output.op == "*" and pitfall.output.parents == (x, x)
    assert ad.naive_backward(pitfall.output)[x] == 3.0
    pitfall.output.backward()
    assert x.grad == 6.0
    # sin(x) written twice is one node used twice.
    f = parse("sin(x) + x*sin(x)", ("x",))
    g = ad.graph_from_formula(f, {"x": 0.3})
    sins = [n for n in ad.topological_order(g.output) if n.op == "sin"]
    assert len(sins) == 1


def test_formula_errors_are_clear():
    f = parse("atan(x)", ("x",))
    with pytest.raises(ad.UnsupportedOperation, match="atan"):  # names the function
        ad.graph_from_formula(f, {"x": 1.0})
    f = parse("x + y", ("x", "y"))
    with pytest.raises(ValueError, match=r"\by\b"):  # names the variable
        ad.graph_from_formula(f, {"x": 1.0})


# ---------------------------------------------------------------------------
# The small network on top
# ---------------------------------------------------------------------------


def test_fused_neurons_give_the_same_values_and_gradients_as_the_lecture_graph():
    fused = MLP(2, [5, 3, 1], seed=3)
    plain = MLP(2, [5, 3, 1], seed=3, fused=False)
    for x in ([0.3, -1.2], [Node(0.3), Node(-1.2)]):
        yf, yp = fused(x)[0], plain(x)[0]
        assert yf.value == pytest.approx(yp.value, rel=1e-14)
        yf.backward()
        yp.backward()
        for pf, pp in zip(fused.parameters(), plain.parameters(), strict=True):
            assert pf.grad == pytest.approx(pp.grad, rel=1e-12, abs=1e-15)
        if isinstance(x[0], Node):
            assert len(ad.topological_order(yf)) < len(ad.topological_order(yp))


def test_mlp_gradients_match_torch():
    net = MLP(2, [4, 1], activation="tanh", seed=1)
    x = [0.4, -0.9]
    y = net(x)[0]
    y.backward()
    layers = net.layers
    w1 = torch.tensor(
        [[w.value for w in n.w] for n in layers[0].neurons], dtype=torch.float64, requires_grad=True
    )
    b1 = torch.tensor(
        [n.b.value for n in layers[0].neurons], dtype=torch.float64, requires_grad=True
    )
    w2 = torch.tensor(
        [[w.value for w in n.w] for n in layers[1].neurons], dtype=torch.float64, requires_grad=True
    )
    b2 = torch.tensor(
        [n.b.value for n in layers[1].neurons], dtype=torch.float64, requires_grad=True
    )
    ty = (w2 @ torch.tanh(w1 @ torch.tensor(x, dtype=torch.float64) + b1) + b2)[0]
    ty.backward()
    assert y.value == pytest.approx(ty.item(), rel=1e-13)
    ours = [w.grad for n in layers[0].neurons for w in n.w]
    assert ours == pytest.approx(w1.grad.flatten().tolist(), rel=1e-12)
    assert [n.b.grad for n in layers[1].neurons] == pytest.approx(b2.grad.tolist(), rel=1e-12)


def test_train_xor_with_the_engine_alone():
    result = ad.train_xor(hidden=4, steps=300, lr=0.2, seed=0)
    assert result.losses[-1] < 1e-3 < result.losses[0]
    assert [round(p) for p in result.predictions] == [0, 1, 1, 0]


def test_bad_activation_is_rejected():
    with pytest.raises(ValueError, match="activation"):
        MLP(2, [3, 1], activation="softmax")


# --- the page's "what you see" sentence (review) ----------------------------------------


def test_agreement_names_infinite_gradients_instead_of_claiming_agreement():
    # sqrt(y) at y = 0: dy is +inf in both engines. The old note took the max gap with
    # NaNs skipped and told students everything agreed, with no word about y.
    f = parse("x*y + sqrt(y)", ("x", "y"))
    table = ad.check_gradients(f, {"x": 2.0, "y": 0.0})
    assert math.isinf(table.set_index("variable").loc["y", "autodiff"])
    found = ad.agreement(table)
    assert found.compared == ("x",)
    assert found.nonfinite == (("y", math.inf, math.inf),) and found.same_ieee
    assert found.verdict in ("bit for bit", "rounding")
    note = ad.agreement_note(table)
    assert note == found.note() and "y" in note and "inf" in note


def test_agreement_reports_a_real_disagreement():
    f = parse("x^2 + y", ("x", "y"))
    table = ad.check_gradients(f, {"x": 1.5, "y": 1.0})
    assert ad.agreement(table).verdict == "bit for bit"
    assert ad.agreement(table).nonfinite == ()
    table.loc[0, "torch"] += 1e-6  # a wrong reference must not read as "agrees"
    found = ad.agreement(table)
    assert found.verdict == "disagree" and found.gap_torch == pytest.approx(1e-6, rel=1e-6)
    assert ad.agreement_note(table) != ad.agreement_note(
        ad.check_gradients(f, {"x": 1.5, "y": 1.0})
    )


def test_agreement_names_a_missing_central_difference():
    # log(x) at 1e-20: x - h < 0, so no central difference; the engine is still exact.
    table = ad.check_gradients(parse("log(x) + y", ("x", "y")), {"x": 1e-20, "y": 1.0})
    found = ad.agreement(table)
    assert found.no_central == ("x",) and found.compared == ("x", "y")
    assert found.verdict == "bit for bit"
    assert found.gap_central == pytest.approx(0.0, abs=1e-8)  # over y only


def test_check_gradients_checks_the_gradients_it_is_given():
    # The page checks the step-through's gradients, from a graph drawn with x*x products.
    f = parse("x^2*y", ("x", "y"))
    graph = ad.graph_from_formula(f, {"x": 1.5, "y": -2.0}, powers_as_products=True)
    trace = ad.backward_trace(graph.output)
    grads = trace.input_grads(graph.inputs)
    assert grads == pytest.approx({"x": 2 * 1.5 * -2.0, "y": 1.5**2}, rel=1e-15)
    table = ad.check_gradients(f, {"x": 1.5, "y": -2.0}, engine=grads)
    assert list(table["autodiff"]) == list(grads.values())
    table = ad.check_gradients(f, {"x": 1.5, "y": -2.0}, engine={"x": 0.0, "y": 2.25})
    assert ad.agreement(table).verdict == "disagree"
    assert table.loc[0, "|autodiff − torch|"] == pytest.approx(6.0, rel=1e-15)


def test_input_grads_is_zero_for_an_unused_variable():
    graph = ad.graph_from_formula(parse("sin(x)", ("x", "y")), {"x": 0.3, "y": 1.0})
    grads = ad.backward_trace(graph.output).input_grads(graph.inputs)
    assert grads == {"x": pytest.approx(math.cos(0.3), rel=1e-15), "y": 0.0}


def test_pitfall_lists_repeated_operations_and_wrong_variables():
    f = parse("x^2 + y", ("x", "y"))
    pit = ad.pitfall(ad.graph_from_formula(f, {"x": 3.0, "y": 1.0}, powers_as_products=True))
    assert pit.wrong == ("x",) and len(pit.repeated) == 1 and pit.repeated[0].endswith("= *")
    assert list(pit.table["variable"]) == ["x", "y"]
    plain = ad.pitfall(ad.graph_from_formula(f, {"x": 3.0, "y": 1.0}))
    assert plain.repeated == () and plain.wrong == ()
    assert plain.note() != pit.note()


def test_naive_rule_counts_nan_equal_to_nan():
    # Both rules give nan for sqrt(y) at y = -1; the table must not call the naive one wrong.
    graph = ad.graph_from_formula(parse("x*sqrt(y)", ("x", "y")), {"x": 1.0, "y": -1.0})
    table = ad.compare_naive(graph).set_index("variable")
    assert math.isnan(table.loc["y", "backward()"])
    assert bool(table.loc["y", "naive is right"])
