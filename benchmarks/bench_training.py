"""Training benchmarks (issue 7): fit() overhead, Rastrigin in 30 s, live-view cost.

* fit() vs a minimal hand-written torch loop on the same model, data and batches
  (goal: ratio ≤ 1.10).
* Rastrigin on [−5.12, 5.12]², 20,000 samples, 30 s of training each: R² on a 200×200
  test grid for our plain-MLP preset and our best preset (Fourier features), beside
  scikit-learn's MLPRegressor trained with ``partial_fit`` epochs until the same 30 s
  are spent (goal: ours ≥ 0.9995 and above sklearn). The peers (``benchmarks.peers``):
  the (128, 128, 128) MLP in a ``StandardScaler`` pipeline, as sklearn's docs say to run
  it; a (128, 128) tanh MLP on the same random Fourier features as our preset, which
  separates the recipe from the library; and, for reference only, the raw-input
  default. Our presets run as a user gets them on the page (``FitSettings.trainer``:
  their epochs, learning-rate schedule, batch size), stopped at 30 s wall clock if not
  done by then; the note gives epochs done, steps, wall and CPU time.
  Everything runs on one thread (torch: set here, as the app's policy does for its
  sessions; numpy BLAS: threadpoolctl).
* Live view: optimizer steps per second of a background :class:`TrainingJob` alone,
  and while the main thread redraws the MLP page's live frame 5 times a second (the
  same work the page's fragment does: snapshot, model copy, 56×56 prediction grid,
  one colour image encoded as PNG, loss-curve data); frames per second achieved
  (goals: ≥ 4 fps, slowdown ≤ 15 %). The browser's own drawing is not included.

The machine is shared: figures are noisy; the load average is printed in each note.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable

import numpy as np

from benchmarks import Row, median_time
from benchmarks.peers import PEERS, Peer

BUDGET = float(os.environ.get("NNKIT_BENCH_BUDGET", "30"))


def _load() -> str:
    return "load {:.1f} {:.1f} {:.1f}".format(*os.getloadavg())


# --------------------------------------------------------------------------- overhead
def _overhead_rows() -> list[Row]:
    from nnkit._torch import torch
    from nnkit.models import mlp
    from nnkit.training import fit

    rng = np.random.default_rng(0)
    X = rng.uniform(-1, 1, (4096, 2)).astype(np.float32)
    y = np.sin(3 * X[:, :1]) * np.cos(2 * X[:, 1:])
    Xt, yt = torch.from_numpy(X), torch.from_numpy(y.astype(np.float32))
    rows = []
    for bs in (32, 256):
        epochs = 3 if bs == 32 else 20

        def minimal(bs=bs, epochs=epochs):
            net = mlp(2, [64, 64], 1, seed=0)
            opt = torch.optim.Adam(net.parameters(), lr=1e-3)
            g = torch.Generator().manual_seed(0)
            n = len(Xt)
            for _ in range(epochs):
                perm = torch.randperm(n, generator=g)
                Xs, ys = Xt[perm], yt[perm]
                for i in range(0, n, bs):
                    opt.zero_grad()
                    loss = torch.nn.functional.mse_loss(net(Xs[i : i + bs]), ys[i : i + bs])
                    loss.backward()
                    opt.step()

        def ours(bs=bs, epochs=epochs):
            fit(mlp(2, [64, 64], 1, seed=0), X, y, lr=1e-3, epochs=epochs, batch_size=bs)

        # interleave to share the noise of a busy machine
        t_min, t_ours = [], []
        for _ in range(9):  # runs of ~0.3 s: a busy second core moves single ones by 20 %
            t_min.append(median_time(minimal, repeat=1, warmup=0))
            t_ours.append(median_time(ours, repeat=1, warmup=0))
        steps = epochs * (len(X) // bs)
        rows.append(
            Row(
                f"fit() overhead, MLP 2-64-64-1, batch {bs} ({steps} Adam steps)",
                float(np.median(t_ours)),
                float(np.median(t_min)),
                unit="s",
                peer_name="minimal torch loop",
                goal="ratio <= 1.10",
                note=_load(),
            )
        )
    return rows


# --------------------------------------------------------------------------- Rastrigin
def _grid():
    from nnkit.datasets import rastrigin

    g = np.linspace(-5.12, 5.12, 200)
    gx, gy = np.meshgrid(g, g)
    G = np.c_[gx.ravel(), gy.ravel()]
    return G, rastrigin(G[:, 0], G[:, 1])


def _ours_r2(preset: str, X, y, G, gy) -> tuple[float, str]:
    """The preset exactly as the page runs it (its epochs, lr schedule, ...), cut at BUDGET s."""
    from nnkit.fitting import PRESETS, builtin_target, r2_score
    from nnkit.models import predict

    s = PRESETS[preset]
    trainer = s.trainer(builtin_target("rastrigin"), X, y, max_seconds=BUDGET)
    cpu0 = time.process_time()
    res = trainer.run(s.epochs)
    cpu = time.process_time() - cpu0
    r2 = r2_score(gy, predict(trainer.model, G)[:, 0])
    return r2, (
        f"{res.epochs}/{s.epochs} epochs ({res.stop_reason}), {res.steps} steps in "
        f"{res.wall_time:.1f} s wall, {cpu:.1f} s CPU"
    )


def sklearn_estimator(peer: Peer, seed: int = 0):
    """The scikit-learn estimator of a fitting peer, built from its configuration only.

    ``config["scaler"] == "StandardScaler"``: a ``Pipeline(StandardScaler, MLPRegressor)``;
    otherwise the bare ``MLPRegressor``. ``config["mlp"]`` holds its parameters.
    """
    from sklearn.neural_network import MLPRegressor
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import StandardScaler

    cfg = peer.config
    mlp = MLPRegressor(solver=cfg["solver"], random_state=seed, **dict(cfg["mlp"]))
    if cfg.get("scaler") == "StandardScaler":
        return Pipeline([("scale", StandardScaler()), ("mlp", mlp)])
    if cfg.get("scaler") is not None:
        raise ValueError(f"{peer.key}: unknown scaler {cfg['scaler']!r}")
    return mlp


def fourier_features(X: np.ndarray, y: np.ndarray) -> Callable[[np.ndarray], np.ndarray]:
    """The input layers of nnkit's "Fourier features" preset (box → [-1, 1], then
    [sin 2πBx, cos 2πBx] with the preset's B), as a numpy transform."""
    from nnkit._torch import torch
    from nnkit.fitting import PRESETS, builtin_target

    target = builtin_target("rastrigin")
    model = PRESETS["Fourier features"].build_model(target.dim, X, y, target.domain)
    encode = torch.nn.Sequential(*list(model)[:2])  # Affine to [-1, 1], FourierFeatures

    def transform(Z: np.ndarray) -> np.ndarray:
        with torch.no_grad():
            return encode(torch.as_tensor(Z, dtype=torch.float32)).double().numpy()

    return transform


def _sklearn_r2(peer: Peer, X, y, G, gy) -> tuple[float, str]:
    """A scikit-learn peer trained by ``partial_fit`` epochs until BUDGET s, R² on the grid."""
    from threadpoolctl import threadpool_limits

    from nnkit.metrics import r2_score

    cfg = peer.config
    if cfg.get("features", "").startswith("nnkit preset 'Fourier features'"):
        encode = fourier_features(X, y)
        X, G = encode(X), encode(G)
    loc, scale = (float(np.mean(y)), float(np.std(y))) if cfg.get("target_scaler") else (0.0, 1.0)
    yt = (y - loc) / scale
    with threadpool_limits(cfg["threads"]):
        est = sklearn_estimator(peer)
        steps = est[:-1] if hasattr(est, "steps") else None
        mlp = est[-1] if steps is not None else est
        Xt = steps.fit_transform(X) if steps is not None else X
        t0 = time.perf_counter()
        epochs = 0
        while time.perf_counter() - t0 < BUDGET:
            mlp.partial_fit(Xt, yt)
            epochs += 1
        wall = time.perf_counter() - t0
        pred = est.predict(G) * scale + loc
    return r2_score(gy, pred), f"{epochs} epochs in {wall:.1f} s"


def _rastrigin_rows() -> list[Row]:
    from nnkit.datasets import rastrigin

    rng = np.random.default_rng(0)
    X = rng.uniform(-5.12, 5.12, (20_000, 2))
    y = rastrigin(X[:, 0], X[:, 1])
    G, gy = _grid()
    default, scaled, fourier = (
        PEERS[k] for k in ("sklearn-mlp-default", "sklearn-mlp-scaled", "sklearn-mlp-fourier")
    )
    sk_def, sk_def_note = _sklearn_r2(default, X, y, G, gy)
    sk_sc, sk_sc_note = _sklearn_r2(scaled, X, y, G, gy)
    sk_ff, sk_ff_note = _sklearn_r2(fourier, X, y, G, gy)
    plain, plain_note = _ours_r2("plain MLP", X, y, G, gy)
    best, best_note = _ours_r2("Fourier features", X, y, G, gy)
    b = f"{BUDGET:g} s"
    return [
        scaled.row(f"Rastrigin R² in {b}: Fourier-features preset", best, sk_sc, unit="R²",
                   goal="ours >= 0.9995 and > peer",
                   note=f"ours {best_note}; peer {sk_sc_note}; {_load()}"),
        scaled.row(f"Rastrigin R² in {b}: plain-MLP preset", plain, sk_sc, unit="R²",
                   goal="ours > peer", note=f"ours {plain_note}; peer {sk_sc_note}; {_load()}"),
        fourier.row(f"Rastrigin R² in {b}: Fourier-features preset, same features both sides",
                    best, sk_ff, unit="R²", goal="recipe vs library",
                    note=f"ours {best_note}; peer {sk_ff_note}; {_load()}"),
        default.row(f"Rastrigin R² in {b}: plain-MLP preset", plain, sk_def, unit="R²",
                    goal="(reference only)",
                    note=f"peer {sk_def_note}; not the peer: sklearn's docs say to scale; {_load()}"),
    ]  # fmt: skip


# --------------------------------------------------------------------------- live view
def _frame(job, target, still, truth_uri) -> None:
    """What the MLP page's fragment computes per refresh (minus the websocket/browser)."""
    from nnkit.fitting import live_view
    from nnkit.plots.fitting import field_image, loss_spec
    from nnkit.ui.live_training import png_data_uri

    snap = job.snapshot()
    job.heartbeat()
    lv = live_view(
        job.model_at(snap, reuse=True), target, n=56, window_factor=1.0, truth=still.truth
    )
    lo, hi = float(np.nanmin(still.truth)), float(np.nanmax(still.truth))
    html = truth_uri + png_data_uri(field_image(lv.prediction, lo, hi, pixels=1))
    cached = getattr(job, "_nnkit_loss_chart", None)  # as the widget: only after a new epoch
    if len(snap.history) and (cached is None or cached[0] != len(snap.history)):
        job._nnkit_loss_chart = (len(snap.history), *loss_spec(snap.history))
        job._nnkit_loss_chart[1].to_json()
    del html


def _live_rows(seconds: float = 5.0, fps: float = 5.0) -> list[Row]:
    from nnkit.fitting import PRESETS, builtin_target, make_data
    from nnkit.training import TrainingJob

    target = builtin_target("rastrigin")
    X, y = make_data(target, 5000, 0.0, 0)

    from nnkit.fitting import live_view
    from nnkit.plots.fitting import field_image
    from nnkit.ui.live_training import png_data_uri

    still = live_view(
        PRESETS["plain MLP"].build_model(2, X, y, target.domain), target, n=56, window_factor=1.0
    )
    truth_uri = png_data_uri(
        field_image(still.truth, still.truth.min(), still.truth.max(), pixels=1)
    )

    def new_job():
        return TrainingJob(
            PRESETS["plain MLP"].trainer(target, X, y, val_fraction=0.1), epochs=10**6
        )

    def steps_per_second(with_view: bool) -> tuple[float, float]:
        job = new_job().start()
        time.sleep(0.5)  # warm up
        s0, t0 = job.snapshot(), time.perf_counter()
        steps0 = job.trainer.steps_done + job.trainer.steps_in_epoch
        frames = 0
        while time.perf_counter() - t0 < seconds:
            if with_view:
                t_frame = time.perf_counter()
                _frame(job, target, still, truth_uri)
                frames += 1
                time.sleep(max(0.0, 1.0 / fps - (time.perf_counter() - t_frame)))
            else:
                time.sleep(0.05)
        steps1 = job.trainer.steps_done + job.trainer.steps_in_epoch
        wall = time.perf_counter() - t0
        job.stop()
        job.join()
        del s0
        return (steps1 - steps0) / wall, frames / wall

    # alternate runs without and with the view: the machine's load drifts between runs
    # (pairs, median of each: one pair hit by a burst of load elsewhere does not decide)
    alone, viewed, fps_seen = [], [], []
    for _ in range(5):
        alone.append(steps_per_second(False)[0])
        v, f = steps_per_second(True)
        viewed.append(v)
        fps_seen.append(f)
    base, viewed = float(np.median(alone)), float(np.median(viewed))
    achieved = float(np.median(fps_seen))
    return [
        Row("live view: frames per second while training", achieved, fps, unit="fps",
            peer_name="requested refresh rate", goal=">= 4 fps", note=_load()),
        Row("live view: training steps/s with the view", viewed, base, unit="steps/s",
            peer_name="same job without a view", goal="ratio >= 0.85 (<= 15 % slower)",
            note=f"plain-MLP preset, 5000 samples; {_load()}"),
    ]  # fmt: skip


def run() -> list[Row]:
    import torch

    threads = torch.get_num_threads()
    torch.set_num_threads(1)  # nnkit sets no thread count; the app's policy gives one
    try:
        return _overhead_rows() + _live_rows() + _rastrigin_rows()
    finally:
        torch.set_num_threads(threads)


if __name__ == "__main__":
    for r in run():
        print(r)
