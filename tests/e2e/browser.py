"""Helpers to run the app and drive Debian's Chromium: used by the e2e tests,
``scripts/screenshot.py`` and the benchmarks (no pytest in here)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

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


def start_streamlit(
    port: int, env: dict[str, str] | None = None, script: str = "app.py", cwd: Path = ROOT
) -> subprocess.Popen:
    """Launch ``streamlit run <script>`` headless on 127.0.0.1:port (returns at once)."""
    cmd = [
        sys.executable, "-m", "streamlit", "run", script,
        "--server.headless", "true",
        "--server.address", "127.0.0.1",
        "--server.port", str(port),
        "--browser.gatherUsageStats", "false",
        "--server.fileWatcherType", "none",
    ]
    return subprocess.Popen(
        cmd, cwd=cwd, env={**os.environ, **(env or {})},
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


def wait_for_script(p, timeout_ms: float = 120_000) -> None:
    """Wait until the Streamlit script in Playwright page ``p`` has finished its run."""
    p.wait_for_selector('[data-testid="stApp"]', timeout=timeout_ms)
    # The state flips to "running" shortly after load; give it a moment, then wait.
    p.wait_for_timeout(300)
    p.wait_for_selector(SCRIPT_DONE, timeout=timeout_ms)


def page_url(base: str, path: str) -> str:
    """URL of a page script (Streamlit infers the URL path from the file name)."""
    stem = Path(path).stem
    return base + "/" if stem == "home" else f"{base}/{stem}"
