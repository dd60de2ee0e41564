"""nnkit is a library: importing or calling it changes nothing global and caps nothing.

Each check runs in a fresh interpreter where it matters (thread count, switch
interval), so what another test imported cannot hide a side effect.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import torch

from nnkit.models import mlp, torch_mlp
from nnkit.training import fit

ROOT = Path(__file__).resolve().parents[2]


def _run(code: str) -> str:
    out = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    return out.stdout.strip()


def test_importing_every_nnkit_module_leaves_threads_and_switch_interval_alone():
    out = _run(
        """
        import importlib, pkgutil, sys
        import torch
        torch.set_num_threads(2)
        before = (torch.get_num_threads(), sys.getswitchinterval())
        import nnkit
        for m in pkgutil.walk_packages(nnkit.__path__, "nnkit."):
            if not m.name.startswith("nnkit.ui"):
                importlib.import_module(m.name)
        print(before == (torch.get_num_threads(), sys.getswitchinterval()))
        """
    )
    assert out == "True"


def test_building_a_seeded_network_leaves_the_global_rng_alone():
    torch.manual_seed(123)
    expected = torch.rand(3)
    torch.manual_seed(123)
    a = mlp(2, [8], 1, seed=0)
    b = torch_mlp(seed=1)
    assert torch.equal(torch.rand(3), expected)
    # ... and the seed still decides the weights
    assert torch.equal(a[0].weight, mlp(2, [8], 1, seed=0)[0].weight)
    assert not torch.equal(a[0].weight, mlp(2, [8], 1, seed=1)[0].weight)
    assert torch.equal(b[0].weight, torch_mlp(seed=1)[0].weight)


def test_a_seeded_network_seeds_no_gpu_generator(monkeypatch):
    # torch.manual_seed reseeds every CUDA (and XPU, MTIA) generator too, and
    # fork_rng(devices=[]) does not put those back: on a GPU machine the caller's GPU
    # random stream would change each time a network is built.
    seeded: list[object] = []
    for device in ("cuda", "xpu", "mtia"):
        module = getattr(torch, device, None)
        if module is not None and hasattr(module, "manual_seed_all"):
            monkeypatch.setattr(module, "manual_seed_all", seeded.append)
    mlp(2, [8], 1, seed=0)
    torch_mlp(seed=1)
    assert seeded == []


def test_training_leaves_the_global_rng_alone():
    X = np.linspace(-1, 1, 64)[:, None]
    torch.manual_seed(7)
    expected = torch.rand(3)
    torch.manual_seed(7)
    fit(mlp(1, [8], 1), X, np.sin(3 * X), epochs=3, batch_size=8, val_fraction=0.25, seed=5)
    assert torch.equal(torch.rand(3), expected)


def test_fit_takes_more_rows_than_the_demo_allows_and_has_no_time_cap():
    rng = np.random.default_rng(0)
    X = rng.uniform(-1, 1, (60_000, 2)).astype(np.float32)
    y = X.sum(axis=1)
    res = fit(mlp(2, [4], 1), X, y, epochs=1, batch_size=4096)
    assert res.epochs == 1 and res.stop_reason == "completed"


def test_a_trainer_asked_for_more_than_a_minute_keeps_that_budget():
    from nnkit.training import supervised_trainer

    trainer = supervised_trainer(mlp(1, [4], 1), np.zeros((8, 1)), np.zeros(8), max_seconds=3600)
    assert trainer.max_seconds == 3600


def test_what_a_form_draws_before_a_run_imports_no_torch():
    # A page can draw its settings, a PINN problem and its reference solution, and a
    # Start button with a live view before torch is imported (two seconds and more on a
    # small server); the loop and the solver bring torch in when they are first used.
    out = _run(
        """
        import sys
        from nnkit.pinn import PINNConfig, presets, reference_frame
        from nnkit.pinn.explain import what_you_see
        from nnkit.pinn.reproduce import pinn_script
        from nnkit.training import OPTIMIZERS, History, TrainingJob
        import nnkit.pinn, nnkit.training
        listed = {"fit", "train", "Trainer"} <= set(dir(nnkit.training))
        assert listed and "PINN" in dir(nnkit.pinn)  # a notebook's tab completion
        problem = presets.make_problem("burgers", presets.DEFAULT_PARAMS["burgers"])
        frame = reference_frame(problem)
        presets.PAPER_BURGERS_BFGS.validate(dim=problem.dim)
        print("torch" in sys.modules, len(frame) > 0)
        from nnkit.pinn import PINN
        from nnkit.training import fit
        print("torch" in sys.modules, callable(fit), PINN.__name__)
        """
    )
    assert out.splitlines() == ["False True", "True True PINN"]
