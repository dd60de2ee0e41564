"""Reproduce in Python: every page's script runs as ``python script.py`` and prints the
figures the page computes for the same settings (defaults, a changed seed, changed
hyper-parameters, a typed formula, an uploaded CSV); settings a script cannot express
give a one-line note; each page's notebook runs in Jupyter with its chart inline.

The expected figures come from the same nnkit calls the pages make, in this process.
Each script runs once (the notebook run doubles as the script run for its settings),
forked from a process that has imported torch and the other heavy libraries once
(``tests/reproduce_support.py``); the first test checks that such a run starts as a
fresh interpreter would.
"""

from __future__ import annotations

import ast
import json
import math
from dataclasses import replace

import numpy as np
import pytest

from nnkit.reproduce import Code, NotReproducible, Script, call, changed_fields, literal
from tests.reproduce_support import (
    ROOT,
    check_readable,
    line,
    numbers,
    run_notebook,
    run_script,
    shows,
    value,
)

pytestmark = pytest.mark.slow


# --------------------------------------------------------------------------- the helpers


def test_literal_round_trips_values_and_never_lets_text_become_code():
    hostile = ['a"b', "x\\ny", "line\nbreak", "'); import os; ('", "ünïcode ²", ""]
    for v in [0.1, 1e-6, 2.5e20, 3, True, None, (1,), (1.0, 2), [1, "a"], {"k": (0.5,)}, *hostile]:
        assert ast.literal_eval(literal(v)) == v
    assert literal(1e-6) == "1e-6" and literal(0.01) == "0.01" and literal(np.float64(0.5)) == "0.5"


def test_call_leaves_out_defaults_and_wraps_long_calls():
    def f(a, b=1, c=0.5, d=None, e=True, g=(1, 2)):
        return a

    assert call("f", f, 3, b=1, c=0.5, d=None, e=True, g=(1, 2)) == "f(3)"
    assert call("f", f, Code("X"), b=2.0, e=False) == "f(X, b=2.0, e=False)"
    assert call("f", f, 1, b=1.0) == "f(1)"  # 1.0 == 1: the user did not change it
    long = call("f", f, Code("x" * 60), d="y" * 40, prefix="out = ")
    assert long.startswith("out = f(\n") and long.endswith(")") and ast.parse(long)


def test_changed_fields_lists_only_what_differs():
    from nnkit.function_fitting import PRESETS

    base = PRESETS["plain MLP"]
    assert changed_fields(base, base) == {}
    assert changed_fields(replace(base, seed=3, hidden=(16,)), base) == {"hidden": (16,), "seed": 3}


def test_notebook_has_the_explanation_then_the_code_then_the_chart():
    nb = json.loads(Script("x = 1\n", "**Title**", "t", chart="x").notebook())
    cells = nb["cells"]
    assert [c["cell_type"] for c in cells] == ["markdown", "code", "code"]
    assert "".join(cells[0]["source"]) == "**Title**"
    assert "".join(cells[1]["source"]) == "x = 1"
    assert "".join(cells[2]["source"]).splitlines()[-1] == "x"  # displayed inline
    assert len(json.loads(Script("y = 2\n", "t", "t").notebook())["cells"]) == 2  # no chart
    assert nb["metadata"]["kernelspec"]["name"] == "python3"
    assert (
        Script("x = 1\n", "t", "t", chart="x").notebook()
        == Script("x = 1\n", "t", "t", chart="x").notebook()
    )


def test_the_script_runner_starts_each_script_as_a_fresh_interpreter_would(tmp_path):
    """What the scripts below rely on: each run is ``python name.py`` in its own folder,
    with nothing left from earlier runs and nnkit not yet imported; a failure fails."""
    probe = (
        "import os, sys\n"
        "import helper\n"
        "print(__name__, *map(os.path.basename, (sys.argv[0], __file__, os.getcwd())), helper.VALUE)\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('nnkit', 'tests', 'helper')))\n"
        "print('leftover' in globals(), sys.stdin.read() == '')\n"
        "leftover = 1\n"
    )
    files = {"helper.py": b"VALUE = 42\n"}
    runs = [
        run_script(Script(probe, "t", "probe"), tmp_path / name, files, fresh=fresh)
        for name, fresh in (("a", False), ("b", False), ("c", True))
    ]
    assert runs[0] == runs[1] == runs[2]
    assert runs[0].splitlines() == [
        "__main__ probe.py probe.py user 42",
        "['helper']",
        "False True",
    ]
    with pytest.raises(AssertionError, match="ZeroDivisionError"):
        run_script(Script("1 / 0\n", "t", "fails"), tmp_path / "d")
    with pytest.raises(AssertionError, match="NameError"):
        run_script(Script("print(leftover)\n", "t", "fails"), tmp_path / "e")


# --------------------------------------------------------------------------- Derivatives


def _sweep(text, x0, d, schemes, h_range, complex_step=True, autodiff=True, engine=True):
    from nnkit import finite_diff as fd
    from nnkit.expr import parse

    stencils = fd.stencils_for(d, schemes) if schemes else None
    return fd.error_sweep(
        parse(text), x0, d, stencils, h=fd.default_steps(200, *h_range), complex_step_too=complex_step,
        autodiff_too=autodiff, engine_too=engine,
    )  # fmt: skip


def _check_derivatives(out, text, x0, d, schemes, h_range, h, **methods):
    from nnkit import finite_diff as fd
    from nnkit.expr import parse

    sweep = _sweep(text, x0, d, schemes, h_range, **methods)
    assert value(out, "f(x0) =") == float(f"{sweep.f0:.17g}")
    mark = fd.derivative_notation(d, unicode=True)
    assert value(out, f"exact f{mark}(x0) =") == float(f"{sweep.exact:.17g}")
    summary = fd.summary_table(sweep)
    for row in summary.itertuples(index=False):
        printed = line(out, row.method).removeprefix(row.method)
        for exact in (row[3], row[6], row[8], row[9]):  # fitted slope, h*, best h, min error
            if math.isfinite(exact):
                assert shows(printed, exact), (row.method, exact, printed)
    for sentence in fd.what_you_see(sweep):
        assert sentence in out
    for row in fd.estimates_at(sweep, parse(text), h).itertuples():
        shown = line(out, f"{row.method}: estimate")
        assert f"estimate {row.estimate:.17g}, error {row.error:.3e}" in shown


def test_derivatives_default_page_in_a_notebook(tmp_path):
    from nnkit.finite_diff.reproduce import derivatives_script

    schemes = [("forward", 1), ("central", 2), ("central", 4)]
    script = derivatives_script(
        "sin(x)*exp(-x^2)", 0.5, 1, schemes, (1e-16, 1.0), complex_step=True, autodiff=True,
        engine=True, h=1e-3,
    )  # fmt: skip
    check_readable(script)
    assert "complex_step_too" not in script.code and "engine_too=True" in script.code
    out = run_notebook(script, tmp_path)
    _check_derivatives(out, "sin(x)*exp(-x^2)", 0.5, 1, schemes, (1e-16, 1.0), 1e-3)


def test_derivatives_typed_formula_custom_stencil_and_no_complex_step(tmp_path):
    from nnkit.finite_diff.reproduce import derivatives_script

    schemes = [("central", 4)]
    script = derivatives_script(
        "x^7 - 3x^5 + x", 1.25, 3, schemes, (1e-8, 1e-1), complex_step=False, autodiff=True,
        engine=False, model=False, h=1e-2,
    )  # fmt: skip
    check_readable(script)
    assert "complex_step_too=False" in script.code and "model=False" in script.code
    out = run_script(script, tmp_path)
    _check_derivatives(
        out,
        "x^7 - 3x^5 + x",
        1.25,
        3,
        schemes,
        (1e-8, 1e-1),
        1e-2,
        complex_step=False,
        engine=False,
    )
    assert "exact f′′′(x0)" in out


def test_derivatives_notes_for_what_a_script_cannot_express():
    from nnkit.finite_diff.reproduce import derivatives_script

    kw = {"complex_step": True, "autodiff": True, "engine": True}
    with pytest.raises(NotReproducible, match="does not parse"):
        derivatives_script("sin(x", 0.5, 1, [("central", 2)], (1e-16, 1.0), **kw)
    with pytest.raises(NotReproducible, match="empty"):
        derivatives_script("sin(x)", 0.5, 1, [("central", 2)], (1.0, 1e-3), **kw)
    with pytest.raises(NotReproducible, match="no method"):
        derivatives_script(
            "sin(x)", 0.5, 1, [], (1e-16, 1.0), complex_step=False, autodiff=False, engine=False
        )


# --------------------------------------------------------------------------- Autodiff


def _check_autodiff(out, text, names, point, products=False):
    from nnkit import autodiff as ad
    from nnkit.expr import parse

    f = parse(text, names)
    graph = ad.graph_from_formula(f, point, powers_as_products=products)
    trace = ad.backward_trace(graph.output)  # the page's step-by-step pass
    grads = trace.input_grads(graph.inputs)
    table = ad.check_gradients(f, point, engine=grads)
    assert line(out, "f =") == f"f = {graph.output.value:.10g}"
    for row in table.itertuples(index=False):
        printed = numbers(line(out, row.variable).removeprefix(row.variable))
        assert printed[1] == float(f"{grads[row.variable]:.15g}")  # the engine: as the page
        assert printed[2] == float(f"{row.torch:.15g}")
    assert ad.agreement_note(table) in out
    assert ad.pitfall(graph).note() in out


def test_autodiff_lecture_example_in_a_notebook(tmp_path):
    from nnkit import autodiff as ad
    from nnkit.autodiff.reproduce import autodiff_script

    ex = ad.EXAMPLES[0]
    point = dict(zip(ex.variables, ex.values, strict=True))
    script = autodiff_script(ex.formula, ex.variables, point)
    check_readable(script)
    _check_autodiff(run_notebook(script, tmp_path), ex.formula, ex.variables, point)


def test_autodiff_typed_formula_with_repeated_products(tmp_path):
    from nnkit.autodiff.reproduce import autodiff_script

    text, names, point = "x^3*w + tanh(w*x)", ("x", "w"), {"x": -0.7, "w": 1.3}
    script = autodiff_script(text, names, point, powers_as_products=True)
    assert "powers_as_products=True" in script.code
    _check_autodiff(run_script(script, tmp_path), text, names, point, products=True)


def test_autodiff_notes_for_formulas_the_engine_cannot_build():
    from nnkit.autodiff.reproduce import autodiff_script

    with pytest.raises(NotReproducible, match="cannot build"):
        autodiff_script("x +", ("x",), {"x": 1.0})


# --------------------------------------------------------------------------- Perceptron


def _check_perceptron(out, data, n, noise, seed, lr, output, epochs):
    from nnkit import datasets as ds
    from nnkit.perceptron import Perceptron, convergence_reference, training_verdict

    X, y = ds.TOY_2D[data].make(n, noise, seed)  # the page's data
    model = Perceptron(lr, epochs, output, seed=seed).fit(X, y)
    ref = convergence_reference(X, y, max_epochs=epochs, seed=seed)
    assert value(out, "updates made:") == model.n_updates_
    assert value(out, "epochs run:") == model.n_epochs_
    assert line(out, "training accuracy:").endswith(f"{model.score(X, y):.1%}")
    assert line(out, "scikit-learn's").endswith(f"{ref.sklearn_accuracy:.1%}")
    if ref.separator is not None:
        assert line(out, "Novikoff").endswith(f"{ref.separator.bound:.1f}")
    assert training_verdict(model, ref, explain_xor=data == "xor").text in out


def test_perceptron_default_page_in_a_notebook(tmp_path):
    from nnkit.perceptron.reproduce import perceptron_script

    script = perceptron_script("and", 4, 0.0, 0, 1.0, "heaviside", 50)
    check_readable(script)
    assert 'logic_gate("and")' in script.code and "Perceptron(max_epochs=50)" in script.code
    _check_perceptron(run_notebook(script, tmp_path), "and", 4, 0.0, 0, 1.0, "heaviside", 50)


@pytest.mark.parametrize(
    "settings",
    [
        ("blobs", 60, 0.4, 3, 0.5, "sign", 50),  # changed seed and hyper-parameters
        ("xor", 4, 0.0, 0, 1.0, "heaviside", 20),  # never converges: the verdict says why
        ("moons", 40, 0.2, 7, 0.1, "heaviside", 5),
    ],
)
def test_perceptron_changed_settings(tmp_path, settings):
    from nnkit.perceptron.reproduce import perceptron_script

    script = perceptron_script(*settings)
    check_readable(script)
    _check_perceptron(run_script(script, tmp_path), *settings)


def test_perceptron_note_for_a_run_the_time_budget_cut():
    from nnkit.perceptron.reproduce import perceptron_script

    with pytest.raises(NotReproducible, match="cut short"):
        perceptron_script(
            "moons", 200, 0.1, 0, 1.0, "heaviside", 500,
            stop_reason="time budget of 60 s used up after epoch 12",
        )  # fmt: skip


# --------------------------------------------------------------------------- Gradient descent


def test_gradient_descent_lecture_loop_in_a_notebook(tmp_path):
    from nnkit import landscapes as L
    from nnkit.landscapes.reproduce import lecture_script

    script = lecture_script(0, 0.01, 1000)
    check_readable(script)
    assert "torch.manual_seed(0)" in script.code and "loss.backward()" in script.code
    out = run_notebook(script, tmp_path)
    problem = L.lecture_problem(0)
    run, a = L.gradient_descent(problem), L.analyse(problem)
    w, b = run.final
    assert value(out, "w after 1000 epochs:") == float(f"{w:.5f}")
    assert value(out, "b after 1000 epochs:") == float(f"{b:.5f}")
    assert value(out, "J after the run:") == float(f"{run.loss[-1]:.6g}")
    assert value(out, "critical α = 2/λ_max:") == float(f"{a.critical_lr:.5f}")
    # the lecture's own PyTorch loop lands on the same line
    assert numbers(line(out, "PyTorch loop:"))[:2] == [float(f"{w:.5f}"), float(f"{b:.5f}")]


@pytest.mark.parametrize("seed, lr, epochs", [(7, 0.02, 300), (1, 0.035, 200)])
def test_gradient_descent_lecture_changed_seed_and_a_diverging_rate(tmp_path, seed, lr, epochs):
    from nnkit import landscapes as L
    from nnkit.landscapes.reproduce import lecture_script

    script = lecture_script(seed, lr, epochs)
    check_readable(script)
    out = run_script(script, tmp_path)
    problem = L.lecture_problem(seed)
    run = L.gradient_descent(problem, lr=lr, epochs=epochs)
    w, b = run.final
    assert value(out, f"w after {run.steps} epochs:") == float(f"{w:.5f}")
    assert value(out, f"b after {run.steps} epochs:") == float(f"{b:.5f}")
    assert value(out, "J after the run:") == float(f"{run.loss[-1]:.6g}")
    if run.diverged:  # nnkit stops at the divergence as the page does; no loop to overflow
        assert "**Diverged.**" in out and "import torch" not in script.code
    else:
        assert numbers(line(out, "PyTorch loop:"))[:2] == [float(f"{w:.5f}"), float(f"{b:.5f}")]


def test_gradient_descent_modes_table(tmp_path):
    from nnkit import landscapes as L
    from nnkit.landscapes.reproduce import modes_script

    script = modes_script(3, 0.02, 20, 16)
    check_readable(script)
    out = run_script(script, tmp_path)
    problem = L.lecture_problem(3)
    a = L.analyse(problem)
    runs = {
        "batch (100/step)": L.gradient_descent(problem, lr=0.02, epochs=20, seed=3),
        "SGD (1/step)": L.gradient_descent(problem, lr=0.02, epochs=20, batch_size=1, seed=3),
        "mini-batch (16/step)": L.gradient_descent(
            problem, lr=0.02, epochs=20, batch_size=16, seed=3
        ),
    }
    for row in L.mode_table(runs, a).itertuples(index=False):
        printed = line(out, row.mode).removeprefix(row.mode)
        assert numbers(printed)[0] == row.steps
        for exact in (row[2], row[3], row[4]):  # final w, b, J
            assert shows(printed, exact), (row.mode, exact, printed)
    assert L.explain.modes_note(runs, a) in out


def _page_hyper(optimizer, values):
    """Every hyper-parameter of ``optimizer`` as the page's widgets pass them."""
    from nnkit import landscapes as L

    fields = {f.name: f.default for f in L.hyper_fields() if f.optimizer == optimizer}
    return L.hyper_from_fields(optimizer, fields | dict(values))


@pytest.mark.parametrize("case", ["defaults", "preset", "custom"])
def test_gradient_descent_race(tmp_path, case):
    from nnkit import landscapes as L
    from nnkit.landscapes.reproduce import race_script

    if case == "defaults":
        surface, start, steps, kappa = "rosenbrock", (-1.2, 1.0), 60, 10.0
        optimizers = {k: _page_hyper(k, {}) for k in L.OPTIMIZERS}
    elif case == "preset":
        p = L.PRESETS["momentum_ravine"]
        surface, start, steps, kappa = p.surface, p.start, p.steps, p.params["condition"]
        optimizers = {k: _page_hyper(k, h) for k, h in p.optimizers.items()}
    else:
        surface, start, steps, kappa = "quadratic", (1.5, -0.5), 40, 25.0
        optimizers = {
            "momentum": _page_hyper("momentum", {"lr": 0.02, "momentum": 0.8}),
            "adam": _page_hyper("adam", {"lr": 0.05, "beta2": 0.99}),
        }
    script = race_script(surface, start, steps, optimizers, condition=kappa)
    check_readable(script)
    if case == "preset":
        assert 'L.PRESETS["momentum_ravine"]' in script.code
    if case == "defaults":
        assert "start=" not in script.code and '"sgd": {}' in script.code
    out = run_script(script, tmp_path)
    surf = L.surface(surface, condition=kappa) if surface == "quadratic" else L.surface(surface)
    runs = L.race(surf, optimizers, start=start, steps=steps)
    for row in L.race_table(surf, runs).itertuples(index=False):
        printed = line(out, row.optimizer + " ").removeprefix(row.optimizer)
        for exact in (row[2], row[3], row[4]):  # final x, y, f
            assert shows(printed, exact), (row.optimizer, exact, printed)
    note = L.explain.race_note(surf, runs, steps)
    assert note in out


# --------------------------------------------------------------------------- MLP fitting


def _page_fit(target_name, domain, n, noise, seed, settings, val_fraction=0.1):
    """What the MLP page computes after a finished run (its trainer, then evaluate_fit)."""
    from nnkit.function_fitting import evaluate_fit, make_data, target_from_name

    target = target_from_name(target_name, domain)
    X, y = make_data(target, n, noise, seed)
    trainer = settings.trainer(target, X, y, val_fraction=val_fraction)
    result = trainer.run()
    ev = evaluate_fit(trainer.model, target, n=101 if target.dim == 2 else 401)
    return result, ev


def _check_fit(out, result, ev):
    assert value(out, "training loss after") == float(f"{len(result.history)}")
    assert line(out, "training loss after").endswith(f"{result.history.train_loss[-1]:.4g}")
    assert line(out, "R² inside the box:").endswith(f"{ev.r2_inside:.4f}")
    assert line(out, "R² outside the box:").endswith(f"{ev.r2_outside:.3f}")
    assert line(out, "RMSE inside / outside:").endswith(
        f"{ev.rmse_inside:.3g} / {ev.rmse_outside:.3g}"
    )


def test_mlp_fitting_lecture_torch_mlp_is_plain_pytorch_in_a_notebook(tmp_path):
    from nnkit.function_fitting import PRESETS
    from nnkit.function_fitting.reproduce import fitting_script

    preset = "lecture TorchMLP · SGD lr 1e-6"
    settings = replace(PRESETS[preset], epochs=40)
    args = ("rastrigin", (-5.12, 5.12), 300, 0.0, 0, settings)
    script = fitting_script(*args, preset=preset, val_fraction=0.1)
    check_readable(script)
    assert "class TorchMLP(nn.Module)" in script.code and "torch.optim.SGD" in script.code
    assert "nnkit.training" not in script.code
    _check_fit(run_notebook(script, tmp_path), *_page_fit(*args))


def test_mlp_fitting_rmsprop_recipe_changed_seed(tmp_path):
    from nnkit.function_fitting import PRESETS
    from nnkit.function_fitting.reproduce import fitting_script

    preset = "lecture TorchMLP · RMSprop lr 1e-3"
    settings = replace(PRESETS[preset], epochs=30, seed=4)
    args = ("rastrigin", (-3.0, 3.0), 250, 0.05, 4, settings)
    script = fitting_script(*args, preset=preset, val_fraction=0.1)
    assert "torch.optim.RMSprop" in script.code and ".with_domain(-3.0, 3.0)" in script.code
    _check_fit(run_script(script, tmp_path), *_page_fit(*args))


def test_mlp_fitting_preset_with_changes_on_a_typed_formula(tmp_path):
    from nnkit.function_fitting import PRESETS
    from nnkit.function_fitting.reproduce import fitting_script

    settings = replace(PRESETS["plain MLP"], hidden=(16, 16), epochs=4, lr=5e-3, seed=2)
    args = ("formula:sin(5*x)/(1+x^2)", (-2.0, 2.0), 200, 0.0, 2, settings)
    script = fitting_script(*args, preset="plain MLP", val_fraction=0.1)
    check_readable(script)
    assert (
        'replace(PRESETS["plain MLP"], hidden=(16, 16), lr=0.005, epochs=4, seed=2)' in script.code
    )
    assert "fit_1d" in script.code  # a 1-D formula: the page's curves
    _check_fit(run_script(script, tmp_path), *_page_fit(*args))


def test_mlp_fitting_notes_for_cut_off_or_continued_runs():
    from nnkit.function_fitting import PRESETS
    from nnkit.function_fitting.reproduce import fitting_script

    args = ("sine", (-1.0, 1.0), 100, 0.0, 0, PRESETS["plain MLP"])
    with pytest.raises(NotReproducible, match="12 of 300 epochs"):
        fitting_script(*args, preset="plain MLP", epochs_done=12, stop_reason="stopped")
    with pytest.raises(NotReproducible, match="continued"):
        fitting_script(*args, preset="plain MLP", epochs_done=600, stop_reason="completed")
    with pytest.raises(NotReproducible, match="time"):
        fitting_script(*args, preset="plain MLP", epochs_done=40, stop_reason="time_limit")


# --------------------------------------------------------------------------- XOR


def _check_xor(out, X, y, hidden, **recipe):
    from nnkit.xor import fit_xor, xor_reference_accuracy

    mine = fit_xor(X, y, hidden, **recipe)
    neuron = fit_xor(X, y, (), **recipe)
    assert line(out, "your network").endswith(f"training accuracy {mine.accuracy:.1%}")
    assert line(out, "no hidden layer").endswith(f"training accuracy {neuron.accuracy:.1%}")
    assert line(out, "reference").endswith(f"{xor_reference_accuracy(X, y):.1%}")


def test_xor_default_page_in_a_notebook(tmp_path):
    from nnkit.datasets import xor
    from nnkit.reproduce.xor import xor_script

    script = xor_script((2,))
    check_readable(script)
    assert "fit_xor(X, y, (2,))" in script.code
    _check_xor(run_notebook(script, tmp_path), *xor(), (2,))


def test_xor_noisy_data_changed_seed_and_recipe(tmp_path):
    from nnkit.datasets import xor
    from nnkit.reproduce.xor import xor_script

    recipe = {"activation": "relu", "lr": 0.03, "epochs": 100, "seed": 5}
    script = xor_script((4, 4), n_samples=120, noise=0.2, **recipe)
    check_readable(script)
    _check_xor(run_script(script, tmp_path), *xor(n_samples=120, noise=0.2), (4, 4), **recipe)


# --------------------------------------------------------------------------- House prices

HOUSES = ROOT / "data" / "house_prices.csv"


def _check_houses(
    out, frame, target, features, config=None, test_size=0.2, seed=0, log_target=False, search=None
):
    from nnkit import tabular

    data = tabular.prepare(
        frame,
        target,
        features,
        test_size=test_size,
        seed=seed,
        log_target=log_target,
        task="regression",
    )
    models = tabular.fit_baselines(data)
    if config is not None:
        mlp, _ = tabular.train_mlp(data, config, search=search or False)
        models = {"MLP": mlp, **models}
    for row in tabular.compare(models, data).itertuples(index=False):
        printed = line(out, row.model + " ").removeprefix(row.model)
        for exact in (row.RMSE, row.MAE, row[3]):  # RMSE, MAE, R²
            assert shows(printed, exact), (row.model, exact, printed)


def test_house_prices_default_data_with_the_mlp_in_a_notebook(tmp_path):
    from nnkit import tabular
    from nnkit.reproduce.tabular import house_prices_script

    table = tabular.load_csv(HOUSES)
    prof = tabular.profile(table.frame)
    config = tabular.MLPConfig(hidden=(16,), epochs=8)
    script = house_prices_script(
        prof.target, prof.features, test_size=0.2, seed=0, log_target=False, config=config,
        suggested_features=prof.features, stop_reason="completed",
    )  # fmt: skip
    check_readable(script)
    assert "tabular.profile(table.frame).features" in script.code
    out = run_notebook(script, tmp_path, files={"data/house_prices.csv": HOUSES})
    _check_houses(out, table.frame, prof.target, prof.features, config)


def test_house_prices_searched_mlp_in_a_script(tmp_path):
    from nnkit import tabular
    from nnkit.reproduce.tabular import house_prices_script

    table = tabular.load_csv(HOUSES)
    prof = tabular.profile(table.frame)
    config = tabular.MLPConfig(hidden=(16,), epochs=8)
    space = tabular.SearchSpace(
        widths=(8, 16), weight_decays=(0.0, 1e-3), lrs=(1e-3,), first_epochs=2, eta=2
    )
    script = house_prices_script(
        prof.target, prof.features, test_size=0.2, seed=0, log_target=False, config=config,
        suggested_features=prof.features, stop_reason="early_stopping", search=space,
    )  # fmt: skip
    check_readable(script)
    assert "search=space" in script.code
    out = run_script(script, tmp_path, files={"data/house_prices.csv": HOUSES})
    _check_houses(out, table.frame, prof.target, prof.features, config, search=space)
    with pytest.raises(NotReproducible):  # the page's search chose among cut candidates
        house_prices_script(
            prof.target, prof.features, test_size=0.2, seed=0, log_target=False, config=config,
            stop_reason="early_stopping", search=space, search_cut=True,
        )  # fmt: skip


def test_a_search_cut_by_its_budget_says_so():
    from nnkit import tabular

    frame = tabular.load_csv(HOUSES).frame
    prof = tabular.profile(frame)
    data = tabular.prepare(frame, prof.target, prof.features, seed=0)
    space = tabular.SearchSpace(
        widths=(8, 16), weight_decays=(0.0,), lrs=(1e-3,), first_epochs=2, eta=2
    )
    whole = tabular.HalvingSearch(data, tabular.MLPConfig(epochs=6), space)
    whole.run()
    cut = tabular.HalvingSearch(data, tabular.MLPConfig(epochs=6), space)
    cut.run(max_seconds=1e-6)
    assert whole.rounds_cut == 0 and cut.rounds_cut >= 1


def _uploaded_csv() -> bytes:
    rng = np.random.default_rng(3)
    rows = ["area;rooms;district;price"]
    for _ in range(150):
        area, rooms = rng.uniform(30, 200), int(rng.integers(1, 6))
        district = str(rng.choice(["north", "south"]))
        price = (
            1000 * area * (1.3 if district == "north" else 1.0) + 5000 * rooms + rng.normal(0, 9000)
        )
        rows.append(f"{area:.1f};{rooms};{district};{price:.0f}")
    return ("\n".join(rows) + "\n").encode()


def test_house_prices_uploaded_csv_baselines_only_chosen_features_log_target(tmp_path):
    from nnkit import tabular
    from nnkit.reproduce.tabular import house_prices_script

    name = "my houses.csv"
    script = house_prices_script(
        "price", ["area", "district"], test_size=0.3, seed=5, log_target=True, csv=name,
        suggested_features=["area", "rooms", "district"],
    )  # fmt: skip
    check_readable(script)
    assert 'tabular.load_csv("my houses.csv")' in script.code and "train_mlp" not in script.code
    out = run_script(script, tmp_path, files={name: _uploaded_csv()})
    frame = tabular.load_csv(_uploaded_csv()).frame
    _check_houses(out, frame, "price", ["area", "district"], test_size=0.3, seed=5, log_target=True)


def _classes_csv() -> bytes:
    rng = np.random.default_rng(4)
    rows = ["age,fare,cabin,survived"]
    for _ in range(240):
        age, fare, cabin = rng.uniform(1, 80), rng.uniform(5, 200), str(rng.choice(["A", "B", "C"]))
        alive = int(fare / 200 - age / 80 + (cabin == "A") * 0.5 + rng.normal(0, 0.3) > 0)
        rows.append(f"{age:.0f},{fare:.1f},{cabin},{alive}")
    return ("\n".join(rows) + "\n").encode()


def test_house_prices_a_class_label_in_a_script(tmp_path):
    from nnkit import tabular
    from nnkit.reproduce.tabular import house_prices_script

    name, data = "survival.csv", _classes_csv()
    features = ["age", "fare", "cabin"]
    config = tabular.MLPConfig(hidden=(8,), epochs=6)
    script = house_prices_script(
        "survived", features, test_size=0.25, seed=2, log_target=False, config=config, csv=name,
        stop_reason="completed", task="classification",
    )  # fmt: skip
    check_readable(script)
    assert 'task="classification"' in script.code
    out = run_script(script, tmp_path, files={name: data})
    split = tabular.prepare(
        tabular.load_csv(data).frame,
        "survived",
        features,
        test_size=0.25,
        seed=2,
        task="classification",
    )
    models = {"MLP": tabular.train_mlp(split, config)[0], **tabular.fit_baselines(split)}
    table = tabular.compare(models, split)
    assert set(table.model) >= {"MLP", "majority", "logistic regression"}
    for row in table.itertuples(index=False):
        printed = line(out, row.model + " ").removeprefix(row.model)
        assert shows(printed, row.accuracy) and shows(printed, row[3]), (
            row.model,
            printed,
        )  # log-loss


def test_house_prices_a_class_label_the_user_made_a_regression(tmp_path):
    from nnkit import tabular
    from nnkit.reproduce.tabular import house_prices_script

    name, data = "survival.csv", _classes_csv()
    features = ["age", "fare"]
    script = house_prices_script(
        "survived", features, test_size=0.2, seed=1, log_target=False, csv=name, task="regression"
    )
    out = run_script(script, tmp_path, files={name: data})
    _check_houses(out, tabular.load_csv(data).frame, "survived", features, seed=1)  # R² as printed


def test_house_prices_note_for_a_stopped_mlp():
    from nnkit import tabular
    from nnkit.reproduce.tabular import house_prices_script

    with pytest.raises(NotReproducible, match="cut short"):
        house_prices_script(
            "price", ["area"], test_size=0.2, seed=0, log_target=False,
            config=tabular.MLPConfig(), stop_reason="time_limit",
        )  # fmt: skip


# --------------------------------------------------------------------------- PINN


def _check_pinn(out, key, params, config):
    from nnkit.pinn import PINN
    from nnkit.pinn.presets import make_problem

    problem = make_problem(key, params)
    pinn = PINN(problem, config)
    pinn.run()
    rep = pinn.report()
    assert line(out, "relative L2 error:") == (
        f"relative L2 error: {rep.rel_l2:.2e} after {pinn.epochs_done} epochs "
        f"({pinn.steps_done} steps)"
    )
    assert value(out, "largest error:") == float(f"{rep.max_abs_error:.2e}")
    assert value(out, "mean |residual| on the grid:") == float(f"{rep.mean_abs_residual:.2e}")
    for name, (est, _true) in rep.coefficients.items():
        assert value(out, "estimated μ =") == float(f"{est:.4f}"), name


def test_pinn_poisson_quick_preset_in_a_notebook(tmp_path):
    from nnkit.pinn import presets
    from nnkit.pinn.reproduce import pinn_script

    config = replace(
        presets.QUICK["poisson"], weights=(("residual", 1.0),)
    )  # as the page passes it
    script = pinn_script("poisson", {}, config)
    check_readable(script)
    assert 'config = QUICK["poisson"]' in script.code  # weight 1 is the default: not spelled out
    _check_pinn(run_notebook(script, tmp_path), "poisson", {}, config)


def test_pinn_typed_ode_with_changed_seed_and_schedule(tmp_path):
    from nnkit.pinn import presets
    from nnkit.pinn.reproduce import pinn_script

    params = {"f": "u*(1 - u)", "u0": 0.5, "t_end": 3.0}
    config = replace(presets.QUICK["ode"], adam_epochs=4, lbfgs_epochs=2, seed=2, n_collocation=80)
    script = pinn_script("ode", params, config)
    check_readable(script)
    assert 'parse("u*(1 - u)", ("t", "u"))' in script.code
    _check_pinn(run_script(script, tmp_path), "ode", params, config)


def test_pinn_inverse_problem_prints_the_identified_coefficient(tmp_path):
    from nnkit.pinn import presets
    from nnkit.pinn.reproduce import pinn_script

    params = {"m": 1.0, "mu": 3.0, "k": 400.0, "mu_init": 1.0, "n_obs": 30, "noise": 0.04}
    config = replace(
        presets.QUICK["oscillator_inverse"], adam_epochs=3, lbfgs_epochs=2, n_collocation=60
    )
    script = pinn_script("oscillator_inverse", params, config)
    assert "Oscillator(inverse=True, mu=3.0, n_obs=30)" in script.code
    _check_pinn(run_script(script, tmp_path), "oscillator_inverse", params, config)


def test_pinn_notes_for_a_stopped_run_and_a_formula_that_does_not_parse():
    from nnkit.pinn import presets
    from nnkit.pinn.reproduce import pinn_script

    quick = presets.QUICK["ode"]
    with pytest.raises(NotReproducible, match="stopped"):
        pinn_script("ode", {}, quick, epochs_done=12, stop_reason="stopped")
    with pytest.raises(NotReproducible, match="cannot be built"):
        pinn_script("ode", {"f": "u*(1 -"}, quick)


# --------------------------------------------------------------------------- Symbolic distillation


def _check_symbolic(out, result, net=None):
    from nnkit.symbolic import percent

    if net is not None:
        assert line(out, "network:") == (
            f"network: epochs trained {net.epochs}, "  # no "1 epochs" for a 1-epoch network
            f"relative training error {percent(net.train_error)}"
        )
    assert result.message in out
    assert line(out, "f =") == f"f = {result.best.text}"
    assert line(out, "complexity").endswith(f"relative error {percent(result.best.nrmse)}")
    assert line(out, f"{result.library_size} formulas fitted")


def test_symbolic_trained_rastrigin_in_a_notebook(tmp_path):
    from nnkit.reproduce.symbolic import symbolic_script
    from nnkit.symbolic import distill
    from nnkit.symbolic.networks import train_network
    from nnkit.symbolic.problems import RASTRIGIN_1D

    script = symbolic_script("rastrigin1", "", -2.0, 2.0, 300, 0.0, 150, True, 0)
    check_readable(script)
    out = run_notebook(script, tmp_path)
    p = RASTRIGIN_1D
    net = train_network(
        p, p.domain, n_samples=300, fourier_features=32, fourier_scale=3.0, epochs=150, lr=2e-3
    )
    _check_symbolic(
        out,
        distill(net, p.domain, p.variables, accuracy=net.train_error, data=(net.X, net.y), seed=0),
        net,
    )


def test_symbolic_typed_formula_and_both_methods(tmp_path):
    from nnkit.expr import parse
    from nnkit.reproduce.symbolic import symbolic_script
    from nnkit.symbolic import distill
    from nnkit.symbolic.networks import train_network
    from nnkit.symbolic.problems import problem_from_formula

    script = symbolic_script(
        "formula", "x^3 - 2*x + 1", -1.5, 1.5, 200, 0.0, 300, False, 3, method="both"
    )
    check_readable(script)
    out = run_script(script, tmp_path)
    p = problem_from_formula(parse("x^3 - 2*x + 1", ("x", "y")), (-1.5, 1.5))
    net = train_network(p, p.domain, n_samples=200, epochs=300, seed=3)
    _check_symbolic(
        out,
        distill(net, p.domain, p.variables, accuracy=net.train_error, data=(net.X, net.y), seed=0),
        net,
    )


def test_symbolic_uploaded_csv(tmp_path):
    from nnkit.reproduce.symbolic import symbolic_csv_script
    from nnkit.symbolic import distill
    from nnkit.tabular import load_csv

    xs = np.linspace(0.5, 3.0, 60)
    csv = (
        "t,v,noise\n"
        + "\n".join(f"{x:.4f},{2 * x * x + 1:.6f},{i % 3}" for i, x in enumerate(xs))
        + "\n"
    ).encode()
    script = symbolic_csv_script("measurements.csv", ["t"], "v")
    check_readable(script)
    out = run_script(script, tmp_path, files={"measurements.csv": csv})
    frame = load_csv(csv).frame[["t", "v"]].dropna()
    domain = [(frame.t.min(), frame.t.max())]
    _check_symbolic(
        out, distill((frame[["t"]].to_numpy(float), frame.v.to_numpy(float)), domain, ["x"])
    )


def test_symbolic_notes_for_timed_searches_and_cut_networks():
    from nnkit.reproduce.symbolic import symbolic_csv_script, symbolic_script

    args = ("rastrigin1", "", -2.0, 2.0, 500, 0.0, 600, True, 0)
    with pytest.raises(NotReproducible, match="time budget"):
        symbolic_script(*args, method="gplearn")
    with pytest.raises(NotReproducible, match="time budget"):
        symbolic_csv_script("a.csv", ["x"], "y", method="gplearn")
    with pytest.raises(NotReproducible, match="cut short"):
        symbolic_script(*args, stop_reason="time_limit")
    with pytest.raises(NotReproducible, match="does not parse"):
        symbolic_script("formula", "x^", -2.0, 2.0, 500, 0.0, 600, False, 0)
