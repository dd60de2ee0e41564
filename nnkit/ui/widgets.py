"""Generic widgets any page can use: a frame player, a link to the current settings, a snippet.

:func:`player` animates a result over its frames (epochs, optimizer steps ...) with a
Play/Pause button and a frame slider (optionally Back/Step buttons); only the player's
fragment reruns while it plays, so the rest of the page stays still.
:func:`play_from_start` starts it from frame 0 from a callback (a "load this example"
button). :func:`share_link` shows the page's URL with every setting that differs from
its default, so a visitor can share exactly the picture on screen; it reads the widget
values from ``st.session_state`` by the widgets' keys (use ``bind="query-params"`` on
those widgets so that the link restores them). The link sits in a "Share" popover drawn
only while it is open: its copyable code box loads the browser's syntax highlighter,
0.2–0.3 s of a page's first render. :func:`code_snippet` shows a few lines of code a
page explains, as plain preformatted text, for the same reason.
"""

from __future__ import annotations

import html
import math
import time
from collections.abc import Callable, Mapping, Sequence
from typing import Any, NamedTuple
from urllib.parse import urlencode

import streamlit as st

__all__ = [
    "FRAMES",
    "FRAME_SECONDS",
    "Setting",
    "code_snippet",
    "play_from_start",
    "player",
    "query_string",
    "query_value",
    "share_link",
]

#: Seconds between two frames of an animation.
FRAME_SECONDS = 0.3
#: About this many frames from the first to the last (long runs skip frames).
FRAMES = 40


def _keys(key: str) -> dict[str, str]:
    names = ("step", "playing", "last", "clock", "shown", "play", "back", "forward")
    return {name: f"{key}_{name}" for name in names}


def play_from_start(key: str, last: int) -> None:
    """Make the player ``key`` play from frame 0 on the next run (e.g. in a callback).

    Parameters
    ----------
    key : str
        The player's key (see :func:`player`).
    last : int
        Last frame of the result it will show.
    """
    k = _keys(key)
    st.session_state[k["step"]] = 0
    st.session_state.pop(k["clock"], None)
    st.session_state[k["last"]] = int(last)
    st.session_state[k["playing"]] = True


def player(
    key: str,
    last: int,
    draw: Callable[[int], None],
    label: str = "Step",
    *,
    frames: int = FRAMES,
    frame_seconds: float = FRAME_SECONDS,
    step_buttons: bool = False,
) -> None:
    """Play/Pause button and frame slider over frames ``0..last``; ``draw(k)`` shows frame k.

    A new result (a different ``last``) or a first visit shows the last frame, paused.
    Play from the last frame restarts at 0. While playing, frames follow the clock
    (a slow machine skips frames rather than crawling) and only this fragment reruns;
    at the last frame the player stops and the whole page reruns once.

    Parameters
    ----------
    key : str
        Prefix of the session-state keys (``{key}_step`` is the slider's key, so a
        test or a callback can read or set the current frame).
    last : int
        Last frame (0 disables the controls).
    draw : callable
        ``draw(k)`` renders frame ``k`` (charts, captions) inside the fragment.
    label : str, default "Step"
        The slider's label (what a frame is: "Epoch", "Step").
    frames : int, default 40
        About this many frames are shown from 0 to ``last``.
    frame_seconds : float, default 0.3
        Time between frames.
    step_buttons : bool, default False
        Also show Back and Step buttons that move one frame and pause.
    """
    k = _keys(key)
    if st.session_state.get(k["last"]) != last or k["step"] not in st.session_state:
        # a new run (or first visit): show its end result, stop any animation
        st.session_state[k["step"]] = last
        st.session_state[k["last"]] = last
        st.session_state[k["playing"]] = False
    playing = bool(st.session_state.get(k["playing"], False))
    stride = max(1, last // max(1, frames))

    def toggle() -> None:
        now = not st.session_state.get(k["playing"], False)
        st.session_state[k["playing"]] = now
        st.session_state.pop(k["clock"], None)
        if now and st.session_state.get(k["step"], last) >= last:
            st.session_state[k["step"]] = 0

    def move(by: int) -> None:
        st.session_state[k["playing"]] = False
        st.session_state.pop(k["clock"], None)
        st.session_state[k["step"]] = min(max(int(st.session_state[k["step"]]) + by, 0), last)

    @st.fragment(run_every=frame_seconds if playing else None)
    def frame() -> None:
        now = bool(st.session_state.get(k["playing"], False))
        if now != playing:  # Play/Pause was clicked: a full rerun (re)sets the timer
            st.rerun()
        if now:
            t = time.monotonic()
            clock = st.session_state.get(k["clock"])
            if clock is None or st.session_state[k["step"]] != st.session_state.get(k["shown"]):
                clock = (t - frame_seconds, st.session_state[k["step"]])  # (re)start here
                st.session_state[k["clock"]] = clock
            ticks = max(1, math.ceil((t - clock[0]) / frame_seconds))
            step = min(clock[1] + ticks * stride, last)
            st.session_state[k["step"]] = step
            if step >= last:
                st.session_state[k["playing"]] = False
                st.session_state[k["shown"]] = step
                st.rerun()  # full rerun: drop the timer, show the Play button again
        st.session_state[k["shown"]] = st.session_state[k["step"]]
        if step_buttons:
            c1, c_back, c_step, c2 = st.columns([1, 1, 1, 4], vertical_alignment="bottom")
            c_back.button(
                "Back",
                icon=":material/skip_previous:",
                key=k["back"],
                on_click=move,
                args=(-1,),
                disabled=last == 0 or st.session_state[k["step"]] <= 0,
                width="stretch",
            )
            c_step.button(
                "Step",
                icon=":material/skip_next:",
                key=k["forward"],
                on_click=move,
                args=(1,),
                disabled=last == 0 or st.session_state[k["step"]] >= last,
                width="stretch",
            )
        else:
            c1, c2 = st.columns([1, 5], vertical_alignment="bottom")
        c1.button(
            "Pause" if now else "Play",
            icon=":material/pause:" if now else ":material/play_arrow:",
            type="secondary" if now else "primary",  # Play is the picture's main action
            key=k["play"],
            on_click=toggle,
            disabled=last == 0,
            width="stretch",
        )
        c2.slider(label, 0, max(last, 1), key=k["step"], disabled=last == 0)
        draw(int(st.session_state[k["step"]]))

    frame()


def query_value(value: Any) -> str:
    """A setting as it appears in a URL: floats in ``%g`` (0.01, 1e-05), the rest as text.

    Parameters
    ----------
    value : Any
        A widget's value.

    Returns
    -------
    str
    """
    return f"{value:g}" if isinstance(value, float) else str(value)


class Setting(NamedTuple):
    """One widget whose value goes into the share link.

    Attributes
    ----------
    key : str
        The widget's key (and its query parameter).
    default : Any
        Its default: a value equal to it is left out of the link.
    fmt : callable
        How a value (or each item of a list value) is written in the URL, as the
        widget's ``bind="query-params"`` reads it back (a selectbox shows its
        ``format_func`` text, a number its ``%g``).
    """

    key: str
    default: Any
    fmt: Callable[[Any], str] = query_value


def query_string(
    settings: Sequence[tuple[str, Any, Callable[[Any], str]]], values: Mapping[Any, Any]
) -> str:
    """The URL query of every setting whose value differs from its default.

    Parameters
    ----------
    settings : sequence of Setting or (key, default, fmt)
        The widgets, in the order of the query.
    values : mapping
        Current values by key (``st.session_state``); a missing key counts as its
        default.

    Returns
    -------
    str
        ``key=value&...`` (URL-encoded; a list value repeats its key), or ``""``.
    """
    params: list[tuple[str, str]] = []
    for key, default, fmt in settings:
        value = values.get(key, default)
        if value == default:
            continue
        if isinstance(value, list | tuple):
            params += [(key, fmt(v)) for v in value]
        else:
            params.append((key, fmt(value)))
    return urlencode(params)


def share_link(
    settings: Sequence[tuple[str, Any, Callable[[Any], str]]],
    fallback: str = "",
    caption: str = "Link to exactly this picture (settings that differ from the defaults):",
    key: str = "share",
) -> str:
    """A "Share" popover with the page's URL and every non-default setting, in a copyable box.

    The box is drawn only while the popover is open (``st.session_state[key]`` is
    ``True``): it loads the browser's syntax highlighter, which a page's first render
    should not pay for.

    Parameters
    ----------
    settings : sequence of Setting or (key, default, fmt)
        The widgets whose values the link carries.
    fallback : str, default ""
        The page's address when the browser's URL is unknown (in tests).
    caption : str
        Shown above the link.
    key : str, default "share"
        The popover's key (unique on the page).

    Returns
    -------
    str
        The link (also while the popover is closed).
    """
    query = query_string(settings, st.session_state)
    base = st.context.url or fallback
    link = base + ("?" + query if query else "")
    box = st.popover("Share this picture", icon=":material/link:", key=key, on_change="rerun")
    if box.open:
        with box:
            st.caption(caption)
            st.code(link, language=None, wrap_lines=True)
    return link


def code_snippet(code: str, where: Any = None) -> None:
    """Show a few lines of code as preformatted text, without the syntax highlighter.

    ``st.code`` (and a fenced block in Markdown) loads the browser's syntax highlighter
    on its first use in a tab, whatever the code's length: 0.35–0.45 s more for a page's
    first render (measured in Chromium, 2026-12-07, against the same page without it).
    A short snippet the page explains reads as well in one colour; long, copyable
    scripts keep ``st.code`` (the "Reproduce in Python" panel, drawn only when opened).
    The look (``.nnkit-snippet``) is in ``code_colors.css``, which app.py loads.

    Parameters
    ----------
    code : str
        The code; shown exactly (escaped, never interpreted as HTML).
    where : container, optional
        Where to draw it (a column, say); default the page's current place.
    """
    target = st if where is None else where
    target.html(f'<pre class="nnkit-snippet"><code>{html.escape(code)}</code></pre>')
