"""Models of a whole table in scikit-learn's style: raw rows in, the target out.

* :class:`TabularModel` (regression): its ``fit`` builds one scikit-learn ``Pipeline``:
  the preprocessing of :func:`~nnkit.tabular.make_preprocessor`, then the regressor —
  wrapped in a ``TransformedTargetRegressor`` (``log``/``exp``) when the target is
  learned on a log scale.
* :class:`TabularClassifier`: the same preprocessing, then a classifier;
  ``predict_proba`` gives class probabilities.

Either trains any scikit-learn estimator; with a
:class:`~nnkit.tabular.TorchMLPRegressor` / :class:`~nnkit.tabular.TorchMLPClassifier`,
:meth:`TabularModel.trainer` returns the network's unrun
:class:`~nnkit.training.Trainer` for a :class:`~nnkit.training.TrainingJob`.

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
import time
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike
from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin, clone
from sklearn.compose import TransformedTargetRegressor
from sklearn.pipeline import Pipeline
from sklearn.utils.validation import check_is_fitted

from nnkit._text import noun
from nnkit.tabular.io import TabularError
from nnkit.tabular.networks import _TorchMLP
from nnkit.tabular.preprocess import fit_rows, make_preprocessor

if TYPE_CHECKING:
    from nnkit.training import Trainer

__all__ = ["TabularClassifier", "TabularModel", "thread_limit"]


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
    with _thread_pools().limit(limits=int(n_threads)):
        yield


_POOLS: tuple[int, Any] | None = None


def _thread_pools() -> Any:
    """A ``threadpoolctl.ThreadpoolController`` of the native pools loaded now.

    Building one scans every loaded shared library (milliseconds; ``predict`` runs in a
    limit many times per page), so it is kept, and built again only once more modules
    have been imported (a new extension may bring its own pool).
    """
    global _POOLS
    import sys

    from threadpoolctl import ThreadpoolController

    loaded = len(sys.modules)
    if _POOLS is None or _POOLS[0] != loaded:
        _POOLS = (loaded, ThreadpoolController())
    return _POOLS[1]


class _Tabular(BaseEstimator):
    """Raw rows -> the shared preprocessing -> an estimator: what both models share."""

    _STEP = "estimator"
    task = "regression"
    numeric: Sequence[str]
    categorical: Sequence[str]
    heavy_tailed: Sequence[str]
    n_threads: int | None

    def _make_estimator(self) -> Any:  # pragma: no cover - abstract
        raise NotImplementedError

    @property
    def features(self) -> list[str]:
        """The raw feature columns ``predict`` reads (numeric, then categorical)."""
        return list(self.numeric) + list(self.categorical)

    def make_pipeline(self) -> Pipeline:
        """The unfitted composition ``fit`` fits.

        Returns
        -------
        sklearn.pipeline.Pipeline
            ``[("preprocess", make_preprocessor(...)), ("estimator", ...)]``.
        """
        pre = make_preprocessor(self.numeric, self.categorical, self.heavy_tailed)
        return Pipeline([("preprocess", pre), (self._STEP, self._make_estimator())])

    def _columns(self, X: pd.DataFrame) -> pd.DataFrame:
        absent = [c for c in self.features if c not in X.columns]
        if absent:
            raise TabularError(
                f"Missing {noun(len(absent), 'column')} {', '.join(map(repr, absent))}."
            )
        return X[self.features]

    def fit(self, X: pd.DataFrame, y: ArrayLike, **fit_params: Any) -> Any:
        """Fit the preprocessing, then the estimator on its output.

        Parameters
        ----------
        X : pandas.DataFrame
            Raw rows with the feature columns.
        y : array_like
            Target (in the user's units, or class labels).
        **fit_params
            Passed to ``Pipeline.fit`` (e.g. ``estimator__epochs=0``).

        Returns
        -------
        self
            Fitted.
        """
        pipe = self.make_pipeline()
        X = self._columns(X)
        fit_rows(pipe.named_steps["preprocess"], len(X))
        with thread_limit(self.n_threads):
            t0 = time.perf_counter()
            pipe.fit(X, self._target(y), **fit_params)
            self.fit_seconds_ = time.perf_counter() - t0
        self.pipeline_ = pipe
        self.n_features_in_ = len(self.features)
        self._learn_target(self._target(y))
        return self

    def _target(self, y: ArrayLike) -> np.ndarray:
        return np.asarray(y)

    def _learn_target(self, y: np.ndarray) -> None:
        """Learn what the target's values tell (the regressor: their range)."""

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
            Target.

        Returns
        -------
        nnkit.training.Trainer
        """
        self.fit(X, y, estimator__epochs=0)
        trainer = getattr(self.estimator_, "trainer_", None)
        if trainer is None:
            raise TypeError(
                "only a torch MLP (TorchMLPRegressor/Classifier) is trained by a Trainer"
            )
        return trainer

    @property
    def preprocessor_(self) -> Any:
        """The fitted preprocessing (a ``ColumnTransformer``)."""
        return self.pipeline_.named_steps["preprocess"]

    @property
    def estimator_(self) -> Any:
        """The fitted final estimator (inside the target transform, when there is one)."""
        step = self.pipeline_.named_steps[self._STEP]
        return step.regressor_ if isinstance(step, TransformedTargetRegressor) else step

    @property
    def fit_seconds(self) -> float:
        """Seconds the model trained: the search's and the network's, else ``fit_seconds_``."""
        searched = getattr(self, "search_seconds_", None)
        if searched is not None:
            return float(searched)
        est = self.estimator_
        return float(est.fit_seconds_) if isinstance(est, _TorchMLP) else self.fit_seconds_

    def transform(self, X: pd.DataFrame) -> np.ndarray:
        """The preprocessed matrix of raw rows ``X`` (what the estimator sees).

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
            In the target's units (or class labels).
        """
        check_is_fitted(self, "pipeline_")
        with thread_limit(self.n_threads):
            out = self.pipeline_.named_steps[self._STEP].predict(Z)
        return self._output(out)

    def _output(self, out: ArrayLike) -> np.ndarray:
        a = np.asarray(out).reshape(-1)
        return a.astype(float) if self.task == "regression" else a

    def predict(self, X: pd.DataFrame) -> np.ndarray:
        """Predictions, one per row of ``X``.

        Parameters
        ----------
        X : pandas.DataFrame
            Raw rows with the feature columns (other columns are ignored).

        Returns
        -------
        numpy.ndarray, shape (n,)
            In the target's units (float), or class labels.
        """
        check_is_fitted(self, "pipeline_")
        with thread_limit(self.n_threads):
            out = self.pipeline_.predict(self._columns(X))
        return self._output(out)


class TabularModel(RegressorMixin, _Tabular):
    """A regressor on raw table rows: the shared preprocessing, the regressor, the target transform.

    ``fit`` builds and fits ``Pipeline([("preprocess", make_preprocessor(numeric,
    categorical, heavy_tailed)), ("estimator", regressor)])``, the regressor wrapped in
    ``TransformedTargetRegressor(func=np.log, inverse_func=np.exp)`` when
    ``log_target``. ``predict`` takes a DataFrame with the raw feature columns (as in
    the CSV) and returns predictions in the target's units, so scikit-learn tools that
    permute raw columns (permutation importance) work on it.

    Parameters
    ----------
    regressor : estimator
        Any scikit-learn regressor (cloned by ``fit``); a
        :class:`~nnkit.tabular.TorchMLPRegressor` also gives :meth:`trainer`.
    numeric, categorical : sequence of str
        The raw feature columns, by kind.
    log_target : bool
        Learn ``log(target)``.
    heavy_tailed : sequence of str
        Numeric columns transformed by their quantiles instead of standardised (see
        :func:`~nnkit.tabular.make_preprocessor`).
    clip_target : bool
        Clip predictions to the range of the training target. For a capped target (a
        census' top code): no true value lies beyond the cap, so a prediction beyond it
        is an error by construction (trees never make it; a line or a network, with an
        ``exp`` on top for a log target, can).
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
    target_range_ : tuple of float
        Smallest and largest training target.
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
        heavy_tailed: Sequence[str] = (),
        clip_target: bool = False,
    ) -> None:
        self.regressor = regressor
        self.numeric = numeric
        self.categorical = categorical
        self.log_target = log_target
        self.target = target
        self.name = name
        self.n_threads = n_threads
        self.heavy_tailed = heavy_tailed
        self.clip_target = clip_target

    def _make_estimator(self) -> Any:
        if self.regressor is None:
            raise ValueError("TabularModel needs a regressor")
        reg = clone(self.regressor)
        if self.log_target:
            reg = TransformedTargetRegressor(
                regressor=reg, func=np.log, inverse_func=np.exp, check_inverse=False
            )
        return reg

    def _target(self, y: ArrayLike) -> np.ndarray:
        return np.asarray(y, dtype=float)

    def _learn_target(self, y: np.ndarray) -> None:
        self.target_range_ = (float(np.min(y)), float(np.max(y)))

    def _output(self, out: ArrayLike) -> np.ndarray:
        a = np.asarray(out, dtype=float).reshape(-1)
        if self.clip_target:
            a = np.clip(a, *self.target_range_)
        return a

    @property
    def regressor_(self) -> Any:
        """The fitted regressor (inside the target transform, when there is one)."""
        return self.estimator_


class TabularClassifier(ClassifierMixin, _Tabular):
    """A classifier on raw table rows: the shared preprocessing, then the classifier.

    ``fit`` builds and fits ``Pipeline([("preprocess", make_preprocessor(numeric,
    categorical)), ("estimator", classifier)])``; ``predict_proba`` gives each class's
    probability (columns in the order of ``classes_``).

    Parameters
    ----------
    classifier : estimator
        Any scikit-learn classifier with ``predict_proba`` (cloned by ``fit``); a
        :class:`~nnkit.tabular.TorchMLPClassifier` also gives :meth:`trainer`.
    numeric, categorical : sequence of str
        The raw feature columns, by kind.
    target : str or None
        Name of the target column (for the user).
    name : str
        Label shown in tables ("MLP", "ridge", ...).
    n_threads : int or None
        Native threads for scikit-learn's OpenMP/BLAS code in ``fit`` and ``predict``
        (None: the library default).
    heavy_tailed : sequence of str
        Numeric columns transformed by their quantiles (see
        :func:`~nnkit.tabular.make_preprocessor`).

    Attributes
    ----------
    pipeline_ : sklearn.pipeline.Pipeline
        The fitted composition.
    fit_seconds_ : float
        Wall time of ``fit``.
    n_features_in_ : int
        Number of raw feature columns.
    classes_ : numpy.ndarray
        The class labels, sorted.
    """

    task = "classification"
    log_target = False

    def __init__(
        self,
        classifier: Any = None,
        numeric: Sequence[str] = (),
        categorical: Sequence[str] = (),
        target: str | None = None,
        name: str = "",
        n_threads: int | None = None,
        heavy_tailed: Sequence[str] = (),
    ) -> None:
        self.classifier = classifier
        self.numeric = numeric
        self.categorical = categorical
        self.target = target
        self.name = name
        self.n_threads = n_threads
        self.heavy_tailed = heavy_tailed

    def _make_estimator(self) -> Any:
        if self.classifier is None:
            raise ValueError("TabularClassifier needs a classifier")
        return clone(self.classifier)

    @property
    def classes_(self) -> np.ndarray:
        """The class labels, sorted (the columns of :meth:`predict_proba`)."""
        return np.asarray(self.estimator_.classes_)

    @property
    def classifier_(self) -> Any:
        """The fitted classifier."""
        return self.estimator_

    def predict_proba(self, X: pd.DataFrame) -> np.ndarray:
        """Each class's probability for each row of ``X``.

        Parameters
        ----------
        X : pandas.DataFrame
            Raw rows with the feature columns.

        Returns
        -------
        numpy.ndarray, shape (n, n_classes)
        """
        check_is_fitted(self, "pipeline_")
        with thread_limit(self.n_threads):
            out = self.pipeline_.predict_proba(self._columns(X))
        return np.asarray(out, dtype=float)

    def predict_proba_preprocessed(self, Z: ArrayLike) -> np.ndarray:
        """Class probabilities from already preprocessed rows.

        Parameters
        ----------
        Z : array_like, shape (n, n_inputs)
            Preprocessed rows (the output of :meth:`transform`).

        Returns
        -------
        numpy.ndarray, shape (n, n_classes)
        """
        check_is_fitted(self, "pipeline_")
        with thread_limit(self.n_threads):
            out = self.pipeline_.named_steps[self._STEP].predict_proba(Z)
        return np.asarray(out, dtype=float)
