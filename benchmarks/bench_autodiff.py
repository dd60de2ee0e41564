"""nnkit.autodiff against micrograd 0.1.0 and torch.autograd (peers: ``benchmarks.peers``).

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
* torch.autograd, as its tutorials run it: the same MLP as ``nn.Sequential`` on the
  (150, 2) batch, forward + MSE + backward. nnkit's engine is a scalar teaching
  engine and loses here by orders of magnitude; the row says by how much.
* torch.autograd on the very graph nnkit's chain row builds, one 0-d tensor per node
  (not how torch is meant to be used): backward() on a 100,000-node chain, both
  engines (torch keeps ~1 KB per scalar node, so 1,000,000 would need ~1 GB).

micrograd is a benchmark-only dependency (requirements-bench.txt); torch is nnkit's own.
"""

from __future__ import annotations

import gc
import random
import sys
import time

from benchmarks import Row, median_time
from benchmarks.peers import PEERS
from nnkit.autodiff import MLP, Node, topological_order

N_POINTS = 150
CHAIN = 1_000_000
TORCH_CHAIN = 100_000


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
        PEERS["micrograd"].row(
            "MLP(2,[16,16,1]) fwd+bwd, 150 pts, same graph",
            t_same,
            t_micro,
            unit="s",
            goal="ratio <= 0.2 (5x faster)",
            note=f"{n_same} nodes (micrograd {n_micro}); speed-up {t_micro / t_same:.1f}x",
        ),
        PEERS["micrograd"].row(
            "MLP(2,[16,16,1]) fwd+bwd, 150 pts, nnkit fused neurons",
            t_fused,
            t_micro,
            unit="s",
            goal="ratio <= 0.2 (5x faster)",
            note=f"{n_fused} nodes vs {n_micro}; speed-up {t_micro / t_fused:.1f}x",
        ),
        PEERS["micrograd"].row(
            "same, same graph, garbage collector off in both",
            g_same,
            g_micro,
            unit="s",
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
        PEERS["micrograd"].row(
            "backward() on a 1,000,000-node chain",
            t_chain,
            None,
            unit="s",
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
    rows += _torch_rows(xs, ys, fused, t_fused)
    return rows


def _chain_backward_time(leaf, build, n: int) -> float:
    """Median wall time of backward() over 3 freshly built chains of ``n`` nodes."""
    times = []
    for _ in range(3):
        y = leaf()
        x = y
        for i in range(n):
            y = build(y, i)
        t0 = time.perf_counter()
        y.backward()
        times.append(time.perf_counter() - t0)
        del x, y
        gc.collect()
    return sorted(times)[1]


def _torch_rows(xs, ys, fused, t_fused: float) -> list[Row]:
    import torch

    batched, scalar = PEERS["torch-batched"], PEERS["torch-scalar-chain"]
    torch.set_num_threads(batched.config["threads"])
    torch.manual_seed(0)
    net = torch.nn.Sequential(
        torch.nn.Linear(2, 16),
        torch.nn.ReLU(),
        torch.nn.Linear(16, 16),
        torch.nn.ReLU(),
        torch.nn.Linear(16, 1),
    )
    X = torch.tensor(xs, dtype=torch.float32)
    Y = torch.tensor(ys, dtype=torch.float32)[:, None]

    def torch_step() -> None:
        net.zero_grad()
        torch.nn.functional.mse_loss(net(X), Y).backward()

    t_torch = median_time(torch_step, repeat=21, warmup=3)
    rows = [batched.row(
        "MLP(2,[16,16,1]) fwd+bwd, 150 pts, nnkit fused neurons", t_fused, t_torch, unit="s",
        goal="(nnkit is a scalar teaching engine)",
        note=f"torch {t_fused / t_torch:.0f}x faster: one batched graph of ~10 tensor ops "
             f"against ~{len(topological_order(_loss(fused, xs, ys)))} scalar nodes",
    )]  # fmt: skip

    def ours_leaf():
        return Node(0.5, "x")

    def torch_leaf():
        return torch.tensor(0.5, dtype=torch.float64, requires_grad=True)

    def step(y, i):  # the same chain as the 1,000,000-node row
        return y * 1.0000001 if i % 2 else y + 0.1

    t_ours = _chain_backward_time(ours_leaf, step, TORCH_CHAIN)
    t_torch_chain = _chain_backward_time(torch_leaf, step, TORCH_CHAIN)
    rows.append(scalar.row(
        f"backward() on a {TORCH_CHAIN:,}-node chain", t_ours, t_torch_chain, unit="s",
        goal="(same graph)", note="median of 3; torch's engine walks the graph in C++",
    ))  # fmt: skip
    return rows
