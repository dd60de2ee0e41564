"""Rewrite the README's page list from the course map (nnkit/ui/course.py).

    python scripts/update_readme.py

tests/app/test_home.py checks that the README and the course map agree.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from nnkit.ui.course import LECTURES  # noqa: E402

START, END = "<!-- pages:start -->", "<!-- pages:end -->"


def page_block() -> str:
    """The Markdown list of pages, one line each, grouped by lecture."""
    out = []
    for lecture in LECTURES:
        out.append(f"\n**{lecture.title}**\n")
        out += [f"- **{p.title}**: {p.summary} (`{p.path}`)" for p in lecture.pages]
        if not lecture.pages:
            out.append("- (no page in this version yet)")
    return "\n".join(out).strip("\n")


def main() -> int:
    path = ROOT / "README.md"
    text = path.read_text(encoding="utf-8")
    head, rest = text.split(START)
    _, tail = rest.split(END)
    path.write_text(f"{head}{START}\n{page_block()}\n{END}{tail}", encoding="utf-8")
    print(f"updated {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
