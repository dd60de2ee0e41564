"""nnkit.autodiff against micrograd 0.1.0 (benchmark-only dependency, requirements-bench.txt).

Figures:

* MLP(2, [16, 16, 1]) (ReLU hidden, linear output), forward + backward of the mean
  squared error over 150 points. First on the *same graph* as micrograd builds
  (one ``*`` and one ``+`` node per weight, ``fused=False``), then with nnkit's
  default fused neuron node (``w·x+b`` as one node, same values and gradients).
* The same-graph comparison again with the garbage collector off in both engines:
  most of micrograd's extra cost with GC on is collector work caused by its
  per-node closures and sets; this row shows what is left without it.
* backward() on a chain of 1,000,000 nodes (alternating ``+ 0.1`` and ``* 1.0000001``).
  micrograd's recursive topological sort cannot do it: the row records the depth at
  which it raises ``RecursionError`` (measured here, not assumed).
"""

from __future__ import annotations

import gc
import random
import sys
import time

from benchmarks import Row, median_time
from nnkit.autodiff import MLP, Node, topological_order

N_POINTS = 150
CHAIN = 1_000_000


def _data(seed: int = 0) -> tuple[list[tuple[float, float]], list[float]]:
    rng = random.Random(seed)
    xs = [(rng.uniform(-2, 2), rng.uniform(-2, 2)) for _ in range(N_POINTS)]
    ys = [1.0 if a * b > 0 else -1.0 for a, b in xs]
    return xs, ys


def _loss(model, xs, ys):  # same expression for both engines
    total = 0.0
    for x, y in zip(xs, ys, strict=True):
        d = model(x)
        d = (d[0] if isinstance(d, list) else d) - y
        total = total + d * d
    return total * (1.0 / len(xs))


def _count_micrograd(root) -> int:
    seen = {root}
    stack = [root]
    while stack:
        for p in stack.pop()._prev:
            if p not in seen:
                seen.add(p)
                stack.append(p)
    return len(seen)


def _micrograd_max_depth() -> int:
    """Smallest chain depth (of a few tried) at which micrograd's backward fails."""
    from micrograd.engine import Value

    for depth in (500, 1000, 2000, 5000, 10_000):
        x = Value(0.5)
        y = x
        for _ in range(depth):
            y = y + 0.1
        try:
            y.backward()
        except RecursionError:
            return depth
    return -1


def run() -> list[Row]:
    from micrograd.nn import MLP as MicroMLP

    xs, ys = _data()
    random.seed(0)
    micro = MicroMLP(2, [16, 16, 1])
    same = MLP(2, [16, 16, 1], activation="relu", fused=False, seed=0)
    fused = MLP(2, [16, 16, 1], activation="relu", fused=True, seed=0)

    def step(model):
        def go():
            loss = _loss(model, xs, ys)
            loss.backward()

        return go

    n_micro = _count_micrograd(_loss(micro, xs, ys))
    n_same = len(topological_order(_loss(same, xs, ys)))
    n_fused = len(topological_order(_loss(fused, xs, ys)))

    t_micro = median_time(step(micro), repeat=5)
    t_same = median_time(step(same), repeat=5)
    t_fused = median_time(step(fused), repeat=5)
    t_micro2 = median_time(step(micro), repeat=5)  # again: load drifts on a shared box
    t_micro = min(t_micro, t_micro2)

    # The same three timings with Python's cyclic garbage collector switched off:
    # micrograd's per-node closures (``out._backward`` refers to ``out``) and child
    # sets make far more work for the collector than nnkit's slots and tuples, so
    # this row isolates the interpreter cost of the engines themselves.
    gc.collect()
    gc.disable()
    try:
        g_micro = median_time(step(micro), repeat=5)
        g_same = median_time(step(same), repeat=5)
        g_fused = median_time(step(fused), repeat=5)
    finally:
        gc.enable()
        gc.collect()

    rows = [
        Row(
            "MLP(2,[16,16,1]) fwd+bwd, 150 pts, same graph",
            t_same,
            t_micro,
            peer_name="micrograd 0.1.0",
            goal="ratio <= 0.2 (5x faster)",
            note=f"{n_same} nodes (micrograd {n_micro}); speed-up {t_micro / t_same:.1f}x",
        ),
        Row(
            "MLP(2,[16,16,1]) fwd+bwd, 150 pts, nnkit fused neurons",
            t_fused,
            t_micro,
            peer_name="micrograd 0.1.0",
            goal="ratio <= 0.2 (5x faster)",
            note=f"{n_fused} nodes vs {n_micro}; speed-up {t_micro / t_fused:.1f}x",
        ),
        Row(
            "same, same graph, garbage collector off in both",
            g_same,
            g_micro,
            peer_name="micrograd 0.1.0",
            note=(
                f"speed-up {g_micro / g_same:.1f}x (fused: {g_micro / g_fused:.1f}x): "
                "without GC the node-for-node gain is the interpreter work alone"
            ),
        ),
    ]

    x = Node(0.5, "x")
    y = x
    for i in range(CHAIN):
        y = y * 1.0000001 if i % 2 else y + 0.1
    times, cpu = [], []
    for _ in range(3):
        t0, c0 = time.perf_counter(), time.process_time()
        y.backward()
        times.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
    t_chain = sorted(times)[1]
    t_cpu = sorted(cpu)[1]
    del x, y
    gc.collect()
    limit = sys.getrecursionlimit()
    fail_depth = _micrograd_max_depth()
    rows.append(
        Row(
            "backward() on a 1,000,000-node chain",
            t_chain,
            None,
            peer_name="micrograd 0.1.0",
            goal="< 2 s",
            note=(
                f"CPU time {t_cpu:.2f} s (wall time includes waiting on a shared CPU); "
                f"micrograd raises RecursionError at depth {fail_depth} "
                f"(recursion limit {limit})"
                if fail_depth > 0
                else "micrograd did not fail up to depth 10000"
            ),
        )
    )
    return rows
