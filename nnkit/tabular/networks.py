"""Torch MLPs in scikit-learn's style, trained by :mod:`nnkit.training`.

* :class:`TorchMLPRegressor` learns a standardised target with mean squared error;
* :class:`TorchMLPClassifier` learns class labels with cross-entropy (the lecture's
  other loss): one logit and a sigmoid for two classes, one logit per class and a
  softmax for more.

Both train with denormal floats flushed to zero in the training thread
(:func:`flush_denormals`: otherwise weight decay makes long runs up to ten times slower on
x86 CPUs), hold out ``val_fraction`` of the rows (seeded) for the validation loss, stop
after ``patience`` epochs without a better one and predict with the weights of the best
validation epoch, or the average of the ``average_best`` best (:class:`BestWeights`).
``fit`` trains to the end; ``fit(X, y, epochs=0)`` builds the network and its
:class:`~nnkit.training.Trainer` (``trainer_``) without training, for a
:class:`~nnkit.training.TrainingJob` to run, stop and continue.
"""

from __future__ import annotations

import contextlib
import functools
import math
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import ArrayLike
from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin
from sklearn.utils.validation import check_array, check_is_fitted, column_or_1d

from nnkit.limits import Limits
from nnkit.tabular.best_weights import BestWeights
from nnkit.tabular.layers import linear_fit, mean_of, start_at_linear, with_linear_path

if TYPE_CHECKING:
    import torch

    from nnkit.training import History, TrainConfig, Trainer

__all__ = [
    "TorchMLPClassifier",
    "TorchMLPRegressor",
    "flush_denormals",
    "mean_of",
    "with_linear_path",
]


def _denormals_flushed() -> bool:
    """Whether this thread's CPU flushes denormal floats to zero (read from a product)."""
    import torch

    return bool((torch.tensor([1e-39], dtype=torch.float32) * 1.0).item() == 0.0)


@contextlib.contextmanager
def flush_denormals() -> Iterator[None]:
    """Flush denormal floats (below ~1e-38) to zero in this thread inside the block.

    Weight decay drives weights towards zero and SiLU of a large negative input is tiny:
    once such numbers fall below float32's normal range, x86 CPUs compute with them up
    to ten times slower (measured: 0.5 s for 20 epochs of a 256 × 256 network on 800
    rows became 5.5 s after 100 epochs). ``torch.set_flush_denormal`` sets the calling
    thread's mode (threads started inside the block inherit it); it is put back after.

    Yields
    ------
    None
    """
    import torch

    before = _denormals_flushed()
    if not before:
        torch.set_flush_denormal(True)
    try:
        yield
    finally:
        if not before:
            torch.set_flush_denormal(False)


def _flushing(run: Callable[..., Any]) -> Callable[..., Any]:
    """``run`` with denormals flushed to zero while it trains (see :func:`flush_denormals`)."""

    @functools.wraps(run)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        with flush_denormals():
            return run(*args, **kwargs)

    return wrapped


def _finite(x: object) -> bool:
    return isinstance(x, int | float) and not isinstance(x, bool) and math.isfinite(x)


class _TorchMLP(BaseEstimator):
    """What both torch estimators share: parameters, network, training, best weights, export.

    Subclasses say how the target is encoded (:meth:`_encode`), how many outputs and
    which loss the network has, and which fitted numbers describe the target.
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
        linear_path: bool = False,
        members: int = 1,
        linear_start: bool = False,
        average_best: int = 1,
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
        self.linear_path = linear_path
        self.members = members
        self.linear_start = linear_start
        self.average_best = average_best

    # -- what subclasses define ---------------------------------------------------------

    def _encode(self, y: np.ndarray) -> np.ndarray:  # pragma: no cover - abstract
        raise NotImplementedError

    def _loss(self) -> str:  # pragma: no cover - abstract
        raise NotImplementedError

    def _n_outputs(self) -> int:
        return 1

    def _target_parameters(self) -> dict[str, Any]:  # pragma: no cover - abstract
        raise NotImplementedError

    def _set_target_parameters(self, params: Mapping[str, Any]) -> None:  # pragma: no cover
        raise NotImplementedError

    # -- shared -------------------------------------------------------------------------

    def train_config(self) -> TrainConfig:
        """The :class:`~nnkit.training.TrainConfig` these parameters make.

        Returns
        -------
        TrainConfig
            Adam, mini-batches, the validation split; the loss once fitted (MSE before).
        """
        from nnkit.training import TrainConfig

        return TrainConfig(
            optimizer="adam",
            lr=float(self.lr),
            weight_decay=float(self.weight_decay),
            epochs=int(self.epochs),
            batch_size=int(self.batch_size),
            loss=self._loss() if hasattr(self, "n_features_in_") else "mse",
            val_fraction=float(self.val_fraction),
            seed=int(self.seed),
            max_seconds=self.max_seconds,
        )

    def _network(self) -> torch.nn.Module:
        from nnkit.models import mlp

        hidden = [int(h) for h in self.hidden]
        n_in, n_out = self.n_features_in_, self._n_outputs()
        nets = []
        for k in range(max(int(self.members), 1)):  # member k: seed + 7919 k (member 0: seed)
            seed = int(self.seed) + 7919 * k
            net = mlp(n_in, hidden, n_out, activation=self.activation, seed=seed)
            nets.append(with_linear_path(net, n_in, n_out) if self.linear_path else net)
        return nets[0] if len(nets) == 1 else mean_of(nets)

    def fit(
        self, X: ArrayLike, y: ArrayLike, *, epochs: int | None = None, trainer: bool = True
    ) -> Any:
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
            :class:`~nnkit.training.TrainingJob`); ``predict`` follows the weights kept (``best_``).
        trainer : bool, default True
            False (with ``epochs=0``) builds the network only, ``trainer_`` None, as for
            weights read from a file (:meth:`set_learned_parameters`): no optimizer is
            built, and a process's first optimizer imports ``torch._dynamo`` (about 2 s).

        Returns
        -------
        self
            Fitted.
        """
        from nnkit.training import EarlyStopping, supervised_trainer

        A = check_array(X, dtype=np.float64)
        labels = column_or_1d(np.asarray(y))
        if len(labels) != len(A):
            raise ValueError(f"X has {len(A)} rows but y has {len(labels)}")
        n = self.epochs if epochs is None else epochs
        if not trainer and int(n) > 0:
            raise ValueError("training needs a trainer: pass epochs=0 with trainer=False")
        self.n_features_in_ = int(A.shape[1])
        t = self._encode(labels)
        self.model_ = self._network()
        self.best_ = BestWeights(keep=int(self.average_best))
        if not trainer:
            self.trainer_: Trainer | None = None
            return self
        callbacks: list[Any] = [self.best_]
        if self.patience is not None:
            callbacks.append(EarlyStopping(patience=int(self.patience)))
        built = supervised_trainer(
            self.model_, A, t, self.train_config(), callbacks=callbacks, limits=self.limits
        )
        if self.linear_path and self.linear_start:  # the training rows, not the validation rows
            from nnkit.training.objectives import SupervisedObjective

            rows = built.objective
            assert isinstance(rows, SupervisedObjective)
            W, b = linear_fit(rows.X.numpy(), rows.y.numpy(), self._loss())
            start_at_linear(self.model_, W, b)
        built.run = _flushing(built.run)  # type: ignore[method-assign]
        self.trainer_ = built
        if int(n) > 0:
            built.run(int(n))
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

    def _outputs(self, X: ArrayLike) -> np.ndarray:
        """The best network's raw outputs, shape (n, outputs), float64."""
        from nnkit.models import predict

        check_is_fitted(self, "best_")
        A = check_array(X, dtype=np.float64)
        if A.shape[1] != self.n_features_in_:
            raise ValueError(f"X has {A.shape[1]} columns; the network takes {self.n_features_in_}")
        return predict(self._best_network(), A)

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
        """What the fit learned, as JSON-ready values: the target's encoding, best epoch, weights.

        Returns
        -------
        dict
            ``{"n_features_in_", "best_epoch_", "weights": {name: {"shape": [...],
            "data": [...]}}, ...}`` plus the target's numbers (``y_loc_``/``y_scale_``
            or ``classes_``); float32 weights are written as float64 values, which
            convert back exactly.
        """
        check_is_fitted(self, "best_")
        state, epoch, _ = self.best_.best()
        if state is None:
            state = {k: v.detach().clone() for k, v in self.model_.state_dict().items()}
        weights = {
            k: {"shape": list(v.shape), "data": v.cpu().numpy().astype(np.float64).ravel().tolist()}
            for k, v in state.items()
        }
        return {
            "n_features_in_": self.n_features_in_,
            **self._target_parameters(),
            "best_epoch_": epoch,
            "weights": weights,
        }

    def set_learned_parameters(self, params: Mapping[str, Any]) -> None:
        """Put learned values (from :meth:`learned_parameters`) into this fitted network.

        The estimator must have been fitted (``fit(X, y, epochs=0, trainer=False)`` on
        any rows with ``n_features_in_`` columns builds the architecture); a trainer it
        has is dropped.

        Parameters
        ----------
        params : mapping
            As :meth:`learned_parameters` returns.

        Raises
        ------
        ValueError
            Wrong input size, a bad target encoding, weights missing or of the wrong
            shape.
        """
        import torch

        check_is_fitted(self, "model_")
        if params.get("n_features_in_") != self.n_features_in_:
            raise ValueError("input size does not match the columns")
        epoch = params.get("best_epoch_")
        if epoch is not None and not (isinstance(epoch, int) and not isinstance(epoch, bool)):
            raise ValueError("bad best epoch")
        self._set_target_parameters(params)
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
        self.best_ = BestWeights.holding(state, epoch)
        self.trainer_ = None
        self.__dict__.pop("_best_net", None)


class TorchMLPRegressor(RegressorMixin, _TorchMLP):
    """A multi-layer perceptron regressor in torch, trained by :mod:`nnkit.training`.

    The network (:func:`nnkit.models.mlp`) learns the standardised target
    ``(y - y_loc_) / y_scale_`` with Adam on shuffled mini-batches and mean squared
    error; ``predict`` uses the weights of the best validation epoch(s).

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
    linear_path : bool, default False
        Add a linear map from the inputs to the output(s), starting at zero
        (:func:`with_linear_path`).
    members : int, default 1
        Networks averaged (:func:`mean_of`): each optimizer step trains one in turn,
        so an epoch trains each on ``1/members`` of the batches.
    linear_start : bool, default False
        With ``linear_path``: start the network as the ridge baseline fitted on its
        training rows (validation rows excluded), its MLP's last layer at zero
        (:func:`~nnkit.tabular.layers.start_at_linear`): training starts from the
        baseline's fit and the hidden layers learn what it misses.
    average_best : int, default 1
        ``predict`` uses the average of the weights of this many epochs, those with
        the lowest validation losses (:class:`BestWeights`); 1: the best epoch's.

    Attributes
    ----------
    y_loc_, y_scale_ : float
        Mean and standard deviation of the training target (1 if it is constant).
    n_features_in_ : int
        Number of input columns.
    model_ : torch.nn.Sequential
        The network being trained (the last epoch's weights).
    best_ : BestWeights
        The weights ``predict`` uses (the best epoch's, or the average of the
        ``average_best`` best epochs').
    trainer_ : nnkit.training.Trainer or None
        Run it again to continue training (None for a model read from a file).
    """

    def _loss(self) -> str:
        return "mse"

    def _encode(self, y: np.ndarray) -> np.ndarray:
        t = np.asarray(y, dtype=np.float64)
        self.y_loc_ = float(np.mean(t))
        scale = float(np.std(t))
        self.y_scale_ = scale if scale > 0 else 1.0
        return (t - self.y_loc_) / self.y_scale_

    def predict(self, X: ArrayLike) -> np.ndarray:
        """Predictions with the weights kept (``best_``).

        Parameters
        ----------
        X : array_like, shape (n, n_features_in_)
            Inputs.

        Returns
        -------
        numpy.ndarray, shape (n,)
            ``y_loc_ + y_scale_ * net(X)`` in float64.
        """
        out = self._outputs(X)[:, 0]  # checks it is fitted first
        return self.y_loc_ + self.y_scale_ * out

    def _target_parameters(self) -> dict[str, Any]:
        return {"y_loc_": self.y_loc_, "y_scale_": self.y_scale_}

    def _set_target_parameters(self, params: Mapping[str, Any]) -> None:
        loc, scale = params.get("y_loc_"), params.get("y_scale_")
        if not (isinstance(loc, int | float) and isinstance(scale, int | float)):
            raise ValueError("bad target scaling")
        if not (_finite(loc) and _finite(scale) and scale != 0):
            raise ValueError("bad target scaling")
        self.y_loc_, self.y_scale_ = float(loc), float(scale)


class TorchMLPClassifier(ClassifierMixin, _TorchMLP):
    """A multi-layer perceptron classifier in torch, trained by :mod:`nnkit.training`.

    Two classes: one output, a sigmoid, binary cross-entropy. More: one output per
    class, a softmax, cross-entropy. ``predict_proba`` and ``predict`` use the weights
    of the best validation epoch(s) (lowest validation cross-entropy).

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
    linear_path : bool, default False
        Add a linear map from the inputs to the output(s), starting at zero
        (:func:`with_linear_path`).
    members : int, default 1
        Networks averaged (:func:`mean_of`): each optimizer step trains one in turn,
        so an epoch trains each on ``1/members`` of the batches.
    linear_start : bool, default False
        With ``linear_path``: start the network as the logistic-regression baseline
        fitted on its training rows (validation rows excluded), its MLP's last layer at
        zero (:func:`~nnkit.tabular.layers.start_at_linear`): training starts from the
        baseline's fit and the hidden layers learn what it misses.
    average_best : int, default 1
        ``predict`` uses the average of the weights of this many epochs, those with
        the lowest validation losses (:class:`BestWeights`); 1: the best epoch's.

    Attributes
    ----------
    classes_ : numpy.ndarray
        The class labels, sorted (at least two).
    n_features_in_ : int
        Number of input columns.
    model_ : torch.nn.Sequential
        The network being trained (the last epoch's weights).
    best_ : BestWeights
        The weights ``predict`` uses (the best epoch's, or the average of the
        ``average_best`` best epochs').
    trainer_ : nnkit.training.Trainer or None
        Run it again to continue training (None for a model read from a file).
    """

    def _loss(self) -> str:
        return "bce" if len(self.classes_) == 2 else "cross_entropy"

    def _n_outputs(self) -> int:
        return 1 if len(self.classes_) == 2 else len(self.classes_)

    def _encode(self, y: np.ndarray) -> np.ndarray:
        self.classes_, codes = np.unique(y, return_inverse=True)
        if len(self.classes_) < 2:
            raise ValueError("a classifier needs at least two classes in the training rows")
        return codes.astype(np.float64) if len(self.classes_) == 2 else codes.astype(np.int64)

    def predict_proba(self, X: ArrayLike) -> np.ndarray:
        """Class probabilities with the weights kept (``best_``).

        Parameters
        ----------
        X : array_like, shape (n, n_features_in_)
            Inputs.

        Returns
        -------
        numpy.ndarray, shape (n, n_classes)
            Rows sum to 1; columns in the order of ``classes_``.
        """
        z = self._outputs(X)
        if len(self.classes_) == 2:
            p = 1.0 / (1.0 + np.exp(-z[:, 0]))
            return np.column_stack([1.0 - p, p])
        z = z - z.max(axis=1, keepdims=True)
        e = np.exp(z)
        return e / e.sum(axis=1, keepdims=True)

    def predict(self, X: ArrayLike) -> np.ndarray:
        """The most probable class of each row.

        Parameters
        ----------
        X : array_like, shape (n, n_features_in_)
            Inputs.

        Returns
        -------
        numpy.ndarray, shape (n,)
            Labels from ``classes_``.
        """
        out: np.ndarray = self.classes_[np.argmax(self.predict_proba(X), axis=1)]
        return out

    def _target_parameters(self) -> dict[str, Any]:
        return {"classes_": [str(c) for c in self.classes_]}

    def _set_target_parameters(self, params: Mapping[str, Any]) -> None:
        classes = params.get("classes_")
        if not (isinstance(classes, list) and all(isinstance(c, str) for c in classes)):
            raise ValueError("bad classes")
        if classes != [str(c) for c in self.classes_]:
            raise ValueError("classes do not match the network")
