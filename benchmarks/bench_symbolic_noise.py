"""Symbolic distillation of the Nguyen formulas from networks trained on samples with 1 % noise.

The same pipeline as ``bench_symbolic`` (MLP on 500 samples, then nnkit's sparse
search beside gplearn with a fixed CPU budget), with Gaussian noise of 1 % of the
target's standard deviation added to the training samples. Goal: at least 6 of 12
recovered exactly.
"""

from __future__ import annotations

from benchmarks import Row
from benchmarks.bench_symbolic import nguyen_rows


def run() -> list[Row]:
    return nguyen_rows(0.01)
