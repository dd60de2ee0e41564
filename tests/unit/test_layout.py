"""The layout promises of docs/architecture.md: small modules, thin pages, and a library
that never imports streamlit outside nnkit/ui/."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LIBRARY = sorted(p for p in (ROOT / "nnkit").rglob("*.py"))
PAGES = sorted((ROOT / "pages").glob("*.py"))


def _name(p: Path) -> str:
    return p.relative_to(ROOT).as_posix()


@pytest.mark.parametrize("path", LIBRARY, ids=_name)
def test_library_modules_hold_one_concern_in_at_most_700_lines(path):
    assert len(path.read_text(encoding="utf-8").splitlines()) <= 700


@pytest.mark.parametrize("path", PAGES, ids=_name)
def test_pages_are_thin(path):
    assert len(path.read_text(encoding="utf-8").splitlines()) <= 450


@pytest.mark.parametrize(
    "path", [p for p in LIBRARY if "ui" not in p.relative_to(ROOT).parts], ids=_name
)
def test_only_nnkit_ui_imports_streamlit(path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    imported = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            imported |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            imported.add(node.module.split(".")[0])
    assert "streamlit" not in imported


@pytest.mark.parametrize(
    "path", [p for p in LIBRARY if "ui" not in p.relative_to(ROOT).parts], ids=_name
)
def test_the_library_reads_no_environment_variables(path):
    source = path.read_text(encoding="utf-8")
    assert "os.environ" not in source and "os.getenv" not in source
