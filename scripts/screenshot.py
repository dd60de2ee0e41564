"""Screenshot pages of the app in a real headless Chromium.

    python scripts/screenshot.py                      # home page -> docs/home.png
    python scripts/screenshot.py derivatives -o /tmp  # /tmp/derivatives.png

Starts ``streamlit run app.py`` on a free 127.0.0.1 port, opens each page (by its
URL path, i.e. the page file's name; "home" is the course map), waits until the
script has finished and the page has settled, makes the window as tall as the page
(Streamlit scrolls inside the window) and saves a PNG of it. The README's screenshot
is made with this script.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.e2e.browser import (  # noqa: E402
    CHROMIUM,
    CHROMIUM_ARGS,
    free_port,
    page_url,
    settle,
    start_streamlit,
    stop,
    wait_for_script,
    wait_healthy,
    whole_page,
)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("pages", nargs="*", default=["home"], help="page names (file stems)")
    parser.add_argument("-o", "--out", default=str(ROOT / "docs"), help="output folder")
    parser.add_argument("--width", type=int, default=1400)
    parser.add_argument("--height", type=int, default=1000)
    parser.add_argument("--wait", type=float, default=1.0, help="extra seconds after the run")
    args = parser.parse_args()

    from playwright.sync_api import sync_playwright

    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    port = free_port()
    proc = start_streamlit(port)
    try:
        wait_healthy(port, proc)
        base = f"http://127.0.0.1:{port}"
        with sync_playwright() as pw:
            browser = pw.chromium.launch(
                executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
            )
            for name in args.pages:
                page = browser.new_page(viewport={"width": args.width, "height": args.height})
                page.goto(page_url(base, f"pages/{name}.py"))
                wait_for_script(page, new_page=True)
                settle(page)  # fonts loaded, every chart drawn, nothing fading in
                page.wait_for_timeout(int(args.wait * 1000))
                whole_page(page)  # Streamlit scrolls inside the window: make it the page
                target = out / f"{name}.png"
                page.screenshot(path=str(target), full_page=True)
                print(target)
                page.close()
            browser.close()
    finally:
        stop(proc)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
