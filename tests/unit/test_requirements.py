"""The two dependency files (requirements.txt for local/CI, Pipfile for Community Cloud)
pin the same packages at the same versions, and torch comes from the CPU index on Cloud."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _requirements() -> dict[str, str]:
    pins = {}
    for line in (ROOT / "requirements.txt").read_text().splitlines():
        line = line.split("#")[0].strip()
        if not line or line.startswith("-"):
            continue
        m = re.fullmatch(r"([A-Za-z0-9_.\-]+)==([^\s;]+)", line)
        assert m, f"requirements.txt: {line!r} is not pinned with =="
        pins[m[1].lower()] = m[2]
    return pins


def test_requirements_pin_every_runtime_dependency():
    pins = _requirements()
    for name in ("torch", "streamlit", "numpy", "pandas", "altair", "scikit-learn", "sympy"):
        assert name in pins
    # No extra index locally: an unreachable index would make pip retry for every package.
    assert "index-url" not in (ROOT / "requirements.txt").read_text()


def test_pipfile_matches_requirements_and_takes_cpu_torch():
    pipfile = tomllib.loads((ROOT / "Pipfile").read_text())
    packages = {}
    for name, spec in pipfile["packages"].items():
        version = spec["version"] if isinstance(spec, dict) else spec
        packages[name.lower()] = version.removeprefix("==")
    assert packages == _requirements()
    cpu = [s["name"] for s in pipfile["source"] if s["url"].endswith("/whl/cpu")]
    assert pipfile["packages"]["torch"]["index"] in cpu
