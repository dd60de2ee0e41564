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

if TYPE_CHECKING:
    import torch

__all__ = ["mean_of", "with_linear_path"]


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
