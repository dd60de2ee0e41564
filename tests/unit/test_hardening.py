"""Hardening that can be checked without running a page.

* ``.streamlit/config.toml`` keeps the public-demo settings: no error details for
  visitors, small uploads, no usage statistics, XSRF protection on.
* Nothing in ``nnkit/``, ``pages/`` or ``app.py`` evaluates text (``eval``, ``exec``,
  ``compile``, ``sympify``, ``parse_expr``), unpickles (``pickle``/``joblib``/
  ``read_pickle``, ``np.load(allow_pickle=True)``, ``torch.load`` without
  ``weights_only=True``) or writes files outside a module that uses ``tempfile``.

The code checks walk the syntax tree (not a text grep), so ``model.eval()`` (a torch
method) is not mistaken for the builtin ``eval``.
"""

from __future__ import annotations

import ast
import tomllib
from pathlib import Path

import pytest

from nnkit.ui.policy import DEMO_LIMITS

ROOT = Path(__file__).resolve().parents[2]
SOURCES = sorted(
    [*ROOT.glob("nnkit/**/*.py"), *ROOT.glob("pages/*.py"), ROOT / "app.py"],
    key=lambda p: str(p),
)


# ------------------------------------------------------------------------------ config


@pytest.fixture(scope="module")
def config() -> dict:
    return tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))


def test_visitors_never_see_error_details(config):
    assert config["client"]["showErrorDetails"] in ("none", False)


def test_upload_size_is_small_but_fits_the_csv_cap(config):
    size = config["server"]["maxUploadSize"]
    # Streamlit's cap (MB) must admit nnkit's own CSV cap, and stay small for a shared server.
    assert DEMO_LIMITS.max_upload_mb <= size <= 20


def test_no_usage_statistics_and_xsrf_protection(config):
    assert config["browser"]["gatherUsageStats"] is False
    assert config["server"]["enableXsrfProtection"] is True


def test_message_size_is_bounded(config):
    # Each websocket message (a chart, a table) is capped; Streamlit's default is 200 MB.
    assert config["server"].get("maxMessageSize", 200) <= 200


# ------------------------------------------------------------------------------ code

EVALUATING = {"eval", "exec", "compile", "sympify", "parse_expr", "__import__"}
UNPICKLING = {"pickle", "cPickle", "dill", "joblib", "cloudpickle", "shelve", "marshal"}


def _name(node: ast.AST) -> str:
    """``a.b.c`` for a call's function (``""`` when it is not a plain name chain)."""
    parts = []
    while isinstance(node, ast.Attribute | ast.Call):
        if isinstance(node, ast.Call):  # Path(p).write_bytes: look through the call
            node = node.func
            continue
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        parts.append(node.id)
        return ".".join(reversed(parts))
    return ""


def _kw(call: ast.Call, name: str):
    for k in call.keywords:
        if k.arg == name:
            return k.value
    return None


def _const(node) -> object:
    return node.value if isinstance(node, ast.Constant) else None


def _writes(call: ast.Call, name: str) -> bool:
    """Does this call write a file to disk?"""
    last = name.rsplit(".", 1)[-1]
    if name == "open" or last == "open" and name.startswith(("io.", "os.", "Path")):
        mode = call.args[1] if len(call.args) > 1 else _kw(call, "mode")
        flags = _const(mode) if mode is not None else "r"
        return (
            isinstance(flags, str)
            and any(c in flags for c in "wax+")
            or (
                mode is not None and flags is None  # a computed mode: treat as writing
            )
        )
    if last in ("write_bytes", "write_text", "savetxt", "savez", "savez_compressed", "tofile"):
        return True
    if name in ("np.save", "numpy.save", "torch.save") or name.startswith("shutil.copy"):
        return True
    # DataFrame.to_csv(path) etc.: writing only when given a path (no argument returns text).
    if last in ("to_csv", "to_parquet", "to_json", "to_excel", "to_pickle", "to_feather"):
        return (
            bool(call.args) or _kw(call, "path_or_buf") is not None or _kw(call, "path") is not None
        )
    return False


def violations(path: Path, root: Path = ROOT) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    rel = path.relative_to(root)
    uses_tempfile = any(
        isinstance(n, ast.Import | ast.ImportFrom)
        and any((a.name.split(".")[0] == "tempfile") for a in n.names)
        or isinstance(n, ast.ImportFrom)
        and n.module == "tempfile"
        for n in ast.walk(tree)
    )
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import | ast.ImportFrom):
            mods = (
                [node.module or ""]
                if isinstance(node, ast.ImportFrom)
                else [a.name for a in node.names]
            )
            for m in mods:
                if m.split(".")[0] in UNPICKLING:
                    out.append(f"{rel}:{node.lineno}: imports {m}")
            if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("sympy"):
                for a in node.names:
                    if a.name in EVALUATING:
                        out.append(f"{rel}:{node.lineno}: imports {a.name} from {node.module}")
        if not isinstance(node, ast.Call):
            continue
        name = _name(node.func)
        last = name.rsplit(".", 1)[-1]
        where = f"{rel}:{node.lineno}: {name}(...)"
        if name in EVALUATING or (
            last in EVALUATING and name.split(".")[0] in ("sympy", "sp", "builtins")
        ):
            out.append(where + " evaluates text")
        elif last in ("sympify", "parse_expr"):
            out.append(where + " evaluates text")
        elif last in ("read_pickle", "load_pickle"):
            out.append(where + " unpickles")
        elif name.endswith("torch.load"):
            if _const(_kw(node, "weights_only")) is not True:
                out.append(where + " without weights_only=True")
        elif last == "load" and name.split(".")[0] in ("np", "numpy"):
            if (
                _const(_kw(node, "allow_pickle")) is not False
                and _kw(node, "allow_pickle") is not None
            ):
                out.append(where + " with allow_pickle")
        elif _writes(node, name) and not uses_tempfile:
            out.append(where + " writes a file outside tempfile")
    return sorted(out, key=lambda v: int(v.split(":")[1]))


def test_sources_found():
    names = {p.relative_to(ROOT).as_posix() for p in SOURCES}
    assert "app.py" in names and "nnkit/expr/parser.py" in names
    assert any(n.startswith("pages/") for n in names)


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_nothing_is_evaluated_unpickled_or_written(path):
    assert violations(path) == []


def test_the_checker_catches_what_it_should(tmp_path):
    """The checker itself: each forbidden pattern is found, the harmless look-alikes are not."""
    bad = tmp_path / "bad.py"
    bad.write_text(
        "import pickle\n"
        "import torch\n"
        "from sympy import sympify\n"
        "eval(text)\n"
        "exec(text)\n"
        "sympy.sympify(text)\n"
        "parse_expr(text)\n"
        "torch.load(f)\n"
        "torch.load(f, weights_only=False)\n"
        "pd.read_pickle(f)\n"
        "np.load(f, allow_pickle=True)\n"
        "open('x.csv', 'wb').write(data)\n"
        "Path('x').write_bytes(data)\n"
        "frame.to_csv('x.csv')\n",
        encoding="utf-8",
    )
    good = tmp_path / "good.py"
    good.write_text(
        "model.eval()\n"
        "torch.load(f, weights_only=True)\n"
        "open('x.csv').read()\n"
        "frame.to_csv(index=False)\n"
        "np.load(f)\n",
        encoding="utf-8",
    )
    found = violations(bad, tmp_path)
    assert [int(f.split(":")[1]) for f in found] == [1, 3, *range(4, 15)], found
    assert violations(good, tmp_path) == []
