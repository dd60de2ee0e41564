"""XOR networks (lecture 1): how many hidden layers and units XOR needs.

- :func:`fit_xor`: one classifier ``mlp(2, hidden, 1)`` trained on XOR data, with its
  decision grid (:func:`decision_grid`).
- :func:`xor_study`: the success rate over many seeds for 0, 1, 2 hidden layers and
  1-8 units; all seeds of one depth train at once (:func:`train_xor_batch`).
- :func:`xor_reference_accuracy`: the accuracy of the ideal rule on the same points, the
  bar a run must reach to count as a success.
- :func:`summarize_xor_study`, :func:`solves_xor`: the numbers the XOR page states, read
  from the study's table, and :meth:`XorStudySummary.text`, its sentences (the page's
  script: :func:`nnkit.reproduce.xor.xor_script`).
- :func:`output_field`: whether a classifier's output over the picture is flat (one
  neuron on XOR usually predicts about ½ everywhere: then no boundary is worth drawing).
"""

from __future__ import annotations

import math
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal, overload

import numpy as np
import pandas as pd

from nnkit._text import counted
from nnkit.function_fitting.targets import grid_points

if TYPE_CHECKING:
    from nnkit._torch import torch
    from nnkit.training import History

__all__ = [
    "UNIFORM_SPREAD",
    "OutputField",
    "XorFit",
    "XorStudySummary",
    "output_field",
    "solves_xor",
    "study_table",
    "summarize_xor_study",
    "decision_grid",
    "fit_xor",
    "train_xor_batch",
    "xor_reference_accuracy",
    "xor_study",
]


def _quadrant_rule(X: np.ndarray) -> np.ndarray:
    return ((X[:, 0] > 0.5) ^ (X[:, 1] > 0.5)).astype(int)


def _architecture(hidden: Sequence[int]) -> str:
    return "no hidden layer" if not hidden else " → ".join(["2", *map(str, hidden), "1"])


def xor_reference_accuracy(X: np.ndarray, y: np.ndarray) -> float:
    """Accuracy of the ideal XOR rule ``(x > ½) xor (y > ½)`` on ``(X, y)``.

    Parameters
    ----------
    X : numpy.ndarray, shape (n, 2)
        Points.
    y : numpy.ndarray, shape (n,)
        Labels in {0, 1}.

    Returns
    -------
    float
        1 without noise; lower when noise pushed points across the rule's boundary.
    """
    return float(np.mean(_quadrant_rule(X) == y))


@overload
def train_xor_batch(
    X: np.ndarray,
    y: np.ndarray,
    configs: Sequence[tuple[Sequence[int], int]],
    *,
    activation: str = ...,
    lr: float = ...,
    epochs: int = ...,
    deadline: float | None = ...,
    return_epochs: Literal[False] = ...,
) -> np.ndarray: ...


@overload
def train_xor_batch(
    X: np.ndarray,
    y: np.ndarray,
    configs: Sequence[tuple[Sequence[int], int]],
    *,
    activation: str = ...,
    lr: float = ...,
    epochs: int = ...,
    deadline: float | None = ...,
    return_epochs: Literal[True],
) -> tuple[np.ndarray, int]: ...


def train_xor_batch(
    X: np.ndarray,
    y: np.ndarray,
    configs: Sequence[tuple[Sequence[int], int]],
    *,
    activation: str = "tanh",
    lr: float = 0.1,
    epochs: int = 300,
    deadline: float | None = None,
    return_epochs: bool = False,
) -> np.ndarray | tuple[np.ndarray, int]:
    """Train many small one-logit classifiers at once; return each one's training accuracy.

    Network k starts from exactly ``nnkit.models.mlp(2, hidden_k, 1, activation,
    seed=seed_k)`` and is trained as ``nnkit.training.fit(net, X, y, loss="bce",
    optimizer="adam", lr=lr, epochs=epochs, batch_size=None)`` would train it alone:
    the weights are stacked into batched tensors (narrower layers padded with zero
    weights and masked units), and the loss is the *sum* of the per-network mean
    losses, so each network gets exactly its own gradient and Adam (element-wise)
    updates each independently. Padded weights get a zero gradient and stay zero.

    Parameters
    ----------
    X : numpy.ndarray, shape (n, 2)
        Points.
    y : numpy.ndarray, shape (n,)
        Labels in {0, 1}.
    configs : sequence of (hidden, seed)
        One pair per network; every ``hidden`` has the same number of layers.
    activation : str
        Hidden activation.
    lr : float
        Adam's learning rate.
    epochs : int
        Full-batch epochs.
    deadline : float, optional
        A ``time.monotonic()`` value: training stops after the first epoch that ends
        past it (a time budget).
    return_epochs : bool
        Also return the number of epochs actually trained.

    Returns
    -------
    numpy.ndarray, shape (len(configs),)
        Training accuracies in [0, 1]; with ``return_epochs=True`` a pair
        ``(accuracies, epochs_trained)``.

    Raises
    ------
    ValueError
        When the configs have different numbers of hidden layers.
    """
    from nnkit._torch import torch
    from nnkit.activations import get
    from nnkit.models import mlp

    configs = [([int(u) for u in h], int(s)) for h, s in configs]
    depth = len(configs[0][0])
    if any(len(h) != depth for h, _ in configs):
        raise ValueError("all configs must have the same number of hidden layers")
    widths = [2] + [max(h[i] for h, _ in configs) for i in range(depth)] + [1]
    S = len(configs)
    Ws = [torch.zeros(S, widths[i + 1], widths[i]) for i in range(depth + 1)]
    bs = [torch.zeros(S, widths[i + 1]) for i in range(depth + 1)]
    masks = [torch.zeros(S, 1, widths[i + 1]) for i in range(depth)]
    for k, (hidden, seed) in enumerate(configs):
        net = mlp(2, hidden, 1, activation=activation, seed=seed)
        lins = [m for m in net if isinstance(m, torch.nn.Linear)]
        for i, lin in enumerate(lins):
            o, n_in = lin.weight.shape
            Ws[i][k, :o, :n_in] = lin.weight.detach()
            bs[i][k, :o] = lin.bias.detach()
        for i, u in enumerate(hidden):
            masks[i][k, 0, :u] = 1.0
    for t in Ws + bs:
        t.requires_grad_(True)
    act = get(activation).torch_module()
    Xt = torch.as_tensor(np.asarray(X, dtype=np.float32)).expand(S, -1, -1)
    yt = torch.as_tensor(np.asarray(y, dtype=np.float32))[None, :].expand(S, -1)
    opt = torch.optim.Adam(Ws + bs, lr=lr)

    def forward() -> torch.Tensor:
        h = Xt
        for i, (W, b) in enumerate(zip(Ws, bs, strict=True)):
            h = torch.baddbmm(b[:, None, :], h, W.transpose(1, 2))
            if i < depth:
                h = act(h) * masks[i]
        return h[..., 0]

    F = torch.nn.functional
    done = 0
    for _ in range(int(epochs)):
        opt.zero_grad(set_to_none=True)
        loss = F.binary_cross_entropy_with_logits(forward(), yt, reduction="none").mean(1).sum()
        loss.backward()
        opt.step()
        done += 1
        if deadline is not None and time.monotonic() > deadline:
            break
    with torch.no_grad():
        pred = (forward() > 0).numpy()
    acc = (pred == np.asarray(y)[None, :]).mean(1)
    return (acc, done) if return_epochs else acc


def xor_study(
    X: np.ndarray,
    y: np.ndarray,
    *,
    layers: Sequence[int] = (0, 1, 2),
    units: Sequence[int] = tuple(range(1, 9)),
    n_seeds: int = 20,
    activation: str = "tanh",
    lr: float = 0.1,
    epochs: int = 300,
    max_seconds: float | None = None,
) -> pd.DataFrame:
    """Success rate over ``n_seeds`` initialisations for each architecture.

    A run succeeds when its training accuracy is at least that of the ideal XOR rule
    on the same points (all 4 points of the truth table; with noisy data the rule's
    own accuracy, since noise can push points across the boundary).

    Parameters
    ----------
    X : numpy.ndarray, shape (n, 2)
        Points.
    y : numpy.ndarray, shape (n,)
        Labels in {0, 1}.
    layers : sequence of int
        Numbers of hidden layers to try.
    units : sequence of int
        Units per hidden layer to try (every layer of a network has the same width).
    n_seeds : int
        Initialisations per architecture (seeds 0, 1, ...).
    activation, lr, epochs
        As for :func:`fit_xor`.
    max_seconds : float, optional
        Budget of the whole study (default none), shared equally by the depths: a
        group whose share runs out stops after its current epoch and says so in
        ``epochs_trained``.

    Returns
    -------
    DataFrame
        ``layers, units, architecture, successes, seeds, success_rate,
        mean_accuracy, reference_accuracy, epochs_trained`` (0 hidden layers: one row,
        units = 0). ``epochs_trained < epochs`` where the time budget ran out.
    """
    budget = math.inf if max_seconds is None else float(max_seconds)
    ref = xor_reference_accuracy(X, y)
    seeds = list(range(int(n_seeds)))
    rows = []
    start = time.monotonic()
    for g, n_layers in enumerate(layers):
        widths = [0] if n_layers == 0 else [int(u) for u in units]
        configs = [([u] * int(n_layers), s) for u in widths for s in seeds]
        deadline = start + budget * (g + 1) / len(layers)
        acc_all, done = train_xor_batch(
            X, y, configs, activation=activation, lr=lr, epochs=epochs,
            deadline=deadline, return_epochs=True,
        )  # fmt: skip
        for j, u in enumerate(widths):
            acc = acc_all[j * len(seeds) : (j + 1) * len(seeds)]
            ok = acc >= ref - 1e-9
            rows.append(
                {
                    "layers": int(n_layers),
                    "units": int(u),
                    "architecture": _architecture([u] * int(n_layers)),
                    "successes": int(ok.sum()),
                    "seeds": len(seeds),
                    "success_rate": float(ok.mean()),
                    "mean_accuracy": float(acc.mean()),
                    "reference_accuracy": ref,
                    "epochs_trained": int(done),
                }
            )
    return pd.DataFrame(rows)


STUDY_COLUMNS = {
    "architecture": "architecture",
    "layers": "hidden layers",
    "units": "units per layer",
    "successes": "solved",
    "seeds": "seeds",
    "success_rate": "success rate",
    "mean_accuracy": "mean accuracy",
    "epochs_trained": "epochs trained",
}
"""The columns of :func:`xor_study` a reader needs, under the words a table shows."""


def study_table(study: pd.DataFrame) -> pd.DataFrame:
    """:func:`xor_study`'s result as a table to read: words for headers, rates as fractions.

    Parameters
    ----------
    study : DataFrame
        From :func:`xor_study`.

    Returns
    -------
    DataFrame
        ``architecture, hidden layers, units per layer, solved, seeds, success rate,
        mean accuracy, epochs trained``
        (rates stay fractions in [0, 1]: format them as percentages to show them).
    """
    return study[list(STUDY_COLUMNS)].rename(columns=STUDY_COLUMNS).reset_index(drop=True)


@dataclass
class XorFit:
    """One trained XOR classifier, as plain data.

    Attributes
    ----------
    architecture : str
        E.g. "2 → 2 → 1" or "no hidden layer".
    accuracy : float
        Training accuracy (threshold 0.5 on the predicted probability).
    grid : DataFrame
        ``x, y, p, boundary`` on a grid over [-0.5, 1.5]² (see :func:`decision_grid`).
    history : nnkit.training.History
        Losses per epoch.
    """

    architecture: str
    accuracy: float
    grid: pd.DataFrame
    history: History


def fit_xor(
    X: np.ndarray,
    y: np.ndarray,
    hidden: Sequence[int],
    *,
    activation: str = "tanh",
    lr: float = 0.1,
    epochs: int = 300,
    seed: int = 0,
) -> XorFit:
    """Train ``mlp(2, hidden, 1)`` on XOR data (binary cross-entropy, full-batch Adam).

    The same recipe as :func:`xor_study`, for one seed, keeping the decision grid.

    Parameters
    ----------
    X : numpy.ndarray, shape (n, 2)
        Points.
    y : numpy.ndarray, shape (n,)
        Labels in {0, 1}.
    hidden : sequence of int
        Hidden widths (empty: no hidden layer).
    activation : str
        Hidden activation.
    lr : float
        Adam's learning rate.
    epochs : int
        Full-batch epochs.
    seed : int
        Seeds the weights.

    Returns
    -------
    XorFit
    """
    from nnkit.models import mlp, predict
    from nnkit.training import TrainConfig, fit

    net = mlp(2, list(hidden), 1, activation=activation, seed=int(seed))
    config = TrainConfig(
        loss="bce", optimizer="adam", lr=lr, epochs=epochs, batch_size=None, seed=int(seed)
    )
    res = fit(net, X, y, config)
    logits = predict(net, X)[:, 0]
    acc = float(np.mean((logits > 0).astype(int) == np.asarray(y)))
    lo = float(min(-0.5, np.min(X) - 0.1))
    hi = float(max(1.5, np.max(X) + 0.1))
    return XorFit(_architecture(list(hidden)), acc, decision_grid(net, lo, hi), res.history)


def decision_grid(
    model: torch.nn.Module, lo: float = -0.5, hi: float = 1.5, n: int = 81
) -> pd.DataFrame:
    """P(class 1) of a one-logit classifier on an n×n grid.

    Parameters
    ----------
    model : torch.nn.Module
        Two inputs, one logit.
    lo, hi : float
        The grid spans [lo, hi]².
    n : int
        Points per axis.

    Returns
    -------
    DataFrame
        ``x, y, p`` and ``boundary``: True where ``p − ½`` changes sign between the cell
        and its right or upper neighbour (the decision boundary, drawn as a line of cells).
    """
    from nnkit.models import predict

    G = grid_points(2, (lo, hi), n)
    logit = predict(model, G)[:, 0]
    p = 1.0 / (1.0 + np.exp(-np.clip(logit, -60, 60)))
    side = (logit > 0).reshape(n, n)  # rows: y index, columns: x index
    edge = np.zeros_like(side)
    edge[:, :-1] |= side[:, :-1] != side[:, 1:]
    edge[:-1, :] |= side[:-1, :] != side[1:, :]
    return pd.DataFrame({"x": G[:, 0], "y": G[:, 1], "p": p, "boundary": edge.ravel()})


# --------------------------------------------------------------------------- reading results
UNIFORM_SPREAD = 0.2
"""A probability field whose values span less than this is called uniform: on a 0–1
colour scale it reads as one colour, and no point of it is decided with confidence."""


@dataclass(frozen=True)
class OutputField:
    """The range of a classifier's P(class 1) over a picture, and the grid to draw.

    Attributes
    ----------
    low : float
        Smallest probability on the grid.
    high : float
        Largest probability on the grid.
    uniform : bool
        ``high − low < tol``: the field is one colour, there is no boundary to show.
    grid : pandas.DataFrame
        The input grid (columns ``x, y, p`` and ``boundary``), with ``boundary`` set to
        False everywhere when the field is uniform.
    """

    low: float
    high: float
    uniform: bool
    grid: pd.DataFrame

    @property
    def spread(self) -> float:
        """``high − low``."""
        return self.high - self.low

    @property
    def range_text(self) -> str:
        """The range to 3 decimals, e.g. ``"between 0.312 and 0.688"``.

        ``"0.500"`` alone when both ends round alike.
        """
        low, high = f"{self.low:.3f}", f"{self.high:.3f}"
        return low if low == high else f"between {low} and {high}"


def output_field(grid: pd.DataFrame, tol: float = UNIFORM_SPREAD) -> OutputField:
    """Whether a classifier's probability over a grid is uniform, and what to draw.

    Parameters
    ----------
    grid : pandas.DataFrame
        Column ``p`` (probability of class 1), optionally ``boundary`` (True on the
        cells where ``p − ½`` changes sign), as made by ``nnkit.fitting.decision_grid``.
    tol : float, default :data:`UNIFORM_SPREAD`
        Largest spread ``max p − min p`` still called uniform.

    Returns
    -------
    OutputField
    """
    low, high = float(grid["p"].min()), float(grid["p"].max())
    uniform = high - low < tol
    drawn = grid.assign(boundary=False) if uniform and "boundary" in grid else grid
    return OutputField(low=low, high=high, uniform=uniform, grid=drawn)


@dataclass(frozen=True)
class XorStudySummary:
    """The numbers the XOR page states about a success-rate study.

    Attributes
    ----------
    seeds : int
        Seeds per architecture.
    no_hidden_successes : int
        Seeds for which the network without a hidden layer solved XOR.
    two_units_successes : int or None
        The same for one hidden layer of 2 units (None if not in the study).
    two_units_mean_accuracy : float or None
        Its mean training accuracy over the seeds.
    smallest_reliable : str or None
        The smallest architecture (fewest layers, then fewest units) that succeeded
        for every seed; None if none did.
    smallest_reliable_layers : int
        Its number of hidden layers (0 when there is none).
    n_capped : int
        Architectures that the time budget stopped before the last epoch.
    fewest_epochs : int or None
        The fewest epochs any capped architecture trained (None if none was capped).
    yours : str or None
        The architecture asked about (``layers`` and ``units`` of
        :func:`summarize_xor_study`), None when none was or it is not in the study.
    your_successes : int or None
        Seeds for which it solved XOR.
    your_capped : bool
        Whether the time budget stopped its training early (its count is a lower bound).
    """

    seeds: int
    no_hidden_successes: int
    two_units_successes: int | None
    two_units_mean_accuracy: float | None
    smallest_reliable: str | None
    smallest_reliable_layers: int
    n_capped: int
    fewest_epochs: int | None
    yours: str | None = None
    your_successes: int | None = None
    your_capped: bool = False

    def text(self) -> str:
        """What the study shows, in sentences computed from its counts (for the page).

        Returns
        -------
        str
            E.g. "With no hidden layer XOR is solved in 0 of 20 seeds. One hidden layer
            of 2 units solves it in 11 of 20 (mean accuracy 88.8%): enough units in
            principle, but 9 seeds got stuck; try another seed above. The smallest
            architecture that succeeded for every seed is ..."
        """
        n = self.seeds
        out = f"With no hidden layer XOR is solved in {self.no_hidden_successes} of {n} seeds. "
        two_is_yours = self.yours == _architecture([2])
        if self.two_units_successes is not None:
            two = self.two_units_successes
            out += (
                f"One hidden layer of 2 units solves it in {two} of {n} "
                f"(mean accuracy {self.two_units_mean_accuracy:.1%}): "
                + (
                    "enough units, and every seed found the solution with these settings. "
                    if two == n
                    else "enough units in principle, but no seed found the solution with these "
                    "settings. "
                    if two == 0
                    else f"enough units in principle, but {counted(n - two, 'seed')} got stuck"
                    + ("; try another seed above. " if two_is_yours else ". ")
                )
            )
        k = self.your_successes
        mine = k is not None and self.yours not in (None, _architecture([]), _architecture([2]))
        smallest_is_yours = mine and k == n and self.yours == self.smallest_reliable
        if mine and not smallest_is_yours:
            cut = " in the epochs the time cap allowed" if self.your_capped else ""
            out += f"Yours, {self.yours}, solves it for " + (
                f"all {n} seeds{cut}. "
                if k == n
                else f"none of the {n} seeds{cut}. "
                if k == 0
                else f"{k} of {n} seeds{cut}: the same architecture can fail or succeed; try "
                "another seed above. "
            )
        if self.smallest_reliable is not None:
            out += (
                "The smallest architecture that succeeded for every seed is "
                + ("yours, " if smallest_is_yours else "")
                + f"{self.smallest_reliable} ({counted(self.smallest_reliable_layers, 'hidden layer')}): "
                "extra units make a good starting point likely rather than lucky."
            )
        else:
            out += "No architecture here succeeded for every seed with these settings."
        return out


def summarize_xor_study(
    study: pd.DataFrame, epochs: int, layers: int | None = None, units: int | None = None
) -> XorStudySummary:
    """Read a success-rate table into the statements of the XOR page.

    Parameters
    ----------
    study : pandas.DataFrame
        One row per architecture, columns ``layers, units, architecture, successes,
        seeds, mean_accuracy, epochs_trained`` (as ``nnkit.fitting.xor_study`` returns).
    epochs : int
        Epochs each run was asked to train (rows with fewer were cut by the budget).
    layers, units : int, optional
        The architecture a reader trained (``units`` is ignored without hidden layers):
        its row's counts go into ``yours`` and ``your_successes``.

    Returns
    -------
    XorStudySummary
    """
    zero = study[study["layers"] == 0]
    two = study[(study["layers"] == 1) & (study["units"] == 2)]
    reliable = study[(study["layers"] > 0) & (study["successes"] == study["seeds"])]
    smallest = reliable.sort_values(["layers", "units"]).head(1)
    capped = study[study["epochs_trained"] < int(epochs)]
    if layers is None:
        mine = study.iloc[:0]
    else:
        mine = study[(study["layers"] == int(layers)) & ((layers == 0) | (study["units"] == units))]
    return XorStudySummary(
        seeds=int(study["seeds"].max()) if len(study) else 0,
        no_hidden_successes=int(zero["successes"].iloc[0]) if len(zero) else 0,
        two_units_successes=int(two["successes"].iloc[0]) if len(two) else None,
        two_units_mean_accuracy=float(two["mean_accuracy"].iloc[0]) if len(two) else None,
        smallest_reliable=str(smallest["architecture"].iloc[0]) if len(smallest) else None,
        smallest_reliable_layers=int(smallest["layers"].iloc[0]) if len(smallest) else 0,
        n_capped=len(capped),
        fewest_epochs=int(capped["epochs_trained"].min()) if len(capped) else None,
        yours=str(mine["architecture"].iloc[0]) if len(mine) else None,
        your_successes=int(mine["successes"].iloc[0]) if len(mine) else None,
        your_capped=bool(len(mine) and mine["epochs_trained"].iloc[0] < int(epochs)),
    )


def solves_xor(accuracy: float, reference: float) -> bool:
    """Whether a training accuracy reaches the reference (up to rounding).

    Parameters
    ----------
    accuracy : float
        A network's training accuracy.
    reference : float
        The ideal XOR rule's accuracy on the same points (1 on the truth table).

    Returns
    -------
    bool
    """
    return float(accuracy) >= float(reference) - 1e-9
