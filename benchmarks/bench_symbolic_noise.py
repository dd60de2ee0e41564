"""Symbolic distillation of the Nguyen formulas with 1 % noise on the samples.

The same two routes as ``bench_symbolic`` (500 samples as data, and an MLP trained on
them with the page's defaults), with Gaussian noise of 1 % of the target's standard
deviation added to the samples. Goal: at least 10 of 12 recovered exactly, and no
approximation labelled exact.
"""

from __future__ import annotations

from benchmarks import Row
from benchmarks.bench_symbolic import nguyen_rows


def run() -> list[Row]:
    return nguyen_rows(0.01)
