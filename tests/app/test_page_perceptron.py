"""Perceptron & activations page: gallery, one neuron, training replay, layer, bad input.

The assertions read numbers and structure (which kind of message, which frame, which
values) and compare them with nnkit computed independently, not the page's wording.
"""

from __future__ import annotations

import dataclasses
import json
import re

import numpy as np

from nnkit.activations import curves, derivative_summary, get
from nnkit.datasets import TOY_2D
from nnkit.perceptron import Perceptron, convergence_reference, neuron_summary
from nnkit.ui import course
from tests.app.conftest import assert_no_exception

PAGE = "pages/perceptron.py"
NUMBER = r"[-+]?\d*\.?\d+(?:e[-+]?\d+)?"


def texts(at, kind="markdown") -> str:
    return "\n".join(e.value for e in getattr(at, kind))


def numbers(text: str) -> list[float]:
    return [float(v) for v in re.findall(NUMBER, text)]


def replay_frame(at) -> tuple[int, int, str]:
    """(frame, last, the replay's paragraph) read from the page."""
    for m in at.markdown:
        head = re.match(r"\*\*(?:Update|Frame) (\d+) of (\d+)\*\*", m.value)
        if head:
            return int(head.group(1)), int(head.group(2)), m.value
    raise AssertionError("no replay paragraph on the page")


def replay_title(at) -> str:
    """Title of the replay picture (the chart whose title names a frame)."""
    found = []

    def walk(node):
        for child in getattr(node, "children", {}).values():
            if getattr(child, "type", "") == "vega_lite_chart":
                title = json.loads(child.proto.spec).get("title", "")
                if re.match(r"(update|frame) \d+ of \d+", str(title)):
                    found.append(title)
            walk(child)

    walk(at._tree)
    (title,) = found
    return title


def gallery_line(md: str, label: str) -> str:
    (line,) = [ln for ln in md.splitlines() if ln.startswith(f"- **{label}**")]
    return line


def default_run(data="and", output="heaviside"):
    X, y = TOY_2D[data].make(TOY_2D[data].default_samples, TOY_2D[data].default_noise, 0)
    return X, y, Perceptron(max_epochs=50, output=output, seed=0).fit(X, y)


def test_first_load_shows_every_section_with_computed_notes(app_page):
    at = app_page(PAGE).run()
    assert_no_exception(at)
    md = texts(at)
    # gallery: each line's numbers are those of the plotted derivatives
    summary = derivative_summary(curves(["heaviside", "sigmoid", "tanh", "relu"], (-6, 6), 361))
    for row in summary.itertuples():
        line = gallery_line(md, row.label)
        assert row.exact_max_text in line
        if row.exact_max > 0:
            assert f"{row.max_derivative:.4f}" in line and f"{row.x_at_max:.2f}" in line
            assert f"{row.saturated_fraction:.0%}" in line and f"{row.depth_factor:.3g}" in line
    # the vanishing-gradient note names the activation that passes on least
    worst = summary[summary.depth_factor > 0].sort_values("depth_factor").iloc[0]
    (info,) = at.info
    assert worst.label in info.value and f"{worst.depth_factor:.2g}" in info.value
    # the zero-derivative warning names exactly the flat activations
    flat = summary[summary.max_derivative == 0].label.tolist()
    assert [lbl for lbl in summary.label if lbl in texts(at, "warning")] == flat
    # one neuron: the default w = (1, 1), b = -1.5 is AND on the corners
    neuron = neuron_summary([1.0, 1.0], -1.5, "sigmoid")
    assert neuron.gate == "and" and neuron.describe() in md
    assert f"{neuron.distance:.3f}" in md and f"{neuron.output_at_origin:.4f}" in md
    # training: AND converges; the replay starts at the last update
    _, _, model = default_run()
    frame, last, _ = replay_frame(at)
    assert frame == last == model.n_updates_
    assert len(at.success) == 1 and not at.error
    assert at.metric[0].value == str(model.n_updates_)
    # layer: the default triangle (-1.5,-0.5), (1.5,-0.5), (0,1) covers 2.25 of 16
    (layer_note,) = [m.value for m in at.markdown if "[−2, 2]²" in m.value]
    all_fire, none_fire = (float(v) / 100 for v in re.findall(r"([\d.]+)%", layer_note)[:2])
    assert abs(all_fire - 2.25 / 16) < 0.0006 and none_fire == 0.0  # shown to 0.1 %
    at.selectbox(key="l_act").set_value("sigmoid").run()
    assert_no_exception(at)
    assert get("sigmoid").label in texts(at, "caption")


def test_switching_activations_updates_gallery_and_neuron(app_page):
    at = app_page(PAGE).run()
    at.multiselect(key="gal_names").set_value(["gelu", "gaussian"]).run()
    assert_no_exception(at)
    md = texts(at)
    for name in ("gelu", "gaussian"):
        assert get(name).deriv_max_text in gallery_line(md, get(name).label)
    assert not [ln for ln in md.splitlines() if ln.startswith(f"- **{get('sigmoid').label}**")]
    at.multiselect(key="gal_names").set_value([]).run()
    assert_no_exception(at)
    assert len(at.info) == 1  # asks for a choice; no gallery lines, no vanishing note
    assert not [ln for ln in texts(at).splitlines() if ln.startswith("- **")]
    # one neuron: b = -0.5 turns AND into OR; ReLU output at the origin is relu(b) = 0
    at.slider(key="n_b").set_value(-0.5)
    at.selectbox(key="n_act").set_value("relu").run()
    assert_no_exception(at)
    neuron = neuron_summary([1.0, 1.0], -0.5, "relu")
    assert neuron.gate == "or" and neuron.output_at_origin == 0.0
    assert neuron.describe() in texts(at)
    at.slider(key="n_w1").set_value(0.0)
    at.slider(key="n_w2").set_value(0.0).run()
    flat = neuron_summary([0.0, 0.0], -0.5, "relu")
    assert not flat.has_line and flat.describe() in texts(at)


def test_switching_data_sets(app_page):
    at = app_page(PAGE).run()
    at.selectbox(key="p_data").set_value("xor").run()
    assert_no_exception(at)
    assert len(at.error) == 1 and not at.success  # never converges
    _, _, model = default_run("xor")
    assert f"{model.history_.last_epoch_mistakes} mistakes" in at.error[0].value
    assert "XOR" in texts(at)  # names (or links to) the XOR page
    at.selectbox(key="p_data").set_value("or").run()
    assert len(at.success) == 1
    at.selectbox(key="p_data").set_value("blobs").run()
    assert_no_exception(at)
    # the data set's own defaults are loaded with it
    assert at.number_input(key="p_n").value == TOY_2D["blobs"].default_samples
    X, y, model = default_run("blobs")
    sep = convergence_reference(X, y, max_epochs=50, seed=0).separator
    (ok,) = at.success
    assert model.converged_ and model.n_updates_ <= sep.bound
    assert f"after {model.n_updates_} updates" in ok.value and f"{sep.bound:.1f}" in ok.value
    at.selectbox(key="p_data").set_value("moons").run()
    assert len(at.error) == 1 and not at.success


def test_stepping_through_training(app_page):
    at = app_page(PAGE).run()
    X, y, model = default_run()
    last = model.n_updates_

    def shown(frame):
        got, of, text = replay_frame(at)
        assert (got, of) == (frame, last)
        state = model.replay(X, y, frame)
        w_txt = re.findall(r"w = \(([^)]*)\)", text)[-1]
        np.testing.assert_allclose(numbers(w_txt), state.w, rtol=5e-3)
        assert int(re.findall(r"(\d+) of \d+ points", text)[-1]) == state.n_errors
        assert replay_title(at).startswith(f"{state.position}:")  # the picture's own frame
        assert at.slider(key="p_frame_slider").value == frame  # the label
        return text

    at.button(key="p_reset").click().run()
    shown(0)
    at.button(key="p_stepbtn").click().run()
    at.button(key="p_stepbtn").click().run()
    shown(2)
    at.button(key="p_back").click().run()
    shown(1)
    # the slider moves the replay too
    at.slider(key="p_frame_slider").set_value(5).run()
    shown(5)
    at.button(key="p_end").click().run()
    shown(last)
    # Play from the end restarts at 0 and advances one step per tick. While playing, the
    # frame's number and weights are shown only in the picture's own title (a chart is
    # drawn after the text beside it, so a separate label could show another frame).
    at.button(key="p_play").click().run()
    assert_no_exception(at)
    assert at.button(key="p_play").label == "Pause"
    assert not [m for m in at.markdown if re.match(r"\*\*(Update|Frame) \d", m.value)]
    state = model.replay(X, y, 1)
    title = replay_title(at)
    assert title.startswith(f"{state.position}:")
    np.testing.assert_allclose(numbers(title.split(":", 1)[1]), [*state.w, state.b], rtol=5e-3)
    at.button(key="p_play").click().run()  # pause
    assert at.button(key="p_play").label == "Play"
    shown(1)
    assert replay_title(at).startswith(f"{state.position}:")


def test_bad_input_gets_clear_messages_and_keeps_the_rest(app_page):
    at = app_page(PAGE).run()
    at.selectbox(key="p_data").set_value("moons").run()

    def refused(*words):
        (err,) = at.error
        assert all(w in err.value for w in words), err.value

    at.number_input(key="p_lr").set_value(0.0).run()
    assert_no_exception(at)
    refused("learning rate", "0")
    at.number_input(key="p_lr").set_value(-1.0).run()
    refused("learning rate", "-1")
    # review: η = 1e308 used to "converge" with w = inf (and nan with a sign unit)
    at.number_input(key="p_lr").set_value(1e308).run()
    assert_no_exception(at)
    refused("learning rate", "1e-06", "1e+06")
    at.number_input(key="p_lr").set_value(0.5)
    at.number_input(key="p_n").set_value(0).run()
    refused("n_samples", "2")
    at.number_input(key="p_n").set_value(80)
    at.number_input(key="p_noise").set_value(1.5).run()
    refused("noise", "0", "1", "1.5")
    at.number_input(key="p_noise").set_value(0.2).run()
    assert_no_exception(at)
    # nothing the user chose was lost on the way
    assert at.selectbox(key="p_data").value == "moons"
    assert at.number_input(key="p_lr").value == 0.5
    assert at.number_input(key="p_n").value == 80
    # the run itself is back: a never-converges verdict, no settings error
    assert len(at.error) == 1 and "learning rate" not in at.error[0].value
    assert replay_frame(at)[0] > 0
    # the other sections kept working throughout
    assert neuron_summary([1.0, 1.0], -1.5, "sigmoid").describe() in texts(at)


def layer_note(at) -> str | None:
    notes = [m.value for m in at.markdown if "[−2, 2]²" in m.value]
    return notes[0] if notes else None


def edit_layer(app_page, edited=None, added=(), deleted=()):
    at = app_page(PAGE)
    at.session_state["l_table"] = {
        "edited_rows": edited or {},
        "added_rows": list(added),
        "deleted_rows": list(deleted),
    }
    return at.run()


def test_layer_table_errors_keep_the_page_usable(app_page):
    row = {"w1": 1.0, "w2": 0.5, "b": -0.25}
    for bad in (
        {"edited": {1: {"b": None}}},  # an empty cell
        {"deleted": [0, 1, 2]},  # no neuron
        {"added": [row] * 4},  # 7 neurons
    ):
        at = edit_layer(app_page, **bad)
        assert_no_exception(at)
        assert len(at.error) == 1 and layer_note(at) is None, bad
        assert replay_frame(at)[0] > 0  # the other tabs still work
    # three added rows make six neurons: all of them drawn and counted
    at = edit_layer(app_page, added=[row] * 3)
    assert_no_exception(at)
    assert not at.error and "6" in layer_note(at)
    # a neuron with w = (0, 0) draws no line, and the page names it
    at = edit_layer(app_page, edited={0: {"w1": 0.0, "w2": 0.0}})
    assert_no_exception(at)
    assert layer_note(at) is not None
    assert [c.value for c in at.caption if c.value.startswith("h1:")]


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
    assert len(at.error) == 1 and not at.success
    assert "XOR" in texts(at)
    at.selectbox(key="p_data").set_value("or").run()
    _, _, model = default_run("or", output="sign")
    assert model.converged_
    (ok,) = at.success
    assert f"after {model.n_updates_} updates" in ok.value
