"""Real-browser harness: `streamlit run app.py` on a free 127.0.0.1 port, driven by
Debian's Chromium (/usr/bin/chromium) through Playwright's Python package."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("NNKIT_CHROMIUM", "/usr/bin/chromium")
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


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_streamlit(port: int, env: dict[str, str] | None = None) -> subprocess.Popen:
    """Launch ``streamlit run app.py`` headless on 127.0.0.1:port (returns at once)."""
    cmd = [
        sys.executable, "-m", "streamlit", "run", "app.py",
        "--server.headless", "true",
        "--server.address", "127.0.0.1",
        "--server.port", str(port),
        "--browser.gatherUsageStats", "false",
        "--server.fileWatcherType", "none",
    ]
    return subprocess.Popen(
        cmd, cwd=ROOT, env={**os.environ, **(env or {})},
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
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


@pytest.fixture(scope="session")
def server_url() -> Iterator[str]:
    """Base URL of a Streamlit server running this repository's app.py."""
    port = free_port()
    proc = start_streamlit(port)
    try:
        wait_healthy(port, proc)
        yield f"http://127.0.0.1:{port}"
    finally:
        stop(proc)


@pytest.fixture(scope="session")
def browser():
    """One headless Chromium for the whole session."""
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} not found: apt-get install -y chromium (see README)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser):
    """A fresh browser context (its own Streamlit session) and page; collects console errors."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    p = context.new_page()
    p.console_errors = []
    p.on("console", lambda m: p.console_errors.append(m.text) if m.type == "error" else None)
    p.on("pageerror", lambda e: p.console_errors.append(str(e)))
    yield p
    context.close()


@pytest.fixture(scope="session")
def screenshot_dir() -> Path:
    """Folder for screenshots (``NNKIT_SCREENSHOTS`` or a fresh temp folder)."""
    d = Path(os.environ.get("NNKIT_SCREENSHOTS") or tempfile.mkdtemp(prefix="nnkit-e2e-"))
    if d.exists() and os.environ.get("NNKIT_SCREENSHOTS") is None:
        shutil.rmtree(d, ignore_errors=True)
    d.mkdir(parents=True, exist_ok=True)
    print(f"\nscreenshots go to {d}")
    return d


def wait_for_script(p, timeout_ms: float = 120_000) -> None:
    """Wait until the Streamlit script has finished its current run."""
    p.wait_for_selector('[data-testid="stApp"]', timeout=timeout_ms)
    # The state flips to "running" shortly after load; give it a moment, then wait.
    p.wait_for_timeout(300)
    p.wait_for_selector(SCRIPT_DONE, timeout=timeout_ms)


def page_url(base: str, path: str) -> str:
    """URL of a page script (Streamlit infers the URL path from the file name)."""
    stem = Path(path).stem
    return base + "/" if stem == "home" else f"{base}/{stem}"
