"""Run "Reproduce in Python" scripts as ``python script.py`` would, without paying the
imports each time: a fork server for the tests (``tests/reproduce_support.py``).

Started once per test process as ``python tests/script_runner.py MODULE ...``, it imports
the named third-party modules (torch, pandas, scikit-learn, ...: 3-4 s of CPU per fresh
interpreter) and nothing of nnkit, then reads one JSON request per line from stdin
(``{"path": ..., "cwd": ..., "stdout": ..., "stderr": ...}``). For each it forks a child
that starts from that pristine state, as a fresh interpreter would after those imports:
it changes to ``cwd``, puts it first on ``sys.path``, sends stdin from /dev/null and
stdout and stderr to the two files, and runs the script as ``__main__`` in a new
namespace (``runpy.run_path``). nnkit, the script's own modules and everything the script
does start from scratch in every child, and nothing a child does reaches the next one.
The server answers each request with the child's exit code on a line of its own.

A request with ``"kernel": CONNECTION_FILE`` instead of ``"path"`` forks a Jupyter kernel
the same way (``python -m ipykernel_launcher -f CONNECTION_FILE`` after the same imports,
IPython and ipykernel imported in the child) and answers its process id at once; a
request ``{"kill": PID}`` ends that kernel and answers its exit code.
"""

from __future__ import annotations

import importlib
import json
import os
import runpy
import signal
import sys
import traceback


def _kernel(connection_file: str) -> None:
    """Serve a Jupyter kernel in this (forked) process until it is shut down or killed."""
    from ipykernel import kernelapp

    kernelapp.launch_new_instance(
        argv=["-f", connection_file, "--HistoryManager.hist_file=:memory:"]
    )


def _die_with_the_server() -> None:
    """Have Linux kill this child when the server ends (a kernel nobody killed)."""
    try:
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


def _child(job: dict[str, str]) -> int:
    """Run one script (or a kernel) in this (forked) process; its exit code."""
    try:
        _die_with_the_server()
        null = os.open(os.devnull, os.O_RDONLY)
        os.dup2(null, 0)
        for fd, name in ((1, "stdout"), (2, "stderr")):
            target = os.open(job[name], os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
            os.dup2(target, fd)
            os.close(target)
        os.chdir(job["cwd"])
        sys.path[0] = job["cwd"]
        if "kernel" in job:
            sys.argv = ["ipykernel_launcher"]
            _kernel(job["kernel"])
            return 0
        runpy.run_path(job["path"], run_name="__main__")  # sys.argv[0]: the path
    except SystemExit as stop:
        if stop.code is None or isinstance(stop.code, int):
            return stop.code or 0
        print(stop.code, file=sys.stderr)
        return 1
    except BaseException:
        traceback.print_exc()
        return 1
    return 0


def main(preload: list[str]) -> None:
    for name in preload:
        importlib.import_module(name)
    protocol = sys.stdout
    for request in sys.stdin:
        job = json.loads(request)
        if "kill" in job:
            os.kill(job["kill"], signal.SIGKILL)
            _, status = os.waitpid(job["kill"], 0)
            protocol.write(f"{os.waitstatus_to_exitcode(status)}\n")
            protocol.flush()
            continue
        protocol.flush()
        sys.stderr.flush()
        pid = os.fork()
        if pid == 0:
            code = 1
            try:
                code = _child(job)
            finally:
                sys.stdout.flush()
                sys.stderr.flush()
                os._exit(code)  # no atexit handlers or finalizers of the server's state
        if "kernel" in job:
            protocol.write(f"{pid}\n")
            protocol.flush()
            continue
        _, status = os.waitpid(pid, 0)
        protocol.write(f"{os.waitstatus_to_exitcode(status)}\n")
        protocol.flush()


if __name__ == "__main__":
    main(sys.argv[1:])
