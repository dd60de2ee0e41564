"""Run a "Reproduce in Python" script as a user would, and read its printed figures.

Each script runs once, in a fresh interpreter whose working directory is a temporary
directory (files it reads are copied there first); a notebook is executed by nbclient
in a fresh kernel. The readers pull numbers out of the printed lines.
"""

from __future__ import annotations

import math
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

from nnkit.reproduce import Script

ROOT = Path(__file__).resolve().parents[1]
NUMBER = r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?|[-+]?inf|nan|NaN"
TIMEOUT = 600


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    env.pop("NNKIT_TORCH_THREADS", None)  # a user's interpreter: the library's own defaults
    return env


def _workdir(tmp_path: Path, files: dict[str, Path | bytes] | None) -> Path:
    work = tmp_path / "user"
    work.mkdir(parents=True, exist_ok=True)
    for name, content in (files or {}).items():
        dest = work / name
        dest.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            dest.write_bytes(content)
        else:
            shutil.copy(content, dest)
    return work


def run_script(script: Script, tmp_path: Path, files: dict[str, Path | bytes] | None = None) -> str:
    """Run ``script.code`` in a fresh interpreter; return what it printed.

    Fails with the script's traceback if it raises, and if it draws a chart that it
    does not save.
    """
    work = _workdir(tmp_path, files)
    path = work / f"{script.name}.py"
    path.write_text(script.code, encoding="utf-8")
    proc = subprocess.run(
        [sys.executable, path.name],
        cwd=work,
        env=_env(),
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
    )
    assert proc.returncode == 0, f"{script.name}.py failed:\n{script.code}\n{proc.stderr[-3000:]}"
    if script.chart:
        saved = list(work.glob("*.html"))
        assert saved and all(p.stat().st_size > 1000 for p in saved), "the chart was not saved"
    return proc.stdout


def run_notebook(
    script: Script, tmp_path: Path, files: dict[str, Path | bytes] | None = None
) -> str:
    """Execute ``script.notebook()`` with nbclient; return its printed text.

    Checks the notebook's shape on the way: a markdown cell with the explanation,
    the script's code cell, and (for a script with a chart) a cell that displays it.
    """
    import nbformat
    from nbclient import NotebookClient

    nb = nbformat.reads(script.notebook(), as_version=4)
    nbformat.validate(nb)
    kinds = ["markdown", "code"] + (["code"] if script.chart else [])
    assert [c.cell_type for c in nb.cells] == kinds
    assert nb.cells[0].source == script.explanation
    assert nb.cells[1].source == script.code.rstrip("\n")
    work = _workdir(tmp_path, files)
    old = os.environ.get("PYTHONPATH")
    os.environ["PYTHONPATH"] = _env()["PYTHONPATH"]
    try:
        NotebookClient(
            nb, timeout=TIMEOUT, kernel_name="python3", resources={"metadata": {"path": str(work)}}
        ).execute()
    finally:
        if old is None:
            os.environ.pop("PYTHONPATH", None)
        else:
            os.environ["PYTHONPATH"] = old
    outputs = [o for cell in nb.cells[1:] for o in cell.outputs]
    assert not [o for o in outputs if o.output_type == "error"], outputs
    if script.chart:
        shown = [
            o for o in nb.cells[2].outputs if o.output_type in ("execute_result", "display_data")
        ]
        # Altair's default renderer: an HTML block that draws the Vega-Lite spec inline
        html = [str(o.get("data", {}).get("text/html", "")) for o in shown]
        assert any("vegaEmbed" in h or "vega-lite" in h for h in html), (
            "the chart is not displayed in the notebook"
        )
    return "".join(o.text for o in outputs if o.output_type == "stream" and o.name == "stdout")


def line(out: str, start: str) -> str:
    """The first printed line that starts with ``start`` (stripped)."""
    for text in out.splitlines():
        if text.strip().startswith(start):
            return text.strip()
    raise AssertionError(f"no line starting with {start!r} in:\n{out}")


def numbers(text: str) -> list[float]:
    """Every number in ``text``, in order."""
    return [float(m) for m in re.findall(NUMBER, text)]


def shows(text: str, exact: float) -> bool:
    """Whether some number printed in ``text`` is ``exact`` to the digits printed."""
    for token in re.findall(NUMBER, text):
        printed = float(token)
        if not math.isfinite(exact) or not math.isfinite(printed):
            if (math.isnan(exact) and math.isnan(printed)) or printed == exact:
                return True
            continue
        mantissa, _, exponent = token.lower().partition("e")
        decimals = len(mantissa.partition(".")[2])
        unit = 10.0 ** (int(exponent or 0) - decimals)
        if abs(printed - exact) <= 0.5 * unit * (1 + 1e-9) + 1e-300:
            return True
    return False


def value(out: str, label: str, index: int = 0) -> float:
    """The ``index``-th number after ``label`` on the line that starts with it."""
    rest = line(out, label)[len(label) :]
    return numbers(rest)[index]


def check_readable(script: Script, max_lines: int = 45) -> None:
    """Short, no private names, no unused or unsorted imports, no undefined names."""
    code = script.code
    compile(code, f"{script.name}.py", "exec")
    assert len(code.splitlines()) <= max_lines, f"{len(code.splitlines())} lines:\n{code}"
    assert not re.search(r"\._[A-Za-z]|import _|nnkit\._", code), f"a private name:\n{code}"
    ruff = shutil.which("ruff")
    if ruff is None:
        return
    proc = subprocess.run(
        [
            ruff, "check", "--isolated", "--line-length", "100", "--select", "F,E9,I", "--stdin-filename",
            f"{script.name}.py", "--config", "lint.isort.known-first-party=['nnkit']", "-",
        ],
        input=code,
        capture_output=True,
        text=True,
    )  # fmt: skip
    assert proc.returncode == 0, f"{proc.stdout}\n{code}"
