"""Perceptron & activations page: gallery, one neuron, training replay, layer, bad input."""

from __future__ import annotations

import dataclasses
import re

from nnkit.activations import get
from nnkit.datasets import TOY_2D
from nnkit.perceptron import Perceptron
from nnkit.ui import course
from tests.app.conftest import assert_no_exception

PAGE = "pages/perceptron.py"


def texts(at, kind="markdown") -> str:
    return "\n".join(e.value for e in getattr(at, kind))


def frame_line(at) -> str:
    for m in at.markdown:
        if re.match(r"\*\*(Update|Frame) \d+ of \d+\*\*", m.value):
            return m.value
    raise AssertionError("no replay line on the page")


def test_first_load_shows_every_section_with_computed_notes(app_page):
    at = app_page(PAGE).run()
    assert_no_exception(at)
    md = texts(at)
    # gallery: sigmoid' peak read from the plot, with its exact reference
    assert "**Sigmoid (logistic)**: f′ peaks at **0.2500** at x = 0.00" in md
    assert "1/4 at x = 0" in md
    assert "Vanishing gradients" in texts(at, "info")
    assert "Heaviside step" in texts(at, "warning")
    # one neuron: w = (1, 1), b = -1.5 is AND on the corners
    assert "the **AND** gate" in md
    # training: AND converges, the replay starts at the last update
    n_updates = Perceptron(max_epochs=50, seed=0).fit(*TOY_2D["and"].make(4, 0.0, 0)).n_updates_
    assert frame_line(at).startswith(f"**Update {n_updates} of {n_updates}**")
    assert "Converged" in texts(at, "success")
    # layer: the default triangle (-1.5,-0.5), (1.5,-0.5), (0,1) covers 2.25 of 16
    share = float(re.search(r"all 3 neurons fire on \*\*([\d.]+)%\*\*", md).group(1))
    assert abs(share / 100 - 2.25 / 16) < 0.0006  # shown to 0.1 %
    at.selectbox(key="l_act").set_value("sigmoid").run()
    assert_no_exception(at)
    assert "Sigmoid (logistic) is at or above f(0)" in texts(at, "caption")


def test_switching_activations_updates_gallery_and_neuron(app_page):
    at = app_page(PAGE).run()
    at.multiselect(key="gal_names").set_value(["gelu", "gaussian"]).run()
    assert_no_exception(at)
    md = texts(at)
    assert get("gelu").deriv_max_text in md and get("gaussian").deriv_max_text in md
    assert "Sigmoid (logistic)**: f′" not in md
    at.multiselect(key="gal_names").set_value([]).run()
    assert "Pick at least one activation" in texts(at, "info")
    # one neuron: b = -0.5 turns AND into OR; ReLU output at the origin is relu(b) = 0
    at.slider(key="n_b").set_value(-0.5)
    at.selectbox(key="n_act").set_value("relu").run()
    assert_no_exception(at)
    md = texts(at)
    assert "the **OR** gate" in md
    assert "f(b) = 0.0000" in md
    at.slider(key="n_w1").set_value(0.0)
    at.slider(key="n_w2").set_value(0.0).run()
    assert "with w = (0, 0) there is no line" in texts(at)


def test_switching_data_sets(app_page):
    at = app_page(PAGE).run()
    at.selectbox(key="p_data").set_value("xor").run()
    assert_no_exception(at)
    err = texts(at, "error")
    assert "Never converges" in err and "not linearly separable" in err
    assert "XOR" in texts(at)  # names (or links to) the XOR page
    at.selectbox(key="p_data").set_value("or").run()
    assert "Converged" in texts(at, "success")
    at.selectbox(key="p_data").set_value("blobs").run()
    assert_no_exception(at)
    # the data set's own defaults are loaded with it
    assert at.number_input(key="p_n").value == TOY_2D["blobs"].default_samples
    ok = texts(at, "success")
    assert "Converged" in ok and "Novikoff" in ok
    bound = float(re.search(r"= ([\d.]+) updates", ok).group(1))
    updates = int(re.search(r"after (\d+) updates", ok).group(1))
    assert updates <= bound
    at.selectbox(key="p_data").set_value("moons").run()
    assert "Never converges" in texts(at, "error")


def test_stepping_through_training(app_page):
    at = app_page(PAGE).run()
    X, y = TOY_2D["and"].make(4, 0.0, 0)
    model = Perceptron(max_epochs=50, seed=0).fit(X, y)
    last = model.n_updates_
    at.button(key="p_reset").click().run()
    assert frame_line(at).startswith(f"**Frame 0 of {last}**")
    at.button(key="p_stepbtn").click().run()
    at.button(key="p_stepbtn").click().run()
    line = frame_line(at)
    assert line.startswith(f"**Update 2 of {last}**")
    w, b = model.weights_at(2)
    assert f"giving w = ({w[0]:.3g}, {w[1]:.3g})" in line and f"= {b:.3g}." in line
    assert at.slider(key="p_frame_slider").value == 2
    at.button(key="p_back").click().run()
    assert frame_line(at).startswith(f"**Update 1 of {last}**")
    # the slider moves the replay too
    at.slider(key="p_frame_slider").set_value(5).run()
    assert frame_line(at).startswith(f"**Update 5 of {last}**")
    at.button(key="p_end").click().run()
    assert frame_line(at).startswith(f"**Update {last} of {last}**")
    # Play from the end restarts at 0 and advances one step per tick
    at.button(key="p_play").click().run()
    assert_no_exception(at)
    assert frame_line(at).startswith(f"**Update 1 of {last}**")
    assert at.button(key="p_play").label == "Pause"
    at.button(key="p_play").click().run()  # pause
    assert at.button(key="p_play").label == "Play"
    assert frame_line(at).startswith(f"**Update 1 of {last}**")
    # misclassified count in the line is the model's own at that frame
    state = model.replay(X, y, 1)
    assert f"Now {state.n_errors} of 4 points are misclassified" in frame_line(at)


def test_bad_input_gets_clear_messages_and_keeps_the_rest(app_page):
    at = app_page(PAGE).run()
    at.selectbox(key="p_data").set_value("moons").run()
    at.number_input(key="p_lr").set_value(0.0).run()
    assert_no_exception(at)
    assert "learning rate η must be greater than 0" in texts(at, "error")
    at.number_input(key="p_lr").set_value(-1.0).run()
    assert "learning rate η must be greater than 0" in texts(at, "error")
    # review: η = 1e308 used to "converge" with w = inf (and nan with a sign unit)
    at.number_input(key="p_lr").set_value(1e308).run()
    assert_no_exception(at)
    assert "learning rate η must be between 1e-06 and 1e+06" in texts(at, "error")
    at.number_input(key="p_lr").set_value(0.5)
    at.number_input(key="p_n").set_value(0).run()
    assert "n_samples must be at least 2" in texts(at, "error")
    at.number_input(key="p_n").set_value(80)
    at.number_input(key="p_noise").set_value(1.5).run()
    assert "noise must be between 0 and 1" in texts(at, "error")
    at.number_input(key="p_noise").set_value(0.2).run()
    assert_no_exception(at)
    # nothing the user chose was lost on the way
    assert at.selectbox(key="p_data").value == "moons"
    assert at.number_input(key="p_lr").value == 0.5
    assert at.number_input(key="p_n").value == 80
    assert "Never converges" in texts(at, "error")
    assert not any("Cannot train" in e.value for e in at.error)
    # the other sections kept working throughout
    assert "the **AND** gate" in texts(at)



def test_sign_output_and_xor_link_when_the_xor_page_is_listed(app_page, monkeypatch):
    # Pretend the XOR page is in the course map: run alone (no navigation) the link
    # cannot resolve, and the page must fall back to naming it, not crash.
    first = course.LECTURES[0]
    extra = course.PageInfo("pages/xor.py", "XOR", ":material/close:", "test entry")
    listed = dataclasses.replace(first, pages=[*first.pages, extra])
    monkeypatch.setattr(course, "LECTURES", [listed, *course.LECTURES[1:]])
    at = app_page(PAGE).run()
    at.radio(key="p_output").set_value("sign")
    at.selectbox(key="p_data").set_value("xor").run()
    assert_no_exception(at)
    assert "Never converges" in texts(at, "error")
    assert "See the **XOR** page" in texts(at)
    at.selectbox(key="p_data").set_value("or").run()
    X, y = TOY_2D["or"].make(4, 0.0, 0)
    model = Perceptron(max_epochs=50, output="sign", seed=0).fit(X, y)
    assert model.converged_
    assert f"after {model.n_updates_} updates" in texts(at, "success")
