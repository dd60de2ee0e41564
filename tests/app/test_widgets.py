"""AppTest: the generic widgets of nnkit.ui.widgets (frame player, share link, code snippet)
on a tiny page."""

from __future__ import annotations

import html
import time
from urllib.parse import parse_qsl, urlsplit

from streamlit.testing.v1 import AppTest

from nnkit.ui.widgets import FRAME_SECONDS
from tests.app.conftest import assert_no_exception


def player_page() -> None:
    import streamlit as st

    from nnkit.ui.widgets import play_from_start, player

    last = int(st.session_state.get("last_frame", 20))
    buttons = bool(st.session_state.get("with_buttons", True))
    st.button("from the start", key="restart", on_click=play_from_start, args=("pl", last))
    player("pl", last, lambda k: st.markdown(f"frame {k}"), "Frame", step_buttons=buttons)


def link_page() -> None:
    import streamlit as st

    from nnkit.ui.widgets import Setting, share_link

    st.slider("a", 0.0, 1.0, 0.5, key="a")
    st.number_input("n", 0, 100, 10, key="n")
    st.multiselect("m", ["x", "y", "z"], default=["x"], key="m")
    share_link([Setting("a", 0.5), Setting("n", 10), Setting("m", ["x"], str.upper)], "page")


def frame(at: AppTest) -> int:
    return int(at.markdown[-1].value.split()[-1])


def test_player_starts_on_the_last_frame_and_steps_back_and_forth():
    at = AppTest.from_function(player_page).run()
    assert_no_exception(at)
    assert at.slider(key="pl_step").value == 20 and frame(at) == 20
    assert at.button(key="pl_forward").disabled  # nothing after the last frame
    at.button(key="pl_back").click().run()
    at.button(key="pl_back").click().run()
    assert at.slider(key="pl_step").value == 18 and frame(at) == 18
    at.button(key="pl_forward").click().run()
    assert frame(at) == 19 and at.session_state["pl_playing"] is False
    at.slider(key="pl_step").set_value(0).run()
    assert frame(at) == 0 and at.button(key="pl_back").disabled


def test_play_restarts_from_the_first_frame_and_a_new_result_shows_its_end():
    at = AppTest.from_function(player_page).run()
    at.button(key="pl_play").click().run()  # at the last frame: Play starts again from 0
    assert_no_exception(at)
    assert at.session_state["pl_playing"] is True
    assert 1 <= frame(at) < 20
    shown = frame(at)
    time.sleep(2 * FRAME_SECONDS)  # frames follow the clock: the next tick is later
    at.run()
    assert frame(at) > shown
    at.button(key="pl_play").click().run()  # Pause
    assert at.session_state["pl_playing"] is False
    paused = frame(at)
    at.run()
    assert frame(at) == paused
    at.session_state["last_frame"] = 7  # a new result: its last frame, paused
    at.run()
    assert frame(at) == 7 and at.session_state["pl_playing"] is False


def test_play_from_start_from_a_callback_and_buttons_are_optional():
    at = AppTest.from_function(player_page).run()
    at.button(key="restart").click().run()
    assert at.session_state["pl_playing"] is True and 0 < frame(at) < 20
    plain = AppTest.from_function(player_page)
    plain.session_state["with_buttons"] = False
    plain.run()
    assert_no_exception(plain)
    assert {b.key for b in plain.button} == {"restart", "pl_play"}


def test_share_link_carries_exactly_the_changed_settings():
    at = AppTest.from_function(link_page).run()
    assert_no_exception(at)
    assert not at.code  # the popover is closed: no link box drawn
    at.session_state["share"] = True  # opened, as a click does
    at.run()
    assert at.code[-1].value == "page"  # all defaults: no query
    at.slider(key="a").set_value(0.25).run()
    at.multiselect(key="m").set_value(["x", "z"]).run()
    link = at.code[-1].value
    assert urlsplit(link).path == "page"
    assert parse_qsl(urlsplit(link).query) == [("a", "0.25"), ("m", "X"), ("m", "Z")]
    at.slider(key="a").set_value(0.5).run()  # back to its default: dropped from the link
    at.number_input(key="n").set_value(12).run()
    assert parse_qsl(urlsplit(at.code[-1].value).query) == [("n", "12"), ("m", "X"), ("m", "Z")]


def training_page() -> None:
    import numpy as np
    import streamlit as st
    import torch

    from nnkit.training import TrainingJob, supervised_trainer
    from nnkit.ui.live_training import live_training

    epochs = int(st.session_state.get("epochs", 3))

    def make_job() -> TrainingJob:
        X = np.linspace(-1, 1, 64)[:, None]
        model = torch.nn.Sequential(torch.nn.Linear(1, 8), torch.nn.Tanh(), torch.nn.Linear(8, 1))
        return TrainingJob(
            supervised_trainer(model, X, X**2, epochs=epochs, batch_size=64), epochs=epochs
        )

    job = live_training("t", make_job, config=epochs)
    st.markdown(f"result shown: {job is not None and not job.running}")


def test_a_short_run_is_shown_finished_by_start_itself_a_long_one_live():
    at = AppTest.from_function(training_page, default_timeout=60).run()
    at.button(key="t_start").click().run()  # 3 epochs of 64 points: milliseconds
    assert_no_exception(at)
    assert at.markdown[-1].value == "result shown: True"
    assert any(m.value.startswith("Finished") for m in at.markdown)

    at.session_state["epochs"] = 10**6
    at.run()  # the Start button's callback is bound to the settings of the last run
    at.button(key="t_start").click().run()
    assert at.markdown[-1].value == "result shown: False"  # still training: the live view
    at.session_state["_live_t_job"].stop()
    assert at.session_state["_live_t_job"].join(30)


SNIPPET = "if a < b and c > 0:\n    s = '</pre><script>alert(1)</script>' & x  # <b>not bold</b>"


def snippet_page() -> None:
    import streamlit as st

    from nnkit.ui.widgets import code_snippet
    from tests.app.test_widgets import SNIPPET

    code_snippet(SNIPPET)
    _, right = st.columns(2)
    code_snippet("y = 2", right)


def test_code_snippet_shows_the_code_exactly_and_never_as_html():
    at = AppTest.from_function(snippet_page).run()
    assert_no_exception(at)
    first, second = (h.proto.body for h in at.get("html"))
    # one <pre><code> block whose text, once the browser decodes it, is the code itself
    assert first.startswith('<pre class="nnkit-snippet"><code>') and first.endswith("</code></pre>")
    inner = first.removeprefix('<pre class="nnkit-snippet"><code>').removesuffix("</code></pre>")
    assert html.unescape(inner) == SNIPPET
    assert "<" not in inner and ">" not in inner  # no tag of the code's reaches the page
    # drawn where asked: the second snippet in the right-hand column
    columns = at.main.children[1].children
    assert len(columns[0].children) == 0 and len(columns[1].children) == 1
    assert "y = 2" in second
