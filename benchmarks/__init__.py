"""Benchmarks: ``python -m benchmarks [NAME ...]`` runs every ``bench_*.py`` module.

Each module defines ``run() -> list[Row]``: a figure measured for nnkit beside a peer
measured in the same run, so the printed ratio means something on a shared, noisy
machine. Give a NAME (e.g. ``cold_start``) to run only the modules whose name contains it.
"""

from __future__ import annotations

import math
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass


@dataclass
class Row:
    """One figure: ours beside the peer's, in the same unit.

    ``ratio`` is ours / peer (for times, < 1 means we are faster); ``goal`` says what
    the issue asked for, ``note`` anything a reader needs to interpret the row.
    ``config`` and ``source`` give the peer's configuration and where it comes from
    (filled in by :meth:`benchmarks.peers.Peer.row`).
    """

    figure: str
    ours: float
    peer: float | None = None
    unit: str = "s"
    peer_name: str = ""
    goal: str = ""
    note: str = ""
    config: str = ""
    source: str = ""

    @property
    def ratio(self) -> float | None:
        if self.peer is None or self.peer == 0 or not math.isfinite(self.peer):
            return None
        return self.ours / self.peer


def median_time(fn: Callable[[], object], repeat: int = 5, warmup: int = 1) -> float:
    """Median wall time of ``fn()`` over ``repeat`` runs, after ``warmup`` untimed runs."""
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)
