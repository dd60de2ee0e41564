"""Run a "Reproduce in Python" script as a user would, and read its printed figures.

Each script runs once, as ``python script.py`` in a temporary working directory (files
it reads are copied there first): forked from a server that has imported the heavy
third-party libraries once (``tests/script_runner.py``), so each run starts as a fresh
interpreter would after those imports, with nnkit and the script's own state new. A
notebook is executed by nbclient in a Jupyter kernel forked from the same server.
Off Linux, or with ``fresh=True``, both run in a new interpreter (Jupyter's own
kernel); ``tests/unit/test_reproduce.py`` checks that a script prints the same there.
The readers pull numbers out of the printed lines.
"""

from __future__ import annotations

import atexit
import json
import math
import os
import re
import shutil
import subprocess
import sys
import threading
from pathlib import Path

from nnkit.reproduce import Script

ROOT = Path(__file__).resolve().parents[1]
NUMBER = r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?|[-+]?inf|nan|NaN"
TIMEOUT = 600
# What the script runner imports once (nothing of nnkit): every script pays 3-4 s of CPU
# for these in a fresh interpreter. torch._dynamo is what torch imports on the first
# optimizer a process builds (2 s on its own).
PRELOAD = ("torch", "torch._dynamo", "torch.optim", "scipy", "sklearn", "pandas", "altair", "sympy")
# Forking a process that has imported torch is safe on Linux; macOS and Windows start a
# fresh interpreter (and Jupyter's own kernel) for every run.
FORK = sys.platform == "linux"


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


# Set in the test process by pytest for every test, and by libraries as they load
# (scikit-learn, torch's inductor: in a script's own process too); no reason to restart.
_NOT_SETTINGS = {
    "PYTEST_CURRENT_TEST",
    "KMP_DUPLICATE_LIB_OK",
    "KMP_INIT_AT_FORK",
    "TORCHINDUCTOR_CACHE_DIR",
}


def _settings(env: dict[str, str]) -> dict[str, str]:
    """The environment a script could read, as a test set it."""
    return {k: v for k, v in env.items() if k not in _NOT_SETTINGS}


class _Runner:
    """This test process's script runner (``tests/script_runner.py``), started on first use."""

    def __init__(self) -> None:
        self._proc: subprocess.Popen[str] | None = None
        self._env: dict[str, str] = {}
        self._lock = threading.Lock()
        atexit.register(self.close)

    def _ask(self, job: dict[str, object]) -> int:
        with self._lock:
            env = _env()
            if _settings(env) != _settings(self._env):  # as a test set it, as before
                self.close()
            proc = self._proc
            if proc is None or proc.poll() is not None:
                runner = Path(__file__).with_name("script_runner.py")
                proc = self._proc = subprocess.Popen(
                    [sys.executable, str(runner), *PRELOAD],
                    stdin=subprocess.PIPE,
                    stdout=subprocess.PIPE,
                    env=env,
                    text=True,
                )
                self._env = env
            assert proc.stdin is not None and proc.stdout is not None
            proc.stdin.write(json.dumps(job) + "\n")
            proc.stdin.flush()
            answer = proc.stdout.readline()
        assert answer, f"the script runner stopped (exit code {proc.poll()})"
        return int(answer)

    def run(self, path: Path, out: Path, err: Path) -> int:
        """Run ``path`` (in its own directory) as ``__main__``; its exit code."""
        return self._ask(
            {"path": str(path), "cwd": str(path.parent), "stdout": str(out), "stderr": str(err)}
        )

    def kernel(self, connection_file: str, cwd: Path, out: Path, err: Path) -> int:
        """Start a Jupyter kernel on ``connection_file``; its process id."""
        return self._ask(
            {"kernel": connection_file, "cwd": str(cwd), "stdout": str(out), "stderr": str(err)}
        )

    def kill(self, pid: int) -> int:
        """End the kernel ``pid``; its exit code."""
        return self._ask({"kill": pid})

    def close(self) -> None:
        proc, self._proc = self._proc, None
        if proc is not None and proc.poll() is None:
            proc.kill()
            proc.wait()


_RUNNER = _Runner()


def _fresh_interpreter(path: Path, out: Path, err: Path) -> int:
    """Run ``path`` in its own directory with ``python script.py``; its exit code."""
    with out.open("wb") as stdout, err.open("wb") as stderr:
        return subprocess.run(
            [sys.executable, path.name],
            cwd=path.parent,
            env=_env(),
            stdin=subprocess.DEVNULL,
            stdout=stdout,
            stderr=stderr,
            timeout=TIMEOUT,
        ).returncode


def run_script(
    script: Script,
    tmp_path: Path,
    files: dict[str, Path | bytes] | None = None,
    *,
    fresh: bool = False,
) -> str:
    """Run ``script.code`` as ``python script.py`` would; return what it printed.

    Forked from the script runner where that is safe (Linux), in a fresh interpreter
    elsewhere or with ``fresh=True``. Fails with the script's traceback if it raises,
    and if it draws a chart that it does not save.
    """
    work = _workdir(tmp_path, files)
    path = work / f"{script.name}.py"
    path.write_text(script.code, encoding="utf-8")
    out, err = tmp_path / f"{script.name}.stdout", tmp_path / f"{script.name}.stderr"
    code = (_fresh_interpreter if fresh or not FORK else _RUNNER.run)(path, out, err)
    stderr = err.read_text(encoding="utf-8", errors="replace")
    assert code == 0, f"{script.name}.py failed:\n{script.code}\n{stderr[-3000:]}"
    if script.chart:
        saved = list(work.glob("*.html"))
        assert saved and all(p.stat().st_size > 1000 for p in saved), "the chart was not saved"
    return out.read_text(encoding="utf-8")


def _execute_in_a_forked_kernel(nb, work: Path, tmp_path: Path) -> None:
    """Execute ``nb`` with nbclient in a kernel forked from the script runner."""
    from jupyter_client import AsyncKernelManager
    from nbclient import NotebookClient

    pid = 0

    class Forked(AsyncKernelManager):
        """The runner's kernel: started before nbclient sees it, alive while its process is."""

        @property
        def has_kernel(self) -> bool:
            return True

        async def _async_is_alive(self) -> bool:
            try:
                state = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()[0]
            except OSError:
                return False
            return state not in ("Z", "X")

    # Unix sockets, not TCP ports: a free port picked for the connection file could be
    # taken by another process (a test's server, the browser) before the kernel binds it
    # ("Address already in use", seen once in CI: the kernel died before replying).
    km = Forked(transport="ipc", ip=str(tmp_path / "kernel"))
    km.write_connection_file()
    pid = _RUNNER.kernel(
        km.connection_file, work, tmp_path / "kernel.stdout", tmp_path / "kernel.stderr"
    )
    client = NotebookClient(nb, km=km, timeout=TIMEOUT, resources={"metadata": {"path": str(work)}})
    try:
        client.execute()
    finally:
        if client.kc is not None:
            client.kc.stop_channels()
        _RUNNER.kill(pid)
        km.cleanup_connection_file()


def run_notebook(
    script: Script,
    tmp_path: Path,
    files: dict[str, Path | bytes] | None = None,
    *,
    fresh: bool = False,
) -> str:
    """Execute ``script.notebook()`` with nbclient; return its printed text.

    The kernel is forked from the script runner where that is safe (Linux); elsewhere
    or with ``fresh=True`` it is Jupyter's own ``python3`` kernel in a new process.
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
    if FORK and not fresh:
        _execute_in_a_forked_kernel(nb, work, tmp_path)
    else:
        old = os.environ.get("PYTHONPATH")
        os.environ["PYTHONPATH"] = _env()["PYTHONPATH"]
        try:
            NotebookClient(
                nb,
                timeout=TIMEOUT,
                kernel_name="python3",
                resources={"metadata": {"path": str(work)}},
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
