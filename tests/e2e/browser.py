"""Helpers to run the app and find and drive a Chromium-family browser: used by the e2e
tests, ``scripts/screenshot.py`` and the benchmarks (no pytest in here)."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SYSTEM_CHROMIUM = "/usr/bin/chromium"  # Debian / Ubuntu: apt-get install -y chromium
# The path the scripts and benchmarks launch (they run on the development box).
CHROMIUM = os.environ.get("NNKIT_CHROMIUM", SYSTEM_CHROMIUM)
# Installed browsers Playwright can drive by channel name, in the order they are tried.
CHANNELS = (("chrome", "Google Chrome"), ("msedge", "Microsoft Edge"))
NO_BROWSER = "no browser found"
INSTALL_HINT = (
    "to run them, install one: `apt-get install -y chromium` (Debian/Ubuntu) or "
    "`python -m playwright install chromium` (any system), or set NNKIT_CHROMIUM to a "
    "Chromium or Chrome binary"
)
# Flags this sandbox needs: no background network chatter, no GPU, no sandbox as root.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
SCRIPT_DONE = '[data-testid="stApp"][data-test-script-state="notRunning"]'
TITLE = '[data-testid="stMain"] h1'
# A page's main action (a primary button such as Start, Train, Backward, Play) or its
# live result (a chart, a metric, a found formula, the course map's links): what its
# first screen must show (tests/e2e/test_first_screen.py).
MAIN_KINDS = (
    '[data-testid="stBaseButton-primary"]',
    '[data-testid="stVegaLiteChart"]',
    '[data-testid="stGraphVizChart"]',
    '[data-testid="stMetric"]',
    '[data-testid="stAlertContentSuccess"]',
    '[data-testid="stPageLink"]',
)
MAIN = ", ".join(f'[data-testid="stMain"] {s}' for s in MAIN_KINDS)
# The same, drawn by the page's current run (not a previous page's element still shown,
# greyed, until the new run replaces it).
FRESH_MAIN = ", ".join(
    f'[data-testid="stMain"] [data-testid="stElementContainer"][data-stale="false"] {s}'
    for s in MAIN_KINDS
)


class BrowserNotFound(RuntimeError):
    """No browser to run the browser tests with; the message says where we looked and
    how to get one (one line)."""


@dataclass(frozen=True)
class BrowserChoice:
    """Which browser :func:`launch_browser` started, and how."""

    source: str
    executable_path: str | None = None
    channel: str | None = None


def _executable(path: str) -> bool:
    p = Path(path)
    return p.is_file() and os.access(p, os.X_OK)


def _missing(error: Exception) -> bool:
    """Is this Playwright launch error "the browser is not installed" (not a crash)?"""
    text = str(error)
    return (
        "is not found" in text
        or "is not supported on" in text
        or "Executable doesn't exist" in text
    )


def launch_browser(
    pw, env: Mapping[str, str] | None = None, **launch_options
) -> tuple[object, BrowserChoice]:
    """Launch the first browser found, in this order, and say which one it is.

    1. ``NNKIT_CHROMIUM``, when set: that binary and nothing else (a wrong path is an
       error to fix, not a reason to quietly test with another browser);
    2. Debian's Chromium, ``/usr/bin/chromium``;
    3. Playwright's own Chromium (``python -m playwright install chromium``);
    4. an installed Google Chrome, then Microsoft Edge (Playwright's channels).

    ``pw`` is a started ``sync_playwright()``; ``launch_options`` go to
    ``pw.chromium.launch`` (``headless``, ``args``). Raises :class:`BrowserNotFound`
    when there is none; a browser that is there but fails to start raises
    Playwright's own error.
    """
    from playwright.sync_api import Error

    env = os.environ if env is None else env
    chromium = pw.chromium
    explicit = env.get("NNKIT_CHROMIUM", "").strip()
    if explicit:
        if not _executable(explicit):
            raise BrowserNotFound(
                f"{NO_BROWSER}: NNKIT_CHROMIUM={explicit} is not an executable file; "
                "point it at a Chromium or Chrome binary, or unset it to search the usual places"
            )
        choice = BrowserChoice("NNKIT_CHROMIUM", executable_path=explicit)
        return chromium.launch(executable_path=explicit, **launch_options), choice
    if _executable(SYSTEM_CHROMIUM):
        choice = BrowserChoice("Debian's chromium", executable_path=SYSTEM_CHROMIUM)
        return chromium.launch(executable_path=SYSTEM_CHROMIUM, **launch_options), choice
    tried = [f"{SYSTEM_CHROMIUM} (absent)"]

    # Playwright's managed Chromium: its default launch (the headless shell in headless
    # mode), else the full Chromium that `playwright install chromium` puts beside it.
    try:
        return chromium.launch(**launch_options), BrowserChoice("Playwright's Chromium")
    except Error as e:
        if not _missing(e):
            raise
    managed = chromium.executable_path
    if managed and _executable(managed):
        choice = BrowserChoice("Playwright's Chromium", executable_path=managed)
        return chromium.launch(executable_path=managed, **launch_options), choice
    tried.append("Playwright's Chromium (not installed)")

    for channel, name in CHANNELS:
        try:
            return chromium.launch(channel=channel, **launch_options), BrowserChoice(
                name, channel=channel
            )
        except Error as e:
            if not _missing(e):
                raise
        tried.append(f"{name} (not installed)")
    raise BrowserNotFound(f"{NO_BROWSER}: looked for {', '.join(tried)}; {INSTALL_HINT}")


def in_ci(env: Mapping[str, str] | None = None) -> bool:
    """Does the ``CI`` environment variable say this is a CI run (``CI=true``, ``1``, ...)?"""
    value = (os.environ if env is None else env).get("CI", "").strip().lower()
    return value not in ("", "0", "false", "no", "off")


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_streamlit(
    port: int,
    env: dict[str, str] | None = None,
    script: str = "app.py",
    cwd: Path = ROOT,
    options: Sequence[str] = (),
    quiet: bool = False,
) -> subprocess.Popen:
    """Launch ``streamlit run <script>`` headless on 127.0.0.1:port (returns at once).

    ``options`` are more ``--section.option value`` flags; ``quiet`` discards the
    server's output (a long benchmark would otherwise fill the unread pipe)."""
    cmd = [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        script,
        "--server.headless",
        "true",
        "--server.address",
        "127.0.0.1",
        "--server.port",
        str(port),
        "--browser.gatherUsageStats",
        "false",
        "--server.fileWatcherType",
        "none",
        *options,
    ]
    return subprocess.Popen(
        cmd,
        cwd=cwd,
        env={**os.environ, **(env or {})},
        stdout=subprocess.DEVNULL if quiet else subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def wait_healthy(port: int, proc: subprocess.Popen, timeout: float = 60.0) -> None:
    """Block until Streamlit's health endpoint answers ``ok``."""
    deadline = time.monotonic() + timeout
    url = f"http://127.0.0.1:{port}/_stcore/health"
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"streamlit exited early:\n{proc.stdout.read()}")
        try:
            with urllib.request.urlopen(url, timeout=2) as r:  # noqa: S310 (loopback only)
                if r.read().strip() == b"ok":
                    return
        except OSError:
            time.sleep(0.1)
    raise TimeoutError(f"streamlit not healthy on port {port} after {timeout} s")


def stop(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()


def wait_for_script(p, timeout_ms: float = 120_000, *, new_page: bool = False) -> None:
    """Wait until the Streamlit script in Playwright page ``p`` has finished its run.

    ``new_page=True`` after ``goto`` or after choosing a page in the sidebar: every page
    draws its title first, so once the (new) title is there its script has started, and
    "not running" means it has ended. Otherwise, when a title is already there, this is
    a rerun after a click: the state flips to "running" shortly after, so it gives it a
    moment (0.3 s) before waiting.
    """
    p.wait_for_selector('[data-testid="stApp"]', timeout=timeout_ms)
    if new_page or p.locator(TITLE).count() == 0:
        p.wait_for_selector(TITLE, timeout=timeout_ms)
    else:
        p.wait_for_timeout(300)
    p.wait_for_selector(SCRIPT_DONE, timeout=timeout_ms)


SETTLED = """(scriptDone) => {
    const app = document.querySelector('[data-testid="stApp"]');
    if (!app) return false;
    if (scriptDone && app.getAttribute('data-test-script-state') !== 'notRunning') return false;
    if (document.fonts.status !== 'loaded') return false;  // text widths change with them
    if (document.querySelector('[data-stale="true"]')) return false;  // faded, being redrawn
    // A placeholder: an element whose code (a chart's, loaded on first use) is not there yet.
    if ([...document.querySelectorAll('[data-testid="stSkeleton"]')]
        .some((e) => e.getBoundingClientRect().height > 0)) return false;
    const charts = [...document.querySelectorAll('[data-testid="stVegaLiteChart"]')]
        .filter((e) => e.getBoundingClientRect().width > 0);
    if (!charts.every((e) => e.querySelector('svg, canvas'))) return false;
    // Fade-ins and the stale fade are CSS transitions; a spinner's animation never ends.
    return document.getAnimations().every((a) => a.playState !== 'running'
        || a.effect.getComputedTiming().iterations === Infinity);
}"""


# SETTLED, and whether the document changed since it last settled (its DOM changes are
# counted from the first call on); ``mark`` records "settled now" when SETTLED holds.
_SETTLED_SINCE_JS = """([scriptDone, mark]) => {
    let c = window.__nnkitChanges;
    if (!c) {
        c = window.__nnkitChanges = {n: 0, settled: -1};
        new MutationObserver((records) => { c.n += records.length; }).observe(document,
            {subtree: true, childList: true, attributes: true, characterData: true});
    }
    const settled = (SETTLED)(scriptDone);
    if (settled && mark) c.settled = c.n;
    return {settled, unchanged: c.n === c.settled};
}""".replace("SETTLED", SETTLED)


def settle(p, timeout_ms: float = 30_000, quiet_ms: float = 150, script_done: bool = True) -> None:
    """Wait until what a person sees has stopped changing: the script has finished, the
    fonts have loaded, no element is faded as stale or still a placeholder (a chart's code
    loads on first use), every visible chart is drawn, and no fade-in (a finite CSS
    animation or transition) is running, all still true ``quiet_ms`` later. A page whose
    document has not changed since it last settled, and is still settled, returns at once.

    For checks that read rendered colours (axe's colour contrast): read during a fade,
    a grey caption is lighter than it will be. A live view reruns its fragment several
    times a second while it trains: ``script_done=False`` waits for a moment between two
    of its refreshes (nothing stale) instead of for the end of the training.
    """
    now = p.evaluate(_SETTLED_SINCE_JS, [script_done, False])
    if now["settled"] and now["unchanged"]:
        return
    deadline = time.monotonic() + timeout_ms / 1000
    while True:
        left_ms = max(deadline - time.monotonic(), 0.001) * 1000
        p.wait_for_function(SETTLED, arg=script_done, timeout=left_ms)
        p.wait_for_timeout(quiet_ms)  # a transition starts a frame after its cause
        if p.evaluate(_SETTLED_SINCE_JS, [script_done, True])["settled"]:
            return
        if time.monotonic() > deadline:
            raise TimeoutError(f"the page did not settle within {timeout_ms / 1000:g} s")


_HEIGHT_JS = """() => Math.max(...[...document.querySelectorAll(
    '[data-testid="stMain"], [data-testid="stMainBlockContainer"]')].map((e) => e.scrollHeight))"""


def whole_page(p) -> None:
    """Make the viewport as tall as the page (at most 16,000 px) and wait until it has
    settled. Streamlit scrolls its main area inside the window, so a "full page"
    screenshot or an axe run sees only the viewport: axe checks colour contrast only
    inside it, and a page's captions and code below its first screen count too."""
    height = min(int(p.evaluate(_HEIGHT_JS)) + 100, 16_000)
    if height > p.viewport_size["height"]:
        p.set_viewport_size({"width": p.viewport_size["width"], "height": height})
        settle(p)


MAX_GRID_LINES = 40
"""More grid lines than this on one axis is clutter (a log axis over eight decades with
a line at every 2…9 × 10ᵏ drew 73, nine of them labelled)."""


def chart_defects(p) -> list[str]:
    """What a person would read wrong or through clutter in the drawn charts: a label
    Vega cut short (it ends it with "…" past ``labelLimit``), a zero tick with an SI
    prefix ("0k": Vega gives every tick the prefix of the step), an axis with more
    than :data:`MAX_GRID_LINES` grid lines, and text past a chart's right edge (cut off:
    on a phone, a legend beside the plot)."""
    found = p.evaluate(
        """(most) => [...document.querySelectorAll('[data-testid="stVegaLiteChart"] svg')]
            .flatMap((svg) => [
                ...[...svg.querySelectorAll('text')].map((t) => t.textContent),
                ...[...svg.querySelectorAll('g.role-axis-grid')]
                    .map((g) => g.querySelectorAll('line, path').length)
                    .filter((n) => n > most).map((n) => `an axis with ${n} grid lines`),
                // text past the chart's right edge is cut off (a legend beside a phone's plot)
                ...[...svg.querySelectorAll('text')]
                    .filter((t) => t.getBoundingClientRect().right > svg.getBoundingClientRect().right + 1)
                    .map((t) => `a chart cut off at its right edge: ${t.textContent}`),
            ])""",
        MAX_GRID_LINES,
    )
    return [
        t
        for t in found
        if "…" in t
        or t.startswith(("an axis with ", "a chart "))
        or re.fullmatch(r"[−-]?0(\.0+)?[kMGTmµnp]", t.strip())
    ]


def cut_tables(p) -> list[str]:
    """Tables (``st.dataframe``) wider than their frame, their last columns cut at its
    right edge until scrolled to: a defect on a desktop (a phone scrolls wide tables)."""
    return p.evaluate(
        """() => [...document.querySelectorAll('[data-testid="stDataFrame"] .dvn-scroller')]
            .filter((s) => s.clientWidth > 0 && s.scrollWidth > s.clientWidth + 1)
            .map((s) => `a table ${s.scrollWidth} px wide in ${s.clientWidth} px`)"""
    )


def page_url(base: str, path: str) -> str:
    """URL of a page script (Streamlit infers the URL path from the file name)."""
    stem = Path(path).stem
    return base + "/" if stem == "home" else f"{base}/{stem}"
