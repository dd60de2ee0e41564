"""AppTest: every topic page shows "Reproduce in Python" beside its result; the script in
it, run as ``python script.py`` (``tests/reproduce_support.py``), prints the numbers the
page shows; settings a script cannot express (a formula that does not parse, a stopped
run, a time-boxed search) show a one-line note instead; the panel offers the script as
.py and .ipynb.
"""

from __future__ import annotations

import json
import time

import pandas as pd
import pytest

from nnkit.reproduce import Script
from tests.app.conftest import ROOT, assert_no_exception
from tests.reproduce_support import line, numbers, run_script, shows, value

pytestmark = pytest.mark.slow

TITLE = "Reproduce in Python"


def open_panel(at) -> None:
    """Open the page's panel as a click would: it is drawn only while open."""
    closed = [
        k for k in at.session_state.keys() if k.endswith("_reproduce") and not at.session_state[k]
    ]
    if closed:
        for k in closed:
            at.session_state[k] = True
        at.run()
        assert_no_exception(at)


def panel(at) -> Script | str:
    """The panel's script (as the page generated it) or its note, after opening it."""
    open_panel(at)
    found = [e for e in at.expander if e.label == TITLE]
    assert len(found) == 1, [e.label for e in at.expander]
    box = found[0]
    if not box.code:
        return " ".join(c.value for c in box.caption)
    downloads = box.get("download_button")
    assert [d.label for d in downloads] == ["Download .py", "Download notebook (.ipynb)"]
    return Script(box.code[0].value, "", "page", chart="chart")


def note(at) -> str:
    got = panel(at)
    assert isinstance(got, str), "a script where a note was expected"
    assert got.startswith("No script for this result:")
    return got


def run_panel(at, tmp_path, files=None) -> str:
    script = panel(at)
    assert isinstance(script, Script), f"a note where a script was expected: {script}"
    return run_script(script, tmp_path, files)


def metric(at, label: str) -> str:
    return next(m.value for m in at.metric if m.label.startswith(label))


def wait(at, job_key: str, seconds: float = 240.0):
    job = at.session_state[job_key]
    end = time.monotonic() + seconds
    while job.running and time.monotonic() < end:
        job.heartbeat()
        time.sleep(0.2)
    assert not job.running, "training did not finish"
    at.run()
    assert_no_exception(at)
    return job.snapshot()


# --------------------------------------------------------------------------- Derivatives


def test_derivatives_default_then_a_typed_formula(app_page, tmp_path):
    at = app_page("pages/derivatives.py").run()
    assert_no_exception(at)
    exact = next(m.value for m in at.markdown if m.value.startswith("Exact value"))
    out = run_panel(at, tmp_path / "a")
    shown = numbers(exact.split("=")[1])[0]  # `0.31008500152064855` at x₀ = 0.5
    assert value(out, "exact f′(x0) =") == shown

    at.text_input(key="fd_formula").set_value("log(1+x^2)")
    at.number_input(key="fd_x0").set_value(1.5)
    at.number_input(key="fd_h").set_value(1e-2)
    at.run()
    assert_no_exception(at)
    script = panel(at)
    assert 'parse("log(1+x^2)")' in script.code and "x0 = 1.5" in script.code
    out = run_script(script, tmp_path / "b")
    exact = next(m.value for m in at.markdown if m.value.startswith("Exact value"))
    assert value(out, "exact f′(x0) =") == numbers(exact.split("=")[1])[0]
    table = at.dataframe[-1].value  # every scheme at h = 0.01
    for row in table.itertuples(index=False):
        if isinstance(row.estimate, float) and row.estimate == row.estimate:
            assert line(out, f"{row.method}: estimate").startswith(
                f"{row.method}: estimate {row.estimate:.17g}"
            )

    at.text_input(key="fd_formula").set_value("sin(x").run()
    assert "does not parse" in note(at)


# --------------------------------------------------------------------------- Autodiff


def test_autodiff_default_example_and_gradients(app_page, tmp_path):
    at = app_page("pages/autodiff.py").run()
    assert_no_exception(at)
    forward = next(m.value for m in at.markdown if m.value.startswith("Forward pass done"))
    at.button[0].click().run()  # Backward: the page's gradient table
    assert_no_exception(at)
    out = run_panel(at, tmp_path)
    assert line(out, "f =") == f"f = {numbers(forward.split('**')[1])[0]:.10g}"
    grads = next(d.value for d in at.dataframe if "autodiff" in d.value.columns)
    for row in grads.itertuples(index=False):
        printed = line(out, row.variable).removeprefix(row.variable)
        assert shows(printed, row.autodiff) and f"{row.autodiff:.15g}" in printed

    at.text_input(key="ad_formula").set_value("x*(").run()
    assert "fix the formula" in note(at)


# --------------------------------------------------------------------------- Perceptron


def test_perceptron_training_tab_default_and_changed_seed(app_page, tmp_path):
    at = app_page("pages/perceptron.py").run()
    assert_no_exception(at)
    out = run_panel(at, tmp_path / "a")
    assert value(out, "updates made:") == float(metric(at, "updates made"))
    assert value(out, "epochs run:") == float(metric(at, "epochs run"))
    assert line(out, "training accuracy:").endswith(metric(at, "training accuracy"))

    at.selectbox(key="p_data").set_value("blobs")
    at.number_input(key="p_seed").set_value(4)
    at.number_input(key="p_lr").set_value(0.3)
    at.run()
    assert_no_exception(at)
    script = panel(at)
    assert "separable_blobs(" in script.code and "seed=4" in script.code
    out = run_script(script, tmp_path / "b")
    assert value(out, "updates made:") == float(metric(at, "updates made"))
    assert line(out, "training accuracy:").endswith(metric(at, "training accuracy"))


# --------------------------------------------------------------------------- Gradient descent


def test_gradient_descent_lecture_part_with_a_changed_seed(app_page, tmp_path):
    at = app_page("pages/gradient_descent.py").run()
    at.number_input(key="p1_seed").set_value(5).run()
    at.slider(key="p1_epochs").set_value(300).run()
    assert_no_exception(at)
    out = run_panel(at, tmp_path)
    assert line(out, "w after 300 epochs:").startswith(
        f"w after 300 epochs: {metric(at, 'w after 300')}"
    )
    assert line(out, "b after 300 epochs:").startswith(
        f"b after 300 epochs: {metric(at, 'b after 300')}"
    )
    assert value(out, "critical α = 2/λ_max:") == float(metric(at, "Critical"))
    assert numbers(line(out, "PyTorch loop:"))[0] == float(metric(at, "w after 300"))


def test_gradient_descent_modes_and_race_parts(app_page, tmp_path):
    at = app_page("pages/gradient_descent.py")
    at.query_params["part"] = "Batch vs SGD"
    at.query_params["p2_epochs"] = "10"
    at.run()
    assert_no_exception(at)
    out = run_panel(at, tmp_path / "modes")
    table = at.dataframe[0].value
    for row in table.itertuples(index=False):
        assert shows(line(out, row.mode).removeprefix(row.mode), row[4])  # final J

    at = app_page("pages/gradient_descent.py")
    at.query_params["part"] = "Optimizer race"
    at.query_params["steps"] = "40"
    at.run()
    assert_no_exception(at)
    out = run_panel(at, tmp_path / "race")
    table = at.dataframe[0].value
    for row in table.itertuples(index=False):
        assert shows(line(out, row.optimizer + " ").removeprefix(row.optimizer), row[4])  # final f


# --------------------------------------------------------------------------- MLP fitting


def test_mlp_fitting_lecture_torch_mlp_after_training_and_a_stopped_run(app_page, tmp_path):
    at = app_page("pages/mlp_fitting.py").run()
    at.selectbox(key="mlp_preset").set_value("lecture TorchMLP · RMSprop lr 1e-3").run()
    at.number_input(key="mlp_n").set_value(300)
    at.number_input(key="mlp_epochs").set_value(40)
    at.number_input(key="mlp_seed").set_value(2)
    at.run()
    assert not any(e.label == TITLE for e in at.expander)  # nothing trained yet
    at.button(key="mlp_start").click().run()
    wait(at, "_live_mlp_job")
    script = panel(at)
    assert "class TorchMLP" in script.code and "torch.manual_seed(2)" in script.code
    out = run_script(script, tmp_path)
    assert line(out, "R² inside the box:").endswith(metric(at, "R² inside the box"))
    assert line(out, "R² outside the box:").endswith(metric(at, "R² outside the box"))
    assert line(out, "RMSE inside / outside:").endswith(metric(at, "RMSE inside / outside"))

    at.number_input(key="mlp_epochs").set_value(5000).run()
    at.button(
        key="mlp_restart" if "mlp_restart" in [b.key for b in at.button] else "mlp_start"
    ).click().run()
    time.sleep(1.0)
    at.button(key="mlp_stop").click().run()
    wait(at, "_live_mlp_job")
    assert "of 5000 epochs" in note(at)


def test_mlp_fitting_formula_that_does_not_parse(app_page):
    at = app_page("pages/mlp_fitting.py").run()
    at.selectbox(key="mlp_target").set_value("formula").run()
    at.text_input(key="mlp_formula").set_value("sin(3*x").run()
    assert_no_exception(at)
    assert "cannot be fitted" in note(at)


# --------------------------------------------------------------------------- XOR


def test_xor_default_and_noisy(app_page, tmp_path):
    at = app_page("pages/xor.py").run()
    assert_no_exception(at)
    out = run_panel(at, tmp_path / "a")
    mine, neuron = (m.value for m in at.metric if m.label == "training accuracy")
    assert line(out, "your network").endswith(mine)
    assert line(out, "no hidden layer").endswith(neuron)

    # fewer epochs: the page's study of every architecture over 20 seeds trains for as long
    at.radio(key="xor_data").set_value("noisy XOR")  # enables the number of points
    at.select_slider(key="xor_epochs").set_value(50)
    at.run()
    at.number_input(key="xor_n").set_value(60)
    at.number_input(key="xor_seed").set_value(3)
    at.run()
    assert_no_exception(at)
    script = panel(at)
    assert "xor(n_samples=60, noise=0.2)" in script.code and "seed=3" in script.code
    assert "epochs=50" in script.code
    out = run_script(script, tmp_path / "b")
    mine, neuron = (m.value for m in at.metric if m.label == "training accuracy")
    assert line(out, "your network").endswith(mine)
    assert line(out, "no hidden layer").endswith(neuron)


# --------------------------------------------------------------------------- House prices


def _metrics(at) -> pd.DataFrame:
    return next(t.value for t in at.table if "R²" in t.value.columns)


def test_house_prices_default_baselines_then_the_mlp(app_page, tmp_path):
    houses = {"data/house_prices.csv": ROOT / "data" / "house_prices.csv"}
    at = app_page("pages/house_prices.py").run()
    assert_no_exception(at)
    out = run_panel(at, tmp_path / "a", houses)
    for row in _metrics(at).itertuples(index=False):
        assert shows(line(out, row.model + " ").removeprefix(row.model), row[3])  # R²

    at.number_input(key="house_epochs").set_value(10).run()
    at.button(key="house_start").click().run()
    wait(at, "_live_house_job")
    script = panel(at)
    # the page's default: the search chooses width, weight decay and learning rate first
    assert (
        "tabular.train_mlp(data, config, search=space)" in script.code
        and "epochs=10" in script.code
    )
    out = run_script(script, tmp_path / "b", houses)
    table = _metrics(at)
    assert "MLP" in set(table.model)
    for row in table.itertuples(index=False):
        assert shows(line(out, row.model + " ").removeprefix(row.model), row[3])  # R²


def test_house_prices_uploaded_csv_is_read_from_its_name(app_page, tmp_path):
    rows = "\n".join(f"{50 + i},{1 + i % 4},{1000 + 20 * i + 300 * (i % 4)}" for i in range(80))
    data = f"area,rooms,price\n{rows}\n".encode()
    at = app_page("pages/house_prices.py").run()
    at.file_uploader[0].upload("flats 2024.csv", data, "text/csv").run()
    assert_no_exception(at)
    script = panel(at)
    assert 'tabular.load_csv("flats 2024.csv")' in script.code
    out = run_script(script, tmp_path, {"flats 2024.csv": data})
    for row in _metrics(at).itertuples(index=False):
        assert shows(line(out, row.model + " ").removeprefix(row.model), row[3])


def test_house_prices_class_label_baselines_in_the_script(app_page, tmp_path):
    rows = "\n".join(
        f"{20 + i % 50},{5 + (i * 7) % 90},{int((i * 7) % 90 > 40 + i % 50 // 3)}"
        for i in range(120)
    )
    data = f"age,fare,survived\n{rows}\n".encode()
    at = app_page("pages/house_prices.py").run()
    at.file_uploader[0].upload("titanic.csv", data, "text/csv").run()
    assert_no_exception(at)
    assert (
        at.radio(key=next(r.key for r in at.radio if r.key.startswith("house_task"))).value
        == "classification"
    )
    script = panel(at)
    assert 'task="classification"' in script.code
    out = run_script(script, tmp_path, {"titanic.csv": data})
    table = next(t.value for t in at.table if "accuracy" in t.value.columns)
    for row in table.itertuples(index=False):
        assert shows(line(out, row.model + " ").removeprefix(row.model), row.accuracy)


# --------------------------------------------------------------------------- PINN


def test_pinn_poisson_after_training_and_a_bad_formula(app_page, tmp_path):
    at = app_page("pages/pinn.py").run()
    at.selectbox(key="pinn_problem").set_value("poisson").run()
    at.number_input(key="pinn_poisson_adam").set_value(5)
    at.number_input(key="pinn_poisson_lbfgs").set_value(3)
    at.run()
    at.button(key="pinn_start").click().run()
    wait(at, "_live_pinn_job")
    out = run_panel(at, tmp_path)
    said = next(m.value for m in at.markdown if "Relative L2 error" in m.value)
    rel = said.split("**")[1]
    assert line(out, "relative L2 error:").startswith(f"relative L2 error: {rel} after 8 epochs")

    at.selectbox(key="pinn_problem").set_value("ode").run()
    at.text_input(key="pinn_ode_f").set_value("-2*u +").run()
    assert "does not parse" in note(at)


# --------------------------------------------------------------------------- Symbolic distillation


def test_symbolic_trained_network_csv_and_time_boxed_search(app_page, tmp_path):
    at = app_page("pages/symbolic.py").run()
    at.number_input(key="sym_epochs_rastrigin1").set_value(120).run()
    at.button(key="sym_go").click().run()  # the page trains and searches when asked
    assert_no_exception(at)
    out = run_panel(at, tmp_path / "a")
    assert line(out, "complexity").endswith(f"relative error {metric(at, 'relative error')}")
    assert f"{metric(at, 'formulas fitted')} formulas fitted" in out

    at.slider(key="sym_budget").set_value(2)
    at.radio(key="sym_method").set_value("gplearn").run()
    at.button(key="sym_go").click().run()
    assert "time budget" in note(at)

    rows = "\n".join(f"{x / 10},{2 * (x / 10) ** 2 - 1}" for x in range(40))
    data = f"x,y\n{rows}\n".encode()
    at.radio(key="sym_method").set_value("grammar")
    at.radio(key="sym_source").set_value("csv").run()
    at.get("file_uploader")[0].upload("curve.csv", data, "text/csv").run()
    at.button(key="sym_go").click().run()
    assert_no_exception(at)
    script = panel(at)
    assert 'load_csv("curve.csv")' in script.code
    out = run_script(script, tmp_path / "b", {"curve.csv": data})
    assert line(out, "complexity").endswith(f"relative error {metric(at, 'relative error')}")


def test_panel_downloads_are_the_script_and_its_notebook(app_page, monkeypatch, tmp_path):
    from streamlit.runtime.media_file_manager import MediaFileManager

    from tests.reproduce_support import run_notebook

    got: dict[str, tuple[bytes, str]] = {}
    original = MediaFileManager.add

    def add(self, data, mimetype, coordinates, file_name=None, is_for_static_download=False):
        if isinstance(data, bytes | str):
            got[file_name or ""] = (data.encode() if isinstance(data, str) else data, mimetype)
        return original(self, data, mimetype, coordinates, file_name, is_for_static_download)

    monkeypatch.setattr(MediaFileManager, "add", add)
    at = app_page("pages/perceptron.py").run()  # its panel is every page's (nnkit.ui)
    closed = next(e for e in at.expander if e.label == TITLE)
    assert not closed.children and not got  # closed: no script, no downloads yet
    open_panel(at)
    code = next(e for e in at.expander if e.label == TITLE).code[0].value
    py, py_mime = got["perceptron.py"]
    assert py.decode().rstrip("\n") == code.rstrip("\n") and py_mime == "text/x-python"
    notebook, nb_mime = got["perceptron.ipynb"]
    assert nb_mime == "application/x-ipynb+json"
    cells = json.loads(notebook)["cells"]
    assert "".join(cells[1]["source"]) == code.rstrip("\n")
    # the downloaded notebook runs, and shows the page's figures and the chart
    script = Script(code, "".join(cells[0]["source"]), "perceptron", chart="chart")
    assert json.loads(script.notebook())["cells"] == cells
    out = run_notebook(script, tmp_path)
    assert value(out, "updates made:") == float(metric(at, "updates made"))
    assert line(out, "training accuracy:").endswith(metric(at, "training accuracy"))
