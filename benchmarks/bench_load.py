"""Load test: a class at once on one server (issue 11).

``python -m benchmarks load`` (or ``python benchmarks/bench_load.py``) starts
``streamlit run app.py`` on a free 127.0.0.1 port and drives Debian's Chromium
(``/usr/bin/chromium``) with Playwright: one browser process, one context (one
Streamlit session) per visitor.

1. idle: a newcomer opens the home page on an idle server (median of 3);
2. 1 session walks the course: every page of ``nnkit.ui.course`` through the sidebar
   (same session throughout), pressing the page's Start/Train button once where it has
   one and watching the live view for a few seconds; on the Derivatives page it types a
   marker formula unique to the session;
3. 10 sessions do the same walk at the same time; once 10 training runs have started
   (as many as there are sessions), a newcomer opens the home page;
4. printed rows: p50/p95 page render time (navigation click → script finished) with 10
   sessions beside 1 session, server peak RSS (sum over the server's process tree,
   sampled every 0.2 s from /proc) with 10 beside 1, the newcomer's render time while the
   10 train beside idle (in a browser, and server side only: Streamlit's websocket
   protocol spoken directly, so the 11 browsers' CPU on this machine does not count;
   probed once a second for as long as the 10 sessions walk: p50 and p95),
   exceptions seen, cross-talk (a session's page ever showing
   another session's marker), and how many runs were still waiting for a training slot
   (the server trains at most ``NNKIT_MAX_CONCURRENT_JOBS`` at once) when the watch ended.

Bounded: every wait has a timeout, the whole run has a deadline (``NNKIT_LOAD_DEADLINE``,
default 1200 s), the server is stopped at the end. Loopback only. Set ``NNKIT_LOAD_SESSIONS``
to change the 10. On a shared machine the figures move with its load: note ``uptime``.
"""

from __future__ import annotations

import asyncio
import os
import statistics
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks import Row  # noqa: E402
from nnkit.ui.course import HOME, LECTURES  # noqa: E402
from nnkit.ui.policy import MAX_CONCURRENT_JOBS  # noqa: E402
from tests.e2e.browser import (  # noqa: E402
    CHROMIUM,
    CHROMIUM_ARGS,
    SCRIPT_DONE,
    free_port,
    page_url,
    start_streamlit,
    stop,
    wait_healthy,
)

SESSIONS = int(os.environ.get("NNKIT_LOAD_SESSIONS", "10"))
DEADLINE = float(os.environ.get("NNKIT_LOAD_DEADLINE", "1200"))
WATCH_SECONDS = float(
    os.environ.get("NNKIT_LOAD_WATCH", "8")
)  # live view watched per training page
NAV_TIMEOUT_MS = 240_000
PAGES = [p for lecture in LECTURES for p in lecture.pages]
MARKER_PAGE = "derivatives"
START_LABELS = ("Start", "Train")
QUEUED_TEXT = "Waiting for a free training slot"  # nnkit.ui.live_training.queue_text


# ----------------------------------------------------------------------------- memory


def _children(pid: int) -> list[int]:
    kids = []
    for d in Path("/proc").iterdir():
        if d.name.isdigit():
            try:
                stat = (d / "stat").read_text()
            except OSError:
                continue
            # ppid is the 4th field after the ")" that closes the command name
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                kids.append(int(d.name))
    return kids


def tree_rss_bytes(pid: int) -> int:
    """Resident memory of ``pid`` and all its descendants (bytes)."""
    total, todo, page = 0, [pid], os.sysconf("SC_PAGE_SIZE")
    while todo:
        p = todo.pop()
        try:
            total += int(Path(f"/proc/{p}/statm").read_text().split()[1]) * page
        except (OSError, IndexError, ValueError):
            continue
        todo += _children(p)
    return total


class RssSampler:
    """Peak RSS of a process tree, sampled every ``period`` seconds in a thread."""

    def __init__(self, pid: int, period: float = 0.2):
        self.pid, self.period = pid, period
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self):
        while not self._stop.is_set():
            self.peak = max(self.peak, tree_rss_bytes(self.pid))
            self._stop.wait(self.period)

    def reset(self) -> None:
        self.peak = tree_rss_bytes(self.pid)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join(5)


# ----------------------------------------------------------------------------- browser


@dataclass
class Visit:
    renders: list[float] = field(default_factory=list)
    exceptions: list[str] = field(default_factory=list)
    crosstalk: list[str] = field(default_factory=list)
    own_marker_seen: bool = False
    trained_pages: int = 0
    queued_pages: int = 0
    error: str = ""


async def wait_script(p, timeout_ms: float = NAV_TIMEOUT_MS) -> None:
    """The async twin of ``tests.e2e.browser.wait_for_script``."""
    await p.wait_for_selector('[data-testid="stApp"]', timeout=timeout_ms)
    await p.wait_for_timeout(300)
    await p.wait_for_selector(SCRIPT_DONE, timeout=timeout_ms)


async def exceptions_on(p) -> list[str]:
    return [await e.inner_text() for e in await p.query_selector_all('[data-testid="stException"]')]


def marker_of(i: int) -> str:
    # A valid formula whose constant is unique to session i (and unlikely anywhere else).
    return f"sin(x) + 0.{7310 + i}3*x"


async def check_crosstalk(p, me: int, n: int, visit: Visit, where: str) -> None:
    html = await p.content()
    for j in range(n):
        if j != me and marker_of(j).split("+ ")[1] in html:
            visit.crosstalk.append(f"session {me} saw session {j}'s marker on {where}")


async def walk(
    browser,
    base: str,
    me: int,
    n: int,
    started: asyncio.Event | None,
    counter: dict,
    deadline: float,
) -> Visit:
    visit = Visit()
    ctx = await browser.new_context(viewport={"width": 1400, "height": 1000})
    p = await ctx.new_page()
    p.on("pageerror", lambda e: visit.exceptions.append(f"pageerror: {e}"))
    try:
        t0 = time.perf_counter()
        await p.goto(page_url(base, HOME.path), timeout=NAV_TIMEOUT_MS)
        await wait_script(p)
        visit.renders.append(time.perf_counter() - t0)
        for info in PAGES:
            if time.monotonic() > deadline:
                visit.error = "deadline reached"
                break
            stem = Path(info.path).stem
            link = p.locator(f'[data-testid="stSidebarNav"] a[href$="/{stem}"]').first
            t0 = time.perf_counter()
            await link.click(timeout=NAV_TIMEOUT_MS)
            await p.wait_for_url(f"**/{stem}", timeout=NAV_TIMEOUT_MS)
            await wait_script(p)
            visit.renders.append(time.perf_counter() - t0)
            visit.exceptions += [f"{stem}: {e[:200]}" for e in await exceptions_on(p)]
            if stem == MARKER_PAGE:
                box = p.locator('[data-testid="stTextInput"] input').first
                await box.fill(marker_of(me))
                await box.press("Enter")
                await wait_script(p)
                visit.own_marker_seen = marker_of(me).split("+ ")[1] in await p.content()
            main = p.locator('[data-testid="stMain"]')
            for label in START_LABELS:
                button = main.get_by_role("button", name=label, exact=True)
                if await button.count():
                    await button.first.click(timeout=NAV_TIMEOUT_MS)
                    visit.trained_pages += 1
                    counter["training"] += 1
                    if started is not None and counter["training"] >= n:
                        started.set()
                    await p.wait_for_timeout(WATCH_SECONDS * 1000)  # the live view refreshes
                    if QUEUED_TEXT in await main.inner_text():
                        visit.queued_pages += 1  # all training slots were taken
                    visit.exceptions += [
                        f"{stem} (training): {e[:200]}" for e in await exceptions_on(p)
                    ]
                    break
            await check_crosstalk(p, me, n, visit, stem)
    except Exception as exc:  # recorded, the other sessions go on
        visit.error = f"{type(exc).__name__}: {str(exc).splitlines()[0][:200]}"
    finally:
        await ctx.close()
    return visit


async def newcomer(browser, base: str) -> float:
    ctx = await browser.new_context(viewport={"width": 1400, "height": 1000})
    p = await ctx.new_page()
    try:
        t0 = time.perf_counter()
        await p.goto(page_url(base, HOME.path), timeout=NAV_TIMEOUT_MS)
        await wait_script(p)
        return time.perf_counter() - t0
    finally:
        await ctx.close()


async def server_newcomer(base: str) -> float:
    """The server's side of a newcomer: seconds from opening a session to the home page's
    script finished, spoken in Streamlit's own websocket protocol (no browser, so the
    clients' CPU on this machine does not count)."""
    import websockets
    from streamlit.proto.BackMsg_pb2 import BackMsg
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

    url = base.replace("http://", "ws://") + "/_stcore/stream"
    t0 = time.perf_counter()
    async with websockets.connect(url, subprotocols=["streamlit"], max_size=None) as ws:
        msg = BackMsg()
        msg.rerun_script.query_string = ""
        msg.rerun_script.page_script_hash = ""  # the app's default page: home
        await ws.send(msg.SerializeToString())
        while True:
            fm = ForwardMsg()
            fm.ParseFromString(await asyncio.wait_for(ws.recv(), NAV_TIMEOUT_MS / 1000))
            if fm.WhichOneof("type") == "script_finished":
                return time.perf_counter() - t0


async def scenario(base: str, sampler: RssSampler) -> dict:
    from playwright.async_api import async_playwright

    out: dict = {}
    deadline = time.monotonic() + DEADLINE
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        try:
            await newcomer(browser, base)  # warm-up: first imports, caches
            out["idle_newcomer"] = statistics.median(
                [await newcomer(browser, base) for _ in range(3)]
            )
            out["idle_server"] = statistics.median([await server_newcomer(base) for _ in range(5)])

            sampler.reset()
            one = await walk(browser, base, 0, 1, None, {"training": 0}, deadline)
            out["one"] = one
            out["rss_one"] = sampler.peak
            await asyncio.sleep(20)  # let the single session's abandoned runs stop (heartbeat)

            sampler.reset()
            started = asyncio.Event()
            counter = {"training": 0}
            walks = [
                asyncio.create_task(walk(browser, base, i, SESSIONS, started, counter, deadline))
                for i in range(SESSIONS)
            ]
            probes: list[float] = []

            async def probe_while_training() -> None:
                await started.wait()
                while not all(w.done() for w in walks):
                    probes.append(await server_newcomer(base))
                    await asyncio.sleep(1.0)

            prober = asyncio.create_task(probe_while_training())
            out["busy_server"] = probes
            try:
                await asyncio.wait_for(
                    started.wait(), timeout=max(1.0, deadline - time.monotonic())
                )
                out["busy_newcomer"] = await newcomer(browser, base)
                out["training_when_newcomer"] = counter["training"]
            except TimeoutError:
                out["busy_newcomer"] = float("nan")
            out["many"] = await asyncio.gather(*walks)
            await prober
            out["rss_many"] = sampler.peak
        finally:
            await browser.close()
    return out


def _pct(xs: list[float], q: float) -> float:
    if not xs:
        return float("nan")
    xs = sorted(xs)
    k = (len(xs) - 1) * q
    lo, hi = int(k), min(int(k) + 1, len(xs) - 1)
    return xs[lo] + (xs[hi] - xs[lo]) * (k - lo)


def run() -> list[Row]:
    if not Path(CHROMIUM).exists():
        raise RuntimeError(f"{CHROMIUM} not found: apt-get install -y chromium")
    load_before = os.getloadavg()[0]
    port = free_port()
    proc = start_streamlit(port)
    try:
        wait_healthy(port, proc, timeout=120)
        with RssSampler(proc.pid) as sampler:
            res = asyncio.run(scenario(f"http://127.0.0.1:{port}", sampler))
    finally:
        stop(proc)
    load_after = os.getloadavg()[0]
    one, many = res["one"], res["many"]
    r1 = one.renders
    rn = [t for v in many for t in v.renders]
    exc = len(one.exceptions) + sum(len(v.exceptions) for v in many)
    errors = [v.error for v in [one, *many] if v.error]
    cross = [c for v in many for c in v.crosstalk]
    seen = sum(v.own_marker_seen for v in many)
    note = f"load avg {load_before:.1f} → {load_after:.1f} on {os.cpu_count()} CPUs"
    mb = 1 / 2**20
    rows = [
        Row(
            "page render p50, 10 sessions vs 1",
            _pct(rn, 0.5),
            _pct(r1, 0.5),
            "s",
            "1 session",
            note=f"{len(rn)} vs {len(r1)} page renders; {note}",
        ),
        Row("page render p95, 10 sessions vs 1", _pct(rn, 0.95), _pct(r1, 0.95), "s", "1 session"),
        Row(
            "server peak RSS, 10 sessions vs 1",
            res["rss_many"] * mb,
            res["rss_one"] * mb,
            "MB",
            "1 session",
            goal="≤ 1536 MB with 10",
        ),
        Row(
            "newcomer home render while 10 train vs idle",
            res["busy_newcomer"],
            res["idle_newcomer"],
            "s",
            "idle server",
            note=f"{res.get('training_when_newcomer', 0)} runs started when it came; "
            "its browser shares the 2 CPUs with the 10 others",
        ),
        Row(
            "newcomer home, server side (websocket client), p50 while 10 train vs idle",
            _pct(res["busy_server"], 0.5),
            res["idle_server"],
            "s",
            "idle server",
            note=f"{len(res['busy_server'])} probes, one per second once 10 runs started "
            "(idle: median of 5); no browser",
        ),
        Row(
            "newcomer home, server side, p95 while 10 train vs idle",
            _pct(res["busy_server"], 0.95),
            res["idle_server"],
            "s",
            "idle server",
        ),
        Row(
            "exceptions seen (all sessions)",
            exc,
            None,
            "count",
            goal="0",
            note="; ".join((one.exceptions + [e for v in many for e in v.exceptions])[:3]),
        ),
        Row(
            "cross-talk (another session's marker seen)",
            len(cross),
            None,
            "count",
            goal="0",
            note=f"own marker seen by {seen}/{len(many)} sessions",
        ),
        Row(
            "sessions that did not finish the walk",
            len(errors),
            None,
            "count",
            goal="0",
            note="; ".join(errors[:3]),
        ),
        Row(
            "training runs started",
            sum(v.trained_pages for v in many),
            one.trained_pages,
            "runs",
            "1 session",
            note=f"max {MAX_CONCURRENT_JOBS} train at once (NNKIT_MAX_CONCURRENT_JOBS)",
        ),
        Row(
            "runs still queued after the watch",
            sum(v.queued_pages for v in many),
            one.queued_pages,
            "runs",
            "1 session",
            note=f"waiting for a slot {WATCH_SECONDS:g} s after Start",
        ),
    ]
    return rows


if __name__ == "__main__":
    from benchmarks.__main__ import main

    raise SystemExit(main(["load"]))
