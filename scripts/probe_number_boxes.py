"""Set each number box of every page alone to an extreme value: list tracebacks and slow runs.

    python scripts/probe_number_boxes.py                      # every page (about 10 minutes)
    python scripts/probe_number_boxes.py pages/pinn.py        # one page

The hostile-input tests (``tests/app/test_hostile_inputs.py``) set every number box of a
page at once, so that the boxes meet each other's extremes; but then the first box's
message can hide what another box does alone. This probe opens each variant of each page
the tests know (a choice that reveals new inputs, e.g. another PINN problem), sets one
number box at a time to each of :data:`VALUES` in AppTest, and prints every run that
raised or took longer than :data:`SLOW` seconds. It found T = 1e300 hanging the PINN
page's reference solver, and three tracebacks (Derivatives at x0 = 5e-324, the PINN
oscillator with m = 1e-300 or μ = 1e308), each now a test. Training is capped at 0.5 s
(``NNKIT_MAX_TRAIN_SECONDS``) unless set. Exit status 1 when it printed a finding.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("NNKIT_MAX_TRAIN_SECONDS", "0.5")  # before nnkit.ui.policy reads it

from streamlit.testing.v1 import AppTest  # noqa: E402

from tests.app import test_hostile_inputs as hostile  # noqa: E402

VALUES = (1e308, -1e308, 5e-324, 1e-300, 1e300, 0.0, -1.0)
"""What each box is set to, one at a time (integer boxes get the nearest safe integer)."""
SLOW = 5.0
"""Seconds after which a run is reported as slow (AppTest gives up after 30)."""


def _page(path: str) -> AppTest:
    return AppTest.from_file(str(ROOT / path), default_timeout=30)


def _as_int(value: float) -> int:
    limit = 2**53 - 1
    return int(max(min(value, limit), -limit)) if abs(value) >= 1 else int(value)


def probe(path: str) -> list[str]:
    """The findings on one page: ``"[variant] box=value: what happened"``."""
    found = []
    for label, at, _, new in hostile.variants(_page, path):
        boxes = {k: w for k, w in hostile.inputs(at, ("number_input",)).items() if k in new}
        for wid, box in boxes.items():
            is_int = box.proto.data_type == hostile.NumberInputProto.INT
            for value in VALUES:
                one = hostile.variants_reload(_page, path, label)
                w = hostile.find(one, "number_input", wid)
                if w is None or w.disabled:
                    continue
                t0 = time.perf_counter()
                try:
                    w.set_value(_as_int(value) if is_int else value)
                    one.run()
                    what = hostile.exception_text(one) if one.exception else ""
                except Exception as exc:  # AppTest's timeout: the run did not end
                    what = f"{type(exc).__name__}: {exc}"
                seconds = time.perf_counter() - t0
                if what or seconds > SLOW:
                    found.append(f"[{label}] {wid}={value!r}: {seconds:.1f} s {what[:300]}")
                    print(f"{path} {found[-1]}", flush=True)
    return found


def main(argv: list[str]) -> int:
    from streamlit import config

    config.set_option("client.showErrorDetails", "full")  # the traceback, in this process only
    paths = argv or hostile.PAGES
    findings = [f for path in paths for f in probe(path)]
    print(f"{len(findings)} finding(s) on {len(paths)} page(s)")
    return 1 if findings else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
