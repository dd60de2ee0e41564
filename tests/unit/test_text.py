"""nnkit._text: sentences count in words ("1 epoch", "57 epochs"), never "epoch(s)"."""

from __future__ import annotations

from nnkit._text import counted, noun


def test_one_is_singular_and_every_other_count_plural():
    assert [counted(n, "epoch") for n in (0, 1, 2, 1234)] == [
        "0 epochs",
        "1 epoch",
        "2 epochs",
        "1,234 epochs",
    ]
    assert noun(1, "was", "were") == "was" and noun(3, "was", "were") == "were"
    assert counted(2, "analysis", "analyses") == "2 analyses"
