"""The page's MLP on a :class:`~nnkit.tabular.Prepared` split: settings, a trainer for a live view, a full run.

:class:`MLPConfig` holds the network and training settings as one frozen (hashable)
value; :func:`mlp_model` makes the :class:`~nnkit.tabular.TabularModel` of a split with
a :class:`~nnkit.tabular.TorchMLPRegressor`; :func:`mlp_trainer` fits all but the
network and returns its :class:`~nnkit.training.Trainer` (for a
:class:`~nnkit.training.TrainingJob`: Start, Stop, Continue); :func:`train_mlp` trains
it to the end.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass, replace
from typing import TYPE_CHECKING, Any

from nnkit._text import counted
from nnkit.limits import Limits
from nnkit.tabular.best_weights import BestWeights
from nnkit.tabular.estimators import TabularClassifier, TabularModel
from nnkit.tabular.networks import TorchMLPClassifier, TorchMLPRegressor
from nnkit.tabular.prepare import Prepared

if TYPE_CHECKING:
    from nnkit.tabular.search import SearchSpace
    from nnkit.training import TrainResult

__all__ = [
    "MLPConfig",
    "MLPRun",
    "kept_text",
    "mlp_model",
    "mlp_trainer",
    "network_text",
    "run_summary",
    "train_mlp",
]


@dataclass(frozen=True)
class MLPConfig:
    """Settings of the tabular MLP and of its training (see :class:`TorchMLPRegressor`).

    Attributes
    ----------
    hidden : tuple of int, default (64, 64)
        Hidden layer widths.
    activation : str, default "silu"
        A name of :data:`nnkit.activations.ACTIVATIONS`.
    lr : float, default 1e-3
        Adam's learning rate.
    batch_size : int, default 32
        Rows per step.
    epochs : int, default 1000
        Upper bound; early stopping usually ends the run much sooner.
    patience : int, default 40
        Early stopping: epochs without a better validation loss before stopping.
    val_fraction : float, default 0.15
        Part of the *training* rows held out for the validation loss (the test rows
        are never seen during training); raised for a small table (``min_val_rows``).
    weight_decay : float, default 1e-2
        Adam's L2 penalty. With the one-hot columns of a real file (Kaggle's Ames: 278
        inputs, 1,168 training rows) it keeps the network within 0.02 R² of gradient
        boosting, where without it the gap was 0.03–0.05 (``benchmarks/bench_tabular.py``).
    max_seconds : float or None
        Time budget of a run.
    linear_path : bool, default False
        Add a linear map from the inputs to the output, starting at zero
        (:func:`~nnkit.tabular.networks.with_linear_path`).
    members : int, default 1
        Networks averaged (:func:`~nnkit.tabular.networks.mean_of`).
    linear_start : bool, default False
        With ``linear_path``: the network starts as the linear baseline fitted on its
        training rows (ridge or logistic regression), its MLP's last layer at zero.
    average_best : int, default 3
        The model kept averages the weights of this many epochs, those with the lowest
        validation losses (:class:`~nnkit.tabular.BestWeights`; 1: the best epoch's).
        Three lifted the test R² on 17 of the 20 seeded house-price runs of
        ``benchmarks/bench_tabular.py`` (California-like: all five, by 0.003–0.005;
        an Ames-like split from 0.8920, below ridge's 0.8922, to 0.8960) and left the
        classification sets' accuracy unchanged; ten averaged too far from the best
        epoch (an Ames-like split from 0.8215 to 0.7884).
    min_val_rows : int, default 30
        Validation rows at least (:meth:`for_rows`, up to 30 % of the training rows).
        On scikit-learn's wine table 15 % is 21 rows: a network that classified them
        all right kept lowering their log-loss by growing more confident, trained all
        1,000 epochs and got a borderline test wine wrong at 74 %. With 30 rows, over
        the 15 splits of ``benchmarks/bench_tabular.py``, wine's MLP went from 529 to
        530 of 540 test rows (logistic regression: 530) and iris's from 438 to 439 of
        450 (436); a table of 200 training rows or more is not affected.
    """

    hidden: tuple[int, ...] = (64, 64)
    activation: str = "silu"
    lr: float = 1e-3
    batch_size: int = 32
    epochs: int = 1000
    patience: int = 40
    val_fraction: float = 0.15
    weight_decay: float = 1e-2
    max_seconds: float | None = None
    linear_path: bool = False
    members: int = 1
    linear_start: bool = False
    average_best: int = 3
    min_val_rows: int = 30

    def for_rows(self, n_rows: int) -> MLPConfig:
        """These settings for ``n_rows`` training rows.

        ``val_fraction`` is raised to hold out at least ``min_val_rows`` of them (never
        more than 30 %).

        Parameters
        ----------
        n_rows : int
            Training rows (validation rows included).

        Returns
        -------
        MLPConfig
            ``self`` when the fraction already holds enough rows (200 rows or more at 15 %).
        """
        need = min(0.3, self.min_val_rows / max(int(n_rows), 1))
        return self if need <= self.val_fraction else replace(self, val_fraction=need)

    def _network_params(self) -> dict[str, Any]:
        params = asdict(self)
        del params["min_val_rows"]  # applied by for_rows, not a setting of the network
        return params

    def regressor(self, seed: int = 0, limits: Limits | None = None) -> TorchMLPRegressor:
        """The :class:`TorchMLPRegressor` with these settings.

        Parameters
        ----------
        seed : int
            Weights, validation split and batch order.
        limits : Limits, optional
            Caps on the run.

        Returns
        -------
        TorchMLPRegressor
        """
        return TorchMLPRegressor(**self._network_params(), seed=int(seed), limits=limits)

    def classifier(self, seed: int = 0, limits: Limits | None = None) -> TorchMLPClassifier:
        """The :class:`TorchMLPClassifier` with these settings.

        Parameters
        ----------
        seed : int
            Weights, validation split and batch order.
        limits : Limits, optional
            Caps on the run.

        Returns
        -------
        TorchMLPClassifier
        """
        return TorchMLPClassifier(**self._network_params(), seed=int(seed), limits=limits)


def mlp_model(
    data: Prepared,
    config: MLPConfig | None = None,
    *,
    seed: int | None = None,
    limits: Limits | None = None,
    n_threads: int | None = None,
) -> TabularModel | TabularClassifier:
    """The (unfitted) MLP model of a split: its columns, target transform and network.

    Parameters
    ----------
    data : Prepared
        Supplies the columns, ``log_target``, the target's name and the default seed.
    config : MLPConfig, optional
        Network and training settings.
    seed : int, optional
        Default ``data.seed``.
    limits : Limits, optional
        Caps on the run (default: none).
    n_threads : int, optional
        See :class:`TabularModel`.

    Returns
    -------
    TabularModel or TabularClassifier
        Named "MLP": a :class:`TorchMLPClassifier` (cross-entropy) when ``data.task`` is
        a classification, else a :class:`TorchMLPRegressor`.
    """
    config = (config or MLPConfig()).for_rows(len(data.X_train))
    seed = data.seed if seed is None else int(seed)
    common: dict[str, Any] = {
        "target": data.target,
        "name": "MLP",
        "n_threads": n_threads,
        "heavy_tailed": data.heavy_tailed,
    }
    if data.task == "classification":
        net = config.classifier(seed, limits)
        return TabularClassifier(net, data.numeric, data.categorical, **common)
    reg = config.regressor(seed, limits)
    clip = data.target_cap is not None
    return TabularModel(
        reg, data.numeric, data.categorical, log_target=data.log_target, clip_target=clip, **common
    )


class MLPRun:
    """An MLP being trained on a :class:`~nnkit.tabular.Prepared` split (see :func:`mlp_trainer`).

    Parameters
    ----------
    model : TabularModel or TabularClassifier or None
        Fitted but for its network, which ``trainer`` trains (None when ``trainer`` is a
        :class:`~nnkit.tabular.HalvingSearch`: its leader is the model).
    trainer : nnkit.training.Trainer or HalvingSearch
        Run it (``trainer.run(epochs)``) or hand it to a ``TrainingJob``.
    """

    def __init__(self, model: TabularModel | TabularClassifier | None, trainer: Any) -> None:
        self._model = model
        self.trainer = trainer

    @property
    def model(self) -> TabularModel | TabularClassifier:
        """The model: ``predict`` uses the weights kept so far (of the search's leader)."""
        if self._model is None:
            lead: TabularModel | TabularClassifier = self.trainer.tabular_model
            return lead
        return self._model

    @property
    def best(self) -> BestWeights:
        """The callback that keeps the best weights."""
        best: BestWeights = self.model.estimator_.best_
        return best

    @property
    def search(self) -> Any:
        """The :class:`~nnkit.tabular.HalvingSearch`, or None for a run of fixed settings."""
        return None if self._model is not None else self.trainer


def mlp_trainer(
    data: Prepared,
    config: MLPConfig | None = None,
    *,
    search: SearchSpace | None = None,
    seed: int | None = None,
    limits: Limits | None = None,
    n_threads: int | None = None,
) -> MLPRun:
    """Build the MLP model of a split and its trainer, not yet run.

    Parameters
    ----------
    data : Prepared
        The split (the model fits on ``X_train``, ``y_train``).
    config : MLPConfig, optional
        Network and training settings (with ``search``: the ones it does not choose).
    search : SearchSpace, optional
        Choose width, weight decay and learning rate among these on the validation
        rows first (:class:`~nnkit.tabular.HalvingSearch`), within the same run.
    seed : int, optional
        Default ``data.seed``: the weights, the validation split and the batch order.
    limits : Limits, optional
        Caps on the run (default: none); the time cap covers the search.
    n_threads : int, optional
        See :class:`TabularModel`.

    Returns
    -------
    MLPRun
        Its ``trainer`` is a :class:`~nnkit.training.Trainer`, or the
        :class:`~nnkit.tabular.HalvingSearch` with ``search``.
    """
    if search is not None:
        from nnkit.tabular.search import HalvingSearch

        hs = HalvingSearch(data, config, search, seed=seed, limits=limits, n_threads=n_threads)
        return MLPRun(None, hs)
    model = mlp_model(data, config, seed=seed, limits=limits, n_threads=n_threads)
    return MLPRun(model, model.trainer(data.X_train, data.y_train))


def train_mlp(
    data: Prepared,
    config: MLPConfig | None = None,
    *,
    search: SearchSpace | bool | None = None,
    seed: int | None = None,
    limits: Limits | None = None,
    n_threads: int | None = None,
) -> tuple[TabularModel | TabularClassifier, TrainResult]:
    """Train the MLP to the end (early stopping, epoch or time cap) and keep its best epoch(s).

    Parameters
    ----------
    data : Prepared
        The split.
    config : MLPConfig, optional
        Network and training settings.
    search : SearchSpace or bool, optional
        Choose width, weight decay and learning rate on the validation rows first
        (:class:`~nnkit.tabular.HalvingSearch`; True: the default
        :class:`~nnkit.tabular.SearchSpace`). Default: search when no ``config`` is
        given, else train ``config`` as it is.
    seed : int, optional
        Default ``data.seed``.
    limits : Limits, optional
        Caps on the run (default: none).
    n_threads : int, optional
        See :class:`TabularModel`.

    Returns
    -------
    model : TabularModel
        Named "MLP"; ``fit_seconds`` is the training wall time (search included).
    result : nnkit.training.TrainResult
        History (training and validation loss per epoch, on the standardised target),
        stop reason.
    """
    if search is None:
        search = config is None
    if search is not False:
        from nnkit.tabular.search import SearchSpace

        space = SearchSpace() if search is True else search
        run = mlp_trainer(data, config, search=space, seed=seed, limits=limits, n_threads=n_threads)
        result = run.trainer.run()
        return run.model, result
    model = mlp_model(data, config, seed=seed, limits=limits, n_threads=n_threads)
    model.fit(data.X_train, data.y_train)
    return model, model.estimator_.trainer_.result()


LOSS_NAME = {"regression": "MSE on the standardised target", "classification": "cross-entropy"}
"""The loss the MLP trains on, per task, in the few words a caption or an axis title uses."""


def network_text(
    data: Prepared,
    config: MLPConfig,
    search: SearchSpace | None = None,
    budget: float | None = None,
) -> tuple[str, str]:
    """The network a page is about to train, and how it trains, in sentences.

    Parameters
    ----------
    data : Prepared
        The split (inputs, task, classes).
    config : MLPConfig
        The settings (with ``search``: the ones the search does not choose).
    search : SearchSpace, optional
        Width, weight decay and learning rate are chosen on the validation rows.
    budget : float, optional
        The run's time budget in seconds (a fair-use cap).

    Returns
    -------
    (str, str)
        The network (layers, neurons, inputs → outputs; what Start does) and the
        training (batches, optimizer, loss, validation rows, early stopping, the budget).
    """
    asked, config = config, config.for_rows(len(data.Z_train))
    layers, act = len(config.hidden), config.activation
    n_classes = len(data.classes)
    outputs = (
        "1"
        if data.task == "regression"
        else f"{n_classes} (softmax)"
        if n_classes > 2
        else "1 (sigmoid)"
    )
    widths = ["width"] * layers if search else [str(h) for h in config.hidden]
    neurons = f"{act} neurons" if search else f"{config.hidden[0]} {act} neurons"
    members, path, start = config.members, config.linear_path, config.linear_start
    if search:
        n_fit = int(round(len(data.Z_train) * (1 - config.val_fraction)))
        members, path = search.members_for(n_fit), search.linear_path
        start = data.task in search.linear_start
    plus = " plus a linear path from the inputs to the output" if path else ""
    if path and start:
        line = "ridge" if data.task == "regression" else "logistic"
        plus += f" that starts as the {line} regression of the training rows"
    mean = f", the mean of {members} such networks trained in turn" if members > 1 else ""
    network = (
        f"An MLP with {layers} hidden layer{'' if layers == 1 else 's'} of {neurons} ({data.Z_train.shape[1]} inputs → "
        f"{' → '.join(widths)} → {outputs}){plus}{mean}"
        + (
            ": **Start** first chooses the width, the weight decay and the learning rate on "
            "the validation rows, then trains the chosen network on. "
            if search
            else ". "
        )
        + "Watch the training and validation losses; **Stop** keeps the best model so far."
    )
    loss = LOSS_NAME[data.task].replace("MSE", "mean squared error")
    batches = (
        "Batches sized by the rows (32 to 512)"
        if search
        else f"Mini-batches of {config.batch_size}"
    )
    cap = f" (or after {budget:g} s, the fair-use cap, search included)" if budget else ""
    n_val = int(round(config.val_fraction * len(data.Z_train)))  # as the trainer rounds
    floor = ""
    if config is not asked:  # raised by min_val_rows
        floor = (
            f": at least {config.min_val_rows}, fewer cannot judge a network"
            if n_val >= config.min_val_rows
            else f": the most a table this small can spare; {config.min_val_rows} would be better"
        )
    kept = (
        f"averages the weights of the {config.average_best} epochs with the lowest validation "
        "losses."
        if config.average_best > 1
        else "is the one of the best validation epoch."
    )
    training = (
        f"{batches}, Adam, {loss}. {config.val_fraction:.0%} of the training rows "
        f"({counted(n_val, 'row')}{floor}) are held out as the validation set: training stops "
        f"after {config.patience} epochs without a better validation loss{cap}, and the model "
        f"kept {kept}"
    )
    return network, training


def run_summary(
    stop_reason: str | None,
    epochs: int,
    seconds: float,
    best_epoch: int | None,
    *,
    patience: int | None = None,
    epochs_asked: int | None = None,
    time_budget: float | None = None,
    kept: Sequence[tuple[int, float]] | None = None,
) -> str:
    """How a training run ended and which epoch's weights are kept, in one or two sentences.

    Parameters
    ----------
    stop_reason : str or None
        A key of :data:`nnkit.training.STOP_REASONS`.
    epochs : int
        Epochs trained (cumulative).
    seconds : float
        Training time (cumulative).
    best_epoch : int or None
        The epoch with the lowest validation loss (the model kept).
    patience : int, optional
        Early stopping's patience (said when it stopped the run).
    epochs_asked : int, optional
        Epochs the run was asked for (said when a cap cut it).
    time_budget : float, optional
        The time budget in seconds (said when it cut the run).
    kept : sequence of (int, float), optional
        ``(epoch, validation loss)`` of the epochs whose weights the model kept averages,
        best first (``BestWeights.kept()``), when there are more than one.

    Returns
    -------
    str
    """
    from nnkit.training import STOP_REASONS

    of = f" of {epochs_asked}" if epochs_asked else ""
    more = ": press Continue to train further"
    why = {
        "early_stopping": "stopped early: the validation loss stopped improving"
        + (f" (no better epoch in the last {patience})" if patience else ""),
        "completed": f"all {epochs_asked} requested epochs done" if epochs_asked else "done",
        "time_limit": (
            f"stopped by the {time_budget:g} s cap" if time_budget else "stopped by the time budget"
        )
        + f" at epoch {epochs}{of}{more}",
        "epoch_limit": f"stopped by the epoch cap at epoch {epochs}{of}",
        "stopped": f"stopped by you at epoch {epochs}{of}{more}",
        "abandoned": f"stopped at epoch {epochs}{of} when its page went away{more}",
    }.get(stop_reason or "", STOP_REASONS.get(stop_reason or "", "not started"))
    text = f"Trained {counted(epochs, 'epoch')} in {seconds:.1f} s; {why}."
    if best_epoch is not None:
        pairs = list(kept) if kept and kept[0][0] == best_epoch else [(best_epoch, math.nan)]
        text += " " + kept_text(pairs)
    return text


def kept_text(kept: Sequence[tuple[int, float]]) -> str:
    """Which epochs' weights the model kept holds, in a sentence ("" before any).

    Parameters
    ----------
    kept : sequence of (int, float)
        ``(epoch, validation loss)`` of the kept epochs, best first
        (``BestWeights.kept()``); with several, their losses say how close they are.

    Returns
    -------
    str
    """
    if not kept:
        return ""
    (first, low), (_, high) = kept[0], kept[-1]
    if len(kept) == 1:
        return f"The model kept is the one of epoch {first}, the lowest validation loss."
    listed = sorted(epoch for epoch, _ in kept)
    names = ", ".join(map(str, listed[:-1])) + f" and {listed[-1]}"
    span = (
        f"{low:.4g} at epoch {first} to {high:.4g}"
        if math.isfinite(low) and math.isfinite(high)
        else f"the lowest at epoch {first}"
    )
    return (
        f"The model kept averages the weights of epochs {names}, the {len(kept)} lowest "
        f"validation losses ({span})."
    )
