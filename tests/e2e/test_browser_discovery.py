"""Which browser the browser tests use, and what happens without one (issue 21).

Everything here is monkeypatched: no browser is started, so these run on any machine
(they carry no ``e2e`` mark).
"""

from __future__ import annotations

import os
import subprocess
import sys
from types import SimpleNamespace

import pytest
from playwright.sync_api import Error

import tests.e2e.browser as browser_mod
from tests.conftest import browser_summary
from tests.e2e.browser import NO_BROWSER, BrowserNotFound, in_ci, launch_browser
from tests.e2e.conftest import ROOT, missing_browser


class FakeChromium:
    """``pw.chromium`` with a chosen set of installed browsers; records each launch."""

    def __init__(self, managed_path: str = "/nowhere/chrome", shell: bool = False, channels=()):
        self.executable_path = managed_path
        self.shell = shell
        self.channels = set(channels)
        self.launches: list[dict] = []

    def launch(self, executable_path=None, channel=None, **options):
        self.launches.append({"executable_path": executable_path, "channel": channel, **options})
        if channel is not None and channel not in self.channels:
            raise Error(
                f"BrowserType.launch: Chromium distribution '{channel}' is not found at /opt/{channel}"
            )
        if executable_path is None and channel is None and not self.shell:
            raise Error(
                "BrowserType.launch: Executable doesn't exist at /cache/ms-playwright/shell"
            )
        return SimpleNamespace(path=executable_path, channel=channel)


def binary(tmp_path, name: str) -> str:
    path = tmp_path / name
    path.write_text("#!/bin/sh\n")
    path.chmod(0o755)
    return str(path)


@pytest.fixture
def no_system_chromium(monkeypatch, tmp_path):
    monkeypatch.setattr(browser_mod, "SYSTEM_CHROMIUM", str(tmp_path / "absent" / "chromium"))


def test_nnkit_chromium_comes_first(tmp_path, monkeypatch):
    monkeypatch.setattr(browser_mod, "SYSTEM_CHROMIUM", binary(tmp_path, "debian-chromium"))
    mine = binary(tmp_path, "my-chrome")
    fake = FakeChromium(shell=True, channels={"chrome"})
    b, choice = launch_browser(
        SimpleNamespace(chromium=fake), {"NNKIT_CHROMIUM": mine}, headless=True
    )
    assert b.path == mine and choice.executable_path == mine
    assert fake.launches == [{"executable_path": mine, "channel": None, "headless": True}]


def test_a_wrong_nnkit_chromium_is_reported_not_replaced(tmp_path, monkeypatch):
    monkeypatch.setattr(browser_mod, "SYSTEM_CHROMIUM", binary(tmp_path, "debian-chromium"))
    fake = FakeChromium(shell=True)
    missing = str(tmp_path / "typo")
    with pytest.raises(BrowserNotFound) as e:
        launch_browser(SimpleNamespace(chromium=fake), {"NNKIT_CHROMIUM": missing})
    assert missing in str(e.value) and str(e.value).startswith(NO_BROWSER)
    assert fake.launches == []


def test_debian_chromium_before_playwright_and_channels(tmp_path, monkeypatch):
    system = binary(tmp_path, "chromium")
    monkeypatch.setattr(browser_mod, "SYSTEM_CHROMIUM", system)
    fake = FakeChromium(shell=True, channels={"chrome", "msedge"})
    b, _ = launch_browser(SimpleNamespace(chromium=fake), {})
    assert b.path == system and len(fake.launches) == 1


def test_playwright_chromium_when_there_is_no_system_one(no_system_chromium, tmp_path):
    fake = FakeChromium(shell=True, channels={"chrome"})
    b, choice = launch_browser(SimpleNamespace(chromium=fake), {})
    assert (b.path, b.channel) == (None, None) and "Playwright" in choice.source

    # only the full Chromium of `playwright install chromium`, no headless shell
    full = binary(tmp_path, "chrome")
    fake = FakeChromium(managed_path=full, channels={"chrome"})
    b, choice = launch_browser(SimpleNamespace(chromium=fake), {})
    assert b.path == full and "Playwright" in choice.source


@pytest.mark.parametrize(
    ("installed", "expected"), [({"chrome", "msedge"}, "chrome"), ({"msedge"}, "msedge")]
)
def test_chrome_then_edge_through_playwright_channels(no_system_chromium, installed, expected):
    fake = FakeChromium(channels=installed)
    b, choice = launch_browser(SimpleNamespace(chromium=fake), {})
    assert b.channel == expected == choice.channel


def test_nothing_found_says_where_it_looked_and_how_to_get_one(no_system_chromium):
    fake = FakeChromium()
    with pytest.raises(BrowserNotFound) as e:
        launch_browser(SimpleNamespace(chromium=fake), {})
    text = str(e.value)
    assert "\n" not in text and text.startswith(NO_BROWSER)
    for where in ("chromium", "Playwright", "Chrome", "Edge"):
        assert where in text
    assert "playwright install chromium" in text and "NNKIT_CHROMIUM" in text


def test_a_browser_that_is_there_but_crashes_is_not_hidden(no_system_chromium):
    class Crashing(FakeChromium):
        def launch(self, executable_path=None, channel=None, **options):
            raise Error("BrowserType.launch: Target page, context or browser has been closed")

    with pytest.raises(Error):
        launch_browser(SimpleNamespace(chromium=Crashing(shell=True)), {})


@pytest.mark.parametrize(
    ("env", "ci"),
    [
        ({}, False),
        ({"CI": ""}, False),
        ({"CI": "false"}, False),
        ({"CI": "0"}, False),
        ({"CI": "true"}, True),
        ({"CI": "1"}, True),
        ({"CI": "True"}, True),
    ],
)
def test_skip_outside_ci_fail_under_ci(env, ci):
    assert in_ci(env) is ci
    with pytest.raises(pytest.fail.Exception if ci else pytest.skip.Exception) as e:
        missing_browser(f"{NO_BROWSER}: reason", env)
    assert f"{NO_BROWSER}: reason" in str(e.value)


def test_summary_line_counts_the_browser_skips_only():
    reason = f"{NO_BROWSER}: looked for x; install y"
    ours = SimpleNamespace(longrepr=("tests/e2e/t.py", 3, f"Skipped: {reason}"))
    other = SimpleNamespace(longrepr=("tests/app/t.py", 9, "Skipped: page has no uploader"))
    assert browser_summary({"skipped": [ours, ours, other]}) == f"2 browser tests skipped, {reason}"
    assert browser_summary({"skipped": [other]}) is None
    assert browser_summary({}) is None
    failed = SimpleNamespace(longrepr=object(), longreprtext=f"Failed: {reason}")
    assert browser_summary({"error": [failed]}) == f"1 browser tests failed, {reason}"


def test_the_command_passes_without_a_browser_and_fails_under_ci():
    """The README's test command on a machine without a browser, as a subprocess."""
    cmd = [
        sys.executable,
        "-m",
        "pytest",
        "-q",
        "-n0",
        "-p",
        "no:cacheprovider",
        # one browser test, from a file that imports only the course list (half the CPU
        # of a file that imports scikit-learn: 1 s against 2 s a run)
        "tests/e2e/test_every_page.py::test_home_links_open_every_page",
    ]
    env = {**os.environ, "NNKIT_CHROMIUM": str(ROOT / "no-such-browser")}
    env.pop("CI", None)
    out = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stdout + out.stderr
    last = out.stdout.strip().splitlines()[-2:]
    assert (
        last[0].startswith("1 browser tests skipped, no browser found")
        and "no-such-browser" in last[0]
    )
    assert "1 skipped" in last[1]

    out = subprocess.run(
        cmd, cwd=ROOT, env={**env, "CI": "true"}, capture_output=True, text=True, timeout=300
    )
    assert out.returncode == 1, out.stdout + out.stderr
    assert any(
        line.startswith("1 browser tests failed, no browser found")
        for line in out.stdout.splitlines()
    )
