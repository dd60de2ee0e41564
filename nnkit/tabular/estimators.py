"""Estimators in scikit-learn's style: a torch MLP regressor and the model of a whole table.

* :class:`TorchMLPRegressor`: nnkit's MLP on a numeric matrix, trained by
  :mod:`nnkit.training` (Adam, mini-batches, a validation split, early stopping). It
  standardises its target itself and predicts with the weights of its best validation
  epoch. ``fit`` trains to the end; ``fit(X, y, epochs=0)`` builds the network and its
  :class:`~nnkit.training.Trainer` (``trainer_``) without training, for a
  :class:`~nnkit.training.TrainingJob` to run, stop and continue.
* :class:`TabularModel`: raw table rows in, predictions in the target's units out. Its
  ``fit`` builds one scikit-learn ``Pipeline``: the preprocessing of
  :func:`~nnkit.tabular.make_preprocessor`, then the regressor — wrapped in a
  ``TransformedTargetRegressor`` (``log``/``exp``) when the target is learned on a log
  scale.

Example
-------
>>> from nnkit import tabular
>>> table = tabular.load_csv("data/house_prices.csv")
>>> data = tabular.prepare(table.frame, "House_Price", ["Square_Footage", "Num_Bedrooms"])
>>> model = tabular.TabularModel(tabular.TorchMLPRegressor(epochs=5), data.numeric, data.categorical)
>>> model.fit(data.X_train, data.y_train).predict(data.X_test).shape == data.y_test.shape
True
"""

from __future__ import annotations

import contextlib
import math
import threading
import time
from collections.abc import Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike
from sklearn.base import BaseEstimator, RegressorMixin
from sklearn.compose import TransformedTargetRegressor
from sklearn.pipeline import Pipeline
from sklearn.utils.validation import check_array, check_is_fitted, column_or_1d

from nnkit.limits import Limits
from nnkit.tabular.io import TabularError
from nnkit.tabular.prepare import make_preprocessor

if TYPE_CHECKING:
    import torch

    from nnkit.training import EpochInfo, History, TrainConfig, Trainer

__all__ = ["BestWeights", "TabularModel", "TorchMLPRegressor", "thread_limit"]

StateDict = dict[str, "torch.Tensor"]


@contextlib.contextmanager
def thread_limit(n_threads: int | None) -> Iterator[None]:
    """Limit native thread pools (OpenMP, BLAS) to ``n_threads`` inside the block.

    Gradient boosting spin-waits on every core it is given; on a small shared server
    one thread is many times faster (``benchmarks/bench_tabular.py``). The library
    leaves the pools alone unless asked.

    Parameters
    ----------
    n_threads : int or None
        Threads per pool; None changes nothing.

    Yields
    ------
    None
    """
    if n_threads is None:
        yield
        return
    from threadpoolctl import threadpool_limits

    with threadpool_limits(limits=int(n_threads)):
        yield


class BestWeights:
    """Callback for :mod:`nnkit.training`: keeps a copy of the weights at the best epoch.

    "Best" is the lowest validation loss (the training loss when there is no
    validation set), over every run of the trainer (it is not reset by Continue).
    Thread-safe: a page may read :meth:`best` while a
    :class:`~nnkit.training.TrainingJob` trains, and after Stop it still has the best
    model seen so far.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.loss = math.inf
        self.epoch: int | None = None
        self._state: StateDict | None = None

    @classmethod
    def holding(cls, state: StateDict, epoch: int | None, loss: float = math.nan) -> BestWeights:
        """A callback that already holds ``state`` as its best (for a loaded model).

        Parameters
        ----------
        state : dict of str to tensor
            The weights.
        epoch : int or None
            The epoch they are from.
        loss : float
            Their loss.

        Returns
        -------
        BestWeights
        """
        out = cls()
        out._state, out.epoch, out.loss = state, epoch, loss
        return out

    def __call__(self, info: EpochInfo) -> bool:
        """Copy the weights if this epoch's loss is the lowest so far; never stops."""
        value = info.val_loss if math.isfinite(info.val_loss) else info.train_loss
        if math.isfinite(value) and value < self.loss:
            state = {k: v.detach().clone() for k, v in info.model.state_dict().items()}
            with self._lock:
                self.loss, self.epoch, self._state = float(value), int(info.epoch), state
        return False

    def best(self) -> tuple[StateDict | None, int | None, float]:
        """``(state_dict copy, epoch, loss)`` of the best epoch so far (None before one).

        Returns
        -------
        tuple
        """
        with self._lock:
            return self._state, self.epoch, self.loss


class TorchMLPRegressor(RegressorMixin, BaseEstimator):
    """A multi-layer perceptron regressor in torch, trained by :mod:`nnkit.training`.

    The network (:func:`nnkit.models.mlp`) learns the standardised target
    ``(y - y_loc_) / y_scale_`` with Adam on shuffled mini-batches and mean squared
    error. ``val_fraction`` of the rows are held out (seeded) for the validation loss;
    training stops after ``patience`` epochs without a better one, and ``predict``
    uses the weights of the best validation epoch (:class:`BestWeights`).

    Parameters
    ----------
    hidden : tuple of int, default (64, 64)
        Hidden layer widths.
    activation : str, default "silu"
        A name of :data:`nnkit.activations.ACTIVATIONS`.
    lr : float, default 1e-3
        Adam's learning rate.
    weight_decay : float, default 1e-2
        Adam's L2 penalty.
    batch_size : int, default 32
        Rows per optimizer step.
    epochs : int, default 1000
        Most epochs ``fit`` trains (early stopping usually ends sooner).
    patience : int or None, default 40
        Early stopping: epochs without a better validation loss; None: no early stop.
    val_fraction : float, default 0.15
        Fraction of the rows held out for the validation loss.
    max_seconds : float or None
        Time budget of each run.
    seed : int, default 0
        Seeds the weights, the validation split and the batch order.
    limits : Limits, optional
        Caps on rows, epochs and seconds (default: none).

    Attributes
    ----------
    n_features_in_ : int
        Number of input columns.
    y_loc_, y_scale_ : float
        Mean and standard deviation of the training target (1 if it is constant).
    model_ : torch.nn.Sequential
        The network being trained (the last epoch's weights).
    best_ : BestWeights
        The weights of the best epoch, which ``predict`` uses.
    trainer_ : nnkit.training.Trainer or None
        Run it again to continue training (None for a model read from a file).
    """

    def __init__(
        self,
        hidden: Sequence[int] = (64, 64),
        activation: str = "silu",
        lr: float = 1e-3,
        weight_decay: float = 1e-2,
        batch_size: int = 32,
        epochs: int = 1000,
        patience: int | None = 40,
        val_fraction: float = 0.15,
        max_seconds: float | None = None,
        seed: int = 0,
        limits: Limits | None = None,
    ) -> None:
        self.hidden = hidden
        self.activation = activation
        self.lr = lr
        self.weight_decay = weight_decay
        self.batch_size = batch_size
        self.epochs = epochs
        self.patience = patience
        self.val_fraction = val_fraction
        self.max_seconds = max_seconds
        self.seed = seed
        self.limits = limits

    def train_config(self) -> TrainConfig:
        """The :class:`~nnkit.training.TrainConfig` these parameters make.

        Returns
        -------
        TrainConfig
        """
        from nnkit.training import TrainConfig

        return TrainConfig(
            optimizer="adam",
            lr=float(self.lr),
            weight_decay=float(self.weight_decay),
            epochs=int(self.epochs),
            batch_size=int(self.batch_size),
            loss="mse",
            val_fraction=float(self.val_fraction),
            seed=int(self.seed),
            max_seconds=self.max_seconds,
        )

    def _network(self) -> torch.nn.Sequential:
        from nnkit.models import mlp

        hidden = [int(h) for h in self.hidden]
        return mlp(self.n_features_in_, hidden, 1, activation=self.activation, seed=int(self.seed))

    def fit(self, X: ArrayLike, y: ArrayLike, *, epochs: int | None = None) -> TorchMLPRegressor:
        """Build the network and train it (or only build it, with ``epochs=0``).

        Parameters
        ----------
        X : array_like, shape (n, d)
            Inputs (finite numbers).
        y : array_like, shape (n,)
            Target.
        epochs : int, optional
            Train this many epochs instead of ``self.epochs``. ``0`` builds the network
            and ``trainer_`` and trains nothing: run ``trainer_`` yourself (e.g. in a
            :class:`~nnkit.training.TrainingJob`); ``predict`` follows its best epoch.

        Returns
        -------
        TorchMLPRegressor
            self, fitted.
        """
        from nnkit.training import EarlyStopping, supervised_trainer

        A = check_array(X, dtype=np.float64)
        t = column_or_1d(np.asarray(y, dtype=np.float64))
        if len(t) != len(A):
            raise ValueError(f"X has {len(A)} rows but y has {len(t)}")
        self.n_features_in_ = int(A.shape[1])
        self.y_loc_ = float(np.mean(t))
        scale = float(np.std(t))
        self.y_scale_ = scale if scale > 0 else 1.0
        self.model_ = self._network()
        self.best_ = BestWeights()
        callbacks: list[Any] = [self.best_]
        if self.patience is not None:
            callbacks.append(EarlyStopping(patience=int(self.patience)))
        self.trainer_: Trainer | None = supervised_trainer(
            self.model_,
            A,
            (t - self.y_loc_) / self.y_scale_,
            self.train_config(),
            callbacks=callbacks,
            limits=self.limits,
        )
        n = self.epochs if epochs is None else epochs
        if int(n) > 0:
            self.trainer_.run(int(n))
        return self

    def _best_network(self) -> torch.nn.Module:
        """A network holding the best weights so far (the current ones before any epoch)."""
        state, _, _ = self.best_.best()
        if state is None:
            return self.model_
        cached = self.__dict__.get("_best_net")
        if cached is None or cached[0] is not state:
            net = self._network()
            net.load_state_dict(state)
            net.eval()
            cached = (state, net)
            self._best_net = cached
        return cached[1]

    def predict(self, X: ArrayLike) -> np.ndarray:
        """Predictions with the weights of the best validation epoch.

        Parameters
        ----------
        X : array_like, shape (n, n_features_in_)
            Inputs.

        Returns
        -------
        numpy.ndarray, shape (n,)
            ``y_loc_ + y_scale_ * net(X)`` in float64.
        """
        from nnkit.models import predict

        check_is_fitted(self, "best_")
        A = check_array(X, dtype=np.float64)
        if A.shape[1] != self.n_features_in_:
            raise ValueError(f"X has {A.shape[1]} columns; the network takes {self.n_features_in_}")
        return self.y_loc_ + self.y_scale_ * predict(self._best_network(), A)[:, 0]

    @property
    def history_(self) -> History | None:
        """Training and validation loss per epoch (None for a model read from a file)."""
        return None if self.trainer_ is None else self.trainer_.history

    @property
    def best_epoch_(self) -> int | None:
        """The epoch whose weights ``predict`` uses (None before the first epoch)."""
        return self.best_.best()[1]

    @property
    def fit_seconds_(self) -> float:
        """Training wall time, cumulative over continued runs (0 for a loaded model)."""
        return 0.0 if self.trainer_ is None else float(self.trainer_.wall_time)

    def learned_parameters(self) -> dict[str, Any]:
        """What the fit learned, as JSON-ready numbers: target scaling, best epoch, weights.

        Returns
        -------
        dict
            ``{"n_features_in_", "y_loc_", "y_scale_", "best_epoch_", "weights": {name:
            {"shape": [...], "data": [...]}}}``; float32 weights are written as float64
            values, which convert back exactly.
        """
        check_is_fitted(self, "best_")
        state, epoch, _ = self.best_.best()
        if state is None:
            state = {k: v.detach().clone() for k, v in self.model_.state_dict().items()}
        return {
            "n_features_in_": self.n_features_in_,
            "y_loc_": self.y_loc_,
            "y_scale_": self.y_scale_,
            "best_epoch_": epoch,
            "weights": {
                k: {
                    "shape": list(v.shape),
                    "data": v.cpu().numpy().astype(np.float64).ravel().tolist(),
                }
                for k, v in state.items()
            },
        }

    def set_learned_parameters(self, params: Mapping[str, Any]) -> None:
        """Put learned numbers (from :meth:`learned_parameters`) into this fitted network.

        The estimator must have been fitted (``fit(X, y, epochs=0)`` on any rows with
        ``n_features_in_`` columns builds the architecture); its trainer is dropped.

        Parameters
        ----------
        params : mapping
            As :meth:`learned_parameters` returns.

        Raises
        ------
        ValueError
            Wrong input size, non-finite scaling, weights missing or of the wrong shape.
        """
        import torch

        check_is_fitted(self, "model_")
        if params.get("n_features_in_") != self.n_features_in_:
            raise ValueError("input size does not match the columns")
        loc, scale = params.get("y_loc_"), params.get("y_scale_")
        if not (isinstance(loc, int | float) and isinstance(scale, int | float)):
            raise ValueError("bad target scaling")
        if not (_finite(loc) and _finite(scale) and scale != 0):
            raise ValueError("bad target scaling")
        epoch = params.get("best_epoch_")
        if epoch is not None and not (isinstance(epoch, int) and not isinstance(epoch, bool)):
            raise ValueError("bad best epoch")
        weights = params.get("weights")
        template = self.model_.state_dict()
        if not isinstance(weights, dict) or set(weights) != set(template):
            raise ValueError("weights do not match the architecture")
        state = {}
        for k, ref in template.items():
            w = weights[k]
            if not (isinstance(w, dict) and w.get("shape") == list(ref.shape)):
                raise ValueError(f"shape of {k}")
            values = w.get("data")
            if not (isinstance(values, list) and len(values) == ref.numel()):
                raise ValueError(f"size of {k}")
            arr = np.asarray(values, dtype=np.float64)
            if not np.all(np.isfinite(arr)):
                raise ValueError(f"non-finite weights in {k}")
            state[k] = torch.from_numpy(arr.astype(np.float32).reshape(ref.shape))
        self.model_.load_state_dict(state)
        self.y_loc_, self.y_scale_ = float(loc), float(scale)
        self.best_ = BestWeights.holding(state, epoch)
        self.trainer_ = None
        self.__dict__.pop("_best_net", None)


def _finite(x: object) -> bool:
    return isinstance(x, int | float) and not isinstance(x, bool) and math.isfinite(x)


class TabularModel(RegressorMixin, BaseEstimator):
    """A regressor on raw table rows: the shared preprocessing, the regressor, the target transform.

    ``fit`` builds and fits ``Pipeline([("preprocess", make_preprocessor(numeric,
    categorical)), ("regressor", regressor)])``, the regressor wrapped in
    ``TransformedTargetRegressor(func=np.log, inverse_func=np.exp)`` when
    ``log_target``. ``predict`` takes a DataFrame with the raw feature columns (as in
    the CSV) and returns predictions in the target's units, so scikit-learn tools that
    permute raw columns (permutation importance) work on it.

    Parameters
    ----------
    regressor : estimator
        Any scikit-learn regressor (cloned by ``fit``); a :class:`TorchMLPRegressor`
        also gives :meth:`trainer`.
    numeric, categorical : sequence of str
        The raw feature columns, by kind.
    log_target : bool
        Learn ``log(target)``.
    target : str or None
        Name of the target column (for the user).
    name : str
        Label shown in tables ("MLP", "ridge", ...).
    n_threads : int or None
        Native threads for scikit-learn's OpenMP/BLAS code in ``fit`` and ``predict``
        (None: the library default).

    Attributes
    ----------
    pipeline_ : sklearn.pipeline.Pipeline
        The fitted composition.
    fit_seconds_ : float
        Wall time of ``fit``.
    n_features_in_ : int
        Number of raw feature columns.
    """

    def __init__(
        self,
        regressor: Any = None,
        numeric: Sequence[str] = (),
        categorical: Sequence[str] = (),
        log_target: bool = False,
        target: str | None = None,
        name: str = "",
        n_threads: int | None = None,
    ) -> None:
        self.regressor = regressor
        self.numeric = numeric
        self.categorical = categorical
        self.log_target = log_target
        self.target = target
        self.name = name
        self.n_threads = n_threads

    @property
    def features(self) -> list[str]:
        """The raw feature columns ``predict`` reads (numeric, then categorical)."""
        return list(self.numeric) + list(self.categorical)

    def make_pipeline(self) -> Pipeline:
        """The unfitted composition ``fit`` fits.

        Returns
        -------
        sklearn.pipeline.Pipeline
        """
        from sklearn.base import clone

        reg = clone(self.regressor)
        if self.log_target:
            reg = TransformedTargetRegressor(
                regressor=reg, func=np.log, inverse_func=np.exp, check_inverse=False
            )
        return Pipeline(
            [("preprocess", make_preprocessor(self.numeric, self.categorical)), ("regressor", reg)]
        )

    def _columns(self, X: pd.DataFrame) -> pd.DataFrame:
        absent = [c for c in self.features if c not in X.columns]
        if absent:
            raise TabularError(f"Missing column(s) {', '.join(map(repr, absent))}.")
        return X[self.features]

    def fit(self, X: pd.DataFrame, y: ArrayLike, **fit_params: Any) -> TabularModel:
        """Fit the preprocessing, then the regressor on its output (and the target transform).

        Parameters
        ----------
        X : pandas.DataFrame
            Raw rows with the feature columns.
        y : array_like
            Target in the user's units.
        **fit_params
            Passed to ``Pipeline.fit`` (e.g. ``regressor__epochs=0``).

        Returns
        -------
        TabularModel
            self, fitted.
        """
        if self.regressor is None:
            raise ValueError("TabularModel needs a regressor")
        pipe = self.make_pipeline()
        X = self._columns(X)
        with thread_limit(self.n_threads):
            t0 = time.perf_counter()
            pipe.fit(X, np.asarray(y, dtype=float), **fit_params)
            self.fit_seconds_ = time.perf_counter() - t0
        self.pipeline_ = pipe
        self.n_features_in_ = len(self.features)
        return self

    def trainer(self, X: pd.DataFrame, y: ArrayLike) -> Trainer:
        """Fit everything but the network and return the unrun trainer of the network.

        Run it (``trainer.run(epochs)``, or hand it to a
        :class:`~nnkit.training.TrainingJob` for Start / Stop / Continue); ``predict``
        uses the best validation epoch so far.

        Parameters
        ----------
        X : pandas.DataFrame
            Raw training rows.
        y : array_like
            Target in the user's units.

        Returns
        -------
        nnkit.training.Trainer
        """
        if not isinstance(self.regressor, TorchMLPRegressor):
            raise TypeError("only a TorchMLPRegressor is trained by a Trainer")
        self.fit(X, y, regressor__epochs=0)
        trainer = self.regressor_.trainer_
        assert trainer is not None
        return trainer

    @property
    def preprocessor_(self) -> Any:
        """The fitted preprocessing (a ``ColumnTransformer``)."""
        return self.pipeline_.named_steps["preprocess"]

    @property
    def regressor_(self) -> Any:
        """The fitted regressor (inside the target transform, when there is one)."""
        step = self.pipeline_.named_steps["regressor"]
        return step.regressor_ if isinstance(step, TransformedTargetRegressor) else step

    @property
    def fit_seconds(self) -> float:
        """Seconds the model trained: the network's training time, else ``fit_seconds_``."""
        reg = self.regressor_
        return float(reg.fit_seconds_) if isinstance(reg, TorchMLPRegressor) else self.fit_seconds_

    def transform(self, X: pd.DataFrame) -> np.ndarray:
        """The preprocessed matrix of raw rows ``X`` (what the regressor sees).

        Parameters
        ----------
        X : pandas.DataFrame
            Raw rows with the feature columns.

        Returns
        -------
        numpy.ndarray
        """
        check_is_fitted(self, "pipeline_")
        return np.asarray(self.preprocessor_.transform(self._columns(X)), dtype=float)

    def predict_preprocessed(self, Z: ArrayLike) -> np.ndarray:
        """Predictions from already preprocessed rows (the output of :meth:`transform`).

        Parameters
        ----------
        Z : array_like, shape (n, n_inputs)
            Preprocessed rows.

        Returns
        -------
        numpy.ndarray, shape (n,)
            In the target's units.
        """
        check_is_fitted(self, "pipeline_")
        with thread_limit(self.n_threads):
            out = self.pipeline_.named_steps["regressor"].predict(Z)
        return np.asarray(out, dtype=float).reshape(-1)

    def predict(self, X: pd.DataFrame) -> np.ndarray:
        """Predictions in the target's units, one per row of ``X``.

        Parameters
        ----------
        X : pandas.DataFrame
            Raw rows with the feature columns (other columns are ignored).

        Returns
        -------
        numpy.ndarray, shape (n,)
        """
        check_is_fitted(self, "pipeline_")
        with thread_limit(self.n_threads):
            out = self.pipeline_.predict(self._columns(X))
        return np.asarray(out, dtype=float).reshape(-1)
