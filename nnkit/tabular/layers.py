"""Building blocks of the tabular network: a linear path beside the MLP, an ensemble in one module.

:func:`with_linear_path` adds ``W x + b`` (starting at zero) to an MLP's output;
:func:`mean_of` holds several networks as one module whose training steps train them in
turn and whose output is their mean. Both are plain ``torch.nn`` modules: their
``state_dict`` is what :func:`~nnkit.tabular.export_model` writes.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    import torch

__all__ = ["linear_fit", "mean_of", "start_at_linear", "with_linear_path"]


@functools.cache
def _linear_path_class() -> type:
    """The ``nn.Sequential`` subclass of :func:`with_linear_path` (made once, torch imported late)."""
    import torch

    class LinearPathMLP(torch.nn.Sequential):
        """The layers of an MLP, plus a linear map from the inputs added to its output."""

        def forward(self, x: torch.Tensor) -> torch.Tensor:
            out = x
            for name, layer in self._modules.items():
                if name != "linear" and layer is not None:
                    out = layer(out)
            linear: torch.Tensor = self._modules["linear"](x)
            return out + linear

    return LinearPathMLP


def with_linear_path(net: torch.nn.Sequential, n_in: int, n_out: int) -> torch.nn.Sequential:
    """``net`` with a linear path: ``x ↦ net(x) + W x + b``, ``W`` and ``b`` starting at zero.

    The hidden layers then learn what a straight line in the inputs misses, and the
    line itself is one layer away from the output instead of having to pass through
    every activation. On small tables with many one-hot columns, whose price law is
    mostly additive, this is what keeps the network level with ridge regression
    (``benchmarks/bench_tabular.py``). The layers keep their names (``"0"``, ``"1"``,
    …); the path is the last module, ``"linear"``.

    Parameters
    ----------
    net : torch.nn.Sequential
        The MLP (e.g. from :func:`nnkit.models.mlp`).
    n_in, n_out : int
        Its input and output sizes.

    Returns
    -------
    torch.nn.Sequential
        The same layers (shared, not copied) and the path; at first it computes what
        ``net`` computes.
    """
    from collections import OrderedDict

    import torch

    out = _linear_path_class()(OrderedDict(net.named_children()))
    path = torch.nn.Linear(int(n_in), int(n_out))
    with torch.no_grad():
        path.weight.zero_()
        path.bias.zero_()
    out.add_module("linear", path)
    result: torch.nn.Sequential = out
    return result


@functools.cache
def _mean_of_class() -> type:
    """The module of :func:`mean_of` (made once, torch imported late)."""
    import torch

    class MeanOf(torch.nn.Module):
        """Several networks: a training step trains one of them in turn, the output is their mean."""

        def __init__(self, members: Sequence[torch.nn.Module]) -> None:
            super().__init__()
            self.members = torch.nn.ModuleList(members)
            self._turn = 0

        def forward(self, x: torch.Tensor) -> torch.Tensor:
            if self.training and torch.is_grad_enabled():  # an optimizer step: one member
                member = self.members[self._turn % len(self.members)]
                self._turn += 1
                out: torch.Tensor = member(x)
                return out
            return torch.stack([m(x) for m in self.members]).mean(dim=0)

    return MeanOf


def mean_of(members: Sequence[torch.nn.Module]) -> torch.nn.Module:
    """An ensemble in one module: each training step trains the next member, predictions average.

    With gradients on and in training mode (an optimizer step of
    :class:`~nnkit.training.Trainer`), the module is its members in turn, one per
    call: each member is trained on its own share of the shuffled batches, with its own
    loss, its own Adam moments and weight decay (a member without a gradient is left
    alone), as if trained alone. Otherwise (validation, ``predict``, ``eval()``) the
    output is the members' mean, so the validation loss, early stopping and the best
    epoch are those of the ensemble. Averaging networks that differ by their initial
    weights and batches removes much of the seed-to-seed spread of one small network
    (on the 1,460-row Ames-like table: about 0.01 R²), at the cost of as many epochs.

    Parameters
    ----------
    members : sequence of torch.nn.Module
        Networks with the same inputs and outputs.

    Returns
    -------
    torch.nn.Module
        Its parameters are ``members.0.…``, ``members.1.…``, ….
    """
    if not members:
        raise ValueError("an ensemble needs at least one member")
    out: torch.nn.Module = _mean_of_class()(list(members))
    return out


def linear_fit(X: np.ndarray, y: np.ndarray, loss: str) -> tuple[np.ndarray, np.ndarray]:
    """The linear model of rows ``X`` for a network's loss: its weights and biases.

    ``"mse"``: ridge regression with the L2 penalty chosen by leave-one-out
    cross-validation among 10⁻³ … 10³ (``RidgeCV``, the regression baseline's choice);
    ``"bce"`` and ``"cross_entropy"``: logistic regression (L2, C = 1, the
    classification baseline's), one logit or one per class.

    Parameters
    ----------
    X : numpy.ndarray, shape (n, d)
        Inputs (the rows the network trains on, validation rows excluded).
    y : numpy.ndarray
        Targets as the loss takes them: floats (n,) or (n, 1) for ``"mse"``, 0/1 for
        ``"bce"``, class codes 0 … k−1 for ``"cross_entropy"``.
    loss : {"mse", "bce", "cross_entropy"}
        The network's loss.

    Returns
    -------
    (numpy.ndarray, numpy.ndarray)
        Weights of shape (outputs, d) and biases of shape (outputs,), float64. A
        class code absent from ``y`` (or one class only) gives all-zero logits.
    """
    # the baselines' own models (imported here: nnkit.tabular.baselines imports this module)
    from nnkit.tabular.baselines import ridge_model
    from nnkit.tabular.classification import classification_makers

    A = np.asarray(X, dtype=np.float64)
    t = np.asarray(y).reshape(len(A), -1)
    if loss == "mse":
        ridge = ridge_model().fit(A, t[:, 0])
        return np.asarray(ridge.coef_, dtype=np.float64)[None, :], np.array(
            [float(ridge.intercept_)]
        )
    codes = t[:, 0].astype(np.int64)
    n_out = 1 if loss == "bce" else int(codes.max()) + 1
    W, b = np.zeros((n_out, A.shape[1])), np.zeros(n_out)
    present = np.unique(codes)
    if len(present) < 2:
        return W, b
    logit = classification_makers(0)["logistic regression"]().fit(A, codes)
    if loss == "bce":
        return np.asarray(logit.coef_, dtype=np.float64), np.asarray(logit.intercept_, float)
    if len(present) == 2:  # sklearn gives one logit for two classes: put it on the second
        W[present[1]], b[present[1]] = logit.coef_[0], logit.intercept_[0]
    else:
        W[present], b[present] = logit.coef_, logit.intercept_
    return W, b


def start_at_linear(net: torch.nn.Module, weight: np.ndarray, bias: np.ndarray) -> None:
    """Make a network with linear paths start as the linear model ``x ↦ W x + b``.

    Every linear path (of :func:`with_linear_path`; each member of :func:`mean_of`) gets
    ``W`` and ``b``, and the last layer of the MLP beside it starts at zero, so the
    network's output is exactly the linear model's until training moves it: the hidden
    layers then learn what the line misses (as a residual block starts at the identity,
    Goyal et al. 2017). The hidden layers keep their random weights, which the
    zero last layer's gradient reaches after its first step.

    Parameters
    ----------
    net : torch.nn.Module
        A network with at least one linear path (``"linear"`` module).
    weight : numpy.ndarray, shape (outputs, inputs)
        ``W``.
    bias : numpy.ndarray, shape (outputs,)
        ``b``.

    Raises
    ------
    ValueError
        If ``net`` has no linear path, or the shapes do not match it.
    """
    import torch

    paths = [m for m in net.modules() if isinstance(m, _linear_path_class())]
    if not paths:
        raise ValueError("the network has no linear path")
    W = torch.as_tensor(np.asarray(weight), dtype=torch.float32)
    b = torch.as_tensor(np.asarray(bias), dtype=torch.float32).reshape(-1)
    with torch.no_grad():
        for path in paths:
            line = path.get_submodule("linear")
            assert isinstance(line, torch.nn.Linear)
            if line.weight.shape != W.shape or line.bias.shape != b.shape:
                raise ValueError("the linear model's shape does not match the linear path")
            line.weight.copy_(W)
            line.bias.copy_(b)
            layers = [m for n, m in path.named_children() if n != "linear"]
            for layer in [m for m in layers if isinstance(m, torch.nn.Linear)][-1:]:
                layer.weight.zero_()
                layer.bias.zero_()
