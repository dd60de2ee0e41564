"""A minimal Streamlit client that speaks the app's websocket protocol like a browser tab.

Used by ``bench_live`` (and usable from a test) to measure what a visitor gets from a
live page without a browser's own CPU on this machine: it opens a session, asks for a
page, presses a button by its label, answers every ``auto_rerun`` request of a
``st.fragment(run_every=...)`` with the fragment rerun a browser would send, and
records each script run's text.

Widget values are the page's defaults (the client sends no values, as a browser does for
widgets the user never touched).
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field


@dataclass
class Run:
    """One finished script run as the client saw it."""

    fragment: bool
    finished_at: float
    texts: list[str] = field(default_factory=list)
    status: int = 0  # ForwardMsg.ScriptFinishedStatus: 0 full run done, 3 fragment run done


@dataclass
class Session:
    """What the client knows of its session: the page, its buttons, its runs."""

    page_script_hash: str = ""
    buttons: dict[str, str] = field(default_factory=dict)  # label -> widget id
    runs: list[Run] = field(default_factory=list)
    fragments: dict[str, float] = field(default_factory=dict)  # id -> interval (s)
    exceptions: list[str] = field(default_factory=list)


class LiveClient:
    """One browser-like session on ``base`` (``http://127.0.0.1:port``)."""

    def __init__(self, base: str):
        self.url = base.replace("http://", "ws://") + "/_stcore/stream"
        self.s = Session()
        self._ws = None
        self._current: Run | None = None
        self._timers: dict[str, asyncio.Task] = {}
        self._reader: asyncio.Task | None = None

    async def __aenter__(self) -> LiveClient:
        import websockets

        self._ws = await websockets.connect(self.url, subprotocols=["streamlit"], max_size=None)
        self._reader = asyncio.create_task(self._read())
        return self

    async def __aexit__(self, *exc) -> None:
        for t in self._timers.values():
            t.cancel()
        if self._reader is not None:
            self._reader.cancel()
        await self._ws.close()

    # ------------------------------------------------------------------ sending
    async def _send_rerun(self, *, page_name: str = "", widgets=(), fragment_id: str = "") -> None:
        from streamlit.proto.BackMsg_pb2 import BackMsg

        msg = BackMsg()
        rs = msg.rerun_script
        rs.query_string = ""
        rs.page_script_hash = self.s.page_script_hash
        rs.page_name = page_name
        if fragment_id:
            rs.fragment_id = fragment_id
            rs.is_auto_rerun = True
        for wid, trigger in widgets:
            w = rs.widget_states.widgets.add()
            w.id = wid
            w.trigger_value = trigger
        await self._ws.send(msg.SerializeToString())

    async def open(self, page_name: str, timeout: float = 300.0) -> Run:
        """Ask for a page (its URL path) and wait until a full run of it has finished."""
        seen = len(self.s.runs)
        await self._send_rerun(page_name=page_name)
        run = await self.wait_until(lambda r: r.status == 0 and not r.fragment, timeout, since=seen)
        if run is None:
            raise TimeoutError(f"{page_name} did not finish a run within {timeout} s")
        return run

    async def click(self, label: str) -> None:
        """Press the button labelled ``label`` (as rendered by the last full run)."""
        wid = self.s.buttons[label]
        await self._send_rerun(widgets=[(wid, True)])

    async def wait_until(self, predicate, timeout: float, since: int | None = None) -> Run | None:
        """Wait until a finished run satisfies ``predicate(run)``; that run, or None."""
        deadline = time.monotonic() + timeout
        seen = len(self.s.runs) if since is None else since
        while time.monotonic() < deadline:
            while seen < len(self.s.runs):
                run = self.s.runs[seen]
                seen += 1
                if predicate(run):
                    return run
            await asyncio.sleep(0.01)
        return None

    # ------------------------------------------------------------------ receiving
    async def _auto_rerun(self, fragment_id: str, interval: float) -> None:
        while True:
            await asyncio.sleep(interval)
            await self._send_rerun(fragment_id=fragment_id)

    def _cancel_timers(self, fragment_ids=None) -> None:
        for fid in list(self._timers) if fragment_ids is None else fragment_ids:
            t = self._timers.pop(fid, None)
            if t is not None:
                t.cancel()
            self.s.fragments.pop(fid, None)

    async def _read(self) -> None:
        from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

        while True:
            raw = await self._ws.recv()
            fm = ForwardMsg()
            fm.ParseFromString(raw)
            kind = fm.WhichOneof("type")
            if kind == "new_session":  # a script run starts (app.py's hash until navigation)
                if not self.s.page_script_hash:
                    self.s.page_script_hash = fm.new_session.page_script_hash
                self._current = Run(fragment=False, finished_at=0.0)
                if not fm.metadata.run.fragment_ids:
                    # a full run: the browser cancels every auto-rerun timer, and the
                    # run re-registers those of the fragments it draws
                    self._cancel_timers()
                    self.s.buttons = {}
            elif kind == "navigation":  # st.navigation says which page this run shows
                self.s.page_script_hash = fm.navigation.page_script_hash
            elif kind == "delta":
                if self._current is None:  # deltas without a new session: a fragment run
                    self._current = Run(fragment=True, finished_at=0.0)
                self._element(fm.delta)
            elif kind == "auto_rerun":
                fid, every = fm.auto_rerun.fragment_id, fm.auto_rerun.interval
                if fid not in self._timers:
                    self._timers[fid] = asyncio.create_task(self._auto_rerun(fid, every))
                    self.s.fragments[fid] = every
            elif kind == "stop_auto_rerun":
                self._cancel_timers(fm.stop_auto_rerun.fragment_ids)
            elif kind == "script_finished":
                run = self._current or Run(fragment=True, finished_at=0.0)
                run.finished_at = time.perf_counter()
                run.status = int(fm.script_finished)
                run.fragment = (
                    run.status == 3
                )  # Streamlit starts fragment runs with a new_session too
                self.s.runs.append(run)
                self._current = None

    def _element(self, delta) -> None:
        if delta.WhichOneof("type") != "new_element":
            return
        el = delta.new_element
        kind = el.WhichOneof("type")
        if kind == "button":
            self.s.buttons[el.button.label] = el.button.id
        elif kind == "markdown":
            self._current.texts.append(el.markdown.body)
        elif kind == "alert":
            self._current.texts.append(el.alert.body)
        elif kind == "exception":
            self.s.exceptions.append(f"{el.exception.type}: {el.exception.message}")
