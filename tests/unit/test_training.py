"""nnkit.training: the loop decreases the loss, counts steps, stops, detects divergence."""

from __future__ import annotations

import math
import threading
import time

import numpy as np
import pytest

from nnkit._torch import torch
from nnkit.datasets import xor
from nnkit.limits import Limits
from nnkit.models import mlp, torch_mlp
from nnkit.training import (
    EarlyStopping,
    TrainingJob,
    fit,
    make_optimizer,
    supervised_trainer,
    train,
)


def _sine_data(n=128, seed=0):
    X = np.random.default_rng(seed).uniform(-1, 1, (n, 1))
    return X, np.sin(3 * X)


def _accuracy(net, X, y) -> float:
    with torch.no_grad():
        logits = net(torch.tensor(X, dtype=torch.float32))[:, 0]
    return float(((logits > 0).numpy() == y).mean())


def test_fit_decreases_the_loss_on_a_learnable_problem():
    X, y = _sine_data()
    res = fit(mlp(1, [16], 1, seed=0), X, y, lr=1e-2, epochs=40, batch_size=16)
    h = res.history
    assert len(h) == 40 and h.epoch == list(range(1, 41))
    assert h.train_loss[-1] < 0.1 * h.train_loss[0]
    assert res.stop_reason == "completed" and res.diverged_epoch is None
    assert res.wall_time > 0 and h.time == sorted(h.time)


@pytest.mark.parametrize(
    ("n", "batch_size", "per_epoch"), [(100, 32, 4), (100, None, 1), (10, 1, 10), (64, 64, 1)]
)
def test_batch_size_sets_optimizer_steps_per_epoch(n, batch_size, per_epoch):
    X, y = _sine_data(n)
    net = mlp(1, [4], 1)
    opt_steps = []
    res = fit(
        net,
        X,
        y,
        epochs=3,
        batch_size=batch_size,
        callbacks=[lambda info: opt_steps.append(info.steps)],
    )
    assert res.steps == 3 * per_epoch
    assert res.history.steps == [per_epoch, 2 * per_epoch, 3 * per_epoch] == opt_steps


def test_validation_split_is_held_out():
    X, y = _sine_data(100)
    res = fit(mlp(1, [8], 1), X, y, epochs=2, batch_size=10, val_fraction=0.2)
    assert res.steps == 2 * 8  # 80 training rows in batches of 10
    assert res.history.has_validation and all(math.isfinite(v) for v in res.history.val_loss)


def test_callback_stops_training():
    X, y = _sine_data()
    res = fit(mlp(1, [8], 1), X, y, epochs=100, callbacks=[lambda info: info.epoch >= 5])
    assert res.stop_reason == "callback" and res.epochs == 5 and len(res.history) == 5


def test_early_stopping_callback():
    X, y = _sine_data()
    cb = EarlyStopping(patience=3, monitor="train_loss")
    res = fit(mlp(1, [8], 1), X, y, optimizer="sgd", lr=1e-12, epochs=200, callbacks=[cb])
    assert res.stop_reason == "early_stopping" and res.epochs < 200
    assert cb.best_epoch_ is not None and cb.best_epoch_ < res.epochs


def test_divergence_is_detected_and_reported_with_the_epoch():
    X, y = _sine_data()
    res = fit(mlp(1, [16], 1, seed=0), X, y, optimizer="sgd", lr=1e4, epochs=50, batch_size=8)
    assert res.stop_reason == "diverged"
    assert res.diverged_epoch == res.epochs == len(res.history)
    assert not math.isfinite(res.history.train_loss[-1])
    assert "epoch" in res.stop_message


def test_same_seed_reproduces_exactly_and_another_seed_differs():
    X, y = _sine_data()
    runs = [
        fit(mlp(1, [8], 1, seed=s), X, y, epochs=5, batch_size=8, seed=s).history.train_loss
        for s in (1, 1, 2)
    ]
    assert runs[0] == runs[1]
    assert runs[0] != runs[2]


def test_time_cap_stops_the_run():
    X, y = _sine_data(2000)
    res = fit(mlp(1, [8], 1), X, y, epochs=100000, batch_size=1, max_seconds=0.2)
    assert res.stop_reason == "time_limit"
    assert res.wall_time < 5


def test_limits_cap_epochs_and_samples():
    X, y = _sine_data(50)
    small = Limits(max_epochs=3, max_samples=40)
    with pytest.raises(ValueError, match="max_samples"):
        fit(mlp(1, [4], 1), X, y, limits=small)
    res = fit(mlp(1, [4], 1), X[:40], y[:40], epochs=10, limits=small)
    assert res.epochs == 3 and res.stop_reason == "epoch_limit"


@pytest.mark.parametrize(
    "bad", [{"lr": -1.0}, {"optimizer": "adagrad"}, {"loss": "hinge"}, {"batch_size": 0}]
)
def test_bad_hyper_parameters_raise_value_error(bad):
    X, y = _sine_data(10)
    with pytest.raises(ValueError):
        fit(mlp(1, [4], 1), X, y, epochs=1, **bad)


def test_non_finite_data_is_rejected():
    X, y = _sine_data(10)
    y[3] = np.nan
    with pytest.raises(ValueError, match="finite"):
        fit(mlp(1, [4], 1), X, y, epochs=1)


@pytest.mark.parametrize("name", ["sgd", "momentum", "rmsprop", "adam", "lbfgs"])
def test_every_optimizer_reduces_the_loss(name):
    X, y = _sine_data(64)
    lr = {"sgd": 0.1, "momentum": 0.05, "rmsprop": 1e-2, "adam": 1e-2, "lbfgs": 1.0}[name]
    res = fit(mlp(1, [16], 1, seed=0), X, y, optimizer=name, lr=lr, epochs=30, batch_size=None)
    assert res.history.train_loss[-1] < 0.5 * res.history.train_loss[0]


def test_sgd_is_plain_gradient_descent():
    opt = make_optimizer([torch.zeros(1, requires_grad=True)], "sgd", 0.1)
    assert opt.param_groups[0]["momentum"] == 0
    assert (
        make_optimizer([torch.zeros(1, requires_grad=True)], "momentum", 0.1).param_groups[0][
            "momentum"
        ]
        == 0.9
    )


def _rastrigin_sample(n=256):
    from nnkit.datasets import rastrigin

    X = np.random.default_rng(0).uniform(-5.12, 5.12, (n, 2))
    return X, rastrigin(X[:, 0], X[:, 1])


@pytest.mark.parametrize(("optimizer", "lr"), [("sgd", 1e-6), ("rmsprop", 1e-3)])
def test_lecture_torch_mlp_recipes_run_and_learn(optimizer, lr):
    """The lecture's TorchMLP, summed MSE, full batch; seed 1's output ReLU is alive."""
    X, y = _rastrigin_sample()
    res = fit(
        torch_mlp(seed=1),
        X,
        y,
        loss="mse",
        reduction="sum",
        optimizer=optimizer,
        lr=lr,
        epochs=30,
        batch_size=None,
    )
    assert res.stop_reason == "completed" and res.steps == 30
    assert res.history.train_loss[-1] < res.history.train_loss[0]


def test_dead_output_relu_never_learns():
    """Seed 0: the output ReLU is 0 on every sample, so no gradient flows and the loss is frozen."""
    X, y = _rastrigin_sample()
    net = torch_mlp(seed=0)
    with torch.no_grad():
        assert float(net(torch.tensor(X, dtype=torch.float32)).max()) == 0.0
    res = fit(net, X, y, reduction="sum", optimizer="rmsprop", lr=1e-3, epochs=20, batch_size=None)
    assert len(set(res.history.train_loss)) == 1
    assert res.history.train_loss[0] == pytest.approx(float(np.mean(y**2)), rel=1e-5)


def test_xor_two_hidden_units_reach_100_percent_for_a_known_seed():
    X, y = xor()
    net = mlp(2, [2], 1, activation="tanh", seed=0)
    fit(net, X, y, loss="bce", optimizer="adam", lr=0.1, epochs=300, batch_size=None, seed=0)
    assert _accuracy(net, X, y) == 1.0


@pytest.mark.parametrize("seed", range(5))
def test_xor_without_hidden_layer_never_succeeds(seed):
    X, y = xor()
    net = mlp(2, [], 1, seed=seed)
    fit(net, X, y, loss="bce", optimizer="adam", lr=0.1, epochs=300, batch_size=None, seed=seed)
    assert _accuracy(net, X, y) <= 0.75  # a line separates at most 3 of XOR's 4 points


def test_cross_entropy_on_class_labels():
    X, y = xor(n_samples=64, noise=0.1, seed=1)
    net = mlp(2, [8], 2, seed=0)
    res = fit(net, X, y, loss="cross_entropy", lr=0.05, epochs=100, batch_size=None)
    with torch.no_grad():
        pred = net(torch.tensor(X, dtype=torch.float32)).argmax(1).numpy()
    assert (pred == y).mean() > 0.9 and res.history.train_loss[-1] < res.history.train_loss[0]


def test_train_records_named_terms_and_their_sum():
    target = torch.tensor([1.0, -2.0])

    class Point(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.p = torch.nn.Parameter(torch.zeros(2))

    def terms(model):
        return {"a": (model.p[0] - target[0]) ** 2, "b": 2 * (model.p[1] - target[1]) ** 2}

    for opt, lr in [("adam", 0.1), ("lbfgs", 1.0)]:
        model = Point()
        res = train(model, terms, optimizer=opt, lr=lr, epochs=60)
        h = res.history
        assert set(h.terms) == {"a", "b"}
        assert h.train_loss[0] == pytest.approx(h.terms["a"][0] + h.terms["b"][0], rel=1e-6)
        assert torch.allclose(model.p.detach(), target, atol=0.05), opt
        frame = h.to_frame()
        assert set(frame["series"]) == {"train", "a", "b"}


def test_train_with_validation_and_monitor():
    x = torch.linspace(-1, 1, 32)[:, None]
    net = mlp(1, [8], 1)
    res = train(
        net,
        lambda m: {"fit": (m(x) - x**2).pow(2).mean()},
        lr=1e-2,
        epochs=10,
        validate=lambda m: float((m(x) - x**2).abs().max()),
        monitor=lambda m: {"at0": float(m(torch.zeros(1, 1)))},
        monitor_every=5,
    )
    assert res.history.has_validation and res.history.monitor_epoch == [5, 10]
    assert len(res.history.monitor["at0"]) == 2


def test_trainer_continues_where_it_stopped():
    X, y = _sine_data()
    trainer = supervised_trainer(mlp(1, [8], 1), X, y, lr=1e-2, batch_size=32)
    trainer.run(3)
    res = trainer.run(2)
    assert res.epochs == 5 and res.history.epoch == [1, 2, 3, 4, 5] and res.steps == 20


def test_job_start_stop_continue_and_snapshots():
    X, y = _sine_data(256)
    job = TrainingJob(
        supervised_trainer(mlp(1, [8], 1), X, y, lr=1e-2, batch_size=4),
        epochs=10**6,
        publish_seconds=0.02,
    ).start()
    deadline = time.monotonic() + 20
    while job.snapshot().epochs < 2 and time.monotonic() < deadline:
        time.sleep(0.02)
    assert job.running and job.snapshot().running
    job.stop()
    assert job.join(10)
    snap = job.snapshot()
    assert not snap.running and snap.stop_reason == "stopped" and snap.epochs >= 2
    assert len(snap.history) == snap.epochs
    before = snap.epochs
    job.resume(epochs=2)
    assert job.join(20)
    after = job.snapshot()
    assert after.epochs == before + 2 and after.stop_reason == "completed"
    assert after.history.epoch == list(range(1, after.epochs + 1))
    # the snapshot model is a copy with the published weights
    m = job.model_at(after)
    assert m is not job.model
    for a, b in zip(m.parameters(), job.model.parameters(), strict=True):
        assert torch.equal(a, b)


def test_job_without_heartbeat_stops_itself():
    X, y = _sine_data(256)
    job = TrainingJob(
        supervised_trainer(mlp(1, [8], 1), X, y, batch_size=1),
        epochs=10**6,
        publish_seconds=0.02,
        heartbeat_timeout=0.2,
    ).start()
    assert job.join(20)
    assert job.snapshot().stop_reason == "abandoned"


def test_job_reports_an_error_instead_of_dying_silently():
    def bad_terms(model):
        raise RuntimeError("boom")

    from nnkit.training import closure_trainer

    job = TrainingJob(closure_trainer(mlp(1, [2], 1), bad_terms), epochs=5).start()
    assert job.join(10)
    snap = job.snapshot()
    assert snap.stop_reason == "error" and "boom" in snap.error and "boom" in snap.stop_message


def test_stop_event_checked_between_steps():
    X, y = _sine_data(10000)
    trainer = supervised_trainer(mlp(1, [8], 1), X, y, batch_size=1)
    ev = threading.Event()
    ev.set()
    res = trainer.run(5, stop_event=ev)
    assert res.stop_reason == "stopped" and res.steps == 0 and res.epochs == 0


def test_model_at_reuse_keeps_one_copy_with_the_snapshot_weights():
    X, y = _sine_data(64)
    job = TrainingJob(supervised_trainer(mlp(1, [4], 1), X, y, batch_size=8), epochs=3).start()
    assert job.join(20)
    snap = job.snapshot()
    a = job.model_at(snap, reuse=True)
    b = job.model_at(snap, reuse=True)
    assert a is b and a is not job.model
    for p, q in zip(a.parameters(), job.model.parameters(), strict=True):
        assert torch.equal(p, q)


def test_lr_decay_multiplies_the_learning_rate_every_epoch():
    X, y = _sine_data(32)
    trainer = supervised_trainer(mlp(1, [4], 1), X, y, lr=0.1, batch_size=8, lr_decay=0.5)
    trainer.run(3)
    assert trainer.optimizer.param_groups[0]["lr"] == pytest.approx(0.1 * 0.5**3)
    with pytest.raises(ValueError, match="lr_decay"):
        supervised_trainer(mlp(1, [4], 1), X, y, lr_decay=1.5)


def _lrs_per_epoch(trainer):
    """The learning rate each epoch was trained with (read by a callback at epoch end)."""
    seen = []
    trainer.callbacks.append(lambda info: seen.append(trainer.optimizer.param_groups[0]["lr"]))
    return seen


def test_cosine_schedule_anneals_from_lr_to_near_zero_and_continue_restarts():
    X, y = _sine_data(32)
    trainer = supervised_trainer(mlp(1, [4], 1), X, y, lr=0.1, batch_size=8, lr_schedule="cosine")
    seen = _lrs_per_epoch(trainer)
    trainer.run(4)
    assert seen == pytest.approx(
        [0.1, 0.05 * (1 + math.cos(math.pi / 4)), 0.05, 0.05 * (1 - math.cos(math.pi / 4))]
    )
    trainer.run(2)  # Continue: a new cycle over the 2 new epochs
    assert seen[4:] == pytest.approx([0.1, 0.05])
    # combined with lr_decay the factors multiply
    trainer = supervised_trainer(
        mlp(1, [4], 1), X, y, lr=0.1, batch_size=8, lr_schedule="cosine", lr_decay=0.5
    )
    seen = _lrs_per_epoch(trainer)
    trainer.run(2)
    assert seen == pytest.approx([0.1, 0.1 * 0.5 * 0.5])
    with pytest.raises(ValueError, match="lr_schedule"):
        supervised_trainer(mlp(1, [4], 1), X, y, lr_schedule="linear")


def test_constant_schedule_keeps_the_learning_rate():
    X, y = _sine_data(32)
    trainer = supervised_trainer(mlp(1, [4], 1), X, y, lr=0.1, batch_size=8)
    seen = _lrs_per_epoch(trainer)
    trainer.run(3)
    assert seen == [0.1, 0.1, 0.1]


def test_early_stopping_starts_afresh_on_continue():
    X, y = _sine_data(32)
    cb = EarlyStopping(patience=3, monitor="train_loss")
    trainer = supervised_trainer(mlp(1, [4], 1), X, y, optimizer="sgd", lr=1e-12, callbacks=[cb])
    first = trainer.run(200)
    assert first.stop_reason == "early_stopping"
    stopped_at = first.epochs
    second = trainer.run(200)  # Continue: a fresh patience, not an immediate stop
    assert second.stop_reason == "early_stopping"
    assert second.epochs - stopped_at >= 3


def test_a_trainer_takes_an_optimizer_instance_and_schedules_its_lr():
    X, y = _sine_data(32)
    net = mlp(1, [4], 1)
    opt = torch.optim.SGD(net.parameters(), lr=0.2)
    trainer = supervised_trainer(net, X, y, optimizer=opt, batch_size=8, lr_decay=0.5)
    assert trainer.optimizer is opt
    trainer.run(2)
    assert opt.param_groups[0]["lr"] == pytest.approx(0.2 * 0.25)


def test_one_config_object_drives_every_entry_point():
    from nnkit.training import TrainConfig

    X, y = _sine_data(32)
    cfg = TrainConfig(optimizer="rmsprop", lr=1e-2, epochs=3, batch_size=8, seed=4)
    a = fit(mlp(1, [4], 1, seed=0), X, y, cfg)
    b = fit(
        mlp(1, [4], 1, seed=0), X, y, optimizer="rmsprop", lr=1e-2, epochs=3, batch_size=8, seed=4
    )
    assert a.history.train_loss == b.history.train_loss and a.epochs == 3
    assert fit(mlp(1, [4], 1, seed=0), X, y, cfg, epochs=1).epochs == 1  # keyword overrides
    with pytest.raises(TypeError, match="learning_rate"):
        fit(mlp(1, [4], 1), X, y, learning_rate=0.1)
    with pytest.raises(ValueError, match="optimizer"):
        TrainConfig(optimizer="adagrad")
